// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * End to end in one process: the backend core (backend/) and libxenism
 * (frontend-linux/) speak the protocol to each other over the fake Xen,
 * two guests and dom0, as the lab does on real Xen.  Whatever the two
 * sides understand differently shows here first, in milliseconds.
 *
 * The library waits through the fake platform's hook; the hook runs the
 * backend whenever one of its file descriptors is readable.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "fake-xen.h"
#include "ism-backend.h"
#include "../../frontend-linux/lib/private.h"
#include "../../frontend-linux/tests/fe-host.h"
#include "../../frontend-linux/tests/platform-fake.h"
#include "tap.h"
#include "xenism.h"

TAP_MAIN;

#define GUEST_A 1
#define GUEST_B 2
#define DEVID_A 11
#define DEVID_B 12
#define SIZE (1024 * 1024)

static struct fe_host host;

static int readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* The hook: dom0's daemon loop, one turn. */
static int backend_turn(void *ctx)
{
	int busy;

	(void)ctx;
	busy = readable(fake_xen_ops.xs_fd(host.be_p)) ||
	       readable(fake_xen_ops.evtchn_fd(host.be_p));
	if (!busy)
		return 0;
	ism_backend_handle_watches(host.be);
	while (ism_backend_handle_events(host.be) == 1)
		;
	return 1;
}

/* Waits for an event of @type on @dev, skipping others. */
static int wait_event(ism_dev *dev, unsigned int type, struct ism_event *ev)
{
	int rc, tries = 16;

	while (tries--) {
		rc = ism_event_wait(dev, 2000, ev);
		if (rc) {
			tap_diag("waiting for event %#x: %d", type, rc);
			return rc;
		}
		if (ev->type != type)
			tap_diag("event %#x while waiting for %#x", ev->type,
				 type);
		if (ev->type == type)
			return 0;
	}
	return -ETIMEDOUT;
}

/*
 * The last PEER_* event @dev reports for @r until nothing is left (0 if
 * none), and in *@n_out how many events it reported in all.
 */
static unsigned int last_peer_event(ism_dev *dev, ism_region *r,
				    unsigned int *n_out)
{
	struct ism_event ev;
	unsigned int last = 0;

	*n_out = 0;
	while (!ism_event_read(dev, &ev)) {
		(*n_out)++;
		if (ev.region == r && ev.type != ISM_EVT_REGION_UPDATED)
			last = ev.type;
	}
	return last;
}

/*
 * B attaches and detaches A's region @ra until A's event queue is full,
 * the last event A keeps saying B is attached, and then detaches once
 * more: that PEER_DETACHED is lost to the overflow.  A's resync must
 * find it again from QUERY's flags.
 */
static void lost_detach(ism_dev *a, ism_dev *b, ism_region *ra)
{
	struct ism_region_info info;
	ism_region *rb = NULL, *r2 = NULL, *rb2 = NULL;
	uint64_t token, token2;
	unsigned int i, n, last;
	int rc;

	rc = ism_region_info(ra, &info);
	token = info.token;
	rc = rc ?: ism_region_alloc(a, ISM_PAGE_SIZE, ISM_PERM_DEFAULT, &r2);
	rc = rc ?: ism_region_info(r2, &info);
	token2 = info.token;
	/* A takes no events (and sends no request) from here on. */
	rc = rc ?: ism_region_attach(b, token, 0, &rb); /* event 1 */
	for (i = 0; !rc && i < (ISM_EVT_ENTRIES - 2) / 2; i++) {
		rc = ism_region_detach(rb); /* 2, 4, ..., 62 */
		rb = NULL;
		rc = rc ?: ism_region_attach(b, token, 0, &rb); /* ..., 63 */
	}
	rc = rc ?: ism_region_attach(b, token2, 0, &rb2); /* 64: full */
	rc = rc ?: ism_region_detach(rb); /* dropped */
	tap_is_int(rc, 0, "lost_detach: B fills A's queue, then detaches");
	last = last_peer_event(a, ra, &n);
	tap_is_int(last, ISM_EVT_PEER_DETACHED,
		   "  A's resync reports the lost PEER_DETACHED (%u events)",
		   n);
	tap_ok(!ism_region_info(ra, &info) && !info.peer_present &&
		       info.peer_devid == DEVID_B,
	       "  ism_region_info: peer not present, still named");
	tap_ok(!ism_region_info(r2, &info) && info.peer_present,
	       "  while B is present in the other region");
	ism_region_detach(rb2);
	ism_region_free(r2);
	while (last_peer_event(a, ra, &n))
		;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 31 + 7);
}

int main(void)
{
	struct ism_backend_limits lim;
	struct ism_backend_stats st;
	struct fake_xen_usage u;
	ism_dev *a = NULL, *b = NULL;
	ism_region *ra = NULL, *rb = NULL;
	struct ism_region_info info;
	struct ism_event ev;
	uint8_t *ma = NULL, *mb = NULL;
	uint64_t token = 0, found = 0;
	size_t la = 0, lb = 0, i;
	int ok;

	tap_plan(29);
	if (fake_xen_create(&host.fx) ||
	    fake_xen_domain_add(host.fx, GUEST_A, 0) ||
	    fake_xen_domain_add(host.fx, GUEST_B, 0) ||
	    fake_xen_device_add(host.fx, "ism", GUEST_A, 0, DEVID_A) ||
	    fake_xen_device_add(host.fx, "ism", GUEST_B, 0, DEVID_B) ||
	    fake_xen_platform_open(host.fx, 0, &host.be_p)) {
		tap_diag("cannot set up the fake host");
		return 1;
	}
	ism_backend_limits_default(&lim);
	lim.gid = 0x1badcafe;
	tap_is_int(ism_backend_new(&fake_xen_ops, host.be_p, &lim, &host.be), 0,
		   "the backend starts on dom0");
	backend_turn(NULL);

	tap_is_int(ism_fake_dev_open(host.fx, GUEST_A, DEVID_A, 5000,
				     backend_turn, NULL, &a),
		   0, "guest A's device connects");
	tap_is_int(ism_fake_dev_open(host.fx, GUEST_B, DEVID_B, 5000,
				     backend_turn, NULL, &b),
		   0, "guest B's device connects");
	if (!a || !b)
		goto out;

	tap_is_int(ism_region_alloc(a, SIZE,
				    ISM_PERM_READ | ISM_PERM_WRITE |
					    ISM_PERM_ATTACH,
				    &ra),
		   0, "A allocates 1 MiB");
	tap_ok(ra && !ism_region_info(ra, &info) && info.token &&
		       info.size == SIZE,
	       "the region has a token and the size asked for");
	token = info.token;
	tap_is_int(ra ? ism_region_map(ra, (void **)&ma, &la) : -EINVAL, 0,
		   "A maps it");
	ok = ma && la == SIZE;
	for (i = 0; ok && i < la; i++)
		ok = ma[i] == 0;
	tap_ok(ok, "a new region reads as zero");
	for (i = 0; ma && i < la; i++)
		ma[i] = pattern(i);

	tap_is_int(ism_name_publish(a, "demo", token, GUEST_B), 0,
		   "A publishes the token for B");
	tap_is_int(ism_name_lookup(b, "demo", GUEST_A, 2000, &found), 0,
		   "B looks it up");
	tap_ok(found == token, "B found A's token");
	tap_is_int(ism_region_attach(b, found, 0, &rb), 0, "B attaches");
	tap_is_int(rb ? ism_region_map(rb, (void **)&mb, &lb) : -EINVAL, 0,
		   "B maps it");
	tap_ok(rb && !wait_event(a, ISM_EVT_PEER_ATTACHED, &ev) &&
		       ev.peer_devid == DEVID_B && ev.peer_domid == GUEST_B,
	       "A is told B attached");

	tap_is_int(ra ? ism_region_notify(ra, ISM_NOTIFY_FORCE) : -EINVAL, 0,
		   "A notifies");
	tap_ok(!wait_event(b, ISM_EVT_REGION_UPDATED, &ev) && ev.region == rb,
	       "B gets the update event for its region");
	ok = mb && lb == SIZE;
	for (i = 0; ok && i < lb; i++)
		ok = mb[i] == pattern(i);
	tap_ok(ok, "B reads every byte A wrote");
	if (mb)
		memcpy(mb, "reply", 6);
	tap_is_int(rb ? ism_region_notify(rb, ISM_NOTIFY_FORCE) : -EINVAL, 0,
		   "B notifies");
	tap_ok(!wait_event(a, ISM_EVT_REGION_UPDATED, &ev) && ma &&
		       !memcmp(ma, "reply", 6),
	       "A is woken and reads B's reply");

	/*
	 * Xen marks a freshly bound port pending: a bare event on the fast
	 * path, with no update announced in the doorbell, is no update.
	 */
	tap_ok(rb && rb->fp == ISM_FP_UP &&
		       !rb->dev->ops->evtchn_notify(rb->dev->p, rb->fp_port) &&
		       ism_event_wait(a, 500, &ev) == -ETIMEDOUT,
	       "a bare fast-path event is not reported as an update");
	tap_is_int(rb ? ism_region_detach(rb) : -EINVAL, 0, "B detaches");
	rb = NULL;
	tap_ok(!wait_event(a, ISM_EVT_PEER_DETACHED, &ev),
	       "A is told B detached");
	if (ra)
		lost_detach(a, b, ra);
	tap_is_int(ra ? ism_region_free(ra) : -EINVAL, 0, "A frees");
	ra = NULL;
	ism_dev_close(b);
	b = NULL;
	ism_dev_close(a);
	a = NULL;
	backend_turn(NULL);
	ism_backend_reclaim(host.be);
	tap_ok(!ism_backend_get_stats(host.be, &st) && st.regions == 0 &&
		       st.grants == 0 && st.held == 0,
	       "the backend holds no region, grant or page (%u/%u/%u)",
	       st.regions, st.grants, st.held);
	tap_ok(!fake_xen_usage(host.fx, GUEST_A, &u) &&
		       fake_xen_usage_is_clean(&u),
	       "guest A holds nothing");
	tap_ok(!fake_xen_usage(host.fx, GUEST_B, &u) &&
		       fake_xen_usage_is_clean(&u),
	       "guest B holds nothing");
out:
	fe_host_stop(&host, a, b);
	return tap_done();
}
