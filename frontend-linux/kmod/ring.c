// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring.c - the control ring: placing requests, matching responses.
 *
 * Every request gets a pending entry, indexed by its id modulo
 * ISM_RING_ENTRIES, so at most ISM_RING_ENTRIES are outstanding.  A
 * sleeper waits for its entry to be answered; a posted request's answer is
 * consumed and dropped.
 */
#include <linux/sched/signal.h>
#include <xen/events.h>

#include "internal.h"

void xen_ism_ring_reset(struct xen_ism_dev *dev)
{
	unsigned int i;

	dev->req_prod_pvt = 0;
	dev->rsp_cons = 0;
	dev->evt_cons = 0;
	for (i = 0; i < ISM_RING_ENTRIES; i++) {
		dev->pend[i].state = XEN_ISM_PEND_FREE;
		dev->pend[i].claim = NULL;
	}
}

/* The error a request gets on a device that cannot take it, or 0. */
int xen_ism_conn_err(struct xen_ism_dev *dev)
{
	if (dev->removing)
		return -ENODEV;
	if (dev->broken)
		return -EPROTO;
	if (dev->conn != XEN_ISM_CONN_UP)
		return -ESHUTDOWN;
	return 0;
}

/* Called with dev->lock held.  Closes the device from the work item. */
void xen_ism_ring_broken(struct xen_ism_dev *dev, const char *why)
{
	if (dev->broken)
		return;
	dev->broken = true;
	dev_err_ratelimited(&dev->xb->dev, "ism %u: %s: closing the device\n",
			    dev->devid, why);
	wake_up_all(&dev->wq);
	schedule_work(&dev->work);
}

/* Place @req (dev->lock held); its id is chosen here. */
static int ring_push(struct xen_ism_dev *dev, struct ism_req *req, u8 state,
		     struct xen_ism_region *claim)
{
	struct ism_sring_hdr *hdr = &dev->ring->hdr;
	u32 old = dev->req_prod_pvt, new = old + 1, evt;
	unsigned int idx;
	int rc;

	rc = xen_ism_conn_err(dev);
	if (rc)
		return rc;
	if (old - dev->rsp_cons >= ISM_RING_ENTRIES)
		return -EAGAIN;
	idx = dev->next_seq % ISM_RING_ENTRIES;
	if (dev->pend[idx].state != XEN_ISM_PEND_FREE)
		return -EAGAIN;
	req->id = dev->next_seq++;
	dev->pend[idx].id = req->id;
	dev->pend[idx].op = req->op;
	dev->pend[idx].state = state;
	dev->pend[idx].claim = claim;
	if (req->op == ISM_OP_FREE)
		dev->pend[idx].slot = req->u.slot;
	memcpy(&dev->ring->ring[old % ISM_RING_ENTRIES].req, req, sizeof(*req));
	dev->req_prod_pvt = new;
	virt_wmb();
	WRITE_ONCE(hdr->req_prod, new);
	virt_mb();
	evt = READ_ONCE(hdr->req_event);
	if ((u32)(new - evt) < (u32)(new - old))
		notify_remote_via_irq(dev->irq);
	return 0;
}

int xen_ism_post_locked(struct xen_ism_dev *dev, struct ism_req *req)
{
	return ring_push(dev, req, XEN_ISM_PEND_POSTED, NULL);
}

/*
 * A slot the backend made for a request nobody waits for any more, or
 * kept after a posted FREE it refused (the region released meanwhile):
 * DETACH frees it.
 */
static void give_back(struct xen_ism_dev *dev, const struct xen_ism_pend *p,
		      const struct ism_rsp *rsp)
{
	struct ism_req req = { .op = ISM_OP_DETACH };

	if (rsp->op == ISM_OP_FREE) {
		if (!rsp->status || rsp->status == -ENOENT ||
		    rsp->status == -ESTALE)
			return;
		req.u.slot.token = p->slot.token;
		req.u.slot.slot = p->slot.slot;
	} else {
		if (rsp->status || rsp->u.region.slot >= dev->max_regions)
			return;
		req.u.slot.token = rsp->u.region.token;
		req.u.slot.slot = rsp->u.region.slot;
	}
	if (ring_push(dev, &req, XEN_ISM_PEND_POSTED, NULL))
		dev_warn_ratelimited(&dev->xb->dev,
				     "ism %u: cannot give back slot %u\n",
				     dev->devid, req.u.slot.slot);
}

static void ring_one(struct xen_ism_dev *dev, const struct ism_rsp *rsp)
{
	struct xen_ism_pend *p = &dev->pend[rsp->id % ISM_RING_ENTRIES];

	if (p->state == XEN_ISM_PEND_FREE || p->id != rsp->id ||
	    p->op != rsp->op) {
		xen_ism_ring_broken(dev, "response to no request");
		return;
	}
	switch (p->state) {
	case XEN_ISM_PEND_WAIT:
		p->rsp = *rsp;
		p->state = XEN_ISM_PEND_DONE;
		/* Its events may follow at once: give it its slot now. */
		if (p->claim && !rsp->status)
			xen_ism_region_claim(dev, p->claim, &rsp->u.region);
		p->claim = NULL;
		break;
	case XEN_ISM_PEND_ABANDONED:
		p->state = XEN_ISM_PEND_FREE;
		if (rsp->op == ISM_OP_ALLOC || rsp->op == ISM_OP_ATTACH)
			give_back(dev, p, rsp);
		break;
	case XEN_ISM_PEND_POSTED:
		p->state = XEN_ISM_PEND_FREE;
		if (rsp->op == ISM_OP_FREE)
			give_back(dev, p, rsp);
		break;
	default:
		xen_ism_ring_broken(dev, "second response to a request");
	}
}

/* Consume the responses (dev->lock held). */
void xen_ism_ring_process(struct xen_ism_dev *dev)
{
	struct ism_sring_hdr *hdr = &dev->ring->hdr;
	struct ism_rsp rsp;
	u32 prod;
	bool more;

	do {
		prod = READ_ONCE(hdr->rsp_prod);
		virt_rmb();
		if (prod - dev->rsp_cons > dev->req_prod_pvt - dev->rsp_cons) {
			xen_ism_ring_broken(dev, "bad rsp_prod");
			return;
		}
		while (dev->rsp_cons != prod && !dev->broken) {
			memcpy(&rsp,
			       &dev->ring
					->ring[dev->rsp_cons % ISM_RING_ENTRIES]
					.rsp,
			       sizeof(rsp));
			dev->rsp_cons++;
			ring_one(dev, &rsp);
		}
		WRITE_ONCE(hdr->rsp_event, dev->rsp_cons + 1);
		virt_mb();
		more = READ_ONCE(hdr->rsp_prod) != dev->rsp_cons &&
		       !dev->broken;
	} while (more);
	wake_up_all(&dev->wq);
	if (dev->work_notify)
		schedule_work(&dev->work);
}

/* The wait condition of a sleeper: 1 answered, 0 not yet, or -errno. */
static int pend_check(struct xen_ism_dev *dev, unsigned int gen,
		      unsigned int idx)
{
	unsigned long flags;
	int rc = 0;

	spin_lock_irqsave(&dev->lock, flags);
	if (dev->gen != gen)
		rc = -ESHUTDOWN;
	else if (dev->pend[idx].state == XEN_ISM_PEND_DONE)
		rc = 1;
	else if (xen_ism_conn_err(dev))
		rc = xen_ism_conn_err(dev);
	spin_unlock_irqrestore(&dev->lock, flags);
	return rc;
}

static int push_check(struct xen_ism_dev *dev, struct ism_req *req, u8 state,
		      struct xen_ism_region *claim, unsigned int *gen)
{
	unsigned long flags;
	int rc;

	spin_lock_irqsave(&dev->lock, flags);
	rc = ring_push(dev, req, state, claim);
	*gen = dev->gen;
	spin_unlock_irqrestore(&dev->lock, flags);
	return rc;
}

static long wait_for(struct xen_ism_dev *dev, bool intr, long timeout,
		     int *cond, int (*check)(void *), void *arg)
{
	if (intr)
		return wait_event_interruptible_timeout(
			dev->wq, (*cond = check(arg)) != 0, timeout);
	return wait_event_timeout(dev->wq, (*cond = check(arg)) != 0, timeout);
}

struct push_arg {
	struct xen_ism_dev *dev;
	struct ism_req *req;
	u8 state; /* XEN_ISM_PEND_WAIT or _POSTED */
	struct xen_ism_region *claim;
	unsigned int gen;
};

/* 0 placed; -EAGAIN (ring full) as "not yet". */
static int push_cond(void *a)
{
	struct push_arg *pa = a;
	int rc = push_check(pa->dev, pa->req, pa->state, pa->claim, &pa->gen);

	return rc == -EAGAIN ? 0 : (rc ? rc : 1);
}

/* Place @pa's request, waiting while the ring is full: 0 or -errno. */
static int push_wait(struct push_arg *pa, bool intr)
{
	long left;
	int cond = 0;

	might_sleep();
	left = wait_for(pa->dev, intr, XEN_ISM_REQ_TIMEOUT, &cond, push_cond,
			pa);
	if (cond < 0)
		return cond;
	if (left < 0)
		return -EINTR;
	return left ? 0 : -ETIMEDOUT;
}

struct pend_arg {
	struct xen_ism_dev *dev;
	unsigned int gen;
	unsigned int idx;
};

static int pend_cond(void *a)
{
	struct pend_arg *pa = a;

	return pend_check(pa->dev, pa->gen, pa->idx);
}

/* The response's status as -errno, checked. */
static int rsp_status(struct xen_ism_dev *dev, const struct ism_rsp *rsp)
{
	s32 status = rsp->status;

	if (status > 0 || status < -4095) {
		dev_warn_ratelimited(&dev->xb->dev, "ism %u: bad status %d\n",
				     dev->devid, status);
		return -EPROTO;
	}
	return status;
}

static int request(struct xen_ism_dev *dev, struct ism_req *req,
		   struct ism_rsp *rsp, bool intr, struct xen_ism_region *claim)
{
	struct push_arg pa = {
		.dev = dev,
		.req = req,
		.state = XEN_ISM_PEND_WAIT,
		.claim = claim,
	};
	struct pend_arg wa = { .dev = dev };
	struct xen_ism_pend *p;
	unsigned long flags;
	long left;
	int cond;

	cond = push_wait(&pa, intr);
	if (cond)
		return cond;
	wa.gen = pa.gen;
	wa.idx = req->id % ISM_RING_ENTRIES;
	p = &dev->pend[wa.idx];
	left = wait_for(dev, intr, XEN_ISM_REQ_TIMEOUT, &cond, pend_cond, &wa);
	spin_lock_irqsave(&dev->lock, flags);
	if (dev->gen != wa.gen) {
		cond = -ESHUTDOWN;
	} else if (p->state == XEN_ISM_PEND_DONE) {
		*rsp = p->rsp;
		p->state = XEN_ISM_PEND_FREE;
		cond = rsp_status(dev, rsp);
	} else {
		if (p->state == XEN_ISM_PEND_WAIT) {
			p->state = XEN_ISM_PEND_ABANDONED;
			p->claim = NULL;
		}
		if (cond >= 0 && !left) {
			xen_ism_ring_broken(dev, "request timed out");
			cond = -ETIMEDOUT;
		} else if (cond >= 0) {
			cond = -EINTR;
		}
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	return cond;
}

/**
 * xen_ism_request() - place @req, wait for its response.
 * @dev: the device.
 * @req: the request (id is set here).
 * @rsp: the response, if 0 is returned or the backend refused.
 * @intr: whether a signal interrupts the wait.
 *
 * May sleep.  Return: the response's status, or -errno.
 */
int xen_ism_request(struct xen_ism_dev *dev, struct ism_req *req,
		    struct ism_rsp *rsp, bool intr)
{
	return request(dev, req, rsp, intr, NULL);
}

/**
 * xen_ism_post() - place @req; its response is dropped when it comes.
 * @dev: the device.
 * @req: the request (id is set here).
 *
 * The backend serves requests in order, so what is placed later comes
 * after it.  May sleep while the ring is full.  Return: 0 once placed,
 * or -errno.
 */
int xen_ism_post(struct xen_ism_dev *dev, struct ism_req *req)
{
	struct push_arg pa = {
		.dev = dev,
		.req = req,
		.state = XEN_ISM_PEND_POSTED,
	};

	return push_wait(&pa, false);
}

/*
 * ALLOC or ATTACH: @claim takes the slot of a successful answer as the
 * response is consumed, before any event that names it (interruptible).
 */
int xen_ism_request_claim(struct xen_ism_dev *dev, struct ism_req *req,
			  struct ism_rsp *rsp, struct xen_ism_region *claim)
{
	return request(dev, req, rsp, true, claim);
}
