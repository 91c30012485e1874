/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core.h - the backend core's objects and the calls between its files.
 *
 * Objects, and who owns whom:
 *
 *  backend ─┬─ device (one per frontend connection, by (domid, devid))
 *           │    └─ slots[] ── ref (a device's hold on a region)
 *           ├─ domain (per frontend domain: quotas, peer counts)
 *           ├─ region (by token while alive; owned by its refs)
 *           │    └─ pageset (region pages + doorbell, from pages_alloc)
 *           ├─ quarantine: refs whose grants a guest still maps
 *           ├─ dead page sets: released, not yet freed
 *           └─ deferred: unmaps and unbinds that failed, to retry
 *
 * A ref holds the grants of one referrer: the region pages and the
 * doorbell (in the region's page set) and its own page directory (a page
 * set of its own).  Releasing a ref ends its grants; those a guest still
 * maps keep the ref alive in the quarantine, charged to its domain, until
 * ism_backend_reclaim() can end them.  A page set is freed only when its
 * last grant has ended, so no page is reused while a guest may map it.
 *
 * Every function declared here (and in hash.h and xsval.h) is internal to
 * the core and named ism__<noun>_<verb>, so that it never collides with a
 * library linked next to the core (the frontend's libxenism has its own
 * ism_region_*, for one); the public API is ism-backend.h.
 */
#ifndef ISM_BACKEND_CORE_H
#define ISM_BACKEND_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ismif.h"
#include "platform.h"
#include "hash.h"
#include "ism-backend.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ism wire format is little-endian; this backend assumes the host is"
#endif

struct ism_backend;
struct ism_device;
struct ism_domain;
struct ism_region;

/* Requests taken from one ring per notification before yielding. */
#define ISM_RING_BATCH (4 * ISM_RING_ENTRIES)

/* Shared-memory access: read once, publish in order. */
#define ISM_READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define ISM_WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define ism_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define ism_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define ism_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* ---- pages.c: page sets, grants, quarantine ------------------------- */

struct ism_pageset {
	struct ism_pageset *next; /* in be->dead_sets, or be->dir_pool */
	uint32_t handle;
	unsigned int npages;
	void *addr; /* our mapping, or NULL if not mapped */
	unsigned int ngrants; /* grants not ended yet */
	uint32_t lent; /* directory pool: bit i while page i is a directory */
	bool orphan; /* its owner let go: free at ngrants == 0 */
	bool dead_listed;
	bool pool; /* a chunk of be->dir_pool */
	bool keep; /* the pool's first chunk: kept while the backend lives */
	uint32_t save_id; /* state.c, during a save: its number + 1 */
};

/* Pages per chunk of the directory pool (bits of ism_pageset.lent). */
#define ISM_DIR_CHUNK 16u

/*
 * One referrer's grants: grefs[i] for page i of the region's set (region
 * pages 0 .. nr_pages - 1, then the doorbell), then grefs[nr_pages + 1 + k]
 * for directory page k (page dir_index + k of dirset).  0 means "not
 * granted / ended".
 */
struct ism_ref {
	struct ism_ref *next; /* in be->quarantine */
	struct ism_region *region; /* NULL in the quarantine */
	struct ism_device *dev; /* NULL in the quarantine */
	struct ism_domain *dom; /* the grantee, charged for the pages */
	struct ism_pageset *set; /* the region's pages (shared) */
	struct ism_pageset *dirset; /* this referrer's directory */
	uint32_t dir_index; /* its first page in dirset */
	uint32_t slot;
	uint32_t perm; /* ISM_PERM_* rights at attach time */
	uint32_t nr_pages;
	uint32_t ndir;
	uint32_t live; /* grefs not ended */
	uint8_t side; /* ISM_SIDE_* */
	bool released; /* slot RELEASED: the region went away under it */
	bool readonly;
	uint32_t grefs[];
};

/*
 * Allocate @npages zeroed pages; map them here (set->addr) only if @map,
 * for pages the core writes itself (a directory), else set->addr is NULL.
 */
int ism__pageset_new(struct ism_backend *be, unsigned int npages, bool map,
		     struct ism_pageset **set_out);
void ism__pageset_orphan(struct ism_backend *be, struct ism_pageset *set);

/*
 * The directory pool: make its first chunk (a failure only means the first
 * directory will make it); at the end, let go of every chunk (freed once
 * no page of it is lent, like any orphan set).
 */
void ism__dirpool_init(struct ism_backend *be);
void ism__dirpool_fini(struct ism_backend *be);

/*
 * Grant every page of @ref to its domain and write its directory.  On
 * failure @ref is consumed (freed, or quarantined if a grant is mapped).
 */
int ism__ref_grant(struct ism_backend *be, struct ism_ref *ref, uint16_t domid);

/*
 * End @ref's grants.  Returns 0 when all ended (the caller frees @ref), or
 * 1 when some are still mapped: @ref moved to the quarantine.
 */
int ism__ref_ungrant(struct ism_backend *be, struct ism_ref *ref);

/* Retry the quarantine and dead page sets; returns what is left. */
unsigned int ism__pages_reclaim(struct ism_backend *be);

/* ---- quota.c: per-domain accounting ---------------------------------- */

struct ism_peer_count {
	uint32_t devid;
	uint32_t n;
};

struct ism_domain {
	struct ism_hnode node; /* key: domid */
	uint16_t domid;
	unsigned int users; /* devices + quarantined refs */
	struct ism_device *devices; /* through dev->dom_next */
	uint64_t bytes; /* sizes of the regions its slots hold */
	uint32_t quarantined; /* region pages it still maps after release */
	uint32_t grants; /* backend grant entries for it */
	struct ism_peer_count *peers;
	uint32_t npeers;
	uint32_t peers_cap;
};

int ism__domain_get(struct ism_backend *be, uint16_t domid,
		    struct ism_domain **dom_out);
void ism__domain_put(struct ism_backend *be, struct ism_domain *dom);
struct ism_domain *ism__domain_find(const struct ism_backend *be,
				    uint16_t domid);

/* -EDQUOT if @dom cannot be charged @size more octets. */
int ism__quota_bytes(const struct ism_backend *be, const struct ism_domain *dom,
		     uint64_t size);
/* Each domain's share of the grant pool now. */
uint32_t ism__quota_grant_share(const struct ism_backend *be);
/* -ENOBUFS if @n more grants for @dom exceed a budget or its fair share. */
int ism__quota_grants(const struct ism_backend *be,
		      const struct ism_domain *dom, uint32_t n);
/* -EUSERS if @dom may not gain @devid as a peer. */
int ism__quota_peer_room(const struct ism_backend *be,
			 const struct ism_domain *dom, uint32_t devid);
int ism__quota_peer_add(struct ism_domain *dom, uint32_t devid);
void ism__quota_peer_del(struct ism_domain *dom, uint32_t devid);

/* ---- perm.c: a region's permission table ----------------------------- */

struct ism_perm_entry {
	uint32_t devid;
	uint32_t perm;
};

struct ism_perms {
	uint32_t def; /* the default entry (devid 0) */
	uint32_t n;
	uint32_t cap; /* max-perm-entries, allocated up front */
	struct ism_perm_entry *e;
};

int ism__perms_init(struct ism_perms *p, uint32_t def, uint32_t cap);
void ism__perms_fini(struct ism_perms *p);
/* The rights of non-owner @devid (ISM_PERM_*, WRITE implying READ). */
uint32_t ism__perms_rights(const struct ism_perms *p, uint32_t devid);
/* Set (or remove) the entry of @devid; 0 is the default.  -EMLINK. */
int ism__perms_set(struct ism_perms *p, uint32_t devid, uint32_t perm,
		   bool remove);
/* Whether @perm is valid for the entry of @devid (-EINVAL if not). */
int ism__perms_check(uint32_t devid, uint32_t perm);

/* ---- token.c: region tokens ------------------------------------------ */

/* Draw a fresh token (non-zero, unused) from the platform's random op. */
int ism__token_new(struct ism_backend *be, uint64_t *token_out);

/* ---- region.c --------------------------------------------------------- */

enum ism_fp_state {
	ISM_FP_NONE,
	ISM_FP_OFFERED,
	ISM_FP_UP,
};

struct ism_region {
	struct ism_hnode node; /* key: token, in be->tokens while alive */
	struct ism_pageset *set; /* nr_pages region pages + the doorbell */
	uint64_t size;
	uint32_t nr_pages;
	uint32_t ndir;
	struct ism_ref *ref[2]; /* by side */
	uint32_t devid[2]; /* the pair; devid[1] is 0 until a peer came */
	uint16_t domid[2];
	bool released; /* the token is dead */
	bool widowed; /* a referrer's device vanished: no new peer */
	bool linked; /* both attached: counted in both peers quotas */
	uint8_t fp_state; /* enum ism_fp_state */
	uint8_t fp_side; /* who offered */
	struct ism_perms perms;
	uint32_t save_id; /* state.c, during a save: its number + 1 */
};

int ism__region_alloc(struct ism_device *dev, const struct ism_req_alloc *req,
		      struct ism_region_desc *desc);
int ism__region_attach(struct ism_device *dev, const struct ism_req_attach *req,
		       struct ism_region_desc *desc);
/* Release @ref (its slot is freed); the other referrer gets @evt_type. */
void ism__region_drop(struct ism_ref *ref, uint8_t evt_type);
/* FREE: release the region for everyone (MANAGE checked by the caller). */
void ism__region_free(struct ism_ref *ref);
void ism__region_describe(const struct ism_ref *ref,
			  struct ism_region_desc *desc);
/* The other referrer of @ref's region, or NULL. */
struct ism_ref *ism__region_other(const struct ism_ref *ref);

/* ---- events.c: the event page ---------------------------------------- */

/* Set the SBA bit of @slot (REGION_UPDATED). */
void ism__evt_signal(struct ism_device *dev, uint32_t slot);
/* Queue a life-cycle event about @ref's region for @ref's device. */
void ism__evt_queue(struct ism_ref *ref, uint8_t type, int32_t status,
		    uint32_t port);
/* Queue a SIGNAL event from device @from (its @code and @info) for @to. */
void ism__evt_peer_signal(struct ism_device *to, const struct ism_device *from,
			  uint32_t code, uint64_t info);
/* Responses are ready on @dev's ring and the frontend wants a signal. */
void ism__evt_kick_rsp(struct ism_device *dev);
/* Signal every device touched since the last flush, once. */
void ism__evt_flush(struct ism_backend *be);
/* Forget @dev's pending signals (it is going away). */
void ism__evt_forget(struct ism_device *dev);
/* Clear @slot's SBA bit: the slot was released, before it is given again. */
void ism__evt_unsignal(struct ism_device *dev, uint32_t slot);
/*
 * The backend's state changed: save it (ism__state_persist) before the
 * frontends learn of the change.
 */
#define ism__backend_dirty(be) ((be)->dirty = true)
/* Save the state through the daemon's callback if it changed. */
void ism__state_persist(struct ism_backend *be);
/* Drop @dev from the watch events still to serve (it is going). */
void ism__backend_watch_forget(struct ism_device *dev);

/* ---- request.c, control.c, ring.c ------------------------------------ */

/* Check a copied request: -EOPNOTSUPP unknown op, -EINVAL reserved. */
int ism__req_check(const struct ism_req *req);

/* Execute @req for @dev and fill @rsp (never fails: status says). */
void ism__control_handle(struct ism_device *dev, const struct ism_req *req,
			 struct ism_rsp *rsp);

/*
 * Take up to ISM_RING_BATCH requests of @dev.  0: ring empty; 1: more left;
 * -EPROTO: the indexes are broken (the caller closes the device).
 */
int ism__ring_process(struct ism_device *dev);

/* Watch tokens. */
#define ISM_WATCH_BE "ism-backend" /* backend/ism */
#define ISM_WATCH_FE "ism-frontend" /* each frontend's state node */
#define ISM_WATCH_RELEASE "ism-release" /* @releaseDomain */
/*
 * A frontend's state node events that a device has served at once, then
 * one per ISM_FE_EVERY_MS; the rest wait for the reclaim pass (a second),
 * so that a frontend flapping its state costs only itself.
 */
#define ISM_FE_BURST 64
/* Words of the bitmap of domids whose backend directory changed. */
#define ISM_W_DOMS_WORDS ((ISM_DOMID_MAX + 64) / 64)
#define ISM_FE_EVERY_MS 20
/* SIGNALs a device may send at once, then one per ISM_SIGNAL_EVERY_MS. */
#define ISM_SIGNAL_BURST 64
#define ISM_SIGNAL_EVERY_MS 10

/* ---- device.c --------------------------------------------------------- */

/*
 * A token bucket (rate.c): @burst takes at once, then one per @every_ms.
 * @now_ms from the platform's clock_ms.
 */
struct ism_rate {
	unsigned int tokens;
	uint64_t at; /* clock_ms when tokens last grew */
};

void ism__rate_init(struct ism_rate *r, unsigned int burst, uint64_t now_ms);
/* Take a token: true if there was one. */
bool ism__rate_take(struct ism_rate *r, unsigned int burst, uint64_t every_ms,
		    uint64_t now_ms);

struct ism_device {
	struct ism_hnode node; /* key: domid << 32 | devid */
	struct ism_hnode devid_node; /* key: devid, while claimed */
	struct ism_hnode port_node; /* key: local port, while connected */
	struct ism_device *prev, *next; /* be->devices list */
	struct ism_device *dom_next;
	struct ism_device *kick_next;
	struct ism_device *busy_next;
	struct ism_backend *be;
	struct ism_domain *dom;
	uint16_t domid;
	uint32_t devid;
	int state; /* ISM_XBS_* as last written */
	bool watching; /* frontend state watch registered */
	bool claimed; /* devid_node in be->devids */
	bool retry; /* the last transition failed: try again */
	bool state_dirty; /* the state node is not written yet */
	bool errored; /* the error node says why we closed */
	bool kick_listed, kick_evt, kick_rsp;
	bool busy_listed;
	struct ism_device *w_next; /* be->w_head: watch events to serve */
	bool w_listed, w_be, w_fe; /* listed; backend, frontend node events */
	bool fe_deferred; /* over its budget: the reclaim pass serves it */
	struct ism_rate fe_rate; /* frontend events served (ISM_FE_*) */
	struct ism_rate signal_rate; /* SIGNALs sent (ISM_SIGNAL_*) */
	char be_path[64];
	char fe_path[64];
	struct ism_ctrl_page *ring;
	struct ism_event_page *evtp;
	uint32_t ring_ref, evt_ref, remote_port; /* as connected */
	uint32_t port;
	uint32_t req_cons;
	uint32_t rsp_prod_pvt;
	uint32_t evt_prod_pvt;
	struct ism_ref **slots;
	uint32_t nslots;
	uint32_t slots_used;
	uint32_t slot_hint;
	unsigned int grants;
	uint64_t bytes;
	uint64_t relayed; /* NOTIFYs relayed to the other referrer */
	unsigned int fp_refused; /* fast paths Xen refused this device */
	int fp_errno; /* the last refusal's errno (positive), or 0 */
	struct ism_rate log_rate; /* messages logged (device.c) */
	unsigned int log_dropped; /* messages dropped since the last one */
};

int ism__device_new(struct ism_backend *be, uint16_t domid, uint32_t devid,
		    struct ism_device **dev_out);
/* Tear the device down and free it (its directory is gone). */
void ism__device_destroy(struct ism_device *dev);
/* Re-read the device's nodes and move its state machine. */
int ism__device_update(struct ism_device *dev);
/* Close the device (the frontend sees Closed) and free it. */
void ism__device_shutdown(struct ism_device *dev);
/* The domain died: release everything and free the device. */
void ism__device_gone(struct ism_device *dev);
/*
 * A restored device that was connected: map its pages and bind its port
 * again (the values it connected with), take up its ring and event queue
 * where the frontend sees them, and kick it.  0, or -EPROTO with @why
 * filled when the frontend's pages or port are gone (the caller fails it).
 */
int ism__device_resume(struct ism_device *dev, char *why, size_t whylen);
/* Close @dev for a protocol violation, saying @why in its error node. */
void ism__device_fail(struct ism_device *dev, const char *why);
/* Process @dev's ring (an event arrived); closes it if broken. */
int ism__device_kick(struct ism_device *dev);
struct ism_device *ism__device_find(const struct ism_backend *be,
				    uint16_t domid, uint32_t devid);
/* The device that holds @devid on this host (claimed it), or NULL. */
struct ism_device *ism__device_by_devid(const struct ism_backend *be,
					uint32_t devid);
/* A free slot of @dev, or -ENOSPC. */
int ism__device_slot_alloc(struct ism_device *dev, uint32_t *slot_out);
void ism__device_slot_set(struct ism_device *dev, uint32_t slot,
			  struct ism_ref *ref);
void ism__device_slot_clear(struct ism_device *dev, uint32_t slot);

/* ---- backend.c -------------------------------------------------------- */

/* A release that failed and is retried by ism_backend_reclaim(). */
struct ism_deferred {
	struct ism_deferred *next;
	void *addr; /* gnt_unmap, or NULL */
	uint32_t port; /* evtchn_unbind, or 0 */
	char path[128]; /* xs_unwatch of this path (and token), or "" */
	const char *token;
};

struct ism_backend {
	const struct ism_platform_ops *ops;
	struct ism_platform *plat;
	struct ism_backend_limits lim;
	uint16_t domid;
	ism_backend_log_fn *log_fn;
	void *log_arg;
	struct ism_htable tokens;
	struct ism_htable devices;
	struct ism_htable devids;
	struct ism_htable ports;
	struct ism_htable domains;
	struct ism_device *dev_head;
	struct ism_device *kick_head;
	struct ism_device *busy_head;
	struct ism_ref *quarantine;
	struct ism_pageset *dead_sets;
	struct ism_pageset *dir_pool; /* chunks with one-page directories */
	struct ism_deferred *deferred;
	bool retry_wanted; /* a device update failed: the reclaim pass retries */
	/* Watch events of a batch, each served once (backend.c). */
	bool w_release, w_rescan;
	uint64_t w_doms[ISM_W_DOMS_WORDS]; /* backend dirs to rescan */
	struct ism_device *w_head;
	uint64_t reclaim_at; /* ms of the next timed pass; 0 while none is due */
	bool watch_be, watch_release;
	bool dirty; /* the state changed since it was last saved */
	ism_backend_save_fn *save_fn;
	void *save_arg;
	struct ism_backend_stats st;
};

/* backend.c: the start and the end shared by new, restore and abandon. */
int ism__backend_alloc(const struct ism_platform_ops *ops,
		       struct ism_platform *platform,
		       const struct ism_backend_limits *limits,
		       struct ism_backend **be_out);
int ism__backend_start(struct ism_backend *be);
void ism__backend_release(struct ism_backend *be);

/* Unmap @addr / unbind @port now, or remember to retry. */
void ism__backend_unmap(struct ism_backend *be, void *addr);
void ism__backend_unbind(struct ism_backend *be, uint32_t port);
void ism__backend_unwatch(struct ism_backend *be, const char *path,
			  const char *token);

#endif /* ISM_BACKEND_CORE_H */
