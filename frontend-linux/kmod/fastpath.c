// SPDX-License-Identifier: GPL-2.0-only
/*
 * fastpath.c - direct event channels between the two referrers of a
 * region (FASTPATH_OFFER, FASTPATH_ACCEPT): the owner offers one when the
 * region's first update goes through the backend (its own NOTIFY or the
 * peer's, relayed), the peer binds it; updates then cost one hypercall.
 * A region whose referrers never signal costs no event channel, and
 * attach and detach no binding.
 * Ports are bound and closed by the device's work item (or by detach),
 * never in atomic context; notify only signals an irq that is bound.
 */
#include <linux/module.h>
#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>

#include "internal.h"

bool xen_ism_fast_path = true;
module_param_named(fast_path, xen_ism_fast_path, bool, 0444);
MODULE_PARM_DESC(fast_path, "offer and accept direct event channels");

/* A wake-up on the port: an update only if the peer's count moved. */
static irqreturn_t fp_interrupt(int irq, void *arg)
{
	struct xen_ism_region *r = arg;
	struct xen_ism_dev *dev = r->dev;
	unsigned long flags;
	bool updated = false;
	u32 seq;

	spin_lock_irqsave(&dev->evt_lock, flags);
	spin_lock(&dev->lock);
	if (r->in_slot && r->ready && !r->released && r->bell &&
	    r->fp_irq == irq) {
		seq = READ_ONCE(r->bell->seq[r->d.side ^ 1]);
		updated = seq != r->peer_seq;
		r->peer_seq = seq;
	}
	spin_unlock(&dev->lock);
	if (updated)
		xen_ism_deliver(r, ISM_EVT_REGION_UPDATED, 0);
	spin_unlock_irqrestore(&dev->evt_lock, flags);
	return IRQ_HANDLED;
}

static void schedule_fp(struct xen_ism_dev *dev)
{
	dev->work_fp = true;
	schedule_work(&dev->work);
}

/* Drop the fast path of @r (dev->lock held); the work item closes it. */
void xen_ism_fp_stop(struct xen_ism_region *r)
{
	/* One port waits to be closed at a time; a second stays till detach. */
	if (r->fp_irq && !r->fp_dead_irq) {
		r->fp_dead_irq = r->fp_irq;
		r->fp_irq = 0;
		schedule_fp(r->dev);
	}
	r->fp = XEN_ISM_FP_NONE;
	r->fp_offer = false;
	r->fp_accept = false;
}

/* Offer @r's peer a fast path, once per peer (dev->lock held). */
static void fp_maybe_offer(struct xen_ism_region *r)
{
	struct xen_ism_dev *dev = r->dev;

	if (r->fp_used && !r->fp_tried && xen_ism_fast_path &&
	    dev->feat_fast_path && r->d.side == ISM_SIDE_OWNER &&
	    r->fp == XEN_ISM_FP_NONE) {
		r->fp_tried = true;
		r->fp_offer = true;
		schedule_fp(dev);
	}
}

/* An update of @r went through the backend (dev->lock held, any context). */
void xen_ism_fp_relayed(struct xen_ism_region *r)
{
	r->fp_used = true;
	fp_maybe_offer(r);
}

/* A queued event about @r (dev->lock held, any context). */
void xen_ism_fp_event(struct xen_ism_region *r, const struct ism_evt *e)
{
	switch (e->type) {
	case ISM_EVT_PEER_ATTACHED:
		r->fp_tried = false; /* a new peer */
		fp_maybe_offer(r); /* to a region that signalled before */
		break;
	case ISM_EVT_PEER_DETACHED:
	case ISM_EVT_PEER_GONE:
	case ISM_EVT_REGION_RELEASED:
		xen_ism_fp_stop(r);
		break;
	case ISM_EVT_FASTPATH_OFFER:
		r->fp_offer = false;
		r->fp_accept = true;
		r->fp_offer_domid = e->peer_domid;
		r->fp_offer_port = e->port;
		schedule_fp(r->dev);
		break;
	case ISM_EVT_FASTPATH_READY:
		if (r->fp != XEN_ISM_FP_OFFERED)
			break;
		if (e->status)
			xen_ism_fp_stop(r);
		else
			r->fp = XEN_ISM_FP_UP;
		break;
	}
}

/* Close @r's ports (process context; detach, release, work item). */
void xen_ism_fp_close(struct xen_ism_region *r)
{
	struct xen_ism_dev *dev = r->dev;
	unsigned long flags;
	int irq, dead;

	spin_lock_irqsave(&dev->lock, flags);
	irq = r->fp_irq;
	dead = r->fp_dead_irq;
	r->fp_irq = 0;
	r->fp_dead_irq = 0;
	r->fp = XEN_ISM_FP_NONE;
	r->fp_offer = false;
	r->fp_accept = false;
	spin_unlock_irqrestore(&dev->lock, flags);
	if (irq)
		unbind_from_irqhandler(irq, r);
	if (dead)
		unbind_from_irqhandler(dead, r);
}

static void close_dead(struct xen_ism_region *r)
{
	unsigned long flags;
	int dead;

	spin_lock_irqsave(&r->dev->lock, flags);
	dead = r->fp_dead_irq;
	r->fp_dead_irq = 0;
	spin_unlock_irqrestore(&r->dev->lock, flags);
	if (dead)
		unbind_from_irqhandler(dead, r);
}

static int fp_request(struct xen_ism_region *r, u8 op, u32 port, int status)
{
	struct ism_req req = { .op = op };
	struct ism_rsp rsp;

	req.u.fastpath.token = r->d.token;
	req.u.fastpath.slot = r->d.slot;
	req.u.fastpath.port = port;
	req.u.fastpath.status = status;
	return xen_ism_request(r->dev, &req, &rsp, false);
}

/* Install @irq as @r's port in state @fp, unless @r went meanwhile. */
static bool fp_install(struct xen_ism_region *r, int irq, u8 fp)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&r->dev->lock, flags);
	ok = r->in_slot && !r->released && r->fp == XEN_ISM_FP_NONE &&
	     !r->fp_irq;
	if (ok) {
		r->fp_irq = irq;
		r->fp = fp;
	}
	spin_unlock_irqrestore(&r->dev->lock, flags);
	return ok;
}

/* Forget @irq if it is still @r's port; true if it was. */
static bool fp_uninstall(struct xen_ism_region *r, int irq)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&r->dev->lock, flags);
	was = r->fp_irq == irq;
	if (was) {
		r->fp_irq = 0;
		r->fp = XEN_ISM_FP_NONE;
	}
	spin_unlock_irqrestore(&r->dev->lock, flags);
	return was;
}

static void fp_offer(struct xen_ism_region *r, u16 domid)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF };
	struct evtchn_close cl;
	int irq, rc;

	if (domid > ISM_DOMID_MAX)
		return;
	au.remote_dom = domid;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	if (rc) {
		/*
		 * Xen refused (XSM SILO: -EPERM) or no channel is left:
		 * NOTIFY it is; the backend notes why, for ismctl list.
		 */
		fp_request(r, ISM_OP_FASTPATH_OFFER, 0,
			   rc < 0 && rc >= -4095 ? rc : -EINVAL);
		return;
	}
	irq = bind_evtchn_to_irqhandler(au.port, fp_interrupt, 0, "xen-ism-fp",
					r);
	if (irq < 0) {
		cl.port = au.port;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
		return;
	}
	if (!fp_install(r, irq, XEN_ISM_FP_OFFERED)) {
		unbind_from_irqhandler(irq, r);
		return;
	}
	rc = fp_request(r, ISM_OP_FASTPATH_OFFER, au.port, 0);
	/* Refused (the peer offered first, it left): back to NOTIFY. */
	if (rc && fp_uninstall(r, irq))
		unbind_from_irqhandler(irq, r);
}

static void fp_accept(struct xen_ism_region *r, u16 domid, u32 port)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = domid,
					      .remote_port = port };
	struct evtchn_close cl;
	int irq = 0, rc = -EINVAL;

	if (xen_ism_fast_path && domid <= ISM_DOMID_MAX && port &&
	    port <= ISM_EVTCHN_MAX)
		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain,
						 &bi);
	else if (!xen_ism_fast_path)
		rc = -EOPNOTSUPP;
	if (!rc) {
		irq = bind_evtchn_to_irqhandler(bi.local_port, fp_interrupt, 0,
						"xen-ism-fp", r);
		if (irq < 0) {
			rc = irq;
			irq = 0;
			cl.port = bi.local_port;
			HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
		}
	}
	if (irq && !fp_install(r, irq, XEN_ISM_FP_UP)) {
		unbind_from_irqhandler(irq, r);
		irq = 0;
		rc = -ENOENT;
	}
	if (rc > 0 || rc < -4095)
		rc = -EINVAL;
	rc = fp_request(r, ISM_OP_FASTPATH_ACCEPT, irq ? bi.local_port : 0,
			irq ? 0 : rc);
	if (rc && irq && fp_uninstall(r, irq))
		unbind_from_irqhandler(irq, r);
}

/* The fast-path work of one region (process context). */
static void fp_region(struct xen_ism_region *r)
{
	unsigned long flags;
	bool offer, accept;
	u16 domid, odomid;
	u32 oport;

	close_dead(r);
	spin_lock_irqsave(&r->dev->lock, flags);
	accept = r->fp_accept && r->fp == XEN_ISM_FP_NONE;
	offer = !accept && r->fp_offer && r->fp == XEN_ISM_FP_NONE &&
		r->peer_present && !r->released;
	r->fp_accept = false;
	r->fp_offer = false;
	domid = r->peer_domid;
	odomid = r->fp_offer_domid;
	oport = r->fp_offer_port;
	spin_unlock_irqrestore(&r->dev->lock, flags);
	if (accept)
		fp_accept(r, odomid, oport);
	else if (offer)
		fp_offer(r, domid);
}

/* Regions with fast-path work, one at a time, with a reference. */
void xen_ism_fp_work(struct xen_ism_dev *dev)
{
	struct xen_ism_region *r;
	unsigned long flags;
	u32 slot = 0;

	spin_lock_irqsave(&dev->lock, flags);
	dev->work_fp = false;
	spin_unlock_irqrestore(&dev->lock, flags);
	for (;;) {
		r = NULL;
		spin_lock_irqsave(&dev->lock, flags);
		while (!r && dev->conn == XEN_ISM_CONN_UP &&
		       slot < dev->max_regions) {
			r = dev->slots[slot++];
			if (r && (!r->ready || (!r->fp_dead_irq &&
						!r->fp_offer && !r->fp_accept)))
				r = NULL;
		}
		if (r)
			xen_ism_region_get(r);
		spin_unlock_irqrestore(&dev->lock, flags);
		if (!r)
			break;
		fp_region(r);
		xen_ism_region_put(r);
	}
}
