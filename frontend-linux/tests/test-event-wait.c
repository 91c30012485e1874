/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-event-wait.c - what ism_event_wait() costs, in platform calls,
 * against the scripted backend on the fake Xen: a relayed update's
 * wake-up is one wait and one pending port, an update already in the
 * event page costs nothing, a request leaves no wake-up behind, timeouts
 * hold, and a backend closing on xenstore is still seen.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "sbackend.h"
#include "platform-fake.h"
#include "../lib/private.h"

TAP_MAIN;

#define FE 5
#define DEVID 4097

static struct fake_xen *fx;

/* What the hook does once, on the library's next wait, as the backend. */
enum act { ACT_NONE, ACT_SIGNAL, ACT_CLOSE };

struct wctx {
	struct sb sb;
	enum act act;
};

/* The backend's state node, as dom0 writes it. */
static void be_state_write(struct sb *sb, const char *state)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", sb->be_path, ISM_FIELD_STATE);
	fake_xen_xs_write(fx, 0, path, state);
}

static int hook(void *ctx)
{
	struct wctx *w = ctx;
	enum act act = w->act;

	w->act = ACT_NONE;
	if (act == ACT_SIGNAL)
		sb_signal(&w->sb, 0);
	else if (act == ACT_CLOSE)
		be_state_write(&w->sb, "6");
	return sb_step(&w->sb) || act != ACT_NONE;
}

/* A connected device with one region (slot 0); -1 if that failed. */
static int setup(struct wctx *w, ism_dev **dev, ism_region **r)
{
	fake_xen_destroy(fx);
	memset(w, 0, sizeof(*w));
	*dev = NULL;
	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, FE, 0) ||
	    sb_init(&w->sb, fx, FE, DEVID) ||
	    ism_fake_dev_open(fx, FE, DEVID, 2000, hook, w, dev))
		return -1;
	if (!ism_region_alloc(*dev, 4096, ISM_PERM_DEFAULT, r))
		return 0;
	ism_dev_close(*dev);
	*dev = NULL;
	return -1;
}

typedef void test_fn(struct wctx *w, ism_dev *dev, ism_region *r);

/* Run @fn, of @ntests tests, on a fresh device and region. */
static void run(test_fn *fn, int ntests)
{
	ism_region *r = NULL;
	ism_dev *dev;
	struct wctx w;

	if (setup(&w, &dev, &r)) {
		tap_skip(ntests, "could not connect");
		return;
	}
	fn(&w, dev, r);
	ism_dev_close(dev);
	sb_fini(&w.sb);
}

static unsigned long calls(ism_dev *dev, enum ism_fake_op op)
{
	return ism_fake_platform_calls(dev->p, op);
}

static void test_wakeup(struct wctx *w, ism_dev *dev, ism_region *r)
{
	struct ism_event ev;
	int i;

	/* The doorbell is mapped once, on first use. */
	ism_region_want(r);
	ism_fake_platform_calls_reset(dev->p);
	tap_ok(!ism_region_want(r) && !calls(dev, ISM_FAKE_OP_ANY),
	       "ism_region_want() makes no call");
	/* ALLOC's response woke the library: that signal was taken too. */
	w->act = ACT_SIGNAL;
	tap_ok(!ism_event_wait(dev, -1, &ev) &&
		       ev.type == ISM_EVT_REGION_UPDATED && ev.region == r,
	       "a relayed update wakes the waiter");
	tap_is_int(calls(dev, ISM_FAKE_OP_WAIT), 1, "  one wait");
	tap_is_int(calls(dev, ISM_FAKE_OP_EVTCHN_PENDING), 1,
		   "  one pending port taken");
	tap_is_int(calls(dev, ISM_FAKE_OP_ANY), 2,
		   "  nothing else: no clock, no xenstore, no empty read");

	/* The backend saw fe_armed and cleared it: the bit alone comes. */
	sb_signal(&w->sb, 0);
	ism_fake_platform_calls_reset(dev->p);
	tap_ok(!ism_event_wait(dev, -1, &ev) &&
		       ev.type == ISM_EVT_REGION_UPDATED && ev.region == r,
	       "an update already in the event page is reported");
	tap_is_int(calls(dev, ISM_FAKE_OP_ANY), 0, "  without a single call");
	{
		struct ism_evt e = { .type = ISM_EVT_PEER_ATTACHED,
				     .slot = 0,
				     .token = r->d.token,
				     .peer_devid = 4098,
				     .peer_domid = 7 };

		sb_event(&w->sb, &e);
	}
	ism_fake_platform_calls_reset(dev->p);
	tap_ok(!ism_event_wait(dev, 1000, &ev) &&
		       ev.type == ISM_EVT_PEER_ATTACHED && ev.peer_domid == 7,
	       "so is a queued life-cycle event");
	tap_is_int(calls(dev, ISM_FAKE_OP_WAIT) +
			   calls(dev, ISM_FAKE_OP_EVTCHN_PENDING),
		   0, "  without waiting or reading a port");

	/* A request, then three wake-ups in a row: the same each time. */
	ism_region_notify(r, ISM_NOTIFY_FORCE);
	ism_fake_platform_calls_reset(dev->p);
	for (i = 0; i < 3; i++) {
		w->act = ACT_SIGNAL;
		if (ism_event_wait(dev, -1, &ev) ||
		    ev.type != ISM_EVT_REGION_UPDATED)
			break;
	}
	tap_is_int(i, 3, "three wake-ups after a request");
	tap_is_int(calls(dev, ISM_FAKE_OP_WAIT), 3, "  three waits");
	tap_is_int(calls(dev, ISM_FAKE_OP_ANY), 6, "  and three ports taken");
}

static void test_timeouts(struct wctx *w, ism_dev *dev, ism_region *r)
{
	uint64_t clock = 0, t0;
	struct ism_event ev;

	(void)w;
	(void)r;
	ism_fake_platform_set_clock(dev->p, &clock);
	t0 = clock;
	tap_is_int(ism_event_wait(dev, 500, &ev), -ETIMEDOUT,
		   "nothing comes: -ETIMEDOUT");
	tap_is_int(clock - t0, 500, "  after exactly 500 ms");
	t0 = clock;
	ism_fake_platform_calls_reset(dev->p);
	tap_is_int(ism_event_wait(dev, 0, &ev), -ETIMEDOUT,
		   "timeout 0: -ETIMEDOUT at once");
	tap_is_int(clock - t0, 0, "  no time passed");
	tap_is_int(calls(dev, ISM_FAKE_OP_WAIT), 1,
		   "  after one look at the sources");
}

static void test_closed_while_waiting(struct wctx *w, ism_dev *dev,
				      ism_region *r)
{
	struct ism_event ev;

	(void)r;
	ism_fake_platform_calls_reset(dev->p);
	w->act = ACT_CLOSE;
	tap_ok(!ism_event_wait(dev, -1, &ev) &&
		       ev.type == ISM_EVENT_DEVICE_CLOSED &&
		       ev.status == -ESHUTDOWN,
	       "the backend goes Closed while we wait: DEVICE_CLOSED");
	tap_ok(calls(dev, ISM_FAKE_OP_XS_READ_WATCH) >= 1 &&
		       calls(dev, ISM_FAKE_OP_XS_READ) >= 1,
	       "  the watch was read because its fd was ready");
	tap_is_int(ism_event_wait(dev, -1, &ev), -ESHUTDOWN,
		   "  then -ESHUTDOWN");
}

static void test_closed_before(struct wctx *w, ism_dev *dev, ism_region *r)
{
	struct ism_dev_info info;
	struct ism_event ev;

	(void)r;
	be_state_write(&w->sb, "6");
	tap_ok(!ism_event_wait(dev, 1000, &ev) &&
		       ev.type == ISM_EVENT_DEVICE_CLOSED &&
		       ev.status == -ESHUTDOWN,
	       "Closed before the call is found too");
	tap_is_int(ism_dev_info(dev, &info), -ESHUTDOWN, "  and requests fail");
}

int main(void)
{
	tap_plan(22);
	run(test_wakeup, 12);
	run(test_timeouts, 5);
	run(test_closed_while_waiting, 3);
	run(test_closed_before, 2);
	fake_xen_destroy(fx);
	return tap_done();
}
