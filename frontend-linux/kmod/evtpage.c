// SPDX-License-Identifier: GPL-2.0-only
/*
 * evtpage.c - the event page (signal bit array, event queue, overflow
 * resync), the device's interrupt handler and its work item.
 */
#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/slab.h>

#include "internal.h"

/* How often the handler re-checks the page before it lets the irq go. */
#define XEN_ISM_EVP_PASSES 8

/* Report @type to @r's callback; dev->evt_lock held, dev->lock not. */
void xen_ism_deliver(struct xen_ism_region *r, unsigned int type, int status)
{
	struct xen_ism_dev *dev = r->dev;
	struct xen_ism_event ev = {
		.type = type,
		.token = r->d.token,
		.status = status,
	};
	unsigned long flags;

	lockdep_assert_held(&dev->evt_lock);
	if (!r->fn)
		return;
	spin_lock_irqsave(&dev->lock, flags);
	ev.peer_devid = r->peer_devid;
	ev.peer_domid = r->peer_domid;
	spin_unlock_irqrestore(&dev->lock, flags);
	r->fn(r, &ev, r->data);
}

/* The region in @slot with @token, or NULL (dev->lock held). */
static struct xen_ism_region *slot_region(struct xen_ism_dev *dev, u32 slot,
					  u64 token)
{
	struct xen_ism_region *r;

	if (dev->conn != XEN_ISM_CONN_UP || slot >= dev->max_regions)
		return NULL;
	r = dev->slots[slot];
	if (!r || (token && r->d.token != token))
		return NULL;
	return r;
}

/* Report REGION_UPDATED for @slot (@pending: only if want() asked). */
static void report_updated(struct xen_ism_dev *dev, u32 slot, bool pending)
{
	struct xen_ism_region *r;
	unsigned long flags;

	spin_lock_irqsave(&dev->lock, flags);
	r = slot_region(dev, slot, 0);
	if (r && (r->released || (pending && !r->upd_pending)))
		r = NULL;
	if (r && !pending)
		xen_ism_fp_relayed(r); /* the peer's update, relayed */
	if (r && !r->ready) {
		r->upd_pending = true; /* reported once it is ready */
		r = NULL;
	}
	if (r) {
		r->upd_pending = false;
		if (r->bell)
			r->peer_seq = READ_ONCE(r->bell->seq[r->d.side ^ 1]);
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	if (r)
		xen_ism_deliver(r, ISM_EVT_REGION_UPDATED, 0);
}

static void sba_slot(struct xen_ism_dev *dev, u32 slot)
{
	report_updated(dev, slot, false);
}

/*
 * Hold @type back until @r is ready, in order (dev->lock held).  A full
 * queue keeps its order and replaces its last entry, so the last event,
 * which says where the peer is now, is always reported; RELEASED ends
 * the region's events (evt_one() drops what comes after it).
 */
static void hold_early(struct xen_ism_region *r, unsigned int type, int status)
{
	unsigned int i =
		min_t(unsigned int, r->nr_early, XEN_ISM_EARLY_MAX - 1);

	r->early[i].type = type;
	r->early[i].status = status;
	r->nr_early = i + 1;
}

/* Events held back while a region was made (dev->evt_lock held). */
static void deliver_early(struct xen_ism_dev *dev, u32 slot)
{
	struct xen_ism_region *r;
	unsigned long flags;
	struct xen_ism_early early[XEN_ISM_EARLY_MAX];
	unsigned int i, n = 0;

	spin_lock_irqsave(&dev->lock, flags);
	r = slot_region(dev, slot, 0);
	if (r && r->ready) {
		n = r->nr_early;
		memcpy(early, r->early, n * sizeof(early[0]));
		r->nr_early = 0;
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	for (i = 0; i < n; i++)
		xen_ism_deliver(r, early[i].type, early[i].status);
}

/* The updates want() found, the events of new regions (process context). */
static void deliver_pending(struct xen_ism_dev *dev)
{
	unsigned long flags;
	u32 s, n;

	spin_lock_irqsave(&dev->evt_lock, flags);
	spin_lock(&dev->lock);
	n = dev->conn == XEN_ISM_CONN_UP ? dev->max_regions : 0;
	dev->work_updated = false;
	spin_unlock(&dev->lock);
	for (s = 0; s < n; s++) {
		deliver_early(dev, s);
		report_updated(dev, s, true);
	}
	spin_unlock_irqrestore(&dev->evt_lock, flags);
}

static void sba_drain(struct xen_ism_dev *dev)
{
	struct ism_event_page *evp = dev->evp;
	unsigned long sum, bits;
	unsigned int w, b, i, s;

	BUILD_BUG_ON(BITS_PER_LONG != 64);
	BUILD_BUG_ON(ARRAY_SIZE(evp->sba_summary) * 64 < ISM_SBA_WORDS);
	for (w = 0; w < ARRAY_SIZE(evp->sba_summary); w++) {
		sum = xchg(&evp->sba_summary[w], 0);
		for_each_set_bit(b, &sum, BITS_PER_LONG)
		{
			i = w * 64 + b;
			if (i >= ISM_SBA_WORDS)
				break;
			bits = xchg(&evp->sba[i], 0);
			for_each_set_bit(s, &bits, BITS_PER_LONG)
				sba_slot(dev, i * 64 + s);
		}
	}
}

/* SIGNAL from another device: its handler, if any (evt_lock held). */
static void evt_signal(struct xen_ism_dev *dev, const struct ism_evt *e)
{
	xen_ism_signal_fn fn;
	unsigned long flags;
	void *data;

	if (e->slot != ISM_SLOT_NONE || !e->peer_devid ||
	    e->peer_devid > ISM_DEVID_MAX)
		return;
	spin_lock_irqsave(&dev->lock, flags);
	fn = dev->signal_fn;
	data = dev->signal_data;
	spin_unlock_irqrestore(&dev->lock, flags);
	if (fn)
		fn(dev, e->peer_devid, (u32)e->status, e->token, data);
}

/* One queued event, copied out of the page. */
static void evt_one(struct xen_ism_dev *dev, const struct ism_evt *e)
{
	struct xen_ism_region *r;
	unsigned int type = e->type;
	unsigned long flags;
	bool report = true;
	int status = 0;

	if (type == ISM_EVT_SIGNAL) {
		evt_signal(dev, e);
		return;
	}
	spin_lock_irqsave(&dev->lock, flags);
	r = slot_region(dev, e->slot, e->token);
	if (!r || r->released) {
		spin_unlock_irqrestore(&dev->lock, flags);
		return;
	}
	switch (type) {
	case ISM_EVT_PEER_ATTACHED:
		if (e->peer_devid && e->peer_devid <= ISM_DEVID_MAX &&
		    e->peer_domid <= ISM_DOMID_MAX) {
			r->peer_devid = e->peer_devid;
			r->peer_domid = e->peer_domid;
		}
		r->peer_present = true;
		break;
	case ISM_EVT_PEER_DETACHED:
		r->peer_present = false;
		break;
	case ISM_EVT_PEER_GONE:
		r->peer_present = false;
		r->peer_gone = true;
		break;
	case ISM_EVT_REGION_RELEASED:
		r->peer_present = false;
		r->released = true;
		status = e->status;
		if (status != ISM_RELEASE_FREED &&
		    status != ISM_RELEASE_RECLAIMED)
			status = 0;
		break;
	case ISM_EVT_FASTPATH_OFFER:
	case ISM_EVT_FASTPATH_READY:
		report = false; /* handled inside */
		break;
	default:
		report = false; /* a later version's: ignore */
	}
	xen_ism_fp_event(r, e);
	if (report && !r->ready) {
		hold_early(r, type, status);
		report = false;
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	if (report)
		xen_ism_deliver(r, type, status);
}

static bool evp_busy(struct xen_ism_dev *dev)
{
	struct ism_event_page *evp = dev->evp;

	return READ_ONCE(evp->sba_summary[0]) ||
	       READ_ONCE(evp->sba_summary[1]) ||
	       READ_ONCE(evp->evt_prod) != dev->evt_cons ||
	       (READ_ONCE(evp->flags) & ISM_EVTPAGE_F_OVERFLOW);
}

/* Drain the event page; dev->evt_lock held. */
void xen_ism_evp_process(struct xen_ism_dev *dev)
{
	struct ism_event_page *evp = dev->evp;
	unsigned int pass;
	unsigned long flags;
	struct ism_evt e;
	u32 prod;

	for (pass = 0; pass < XEN_ISM_EVP_PASSES; pass++) {
		sba_drain(dev);
		prod = READ_ONCE(evp->evt_prod);
		virt_rmb();
		if (prod - dev->evt_cons > ISM_EVT_ENTRIES) {
			spin_lock_irqsave(&dev->lock, flags);
			xen_ism_ring_broken(dev, "bad evt_prod");
			spin_unlock_irqrestore(&dev->lock, flags);
			return;
		}
		while (dev->evt_cons != prod) {
			memcpy(&e, &evp->evt[dev->evt_cons % ISM_EVT_ENTRIES],
			       sizeof(e));
			dev->evt_cons++;
			evt_one(dev, &e);
		}
		virt_mb();
		WRITE_ONCE(evp->evt_cons, dev->evt_cons);
		if (READ_ONCE(evp->flags) & ISM_EVTPAGE_F_OVERFLOW) {
			atomic_andnot(ISM_EVTPAGE_F_OVERFLOW,
				      (atomic_t *)&evp->flags);
			spin_lock_irqsave(&dev->lock, flags);
			dev->resync = true;
			spin_unlock_irqrestore(&dev->lock, flags);
			schedule_work(&dev->work);
			continue;
		}
		/* Re-arm, then look once more (xchg is a full barrier). */
		xchg(&evp->fe_armed, 1);
		if (!evp_busy(dev))
			break;
	}
}

irqreturn_t xen_ism_interrupt(int irq, void *arg)
{
	struct xen_ism_dev *dev = arg;
	unsigned long flags;
	bool up;

	spin_lock_irqsave(&dev->evt_lock, flags);
	spin_lock(&dev->lock);
	if (dev->conn != XEN_ISM_CONN_IDLE && !dev->broken)
		xen_ism_ring_process(dev);
	up = dev->conn == XEN_ISM_CONN_UP && !dev->broken;
	spin_unlock(&dev->lock);
	if (up)
		xen_ism_evp_process(dev);
	spin_unlock_irqrestore(&dev->evt_lock, flags);
	return IRQ_HANDLED;
}

/* QUERY @r after an overflow and report what changed. */
static void resync_one(struct xen_ism_dev *dev, struct xen_ism_region *r)
{
	struct ism_req req = { .op = ISM_OP_QUERY };
	bool released = false, attached = false, detached = false;
	bool gone = false, present;
	struct ism_rsp rsp;
	unsigned long flags, eflags;
	int rc;

	req.u.slot.token = r->d.token;
	req.u.slot.slot = r->d.slot;
	rc = xen_ism_request(dev, &req, &rsp, false);
	if (!rc && (xen_ism_desc_check(dev, &rsp.u.region) ||
		    rsp.u.region.token != r->d.token ||
		    rsp.u.region.slot != r->d.slot))
		return;
	if (rc && rc != -ENOENT && rc != -ESTALE)
		return;
	spin_lock_irqsave(&dev->evt_lock, eflags);
	spin_lock_irqsave(&dev->lock, flags);
	if (!r->in_slot || r->released) {
		spin_unlock_irqrestore(&dev->lock, flags);
		spin_unlock_irqrestore(&dev->evt_lock, eflags);
		return;
	}
	if (rc || rsp.u.region.state == ISM_RSTATE_RELEASED) {
		r->released = true;
		r->peer_present = false;
		released = true;
	} else {
		present = rsp.u.region.flags & ISM_DESC_F_PEER_PRESENT;
		attached = present && !r->peer_present;
		detached = !present && r->peer_present;
		gone = (rsp.u.region.flags & ISM_DESC_F_PEER_GONE) &&
		       !r->peer_gone;
		xen_ism_region_apply_desc(r, &rsp.u.region);
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	if (released) {
		xen_ism_deliver(r, ISM_EVT_REGION_RELEASED, 0);
	} else {
		if (attached)
			xen_ism_deliver(r, ISM_EVT_PEER_ATTACHED, 0);
		if (gone)
			xen_ism_deliver(r, ISM_EVT_PEER_GONE, 0);
		else if (detached)
			xen_ism_deliver(r, ISM_EVT_PEER_DETACHED, 0);
		/* Updates may have been lost with the queue: say so. */
		xen_ism_deliver(r, ISM_EVT_REGION_UPDATED, 0);
	}
	spin_unlock_irqrestore(&dev->evt_lock, eflags);
}

/* The next region in a slot from @*slot on (with a reference), or NULL. */
static struct xen_ism_region *next_region(struct xen_ism_dev *dev, u32 *slot)
{
	struct xen_ism_region *r = NULL;
	unsigned long flags;

	spin_lock_irqsave(&dev->lock, flags);
	while (!r && dev->conn == XEN_ISM_CONN_UP && *slot < dev->max_regions) {
		r = dev->slots[(*slot)++];
		if (r && !r->ready)
			r = NULL;
	}
	if (r)
		xen_ism_region_get(r);
	spin_unlock_irqrestore(&dev->lock, flags);
	return r;
}

static void resync(struct xen_ism_dev *dev)
{
	struct xen_ism_region *r;
	u32 slot = 0;

	while ((r = next_region(dev, &slot))) {
		resync_one(dev, r);
		xen_ism_region_put(r);
	}
}

/* Send the notifies that did not fit in the ring. */
static void send_pending(struct xen_ism_dev *dev)
{
	struct xen_ism_region *r;
	struct ism_req req;
	unsigned long flags;
	bool again = false;
	u32 s;

	spin_lock_irqsave(&dev->lock, flags);
	dev->work_notify = false;
	for (s = 0; dev->conn == XEN_ISM_CONN_UP && s < dev->max_regions; s++) {
		r = dev->slots[s];
		if (!r || !r->notify_pending)
			continue;
		if (r->notify_pending) {
			memset(&req, 0, sizeof(req));
			req.op = ISM_OP_NOTIFY;
			req.u.slot.token = r->d.token;
			req.u.slot.slot = r->d.slot;
			if (xen_ism_post_locked(dev, &req) == -EAGAIN) {
				again = true;
				break;
			}
			r->notify_pending = false;
		}
	}
	/* The ring was full: the next response reschedules us. */
	if (again)
		dev->work_notify = true;
	spin_unlock_irqrestore(&dev->lock, flags);
}

void xen_ism_work(struct work_struct *work)
{
	struct xen_ism_dev *dev = container_of(work, struct xen_ism_dev, work);
	unsigned long flags;
	bool broken, do_resync, close, updated, fp;

	spin_lock_irqsave(&dev->lock, flags);
	broken = dev->broken;
	close = broken && !dev->closing_sent && dev->conn != XEN_ISM_CONN_IDLE;
	if (close)
		dev->closing_sent = true;
	do_resync = dev->resync && !broken;
	dev->resync = false;
	updated = dev->work_updated;
	fp = dev->work_fp;
	spin_unlock_irqrestore(&dev->lock, flags);
	if (close) {
		/* The backend sees Closing, closes; we then reconnect. */
		xenbus_printf(XBT_NIL, dev->xb->nodename, ISM_FIELD_ERROR, "%s",
			      "backend broke the protocol");
		xenbus_switch_state(dev->xb, XenbusStateClosing);
		return;
	}
	if (broken)
		return;
	send_pending(dev);
	if (updated)
		deliver_pending(dev);
	if (fp)
		xen_ism_fp_work(dev);
	if (do_resync)
		resync(dev);
}
