// SPDX-License-Identifier: GPL-2.0-only
/*
 * chardev.c - /dev/xen-ism: xen-ism regions for unprivileged processes,
 * built on the in-kernel API (xen-ism.h).  The user interface is
 * xen-ism-dev.h; the man page is xen-ismfront(4).
 *
 * main.c must call xen_ism_chardev_init() from module init, once the
 * in-kernel API works (xen_ism_client_register() is called), and
 * xen_ism_chardev_exit() from module exit before the API goes away.
 *
 * Each open file has its own regions, named by small handles (an xarray,
 * handles 1 .. XISM_HANDLE_MAX allocated cyclically).  Locking:
 *  - xism_files_lock: the list of open files (for the client's remove);
 *    taken before a file's lock;
 *  - xism_file.lock: every ioctl and mmap of the file, and the region
 *    table.  No user memory is touched while it is held: mmap() holds
 *    mmap_lock when it takes it, and a fault under it would invert that.
 *  - xism_file.ev_lock: the event state, which the regions' callbacks
 *    (atomic context) update; irq-safe.
 */
#include <linux/compat.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "ismif.h"
#include "xen-ism.h"
#include "xen-ism-dev.h"
#include "chardev.h"
#include "rendezvous.h"

/* Handles of one file: 1 .. this. */
#define XISM_HANDLE_MAX 0xffffu
/* mmap_offset = handle * stride: no region is larger than the stride. */
#define XISM_MMAP_STRIDE ((u64)ISM_REGION_SIZE_LIMIT)
/* bell_offset = base + handle pages: past every region's offset. */
#define XISM_BELL_BASE (((u64)XISM_HANDLE_MAX + 1) * XISM_MMAP_STRIDE)
/* Life-cycle events queued per region (beyond: see xism_evq_push()). */
#define XISM_EVQ_LEN 8u
/* Events one read() returns at most. */
#define XISM_READ_MAX 32u

static_assert((XISM_MMAP_STRIDE & (XISM_MMAP_STRIDE - 1)) == 0 &&
	      XISM_MMAP_STRIDE >= PAGE_SIZE);
/* The layouts are the same for 32- and 64-bit processes. */
static_assert(sizeof(struct xen_ism_ioc_bind) == 8);
static_assert(sizeof(struct xen_ism_ioc_dev_info) == 72);
static_assert(sizeof(struct xen_ism_ioc_region) == 56);
static_assert(sizeof(struct xen_ism_ioc_alloc) == 72);
static_assert(offsetof(struct xen_ism_ioc_alloc, region) == 16);
static_assert(sizeof(struct xen_ism_ioc_attach) == 144);
static_assert(offsetof(struct xen_ism_ioc_attach, region) == 88);
static_assert(sizeof(struct xen_ism_ioc_set_perm) == 16);
static_assert(sizeof(struct xen_ism_ioc_handle) == 8);
static_assert(XEN_ISM_IOC_NOTIFY_FORCE == XEN_ISM_NOTIFY_FORCE &&
	      XEN_ISM_IOC_NOTIFY_COUNTED == XEN_ISM_NOTIFY_COUNTED);
static_assert(sizeof(struct xen_ism_ioc_name) == 76);
static_assert(sizeof(struct xen_ism_ioc_lookup) == 80);
static_assert(offsetof(struct xen_ism_ioc_lookup, token) == 72);
static_assert(sizeof(struct xen_ism_ioc_event) == 32);
static_assert(sizeof_field(struct xen_ism_ioc_name, name) >
	      ISM_RENDEZVOUS_NAME_MAX);

/* What a region's callback reported. */
struct xism_evrec {
	u64 token;
	u32 peer_devid;
	u16 peer_domid;
	u16 type;
	s32 status;
};

/* Events of a region besides its queue: at most one of each. */
#define XISM_PEND_UPDATED 0x1u /* coalesced until read */
#define XISM_PEND_PEER_GONE 0x2u /* at most once in a region's life */
#define XISM_PEND_RELEASED 0x4u /* at most once in a region's life */

struct xism_file;

struct xism_region {
	struct xism_file *f;
	struct xen_ism_region *r;
	u32 handle;
	u64 size;
	/* Under f->ev_lock.  On f->ev_list iff q_len or pend. */
	struct list_head ev_link;
	unsigned int pend;
	unsigned int q_head;
	unsigned int q_len;
	struct xism_evrec q[XISM_EVQ_LEN];
	struct xism_evrec upd;
	struct xism_evrec gone;
	struct xism_evrec rel;
};

struct xism_file {
	struct mutex lock;
	struct xen_ism_dev *dev; /* set once, by BIND */
	u64 gid;
	u32 devid;
	u16 domid; /* this domain */
	bool removed; /* the device was removed */
	struct xarray regions; /* handle -> struct xism_region */
	u32 next_handle;
	struct list_head node; /* on xism_files */
	struct xen_ism_rdv_names names; /* the names it published */

	spinlock_t ev_lock;
	struct list_head ev_list; /* regions with events to read */
	bool gone_pending; /* DEVICE_GONE to read */
	bool gone_seen; /* DEVICE_GONE was queued: never again */
	wait_queue_head_t wq;
};

static DEFINE_MUTEX(xism_files_lock);
static LIST_HEAD(xism_files);

/* Events. */

/* f->ev_lock held. */
static void xism_queue_gone(struct xism_file *f)
{
	if (!f->gone_seen) {
		f->gone_seen = true;
		f->gone_pending = true;
	}
}

/*
 * PEER_ATTACHED and PEER_DETACHED alternate.  When XISM_EVQ_LEN of them
 * are unread, a new one folds into the last: the opposite one cancels it
 * (the reader still sees the state the region is in), the same one
 * replaces it.  So nothing grows without bound and the last state is
 * never lost.  f->ev_lock held.
 */
static void xism_evq_push(struct xism_region *xr, const struct xism_evrec *rec)
{
	unsigned int last;

	if (xr->q_len < XISM_EVQ_LEN) {
		xr->q[(xr->q_head + xr->q_len) % XISM_EVQ_LEN] = *rec;
		xr->q_len++;
		return;
	}
	last = (xr->q_head + xr->q_len - 1) % XISM_EVQ_LEN;
	if (xr->q[last].type == rec->type)
		xr->q[last] = *rec;
	else
		xr->q_len--;
}

/* A region's callback: atomic context, never sleeps. */
static void xism_region_event(struct xen_ism_region *r,
			      const struct xen_ism_event *ev, void *data)
{
	struct xism_region *xr = data;
	struct xism_file *f = xr->f;
	struct xism_evrec rec = {
		.token = ev->token,
		.peer_devid = ev->peer_devid,
		.peer_domid = ev->peer_domid,
		.type = (u16)ev->type,
		.status = ev->status,
	};
	unsigned long flags;
	bool wake = true;

	spin_lock_irqsave(&f->ev_lock, flags);
	switch (ev->type) {
	case ISM_EVT_REGION_UPDATED:
		xr->pend |= XISM_PEND_UPDATED;
		xr->upd = rec;
		break;
	case ISM_EVT_PEER_ATTACHED:
	case ISM_EVT_PEER_DETACHED:
		xism_evq_push(xr, &rec);
		break;
	case ISM_EVT_PEER_GONE:
		xr->pend |= XISM_PEND_PEER_GONE;
		xr->gone = rec;
		break;
	case ISM_EVT_REGION_RELEASED:
		xr->pend |= XISM_PEND_RELEASED;
		xr->rel = rec;
		break;
	case XEN_ISM_EVT_DEVICE_GONE:
		xism_queue_gone(f);
		break;
	default:
		wake = false;
		break;
	}
	if ((xr->q_len || xr->pend) && list_empty(&xr->ev_link))
		list_add_tail(&xr->ev_link, &f->ev_list);
	spin_unlock_irqrestore(&f->ev_lock, flags);
	if (wake)
		wake_up_interruptible(&f->wq);
}

/*
 * Take the next event into @out.  Regions take turns; a region's queued
 * events come first, then UPDATED, PEER_GONE, REGION_RELEASED; the file's
 * DEVICE_GONE comes when no region has any.  f->ev_lock held.
 */
static bool xism_pop(struct xism_file *f, struct xen_ism_ioc_event *out)
{
	struct xism_region *xr;
	struct xism_evrec *rec;

	memset(out, 0, sizeof(*out));
	xr = list_first_entry_or_null(&f->ev_list, struct xism_region, ev_link);
	if (!xr) {
		if (!f->gone_pending)
			return false;
		f->gone_pending = false;
		out->type = XEN_ISM_EVT_DEVICE_GONE;
		out->peer_domid = ISM_DOMID_INVALID;
		return true;
	}
	if (xr->q_len) {
		rec = &xr->q[xr->q_head];
		xr->q_head = (xr->q_head + 1) % XISM_EVQ_LEN;
		xr->q_len--;
	} else if (xr->pend & XISM_PEND_UPDATED) {
		rec = &xr->upd;
		xr->pend &= ~XISM_PEND_UPDATED;
	} else if (xr->pend & XISM_PEND_PEER_GONE) {
		rec = &xr->gone;
		xr->pend &= ~XISM_PEND_PEER_GONE;
	} else {
		rec = &xr->rel;
		xr->pend &= ~XISM_PEND_RELEASED;
	}
	out->type = rec->type;
	out->handle = xr->handle;
	out->token = rec->token;
	out->peer_devid = rec->peer_devid;
	out->peer_domid = rec->peer_domid;
	out->status = rec->status;
	list_del_init(&xr->ev_link);
	if (xr->q_len || xr->pend)
		list_add_tail(&xr->ev_link, &f->ev_list);
	return true;
}

static bool xism_has_events(struct xism_file *f)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&f->ev_lock, flags);
	ret = !list_empty(&f->ev_list) || f->gone_pending;
	spin_unlock_irqrestore(&f->ev_lock, flags);
	return ret;
}

/* Regions. */

/* f->lock held. */
static struct xism_region *xism_lookup(struct xism_file *f, u32 handle)
{
	if (!handle || handle > XISM_HANDLE_MAX)
		return NULL;
	return xa_load(&f->regions, handle);
}

/* A new entry with its handle, for a region about to be made; f->lock held. */
static struct xism_region *xism_region_new(struct xism_file *f)
{
	struct xism_region *xr;
	int ret;

	xr = kzalloc(sizeof(*xr), GFP_KERNEL);
	if (!xr)
		return ERR_PTR(-ENOMEM);
	xr->f = f;
	INIT_LIST_HEAD(&xr->ev_link);
	ret = xa_alloc_cyclic(&f->regions, &xr->handle, xr,
			      XA_LIMIT(1, XISM_HANDLE_MAX), &f->next_handle,
			      GFP_KERNEL);
	if (ret < 0) {
		kfree(xr);
		return ERR_PTR(ret == -EBUSY ? -ENOSPC : ret);
	}
	return xr;
}

/*
 * Drop the entry of a region detached (or never made), with its unread
 * events: its callback runs no more.  f->lock held.
 */
static void xism_region_forget(struct xism_file *f, struct xism_region *xr)
{
	xa_erase(&f->regions, xr->handle);
	spin_lock_irq(&f->ev_lock);
	list_del_init(&xr->ev_link);
	spin_unlock_irq(&f->ev_lock);
	kfree(xr);
}

static void xism_region_describe(struct xism_region *xr,
				 struct xen_ism_ioc_region *out)
{
	struct xen_ism_region_info info;

	memset(&info, 0, sizeof(info));
	xen_ism_region_info(xr->r, &info);
	memset(out, 0, sizeof(*out));
	out->token = info.token;
	out->size = info.size;
	out->mmap_offset = (u64)xr->handle * XISM_MMAP_STRIDE;
	out->bell_offset = XISM_BELL_BASE + ((u64)xr->handle << PAGE_SHIFT);
	out->handle = xr->handle;
	out->slot = info.slot;
	out->perm = info.perm;
	out->peer_devid = info.peer_devid;
	out->peer_domid = info.peer_domid;
	out->side = (u8)info.side;
	if (info.released)
		out->flags |= XEN_ISM_REGION_F_RELEASED;
	if (info.peer_present)
		out->flags |= XEN_ISM_REGION_F_PEER_PRESENT;
	if (info.fast_path)
		out->flags |= XEN_ISM_REGION_F_FAST_PATH;
}

/*
 * Finish ALLOC or ATTACH: @ret is what the in-kernel API answered.  On
 * success describe the region into @out; else drop the entry.  f->lock
 * held.
 */
static int xism_region_made(struct xism_file *f, struct xism_region *xr,
			    int ret, struct xen_ism_ioc_region *out)
{
	if (!ret) {
		xism_region_describe(xr, out);
		xr->size = out->size;
		/* The stride of mmap offsets must hold it (ismif.h's limit). */
		if (!xr->size || xr->size > XISM_MMAP_STRIDE ||
		    !PAGE_ALIGNED(xr->size)) {
			xen_ism_region_detach(xr->r);
			ret = -EPROTO;
		}
	}
	if (ret)
		xism_region_forget(f, xr);
	return ret;
}

/*
 * Detach every region of @f.  Returns how many could not be (mapped by a
 * VMA: never at release, when no VMA is left).  f->lock held.
 */
static unsigned int xism_detach_all(struct xism_file *f)
{
	struct xism_region *xr;
	unsigned int busy = 0;
	unsigned long idx;

	xa_for_each(&f->regions, idx, xr) {
		if (xen_ism_region_detach(xr->r) == -EBUSY)
			busy++;
		else
			xism_region_forget(f, xr);
	}
	return busy;
}

/* 0 if @f may use its device: bound, not removed.  f->lock held. */
static int xism_dev_usable(struct xism_file *f)
{
	if (!f->dev)
		return -ENOTTY;
	return f->removed ? -ENODEV : 0;
}

/* The ioctls.  Each copies its argument in once, and out once. */

static int xism_ioc_bind(struct xism_file *f, void __user *uarg)
{
	struct xen_ism_ioc_bind b;
	struct xen_ism_dev_info info;
	struct xen_ism_dev *dev;
	u16 self;
	int ret;

	if (copy_from_user(&b, uarg, sizeof(b)))
		return -EFAULT;
	if (b.flags || b.devid > ISM_DEVID_MAX)
		return -EINVAL;
	if (READ_ONCE(f->dev))
		return -EALREADY;
	/* Not under f->lock: the device's removal takes it. */
	dev = xen_ism_dev_get(b.devid);
	if (!dev)
		return -ENODEV;
	memset(&info, 0, sizeof(info));
	ret = xen_ism_dev_info(dev, &info);
	/* Our domid, for names: xenstore's ~/domid, else the device's. */
	if (!ret && xen_ism_rdv_self(&self))
		self = info.domid;
	if (!ret) {
		mutex_lock(&f->lock);
		if (f->dev) {
			ret = -EALREADY;
		} else {
			f->gid = info.gid;
			f->devid = info.devid;
			f->domid = self;
			WRITE_ONCE(f->dev, dev);
			dev = NULL;
		}
		mutex_unlock(&f->lock);
	}
	if (dev)
		xen_ism_dev_put(dev);
	if (ret)
		return ret;
	b.devid = info.devid;
	return copy_to_user(uarg, &b, sizeof(b)) ? -EFAULT : 0;
}

static int xism_ioc_dev_info(struct xism_file *f, void __user *uarg)
{
	struct xen_ism_ioc_dev_info out;
	struct xen_ism_dev_info info;
	int ret;

	memset(&info, 0, sizeof(info));
	mutex_lock(&f->lock);
	ret = xism_dev_usable(f);
	if (!ret)
		ret = xen_ism_dev_info(f->dev, &info);
	mutex_unlock(&f->lock);
	if (ret)
		return ret;
	memset(&out, 0, sizeof(out));
	out.gid = info.gid;
	out.region_size = info.region_size;
	out.max_bytes = info.max_bytes;
	out.bytes_used = info.bytes_used;
	out.devid = info.devid;
	out.domid = f->domid;
	out.backend_domid = info.backend_domid;
	out.version = ISM_PROTOCOL_VERSION_INT;
	out.max_regions = info.max_regions;
	out.max_peers = info.max_peers;
	out.max_perm_entries = info.max_perm_entries;
	out.slots_used = info.slots_used;
	out.peers_used = info.peers_used;
	out.quarantined_pages = info.quarantined_pages;
	if (info.fast_path)
		out.flags |= XEN_ISM_DEV_F_FAST_PATH;
	if (info.connected)
		out.flags |= XEN_ISM_DEV_F_CONNECTED;
	return copy_to_user(uarg, &out, sizeof(out)) ? -EFAULT : 0;
}

static int xism_ioc_alloc(struct xism_file *f, void __user *uarg)
{
	struct xen_ism_ioc_alloc a;
	struct xism_region *xr;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || (a.perm & ~ISM_PERM_MASK) || !a.size)
		return -EINVAL;
	if (a.size > XISM_MMAP_STRIDE)
		return -EFBIG;
	mutex_lock(&f->lock);
	ret = xism_dev_usable(f);
	if (ret)
		goto out;
	xr = xism_region_new(f);
	if (IS_ERR(xr)) {
		ret = PTR_ERR(xr);
		goto out;
	}
	ret = xen_ism_region_alloc(f->dev, a.size, a.perm, xism_region_event,
				   xr, &xr->r);
	ret = xism_region_made(f, xr, ret, &a.region);
out:
	mutex_unlock(&f->lock);
	if (ret)
		return ret;
	/* On a fault the region stays, under a handle unknown: close frees. */
	return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : 0;
}

static int xism_ioc_attach(struct xism_file *f, void __user *uarg)
{
	struct xen_ism_ioc_attach __user *ua = uarg;
	struct xen_ism_ioc_attach a;
	struct xism_region *xr;
	unsigned int flags = 0;
	bool named;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if ((a.flags & ~XEN_ISM_IOC_ATTACH_READONLY) || a.pad0 || a.pad1 ||
	    !memchr(a.name, '\0', sizeof(a.name)))
		return -EINVAL;
	named = a.name[0] != '\0';
	if (named ? a.token || !xen_ism_rdv_name_valid(a.name) ||
			    a.from_domid > ISM_DOMID_MAX :
		    !a.token)
		return -EINVAL;
	if (a.flags & XEN_ISM_IOC_ATTACH_READONLY)
		flags |= XEN_ISM_ATTACH_READONLY;
	mutex_lock(&f->lock);
	ret = xism_dev_usable(f);
	if (ret)
		goto out;
	/* Names are for another domain: ours are no business of users. */
	if (named)
		ret = a.from_domid == f->domid ?
			      -EINVAL :
			      xen_ism_rdv_lookup(a.from_domid, a.name, f->gid,
						 &a.token);
	if (ret)
		goto out;
	xr = xism_region_new(f);
	if (IS_ERR(xr)) {
		ret = PTR_ERR(xr);
		goto out;
	}
	ret = xen_ism_region_attach(f->dev, a.token, flags, xism_region_event,
				    xr, &xr->r);
	ret = xism_region_made(f, xr, ret, &a.region);
out:
	mutex_unlock(&f->lock);
	if (ret)
		return ret;
	return copy_to_user(&ua->region, &a.region, sizeof(a.region)) ?
		       -EFAULT :
		       0;
}

static int xism_ioc_region_info(struct xism_file *f, void __user *uarg)
{
	struct xen_ism_ioc_region reg;
	struct xism_region *xr;
	int ret = 0;

	if (copy_from_user(&reg, uarg, sizeof(reg)))
		return -EFAULT;
	mutex_lock(&f->lock);
	xr = xism_lookup(f, reg.handle);
	if (xr)
		xism_region_describe(xr, &reg);
	else
		ret = -ENOENT;
	mutex_unlock(&f->lock);
	if (ret)
		return ret;
	return copy_to_user(uarg, &reg, sizeof(reg)) ? -EFAULT : 0;
}

static int xism_ioc_set_perm(struct xism_file *f, void __user *uarg)
{
	struct xen_ism_ioc_set_perm s;
	struct xism_region *xr;
	int ret;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if ((s.perm & ~ISM_PERM_MASK) || (s.flags & ~ISM_SET_PERM_F_REMOVE) ||
	    s.peer_devid > ISM_DEVID_MAX)
		return -EINVAL;
	mutex_lock(&f->lock);
	xr = xism_lookup(f, s.handle);
	ret = xr ? xen_ism_region_set_perm(xr->r, s.peer_devid, s.perm,
					   s.flags) :
		   -ENOENT;
	mutex_unlock(&f->lock);
	return ret;
}

/* NOTIFY, WANT, DETACH and FREE. */
static int xism_ioc_handle(struct xism_file *f, unsigned int cmd,
			   void __user *uarg)
{
	struct xen_ism_ioc_handle h;
	struct xism_region *xr;
	u32 allowed = 0;
	int ret;

	if (copy_from_user(&h, uarg, sizeof(h)))
		return -EFAULT;
	if (cmd == XEN_ISM_IOC_NOTIFY)
		allowed = XEN_ISM_IOC_NOTIFY_FORCE | XEN_ISM_IOC_NOTIFY_COUNTED;
	if (h.flags & ~allowed)
		return -EINVAL;
	mutex_lock(&f->lock);
	xr = xism_lookup(f, h.handle);
	if (!xr) {
		ret = -ENOENT;
		goto out;
	}
	switch (cmd) {
	case XEN_ISM_IOC_NOTIFY:
		/* The uapi's flags are the API's (asserted above). */
		ret = xen_ism_region_notify(xr->r, h.flags);
		break;
	case XEN_ISM_IOC_WANT:
		ret = xen_ism_region_want(xr->r);
		break;
	case XEN_ISM_IOC_DETACH:
		/* Whatever else it returns, the region is gone here. */
		ret = xen_ism_region_detach(xr->r);
		if (ret != -EBUSY)
			xism_region_forget(f, xr);
		break;
	default: /* XEN_ISM_IOC_FREE */
		ret = xen_ism_region_free(xr->r);
		if (ret != -EBUSY && ret != -EPERM)
			xism_region_forget(f, xr);
		break;
	}
out:
	mutex_unlock(&f->lock);
	return ret;
}

/* PUBLISH and UNPUBLISH. */
static int xism_ioc_name(struct xism_file *f, unsigned int cmd,
			 void __user *uarg)
{
	struct xen_ism_region_info info;
	struct xen_ism_ioc_name n;
	struct xism_region *xr;
	int ret;

	if (copy_from_user(&n, uarg, sizeof(n)))
		return -EFAULT;
	if (n.pad0 || !memchr(n.name, '\0', sizeof(n.name)) ||
	    !xen_ism_rdv_name_valid(n.name))
		return -EINVAL;
	if (cmd == XEN_ISM_IOC_UNPUBLISH && (n.handle || n.peer_domid))
		return -EINVAL;
	mutex_lock(&f->lock);
	if (cmd == XEN_ISM_IOC_UNPUBLISH) {
		ret = xen_ism_rdv_unpublish(&f->names, f->domid, n.name);
		goto out;
	}
	ret = xism_dev_usable(f);
	if (ret)
		goto out;
	/* Only a token of a region this file holds. */
	xr = xism_lookup(f, n.handle);
	if (!xr) {
		ret = -ENOENT;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	xen_ism_region_info(xr->r, &info);
	ret = xen_ism_rdv_publish(&f->names, f->domid, n.name, f->gid, f->devid,
				  info.token, n.peer_domid);
out:
	mutex_unlock(&f->lock);
	return ret;
}

static int xism_ioc_lookup(struct xism_file *f, void __user *uarg)
{
	struct xen_ism_ioc_lookup __user *ul = uarg;
	struct xen_ism_ioc_lookup l;
	u64 token = 0;
	int ret;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;
	if (l.pad0 || !memchr(l.name, '\0', sizeof(l.name)) ||
	    !xen_ism_rdv_name_valid(l.name) || l.from_domid > ISM_DOMID_MAX)
		return -EINVAL;
	mutex_lock(&f->lock);
	ret = xism_dev_usable(f);
	if (!ret)
		ret = l.from_domid == f->domid ?
			      -EINVAL :
			      xen_ism_rdv_lookup(l.from_domid, l.name, f->gid,
						 &token);
	mutex_unlock(&f->lock);
	if (ret)
		return ret;
	return copy_to_user(&ul->token, &token, sizeof(token)) ? -EFAULT : 0;
}

static long xism_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct xism_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (cmd != XEN_ISM_IOC_BIND && !READ_ONCE(f->dev))
		return -ENOTTY;
	switch (cmd) {
	case XEN_ISM_IOC_BIND:
		return xism_ioc_bind(f, uarg);
	case XEN_ISM_IOC_DEV_INFO:
		return xism_ioc_dev_info(f, uarg);
	case XEN_ISM_IOC_ALLOC:
		return xism_ioc_alloc(f, uarg);
	case XEN_ISM_IOC_ATTACH:
		return xism_ioc_attach(f, uarg);
	case XEN_ISM_IOC_REGION_INFO:
		return xism_ioc_region_info(f, uarg);
	case XEN_ISM_IOC_SET_PERM:
		return xism_ioc_set_perm(f, uarg);
	case XEN_ISM_IOC_NOTIFY:
	case XEN_ISM_IOC_WANT:
	case XEN_ISM_IOC_DETACH:
	case XEN_ISM_IOC_FREE:
		return xism_ioc_handle(f, cmd, uarg);
	case XEN_ISM_IOC_PUBLISH:
	case XEN_ISM_IOC_UNPUBLISH:
		return xism_ioc_name(f, cmd, uarg);
	case XEN_ISM_IOC_LOOKUP:
		return xism_ioc_lookup(f, uarg);
	default:
		return -ENOTTY;
	}
}

/* The other file operations. */

/* A region at handle * stride, or a doorbell past XISM_BELL_BASE. */
static int xism_mmap(struct file *file, struct vm_area_struct *vma)
{
	const unsigned long stride = XISM_MMAP_STRIDE >> PAGE_SHIFT;
	const unsigned long bells = XISM_BELL_BASE >> PAGE_SHIFT;
	unsigned long len = vma->vm_end - vma->vm_start;
	struct xism_file *f = file->private_data;
	struct xism_region *xr;
	unsigned long handle;
	bool bell;
	int ret;

	bell = vma->vm_pgoff >= bells;
	if (!(vma->vm_flags & VM_SHARED) || (!bell && vma->vm_pgoff % stride))
		return -EINVAL;
	handle = bell ? vma->vm_pgoff - bells : vma->vm_pgoff / stride;
	if (!handle || handle > XISM_HANDLE_MAX)
		return -ENXIO;
	mutex_lock(&f->lock);
	xr = xism_lookup(f, handle);
	if (!xr)
		ret = -ENXIO;
	else if (len != (bell ? PAGE_SIZE : xr->size))
		ret = -EINVAL;
	else if (bell)
		ret = xen_ism_bell_mmap(xr->r, vma);
	else
		ret = xen_ism_region_mmap(xr->r, vma);
	mutex_unlock(&f->lock);
	return ret;
}

static ssize_t xism_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	const size_t max = min_t(size_t,
				 count / sizeof(struct xen_ism_ioc_event),
				 XISM_READ_MAX);
	struct xism_file *f = file->private_data;
	struct xen_ism_ioc_event *evs;
	size_t n = 0;
	ssize_t ret;

	if (!max)
		return -EINVAL;
	evs = kcalloc(max, sizeof(*evs), GFP_KERNEL);
	if (!evs)
		return -ENOMEM;
	for (;;) {
		spin_lock_irq(&f->ev_lock);
		while (n < max && xism_pop(f, &evs[n]))
			n++;
		spin_unlock_irq(&f->ev_lock);
		if (n)
			break;
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out;
		}
		ret = wait_event_interruptible(f->wq, xism_has_events(f));
		if (ret)
			goto out;
	}
	/* Events taken are gone: a bad buffer loses them. */
	ret = copy_to_user(buf, evs, n * sizeof(*evs)) ? -EFAULT :
							 n * sizeof(*evs);
out:
	kfree(evs);
	return ret;
}

static __poll_t xism_poll(struct file *file, poll_table *wait)
{
	struct xism_file *f = file->private_data;

	poll_wait(file, &f->wq, wait);
	return xism_has_events(f) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int xism_open(struct inode *inode, struct file *file)
{
	struct xism_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	xa_init_flags(&f->regions, XA_FLAGS_ALLOC);
	spin_lock_init(&f->ev_lock);
	INIT_LIST_HEAD(&f->ev_list);
	init_waitqueue_head(&f->wq);
	xen_ism_rdv_names_init(&f->names);
	mutex_lock(&xism_files_lock);
	list_add(&f->node, &xism_files);
	mutex_unlock(&xism_files_lock);
	file->private_data = f;
	return stream_open(inode, file);
}

/* The last close: no VMA is left (each holds the file), no ioctl runs. */
static int xism_release(struct inode *inode, struct file *file)
{
	struct xism_file *f = file->private_data;
	unsigned int busy;

	mutex_lock(&xism_files_lock);
	list_del(&f->node);
	mutex_unlock(&xism_files_lock);
	mutex_lock(&f->lock);
	/* Its names first: no peer looks up a region going away. */
	xen_ism_rdv_unpublish_all(&f->names, f->domid);
	busy = xism_detach_all(f);
	mutex_unlock(&f->lock);
	if (f->dev)
		xen_ism_dev_put(f->dev);
	/* A region still there could still call back into f: keep it. */
	if (WARN_ONCE(busy, "xen-ism: %u regions still mapped at release\n",
		      busy))
		return 0;
	xa_destroy(&f->regions);
	kfree(f);
	return 0;
}

static const struct file_operations xism_fops = {
	.owner = THIS_MODULE,
	.open = xism_open,
	.release = xism_release,
	.read = xism_read,
	.poll = xism_poll,
	.mmap = xism_mmap,
	.unlocked_ioctl = xism_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice xism_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = XEN_ISM_DEV_NAME,
	.fops = &xism_fops,
	.mode = 0660,
};

/* The client of the in-kernel API. */

static void xism_client_add(struct xen_ism_dev *dev)
{
}

/*
 * @dev goes away: detach the regions of every file bound to it; the
 * files report DEVICE_GONE, and their ioctls but REGION_INFO, DETACH and
 * FREE fail with ENODEV.  A region a VMA still maps cannot be detached
 * (-EBUSY): it stays until munmap() and DETACH, or the file's release.
 */
static void xism_client_remove(struct xen_ism_dev *dev)
{
	struct xism_file *f;
	unsigned long flags;

	mutex_lock(&xism_files_lock);
	list_for_each_entry(f, &xism_files, node) {
		mutex_lock(&f->lock);
		if (f->dev == dev && !f->removed) {
			f->removed = true;
			xism_detach_all(f);
			spin_lock_irqsave(&f->ev_lock, flags);
			xism_queue_gone(f);
			spin_unlock_irqrestore(&f->ev_lock, flags);
			wake_up_interruptible(&f->wq);
		}
		mutex_unlock(&f->lock);
	}
	mutex_unlock(&xism_files_lock);
}

static struct xen_ism_client xism_client = {
	.name = "xen-ism chardev",
	.add = xism_client_add,
	.remove = xism_client_remove,
};

int xen_ism_chardev_init(void)
{
	int ret;

	ret = xen_ism_client_register(&xism_client);
	if (ret)
		return ret;
	ret = misc_register(&xism_misc);
	if (ret)
		xen_ism_client_unregister(&xism_client);
	return ret;
}

void xen_ism_chardev_exit(void)
{
	misc_deregister(&xism_misc);
	xen_ism_client_unregister(&xism_client);
}
