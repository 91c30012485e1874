/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * internal.h - what the files of xen-ismfront share.
 *
 * Lock order (outer first):
 *
 *   xen_ism_clients_lock (mutex: clients, calls of add/remove, device list
 *	membership)
 *     xen_ism_devs_lock (mutex: the device list, xen_ism_dev_get)
 *   dev->mutex (connection set-up and tear-down)
 *     r->mlock (a region's kernel mapping and its VMA count)
 *       umap->lock (one user mapping's grant state)
 *   dev->evt_lock (spinlock, irqsave: serialises event dispatch; held
 *	while a region's xen_ism_event_fn runs)
 *     dev->lock (spinlock, irqsave: ring, pending requests, slots, the
 *	mutable fields of regions)
 *
 * The interrupt handler takes evt_lock then lock.  A callback may call the
 * atomic-safe functions, which take only a device's lock, never evt_lock.
 * dev->work never takes dev->mutex, so tear-down may cancel it under
 * dev->mutex.  Region references are only dropped in process context.
 */
#ifndef XEN_ISMFRONT_INTERNAL_H
#define XEN_ISMFRONT_INTERNAL_H

#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "ismif.h"
#include "xen-ism.h"

/* How long a request waits for its response before the ring is broken. */
#define XEN_ISM_REQ_TIMEOUT (10 * HZ)
/* Events a region holds back until it is ready (evtpage.c). */
#define XEN_ISM_EARLY_MAX 4

struct xen_ism_early {
	u8 type; /* ISM_EVT_* */
	s8 status; /* ISM_RELEASE_* or 0 */
};

enum xen_ism_conn {
	XEN_ISM_CONN_IDLE, /* no connection */
	XEN_ISM_CONN_INIT, /* pages granted, backend not Connected yet */
	XEN_ISM_CONN_UP, /* requests may be placed */
};

enum xen_ism_fp {
	XEN_ISM_FP_NONE,
	XEN_ISM_FP_OFFERED, /* our port offered, no answer yet */
	XEN_ISM_FP_UP, /* updates go over fp_irq's port */
};

enum xen_ism_pend_state {
	XEN_ISM_PEND_FREE,
	XEN_ISM_PEND_WAIT, /* a sleeper waits for it */
	XEN_ISM_PEND_DONE, /* answered; the sleeper takes it */
	XEN_ISM_PEND_POSTED, /* nobody waits: the response is dropped */
	XEN_ISM_PEND_ABANDONED, /* the sleeper gave up (signal, timeout) */
};

/* One outstanding request; index = id % ISM_RING_ENTRIES. */
struct xen_ism_pend {
	u32 id;
	u8 op;
	u8 state; /* enum xen_ism_pend_state */
	struct ism_rsp rsp;
	struct xen_ism_region *claim; /* ALLOC, ATTACH: put in the slot */
	struct ism_req_slot slot; /* a posted FREE: DETACH it if refused */
};

struct xen_ism_dev {
	struct xenbus_device *xb;
	struct kref kref;
	struct list_head node; /* in xen_ism_devs */
	u32 devid;
	u16 be_domid;
	u16 domid; /* ours */

	struct mutex mutex;
	spinlock_t evt_lock;
	spinlock_t lock;
	wait_queue_head_t wq; /* ring room, responses, connection changes */
	struct work_struct work;

	/* Announced by the backend; set under mutex before CONN_INIT. */
	u64 gid;
	u64 region_size;
	u64 max_bytes;
	u32 max_regions;
	u32 max_peers;
	u32 max_perm_entries;
	bool feat_fast_path;

	/* Under lock. */
	enum xen_ism_conn conn;
	unsigned int gen; /* connection generation */
	bool added; /* clients' add() called */
	bool removing;
	bool broken; /* the backend broke the ring: close the device */
	bool closing_sent;
	bool resync; /* event queue overflowed: QUERY every slot */
	bool work_notify; /* some region has a notify pending */
	bool work_updated; /* some region has upd_pending */
	bool work_fp; /* some region has fast-path work */
	bool failed; /* connecting failed: do not reconnect by itself */
	struct ism_ctrl_page *ring;
	grant_ref_t ring_gref;
	struct ism_event_page *evp;
	grant_ref_t evp_gref;
	int irq;
	u32 req_prod_pvt;
	u32 rsp_cons;
	u32 evt_cons;
	u32 next_seq;
	struct xen_ism_pend pend[ISM_RING_ENTRIES];
	struct xen_ism_region **slots; /* max_regions entries */
	/* disconnect()'s list of the regions it tells (max_regions): made
	 * with the slots, so that DEVICE_GONE never waits on an allocation */
	struct xen_ism_region **gone;
	/* Under lock; called under evt_lock (xen_ism_dev_on_signal()). */
	xen_ism_signal_fn signal_fn;
	void *signal_data;
};

struct xen_ism_region {
	struct xen_ism_dev *dev;
	struct kref kref;
	struct ism_region_desc d; /* as the backend gave it; immutable */
	bool ro; /* mapped read-only */
	unsigned int gen; /* the connection it belongs to */
	xen_ism_event_fn fn;
	void *data;
	u32 *grefs; /* d.nr_pages region page references */

	/* Under dev->lock. */
	bool in_slot; /* dev->slots[d.slot] == this */
	bool ready; /* made: its events are delivered */
	/* Events that came before it was ready, in order (see evtpage.c). */
	struct xen_ism_early early[XEN_ISM_EARLY_MAX];
	u8 nr_early;
	bool released;
	bool gone; /* its device was closed */
	bool peer_present;
	bool peer_gone;
	u32 peer_devid;
	u16 peer_domid;
	bool notify_pending;
	bool upd_pending; /* want() found an update not reported yet */
	u32 peer_seq; /* the peer's bell seq when we last reported */

	/* Fast path, under dev->lock; its irqs are bound and unbound by the
	 * work item or by detach, never in atomic context. */
	u8 fp; /* enum xen_ism_fp */
	int fp_irq; /* our port's irq while OFFERED or UP, else 0 */
	int fp_dead_irq; /* a port to close (work item) */
	bool fp_used; /* an update went through the backend */
	bool fp_tried; /* offered to this peer already */
	bool fp_offer; /* offer one (owner, once fp_used) */
	bool fp_accept; /* answer the peer's offer */
	u16 fp_offer_domid;
	u32 fp_offer_port;

	/* Doorbell: mapped from creation until release. */
	struct ism_bell *bell;
	struct page *bell_page;
	grant_handle_t bell_handle;

	/* Under mlock. */
	struct mutex mlock;
	unsigned int nr_vmas;
	void *vaddr; /* contig: the block's first octet */
	struct page **pages; /* mapped, each at its kernel address */
	grant_handle_t *handles;
	bool contig; /* pages are one block (xen_ism_region_map()) */
	unsigned int order; /* contig: the block pages[0] heads */
	xen_pfn_t *frames; /* contig: the block's frames, given to Xen */
};

/* main.c */
void xen_ism_dev_release(struct kref *kref);
void xen_ism_clients_add(struct xen_ism_dev *dev);
void xen_ism_clients_remove(struct xen_ism_dev *dev);
int xen_ism_dev_list_add(struct xen_ism_dev *dev);
void xen_ism_dev_list_del(struct xen_ism_dev *dev);

/* xenbus.c */
int xen_ism_xenbus_init(void);
void xen_ism_xenbus_exit(void);

/* ring.c */
void xen_ism_ring_reset(struct xen_ism_dev *dev);
void xen_ism_ring_process(struct xen_ism_dev *dev);
int xen_ism_post_locked(struct xen_ism_dev *dev, struct ism_req *req);
int xen_ism_post(struct xen_ism_dev *dev, struct ism_req *req);
int xen_ism_request(struct xen_ism_dev *dev, struct ism_req *req,
		    struct ism_rsp *rsp, bool intr);
int xen_ism_request_claim(struct xen_ism_dev *dev, struct ism_req *req,
			  struct ism_rsp *rsp, struct xen_ism_region *claim);
void xen_ism_ring_broken(struct xen_ism_dev *dev, const char *why);
int xen_ism_conn_err(struct xen_ism_dev *dev);

/* evtpage.c */
irqreturn_t xen_ism_interrupt(int irq, void *arg);
void xen_ism_evp_process(struct xen_ism_dev *dev);
void xen_ism_work(struct work_struct *work);
void xen_ism_deliver(struct xen_ism_region *r, unsigned int type, int status);

/* fastpath.c */
extern bool xen_ism_fast_path;
void xen_ism_fp_event(struct xen_ism_region *r, const struct ism_evt *e);
void xen_ism_fp_relayed(struct xen_ism_region *r);
void xen_ism_fp_stop(struct xen_ism_region *r);
void xen_ism_fp_close(struct xen_ism_region *r);
void xen_ism_fp_work(struct xen_ism_dev *dev);

/* region.c */
void xen_ism_region_get(struct xen_ism_region *r);
void xen_ism_region_put(struct xen_ism_region *r);
int xen_ism_desc_check(struct xen_ism_dev *dev,
		       const struct ism_region_desc *d);
void xen_ism_region_apply_desc(struct xen_ism_region *r,
			       const struct ism_region_desc *d);
void xen_ism_region_claim(struct xen_ism_dev *dev, struct xen_ism_region *r,
			  const struct ism_region_desc *d);

/* pgdir.c */
int xen_ism_pgdir_walk(struct xen_ism_dev *dev, u32 dir_gref, u32 nr_pages,
		       u32 *grefs);

/* map.c */
int xen_ism_gnt_map(struct xen_ism_dev *dev, const u32 *grefs, unsigned int n,
		    bool ro, struct page **pages, grant_handle_t *handles);
void xen_ism_gnt_unmap(struct page **pages, grant_handle_t *handles,
		       unsigned int n, bool ro);
void xen_ism_region_unmap(struct xen_ism_region *r);

#endif /* XEN_ISMFRONT_INTERNAL_H */
