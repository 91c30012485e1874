/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-restart.c - a restart of the daemon loses nothing: the
 * state saved before every answer, the backend abandoned and its
 * platform crashed keeping the pages, a new backend restored from the
 * state on a platform that adopted them (ism_backend_restore()).  Also
 * what the restore does with a stale state, a broken one, a guest that
 * died meanwhile, and a failing save.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "frontend.h"

TAP_MAIN;

struct pair {
	struct fw w;
	struct fe a, b;
	struct ism_region_desc da, db;
	struct fe_map ma, mb;
};

/* a allocates 3 pages, b attaches; both map; the state is kept. */
static void pair_open(struct pair *p)
{
	struct fe fes[2];
	int rc;

	fw_open_guests(&p->w, NULL, fes, 2);
	p->a = fes[0];
	p->b = fes[1];
	rc = fw_keep(&p->w);
	rc = rc ?: fe_alloc(&p->a, 3 * ISM_PAGE_SIZE, &p->da);
	rc = rc ?: fe_attach(&p->b, p->da.token, 0, &p->db);
	rc = rc ?: fe_map(&p->a, &p->da, false, &p->ma);
	rc = rc ?: fe_map(&p->b, &p->db, false, &p->mb);
	if (rc) {
		tap_diag("setup failed: %d", rc);
		exit(1);
	}
}

static void pair_fill(struct pair *p, int seed)
{
	unsigned int i;

	for (i = 0; i < p->ma.n; i++)
		memset(p->ma.page[i], seed + (int)i, ISM_PAGE_SIZE);
}

static bool pair_check(struct pair *p, int seed)
{
	unsigned int i, k;

	for (i = 0; i < p->mb.n; i++) {
		for (k = 0; k < ISM_PAGE_SIZE; k++) {
			if (((unsigned char *)p->mb.page[i])[k] !=
			    (unsigned char)(seed + (int)i))
				return false;
		}
	}
	return p->mb.n == 3;
}

/* Unmap, detach, free; the backend must hold nothing afterwards. */
static bool pair_end(struct pair *p)
{
	struct ism_backend_stats st;

	fe_unmap(&p->a, &p->ma);
	fe_unmap(&p->b, &p->mb);
	if (fe_detach(&p->b, &p->db) || fe_free(&p->a, &p->da))
		return false;
	fw_reclaim(&p->w);
	ism_backend_get_stats(p->w.be, &st);
	return !st.regions && !st.released && !st.grants && !st.quarantined &&
	       !st.held;
}

static bool stats_same(const struct ism_backend_stats *x,
		       const struct ism_backend_stats *y)
{
	return x->devices == y->devices && x->connected == y->connected &&
	       x->regions == y->regions && x->released == y->released &&
	       x->grants == y->grants && x->quarantined == y->quarantined &&
	       x->domains == y->domains;
}

static void test_restart_keeps_everything(void)
{
	struct ism_backend_stats before, after;
	struct ism_backend_restored info;
	struct ism_rsp_info ia, ib;
	struct ism_region_desc q;
	struct ism_evt e;
	struct pair p;

	pair_open(&p);
	pair_fill(&p, 0x40);
	ism_backend_get_stats(p.w.be, &before);
	tap_ok(p.w.saves > 0 && p.w.state_len > 0,
	       "the state was saved as it changed (%u saves)", p.w.saves);
	tap_is_int(fw_restart(&p.w, p.w.state, p.w.state_len, &info), 0,
		   "the backend restarts from its state");
	tap_ok(info.devices == 2 && info.connected == 2 && info.regions == 1 &&
		       !info.stray_pages && !info.stray_grants &&
		       !info.lost_grants && !info.discarded,
	       "  2 devices connected again, 1 region, nothing stray or lost");
	ism_backend_get_stats(p.w.be, &after);
	tap_ok(stats_same(&before, &after),
	       "  the totals are those before (%u grants, %u regions)",
	       after.grants, after.regions);
	tap_ok(fe_be_state(&p.a) == ISM_XBS_CONNECTED &&
		       fe_be_state(&p.b) == ISM_XBS_CONNECTED,
	       "  both devices are still Connected");
	tap_ok(pair_check(&p, 0x40), "  b reads every byte a wrote");
	tap_ok(fe_query(&p.b, p.db.slot, p.db.token, &q) == 0 &&
		       q.token == p.da.token &&
		       q.flags & ISM_DESC_F_PEER_PRESENT,
	       "  QUERY still knows b's slot and its peer");
	tap_ok(fe_info(&p.a, &ia) == 0 && fe_info(&p.b, &ib) == 0 &&
		       ia.bytes_used == 3 * ISM_PAGE_SIZE &&
		       ib.bytes_used == 3 * ISM_PAGE_SIZE &&
		       ia.peers_used == 1 && ib.peers_used == 1,
	       "  quotas still count the region and the peer in both domains");
	pair_fill(&p, 0x50);
	fe_signalled(&p.b);
	p.b.evt->fe_armed = 1;
	tap_is_int(fe_notify(&p.a, &p.da), 0, "  a notifies");
	tap_ok(fe_sba_take(&p.b, p.db.slot) && fe_signalled(&p.b) == 1 &&
		       pair_check(&p, 0x50),
	       "  b sees the update bit, a signal and the new bytes");
	tap_is_int(fe_detach(&p.b, &p.db), 0, "  b detaches");
	tap_ok(fe_next_event(&p.a, ISM_EVT_PEER_DETACHED, &e) &&
		       e.slot == p.da.slot,
	       "  a hears PEER_DETACHED");
	tap_is_int(fe_attach(&p.b, p.da.token, 0, &p.db), 0,
		   "  b attaches again");
	fe_unmap(&p.b, &p.mb);
	fe_map(&p.b, &p.db, false, &p.mb);
	tap_ok(pair_end(&p), "  after the end the backend holds nothing");
	fw_stop(&p.w);
	tap_ok(fw_be_clean(&p.w), "  and neither does its domain");
	fw_close(&p.w);
}

static void test_restart_twice_and_requests_waiting(void)
{
	struct ism_backend_restored info;
	struct ism_req req = { .op = ISM_OP_ALLOC };
	struct ism_rsp rsp;
	struct pair p;
	int n;

	pair_open(&p);
	pair_fill(&p, 0x11);
	/* a's ALLOC waits in its ring while the backend is down. */
	req.u.alloc.size = ISM_PAGE_SIZE;
	fe_post(&p.a, &req);
	fe_publish(&p.a);
	tap_is_int(fw_restart(&p.w, p.w.state, p.w.state_len, &info), 0,
		   "restart with a request waiting in a's ring");
	n = fe_take(&p.a, &rsp);
	tap_ok(n == 1 && rsp.op == ISM_OP_ALLOC && !rsp.status &&
		       rsp.u.region.token,
	       "  the request was served after the restart");
	tap_is_int(fe_free(&p.a, &rsp.u.region), 0, "  and its region frees");
	tap_is_int(fw_restart(&p.w, p.w.state, p.w.state_len, &info), 0,
		   "a second restart");
	tap_ok(info.connected == 2 && info.regions == 1 && pair_check(&p, 0x11),
	       "  still 2 devices, 1 region, every byte");
	tap_ok(pair_end(&p), "  after the end the backend holds nothing");
	fw_stop(&p.w);
	tap_ok(fw_be_clean(&p.w), "  and neither does its domain");
	fw_close(&p.w);
}

/*
 * The daemon died after saving, before publishing: the guest never saw
 * the answer.  The restored backend publishes it: the ALLOC is not
 * carried out twice.
 */
static void test_saved_not_published(void)
{
	struct ism_backend_stats st;
	struct ism_region_desc d;
	struct pair p;
	uint32_t prod, cons;
	struct ism_rsp rsp;

	pair_open(&p);
	prod = p.a.ring->hdr.rsp_prod;
	cons = p.a.rsp_cons;
	tap_is_int(fe_alloc(&p.a, ISM_PAGE_SIZE, &d), 0, "a allocates");
	/* As if the daemon had died between its save and the publish. */
	p.a.ring->hdr.rsp_prod = prod;
	p.a.rsp_cons = cons;
	tap_is_int(fw_restart(&p.w, p.w.state, p.w.state_len, NULL), 0,
		   "restart from the state saved before the answer");
	tap_ok(fe_take(&p.a, &rsp) == 1 && !rsp.status &&
		       rsp.u.region.token == d.token &&
		       rsp.u.region.slot == d.slot,
	       "  a gets the answer it missed, the same region");
	ism_backend_get_stats(p.w.be, &st);
	tap_is_int(st.regions, 2, "  2 regions, not 3: nothing ran twice");
	tap_is_int(fe_free(&p.a, &d), 0, "  the region frees");
	tap_ok(pair_end(&p), "  after the end the backend holds nothing");
	fw_stop(&p.w);
	tap_ok(fw_be_clean(&p.w), "  and neither does its domain");
	fw_close(&p.w);
}

/*
 * A state older than what the platform holds (the daemon died after a
 * change and before its save, which the core never lets a guest see, but
 * a restore must survive): what it does not name is a stray, released as
 * soon as no guest maps it; grants it names that ended are not ended
 * again, even once their references are reused.
 */
static void test_stale_state(void)
{
	struct ism_backend_restored info;
	struct ism_backend_stats st;
	struct ism_region_desc d, n;
	struct fe_map m;
	void *old;
	size_t len;
	struct pair p;

	pair_open(&p);
	old = malloc(p.w.state_len);
	memcpy(old, p.w.state, p.w.state_len);
	len = p.w.state_len;
	/* After the old state: a second region of a, mapped by a. */
	fe_alloc(&p.a, 2 * ISM_PAGE_SIZE, &d);
	fe_map(&p.a, &d, false, &m);
	tap_is_int(fw_restart(&p.w, old, len, &info), 0,
		   "restart from a state older than the pages");
	tap_ok(info.stray_pages == 3 && info.stray_grants == 4 &&
		       !info.lost_grants && !info.discarded,
	       "  the new region's 3 pages and 4 grants are strays (%u, %u)",
	       info.stray_pages, info.stray_grants);
	ism_backend_get_stats(p.w.be, &st);
	tap_ok(st.quarantined == 4 && st.held >= 1,
	       "  held back while a maps them (quarantined %u)",
	       st.quarantined);
	fe_unmap(&p.a, &m);
	fw_reclaim(&p.w);
	ism_backend_get_stats(p.w.be, &st);
	tap_ok(!st.quarantined && !st.held && st.regions == 1,
	       "  released once a unmaps them");
	free(old);

	/* Now the other way: the state names b's grants, b detached since. */
	old = malloc(p.w.state_len);
	memcpy(old, p.w.state, p.w.state_len);
	len = p.w.state_len;
	fe_unmap(&p.b, &p.mb);
	fe_detach(&p.b, &p.db);
	/* b's grant references are free; a new region of b takes some. */
	fe_alloc(&p.b, 3 * ISM_PAGE_SIZE, &n);
	tap_is_int(fw_restart(&p.w, old, len, &info), 0,
		   "restart from a state that names ended grants");
	/*
	 * The new directory took b's old directory page and reference, for
	 * the same domain: the old ref holds it as its own, once.
	 */
	tap_ok(info.lost_grants == 4 && info.stray_grants == 4 &&
		       info.stray_pages == 4,
	       "  b's 4 other old grants are lost; its new region's 4 pages "
	       "and their grants are strays (%u, %u, %u)",
	       info.lost_grants, info.stray_grants, info.stray_pages);
	fw_reclaim(&p.w);
	ism_backend_get_stats(p.w.be, &st);
	tap_ok(st.grants == 6 && !st.quarantined && !st.held,
	       "  a's 5 grants and that one stay: the strays ended (%u)",
	       st.grants);
	free(old);
	fe_unmap(&p.a, &p.ma);
	fe_free(&p.a, &p.da);
	fe_detach(&p.b, &p.db);
	fw_reclaim(&p.w);
	ism_backend_get_stats(p.w.be, &st);
	tap_ok(!st.grants && !st.held, "  a's region frees: nothing left");
	fw_stop(&p.w);
	tap_ok(fw_be_clean(&p.w), "  and the domain holds nothing");
	fw_close(&p.w);
}

static void test_broken_state(void)
{
	static const char junk[] = "not a state at all";
	struct ism_backend_restored info;
	struct ism_backend_stats st;
	struct pair p;
	char *cut;

	pair_open(&p);
	cut = malloc(p.w.state_len);
	memcpy(cut, p.w.state, p.w.state_len);
	tap_is_int(fw_restart(&p.w, cut, p.w.state_len - 4, &info), 0,
		   "a truncated state: the backend starts");
	tap_ok(info.discarded && !info.devices && info.stray_pages == 20 &&
		       info.stray_grants == 10,
	       "  the state is discarded; the region, the directory pool and "
	       "every grant are strays (%u pages, %u grants)",
	       info.stray_pages, info.stray_grants);
	tap_ok(fe_be_state(&p.a) == ISM_XBS_CLOSED &&
		       fe_be_state(&p.b) == ISM_XBS_CLOSED,
	       "  the devices it no longer knows are closed");
	ism_backend_get_stats(p.w.be, &st);
	tap_ok(st.quarantined == 10, "  the grants a and b map are held back");
	fe_unmap(&p.a, &p.ma);
	fe_unmap(&p.b, &p.mb);
	fw_reclaim(&p.w);
	ism_backend_get_stats(p.w.be, &st);
	tap_ok(!st.grants && !st.held, "  and released once unmapped");
	tap_is_int(fw_restart(&p.w, junk, sizeof(junk), &info), 0,
		   "junk: the backend starts");
	tap_ok(info.discarded, "  and discards it");
	free(cut);
	fw_stop(&p.w);
	tap_ok(fw_be_clean(&p.w), "  nothing is left");
	fw_close(&p.w);
}

static void test_guest_died_meanwhile(void)
{
	struct ism_backend_restored info;
	struct ism_backend_stats st;
	struct ism_evt e;
	struct pair p;

	pair_open(&p);
	fw_crash(&p.w);
	fake_xen_domain_kill(p.w.fx, p.b.domid);
	fw_adopt(&p.w);
	tap_is_int(ism_backend_restore(&fake_xen_ops, p.w.p, &p.w.lim,
				       p.w.state, p.w.state_len, &p.w.be,
				       &info),
		   0, "restore after b died meanwhile");
	fw_pump(&p.w);
	tap_ok(info.devices == 2 && info.connected == 1,
	       "  a is connected again, b cannot be");
	tap_ok(fe_next_event(&p.a, ISM_EVT_PEER_GONE, &e) &&
		       e.slot == p.da.slot,
	       "  a hears PEER_GONE");
	fe_unmap(&p.b, &p.mb); /* b's test side only: b is gone */
	fe_unmap(&p.a, &p.ma);
	fe_free(&p.a, &p.da);
	fw_reclaim(&p.w);
	ism_backend_get_stats(p.w.be, &st);
	tap_ok(st.devices == 1 && !st.grants && !st.held,
	       "  b's device is gone and nothing is held");
	fw_stop(&p.w);
	tap_ok(fw_be_clean(&p.w), "  nothing is left");
	fw_close(&p.w);
}

static void test_save_fails(void)
{
	struct ism_region_desc d;
	struct ism_rsp_info info;
	unsigned int saves;
	struct pair p;

	pair_open(&p);
	saves = p.w.saves;
	fe_info(&p.a, &info);
	fe_notify(&p.a, &p.da);
	fe_query(&p.b, p.db.slot, p.db.token, &d);
	tap_is_int(p.w.saves, saves, "INFO, NOTIFY and QUERY save nothing");
	p.w.save_rc = -EIO;
	tap_is_int(fe_alloc(&p.a, ISM_PAGE_SIZE, &d), 0,
		   "a failing save does not fail the request");
	tap_is_int(p.w.saves, saves, "  nothing was saved");
	p.w.save_rc = 0;
	fe_info(&p.a, &info);
	tap_ok(p.w.saves > saves, "  the next batch saves again");
	fe_free(&p.a, &d);
	tap_ok(pair_end(&p), "  the end holds nothing");
	fw_close(&p.w);
}

static void test_restore_faults(void)
{
	struct ism_backend_restored info;
	struct pair p;
	int rc;

	pair_open(&p);
	pair_fill(&p, 0);
	fw_crash(&p.w);
	fw_adopt(&p.w);
	fake_xen_fail_set(p.w.fx, FAKE_XEN_OP_PAGES_LIST, 1, ENOMEM, 0);
	rc = ism_backend_restore(&fake_xen_ops, p.w.p, &p.w.lim, p.w.state,
				 p.w.state_len, &p.w.be, &info);
	tap_is_int(rc, -ENOMEM, "pages_list fails: so does the restore");
	fake_xen_fail_clear(p.w.fx);
	fake_xen_fail_set(p.w.fx, FAKE_XEN_OP_PAGES_ADOPT, 2, ENOMEM, 0);
	rc = ism_backend_restore(&fake_xen_ops, p.w.p, &p.w.lim, p.w.state,
				 p.w.state_len, &p.w.be, &info);
	tap_is_int(rc, -ENOMEM, "the second pages_adopt fails: so does it");
	fake_xen_fail_clear(p.w.fx);
	tap_is_int(fw_restart(&p.w, p.w.state, p.w.state_len, &info), 0,
		   "another crash and restore then works");
	tap_ok(info.connected == 2 && info.regions == 1 && pair_check(&p, 0),
	       "  with everything");
	tap_ok(pair_end(&p), "  the end holds nothing");
	fw_stop(&p.w);
	tap_ok(fw_be_clean(&p.w), "  nothing is left");
	fw_close(&p.w);
}

int main(void)
{
	tap_plan(62);
	test_restart_keeps_everything();
	test_restart_twice_and_requests_waiting();
	test_saved_not_published();
	test_stale_state();
	test_broken_state();
	test_guest_died_meanwhile();
	test_save_fails();
	test_restore_faults();
	return tap_done();
}
