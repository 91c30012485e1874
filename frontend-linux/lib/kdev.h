/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kdev.h - libxenism on the character device /dev/xen-ism of the kernel
 * frontend xen-ismfront.ko (the uapi: frontend-linux/kmod/xen-ism-dev.h):
 * the second implementation of the device seam (platform.h).  The kernel
 * drives the device (handshake, requests, events, fast path); the library
 * turns each call into an ioctl(), a region into an mmap() of the file and
 * the file's event records into struct ism_event.  Nothing here needs
 * root: the file's mode and group are the udev rule's.
 */
#ifndef ISM_FRONTEND_LIB_KDEV_H
#define ISM_FRONTEND_LIB_KDEV_H

#include <stddef.h>

#include "private.h"
#include "../kmod/xen-ism-dev.h"

/* Which implementation ism_dev_open() uses: auto, "kernel" or "user". */
#define ISM_FRONTEND_ENV "ISM_FRONTEND"

/* Event records taken from the file per read(). */
#define ISM_KDEV_EVENTS 16u

/* Name lookups poll LOOKUP: first after this, doubling up to the max. */
#define ISM_KDEV_LOOKUP_POLL_MS 10
#define ISM_KDEV_LOOKUP_POLL_MAX_MS 200
/* While the kernel's device is not connected yet, BIND is retried so. */
#define ISM_KDEV_BIND_POLL_MS 50

/* A region of the chardev implementation. */
struct ism_kregion {
	struct ism_region r; /* first: an ism_region * is one of these */
	uint32_t handle; /* the file's name for it, never 0 */
	uint64_t mmap_offset;
	uint64_t bell_offset;
	struct ism_bell *bell; /* the doorbell mapped, or NULL */
	bool bell_failed; /* its mmap failed: NOTIFY and WANT it is */
	bool fast_path;
};

/* A handle of the chardev implementation. */
struct ism_kdev {
	struct ism_dev dev; /* first: an ism_dev * is one of these */
	int fd; /* /dev/xen-ism, bound, O_NONBLOCK */
	struct ism_kregion **regions; /* every region held, unordered */
	unsigned int nregions, cap;
	/* Records read from the file and not yet handed out. */
	struct xen_ism_ioc_event evbuf[ISM_KDEV_EVENTS];
	unsigned int ev_pos, ev_len;
};

static inline struct ism_kdev *ism__kdev(ism_dev *dev)
{
	return (struct ism_kdev *)((char *)dev -
				   offsetof(struct ism_kdev, dev));
}

static inline struct ism_kregion *ism__kregion(ism_region *r)
{
	return (struct ism_kregion *)((char *)r -
				      offsetof(struct ism_kregion, r));
}

/* ---- Which path (kdev.c) ------------------------------------------------ */

/* What ism__dev_select() chose. */
#define ISM_FE_PATH_USER 1 /* the userspace protocol implementation */
#define ISM_FE_PATH_KERNEL 2 /* the character device */

/**
 * ism__dev_select() - which implementation opens device @devid.
 * @sysfs: the sysfs root ("/sys"; the unit tests give a tree of their own):
 *	a device the kernel frontend knows is <sysfs>/bus/xen/devices/ism-N,
 *	and it is bound to the driver when that directory has "driver".
 * @chardev: the character device (XEN_ISM_DEV_PATH), used if it exists.
 * @mode: $ISM_FRONTEND: NULL, "" or "auto"; "kernel"; "user".
 * @devid: as given to ism_dev_open(); 0: the first device, as the
 *	userspace path picks it (the lowest devid), among those the mode
 *	may use ("user": the lowest not bound; "kernel": the lowest bound).
 * @devid_out: the device to open (0: let that path choose).
 *
 * Auto: the chardev for a device bound to the kernel frontend, the
 * userspace path for any other.  A device bound to the kernel frontend
 * is never driven from userspace: -EBUSY for it with "user", and in auto
 * mode when the chardev is missing.
 *
 * Return: ISM_FE_PATH_USER or ISM_FE_PATH_KERNEL; -EINVAL (unknown @mode),
 * -EBUSY, -ENODEV ("kernel" and no chardev).
 */
int ism__dev_select(const char *sysfs, const char *chardev, const char *mode,
		    uint32_t devid, uint32_t *devid_out);

/* Whether the kernel frontend is bound to device @devid (<sysfs>/...). */
bool ism__sysfs_bound(const char *sysfs, uint32_t devid);

/*
 * Open @path, BIND @devid (0: the kernel's first connected device) and
 * describe it.  With @wait, a device not connected yet (BIND: -ENODEV) is
 * waited for up to the handle's timeout.
 */
int ism__kdev_open(const char *path, uint32_t devid, int timeout_ms, bool wait,
		   ism_dev **dev_out);

/* ioctl(), again on EINTR (nothing was done): its result or -errno. */
int ism__kioctl(int fd, unsigned long req, void *arg);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t ism__kdev_now_ms(void);

/* ---- Regions (kregion.c) ------------------------------------------------ */

int ism__kregion_alloc(ism_dev *dev, uint64_t size, uint32_t perm,
		       ism_region **r_out);
int ism__kregion_attach(ism_dev *dev, uint64_t token, unsigned int flags,
			ism_region **r_out);
int ism__kregion_refresh(ism_region *r);
int ism__kregion_map(ism_region *r, void **addr_out, size_t *len_out);
int ism__kregion_unmap(ism_region *r);
int ism__kregion_set_perm(ism_region *r, uint32_t peer_devid, uint32_t perm,
			  unsigned int flags);
int ism__kregion_notify(ism_region *r, unsigned int flags);
int ism__kregion_want(ism_region *r);
int ism__kregion_detach(ism_region *r);
int ism__kregion_free(ism_region *r);
/* The region the file names @handle, or NULL. */
struct ism_kregion *ism__kregion_find(struct ism_kdev *kd, uint32_t handle);
/* The region holding @token, or NULL. */
struct ism_kregion *ism__kregion_by_token(struct ism_kdev *kd, uint64_t token);
/* Unmap and forget every region (closing). */
void ism__kregion_destroy_all(struct ism_kdev *kd);
/*
 * Copy what the kernel says of a region into @kr's view.  -EPROTO if it
 * cannot be right (handle 0, a size not in whole pages, an unknown side).
 */
int ism__kregion_set(struct ism_kregion *kr,
		     const struct xen_ism_ioc_region *kreg);

/* ---- Events (kevent.c) -------------------------------------------------- */

/**
 * ism__kevent_take() - turn the file's record @ke into the user's event.
 * @ke: the record.
 * @r: the region its handle names in this file, or NULL.
 * @ev_out: the event.
 *
 * Applies it to @r's view (peer present, released) as the userspace path
 * does with the backend's events.  XEN_ISM_EVT_DEVICE_GONE becomes
 * ISM_EVENT_DEVICE_CLOSED (status -EPROTO if the record says so, else
 * -ESHUTDOWN); the caller marks the device dead.
 *
 * Return: 0, or -ENOENT for a record the user must not see: about no
 * region of ours (@r NULL, or its token differs: a handle reused after a
 * detach), or of a type the user is not told about.
 */
int ism__kevent_take(const struct xen_ism_ioc_event *ke, ism_region *r,
		     struct ism_event *ev_out);
/* Drop the records read but not handed out that name @kr. */
void ism__kevent_forget(struct ism_kdev *kd, const struct ism_kregion *kr);
int ism__kevent_read(ism_dev *dev, struct ism_event *ev_out);
int ism__kevent_wait(ism_dev *dev, int timeout_ms, struct ism_event *ev_out);

#endif /* ISM_FRONTEND_LIB_KDEV_H */
