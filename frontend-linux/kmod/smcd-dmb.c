// SPDX-License-Identifier: GPL-2.0-only
/*
 * smcd-dmb.c - the DMBs of this guest.  Each is a xen-ism region this
 * device owns, which only the connection's peer device may attach (and
 * write), mapped contiguously in the direct map as SMC requires.  Its
 * update events are the DMB's interrupts; its peer's death, or its own
 * release, ends the link group with that peer (an ISM_EVENT_GID event,
 * as ISM hardware reports a GID that went away).
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "ismif.h"
#include "smcd.h"

static void dmb_gid_gone(struct xen_ism_smcd_dmb *d)
{
	struct smcd_event ev = { .type = ISM_EVENT_GID, .tok = d->rgid };

	smcd_handle_event(d->xsd->smcd, &ev);
}

/* A region's callback: atomic context. */
static void dmb_event(struct xen_ism_region *r, const struct xen_ism_event *ev,
		      void *data)
{
	struct xen_ism_smcd_dmb *d = data;

	switch (ev->type) {
	case ISM_EVT_REGION_UPDATED:
		smcd_handle_irq(d->xsd->smcd, d->sba_idx, 0);
		break;
	case ISM_EVT_PEER_GONE:
	case ISM_EVT_REGION_RELEASED:
	case XEN_ISM_EVT_DEVICE_GONE:
		dmb_gid_gone(d);
		break;
	}
}

/* Reserve @want (0: any free index) for @d. */
static int dmb_index_take(struct xen_ism_smcd *xsd, struct xen_ism_smcd_dmb *d,
			  u32 want)
{
	unsigned long flags;
	u32 i = want ? want : 1;
	int rc = 0;

	spin_lock_irqsave(&xsd->lock, flags);
	if (!want)
		while (i < XEN_ISM_SMCD_MAX_DMBS && xsd->dmbs[i])
			i++;
	if (i >= XEN_ISM_SMCD_MAX_DMBS)
		rc = want ? -EINVAL : -ENOSPC;
	else if (xsd->dmbs[i])
		rc = -EINVAL;
	else
		xsd->dmbs[i] = d;
	spin_unlock_irqrestore(&xsd->lock, flags);
	d->sba_idx = i;
	return rc;
}

static void dmb_index_put(struct xen_ism_smcd *xsd, u32 i)
{
	unsigned long flags;

	spin_lock_irqsave(&xsd->lock, flags);
	xsd->dmbs[i] = NULL;
	spin_unlock_irqrestore(&xsd->lock, flags);
}

/*
 * Is there room for a DMB of @len octets?  The peer attaches it, and this
 * device attaches the peer's (about as large): both count against the
 * backend's grants for this domain, whose share of the backend's pool is
 * at most its byte quota's worth and shrinks as guests come (a third of
 * the pool with two guests).  So this device's own DMBs take a quarter of
 * that quota at most: past it, SMC takes a smaller DMB or TCP while the
 * connection is made, rather than one side failing to attach the other's
 * buffer later, when the connection could only stall.
 */
static int dmb_room(struct xen_ism_smcd *xsd, u32 len)
{
	struct xen_ism_dev_info info;
	int rc;

	rc = xen_ism_dev_info(xsd->xdev, &info);
	if (rc)
		return rc;
	if (4 * (info.bytes_used + PAGE_ALIGN(len)) > info.max_bytes)
		return -ENOSPC;
	return 0;
}

int xen_ism_smcd_register_dmb(struct smcd_dev *smcd, struct smcd_dmb *dmb)
{
	struct xen_ism_smcd *xsd = smcd->priv;
	u32 peer = xen_ism_smcd_gid_devid(dmb->rgid);
	struct xen_ism_region_info info;
	struct xen_ism_smcd_dmb *d;
	void *addr;
	int rc;

	if (!peer || !dmb->dmb_len)
		return -EINVAL;
	rc = dmb_room(xsd, dmb->dmb_len);
	if (rc)
		return rc;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->xsd = xsd;
	d->rgid = dmb->rgid;
	rc = dmb_index_take(xsd, d, dmb->sba_idx);
	if (rc)
		goto out_free;
	rc = xen_ism_region_alloc(xsd->xdev, dmb->dmb_len, ISM_PERM_DENY_OTHER,
				  dmb_event, d, &d->r);
	if (rc)
		goto out_index;
	rc = xen_ism_region_set_perm(d->r, peer,
				     ISM_PERM_WRITE | ISM_PERM_ATTACH, 0);
	if (!rc)
		rc = xen_ism_region_map(d->r, &addr);
	if (rc)
		goto out_region;
	xen_ism_region_info(d->r, &info);
	dmb->dmb_tok = info.token;
	dmb->sba_idx = d->sba_idx;
	dmb->cpu_addr = addr;
	dmb->dma_addr = virt_to_phys(addr);
	return 0;

out_region:
	xen_ism_region_free(d->r);
out_index:
	dmb_index_put(xsd, d->sba_idx);
out_free:
	kfree(d);
	return rc;
}

int xen_ism_smcd_unregister_dmb(struct smcd_dev *smcd, struct smcd_dmb *dmb)
{
	struct xen_ism_smcd *xsd = smcd->priv;
	struct xen_ism_smcd_dmb *d = NULL;
	struct xen_ism_region_info info;
	unsigned long flags;

	spin_lock_irqsave(&xsd->lock, flags);
	if (dmb->sba_idx < XEN_ISM_SMCD_MAX_DMBS)
		d = xsd->dmbs[dmb->sba_idx];
	spin_unlock_irqrestore(&xsd->lock, flags);
	if (!d)
		return -EINVAL;
	xen_ism_region_info(d->r, &info);
	if (info.token != dmb->dmb_tok)
		return -EINVAL;
	/*
	 * FREE releases the region for the peer too; the backend keeps its
	 * pages while the peer still maps them.  Whatever FREE returns, the
	 * region is gone here.
	 */
	xen_ism_region_free(d->r);
	dmb_index_put(xsd, d->sba_idx);
	kfree(d);
	return 0;
}

/* A peer device vanished: end the link groups with it (atomic-safe). */
void xen_ism_smcd_peer_gone(struct xen_ism_smcd *xsd, u32 peer_devid)
{
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&xsd->lock, flags);
	for (i = 1; i < XEN_ISM_SMCD_MAX_DMBS; i++)
		if (xsd->dmbs[i] &&
		    xen_ism_smcd_gid_devid(xsd->dmbs[i]->rgid) == peer_devid)
			dmb_gid_gone(xsd->dmbs[i]);
	spin_unlock_irqrestore(&xsd->lock, flags);
}

/*
 * SMC's software event from a peer device (its signal_event): SMC names
 * the peer by its GID, which the DMBs shared with it know (atomic-safe).
 * With none, SMC has nothing with that peer the event could be about.
 */
void xen_ism_smcd_peer_event(struct xen_ism_smcd *xsd, u32 peer_devid, u32 code,
			     u64 info)
{
	struct smcd_event ev = { .type = ISM_EVENT_SWR,
				 .code = code,
				 .info = info };
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&xsd->lock, flags);
	for (i = 1; i < XEN_ISM_SMCD_MAX_DMBS && !ev.tok; i++)
		if (xsd->dmbs[i] &&
		    xen_ism_smcd_gid_devid(xsd->dmbs[i]->rgid) == peer_devid)
			ev.tok = xsd->dmbs[i]->rgid;
	spin_unlock_irqrestore(&xsd->lock, flags);
	if (ev.tok)
		smcd_handle_event(xsd->smcd, &ev);
}
