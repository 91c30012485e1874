/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen-ism.h - the in-kernel API of xen-ismfront, the Linux frontend of
 * xen-ism devices (protocol: xenstore-schema/ismif.h).
 *
 * A kernel user (the /dev/xen-ism character device, SMC-D) registers a
 * &struct xen_ism_client to learn which devices exist, then allocates or
 * attaches regions on a device, maps them, and exchanges update events.
 *
 * Context rules, for every function below:
 *  - "may sleep": process context only, no spinlock held;
 *  - "atomic-safe": any context, including hard interrupt context and
 *    under the caller's spinlocks.
 *
 * Errors are negative errno values: those of the protocol's responses
 * (see "Error codes" in ism-protocol.md) and -ENODEV (the device is being
 * removed), -ESHUTDOWN (the backend closed the device: its regions are
 * gone and can only be detached), -ETIMEDOUT (the backend did not answer
 * in time), -EPROTO (the backend broke the protocol; the device was
 * closed), -EINTR (a sleeping request was interrupted by a signal: the
 * request may still be carried out; see xen_ism_region_alloc()).
 */
#ifndef XEN_ISM_H
#define XEN_ISM_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/types.h>

struct xen_ism_dev;
struct xen_ism_region;

/**
 * struct xen_ism_client - a kernel user of xen-ism devices.
 * @name: for messages.
 * @add: a device connected to its backend (also called at registration
 *	for each device already connected).  May sleep.  The device stays
 *	valid until @remove returns.
 * @remove: the device is going away (its xenbus device is removed, or
 *	the module unloads).  May sleep.  Before it returns, the client
 *	must have detached or freed every region it holds on @dev.
 * @list: private to xen-ismfront.
 */
struct xen_ism_client {
	const char *name;
	void (*add)(struct xen_ism_dev *dev);
	void (*remove)(struct xen_ism_dev *dev);
	struct list_head list;
};

int xen_ism_client_register(struct xen_ism_client *client);
void xen_ism_client_unregister(struct xen_ism_client *client);

/**
 * xen_ism_dev_get() - find a device by its devid and take a reference.
 * @devid: the device's id, or 0 for the connected device with the lowest
 *	devid.
 *
 * Return: the device, or NULL if there is none.  Drop it with
 * xen_ism_dev_put().  May sleep.
 */
struct xen_ism_dev *xen_ism_dev_get(u32 devid);
void xen_ism_dev_put(struct xen_ism_dev *dev);

/**
 * struct xen_ism_dev_info - what a device is and uses.
 *
 * The first part is what the backend announced at connect; the second
 * part is the answer to an INFO request.
 */
struct xen_ism_dev_info {
	u64 gid;
	u32 devid;
	u16 domid;
	u16 backend_domid;
	u64 region_size;
	u32 max_regions;
	u32 max_peers;
	u64 max_bytes;
	u32 max_perm_entries;
	bool connected;
	bool fast_path;
	u64 bytes_used;
	u32 slots_used;
	u32 peers_used;
	u32 quarantined_pages;
};

/**
 * xen_ism_dev_info() - describe @dev; sends INFO.  May sleep.
 * @dev: the device.
 * @info: filled on success.
 *
 * Return: 0, or -errno.
 */
int xen_ism_dev_info(struct xen_ism_dev *dev, struct xen_ism_dev_info *info);

/**
 * xen_ism_dev_peer() - is another device of this host there; whose region
 * is that?  Sends PEER.  May sleep.
 * @dev: the device that asks.
 * @token: 0, or ask for the owner of the live region with this token.
 * @devid: 0, or ask for this device (exactly one of the two is non-zero).
 * @devid_out: the device described (NULL: not wanted).
 *
 * Return: 1 if the device described is connected, 0 if it is not, or
 * -errno: -ENOENT (no such device, no live region with that token),
 * -EOPNOTSUPP (the backend predates PEER: it cannot tell).
 */
int xen_ism_dev_peer(struct xen_ism_dev *dev, u64 token, u32 devid,
		     u32 *devid_out);

/**
 * typedef xen_ism_signal_fn - a device's SIGNAL handler: another device
 * (@from_devid) sent this one @code and @info.  Atomic context.
 */
typedef void (*xen_ism_signal_fn)(struct xen_ism_dev *dev, u32 from_devid,
				  u32 code, u64 info, void *data);

/**
 * xen_ism_dev_on_signal() - set (or with @fn NULL, remove) the one SIGNAL
 * handler of @dev.  Process context: once it returns, an old handler no
 * longer runs.
 *
 * Return: 0, -EINVAL, or -EBUSY if another handler is set.
 */
int xen_ism_dev_on_signal(struct xen_ism_dev *dev, xen_ism_signal_fn fn,
			  void *data);

/**
 * xen_ism_dev_signal() - send SIGNAL (@code, @info) to device @devid.
 * Atomic-safe; the backend's answer is not waited for, so a device that
 * is not there, or the backend's rate limit, drop the signal silently.
 *
 * Return: 0 once sent, -EAGAIN if the control ring is full, or -errno.
 */
int xen_ism_dev_signal(struct xen_ism_dev *dev, u32 devid, u32 code, u64 info);

/* Event types a region's callback gets: the ISM_EVT_* of ismif.h, plus */
#define XEN_ISM_EVT_DEVICE_GONE 0x100 /* the backend closed the device */

/**
 * struct xen_ism_event - what happened to a region.
 * @type: ISM_EVT_REGION_UPDATED, ISM_EVT_PEER_ATTACHED,
 *	ISM_EVT_PEER_DETACHED, ISM_EVT_PEER_GONE, ISM_EVT_REGION_RELEASED
 *	or XEN_ISM_EVT_DEVICE_GONE.  (Fast-path offers are handled inside
 *	xen-ismfront and never reported.)
 * @token: the region's token.
 * @peer_devid: the other referrer, 0 if none.
 * @peer_domid: its domain, ISM_DOMID_INVALID if none.
 * @status: REGION_RELEASED: the reason, ISM_RELEASE_*; else 0.
 */
struct xen_ism_event {
	unsigned int type;
	u64 token;
	u32 peer_devid;
	u16 peer_domid;
	int status;
};

/**
 * typedef xen_ism_event_fn - a region's event callback.
 * @r: the region.
 * @ev: the event (valid during the call only).
 * @data: what the region was made with.
 *
 * Runs in atomic context (possibly hard interrupt context), never twice at
 * once for one device.  It must not sleep; it may call the atomic-safe
 * functions on any region.  After REGION_RELEASED or DEVICE_GONE the
 * region can only be detached.
 */
typedef void (*xen_ism_event_fn)(struct xen_ism_region *r,
				 const struct xen_ism_event *ev, void *data);

/* xen_ism_region_attach() flags. */
#define XEN_ISM_ATTACH_READONLY 0x1u /* map read-only even if WRITE */

/**
 * xen_ism_region_alloc() - allocate a region; this device owns it.
 * @dev: the device.
 * @size: octets, 1 .. region-size; rounded up to whole pages.
 * @perm: the region's default permission entry, ISM_PERM_*; 0 means
 *	ISM_PERM_DEFAULT.
 * @fn: event callback, or NULL.
 * @data: passed to @fn.
 * @r_out: the region.
 *
 * May sleep.  A request interrupted by a signal (-EINTR) is still
 * answered: xen-ismfront then releases what it made, so nothing leaks.
 *
 * Return: 0, or -errno (-EFBIG, -ENOSPC, -EDQUOT, -ENOMEM, -ENOBUFS, ...).
 */
int xen_ism_region_alloc(struct xen_ism_dev *dev, u64 size, u32 perm,
			 xen_ism_event_fn fn, void *data,
			 struct xen_ism_region **r_out);

/**
 * xen_ism_region_attach() - attach the region named by @token.
 * @dev: the device.
 * @token: the region's token.
 * @flags: XEN_ISM_ATTACH_*.
 * @fn: event callback, or NULL.
 * @data: passed to @fn.
 * @r_out: the region.
 *
 * May sleep.  Return: 0, or -errno (-ENOENT, -EEXIST, -EBUSY, -EACCES,
 * -ENOSPC, -EDQUOT, -EUSERS, ...).
 */
int xen_ism_region_attach(struct xen_ism_dev *dev, u64 token,
			  unsigned int flags, xen_ism_event_fn fn, void *data,
			  struct xen_ism_region **r_out);

/**
 * struct xen_ism_region_info - a region as this frontend sees it.
 * @token: its token.
 * @size: usable octets, a multiple of PAGE_SIZE.
 * @slot: this device's slot for it.
 * @perm: this device's rights, ISM_PERM_* (no WRITE: mapped read-only).
 * @side: ISM_SIDE_OWNER or ISM_SIDE_PEER.
 * @released: released (or its device gone): it can only be detached.
 * @peer_devid: the other referrer, 0 if none yet.
 * @peer_domid: its domain, ISM_DOMID_INVALID if none.
 * @peer_present: the other referrer is attached now.
 * @fast_path: updates go over a direct event channel.
 */
struct xen_ism_region_info {
	u64 token;
	u64 size;
	u32 slot;
	u32 perm;
	unsigned int side;
	bool released;
	u32 peer_devid;
	u16 peer_domid;
	bool peer_present;
	bool fast_path;
};

/* Atomic-safe. */
void xen_ism_region_info(struct xen_ism_region *r,
			 struct xen_ism_region_info *info);

/**
 * xen_ism_region_map() - map the whole region, linearly, into the kernel.
 * @r: the region.
 * @addr_out: its first octet; the mapping is @size octets, read-only if
 *	the region is (the hypervisor enforces it).
 *
 * The mapping is a physically contiguous, compound block of this guest's
 * memory (order get_order(size)) in the direct map, whose own frames are
 * given back to Xen while the region's pages are mapped in their place:
 * virt_to_page() and page_address() work on every octet, as an SMC-D DMB
 * needs.  (A PV guest cannot vmap() another domain's frames.)  It fails
 * with -ENOMEM when no such block is free.  After the unmap the block
 * gets its frames back and returns to the page allocator, or is kept,
 * with a warning, should Xen not give them.
 *
 * The mapping lasts until the region is detached or freed; a second call
 * returns the same address.  -EBUSY: xen_ism_region_map_pages() mapped
 * it already.  May sleep.  Return: 0, or -errno.
 */
int xen_ism_region_map(struct xen_ism_region *r, void **addr_out);

/**
 * xen_ism_region_map_pages() - map the region's pages into the kernel,
 * each at its own address, for xen_ism_region_write(): no block of this
 * guest's memory is used.
 * @r: the region.
 *
 * Lasts until the region is detached or freed; -EBUSY if
 * xen_ism_region_map() mapped it already (xen_ism_region_write() then
 * works as well).  May sleep.  Return: 0, or -errno.
 */
int xen_ism_region_map_pages(struct xen_ism_region *r);

/**
 * xen_ism_region_write() - copy @len octets from @src into @r at @offset.
 * @r: a region mapped by xen_ism_region_map() or _map_pages(), and not
 *	detached or freed yet (the caller sees to that).
 *
 * Atomic-safe.  Return: 0, -ENXIO (not mapped), -EPERM (read-only) or
 * -EINVAL (outside the region).
 */
int xen_ism_region_write(struct xen_ism_region *r, u64 offset, const void *src,
			 size_t len);

/**
 * xen_ism_region_mmap() - map @r into a user VMA (for a character device's
 * mmap).
 * @r: the region.
 * @vma: the whole region, from its first page: vm_end - vm_start must be
 *	the region's size and vm_pgoff is ignored.  VM_WRITE on a read-only
 *	region is refused (-EPERM); VM_MAYWRITE is cleared for it.
 *
 * The VMA keeps the region's pages mapped after a detach or free, until it
 * is unmapped; detach and free of a region mapped by a VMA fail with
 * -EBUSY.  May sleep (called from f_op->mmap).  Return: 0, or -errno.
 */
int xen_ism_region_mmap(struct xen_ism_region *r, struct vm_area_struct *vma);

/**
 * xen_ism_bell_mmap() - map @r's doorbell page (struct ism_bell) into a
 * user VMA, so that a process counts its updates and says it waits
 * without a system call (it then notifies with XEN_ISM_NOTIFY_COUNTED).
 * @r: the region.
 * @vma: one page, writable or not (the doorbell is writable for both
 *	referrers, a read-only peer too).
 *
 * As xen_ism_region_mmap(): the VMA holds @r, and detach and free fail
 * with -EBUSY while it exists.  May sleep.  Return: 0, or -errno.
 */
int xen_ism_bell_mmap(struct xen_ism_region *r, struct vm_area_struct *vma);

/**
 * xen_ism_region_set_perm() - set or remove a permission entry (SET_PERM).
 * @r: the region (needs MANAGE).
 * @peer_devid: 0 for the default entry.
 * @perm: ISM_PERM_*.
 * @flags: ISM_SET_PERM_F_*.
 *
 * May sleep.  Return: 0, or -errno.
 */
int xen_ism_region_set_perm(struct xen_ism_region *r, u32 peer_devid, u32 perm,
			    u32 flags);

/* xen_ism_region_notify() flags. */
#define XEN_ISM_NOTIFY_FORCE 0x1u /* signal even if the peer is not waiting */
/*
 * The caller counted the update in the doorbell and took the peer's want
 * itself (a process that maps the doorbell, xen_ism_bell_mmap()): signal.
 */
#define XEN_ISM_NOTIFY_COUNTED 0x2u

/**
 * xen_ism_region_notify() - tell the other referrer that @r was updated.
 * @r: the region.
 * @flags: XEN_ISM_NOTIFY_*.
 *
 * Orders the caller's stores to the region before the update is seen,
 * counts it in the doorbell, and signals the peer if it is waiting (or
 * always with XEN_ISM_NOTIFY_FORCE): on the fast path's event channel, or
 * with a NOTIFY request whose answer is not awaited.  Atomic-safe.
 *
 * Return: 0 (signalled, or a signal is on its way), 1 (counted only: the
 * peer was not waiting; never with XEN_ISM_NOTIFY_COUNTED), -ENOTCONN (no peer attached), -ESHUTDOWN or
 * -EIDRM (released).
 */
int xen_ism_region_notify(struct xen_ism_region *r, unsigned int flags);

/**
 * xen_ism_region_want() - ask to be signalled on the peer's next update.
 * @r: the region.
 *
 * Sets this side's doorbell flag with a full barrier: the caller then
 * checks the region once more before it waits.  Atomic-safe.
 * Return: 0, or -ESHUTDOWN.
 */
int xen_ism_region_want(struct xen_ism_region *r);

/**
 * xen_ism_region_detach() - release this device's reference and @r.
 * @r: the region; invalid after the call, whatever it returns but -EBUSY.
 *
 * Unmaps the kernel mapping and sends DETACH without awaiting its answer
 * (the backend serves this device's requests in order).  May sleep.  Its
 * callback is not called any more once this returns.  Return: 0, -EBUSY
 * (a user VMA still maps it; nothing was done), or -ETIMEDOUT or -EPROTO
 * (DETACH could not be sent; the region is released locally all the
 * same).
 */
int xen_ism_region_detach(struct xen_ism_region *r);

/**
 * xen_ism_region_free() - release @r for every referrer (FREE: needs
 * MANAGE), as xen_ism_region_detach() does this device's reference.
 * @r: the region; invalid after the call unless it returns -EBUSY or
 *	-EPERM.
 *
 * FREE is posted like DETACH: what this device asks later is served after
 * it.  Should the backend refuse it (the region was released meanwhile),
 * the module sends DETACH for the slot.  May sleep.  Return: 0, -EBUSY
 * (mapped by a user VMA), -EPERM (no MANAGE; nothing was done), or
 * -ETIMEDOUT or -EPROTO (FREE could not be sent; released locally).
 */
int xen_ism_region_free(struct xen_ism_region *r);

#endif /* XEN_ISM_H */
