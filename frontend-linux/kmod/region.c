// SPDX-License-Identifier: GPL-2.0-only
/*
 * region.c - regions: alloc, attach, info, permissions, the doorbell
 * (want, notify), detach and free.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>

#include "internal.h"

void xen_ism_region_get(struct xen_ism_region *r)
{
	kref_get(&r->kref);
}

static void bell_unmap(struct xen_ism_region *r)
{
	if (r->bell_page) {
		xen_ism_gnt_unmap(&r->bell_page, &r->bell_handle, 1, false);
		gnttab_free_pages(1, &r->bell_page);
	}
	r->bell_page = NULL;
	r->bell = NULL;
}

static void region_release(struct kref *kref)
{
	struct xen_ism_region *r =
		container_of(kref, struct xen_ism_region, kref);

	xen_ism_fp_close(r);
	xen_ism_region_unmap(r);
	bell_unmap(r);
	kvfree(r->grefs);
	xen_ism_dev_put(r->dev);
	kfree(r);
}

/* Process context only. */
void xen_ism_region_put(struct xen_ism_region *r)
{
	kref_put(&r->kref, region_release);
}

/* Is @d (copied from a response) a descriptor we can use? */
int xen_ism_desc_check(struct xen_ism_dev *dev, const struct ism_region_desc *d)
{
	u64 max_pages = dev->region_size / ISM_PAGE_SIZE;

	return ism_desc_validate(d, max_pages, dev->max_regions) ? -EPROTO : 0;
}

/* Take the peer's state from @d (dev->lock held). */
void xen_ism_region_apply_desc(struct xen_ism_region *r,
			       const struct ism_region_desc *d)
{
	r->peer_devid = d->peer_devid;
	r->peer_domid = d->peer_domid;
	r->peer_present = d->flags & ISM_DESC_F_PEER_PRESENT;
	if (d->flags & ISM_DESC_F_PEER_GONE)
		r->peer_gone = true;
}

/* Return a slot the backend made for us and we cannot use. */
static void give_back(struct xen_ism_dev *dev, const struct ism_region_desc *d)
{
	struct ism_req req = { .op = ISM_OP_DETACH };
	struct ism_rsp rsp;

	if (d->slot >= dev->max_regions)
		return;
	req.u.slot.token = d->token;
	req.u.slot.slot = d->slot;
	xen_ism_request(dev, &req, &rsp, false);
}

static int bell_map(struct xen_ism_region *r)
{
	u32 gref = r->d.bell_gref;
	int rc;

	rc = gnttab_alloc_pages(1, &r->bell_page);
	if (rc) {
		r->bell_page = NULL;
		return rc;
	}
	rc = xen_ism_gnt_map(r->dev, &gref, 1, false, &r->bell_page,
			     &r->bell_handle);
	if (rc) {
		gnttab_free_pages(1, &r->bell_page);
		r->bell_page = NULL;
		return rc;
	}
	r->bell = page_address(r->bell_page);
	r->peer_seq = READ_ONCE(r->bell->seq[r->d.side ^ 1]);
	return 0;
}

/*
 * Put @r in the slot @d names, as the response that made it is consumed
 * (dev->lock held).  Its events are held back until it is ready.  A
 * descriptor that is bad or names a slot in use leaves @r out.
 */
void xen_ism_region_claim(struct xen_ism_dev *dev, struct xen_ism_region *r,
			  const struct ism_region_desc *d)
{
	if (xen_ism_desc_check(dev, d) || d->state != ISM_RSTATE_ACTIVE ||
	    dev->slots[d->slot])
		return;
	r->d = *d;
	r->gen = dev->gen;
	if (!(d->perm & ISM_PERM_WRITE))
		r->ro = true;
	r->in_slot = true;
	dev->slots[d->slot] = r;
	xen_ism_region_apply_desc(r, d);
}

static struct xen_ism_region *region_prepare(struct xen_ism_dev *dev, bool ro,
					     xen_ism_event_fn fn, void *data)
{
	struct xen_ism_region *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	kref_init(&r->kref);
	mutex_init(&r->mlock);
	kref_get(&dev->kref);
	r->dev = dev;
	r->ro = ro;
	r->fn = fn;
	r->data = data;
	r->bell_handle = INVALID_GRANT_HANDLE;
	return r;
}

/* Map what a claimed region needs, then let its events through. */
static int region_setup(struct xen_ism_dev *dev, struct xen_ism_region *r)
{
	unsigned long flags;
	int rc;

	r->grefs = kvcalloc(r->d.nr_pages, sizeof(*r->grefs), GFP_KERNEL);
	rc = r->grefs ? 0 : -ENOMEM;
	if (!rc)
		rc = xen_ism_pgdir_walk(dev, r->d.dir_gref, r->d.nr_pages,
					r->grefs);
	if (!rc)
		rc = bell_map(r);
	if (rc)
		return rc;
	spin_lock_irqsave(&dev->lock, flags);
	if (!r->in_slot) {
		rc = -ESHUTDOWN;
	} else {
		r->ready = true;
		if (r->nr_early || r->upd_pending) {
			dev->work_updated = true;
			schedule_work(&dev->work);
		}
		if (r->fp_offer || r->fp_accept) {
			dev->work_fp = true;
			schedule_work(&dev->work);
		}
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	return rc;
}

static bool region_unlink(struct xen_ism_region *r);

/* Send ALLOC or ATTACH, make the region of its answer. */
static int region_new(struct xen_ism_dev *dev, struct ism_req *req, u64 token,
		      bool ro, xen_ism_event_fn fn, void *data,
		      struct xen_ism_region **r_out)
{
	struct xen_ism_region *r;
	struct ism_region_desc d;
	struct ism_rsp rsp;
	unsigned long flags;
	bool claimed;
	int rc;

	r = region_prepare(dev, ro, fn, data);
	if (!r)
		return -ENOMEM;
	rc = xen_ism_request_claim(dev, req, &rsp, r);
	if (rc) {
		xen_ism_region_put(r);
		return rc;
	}
	d = rsp.u.region;
	spin_lock_irqsave(&dev->lock, flags);
	claimed = r->in_slot;
	spin_unlock_irqrestore(&dev->lock, flags);
	if (!claimed || (token && d.token != token) ||
	    (!token && d.side != ISM_SIDE_OWNER)) {
		dev_warn_ratelimited(&dev->xb->dev,
				     "ism %u: bad region descriptor\n",
				     dev->devid);
		rc = -EPROTO;
	}
	if (!rc)
		rc = region_setup(dev, r);
	if (rc) {
		/* Give back a slot the backend made and we cannot use. */
		if (claimed && region_unlink(r))
			give_back(dev, &d);
		else if (!claimed && d.slot < dev->max_regions &&
			 !xen_ism_desc_check(dev, &d))
			give_back(dev, &d);
		xen_ism_region_put(r);
		return rc;
	}
	*r_out = r;
	return 0;
}

int xen_ism_region_alloc(struct xen_ism_dev *dev, u64 size, u32 perm,
			 xen_ism_event_fn fn, void *data,
			 struct xen_ism_region **r_out)
{
	struct ism_req req = { .op = ISM_OP_ALLOC };

	if (!dev || !r_out || !size || (perm & ~ISM_PERM_MASK))
		return -EINVAL;
	if (size > READ_ONCE(dev->region_size))
		return -EFBIG;
	req.u.alloc.size = size;
	req.u.alloc.flags = ISM_ALLOC_F_DEFAULT_PERM;
	req.u.alloc.perm = perm ? perm : ISM_PERM_DEFAULT;
	return region_new(dev, &req, 0, false, fn, data, r_out);
}
EXPORT_SYMBOL_GPL(xen_ism_region_alloc);

int xen_ism_region_attach(struct xen_ism_dev *dev, u64 token,
			  unsigned int flags, xen_ism_event_fn fn, void *data,
			  struct xen_ism_region **r_out)
{
	struct ism_req req = { .op = ISM_OP_ATTACH };
	bool ro = flags & XEN_ISM_ATTACH_READONLY;

	if (!dev || !r_out || !token || (flags & ~XEN_ISM_ATTACH_READONLY))
		return -EINVAL;
	req.u.attach.token = token;
	req.u.attach.flags = ro ? ISM_ATTACH_F_READONLY : 0;
	return region_new(dev, &req, token, ro, fn, data, r_out);
}
EXPORT_SYMBOL_GPL(xen_ism_region_attach);

void xen_ism_region_info(struct xen_ism_region *r,
			 struct xen_ism_region_info *info)
{
	unsigned long flags;

	memset(info, 0, sizeof(*info));
	info->token = r->d.token;
	info->size = r->d.size;
	info->slot = r->d.slot;
	info->perm = r->ro ? r->d.perm & ~ISM_PERM_WRITE : r->d.perm;
	info->side = r->d.side;
	spin_lock_irqsave(&r->dev->lock, flags);
	info->released = r->released || r->gone;
	info->peer_devid = r->peer_devid;
	info->peer_domid = r->peer_domid;
	info->peer_present = r->peer_present;
	info->fast_path = r->fp == XEN_ISM_FP_UP;
	spin_unlock_irqrestore(&r->dev->lock, flags);
}
EXPORT_SYMBOL_GPL(xen_ism_region_info);

/* -ESHUTDOWN, -EIDRM or 0 (dev->lock held). */
static int region_state_err(struct xen_ism_region *r)
{
	if (r->gone || r->gen != r->dev->gen)
		return -ESHUTDOWN;
	if (r->released)
		return -EIDRM;
	return 0;
}

int xen_ism_region_set_perm(struct xen_ism_region *r, u32 peer_devid, u32 perm,
			    u32 flags)
{
	struct ism_req req = { .op = ISM_OP_SET_PERM };
	struct ism_rsp rsp;
	unsigned long lflags;
	int rc;

	if (!r || (flags & ~ISM_SET_PERM_F_REMOVE) || (perm & ~ISM_PERM_MASK) ||
	    peer_devid > ISM_DEVID_MAX)
		return -EINVAL;
	spin_lock_irqsave(&r->dev->lock, lflags);
	rc = region_state_err(r);
	spin_unlock_irqrestore(&r->dev->lock, lflags);
	if (rc)
		return rc;
	req.u.set_perm.token = r->d.token;
	req.u.set_perm.slot = r->d.slot;
	req.u.set_perm.peer_devid = peer_devid;
	req.u.set_perm.perm = perm;
	req.u.set_perm.flags = flags;
	return xen_ism_request(r->dev, &req, &rsp, true);
}
EXPORT_SYMBOL_GPL(xen_ism_region_set_perm);

int xen_ism_region_notify(struct xen_ism_region *r, unsigned int flags)
{
	struct xen_ism_dev *dev;
	struct ism_req req = { .op = ISM_OP_NOTIFY };
	unsigned int other;
	unsigned long lflags;
	u32 seq;
	int rc;

	if (!r || (flags & ~(XEN_ISM_NOTIFY_FORCE | XEN_ISM_NOTIFY_COUNTED)))
		return -EINVAL;
	dev = r->dev;
	other = r->d.side == ISM_SIDE_OWNER ? ISM_SIDE_PEER : ISM_SIDE_OWNER;
	spin_lock_irqsave(&dev->lock, lflags);
	rc = region_state_err(r);
	if (!rc && !r->peer_present)
		rc = -ENOTCONN;
	if (rc || !r->bell)
		goto out;
	/* The caller's stores to the region before the count. */
	smp_mb();
	if (!(flags & XEN_ISM_NOTIFY_COUNTED)) {
		/* Counted from the page: a process mapping it counts there. */
		seq = READ_ONCE(r->bell->seq[r->d.side]);
		WRITE_ONCE(r->bell->seq[r->d.side], seq + 1);
		if (!xchg(&r->bell->want[other], 0) &&
		    !(flags & XEN_ISM_NOTIFY_FORCE)) {
			rc = 1; /* the peer does not wait: not signalled */
			goto out;
		}
	}
	if (r->notify_pending)
		goto out;
	if (r->fp == XEN_ISM_FP_UP && r->fp_irq) {
		notify_remote_via_irq(r->fp_irq);
		goto out;
	}
	xen_ism_fp_relayed(r);
	req.u.slot.token = r->d.token;
	req.u.slot.slot = r->d.slot;
	rc = xen_ism_post_locked(dev, &req);
	if (rc == -EAGAIN) {
		/* Ring full: the work item sends it when a response comes. */
		r->notify_pending = true;
		dev->work_notify = true;
		rc = 0;
	}
out:
	spin_unlock_irqrestore(&dev->lock, lflags);
	return rc;
}
EXPORT_SYMBOL_GPL(xen_ism_region_notify);

int xen_ism_region_want(struct xen_ism_region *r)
{
	struct xen_ism_dev *dev;
	unsigned long flags;
	int rc = 0;

	if (!r)
		return -EINVAL;
	dev = r->dev;
	spin_lock_irqsave(&dev->lock, flags);
	if (r->gone || r->gen != dev->gen) {
		rc = -ESHUTDOWN;
	} else if (r->bell && !r->released) {
		WRITE_ONCE(r->bell->want[r->d.side], 1);
		smp_mb();
		/*
		 * The peer may have counted an update before it saw our flag
		 * and then not signalled: report it rather than lose it.
		 */
		if (READ_ONCE(r->bell->seq[r->d.side ^ 1]) != r->peer_seq &&
		    !r->upd_pending) {
			r->upd_pending = true;
			dev->work_updated = true;
			schedule_work(&dev->work);
		}
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	smp_mb();
	return rc;
}
EXPORT_SYMBOL_GPL(xen_ism_region_want);

/* Take @r out of its slot and stop its events; may it still be named? */
static bool region_unlink(struct xen_ism_region *r)
{
	struct xen_ism_dev *dev = r->dev;
	unsigned long flags;
	bool send;

	spin_lock_irqsave(&dev->lock, flags);
	send = r->in_slot && r->gen == dev->gen &&
	       dev->conn == XEN_ISM_CONN_UP && !r->gone;
	if (r->in_slot && dev->slots[r->d.slot] == r)
		dev->slots[r->d.slot] = NULL;
	r->in_slot = false;
	r->released = true;
	r->notify_pending = false;
	r->upd_pending = false;
	spin_unlock_irqrestore(&dev->lock, flags);
	/* A callback running now finishes before we go on. */
	spin_lock_irqsave(&dev->evt_lock, flags);
	spin_unlock_irqrestore(&dev->evt_lock, flags);
	return send;
}

/*
 * DETACH or FREE (@op), posted: the slot is free here already, and
 * whatever this device sends later (an ALLOC or ATTACH given the same
 * slot) comes after it.  A FREE the backend refuses (the region was
 * released meanwhile) is followed by a DETACH (ring.c, give_back()).
 */
static int region_end(struct xen_ism_region *r, u8 op)
{
	struct ism_req req = { .op = op };
	bool send;
	int rc = 0;

	mutex_lock(&r->mlock);
	if (r->nr_vmas) {
		mutex_unlock(&r->mlock);
		return -EBUSY;
	}
	send = region_unlink(r);
	xen_ism_fp_close(r);
	xen_ism_region_unmap(r);
	bell_unmap(r);
	mutex_unlock(&r->mlock);
	if (send) {
		req.u.slot.token = r->d.token;
		req.u.slot.slot = r->d.slot;
		rc = xen_ism_post(r->dev, &req);
	}
	xen_ism_region_put(r);
	return rc;
}

int xen_ism_region_detach(struct xen_ism_region *r)
{
	int rc;

	if (!r)
		return -EINVAL;
	rc = region_end(r, ISM_OP_DETACH);
	return rc == -ESHUTDOWN || rc == -ENODEV ? 0 : rc;
}
EXPORT_SYMBOL_GPL(xen_ism_region_detach);

int xen_ism_region_free(struct xen_ism_region *r)
{
	if (!r)
		return -EINVAL;
	if (!(r->d.perm & ISM_PERM_MANAGE))
		return -EPERM;
	return region_end(r, ISM_OP_FREE);
}
EXPORT_SYMBOL_GPL(xen_ism_region_free);
