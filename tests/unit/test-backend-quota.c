/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-quota.c - every limit refuses with its documented errno:
 * max-bytes (-EDQUOT), max-regions (-ENOSPC), max-peers (-EUSERS),
 * max-perm-entries (-EMLINK), the backend's grant budgets and the grant
 * table itself (-ENOBUFS); INFO reports the usage.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "frontend.h"

TAP_MAIN;

struct trio {
	struct fw w;
	struct fe a, b, c;
};

static void trio_open(struct trio *t, const struct ism_backend_limits *lim)
{
	struct fe fes[3];

	fw_open_guests(&t->w, lim, fes, 3);
	t->a = fes[0];
	t->b = fes[1];
	t->c = fes[2];
}

static void limits(struct ism_backend_limits *lim)
{
	ism_backend_limits_default(lim);
	lim->gid = 1;
}

static void test_bytes(void)
{
	struct ism_backend_limits lim;
	struct ism_region_desc d, e, p;
	struct ism_rsp_info info;
	struct trio t;

	limits(&lim);
	lim.max_bytes = 8 * ISM_PAGE_SIZE;
	trio_open(&t, &lim);
	tap_is_int(fe_alloc(&t.a, 5 * ISM_PAGE_SIZE, &d), 0, "5 of 8 pages");
	tap_is_int(fe_alloc(&t.a, 4 * ISM_PAGE_SIZE, &e), -ISM_EDQUOT,
		   "quota_bytes: 4 more pages is -EDQUOT");
	tap_is_int(fe_alloc(&t.a, 3 * ISM_PAGE_SIZE, &e), 0, "3 more fit");
	fe_info(&t.a, &info);
	tap_ok(info.bytes_used == 8 * ISM_PAGE_SIZE &&
		       info.bytes_max == 8 * ISM_PAGE_SIZE &&
		       info.slots_used == 2 && info.devid == 4097 &&
		       info.gid == 1,
	       "INFO: bytes_used 8 pages of 8, 2 slots");
	tap_is_int(fe_alloc(&t.b, 4 * ISM_PAGE_SIZE, &p), 0,
		   "another domain has its own quota");
	tap_is_int(fe_attach(&t.b, d.token, 0, &p), -ISM_EDQUOT,
		   "quota_bytes: attach charges the peer too");
	fe_free(&t.a, &e);
	tap_is_int(fe_alloc(&t.a, 3 * ISM_PAGE_SIZE, &e), 0,
		   "FREE gives the octets back");
	fw_close(&t.w);
}

static void test_slots(void)
{
	struct ism_backend_limits lim;
	struct ism_region_desc d[3], p;
	struct trio t;

	limits(&lim);
	lim.max_regions = 2;
	trio_open(&t, &lim);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d[0]);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d[1]);
	tap_is_int(fe_alloc(&t.a, ISM_PAGE_SIZE, &d[2]), -ISM_ENOSPC,
		   "quota_slots: a third ALLOC is -ENOSPC");
	fe_alloc(&t.b, ISM_PAGE_SIZE, &p);
	fe_alloc(&t.b, ISM_PAGE_SIZE, &p);
	tap_is_int(fe_attach(&t.b, d[0].token, 0, &p), -ISM_ENOSPC,
		   "quota_slots: ATTACH without a free slot is -ENOSPC");
	fe_detach(&t.a, &d[1]);
	tap_is_int(fe_alloc(&t.a, ISM_PAGE_SIZE, &d[2]), 0,
		   "DETACH frees the slot");
	tap_ok(d[2].slot < 2, "  slots stay below max-regions");
	fw_close(&t.w);
}

static void test_peers(void)
{
	struct ism_backend_limits lim;
	struct ism_region_desc d1, d2, d3, p;
	struct ism_rsp_info info;
	struct trio t;

	limits(&lim);
	lim.max_peers = 1;
	trio_open(&t, &lim);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d1);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d2);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d3);
	tap_is_int(fe_attach(&t.b, d1.token, 0, &p), 0, "B is A's one peer");
	tap_is_int(fe_attach(&t.b, d2.token, 0, &p), 0,
		   "  a second region with B is the same peer");
	tap_is_int(fe_attach(&t.c, d3.token, 0, &p), -ISM_EUSERS,
		   "quota_peers: a second peer device is -EUSERS");
	fe_info(&t.a, &info);
	tap_ok(info.peers_used == 1 && info.peers_max == 1,
	       "INFO: peers_used 1 of 1");
	fe_detach(&t.b, &p);
	fe_query(&t.b, 0, 0, &p);
	fe_detach(&t.b, &p);
	fe_query(&t.b, 1, 0, &p);
	fe_detach(&t.b, &p);
	tap_is_int(fe_attach(&t.c, d3.token, 0, &p), 0,
		   "  once B detached everything, C may attach");
	fw_close(&t.w);
}

static void test_perm_entries(void)
{
	struct ism_backend_limits lim;
	struct ism_region_desc d;
	struct trio t;

	limits(&lim);
	lim.max_perm_entries = 2;
	trio_open(&t, &lim);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d);
	tap_ok(!fe_set_perm(&t.a, &d, 10, ISM_PERM_READ, 0) &&
		       !fe_set_perm(&t.a, &d, 11, ISM_PERM_READ, 0),
	       "two entries fit");
	tap_is_int(fe_set_perm(&t.a, &d, 12, ISM_PERM_READ, 0), -ISM_EMLINK,
		   "quota_perm_entries: a third is -EMLINK");
	tap_is_int(fe_set_perm(&t.a, &d, 11, ISM_PERM_DEFAULT, 0), 0,
		   "  changing an entry still works");
	tap_is_int(fe_set_perm(&t.a, &d, 0, ISM_PERM_READ, 0), 0,
		   "  so does the default entry");
	fe_set_perm(&t.a, &d, 10, 0, ISM_SET_PERM_F_REMOVE);
	tap_is_int(fe_set_perm(&t.a, &d, 12, ISM_PERM_READ, 0), 0,
		   "  a removed entry makes room");
	fw_close(&t.w);
}

/* Guest @domid arrives with device @devid, connected. */
static void grant_newcomer(struct fw *w, uint16_t domid, uint32_t devid,
			   struct fe *f)
{
	if (fw_guest(w, domid) || fe_create(w, domid, devid, f) ||
	    fe_connect(f)) {
		printf("Bail out! guest %u cannot connect\n", domid);
		exit(1);
	}
}

/* 8-page regions @f allocates until the backend says -ENOBUFS. */
static int grant_greedy(struct fe *f)
{
	struct ism_region_desc d;
	int n = 0, rc;

	while (!(rc = fe_alloc(f, 8 * ISM_PAGE_SIZE, &d)))
		n++;
	return rc == -ISM_ENOBUFS ? n : -1;
}

static void test_grants(void)
{
	struct ism_backend_limits lim;
	struct fake_xen_limits fl = { 64, 64, 64, 256 };
	struct ism_region_desc d, p;
	struct trio t;

	/* One 8-page region takes 10 grants per referrer. */
	limits(&lim);
	lim.max_domain_grants = 15;
	trio_open(&t, &lim);
	tap_is_int(fe_alloc(&t.a, 8 * ISM_PAGE_SIZE, &d), 0, "10 grants");
	tap_is_int(fe_alloc(&t.a, 8 * ISM_PAGE_SIZE, &p), -ISM_ENOBUFS,
		   "quota_grants: a domain's grant budget is -ENOBUFS");
	tap_is_int(fe_alloc(&t.a, 2 * ISM_PAGE_SIZE, &p), 0,
		   "  4 more fit in 15");
	fw_close(&t.w);

	/*
	 * The pool: a lone domain may hold half of it (its share, 20 of 40),
	 * then b and c arrive (shares 10) and take the rest.
	 */
	limits(&lim);
	lim.max_grants = 40;
	fw_open_guests(&t.w, &lim, &t.a, 1);
	tap_ok(!fe_alloc(&t.a, 8 * ISM_PAGE_SIZE, &d) &&
		       !fe_alloc(&t.a, 8 * ISM_PAGE_SIZE, &d),
	       "a lone domain holds 20 grants of 40");
	tap_is_int(fe_alloc(&t.a, 8 * ISM_PAGE_SIZE, &p), -ISM_ENOBUFS,
		   "quota_grants: beyond half the pool is -ENOBUFS (a share "
		   "waits for a newcomer)");
	grant_newcomer(&t.w, 7, 4098, &t.b);
	grant_newcomer(&t.w, 9, 4099, &t.c);
	tap_ok(!fe_alloc(&t.b, 8 * ISM_PAGE_SIZE, &p) &&
		       !fe_alloc(&t.c, 8 * ISM_PAGE_SIZE, &p),
	       "two newcomers take their shares, 10 each");
	tap_is_int(fe_alloc(&t.c, ISM_PAGE_SIZE, &p), -ISM_ENOBUFS,
		   "quota_grants: the backend's pool is -ENOBUFS");
	fw_close(&t.w);

	/* The grant table itself: the helper says -ENOSPC. */
	limits(&lim);
	fw_open(&t.w, NULL);
	fw_stop(&t.w);
	fake_xen_platform_close(t.w.p);
	fake_xen_domain_set_limits(t.w.fx, FW_BE, &fl);
	fake_xen_platform_open(t.w.fx, FW_BE, &t.w.p);
	ism_backend_new(&fake_xen_ops, t.w.p, &t.w.lim, &t.w.be);
	fw_guest(&t.w, 5);
	fe_create(&t.w, 5, 4097, &t.a);
	fe_connect(&t.a);
	tap_is_int(fe_alloc(&t.a, 63 * ISM_PAGE_SIZE, &d), -ISM_ENOBUFS,
		   "quota_grants: a full grant table is -ENOBUFS");
	tap_is_int(fe_alloc(&t.a, 62 * ISM_PAGE_SIZE, &d), 0,
		   "  and nothing leaked: 64 entries still fit 62 + 2");
	fw_close(&t.w);
}

/*
 * Issue 13: two greedy domains cannot starve a newcomer.  Shares of a
 * 100-grant pool: 33 each of a and b (one share waits), then 25 each when
 * c arrives; an 8-page region takes 10 grants.
 */
static void test_grant_shares(void)
{
	struct ism_backend_limits lim;
	struct ism_backend_stats st;
	struct fe fes[2], c;
	struct fw w;

	limits(&lim);
	lim.max_grants = 100;
	fw_open_guests(&w, &lim, fes, 2);
	tap_is_int(grant_greedy(&fes[0]), 3,
		   "shares: greedy a holds 3 regions");
	tap_is_int(grant_greedy(&fes[1]), 3,
		   "shares: greedy b holds 3 regions");
	ism_backend_get_stats(w.be, &st);
	tap_ok(st.grants == 60 && st.grant_share == 33 && st.domains == 2 &&
		       st.grant_pool == 100,
	       "shares: 60 grants used, shares of 33 for 2 domains");
	grant_newcomer(&w, 9, 4099, &c);
	tap_is_int(grant_greedy(&c), 2,
		   "shares: newcomer c still gets 2 regions, its share of 25");
	ism_backend_get_stats(w.be, &st);
	tap_ok(st.grant_share == 25 && st.domains == 3,
	       "shares: shrink to 25 for 3 domains");
	tap_is_int(fe_alloc(&fes[0], ISM_PAGE_SIZE,
			    &(struct ism_region_desc){}),
		   -ISM_ENOBUFS, "shares: a, above its new share, cannot grow");
	fw_kill(&w, 9);
	ism_backend_get_stats(w.be, &st);
	tap_ok(st.domains == 2 && st.grant_share == 33 && st.grants == 60,
	       "shares: grow back to 33 when c's domain dies");
	tap_is_int(fe_alloc(&fes[0], ISM_PAGE_SIZE,
			    &(struct ism_region_desc){}),
		   0, "shares: a grows again within its share");
	fw_close(&w);
}

int main(void)
{
	tap_plan(38);
	test_bytes();
	test_slots();
	test_peers();
	test_perm_entries();
	test_grants();
	test_grant_shares();
	return tap_done();
}
