/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenism.h - libxenism, the guest side of xen-ism (Internal Shared Memory
 * for Xen guests).
 *
 * A guest opens its ism device (the xenbus handshake with the backend
 * xen-ismd), allocates regions, passes a region's 64-bit token to a peer
 * guest (by its own means or with the named rendezvous below), and the peer
 * attaches.  Both map the region and talk through loads and stores, and
 * tell each other "I updated it" with ism_region_notify(); the other side
 * learns it from ism_event_read() as ISM_EVT_REGION_UPDATED.
 *
 * Two implementations drive a device, behind the same calls (libxenism(3),
 * "KERNEL FRONTEND"): the library itself, from userspace, through the Xen
 * devices and xenstore (root only); or, when the kernel frontend
 * xen-ismfront.ko drives the device, its character device /dev/xen-ism
 * (members of group xen-ism, no root).  ism_dev_open() picks one per
 * device; $ISM_FRONTEND ("kernel", "user") forces one.
 *
 * Return values: every call returns 0 or a negative errno (never -1 with
 * errno set).  Errors the backend reports come back as the negated errno of
 * its response (ismif.h, "Error codes"); the library adds:
 *	-ENODEV       no ism device in this guest (or not the one asked for);
 *	-ETIMEDOUT    the backend or a peer did not answer in time;
 *	-EPROTO       the backend broke the protocol or closed the device for
 *	              a protocol violation of ours (reason in its error node);
 *	-ESHUTDOWN    the backend closed the device; close the handle;
 *	-EPROTONOSUPPORT  the backend speaks no protocol version we know;
 *	-EINVAL       a bad argument;
 *	-ENOMEM       out of memory;
 *	others        as the Xen libraries return them (-EACCES, -EPERM when
 *	              not allowed to open the Xen devices, ...).
 *
 * Thread safety: a handle (ism_dev) and its regions are not thread-safe.
 * Use them from one thread at a time (one handle per thread, or hold your
 * own mutex around every call).  Mapped region memory may be used from any
 * thread.  Handles must not be used in a child after fork().
 *
 * Lifetime: a region lives as long as some device holds it.  Closing the
 * handle (or the process exiting) releases every region it holds.
 */
#ifndef XENISM_H
#define XENISM_H

#include <stddef.h>
#include <stdint.h>

#include <ismif.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An open ism device. */
typedef struct ism_dev ism_dev;
/* A region this device holds (allocated or attached). */
typedef struct ism_region ism_region;

/*
 * Default time to wait for the backend (handshake and each request), unless
 * the environment variable ISM_TIMEOUT_ENV says otherwise: milliseconds
 * from 1 to 86400000, or -1 (forever); other values are ignored.
 */
#define ISM_TIMEOUT_DEFAULT_MS 10000
#define ISM_TIMEOUT_ENV "ISM_TIMEOUT_MS"

/**
 * ism_dev_open() - open an ism device and connect it.
 * @devid: the device (the index under ~/device/ism), or 0 for the first.
 * @timeout_ms: how long to wait for the backend to connect, -1 forever,
 *	0 for the default ($ISM_TIMEOUT_MS, else ISM_TIMEOUT_DEFAULT_MS).
 *	Also used for every later request.
 * @dev_out: the handle; close it with ism_dev_close().
 *
 * Performs the xenbus handshake: grants the control ring and the event
 * page, allocates an event channel, writes the frontend nodes and waits for
 * the backend to be Connected.  -ENODEV, -ETIMEDOUT, -EPROTO,
 * -EPROTONOSUPPORT, -ESHUTDOWN, -ENOMEM, Xen library errors.
 *
 * For a device the kernel frontend drives (bound to it in sysfs), opens
 * /dev/xen-ism instead and binds it to the device: -EACCES (not in group
 * xen-ism), -ENODEV.  $ISM_FRONTEND: "kernel" always uses /dev/xen-ism,
 * "user" always the handshake above (-EBUSY for a device the kernel
 * frontend drives); other values than those and "auto": -EINVAL.
 */
int ism_dev_open(uint32_t devid, int timeout_ms, ism_dev **dev_out);

/**
 * ism_dev_close() - release every region, close the device (state Closed),
 * free the handle.  It first waits (up to the handle's timeout) for the
 * answers to posted DETACH and FREE requests.  NULL is a no-op.
 */
void ism_dev_close(ism_dev *dev);

/**
 * struct ism_dev_info - a device and its limits.
 * @gid: the host's ISM gid.
 * @devid: this device.
 * @domid: this domain.
 * @backend_domid: the backend's domain.
 * @version: the protocol version in use.
 * @region_size: the largest region in octets.
 * @max_regions: slots of this device.
 * @max_bytes: region memory this domain may use, all devices.
 * @max_peers: distinct peer devices this domain may share with.
 * @max_perm_entries: permission entries per region.
 * @fast_path: the backend offers direct event channels.
 * @bytes_used, @slots_used, @peers_used, @quarantined_pages: the backend's
 *	INFO answer (filled by ism_dev_info() only).
 */
struct ism_dev_info {
	uint64_t gid;
	uint32_t devid;
	uint16_t domid;
	uint16_t backend_domid;
	uint32_t version;
	uint64_t region_size;
	uint32_t max_regions;
	uint64_t max_bytes;
	uint32_t max_peers;
	uint32_t max_perm_entries;
	int fast_path;
	uint64_t bytes_used;
	uint32_t slots_used;
	uint32_t peers_used;
	uint32_t quarantined_pages;
};

/**
 * ism_dev_info() - fill *@info_out, asking the backend (INFO) for usage.
 * Backend errnos, -ETIMEDOUT, -ESHUTDOWN.
 */
int ism_dev_info(ism_dev *dev, struct ism_dev_info *info_out);

/**
 * ism_dev_fd() - a file descriptor that polls readable when something may
 * have happened (an update, a life-cycle event, the backend's state);
 * then call ism_event_read() until -EAGAIN.  The handle owns it.
 */
int ism_dev_fd(ism_dev *dev);

/**
 * ism_dev_set_fast_path() - whether regions use the fast path.
 * @enable: 0: regions this device allocates or attaches from now on do
 *	without the direct event channel: it does not offer one as owner and
 *	declines the offers it gets as peer, so their updates go through the
 *	backend (NOTIFY requests).  1 (any non-zero): use it when the
 *	backend offers it (the default).
 *
 * Regions the device holds already keep what they have.  0, or -EINVAL
 * for a NULL @dev; -EOPNOTSUPP for 0 on /dev/xen-ism (the kernel frontend
 * always takes the fast path the backend offers).
 */
int ism_dev_set_fast_path(ism_dev *dev, int enable);

/**
 * ism_region_alloc() - allocate a region of @size octets (rounded up to
 * whole pages).
 * @perm: the region's default permission entry (ISM_PERM_*, e.g.
 *	ISM_PERM_DEFAULT, or ISM_PERM_DENY_OTHER to admit only devices
 *	named with ism_region_set_perm()).
 * @r_out: the region, mapped with ism_region_map().
 *
 * -EFBIG (above region-size), -ENOSPC, -EDQUOT, -ENOMEM, -ENOBUFS, -EINVAL
 * (size 0, unknown perm bits), -ETIMEDOUT, -ESHUTDOWN, -EPROTO.
 */
int ism_region_alloc(ism_dev *dev, uint64_t size, uint32_t perm,
		     ism_region **r_out);

/* ism_region_attach() flags. */
#define ISM_ATTACH_READONLY 0x1u /* map read-only even if allowed to write */

/**
 * ism_region_attach() - attach the region named by @token.
 * -ENOENT (no such region), -EACCES (permissions), -EBUSY (shared with
 * another pair), -EEXIST (already held), -ENOSPC, -EDQUOT, -EUSERS,
 * -ENOBUFS, -EINVAL, -ETIMEDOUT, -ESHUTDOWN, -EPROTO.
 */
int ism_region_attach(ism_dev *dev, uint64_t token, unsigned int flags,
		      ism_region **r_out);

/**
 * struct ism_region_info - what this device knows about a region.
 * @token: its token.
 * @size: octets.
 * @slot: this device's slot.
 * @perm: this device's rights (ISM_PERM_*).
 * @side: ISM_SIDE_OWNER or ISM_SIDE_PEER.
 * @released: 1 once released under this device (only detach is left).
 * @peer_devid, @peer_domid: the other referrer (0, ISM_DOMID_INVALID if
 *	none yet); after it left, the one device allowed back.
 * @peer_present: 1 while the other referrer is attached.
 * @fast_path: 1 while a direct event channel to the peer is up.
 */
struct ism_region_info {
	uint64_t token;
	uint64_t size;
	uint32_t slot;
	uint32_t perm;
	unsigned int side;
	int released;
	uint32_t peer_devid;
	uint16_t peer_domid;
	int peer_present;
	int fast_path;
};

/* ism_region_info() - fill *@info_out from the library's view; never fails
 * for a valid region (0). */
int ism_region_info(ism_region *r, struct ism_region_info *info_out);

/**
 * ism_region_map() - map the region's pages, writable if this device has
 * ISM_PERM_WRITE (and did not attach read-only), else read-only: a store
 * then faults.  Mapping twice returns the same address.
 * @addr_out: the first octet.
 * @len_out: its size (may be NULL).
 *
 * -EPROTO (the backend's page directory is malformed), -EIDRM (released),
 * Xen library errors of the mapping.
 */
int ism_region_map(ism_region *r, void **addr_out, size_t *len_out);

/* ism_region_unmap() - undo ism_region_map(); 0 if not mapped. */
int ism_region_unmap(ism_region *r);

/* ism_region_set_perm() flags. */
#define ISM_PERM_REMOVE 0x1u /* remove @peer_devid's entry; @perm 0 */

/**
 * ism_region_set_perm() - set the permission entry of @peer_devid (0: the
 * default entry) to @perm.  Needs MANAGE.  -EPERM, -EMLINK, -EINVAL,
 * -EIDRM, -ESTALE, -ENOENT, -ETIMEDOUT, -ESHUTDOWN.
 */
int ism_region_set_perm(ism_region *r, uint32_t peer_devid, uint32_t perm,
			unsigned int flags);

/* ism_region_notify() flags. */
#define ISM_NOTIFY_FORCE 0x1u /* signal even if the peer is not waiting */

/**
 * ism_region_notify() - tell the other referrer the region was updated.
 *
 * Call it after your stores (it issues the write barrier).  Unless
 * ISM_NOTIFY_FORCE, it signals only if the peer said it is waiting (the
 * doorbell's notify suppression) and returns 1 when it did not need to.
 * It signals through the direct event channel when the fast path is up,
 * else sends NOTIFY to the backend.  0 or 1 on success; -ENOTCONN (no
 * peer), -EIDRM (released), -ETIMEDOUT, -ESHUTDOWN.
 */
int ism_region_notify(ism_region *r, unsigned int flags);

/**
 * ism_region_want() - say "signal me on the next update" (the doorbell).
 * Call it before you check the region's contents a last time and then
 * sleep in poll() or ism_event_wait(); the peer's next non-forced notify
 * then signals.  -EIDRM if released.
 */
int ism_region_want(ism_region *r);

/**
 * ism_region_detach() - unmap and release this device's reference, and
 * free @r (also on error; the slot is then the backend's to clean up).
 * Queued events about @r are dropped.  The DETACH is posted: the
 * backend's answer is not awaited; errors it reports later are not
 * returned.  Requests sent later reach the backend after it.  0;
 * -ETIMEDOUT (no room on the ring in time), -ESHUTDOWN, -EPROTO.
 */
int ism_region_detach(ism_region *r);

/**
 * ism_region_free() - release the region for every referrer (needs
 * MANAGE), unmap and free @r; on failure @r stays valid.  The FREE is
 * posted: the backend's answer is not awaited; errors it reports later
 * are not returned (a FREE refused because the region was released
 * meanwhile is followed by a DETACH of the slot).  Requests sent later
 * reach the backend after it; ism_dev_close() waits for its answer.  0;
 * -EPERM (no MANAGE), -EIDRM (released), -ETIMEDOUT (no room on the ring
 * in time), -ESHUTDOWN, -EPROTO.
 */
int ism_region_free(ism_region *r);

/* Library event types, beside the ISM_EVT_* of ismif.h. */
#define ISM_EVENT_DEVICE_CLOSED 0x100 /* the backend closed the device */

/**
 * struct ism_event - something happened.
 * @type: ISM_EVT_REGION_UPDATED, ISM_EVT_PEER_ATTACHED,
 *	ISM_EVT_PEER_DETACHED, ISM_EVT_PEER_GONE, ISM_EVT_REGION_RELEASED
 *	(ismif.h) or ISM_EVENT_DEVICE_CLOSED.
 * @region: the region, valid until you detach it; NULL for device events.
 * @token: the region's token.
 * @peer_devid, @peer_domid: the other referrer.
 * @status: REGION_RELEASED: the reason (ISM_RELEASE_*); DEVICE_CLOSED:
 *	-ESHUTDOWN or -EPROTO.
 */
struct ism_event {
	unsigned int type;
	ism_region *region;
	uint64_t token;
	uint32_t peer_devid;
	uint16_t peer_domid;
	int32_t status;
};

/**
 * ism_event_read() - take the next event without blocking.  -EAGAIN when
 * there is none.  Answers fast-path offers and resynchronises after an
 * event queue overflow on the way (which may send requests).
 */
int ism_event_read(ism_dev *dev, struct ism_event *ev_out);

/**
 * ism_event_wait() - as ism_event_read(), but wait up to @timeout_ms
 * (-1: forever) for an event.  -ETIMEDOUT.  An event already there costs
 * no system call; a wake-up costs one wait and the read of what woke it
 * (with @timeout_ms -1 not even a clock read).
 */
int ism_event_wait(ism_dev *dev, int timeout_ms, struct ism_event *ev_out);

/**
 * ism_name_publish() - publish @token under ~/data/ism/@name for @peer_domid
 * only (xenstore permissions: readable by that domain alone), with this
 * device's gid and devid.  @name: 1 to 64 of A-Z a-z 0-9 _ -.  At most 64
 * names per domain (-ENOSPC).  Overwrites an earlier value of @name.
 * -EINVAL, xenstore errnos.  On /dev/xen-ism, only the token of a region
 * this handle holds (-ENOENT for another).
 */
int ism_name_publish(ism_dev *dev, const char *name, uint64_t token,
		     uint16_t peer_domid);

/* ism_name_unpublish() - remove ~/data/ism/@name (0 if absent). */
int ism_name_unpublish(ism_dev *dev, const char *name);

/**
 * ism_name_lookup() - read the token that domain @from_domid published for
 * us under @name, watching for it up to @timeout_ms (-1: forever, 0: look
 * once).  -ETIMEDOUT (not there in time), -EPROTO (malformed value),
 * -EXDEV (published for a device of another host: gid differs), -EINVAL.
 */
int ism_name_lookup(ism_dev *dev, const char *name, uint16_t from_domid,
		    int timeout_ms, uint64_t *token_out);

#ifdef __cplusplus
}
#endif

#endif /* XENISM_H */
