/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ism-backend.h - the xen-ism backend core, as the daemon xen-ismd uses it.
 *
 * The core implements the protocol of ismif.h for every ism device whose
 * backend directory lives in this domain: the xenbus state machine, the
 * control ring, regions, permissions, quotas, events and domain death.  It
 * talks to Xen only through the platform seam (platform.h), so the same
 * code runs on real Xen and on the fake of the unit tests.
 *
 * The core is single-threaded and never blocks.  The daemon polls the two
 * file descriptors of the platform (xs_fd, evtchn_fd) and calls
 *
 *  - ism_backend_handle_watches() when the xenstore fd is readable,
 *  - ism_backend_handle_events() when the event channel fd is readable,
 *    and again after a poll() that does not sleep while it returns 1
 *    (work left over from a batch: each device got its share),
 *  - ism_backend_tick() before it sleeps, and sleeps at most as long as
 *    it says: once a second while something could not be released yet
 *    (pages a guest still maps, a failed unmap), it runs the reclaim pass
 *    that retries it.  Nothing else does, so a guest that keeps pages
 *    mapped makes no other guest's requests or notifications pay for it.
 *
 * All functions return 0 or a negative errno unless said otherwise.  Only
 * the device layer logs, through the callback the daemon installs.
 */
#ifndef ISM_BACKEND_ISM_BACKEND_H
#define ISM_BACKEND_ISM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

struct ism_backend;

/**
 * struct ism_backend_limits - what the backend announces and enforces.
 * @gid: the host's gid, never 0 (the daemon keeps it stable).
 * @region_size: largest region, a multiple of 4096, at most 64 MiB.
 * @max_regions: slots per device, 1 .. 8192.
 * @max_bytes: region octets per domain (all its devices), >= 4096.
 * @max_peers: distinct peer devices per domain, 1 .. 65535.
 * @max_perm_entries: permission entries per region, 0 .. 64.
 * @fast_path: offer FASTPATH_OFFER/ACCEPT (feature-fast-path).
 * @max_devices: devices the backend serves at once (all domains).
 * @max_grants: the grant pool: grant entries the backend may use for
 *              regions, all domains together (its grant table minus a
 *              reserve for other PV drivers).
 * @max_domain_grants: grant entries for the regions of one domain, at
 *              most.
 *
 * The pool is shared fairly.  With N domains that have a device, a domain
 * may hold at most max_grants / (N + 1), its share: the one share left
 * over waits for the next domain to arrive, so that domain finds at least
 * its share free, whatever the others did.  Shares shrink as domains
 * arrive, but grants are never taken back (a guest may map them): a domain
 * above its new share keeps what it holds and cannot grow until it is
 * under it, and a second newcomer finds what the first left free plus
 * what the others free.  ALLOC and ATTACH fail with -ENOBUFS beyond the
 * pool, max_domain_grants or the share.
 */
struct ism_backend_limits {
	uint64_t gid;
	uint32_t region_size;
	uint32_t max_regions;
	uint64_t max_bytes;
	uint32_t max_peers;
	uint32_t max_perm_entries;
	bool fast_path;
	uint32_t max_devices;
	uint32_t max_grants;
	uint32_t max_domain_grants;
};

/*
 * ism_backend_limits_default() - the protocol's defaults (ismif.h), fast
 * path on, 4096 devices, 31744 grants (32768 less a reserve of 1024) and
 * max_bytes / 4096 + 2 * max_regions + 2 grants per domain.  @gid is left
 * 0: the caller must set it.
 */
void ism_backend_limits_default(struct ism_backend_limits *limits);

/*
 * ism_backend_domain_grants() - the grant entries a domain needs to use
 * @max_bytes of regions in @max_regions slots: a page each, and a doorbell
 * and a directory page per slot (capped at UINT32_MAX).
 */
uint32_t ism_backend_domain_grants(uint64_t max_bytes, uint32_t max_regions);

/* Log levels, as syslog's. */
#define ISM_LOG_ERR 3
#define ISM_LOG_WARNING 4
#define ISM_LOG_INFO 6
#define ISM_LOG_DEBUG 7

/**
 * typedef ism_backend_log_fn - where the core's messages go.
 * @arg: the daemon's pointer from ism_backend_set_log().
 * @level: ISM_LOG_*.
 * @domid: the frontend's domain.
 * @devid: the device.
 * @msg: one line, without a newline.
 */
typedef void ism_backend_log_fn(void *arg, int level, uint16_t domid,
				uint32_t devid, const char *msg);

/**
 * ism_backend_new() - start a backend on a platform.
 * @ops: the platform's table; every op must be set (-EINVAL).
 * @platform: the platform context; the caller keeps owning it and closes
 *            it after ism_backend_free().
 * @limits: see struct ism_backend_limits (-EINVAL when out of range).
 * @be_out: the new backend.
 *
 * Watches backend/ism and @releaseDomain; devices are then picked up from
 * the watch events (ism_backend_handle_watches()).
 */
int ism_backend_new(const struct ism_platform_ops *ops,
		    struct ism_platform *platform,
		    const struct ism_backend_limits *limits,
		    struct ism_backend **be_out);

/*
 * ism_backend_free() - close every device (its frontend sees Closed; its
 * peers PEER_GONE), end every grant it can, unwatch and free.  Pages a
 * guest still maps are left granted (the platform reclaims them when it
 * closes).  NULL is a no-op.
 */
void ism_backend_free(struct ism_backend *be);

/*
 * ism_backend_abandon() - free the backend's memory and nothing else: no
 * device closes, no grant ends, no page is freed, no node is written.
 * For a daemon that exits to be restarted: its platform keeps the pages
 * and grants (the grant helper's KEEP), the state it saved last says what
 * they are, and ism_backend_restore() takes them back.  NULL is a no-op.
 */
void ism_backend_abandon(struct ism_backend *be);

/**
 * typedef ism_backend_save_fn - keep the backend's state for a restart.
 * @arg: the daemon's pointer from ism_backend_set_save().
 * @buf: the whole state, @len bytes, valid during the call.
 *
 * The core calls it whenever its state changed (a region, a slot, a
 * permission, a device's state, a grant), before any frontend can see the
 * change: before the responses of a batch are published and before its
 * event channel signals.  It must store @buf atomically (a new file
 * renamed over the old one), so that the state on disk is always one that
 * was passed here whole.  Returns 0 or a negative errno; on an error the
 * core calls it again at the next change, and the daemon logs.
 */
typedef int ism_backend_save_fn(void *arg, const void *buf, size_t len);

/*
 * ism_backend_set_save() - install the save callback (NULL: none) and save
 * the state through it now.  Returns what the callback returned.
 */
int ism_backend_set_save(struct ism_backend *be, ism_backend_save_fn *fn,
			 void *arg);

/*
 * ism_backend_save() - save the state through the callback now, changed or
 * not (before ism_backend_abandon()).  0, -ENOENT without a callback, or
 * what it returned.
 */
int ism_backend_save(struct ism_backend *be);

/**
 * struct ism_backend_restored - what ism_backend_restore() found.
 * @devices: devices restored from the state.
 * @connected: those connected again (the others were failed: their
 *             frontend's pages or port are gone).
 * @regions: regions restored (released ones included).
 * @stray_pages: pages the platform held that the state does not name;
 *               freed once their grants end.
 * @stray_grants: grants the platform held that the state does not name
 *                (charged to their grantee until they end, like released
 *                grants a guest still maps).
 * @lost_grants: grants the state names that the platform no longer holds
 *               (the daemon ended them after its last save); forgotten.
 * @discarded: the state was unusable (malformed, or naming pages the
 *             platform does not hold): everything held is a stray.
 */
struct ism_backend_restored {
	unsigned int devices;
	unsigned int connected;
	unsigned int regions;
	unsigned int stray_pages;
	unsigned int stray_grants;
	unsigned int lost_grants;
	bool discarded;
};

/**
 * ism_backend_restore() - start a backend that takes over from one that
 * exited (ism_backend_abandon(), a crash, kill -9).
 * @ops, @platform, @limits, @be_out: as ism_backend_new().
 * @state: what the save callback was last given, @len bytes, or NULL.
 * @info_out: what was found, or NULL.
 *
 * The platform must hold what the last backend left (on Xen, after the
 * grant helper's ADOPT).  The backend takes back every page set the state
 * names (pages_adopt), checks every grant against the platform's list
 * (pages_list), re-maps each connected frontend's ring and event page,
 * binds its event channel again, takes up its ring where the frontend
 * sees it (a request whose response was not published yet is carried out
 * once more; its events may come twice), signals every device, and then
 * watches as ism_backend_new() does.  What the platform holds and the
 * state does not name is held back like released grants a guest maps and
 * freed when it can be; devices of frontends gone meanwhile close.  The
 * limits may differ from the last backend's: they apply to new requests.
 * -ENOMEM, -EINVAL, or an error of the platform.
 */
int ism_backend_restore(const struct ism_platform_ops *ops,
			struct ism_platform *platform,
			const struct ism_backend_limits *limits,
			const void *state, size_t len,
			struct ism_backend **be_out,
			struct ism_backend_restored *info_out);

/* ism_backend_set_log() - install the log callback (NULL: no logging). */
void ism_backend_set_log(struct ism_backend *be, ism_backend_log_fn *fn,
			 void *arg);

/*
 * ism_backend_handle_watch() - act on one watch event (@path and @token as
 * xs_read_watch returned them).  Events of other watches are ignored.
 */
int ism_backend_handle_watch(struct ism_backend *be, const char *path,
			     const char *token);

/*
 * ism_backend_handle_watches() - take the queued watch events (xs_read_watch
 * until -EAGAIN, 4096 at most) and serve them: each device, domain or
 * rescan once however many events named it, a device's frontend events
 * within its budget (64 at once, then one per 20 ms; the rest wait for
 * the reclaim pass).  Returns 0 or the first error of the platform's
 * xs_read_watch.
 */
int ism_backend_handle_watches(struct ism_backend *be);

/*
 * ism_backend_handle_events() - take every pending event channel port and
 * process its device's control ring, as one batch: update events and
 * life-cycle events are coalesced and every frontend is signalled at most
 * once.  Returns 0 when all work is done, 1 if a device had more requests
 * than one batch takes (call again), or the error of evtchn_pending.
 */
int ism_backend_handle_events(struct ism_backend *be);

/*
 * ism_backend_domain_gone() - domain @domid is gone (or dying): close its
 * devices, tell the peers of its regions (PEER_GONE), release all it held
 * and remove its devices' backend and frontend directories (the toolstack
 * that destroyed it does not know them), in one pass.  The @releaseDomain watch calls it for every domain
 * that domain_info reports dying or unknown.  A backend that may not ask
 * (a driver domain: domain_info fails with -EPERM, and @releaseDomain may
 * never reach it) calls it when the watch of a frontend's state node finds
 * the frontend directories of all that domain's devices gone, as the
 * toolstack leaves them when it destroys the domain.
 */
int ism_backend_domain_gone(struct ism_backend *be, uint16_t domid);

/*
 * ism_backend_reclaim() - retry ending grants of released regions, freeing
 * their pages and any unmap or unbind that failed, and devices whose last
 * transition failed.  Returns the number of things still held back (0:
 * nothing left), or a negative errno.
 */
int ism_backend_reclaim(struct ism_backend *be);

/* How often ism_backend_tick() runs the reclaim pass while it is needed. */
#define ISM_RECLAIM_MS 1000

/*
 * ism_backend_tick() - the reclaim pass on its timer.  @now_ms: a monotonic
 * clock in milliseconds.  While something is held back, runs
 * ism_backend_reclaim() ISM_RECLAIM_MS after it was first seen held and
 * then every ISM_RECLAIM_MS until nothing is.  Returns how many
 * milliseconds the caller may sleep before the next call (at most
 * ISM_RECLAIM_MS), or -1 when nothing is held: sleep until an event.
 */
int ism_backend_tick(struct ism_backend *be, uint64_t now_ms);

/**
 * struct ism_backend_stats - totals, for `ismctl list` and the tests.
 * @devices: devices known (any state).
 * @connected: devices in Connected.
 * @regions: regions alive (a token that ATTACH finds).
 * @released: regions released but still held by a RELEASED slot.
 * @grants: grant entries in use for regions (quarantined ones included).
 * @quarantined: grants a guest still maps after their release.
 * @held: page sets and mappings waiting to be freed or unmapped.
 * @requests: requests answered since the start.
 * @protocol_errors: devices closed for a protocol violation.
 * @domains: domains that have a device.
 * @grant_pool: the limit max_grants.
 * @grant_share: each domain's share of the pool now.
 * @grant_domain_max: the limit max_domain_grants.
 */
struct ism_backend_stats {
	unsigned int devices;
	unsigned int connected;
	unsigned int regions;
	unsigned int released;
	unsigned int grants;
	unsigned int quarantined;
	unsigned int held;
	uint64_t requests;
	uint64_t protocol_errors;
	unsigned int domains;
	unsigned int grant_pool;
	unsigned int grant_share;
	unsigned int grant_domain_max;
};

int ism_backend_get_stats(const struct ism_backend *be,
			  struct ism_backend_stats *stats_out);

/**
 * struct ism_device_stat - one device, for `ismctl list`.
 * @domid: the frontend's domain.
 * @devid: the device id.
 * @state: the backend's xenbus state (ISM_XBS_*).
 * @slots: slots in use.
 * @peers: distinct peer devices of its regions (now attached).
 * @grants: grant entries of its slots.
 * @bytes: region octets its slots hold.
 * @fast_paths: its regions whose fast path is up.
 * @relayed: updates it sent through the backend (NOTIFY) to a peer.
 * @fp_refused: fast paths Xen refused it (FASTPATH_OFFER or _ACCEPT with
 *	an errno: XSM SILO's -EPERM, no channel left): those regions' updates
 *	are relayed.
 * @fp_errno: the last refusal's errno (positive), 0 if none.
 * @events_known: the four above are known (ismctl: a report of an older
 *	xen-ismd has no such fields); the backend always sets it.
 */
struct ism_device_stat {
	uint16_t domid;
	uint32_t devid;
	int state;
	unsigned int slots;
	unsigned int peers;
	unsigned int grants;
	uint64_t bytes;
	unsigned int fast_paths;
	uint64_t relayed;
	unsigned int fp_refused;
	int fp_errno;
	bool events_known;
};

/*
 * ism_backend_list_devices() - every device, sorted by (domid, devid).
 * *@list_out is a malloc'd array of *@num_out entries; free() it (it is a
 * valid block to free even when *@num_out is 0).  -ENOMEM.
 */
int ism_backend_list_devices(const struct ism_backend *be,
			     struct ism_device_stat **list_out,
			     unsigned int *num_out);

#endif /* ISM_BACKEND_ISM_BACKEND_H */
