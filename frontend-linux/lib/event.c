/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * event.c - taking what the backend signals (ports, the event page, the
 * backend's state) and handing it to the user as struct ism_event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

/* Life-cycle events kept for the user before the oldest are dropped. */
#define ISM_USER_EVENTS_MAX 4096u

void ism__event_push(ism_dev *dev, const struct ism_event *ev)
{
	unsigned int cap = dev->evq_cap ? dev->evq_cap * 2 : 64, i;
	struct ism_event *n;

	if (dev->evq_len == dev->evq_cap) {
		if (cap > ISM_USER_EVENTS_MAX)
			return; /* the region's state still tells the truth */
		n = malloc(cap * sizeof(*n));
		if (!n)
			return;
		for (i = 0; i < dev->evq_len; i++)
			n[i] = dev->evq_user[(dev->evq_head + i) % dev->evq_cap];
		free(dev->evq_user);
		dev->evq_user = n;
		dev->evq_cap = cap;
		dev->evq_head = 0;
	}
	dev->evq_user[(dev->evq_head + dev->evq_len) % dev->evq_cap] = *ev;
	dev->evq_len++;
}

void ism__events_forget(ism_dev *dev, ism_region *r)
{
	unsigned int i, kept = 0;
	struct ism_event ev;

	for (i = 0; i < dev->evq_len; i++) {
		ev = dev->evq_user[(dev->evq_head + i) % dev->evq_cap];
		if (ev.region != r)
			dev->evq_user[(dev->evq_head + kept++) % dev->evq_cap] =
				ev;
	}
	dev->evq_len = kept;
}

static void push_region_event(ism_region *r, unsigned int type, int32_t status)
{
	struct ism_event ev = {
		.type = type,
		.region = r,
		.token = r->d.token,
		.peer_devid = r->d.peer_devid,
		.peer_domid = r->d.peer_domid,
		.status = status,
	};

	ism__event_push(r->dev, &ev);
}

static void sba_hit(void *ctx, uint32_t slot)
{
	ism_dev *dev = ctx;

	if (dev->slots[slot]) {
		dev->slots[slot]->updated = true;
		/* Seen now: a later bare fast-path wake-up is not news. */
		ism__region_peer_updated(dev->slots[slot]);
	}
}

/* One queued event: checked against the slot it names, then applied. */
static void handle_evt(ism_dev *dev, const struct ism_evt *e)
{
	ism_region *r;

	if (e->slot >= dev->max_regions || !dev->slots[e->slot])
		return;
	r = dev->slots[e->slot];
	if (r->d.token != e->token || e->peer_devid > ISM_DEVID_MAX ||
	    e->peer_domid > ISM_DOMID_MAX)
		return;
	switch (e->type) {
	case ISM_EVT_PEER_ATTACHED:
		r->peer_present = true;
		r->d.peer_devid = e->peer_devid;
		r->d.peer_domid = e->peer_domid;
		push_region_event(r, e->type, 0);
		break;
	case ISM_EVT_PEER_DETACHED:
	case ISM_EVT_PEER_GONE:
		ism__region_close_fp(r);
		r->peer_present = false;
		push_region_event(r, e->type, 0);
		break;
	case ISM_EVT_REGION_RELEASED:
		ism__region_close_fp(r);
		r->peer_present = false;
		r->d.state = ISM_RSTATE_RELEASED;
		push_region_event(r, e->type, e->status);
		break;
	case ISM_EVT_FASTPATH_OFFER:
		if (e->port && e->port <= ISM_EVTCHN_MAX &&
		    r->fp == ISM_FP_NONE) {
			r->fp_offer_port = e->port;
			r->fp_offer_domid = e->peer_domid;
		}
		break;
	case ISM_EVT_FASTPATH_READY:
		if (r->fp != ISM_FP_OFFERED)
			break;
		if (e->status)
			ism__region_close_fp(r);
		else
			r->fp = ISM_FP_UP;
		break;
	default:
		break; /* unknown types are ignored */
	}
}

static void mark_dead(ism_dev *dev)
{
	struct ism_event ev = { .type = ISM_EVENT_DEVICE_CLOSED };
	uint32_t s;

	if (dev->dead_reported)
		return;
	dev->dead_reported = true;
	for (s = 0; s < dev->max_regions; s++)
		if (dev->slots[s]) {
			ism__region_close_fp(dev->slots[s]);
			dev->slots[s]->d.state = ISM_RSTATE_RELEASED;
			dev->slots[s]->peer_present = false;
		}
	ev.status = dev->dead;
	ism__event_push(dev, &ev);
}

/* A port had an event; the device's own port needs nothing more. */
static void port_fired(ism_dev *dev, uint32_t port)
{
	uint32_t s;

	if (port == dev->port)
		return; /* the event page is checked anyway */
	/* Offered ports count too: the peer may signal before READY. */
	for (s = 0; s < dev->slot_hi; s++)
		if (dev->slots[s] && dev->slots[s]->fp != ISM_FP_NONE &&
		    dev->slots[s]->fp_port == port &&
		    ism__region_peer_updated(dev->slots[s]))
			dev->slots[s]->updated = true;
}

/* Take what the event page holds: shared memory only, no syscall. */
static void take_event_page(ism_dev *dev)
{
	struct ism_evt e;
	int rc;

	/* Responses of posted requests: consumed (-EPROTO: dead). */
	ism__reap(dev);
	if (dev->dead) {
		mark_dead(dev);
		return;
	}
	ism__sba_take(&dev->evq, dev->max_regions, sba_hit, dev);
	while (!(rc = ism__evq_get(&dev->evq, &e)))
		handle_evt(dev, &e);
	ism__evq_commit(&dev->evq);
	if (rc == -EPROTO) {
		dev->dead = -EPROTO;
		mark_dead(dev);
		return;
	}
	if (ism__evq_take_overflow(&dev->evq))
		dev->resync = true;
}

void ism__dev_poll(ism_dev *dev)
{
	uint32_t port;

	while (!dev->ops->evtchn_pending(dev->p, &port))
		port_fired(dev, port);
	ism__xenbus_check(dev);
	take_event_page(dev);
}

/*
 * Nothing is lost by reading only the sources ops->wait reports: the
 * event page is looked at before every sleep, and a port or watch event
 * still pending, from before the call included, makes the wait return at
 * once (its sources are level-triggered).  One port per report: if more
 * are pending, the next wait returns at once too.
 */
void ism__dev_take_ready(ism_dev *dev, int ready)
{
	uint32_t port;

	if (ready > 0 && (ready & ISM_FE_READY_EVTCHN) &&
	    !dev->ops->evtchn_pending(dev->p, &port))
		port_fired(dev, port);
	if (ready > 0 && (ready & ISM_FE_READY_XS))
		ism__xenbus_check(dev);
}

void ism__dev_take(ism_dev *dev, int ready)
{
	ism__dev_take_ready(dev, ready);
	take_event_page(dev);
}

/*
 * The peer as QUERY describes it now (@d, checked), against what the
 * events told us: report the PEER_* events that the overflow took.
 */
static void resync_peer(ism_region *r, const struct ism_region_desc *d)
{
	bool present = d->flags & ISM_DESC_F_PEER_PRESENT;

	/* A peer we never heard of attached (and may have left since). */
	if (d->peer_devid &&
	    (!r->d.peer_devid || (present && !r->peer_present))) {
		r->peer_present = true;
		r->d.peer_devid = d->peer_devid;
		r->d.peer_domid = d->peer_domid;
		push_region_event(r, ISM_EVT_PEER_ATTACHED, 0);
	}
	if (!present && r->peer_present) {
		ism__region_close_fp(r);
		r->peer_present = false;
		push_region_event(r,
				  d->flags & ISM_DESC_F_PEER_GONE ?
					  ISM_EVT_PEER_GONE :
					  ISM_EVT_PEER_DETACHED,
				  0);
	}
}

/* After an overflow: QUERY each slot and report what changed. */
static void resync(ism_dev *dev)
{
	struct ism_req req;
	struct ism_rsp rsp;
	ism_region *r;
	uint32_t s;
	int rc;

	dev->resync = false;
	for (s = 0; s < dev->slot_hi && !dev->dead; s++) {
		r = dev->slots[s];
		if (!r || r->d.state == ISM_RSTATE_RELEASED)
			continue;
		memset(&req, 0, sizeof(req));
		req.op = ISM_OP_QUERY;
		req.u.slot.slot = s;
		rc = ism__request(dev, &req, &rsp);
		if (!rc)
			rc = ism__desc_check(&rsp.u.region, r->d.nr_pages,
					     dev->max_regions);
		if (rc == -ENOENT || rc == -ESTALE ||
		    (!rc && (rsp.u.region.token != r->d.token ||
			     rsp.u.region.slot != s ||
			     rsp.u.region.state == ISM_RSTATE_RELEASED))) {
			ism__region_close_fp(r);
			r->peer_present = false;
			r->d.state = ISM_RSTATE_RELEASED;
			push_region_event(r, ISM_EVT_REGION_RELEASED, 0);
			continue;
		}
		if (rc)
			continue;
		resync_peer(r, &rsp.u.region);
		/* Updates may have been lost with the queue: say so. */
		r->updated = true;
	}
}

/* Work that needs requests: never done while a request waits. */
static void deferred(ism_dev *dev)
{
	ism_region *r;
	uint32_t s;

	if (dev->resync)
		resync(dev);
	for (s = 0; s < dev->slot_hi && !dev->dead; s++) {
		r = dev->slots[s];
		if (r && r->fp_offer_port)
			ism__region_accept_fp(r);
		else if (r && r->fp == ISM_FP_NONE && dev->fast_path &&
			 !r->fp_off && r->peer_present &&
			 r->d.side == ISM_SIDE_OWNER &&
			 r->d.state == ISM_RSTATE_ACTIVE && !r->fp_tried)
			ism__region_offer_fp(r);
	}
}

/* The next event for the user from what was taken, or -EAGAIN. */
static int next_event(ism_dev *dev, struct ism_event *ev_out)
{
	uint32_t i, s, n;

	if (!dev->dead)
		deferred(dev);
	if (dev->evq_len) {
		*ev_out = dev->evq_user[dev->evq_head];
		dev->evq_head = (dev->evq_head + 1) % dev->evq_cap;
		dev->evq_len--;
		return 0;
	}
	if (dev->dead)
		return dev->dead;
	n = dev->slot_hi;
	if (dev->scan_pos >= n)
		dev->scan_pos = 0;
	for (i = 0; i < n; i++) {
		s = dev->scan_pos + i < n ? dev->scan_pos + i :
					    dev->scan_pos + i - n;
		if (!dev->slots[s] || !dev->slots[s]->updated)
			continue;
		dev->slots[s]->updated = false;
		dev->scan_pos = s + 1;
		memset(ev_out, 0, sizeof(*ev_out));
		ev_out->type = ISM_EVT_REGION_UPDATED;
		ev_out->region = dev->slots[s];
		ev_out->token = dev->slots[s]->d.token;
		ev_out->peer_devid = dev->slots[s]->d.peer_devid;
		ev_out->peer_domid = dev->slots[s]->d.peer_domid;
		return 0;
	}
	return -EAGAIN;
}

int ism__user_event_read(ism_dev *dev, struct ism_event *ev_out)
{
	if (!dev || !ev_out)
		return -EINVAL;
	ism__dev_poll(dev);
	return next_event(dev, ev_out);
}

/*
 * Per wake-up: one ops->wait and what it reports ready (ism__dev_take).
 * Time is up after a last wait of 0 ms (the only one with @timeout_ms 0)
 * reported nothing ready.
 */
int ism__user_event_wait(ism_dev *dev, int timeout_ms, struct ism_event *ev_out)
{
	uint64_t deadline;
	int rc, rem, ready = 0;
	bool last = false;

	if (!dev || !ev_out)
		return -EINVAL;
	deadline = ism__deadline(dev, timeout_ms);
	for (;;) {
		ism__dev_take(dev, ready);
		rc = next_event(dev, ev_out);
		if (rc != -EAGAIN)
			return rc;
		if (ism__evq_arm(&dev->evq)) {
			ready = 0;
			continue;
		}
		if (last && !ready)
			return -ETIMEDOUT;
		rem = last ? 0 : ism__remaining(dev, deadline);
		last = !rem;
		ready = dev->ops->wait(dev->p, rem);
		if (ready < 0)
			return ready;
	}
}
