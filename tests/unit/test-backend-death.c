/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-death.c - a domain dies: @releaseDomain makes the backend
 * release everything the domain held and tell its peers (PEER_GONE), in
 * one pass, whether it owned the region or attached it, mapped it or not,
 * and remove the dead domain's device directories.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "frontend.h"

TAP_MAIN;

#define A 5
#define B 7
#define C 9

#define B_BE_DIR "backend/" ISM_DEVICE_TYPE "/7"

/* Whether the backend domain sees @path in xenstore. */
static bool node_exists(struct fw *w, const char *path)
{
	char *val = NULL;
	int rc = fake_xen_xs_read(w->fx, FW_BE, path, &val);

	free(val);
	return rc != -ENOENT;
}

static void test_peer_dies(void)
{
	struct ism_region_desc d, p, q, x;
	struct ism_backend_stats st;
	struct fe_map m;
	struct ism_evt e;
	struct fw_trio t;

	fw_trio_open(&t, FW_BE, A, B, C);
	fe_alloc(&t.a, 4 * ISM_PAGE_SIZE, &d);
	fe_attach(&t.b, d.token, 0, &p);
	fe_alloc(&t.b, 2 * ISM_PAGE_SIZE, &q);
	fe_attach(&t.c, q.token, 0, &x);
	fe_map(&t.b, &p, false, &m);
	free(m.page); /* the mappings die with B */
	tap_is_int(fw_kill(&t.w, B), 0, "B dies while mapping A's region");
	tap_ok(fe_next_event(&t.a, ISM_EVT_PEER_GONE, &e) && e.slot == d.slot &&
		       e.peer_devid == 2 && e.peer_domid == B,
	       "domain_death_tells_peers: the owner gets PEER_GONE");
	tap_ok(fe_next_event(&t.c, ISM_EVT_PEER_GONE, &e) && e.slot == x.slot,
	       "  and so does the peer of B's own region");
	ism_backend_get_stats(t.w.be, &st);
	tap_ok(st.devices == 2 && st.connected == 2,
	       "  B's device is gone, A and C stay connected");
	tap_ok(!node_exists(&t.w, t.b.be_path) &&
		       !node_exists(&t.w, t.b.fe_path) &&
		       !node_exists(&t.w, B_BE_DIR) &&
		       node_exists(&t.w, t.a.be_path),
	       "  B's backend and frontend directories are removed, A's stay");
	tap_is_int(fe_attach(&t.c, d.token, 0, &x), -ISM_EBUSY,
		   "  A's region gains no new peer");
	fe_detach(&t.a, &d);
	fe_query(&t.c, x.slot, 0, &x);
	fe_detach(&t.c, &x);
	tap_ok(fw_trio_at_base(&t),
	       "domain_death_releases_everything: grants, pages, mappings "
	       "and ports of B all released");
	ism_backend_get_stats(t.w.be, &st);
	tap_ok(!st.regions && !st.released && !st.quarantined && !st.held &&
		       !st.grants,
	       "  no region, quarantine or held page left");
	fw_close(&t.w);
}

static void test_owner_dies(void)
{
	struct ism_region_desc d, p;
	struct ism_rsp_info info;
	struct ism_evt e;
	struct fw_trio t;

	fw_trio_open(&t, FW_BE, A, B, C);
	fe_alloc(&t.b, ISM_PAGE_SIZE, &d);
	fe_attach(&t.a, d.token, 0, &p);
	fw_kill(&t.w, B);
	tap_ok(fe_next_event(&t.a, ISM_EVT_PEER_GONE, &e),
	       "owner dies: the peer gets PEER_GONE");
	tap_is_int(fe_query(&t.a, p.slot, p.token, &p), 0,
		   "  the peer keeps its slot");
	tap_is_int(fe_notify(&t.a, &p), -ISM_ENOTCONN,
		   "  NOTIFY has nobody to tell");
	fe_detach(&t.a, &p);
	fe_info(&t.a, &info);
	tap_ok(fw_trio_at_base(&t) && !info.bytes_used && !info.peers_used,
	       "  after its DETACH all is released and uncharged");
	fw_close(&t.w);
}

static void test_quarantine_dies(void)
{
	struct ism_region_desc d, p;
	struct ism_backend_stats st;
	struct fe_map m;
	struct fw_trio t;

	fw_trio_open(&t, FW_BE, A, B, C);
	fe_alloc(&t.a, 2 * ISM_PAGE_SIZE, &d);
	fe_attach(&t.b, d.token, 0, &p);
	fe_map(&t.b, &p, false, &m);
	free(m.page);
	fe_detach(&t.b, &p);
	fe_detach(&t.a, &d);
	ism_backend_get_stats(t.w.be, &st);
	tap_ok(st.quarantined > 0, "a peer detached while mapping: %u held",
	       st.quarantined);
	fw_kill(&t.w, B);
	ism_backend_get_stats(t.w.be, &st);
	tap_ok(!st.quarantined && !st.held && fw_trio_at_base(&t),
	       "its death frees the quarantine without a reclaim call");
	fw_close(&t.w);
}

static void test_gone_call(void)
{
	struct ism_region_desc d, p;
	struct ism_evt e;
	struct fw_trio t;

	fw_trio_open(&t, FW_BE, A, B, C);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d);
	fe_attach(&t.b, d.token, 0, &p);
	tap_is_int(ism_backend_domain_gone(t.w.be, B), 0,
		   "ism_backend_domain_gone() by hand");
	fw_pump(&t.w);
	tap_ok(fe_next_event(&t.a, ISM_EVT_PEER_GONE, &e),
	       "  the owner gets PEER_GONE");
	fe_detach(&t.a, &d);
	tap_ok(fw_trio_at_base(&t), "  everything of B released");
	fw_close(&t.w);
}

int main(void)
{
	tap_plan(17);
	test_peer_dies();
	test_owner_dies();
	test_quarantine_dies();
	test_gone_call();
	return tap_done();
}
