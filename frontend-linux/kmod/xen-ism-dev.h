/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * xen-ism-dev.h - /dev/xen-ism, the character device of xen-ismfront:
 * xen-ism regions for unprivileged processes.
 *
 * A process opens /dev/xen-ism (mode and group from the project's udev
 * rule: members of group xen-ism), binds the file to one ism device with
 * BIND, then allocates or attaches regions.  Every region belongs to the
 * file that made it: it is named by a small handle (never 0) valid in that
 * file only, and closing the file detaches every region it still holds.
 *
 * A region is mapped with
 *	mmap(NULL, size, PROT_READ [| PROT_WRITE], MAP_SHARED, fd, mmap_offset)
 * where size and mmap_offset come from struct xen_ism_ioc_region: the
 * whole region, never a part, and MAP_SHARED only (else EINVAL; ENXIO for
 * an offset naming no region of the file).  mmap_offset is handle times
 * 64 MiB (ISM_REGION_SIZE_LIMIT, the largest region); use the value
 * given, and a 64-bit off_t in 32-bit programs.  A region attached
 * read-only refuses PROT_WRITE (EPERM); the hypervisor enforces it too.
 * The region's doorbell (struct ism_bell of ismif.h: the want and seq
 * words of notify suppression) is mapped the same way: one page,
 * writable (after a read-only attach too), at bell_offset:
 *	mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, bell_offset)
 * so that a process can say it waits (want[side] = 1) and count its
 * updates (seq[side] += 1) without a system call, as the userspace path
 * of libxenism does: NOTIFY is then needed only when the peer's want was
 * set, with XEN_ISM_IOC_NOTIFY_COUNTED (signal only), and WANT not at
 * all.  The peer writes the same page: its contents are advisory.
 * DETACH and FREE of a mapped region, or of one whose doorbell is
 * mapped, fail with EBUSY: munmap() first.
 * NOTIFY returns 1, not 0, when the peer was not waiting: the update was
 * counted, no signal was needed.
 *
 * read() returns whole struct xen_ism_ioc_event records, at most 32 at a
 * time (EAGAIN with O_NONBLOCK when none, EINVAL for a buffer smaller
 * than one); poll() reports POLLIN while one is queued.  Updates of a
 * region are coalesced into one event until read.  Life-cycle events are
 * never lost: of PEER_ATTACHED and PEER_DETACHED, a region keeps 8
 * unread, and beyond that a new one cancels the last one if it is the
 * opposite (the last one read tells the state the region is in);
 * PEER_GONE and REGION_RELEASED happen once in a region's life and come
 * after the others.  DEVICE_GONE (handle 0) reaches a file once.  A
 * detached region's unread events are dropped.
 *
 * Errors beside those of the protocol (ism-protocol.md, "Error codes"):
 * ENOTTY no BIND yet, EALREADY second BIND, ENODEV no such device or it
 * was removed, ENOENT no such handle, EINVAL a reserved field not zero or
 * a bad flag, EFAULT bad user pointer, EINTR interrupted (nothing was
 * done, or what was done was undone).
 */
#ifndef XEN_ISM_DEV_H
#define XEN_ISM_DEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XEN_ISM_DEV_PATH "/dev/xen-ism"
#define XEN_ISM_DEV_NAME "xen-ism"

/*
 * BIND: use the ism device @devid (0: the connected device with the lowest
 * devid; the devid used is written back).
 */
struct xen_ism_ioc_bind {
	__u32 devid; /* in/out */
	__u32 flags; /* must be 0 */
};

/* DEV_INFO: the device, and its usage (an INFO request). */
struct xen_ism_ioc_dev_info {
	__u64 gid;
	__u64 region_size;
	__u64 max_bytes;
	__u64 bytes_used;
	__u32 devid;
	__u16 domid;
	__u16 backend_domid;
	__u32 version; /* protocol version in use */
	__u32 max_regions;
	__u32 max_peers;
	__u32 max_perm_entries;
	__u32 slots_used;
	__u32 peers_used;
	__u32 quarantined_pages;
	__u32 flags; /* XEN_ISM_DEV_F_* */
};

#define XEN_ISM_DEV_F_FAST_PATH 0x1u /* the backend brokers fast paths */
#define XEN_ISM_DEV_F_CONNECTED 0x2u /* connected to the backend now */

/* A region, as ALLOC, ATTACH and REGION_INFO describe it. */
struct xen_ism_ioc_region {
	__u64 token;
	__u64 size; /* octets, a multiple of 4096 */
	__u64 mmap_offset; /* for mmap() */
	__u32 handle; /* this file's name for it, never 0 */
	__u32 slot;
	__u32 perm; /* ISM_PERM_*: this device's rights */
	__u32 peer_devid; /* 0 if none yet */
	__u16 peer_domid; /* ISM_DOMID_INVALID (0x7ff4) if none */
	__u8 side; /* ISM_SIDE_* */
	__u8 pad0;
	__u32 flags; /* XEN_ISM_REGION_F_* */
	__u64 bell_offset; /* for mmap() of the doorbell page */
};

#define XEN_ISM_REGION_F_RELEASED 0x1u /* gone: it can only be detached */
#define XEN_ISM_REGION_F_PEER_PRESENT 0x2u /* the peer is attached now */
#define XEN_ISM_REGION_F_FAST_PATH 0x4u /* updates use a direct channel */

/* ALLOC: @size octets; @perm the default entry (0: ISM_PERM_DEFAULT). */
struct xen_ism_ioc_alloc {
	__u64 size; /* in */
	__u32 perm; /* in */
	__u32 flags; /* in, must be 0 */
	struct xen_ism_ioc_region region; /* out */
};

/*
 * ATTACH: the region with @token; or, if @name is not empty, the region
 * that domain @from_domid (not this domain: EINVAL) published under @name
 * (named token rendezvous, one read: ENOENT if it is not published yet,
 * EPROTO if its value is malformed, EXDEV if it names another host's
 * gid).  @from_domid is ignored without @name; octets after the NUL of
 * @name are ignored.
 */
struct xen_ism_ioc_attach {
	__u64 token; /* in; 0 if @name is given */
	__u32 flags; /* in: XEN_ISM_IOC_ATTACH_READONLY */
	__u16 from_domid; /* in, with @name */
	__u16 pad0; /* must be 0 */
	char name[68]; /* in: NUL-terminated, or empty */
	__u32 pad1; /* must be 0 */
	struct xen_ism_ioc_region region; /* out */
};

#define XEN_ISM_IOC_ATTACH_READONLY 0x1u

/* REGION_INFO: @handle in, the rest out. */
/* (uses struct xen_ism_ioc_region) */

/* SET_PERM: as the SET_PERM request (ISM_PERM_*, ISM_SET_PERM_F_*). */
struct xen_ism_ioc_set_perm {
	__u32 handle;
	__u32 peer_devid; /* 0: the default entry */
	__u32 perm;
	__u32 flags;
};

/* NOTIFY, WANT, DETACH, FREE: one region. */
struct xen_ism_ioc_handle {
	__u32 handle;
	__u32 flags; /* NOTIFY: XEN_ISM_IOC_NOTIFY_*; others 0 */
};

#define XEN_ISM_IOC_NOTIFY_FORCE 0x1u
/*
 * The caller counted the update in its mapped doorbell and took the
 * peer's want itself: NOTIFY only signals (and returns 0).
 */
#define XEN_ISM_IOC_NOTIFY_COUNTED 0x2u

/*
 * PUBLISH: publish the token of region @handle under ~/data/ism/@name,
 * readable by domain @peer_domid only.  UNPUBLISH: remove @name (handle,
 * peer_domid 0).  A name belongs to the file that published it: another
 * file's PUBLISH of it fails with EEXIST (also for a name a privileged
 * process published), its UNPUBLISH with ENOENT; closing the file removes
 * its names.  At most 64 names per domain (ENOSPC).  The permissions are
 * set by the xenstore tools' xenstore-chmod (Linux 6.1 has no xenbus call
 * for them): without it, PUBLISH fails with EOPNOTSUPP.  Publishing a name
 * again removes it first, so that its earlier reader never sees the new
 * value: until PUBLISH returns, a LOOKUP of it finds nothing (ENOENT).
 */
struct xen_ism_ioc_name {
	__u32 handle;
	__u16 peer_domid;
	__u16 pad0; /* must be 0 */
	char name[68]; /* NUL-terminated, 1 .. 64 of A-Z a-z 0-9 _ - */
};

/*
 * LOOKUP: the token domain @from_domid (not this domain: EINVAL)
 * published under @name for this domain (one read; ENOENT if it is not
 * published yet), checked against this device's gid: the errors of
 * ATTACH by name.  Callers that wait poll it.
 */
struct xen_ism_ioc_lookup {
	__u16 from_domid; /* in */
	__u16 pad0; /* must be 0 */
	char name[68]; /* in: NUL-terminated */
	__u64 token; /* out */
};

/* One event, as read() returns it. */
struct xen_ism_ioc_event {
	__u32 type; /* ISM_EVT_* of ismif.h, or XEN_ISM_EVT_DEVICE_GONE */
	__u32 handle; /* the region, 0 for DEVICE_GONE */
	__u64 token;
	__u32 peer_devid;
	__u16 peer_domid;
	__u16 pad0;
	__s32 status; /* REGION_RELEASED: ISM_RELEASE_* */
	__u32 pad1;
};

#ifndef XEN_ISM_EVT_DEVICE_GONE
#define XEN_ISM_EVT_DEVICE_GONE 0x100 /* the backend closed the device */
#endif

#define XEN_ISM_IOC 0xE8
#define XEN_ISM_IOC_BIND _IOWR(XEN_ISM_IOC, 1, struct xen_ism_ioc_bind)
#define XEN_ISM_IOC_DEV_INFO _IOR(XEN_ISM_IOC, 2, struct xen_ism_ioc_dev_info)
#define XEN_ISM_IOC_ALLOC _IOWR(XEN_ISM_IOC, 3, struct xen_ism_ioc_alloc)
#define XEN_ISM_IOC_ATTACH _IOWR(XEN_ISM_IOC, 4, struct xen_ism_ioc_attach)
#define XEN_ISM_IOC_REGION_INFO _IOWR(XEN_ISM_IOC, 5, struct xen_ism_ioc_region)
#define XEN_ISM_IOC_SET_PERM _IOW(XEN_ISM_IOC, 6, struct xen_ism_ioc_set_perm)
#define XEN_ISM_IOC_NOTIFY _IOW(XEN_ISM_IOC, 7, struct xen_ism_ioc_handle)
#define XEN_ISM_IOC_WANT _IOW(XEN_ISM_IOC, 8, struct xen_ism_ioc_handle)
#define XEN_ISM_IOC_DETACH _IOW(XEN_ISM_IOC, 9, struct xen_ism_ioc_handle)
#define XEN_ISM_IOC_FREE _IOW(XEN_ISM_IOC, 10, struct xen_ism_ioc_handle)
#define XEN_ISM_IOC_PUBLISH _IOW(XEN_ISM_IOC, 11, struct xen_ism_ioc_name)
#define XEN_ISM_IOC_UNPUBLISH _IOW(XEN_ISM_IOC, 12, struct xen_ism_ioc_name)
#define XEN_ISM_IOC_LOOKUP _IOWR(XEN_ISM_IOC, 13, struct xen_ism_ioc_lookup)

#endif /* XEN_ISM_DEV_H */
