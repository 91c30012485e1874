/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fast-path.c - two guests share regions through the backend core
 * (backend/) on the fake Xen: what an update costs the notifier and the
 * waiter on the fast path and relayed through the backend, in platform
 * calls, and ism_dev_set_fast_path() turning the fast path off and on for
 * the regions shared from then on, an offer (and an update) that comes
 * before the peer took its ATTACH response, and Xen refusing the fast
 * path (XSM SILO).
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "backend-stat.h"
#include "fake-xen.h"
#include "ism-backend.h"
#include "fe-host.h"
#include "platform-fake.h"
#include "../lib/private.h"

TAP_MAIN;

#define PERM (ISM_PERM_READ | ISM_PERM_WRITE | ISM_PERM_ATTACH)

static struct fe_host host;
static ism_dev *a, *b;

/* The other side's notify, done from the waiter's next wait, and its rc. */
static ism_region *notify_next;
static int notify_rc;
/*
 * A's region, whose owner acts at B's next wait right after the backend
 * ran: takes PEER_ATTACHED (so offers the fast path) and notifies.
 */
static ism_region *owner_next;

/* Both guests' wait hook: the other guest acts while this one sleeps. */
static int hook(void *ctx)
{
	ism_region *r = notify_next;
	struct ism_event ev;

	(void)ctx;
	if (owner_next) {
		r = owner_next;
		owner_next = NULL;
		fe_host_run_backend(&host);
		while (!ism_event_read(a, &ev))
			;
		ism_region_notify(r, ISM_NOTIFY_FORCE);
		return 1;
	}
	if (!r)
		return fe_host_run_backend(&host);
	notify_next = NULL;
	notify_rc = ism_region_notify(r, 0);
	fe_host_run_backend(&host);
	return 1;
}

/* Both take their events, answering fast-path offers, until all is done. */
static void settle(void)
{
	struct ism_event ev;
	int i;

	for (i = 0; i < 8; i++) {
		fe_host_run_backend(&host);
		while (!ism_event_read(a, &ev))
			;
		while (!ism_event_read(b, &ev))
			;
	}
}

/* A allocates a page, B attaches it, both map the doorbell; 0 or -errno. */
static int share(ism_region **ra, ism_region **rb)
{
	struct ism_region_info info;
	int rc;

	rc = ism_region_alloc(a, 4096, PERM, ra);
	if (!rc)
		rc = ism_region_info(*ra, &info);
	if (!rc)
		rc = ism_region_attach(b, info.token, 0, rb);
	if (rc)
		return rc;
	settle();
	/* The first notify maps the doorbell; the bare events go. */
	ism_region_notify(*ra, ISM_NOTIFY_FORCE);
	ism_region_notify(*rb, ISM_NOTIFY_FORCE);
	ism_region_want(*ra);
	ism_region_want(*rb);
	settle();
	return 0;
}

static int fast_path(ism_region *r)
{
	struct ism_region_info info;

	return ism_region_info(r, &info) ? -1 : info.fast_path;
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

/*
 * @to waits with no timeout, @from_r's side notifies meanwhile: the waiter
 * must see REGION_UPDATED for @to_r after one wait and one pending port.
 */
static void round_trip_half(ism_dev *to, ism_region *to_r, ism_dev *from,
			    ism_region *from_r, const char *what)
{
	struct ism_event ev;

	ism_region_want(to_r);
	ism_fake_platform_calls_reset(to->p);
	ism_fake_platform_calls_reset(from->p);
	notify_next = from_r;
	tap_ok(!ism_event_wait(to, -1, &ev) &&
		       ev.type == ISM_EVT_REGION_UPDATED && ev.region == to_r &&
		       !notify_rc,
	       "%s: the waiter is woken by the update", what);
	tap_ok(calls(to, ISM_FAKE_OP_WAIT) == 1 &&
		       calls(to, ISM_FAKE_OP_EVTCHN_PENDING) == 1 &&
		       calls(to, ISM_FAKE_OP_ANY) == 2,
	       "  the wake-up cost one wait and one pending port, nothing "
	       "else (%lu calls)",
	       calls(to, ISM_FAKE_OP_ANY));
}

/* A round trip on the fast path: each notify is one notify call. */
static void round_trip(ism_region *ra, ism_region *rb)
{
	round_trip_half(b, rb, a, ra, "A to B");
	tap_ok(calls(a, ISM_FAKE_OP_EVTCHN_NOTIFY) == 1 &&
		       calls(a, ISM_FAKE_OP_ANY) == 1,
	       "  A's notify cost one event channel notify (%lu calls)",
	       calls(a, ISM_FAKE_OP_ANY));
	round_trip_half(a, ra, b, rb, "B to A");
	tap_ok(calls(b, ISM_FAKE_OP_EVTCHN_NOTIFY) == 1 &&
		       calls(b, ISM_FAKE_OP_ANY) == 1,
	       "  B's notify cost one event channel notify (%lu calls)",
	       calls(b, ISM_FAKE_OP_ANY));
}

static void test_fast_path(ism_region *ra, ism_region *rb)
{
	struct ism_event ev;
	uint64_t t0;

	tap_ok(fast_path(ra) == 1 && fast_path(rb) == 1,
	       "the fast path is up on both sides");
	round_trip(ra, rb);
	round_trip(ra, rb);

	/* Signalled before the wait: found without a new event. */
	ism_region_want(rb);
	tap_is_int(ism_region_notify(ra, 0), 0, "A notifies B, who wants it");
	ism_fake_platform_calls_reset(b->p);
	tap_ok(!ism_event_wait(b, 0, &ev) &&
		       ev.type == ISM_EVT_REGION_UPDATED && ev.region == rb,
	       "then B's wait with timeout 0 finds the pending port");
	tap_ok(calls(b, ISM_FAKE_OP_WAIT) == 1 &&
		       calls(b, ISM_FAKE_OP_EVTCHN_PENDING) == 1,
	       "  with one wait and one pending port");
	ism_region_want(ra);
	tap_is_int(ism_region_notify(rb, 0), 0, "B notifies A, who wants it");
	t0 = ism_fake_platform_now(a->p);
	tap_ok(!ism_event_wait(a, 1000, &ev) &&
		       ev.type == ISM_EVT_REGION_UPDATED && ev.region == ra,
	       "then A's wait finds the pending port");
	tap_ok(ism_fake_platform_now(a->p) - t0 <= 1,
	       "  without waiting for a new event");
	ism_region_notify(ra, ISM_NOTIFY_FORCE);
	tap_ok(!ism_event_wait(b, 1000, &ev) && ev.region == rb &&
		       ism_event_wait(b, 500, &ev) == -ETIMEDOUT,
	       "a forced notify is one update, then nothing");
}

static void test_knob(ism_region *ra)
{
	ism_region *ra2 = NULL, *rb2 = NULL, *ra3 = NULL, *rb3 = NULL;
	ism_region *ra4 = NULL, *rb4 = NULL;
	struct ism_event ev;
	uint64_t req;

	tap_is_int(ism_dev_set_fast_path(NULL, 0), -EINVAL, "NULL: -EINVAL");
	tap_is_int(ism_dev_set_fast_path(a, 0), 0, "A turns the fast path off");
	tap_is_int(fast_path(ra), 1, "  its region shared before keeps it");
	tap_is_int(share(&ra2, &rb2), 0, "  A shares a new region with B");
	tap_ok(fast_path(ra2) == 0 && fast_path(rb2) == 0 && ra2 &&
		       !ra2->fp_tried,
	       "  which A did not offer the fast path for");
	if (ra2 && rb2) {
		req = be_requests();
		round_trip_half(b, rb2, a, ra2, "relayed, A to B");
		tap_is_int(be_requests() - req, 1,
			   "  the update was one NOTIFY request");
		tap_ok(calls(a, ISM_FAKE_OP_EVTCHN_NOTIFY) == 1 &&
			       calls(a, ISM_FAKE_OP_WAIT) == 1 &&
			       calls(a, ISM_FAKE_OP_EVTCHN_PENDING) == 1 &&
			       calls(a, ISM_FAKE_OP_ANY) -
					       calls(a, ISM_FAKE_OP_NOW_MS) ==
				       3,
		       "  A's request cost a notify, a wait and the port of "
		       "its response");
	} else {
		tap_skip(4, "no region");
	}

	tap_is_int(ism_dev_set_fast_path(a, 1), 0, "A turns it on again");
	tap_is_int(ism_dev_set_fast_path(b, 0), 0, "B turns it off");
	tap_is_int(share(&ra3, &rb3), 0, "  A shares a new region with B");
	tap_ok(ra3 && ra3->fp_tried && !ra3->fp_port && fast_path(ra3) == 0 &&
		       fast_path(rb3) == 0,
	       "  A offered the fast path, B declined, A closed its port");
	if (ra3 && rb3) {
		req = be_requests();
		tap_ok(!ism_region_notify(ra3, ISM_NOTIFY_FORCE) &&
			       be_requests() - req == 1 &&
			       !ism_event_wait(b, 1000, &ev) &&
			       ev.region == rb3,
		       "  an update is a NOTIFY request, and B sees it");
	} else {
		tap_skip(1, "no region");
	}

	tap_is_int(ism_dev_set_fast_path(b, 7), 0, "B turns it on again");
	tap_is_int(share(&ra4, &rb4), 0, "  A shares a new region with B");
	tap_ok(fast_path(ra4) == 1 && fast_path(rb4) == 1,
	       "  which gets the fast path");
	if (ra4 && rb4) {
		req = be_requests();
		tap_ok(!ism_region_notify(ra4, ISM_NOTIFY_FORCE) &&
			       be_requests() == req &&
			       !ism_event_wait(b, 1000, &ev) &&
			       ev.region == rb4,
		       "  an update is no request, and B sees it");
	} else {
		tap_skip(1, "no region");
	}
	tap_ok(fast_path(ra2) == 0 && fast_path(ra3) == 0,
	       "the regions shared while it was off keep going without");
}

/*
 * A fast owner: B's ATTACH response and the events for the slot it
 * creates are all there when B first looks.  The backend answers B's
 * ATTACH and tells A; A, before B's next look, offers the fast path (the
 * backend queues FASTPATH_OFFER for B) and notifies (B's slot bit).  B's
 * library must keep both for after ism_region_attach(): they name a slot
 * it does not know before the response is taken.
 */
static void test_offer_before_attach_rsp(void)
{
	struct ism_region_info info;
	ism_region *ra = NULL, *rb = NULL;
	struct ism_event ev;
	uint64_t req;
	int rc;

	rc = ism_region_alloc(a, 4096, PERM, &ra);
	if (!rc)
		rc = ism_region_info(ra, &info);
	if (rc) {
		tap_skip(6, "no region");
		return;
	}
	ism_region_want(ra);
	owner_next = ra;
	tap_is_int(ism_region_attach(b, info.token, 0, &rb), 0,
		   "B attaches while A offers the fast path and notifies");
	owner_next = NULL;
	tap_ok(ra->fp == ISM_FP_OFFERED && rb && rb->fp == ISM_FP_NONE,
	       "  A offered before B took its response");
	if (!rb) {
		tap_skip(4, "B did not attach");
		return;
	}
	req = be_requests();
	rc = ism_event_read(b, &ev);
	tap_ok(!rc && ev.type == ISM_EVT_REGION_UPDATED && ev.region == rb,
	       "B's first read after the attach reports A's update (%d)", rc);
	tap_ok(rb->fp == ISM_FP_UP && be_requests() - req == 1,
	       "  and B accepted the offer (one request, the ACCEPT)");
	settle();
	tap_ok(fast_path(ra) == 1 && fast_path(rb) == 1,
	       "once READY, the fast path is up on both sides");
	ism_region_want(rb);
	tap_ok(!ism_region_notify(ra, 0) && !ism_event_wait(b, 1000, &ev) &&
		       ev.type == ISM_EVT_REGION_UPDATED && ev.region == rb,
	       "  and carries A's next update to B");
}

/*
 * Under XSM SILO Xen refuses A's channel to B (-EPERM): A tells the
 * backend, which counts it; the region's updates are relayed, none lost.
 */
static void test_silo(void)
{
	ism_region *ra = NULL, *rb = NULL;
	struct ism_device_stat st = { 0 }, st0;
	struct ism_event ev;
	int i, got = 0;

	if (!test_backend_dev_stat(host.be, FE_HOST_DEV_A, &st0)) {
		tap_skip(5, "no stats of A's device");
		return;
	}
	fake_xen_set_silo(host.fx, true);
	tap_is_int(share(&ra, &rb), 0, "SILO: A shares a region with B");
	tap_ok(fast_path(ra) == 0 && fast_path(rb) == 0 &&
		       ra->fp == ISM_FP_NONE && ra->fp_tried,
	       "  A tried the fast path; Xen refused it: no fast path");
	tap_ok(test_backend_dev_stat(host.be, FE_HOST_DEV_A, &st) &&
		       st.fp_refused == st0.fp_refused + 1 &&
		       st.fp_errno == EPERM && st.fast_paths == st0.fast_paths,
	       "  the backend counts A's refusal, EPERM, and no new fast path");
	for (i = 0; i < 10; i++) {
		ism_region_want(rb);
		if (ism_region_notify(ra, 0) || ism_event_wait(b, 1000, &ev) ||
		    ev.type != ISM_EVT_REGION_UPDATED || ev.region != rb)
			break;
		got++;
	}
	tap_is_int(got, 10, "  10 updates from A reach B, relayed");
	tap_ok(test_backend_dev_stat(host.be, FE_HOST_DEV_A, &st) &&
		       st.relayed >= st0.relayed + 10,
	       "  the backend relayed them");
	fake_xen_set_silo(host.fx, false);
	ism_region_detach(rb);
	ism_region_free(ra);
	settle();
}

/* Both close: no port (declined offers included), grant or map is left. */
static void test_closed(void)
{
	const uint16_t doms[] = { FE_HOST_DOM_A, FE_HOST_DOM_B };
	struct fake_xen_usage u;
	unsigned int i;

	ism_dev_close(b);
	ism_dev_close(a);
	a = b = NULL;
	fe_host_run_backend(&host);
	for (i = 0; i < 2; i++)
		tap_ok(!fake_xen_usage(host.fx, doms[i], &u) &&
			       fake_xen_usage_is_clean(&u),
		       "closed: guest %u holds nothing", doms[i]);
}

int main(void)
{
	struct ism_backend_limits lim;
	ism_region *ra = NULL, *rb = NULL;

	tap_plan(52);
	ism_backend_limits_default(&lim);
	lim.gid = 0x1badcafe;
	if (fe_host_start(&host, &lim, hook, &a, &b) || share(&ra, &rb)) {
		tap_diag("cannot start the backend and connect the guests");
		goto out;
	}
	test_fast_path(ra, rb);
	test_knob(ra);
	test_offer_before_attach_rsp();
	test_silo();
	test_closed();
out:
	fe_host_stop(&host, a, b);
	return tap_done();
}
