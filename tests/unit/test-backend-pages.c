/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-pages.c - the core grants and ends a region's pages in
 * batches: how many platform calls ALLOC, ATTACH, DETACH and FREE of a
 * 1 MiB region make; regions longer than one batch (ISM_PAGES_BATCH_MAX)
 * come out right; a batch that fails part way through a region undoes
 * the batches before it; a grant still mapped in the middle of a batch
 * stays in the quarantine, the others end; one-page directories come
 * from a pool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h" /* ISM_DIR_CHUNK */
#include "tap.h"
#include "frontend.h"

TAP_MAIN;

#define A 5
#define B 7
#define MIB (1024u * 1024u)

/* Platform calls one request made, per op of interest. */
struct calls {
	unsigned long alloc, grant, end, free, total;
};

static void calls_take(struct fw *w, struct calls *c)
{
	c->alloc = fake_xen_calls(w->fx, FAKE_XEN_OP_PAGES_ALLOC);
	c->grant = fake_xen_calls(w->fx, FAKE_XEN_OP_PAGES_GRANT);
	c->end = fake_xen_calls(w->fx, FAKE_XEN_OP_PAGES_END_GRANTS);
	c->free = fake_xen_calls(w->fx, FAKE_XEN_OP_PAGES_FREE);
	c->total = fake_xen_calls(w->fx, FAKE_XEN_OP_ANY);
	fake_xen_calls_reset(w->fx);
}

static bool calls_are(const struct calls *c, unsigned long alloc,
		      unsigned long grant, unsigned long end,
		      unsigned long free_)
{
	return c->alloc == alloc && c->grant == grant && c->end == end &&
	       c->free == free_;
}

static void calls_diag(const char *what, const struct calls *c)
{
	tap_diag("%-9s pages_alloc %lu, pages_grant %lu, pages_end_grants "
		 "%lu, pages_free %lu; all ops %lu",
		 what, c->alloc, c->grant, c->end, c->free, c->total);
}

/*
 * A world whose backend domain has room for regions of @region_size (its
 * grant table and page quota raised) and guests A and B, connected.
 */
static void world_open(struct fw *w, struct fe *a, struct fe *b,
		       uint64_t region_size)
{
	struct fake_xen_limits big = {
		.grants = 8192, .ports = 1024, .maps = 4096, .pages = 16384
	};
	int rc;

	memset(w, 0, sizeof(*w));
	ism_backend_limits_default(&w->lim);
	w->lim.gid = 0x5e1f0c2a9b7d4433ull;
	w->lim.region_size = region_size;
	rc = fake_xen_create(&w->fx);
	rc = rc ?: fake_xen_domain_set_limits(w->fx, FW_BE, &big);
	rc = rc ?: fake_xen_platform_open(w->fx, FW_BE, &w->p);
	rc = rc ?: ism_backend_new(&fake_xen_ops, w->p, &w->lim, &w->be);
	rc = rc ?: fw_pump(w);
	rc = rc ?: fw_guest(w, A);
	rc = rc ?: fake_xen_domain_set_limits(w->fx, A, &big);
	rc = rc ?: fw_guest(w, B);
	rc = rc ?: fake_xen_domain_set_limits(w->fx, B, &big);
	rc = rc ?: fe_create(w, A, 4097, a);
	rc = rc ?: fe_create(w, B, 4098, b);
	rc = rc ?: fe_connect(a);
	rc = rc ?: fe_connect(b);
	if (rc) {
		printf("Bail out! world setup failed: %d\n", rc);
		exit(1);
	}
}

/* Whether the core's grant count is the platform's. */
static bool grants_agree(struct fw *w, unsigned int *grants_out)
{
	struct ism_backend_stats st;
	struct fake_xen_usage u;

	ism_backend_get_stats(w->be, &st);
	fake_xen_usage(w->fx, FW_BE, &u);
	if (grants_out)
		*grants_out = st.grants;
	return st.grants == u.grants;
}

/* The grant reference of region page @k in a mapped directory. */
static uint32_t dir_gref(const struct fe_map *m, uint32_t k)
{
	const struct ism_dir_page *dp = m->dir[k / ISM_DIR_GREFS_PER_PAGE];

	return dp->gref[k % ISM_DIR_GREFS_PER_PAGE];
}

static void test_calls_1mib(void)
{
	struct ism_region_desc d, p, q;
	struct fe_map ma, mb;
	struct calls c;
	struct fe a, b;
	struct fw w;
	unsigned int i, bad = 0, grants;

	world_open(&w, &a, &b, MIB);
	fake_xen_calls_reset(w.fx);
	tap_is_int(fe_alloc(&a, MIB, &d), 0, "ALLOC of 1 MiB (256 pages)");
	calls_take(&w, &c);
	calls_diag("ALLOC", &c);
	tap_ok(calls_are(&c, 1, 2, 0, 0),
	       "  1 pages_alloc (pages + doorbell; the directory page is the "
	       "pool's), 2 pages_grant");
	tap_is_int(fe_attach(&b, d.token, 0, &p), 0, "ATTACH writable");
	calls_take(&w, &c);
	calls_diag("ATTACH", &c);
	tap_ok(calls_are(&c, 0, 2, 0, 0), "  0 pages_alloc, 2 pages_grant");

	fe_map(&a, &d, false, &ma);
	fe_map(&b, &p, true, &mb);
	for (i = 0; i < ma.n; i++)
		snprintf(ma.page[i], 16, "page %u", i);
	for (i = 0; i < mb.n; i++) {
		char want[16];

		snprintf(want, sizeof(want), "page %u", i);
		bad += strcmp(mb.page[i], want) != 0;
	}
	tap_ok(ma.n == 256 && mb.n == 256 && !bad,
	       "the peer sees each of the owner's 256 pages in order");
	fe_unmap(&a, &ma);
	fe_unmap(&b, &mb);
	fake_xen_calls_reset(w.fx);

	tap_is_int(fe_detach(&b, &p), 0, "DETACH");
	calls_take(&w, &c);
	calls_diag("DETACH", &c);
	tap_ok(calls_are(&c, 0, 0, 1, 0),
	       "  1 pages_end_grants (258 grants), 0 pages_free (the "
	       "directory page goes back to the pool)");
	tap_is_int(fe_attach(&b, d.token, ISM_ATTACH_F_READONLY, &q), 0,
		   "ATTACH read-only");
	calls_take(&w, &c);
	calls_diag("ATTACH ro", &c);
	tap_ok(calls_are(&c, 0, 3, 0, 0),
	       "  3 pages_grant: the doorbell stays writable on its own");
	fe_detach(&b, &q);
	fake_xen_calls_reset(w.fx);
	tap_is_int(fe_free(&a, &d), 0, "FREE");
	calls_take(&w, &c);
	calls_diag("FREE", &c);
	tap_ok(calls_are(&c, 0, 0, 1, 1),
	       "  1 pages_end_grants, 1 pages_free (region)");
	tap_ok(grants_agree(&w, &grants) && !grants,
	       "  no grant left, as the platform counts");
	fw_close(&w);
}

/*
 * One-page directories come from the pool: more than a chunk of them at
 * once grows it by a chunk, freed when its last page comes back; a page
 * lent again is cleared of the references of the region before.
 */
static void test_dir_pool(void)
{
	struct ism_region_desc d[ISM_DIR_CHUNK + 4], big;
	const struct ism_dir_page *dp;
	struct fake_xen_usage u0, u;
	struct fe_map m;
	struct calls c;
	struct fe a, b;
	struct fw w;
	unsigned int i, n = ISM_DIR_CHUNK + 4, fail = 0, stale = 0;

	world_open(&w, &a, &b, MIB);
	fake_xen_usage(w.fx, FW_BE, &u0);
	fake_xen_calls_reset(w.fx);
	for (i = 0; i < n; i++)
		fail += fe_alloc(&a, ISM_PAGE_SIZE, &d[i]) != 0;
	calls_take(&w, &c);
	calls_diag("ALLOC x20", &c);
	tap_ok(!fail && c.alloc == n + 1,
	       "dir_pool: %u regions, %lu pages_alloc: one each and one more "
	       "chunk of %u directory pages",
	       n, c.alloc, ISM_DIR_CHUNK);
	for (i = 0; i < n; i++)
		fail += fe_free(&a, &d[i]) != 0;
	fake_xen_usage(w.fx, FW_BE, &u);
	calls_take(&w, &c);
	tap_ok(!fail && c.free == n + 1 && u.page_sets == u0.page_sets &&
		       u.grants == u0.grants,
	       "  all freed: the chunk made on demand too, the first stays");

	tap_is_int(fe_alloc(&a, 200 * ISM_PAGE_SIZE, &big), 0,
		   "  a 200-page region, freed again");
	fe_free(&a, &big);
	fe_alloc(&a, ISM_PAGE_SIZE, &d[0]);
	fe_map(&a, &d[0], false, &m);
	dp = m.dir[0];
	for (i = dp->nr_grefs; i < ISM_DIR_GREFS_PER_PAGE; i++)
		stale += dp->gref[i] != 0;
	tap_ok(m.ndir == 1 && dp->nr_grefs == 1 && !dp->next_gref && !stale,
	       "  a directory page lent again holds no reference of the "
	       "200-page region before it");
	fe_unmap(&a, &m);
	fe_free(&a, &d[0]);
	fw_close(&w);
}

/* 4 MiB: 1024 pages, a doorbell and 2 directory pages per referrer. */
static void test_chunks(void)
{
	struct ism_region_desc d, p;
	struct ism_backend_stats st;
	struct fake_xen_usage u0, u;
	struct ism_rsp_info info;
	void *keep5 = NULL, *keep700 = NULL;
	struct fe_map ma, mb;
	struct calls c;
	struct fe a, b;
	struct fw w;
	unsigned int i, bad = 0, grants;

	world_open(&w, &a, &b, 4 * MIB);
	fake_xen_usage(w.fx, FW_BE, &u0);
	fake_xen_calls_reset(w.fx);
	tap_is_int(fe_alloc(&a, 4 * MIB, &d), 0, "ALLOC of 4 MiB");
	calls_take(&w, &c);
	tap_ok(calls_are(&c, 2, 4, 0, 0),
	       "  4 pages_grant: 1025 pages in 512 + 512 + 1, 2 directory");
	tap_is_int(fe_attach(&b, d.token, 0, &p), 0, "ATTACH of 4 MiB");
	tap_ok(grants_agree(&w, &grants) && grants == 2 * 1027,
	       "  2 x 1027 grants, as the platform counts");
	fe_map(&a, &d, false, &ma);
	fe_map(&b, &p, true, &mb);
	for (i = 0; i < ma.n; i++)
		memcpy(ma.page[i], &i, sizeof(i));
	for (i = 0; i < mb.n; i++)
		bad += memcmp(mb.page[i], &i, sizeof(i)) != 0;
	tap_ok(ma.n == 1024 && mb.n == 1024 && mb.ndir == 2 && !bad,
	       "across batches and directory pages, page k is page k");
	/* B keeps two pages mapped, in different batches, and detaches. */
	fake_xen_guest_map(w.fx, B, FW_BE, dir_gref(&mb, 5), true, &keep5);
	fake_xen_guest_map(w.fx, B, FW_BE, dir_gref(&mb, 700), true, &keep700);
	fe_unmap(&a, &ma);
	fe_unmap(&b, &mb);
	fake_xen_calls_reset(w.fx);
	tap_is_int(fe_detach(&b, &p), 0, "DETACH with pages 5 and 700 mapped");
	calls_take(&w, &c);
	tap_is_int(c.end, 3, "  3 pages_end_grants: 512 + 512 + 3 grants");
	ism_backend_get_stats(w.be, &st);
	fe_info(&b, &info);
	tap_ok(st.quarantined == 2 && info.quarantined_pages == 2 &&
		       grants_agree(&w, &grants) && grants == 1027 + 2,
	       "  the 2 mapped grants are quarantined, the rest ended");
	fw_reclaim(&w);
	calls_take(&w, &c);
	tap_is_int(c.end, 1, "reclaim retries both in 1 pages_end_grants");
	fake_xen_guest_unmap(w.fx, B, keep5);
	fw_reclaim(&w);
	ism_backend_get_stats(w.be, &st);
	fe_info(&b, &info);
	tap_ok(st.quarantined == 1 && info.quarantined_pages == 1 &&
		       grants_agree(&w, &grants) && grants == 1028,
	       "page 5 unmapped: its grant ends, page 700's stays");
	fake_xen_guest_unmap(w.fx, B, keep700);
	tap_is_int(fw_reclaim(&w), 0, "page 700 unmapped: reclaim ends it");
	fe_free(&a, &d);
	fake_xen_usage(w.fx, FW_BE, &u);
	ism_backend_get_stats(w.be, &st);
	tap_ok(u.grants == u0.grants && u.page_sets == u0.page_sets &&
		       !st.grants && !st.quarantined && !st.held,
	       "after FREE the backend holds what it held before");
	fw_close(&w);
}

/* The nth pages_grant of a 4 MiB ALLOC or ATTACH fails. */
static void test_grant_fails_midway(void)
{
	static const int errs[] = { EIO, ENOSPC };
	static const int want[] = { -ISM_ENOMEM, -ISM_ENOBUFS };
	struct ism_region_desc d, p;
	struct fake_xen_usage u0, u;
	unsigned int nth, e, grants, bad_alloc = 0, bad_attach = 0;
	struct fe a, b;
	struct fw w;
	int rc;

	world_open(&w, &a, &b, 4 * MIB);
	fake_xen_usage(w.fx, FW_BE, &u0);
	for (e = 0; e < 2; e++) {
		for (nth = 1; nth <= 4; nth++) {
			fake_xen_fail_set(w.fx, FAKE_XEN_OP_PAGES_GRANT, nth,
					  errs[e], 0);
			rc = fe_alloc(&a, 4 * MIB, &d);
			fake_xen_fail_clear(w.fx);
			fake_xen_usage(w.fx, FW_BE, &u);
			if (rc != want[e] || !grants_agree(&w, &grants) ||
			    grants || u.grants != u0.grants ||
			    u.page_sets != u0.page_sets)
				bad_alloc++;
		}
	}
	tap_is_int(bad_alloc, 0,
		   "grant_fails_midway: ALLOC fails (-ENOMEM, -ENOBUFS) with "
		   "nothing left granted, whichever of its 4 batches fails");
	tap_is_int(fe_alloc(&a, 4 * MIB, &d), 0, "then ALLOC works");
	fake_xen_usage(w.fx, FW_BE, &u0);
	for (nth = 1; nth <= 4; nth++) {
		fake_xen_fail_set(w.fx, FAKE_XEN_OP_PAGES_GRANT, nth, EIO, 0);
		rc = fe_attach(&b, d.token, 0, &p);
		fake_xen_fail_clear(w.fx);
		fake_xen_usage(w.fx, FW_BE, &u);
		if (rc != -ISM_ENOMEM || !grants_agree(&w, &grants) ||
		    grants != 1027 || u.grants != u0.grants ||
		    u.page_sets != u0.page_sets)
			bad_attach++;
	}
	tap_is_int(bad_attach, 0,
		   "  so does ATTACH, the owner's 1027 grants untouched");
	tap_is_int(fe_attach(&b, d.token, 0, &p), 0, "then ATTACH works");
	fe_detach(&b, &p);
	fe_free(&a, &d);
	tap_ok(grants_agree(&w, &grants) && !grants, "all grants ended");
	fw_close(&w);
}

/* The second of three pages_end_grants of a DETACH fails as a whole. */
static void test_end_fails_midway(void)
{
	struct ism_region_desc d, p;
	struct ism_backend_stats st;
	struct ism_rsp_info info;
	unsigned int grants;
	struct fe a, b;
	struct fw w;

	world_open(&w, &a, &b, 4 * MIB);
	fe_alloc(&a, 4 * MIB, &d);
	fe_attach(&b, d.token, 0, &p);
	fake_xen_fail_set(w.fx, FAKE_XEN_OP_PAGES_END_GRANTS, 2, EIO, 0);
	tap_is_int(fe_detach(&b, &p), 0, "DETACH whose 2nd batch fails");
	fake_xen_fail_clear(w.fx);
	ism_backend_get_stats(w.be, &st);
	fe_info(&b, &info);
	tap_ok(st.quarantined == 512 && info.quarantined_pages == 512 &&
		       grants_agree(&w, &grants) && grants == 1027 + 512,
	       "end_fails_midway: that batch's 512 grants are kept, "
	       "quarantined and charged");
	tap_is_int(fw_reclaim(&w), 0, "reclaim ends them");
	ism_backend_get_stats(w.be, &st);
	fe_info(&b, &info);
	tap_ok(!st.quarantined && !info.quarantined_pages &&
		       grants_agree(&w, &grants) && grants == 1027,
	       "  nothing quarantined, only the owner's grants left");
	fe_free(&a, &d);
	tap_ok(grants_agree(&w, &grants) && !grants, "  and none after FREE");
	fw_close(&w);
}

/*
 * The reclaim pass runs on its timer (ism_backend_tick), as the daemon's
 * loop calls it after every batch: a guest that keeps detached pages
 * mapped costs the other guests' requests nothing.
 */
static void test_reclaim_timer(void)
{
	struct ism_region_desc d, p, d2, p2;
	struct ism_backend_stats st;
	struct fe_map m;
	struct calls c;
	struct fe a, b;
	struct fw w;
	unsigned int i, bad = 0;

	world_open(&w, &a, &b, 16 * ISM_PAGE_SIZE);
	fe_alloc(&a, 4 * ISM_PAGE_SIZE, &d);
	fe_attach(&b, d.token, 0, &p);
	fe_map(&b, &p, false, &m);
	fe_alloc(&a, ISM_PAGE_SIZE, &d2);
	fe_attach(&b, d2.token, 0, &p2);
	tap_is_int(ism_backend_tick(w.be, 5000), -1,
		   "nothing held: the tick says sleep until an event");
	/* B breaks the rule: detaches while it maps. */
	fe_detach(&b, &p);
	ism_backend_get_stats(w.be, &st);
	tap_ok(st.quarantined > 0, "B's mapped grants are quarantined (%u)",
	       st.quarantined);
	tap_is_int(ism_backend_tick(w.be, 5000), 1000,
		   "  the next pass is due in 1000 ms");
	fake_xen_calls_reset(w.fx);
	for (i = 0; i < 100; i++) {
		bad += fe_notify(&a, &d2) != 0;
		bad += ism_backend_tick(w.be, 5000 + i) != 1000 - (int)i;
	}
	calls_take(&w, &c);
	tap_ok(!bad && !c.end,
	       "100 NOTIFY of another region, a tick after each: "
	       "no pages_end_grants (%lu)",
	       c.end);
	tap_is_int(ism_backend_tick(w.be, 6000), 1000,
		   "after 1000 ms the pass runs, and again in 1000 ms");
	calls_take(&w, &c);
	tap_is_int(c.end, 1, "  one pages_end_grants for the quarantine");
	fe_unmap(&b, &m);
	tap_is_int(ism_backend_tick(w.be, 6999), 1, "unmapped: no pass early");
	tap_is_int(ism_backend_tick(w.be, 7000), -1,
		   "  the next ends the grants; nothing held");
	ism_backend_get_stats(w.be, &st);
	tap_is_int(st.quarantined, 0, "  the quarantine is empty");
	fw_close(&w);
}

int main(void)
{
	tap_plan(47);
	test_calls_1mib();
	test_dir_pool();
	test_chunks();
	test_grant_fails_midway();
	test_end_fails_midway();
	test_reclaim_timer();
	return tap_done();
}
