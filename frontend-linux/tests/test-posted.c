/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-posted.c - ism_region_detach() and ism_region_free() post their
 * request and do not wait: two guests on the backend core (backend/) on
 * the fake Xen, each device with a single slot, so that a new region
 * lands in the slot a posted request just gave back.  What a posted
 * request costs, who reaps its response, an error in it, a late event for
 * the region that was in the slot, and ism_dev_close() right after a FREE.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "fake-xen.h"
#include "ism-backend.h"
#include "fe-host.h"
#include "platform-fake.h"
#include "../lib/private.h"

TAP_MAIN;

#define PERM (ISM_PERM_READ | ISM_PERM_WRITE | ISM_PERM_ATTACH)

static struct fe_host host;
static ism_dev *a, *b;

static int hook(void *ctx)
{
	(void)ctx;
	return fe_host_run_backend(&host);
}

static uint64_t be_requests(void)
{
	struct ism_backend_stats st;

	return ism_backend_get_stats(host.be, &st) ? 0 : st.requests;
}

static unsigned long calls(ism_dev *dev, enum ism_fake_op op)
{
	return ism_fake_platform_calls(dev->p, op);
}

/* A allocates a page with @perm, B attaches it; 0 or -errno. */
static int share(uint32_t perm, ism_region **ra, ism_region **rb)
{
	struct ism_region_info info;
	int rc;

	rc = ism_region_alloc(a, 4096, perm, ra);
	if (!rc)
		rc = ism_region_info(*ra, &info);
	if (!rc)
		rc = ism_region_attach(b, info.token, 0, rb);
	return rc;
}

/* Read @dev's events; how many were of @type. */
static unsigned int drain_events(ism_dev *dev, unsigned int type)
{
	struct ism_event ev;
	unsigned int n = 0;

	while (!ism_event_read(dev, &ev))
		if (ev.type == type)
			n++;
	return n;
}

/*
 * DETACH and FREE post one request and wait for nothing; the FREE's slot
 * serves the very next ALLOC, and a late event for the old region is
 * ignored.
 */
static void test_posted(void)
{
	struct ism_region_info info;
	ism_region *ra, *rb, *ra2;
	uint64_t req, old_token;
	uint32_t old_slot, pending;

	if (share(PERM, &ra, &rb)) {
		tap_skip(15, "cannot share a region");
		return;
	}
	drain_events(a, 0);
	drain_events(b, 0);
	old_token = ra->d.token;
	old_slot = ra->d.slot;

	ism_fake_platform_calls_reset(b->p);
	tap_is_int(ism_region_detach(rb), 0, "B's DETACH returns 0");
	tap_ok(calls(b, ISM_FAKE_OP_WAIT) == 0 &&
		       calls(b, ISM_FAKE_OP_EVTCHN_NOTIFY) <= 1,
	       "  without a wait, at most one signal");
	tap_ok(b->rpc.nr == 1 && b->rpc.nr_posted == 1,
	       "  one request outstanding, posted");
	/* It queues PEER_DETACHED for A's slot, which A does not read yet. */
	fe_host_run_backend(&host);
	req = be_requests();

	ism_fake_platform_calls_reset(a->p);
	tap_is_int(ism_region_free(ra), 0, "A's FREE returns 0");
	tap_ok(calls(a, ISM_FAKE_OP_WAIT) == 0 &&
		       calls(a, ISM_FAKE_OP_EVTCHN_NOTIFY) <= 1,
	       "  without a wait, at most one signal");
	tap_ok(a->rpc.nr == 1 && a->rpc.nr_posted == 1 && !a->slots[old_slot],
	       "  one request outstanding, posted; the local slot is free");
	tap_is_int(be_requests(), req, "  the backend did not run meanwhile");

	pending = a->evq.page->evt_prod - a->evq.cons;
	/* At once: the ALLOC comes after the FREE (one slot only). */
	tap_is_int(ism_region_alloc(a, 4096, PERM, &ra2), 0,
		   "A's ALLOC right after the FREE");
	if (!ra2) {
		tap_skip(7, "no region");
		return;
	}
	tap_ok(ra2->d.slot == old_slot && ra2->d.token != old_token &&
		       a->slots[old_slot] == ra2,
	       "  it gets the slot back, with a new token");
	tap_is_int(be_requests(), req + 2, "  FREE and ALLOC were served");
	tap_ok(a->rpc.nr == 0 && a->rpc.nr_posted == 0 &&
		       a->rpc.posted_errors == 0 && a->rpc.stray == 0,
	       "  and the FREE's response was reaped silently");
	/* B's DETACH queued PEER_DETACHED for the old token in the slot. */
	tap_ok(pending == 1 && !drain_events(a, ISM_EVT_PEER_DETACHED),
	       "  the old region's PEER_DETACHED is not the new one's");
	tap_ok(!ism_region_info(ra2, &info) && !info.peer_present &&
		       !info.released,
	       "  the new region is untouched");
	drain_events(b, 0);
	tap_ok(b->rpc.nr == 0 && b->rpc.posted_errors == 0,
	       "B's event processing reaped its DETACH's response");
	tap_is_int(ism_region_free(ra2), 0, "A frees the new region");
}

/*
 * An error in a posted FREE: B (with MANAGE) frees a region A freed
 * already; it learns nothing, its next request works, and the slot the
 * backend kept RELEASED is detached for it.
 */
static void test_error(void)
{
	struct ism_dev_info info;
	ism_region *ra, *rb;

	if (share(PERM | ISM_PERM_MANAGE, &ra, &rb)) {
		tap_skip(7, "cannot share a region");
		return;
	}
	tap_ok(rb->d.perm & ISM_PERM_MANAGE, "B may manage");
	tap_is_int(ism_region_free(ra), 0, "A frees");
	fe_host_run_backend(&host);
	tap_is_int(ism_region_free(rb), 0,
		   "B frees too, before it heard: 0 (not awaited)");
	tap_is_int(ism_dev_info(b, &info), 0, "B's next request works");
	tap_ok(b->rpc.posted_errors == 1 && b->rpc.posted_last_error == -EIDRM,
	       "  the FREE's -EIDRM was counted");
	tap_ok(!ism_dev_info(b, &info) && info.slots_used == 0 &&
		       b->rpc.nr_posted == 0,
	       "  and the released slot was detached for B");
	tap_is_int(drain_events(b, ISM_EVT_REGION_RELEASED), 0,
		   "  no event for the region B let go of");
	drain_events(a, 0);
}

/* A closes right after a posted FREE: B sees the region freed. */
static void test_close(void)
{
	const uint16_t doms[] = { FE_HOST_DOM_A, FE_HOST_DOM_B };
	struct fake_xen_usage u;
	ism_region *ra, *rb;
	unsigned int i;

	if (share(PERM, &ra, &rb)) {
		tap_skip(5, "cannot share a region");
		return;
	}
	drain_events(b, 0);
	tap_is_int(ism_region_free(ra), 0, "A frees");
	ism_dev_close(a);
	a = NULL;
	fe_host_run_backend(&host);
	tap_is_int(drain_events(b, ISM_EVT_REGION_RELEASED), 1,
		   "A closed at once: B still sees REGION_RELEASED");
	tap_ok(rb->d.state == ISM_RSTATE_RELEASED, "  B's region is released");
	ism_region_detach(rb);
	ism_dev_close(b);
	b = NULL;
	fe_host_run_backend(&host);
	for (i = 0; i < 2; i++)
		tap_ok(!fake_xen_usage(host.fx, doms[i], &u) &&
			       fake_xen_usage_is_clean(&u),
		       "closed: guest %u holds nothing", doms[i]);
}

int main(void)
{
	struct ism_backend_limits lim;

	tap_plan(27);
	ism_backend_limits_default(&lim);
	lim.gid = 0x1badcafe;
	lim.max_regions = 1;
	lim.fast_path = false;
	if (fe_host_start(&host, &lim, hook, &a, &b)) {
		tap_diag("cannot start the backend and connect the guests");
		goto out;
	}
	test_posted();
	test_error();
	test_close();
out:
	fe_host_stop(&host, a, b);
	return tap_done();
}
