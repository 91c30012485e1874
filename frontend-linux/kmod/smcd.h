/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * smcd.h - what the files of xen-ism-smcd share: an SMC-D device (Linux
 * 6.1's smcd_ops) on each xen-ism device, on xen-ismfront's in-kernel API.
 *
 * A DMB (the buffer a connection's peer writes into) is a xen-ism region
 * that this guest owns, mapped contiguously (xen_ism_region_map()) as
 * SMC requires, and writable by the peer's device only.  Its token is
 * the DMB token.  A peer's DMB that this guest writes (move_data) is
 * attached on first use, its pages mapped (xen_ism_region_map_pages()); until the attach is done, in process context, what SMC writes to
 * it waits in a bounded queue (move_data runs in atomic context).
 *
 * Locking: xsd->lock (irqsave) guards the DMB tables, the remote DMBs'
 * states and queues.  The regions' event callbacks take it (atomic
 * context); nothing calls into xen-ismfront while holding it.
 */
#ifndef XEN_ISM_SMCD_H
#define XEN_ISM_SMCD_H

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/smc.h>

#include "xen-ism.h"

/* DMB indices (sba_idx); 0 is never given out ("pick one" to SMC). */
#define XEN_ISM_SMCD_MAX_DMBS 1024
/* Peers' DMBs known at once, and octets queued for those being attached. */
#define XEN_ISM_SMCD_MAX_RDMBS 2048
#define XEN_ISM_SMCD_QUEUE_MAX (32u << 20)

struct xen_ism_smcd_dmb;

/* One SMC-D device, on one xen-ism device. */
struct xen_ism_smcd {
	struct list_head node; /* in the module's list */
	struct xen_ism_dev *xdev;
	struct smcd_dev *smcd;
	struct device *parent; /* see smcd-main.c, parent_new() */
	struct work_struct setup;
	u32 devid;
	u16 chid;

	spinlock_t lock;
	/* Owned DMBs by sba_idx. */
	struct xen_ism_smcd_dmb *dmbs[XEN_ISM_SMCD_MAX_DMBS];
	/* Peers' DMBs by token, the ones to attach, the ones to let go. */
	DECLARE_HASHTABLE(rdmbs, 8);
	unsigned int nr_rdmbs;
	size_t queued;
	struct list_head attach;
	struct list_head reap;
	struct work_struct work;
};

/* A DMB of this guest. */
struct xen_ism_smcd_dmb {
	struct xen_ism_smcd *xsd;
	struct xen_ism_region *r;
	u64 rgid;
	u32 sba_idx;
};

/*
 * The SIGNAL code by which xen-ism-smcd tells a peer "end your link groups
 * with me" (it cannot write that peer's DMB).  Other codes are SMC's own
 * (signal_event), handed to the receiver's SMC as they came.
 */
#define XEN_ISM_SMCD_SIG_GONE 0x58534d00u

/* smcd-main.c */
extern char *xen_ism_smcd_peers;
bool xen_ism_smcd_peer_allowed(u32 devid);
u32 xen_ism_smcd_gid_devid(u64 gid);

/* smcd-dmb.c */
int xen_ism_smcd_register_dmb(struct smcd_dev *smcd, struct smcd_dmb *dmb);
int xen_ism_smcd_unregister_dmb(struct smcd_dev *smcd, struct smcd_dmb *dmb);
void xen_ism_smcd_peer_gone(struct xen_ism_smcd *xsd, u32 peer_devid);
void xen_ism_smcd_peer_event(struct xen_ism_smcd *xsd, u32 peer_devid, u32 code,
			     u64 info);

/* smcd-move.c */
int xen_ism_smcd_move_data(struct smcd_dev *smcd, u64 dmb_tok, unsigned int idx,
			   bool sf, unsigned int offset, void *data,
			   unsigned int size);
void xen_ism_smcd_work(struct work_struct *work);
void xen_ism_smcd_rdmbs_drop(struct xen_ism_smcd *xsd);

#endif /* XEN_ISM_SMCD_H */
