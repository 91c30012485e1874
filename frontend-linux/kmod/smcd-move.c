// SPDX-License-Identifier: GPL-2.0-only
/*
 * smcd-move.c - writing into peers' DMBs (move_data).
 *
 * SMC calls move_data in atomic context with a DMB token it learnt from
 * the peer during the handshake, and 6.1 has no op that announces the
 * token earlier.  So the first write to a token creates a remote DMB in
 * state ATTACHING and queues the data (bounded: XEN_ISM_SMCD_QUEUE_MAX
 * octets per device); the work item attaches and maps the region in
 * process context, then writes the queue out in order and makes the DMB
 * READY, after which move_data copies directly and signals the owner.
 * A token that cannot be attached (the backend's grant share is used up,
 * say; smcd-dmb.c's dmb_room() makes that rare) stays FAILED: its writes
 * fail with -EIO.  SMC would only mark the connection aborted, and its
 * peer, which learns that from writes into this very DMB, would wait
 * until its programs time out; so the link groups with the DMB's owner
 * (PEER names it) end at once on both sides, as if that device had
 * vanished: here, and there by a SIGNAL (XEN_ISM_SMCD_SIG_GONE).
 *
 * A remote DMB holds one reference for the table, one for each writer
 * copying into it and one while the work item attaches it.  It leaves
 * the table when its region is released or its owner vanishes; the last
 * reference puts it on the reap list, whose detach the work item does.
 */
#include <linux/slab.h>

#include "ismif.h"
#include "smcd.h"

enum rdmb_state {
	RDMB_ATTACHING, /* on xsd->attach; writes are queued */
	RDMB_DRAINING, /* attached; the work item writes the queue out */
	RDMB_READY, /* writes go straight in */
	RDMB_FAILED, /* writes fail */
};

struct rdmb_chunk {
	struct list_head link;
	unsigned int offset;
	unsigned int size;
	bool sf;
	u8 data[];
};

struct rdmb {
	struct hlist_node hnode;
	struct list_head link; /* on xsd->attach or xsd->reap */
	struct xen_ism_smcd *xsd;
	u64 tok;
	refcount_t ref;
	enum rdmb_state state;
	bool hashed;
	struct list_head queue; /* of struct rdmb_chunk */
	/* Set by the work item before the state leaves ATTACHING. */
	struct xen_ism_region *r;
	u32 owner_devid;
};

static struct rdmb *rdmb_find(struct xen_ism_smcd *xsd, u64 tok)
{
	struct rdmb *rd;

	hash_for_each_possible(xsd->rdmbs, rd, hnode, tok) {
		if (rd->tok == tok)
			return rd;
	}
	return NULL;
}

/* Drop a reference (atomic-safe); the last one hands @rd to the reaper. */
static void rdmb_put(struct rdmb *rd)
{
	struct xen_ism_smcd *xsd = rd->xsd;
	unsigned long flags;

	if (!refcount_dec_and_test(&rd->ref))
		return;
	spin_lock_irqsave(&xsd->lock, flags);
	list_add_tail(&rd->link, &xsd->reap);
	spin_unlock_irqrestore(&xsd->lock, flags);
	schedule_work(&xsd->work);
}

/* Take @rd out of the table (xsd->lock held); the caller puts its ref. */
static bool rdmb_unhash(struct rdmb *rd)
{
	if (!rd->hashed)
		return false;
	hash_del(&rd->hnode);
	rd->hashed = false;
	rd->xsd->nr_rdmbs--;
	return true;
}

static void rdmb_queue_free(struct rdmb *rd)
{
	struct rdmb_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, &rd->queue, link) {
		rd->xsd->queued -= c->size;
		list_del(&c->link);
		kfree(c);
	}
}

/* The owner's region went away: atomic context. */
static void rdmb_event(struct xen_ism_region *r, const struct xen_ism_event *ev,
		       void *data)
{
	struct rdmb *rd = data;
	struct xen_ism_smcd *xsd = rd->xsd;
	unsigned long flags;
	bool put;

	switch (ev->type) {
	case ISM_EVT_PEER_GONE:
	case ISM_EVT_REGION_RELEASED:
	case XEN_ISM_EVT_DEVICE_GONE:
		break;
	default:
		return;
	}
	spin_lock_irqsave(&xsd->lock, flags);
	put = rdmb_unhash(rd);
	spin_unlock_irqrestore(&xsd->lock, flags);
	/*
	 * The owner vanished, or freed the DMB: 6.1 frees a DMB only with its
	 * link group, so either way the link groups with that device end.
	 */
	if (ev->type != XEN_ISM_EVT_DEVICE_GONE)
		xen_ism_smcd_peer_gone(xsd, ev->peer_devid ?: rd->owner_devid);
	if (put)
		rdmb_put(rd);
}

static int rdmb_write(struct rdmb *rd, unsigned int offset, const void *data,
		      unsigned int size, bool sf)
{
	int rc;

	rc = xen_ism_region_write(rd->r, offset, data, size);
	if (rc || !sf)
		return rc;
	rc = xen_ism_region_notify(rd->r, XEN_ISM_NOTIFY_FORCE);
	return rc < 0 ? -EIO : 0;
}

/* Octets of a queued chunk: each one a single page (atomic allocations). */
#define RDMB_CHUNK_MAX (PAGE_SIZE - sizeof(struct rdmb_chunk))

/*
 * Queue a write for a DMB not attached yet (xsd->lock held), in chunks of
 * one page; the last one carries @sf.  All or nothing.
 */
static int rdmb_queue(struct rdmb *rd, unsigned int offset, const u8 *data,
		      unsigned int size, bool sf)
{
	struct xen_ism_smcd *xsd = rd->xsd;
	struct rdmb_chunk *c, *tmp;
	unsigned int n, done = 0;
	LIST_HEAD(chunks);

	if (size > XEN_ISM_SMCD_QUEUE_MAX - xsd->queued)
		return -ENOBUFS;
	do {
		n = min_t(unsigned int, size - done, RDMB_CHUNK_MAX);
		c = kmalloc(struct_size(c, data, n), GFP_ATOMIC | __GFP_NOWARN);
		if (!c)
			goto out_nomem;
		c->offset = offset + done;
		c->size = n;
		c->sf = sf && done + n == size;
		memcpy(c->data, data + done, n);
		list_add_tail(&c->link, &chunks);
		done += n;
	} while (done < size);
	list_splice_tail(&chunks, &rd->queue);
	xsd->queued += size;
	return 0;

out_nomem:
	list_for_each_entry_safe(c, tmp, &chunks, link)
		kfree(c);
	return -ENOMEM;
}

/* A new remote DMB for @tok, to attach (xsd->lock held). */
static struct rdmb *rdmb_new(struct xen_ism_smcd *xsd, u64 tok)
{
	struct rdmb *rd;

	if (xsd->nr_rdmbs >= XEN_ISM_SMCD_MAX_RDMBS)
		return NULL;
	rd = kzalloc(sizeof(*rd), GFP_ATOMIC);
	if (!rd)
		return NULL;
	rd->xsd = xsd;
	rd->tok = tok;
	refcount_set(&rd->ref, 1);
	rd->state = RDMB_ATTACHING;
	INIT_LIST_HEAD(&rd->queue);
	hash_add(xsd->rdmbs, &rd->hnode, tok);
	rd->hashed = true;
	xsd->nr_rdmbs++;
	list_add_tail(&rd->link, &xsd->attach);
	schedule_work(&xsd->work);
	return rd;
}

int xen_ism_smcd_move_data(struct smcd_dev *smcd, u64 dmb_tok, unsigned int idx,
			   bool sf, unsigned int offset, void *data,
			   unsigned int size)
{
	struct xen_ism_smcd *xsd = smcd->priv;
	struct rdmb *rd;
	unsigned long flags;
	int rc = 0;

	spin_lock_irqsave(&xsd->lock, flags);
	rd = rdmb_find(xsd, dmb_tok);
	if (!rd)
		rd = rdmb_new(xsd, dmb_tok);
	if (!rd) {
		rc = -ENOMEM;
	} else if (rd->state == RDMB_FAILED) {
		rc = -EIO;
	} else if (rd->state != RDMB_READY) {
		rc = rdmb_queue(rd, offset, data, size, sf);
	} else {
		refcount_inc(&rd->ref);
		spin_unlock_irqrestore(&xsd->lock, flags);
		rc = rdmb_write(rd, offset, data, size, sf);
		rdmb_put(rd);
		return rc;
	}
	spin_unlock_irqrestore(&xsd->lock, flags);
	return rc;
}

/* Attach and map @rd's region, then write its queue out. */
static void rdmb_attach(struct rdmb *rd)
{
	struct xen_ism_smcd *xsd = rd->xsd;
	struct xen_ism_region_info info;
	struct xen_ism_region *r;
	struct rdmb_chunk *c;
	unsigned long flags;
	u32 owner;
	int rc;

	rc = xen_ism_region_attach(xsd->xdev, rd->tok, 0, rdmb_event, rd, &r);
	if (!rc) {
		rd->r = r;
		xen_ism_region_info(r, &info);
		rd->owner_devid = info.peer_devid;
		rc = xen_ism_region_map_pages(r);
	} else if (xen_ism_dev_peer(xsd->xdev, rd->tok, 0, &owner) >= 0) {
		rd->owner_devid = owner;
	}
	spin_lock_irqsave(&xsd->lock, flags);
	rd->state = rc ? RDMB_FAILED : RDMB_DRAINING;
	if (rc)
		rdmb_queue_free(rd);
	while (!rc && !list_empty(&rd->queue)) {
		c = list_first_entry(&rd->queue, struct rdmb_chunk, link);
		list_del(&c->link);
		xsd->queued -= c->size;
		spin_unlock_irqrestore(&xsd->lock, flags);
		rc = rdmb_write(rd, c->offset, c->data, c->size, c->sf);
		kfree(c);
		spin_lock_irqsave(&xsd->lock, flags);
		if (rc) {
			rd->state = RDMB_FAILED;
			rdmb_queue_free(rd);
		}
	}
	if (!rc)
		rd->state = RDMB_READY;
	spin_unlock_irqrestore(&xsd->lock, flags);
	if (!rc)
		return;
	pr_warn_ratelimited(
		"xen-ism-smcd: ism %u: cannot write the DMB of device %u (token %016llx): %d: ending the link groups with it\n",
		xsd->devid, rd->owner_devid, rd->tok, rc);
	if (!rd->owner_devid)
		return;
	xen_ism_dev_signal(xsd->xdev, rd->owner_devid, XEN_ISM_SMCD_SIG_GONE,
			   0);
	xen_ism_smcd_peer_gone(xsd, rd->owner_devid);
}

void xen_ism_smcd_work(struct work_struct *work)
{
	struct xen_ism_smcd *xsd =
		container_of(work, struct xen_ism_smcd, work);
	struct rdmb *rd;
	unsigned long flags;

	spin_lock_irqsave(&xsd->lock, flags);
	while (!list_empty(&xsd->attach) || !list_empty(&xsd->reap)) {
		if (!list_empty(&xsd->attach)) {
			rd = list_first_entry(&xsd->attach, struct rdmb, link);
			list_del_init(&rd->link);
			refcount_inc(&rd->ref);
			spin_unlock_irqrestore(&xsd->lock, flags);
			rdmb_attach(rd);
			rdmb_put(rd);
		} else {
			rd = list_first_entry(&xsd->reap, struct rdmb, link);
			list_del(&rd->link);
			spin_unlock_irqrestore(&xsd->lock, flags);
			if (rd->r)
				xen_ism_region_detach(rd->r);
			spin_lock_irqsave(&xsd->lock, flags);
			rdmb_queue_free(rd);
			spin_unlock_irqrestore(&xsd->lock, flags);
			kfree(rd);
		}
		spin_lock_irqsave(&xsd->lock, flags);
	}
	spin_unlock_irqrestore(&xsd->lock, flags);
}

/*
 * Let every remote DMB go (the SMC-D device is unregistered: nobody
 * writes any more); process context.
 */
void xen_ism_smcd_rdmbs_drop(struct xen_ism_smcd *xsd)
{
	struct hlist_node *tmp;
	struct rdmb *rd;
	unsigned long flags;
	unsigned int b;
	LIST_HEAD(put);

	flush_work(&xsd->work);
	spin_lock_irqsave(&xsd->lock, flags);
	hash_for_each_safe(xsd->rdmbs, b, tmp, rd, hnode) {
		rdmb_unhash(rd);
		list_add_tail(&rd->link, &put);
	}
	spin_unlock_irqrestore(&xsd->lock, flags);
	while (!list_empty(&put)) {
		rd = list_first_entry(&put, struct rdmb, link);
		list_del(&rd->link);
		rdmb_put(rd);
	}
	flush_work(&xsd->work);
}
