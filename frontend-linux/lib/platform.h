/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * platform.h - the seams of libxenism: how a device is driven (struct
 * ism_fe_dev_ops, below) and, for the userspace protocol implementation,
 * Xen as a guest sees it (struct ism_fe_ops).
 *
 * The library never calls libxenstore, libxengnttab or libxenevtchn itself:
 * everything goes through struct ism_fe_ops and an opaque context, struct
 * ism_fe_platform, passed as the first argument of every op.  Two
 * implementations exist: platform-linux.c (the Xen libraries, gntshr for
 * the pages this guest grants, gntdev for the pages it maps) and
 * tests/platform-fake.c (the fake Xen of tests/fake, for unit tests).
 *
 * Conventions (as backend/platform.h):
 *  - every op returns 0 or a negative errno, never -1 with errno set;
 *  - a failed op has no effect (xs_transaction_end closes the transaction
 *    whatever the result) and leaves its outputs untouched;
 *  - memory an op returns is malloc()'d and freed by the caller with one
 *    free() (arrays are one block);
 *  - paths are absolute.
 */
#ifndef ISM_FRONTEND_LIB_PLATFORM_H
#define ISM_FRONTEND_LIB_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* xenstore transaction id meaning "outside any transaction". */
#define ISM_FE_XS_NO_TX 0u

/* Xenstore access bits (XS_PERM_NONE, XS_PERM_READ, XS_PERM_WRITE). */
#define ISM_FE_XS_PERM_NONE 0x0u
#define ISM_FE_XS_PERM_READ 0x1u
#define ISM_FE_XS_PERM_WRITE 0x2u

/* One entry of a xenstore permission list; entry 0 names the owner. */
struct ism_fe_xs_perm {
	uint16_t domid;
	uint8_t perms;
};

struct ism_fe_platform;

/* What ism_fe_ops.wait found ready. */
#define ISM_FE_READY_EVTCHN 0x1 /* a port has an event: @evtchn_pending */
#define ISM_FE_READY_XS 0x2 /* a watch fired: @xs_read_watch */

/**
 * struct ism_fe_ops - what libxenism needs from Xen.
 *
 * @local_domid: the domain the library runs in.
 * @xs_read: value of @path; *@val_out is malloc'd, NUL-terminated, of
 *	*@len_out octets (not counting the NUL).  -ENOENT, -EACCES.
 * @xs_write: set @path to the string @val, creating it.
 * @xs_rm: remove @path and its children.
 * @xs_directory: children of @path, one malloc'd block of *@num_out
 *	pointers followed by the strings.  -ENOENT.
 * @xs_set_perms: replace @path's permission list (1 .. 5 entries).
 * @xs_transaction_start, @xs_transaction_end: -EAGAIN from the end means
 *	"conflict: nothing committed, start over".
 * @xs_watch, @xs_unwatch, @xs_read_watch: watches; @xs_read_watch takes
 *	the oldest queued event (two malloc'd strings) or returns -EAGAIN.
 * @page_share: allocate one zeroed page and grant it writable to @domid;
 *	*@addr_out is this guest's mapping of it.
 * @page_unshare: end the grant of a page from @page_share and free it.
 *	-EBUSY if the grantee still maps it (the page is then leaked, never
 *	reused).
 * @grefs_map: map the @count pages @domid granted with @grefs, contiguous,
 *	read-only if @readonly.  -EINVAL, -EACCES (refused by Xen), -ENOMEM.
 * @grefs_unmap: undo @grefs_map.
 * @gref_copy: copy the first @len octets of the page @domid granted with
 *	@gref into @buf, without mapping it (one grant copy); -errno if the
 *	platform cannot (callers then map).
 * @evtchn_alloc_unbound: a new port for @remote to bind.
 * @evtchn_bind: bind a local port to @remote's unbound @remote_port.
 * @evtchn_close: close a local port.
 * @evtchn_notify: signal a port.
 * @evtchn_pending: take the next port with an event (and unmask it);
 *	-EAGAIN when none.
 * @fd: a file descriptor that polls readable when a port has an event or a
 *	watch fired; the platform owns it.
 * @wait: block until something may have happened (@fd readable) or
 *	@timeout_ms passed (-1: forever).  Returns the sources that are
 *	ready, a mask of ISM_FE_READY_*, or 0: timed out (or woken for no
 *	source it can name).  Sources are level-triggered: one that is ready
 *	(a port event not yet taken by @evtchn_pending, a watch event not yet
 *	taken by @xs_read_watch) makes @wait return at once.  Spurious
 *	wake-ups are allowed; callers re-check their condition.
 * @now_ms: a monotonic clock in milliseconds.
 * @destroy: close everything the platform holds and free it.
 */
struct ism_fe_ops {
	int (*local_domid)(struct ism_fe_platform *p, uint16_t *domid_out);

	int (*xs_read)(struct ism_fe_platform *p, uint32_t tx, const char *path,
		       char **val_out, size_t *len_out);
	int (*xs_write)(struct ism_fe_platform *p, uint32_t tx,
			const char *path, const char *val);
	int (*xs_rm)(struct ism_fe_platform *p, uint32_t tx, const char *path);
	int (*xs_directory)(struct ism_fe_platform *p, uint32_t tx,
			    const char *path, char ***names_out,
			    unsigned int *num_out);
	int (*xs_set_perms)(struct ism_fe_platform *p, uint32_t tx,
			    const char *path,
			    const struct ism_fe_xs_perm *perms,
			    unsigned int num);
	int (*xs_transaction_start)(struct ism_fe_platform *p,
				    uint32_t *tx_out);
	int (*xs_transaction_end)(struct ism_fe_platform *p, uint32_t tx,
				  bool abort);
	int (*xs_watch)(struct ism_fe_platform *p, const char *path,
			const char *token);
	int (*xs_unwatch)(struct ism_fe_platform *p, const char *path,
			  const char *token);
	int (*xs_read_watch)(struct ism_fe_platform *p, char **path_out,
			     char **token_out);

	int (*page_share)(struct ism_fe_platform *p, uint16_t domid,
			  uint32_t *gref_out, void **addr_out);
	int (*page_unshare)(struct ism_fe_platform *p, uint32_t gref,
			    void *addr);
	int (*grefs_map)(struct ism_fe_platform *p, uint16_t domid,
			 const uint32_t *grefs, unsigned int count,
			 bool readonly, void **addr_out);
	int (*grefs_unmap)(struct ism_fe_platform *p, void *addr,
			   unsigned int count);
	int (*gref_copy)(struct ism_fe_platform *p, uint16_t domid,
			 uint32_t gref, void *buf, unsigned int len);

	int (*evtchn_alloc_unbound)(struct ism_fe_platform *p, uint16_t remote,
				    uint32_t *port_out);
	int (*evtchn_bind)(struct ism_fe_platform *p, uint16_t remote,
			   uint32_t remote_port, uint32_t *port_out);
	int (*evtchn_close)(struct ism_fe_platform *p, uint32_t port);
	int (*evtchn_notify)(struct ism_fe_platform *p, uint32_t port);
	int (*evtchn_pending)(struct ism_fe_platform *p, uint32_t *port_out);

	int (*fd)(struct ism_fe_platform *p);
	int (*wait)(struct ism_fe_platform *p, int timeout_ms);
	int (*now_ms)(struct ism_fe_platform *p, uint64_t *ms_out);
	void (*destroy)(struct ism_fe_platform *p);
};

/* platform-linux.c: open the real platform.  -errno of the Xen libraries. */
int ism__platform_linux_open(const struct ism_fe_ops **ops_out,
			     struct ism_fe_platform **p_out);

/*
 * The device seam.  A handle (ism_dev) is driven by one of two
 * implementations, chosen once by ism_dev_open() (kdev.c, "Which path"):
 *
 *  - the userspace protocol implementation (dev.c, region.c, event.c,
 *    name.c, on struct ism_fe_ops above): the library itself performs the
 *    xenbus handshake and speaks protocol v1 through gntdev, gntalloc,
 *    evtchn and xenstore, which needs root;
 *  - the character device /dev/xen-ism of the kernel frontend
 *    xen-ismfront.ko (kdev.c, kregion.c, kevent.c; uapi
 *    frontend-linux/kmod/xen-ism-dev.h): the kernel drives the device and
 *    the library makes ioctl()s, mmap()s and read()s; no root needed.
 *
 * Every public function checks its arguments (api.c) and then calls the
 * op of the handle's implementation, so an op gets valid arguments only:
 * non-NULL handles and outputs, flags and permissions within their masks,
 * valid names.  Ops return what the public function documents
 * (xenism.h).  A region is created by, and belongs to, the implementation
 * of its device: the region ops find it through r->dev->dops.
 */
struct ism_dev;
struct ism_region;
struct ism_dev_info;
struct ism_event;

struct ism_fe_dev_ops {
	const char *name; /* "user" or "kernel" */
	void (*close)(struct ism_dev *dev);
	int (*info)(struct ism_dev *dev, struct ism_dev_info *info_out);
	int (*fd)(struct ism_dev *dev);
	int (*set_fast_path)(struct ism_dev *dev, int enable);

	int (*region_alloc)(struct ism_dev *dev, uint64_t size, uint32_t perm,
			    struct ism_region **r_out);
	int (*region_attach)(struct ism_dev *dev, uint64_t token,
			     unsigned int flags, struct ism_region **r_out);
	/* Bring @r's view up to date; 1 if its events take the fast path. */
	int (*region_refresh)(struct ism_region *r);
	int (*region_map)(struct ism_region *r, void **addr_out,
			  size_t *len_out);
	int (*region_unmap)(struct ism_region *r);
	int (*region_set_perm)(struct ism_region *r, uint32_t peer_devid,
			       uint32_t perm, unsigned int flags);
	int (*region_notify)(struct ism_region *r, unsigned int flags);
	int (*region_want)(struct ism_region *r);
	int (*region_detach)(struct ism_region *r);
	int (*region_free)(struct ism_region *r);

	int (*event_read)(struct ism_dev *dev, struct ism_event *ev_out);
	int (*event_wait)(struct ism_dev *dev, int timeout_ms,
			  struct ism_event *ev_out);

	int (*name_publish)(struct ism_dev *dev, const char *name,
			    uint64_t token, uint16_t peer_domid);
	int (*name_unpublish)(struct ism_dev *dev, const char *name);
	int (*name_lookup)(struct ism_dev *dev, const char *name,
			   uint16_t from_domid, int timeout_ms,
			   uint64_t *token_out);
};

/* The two implementations (dev.c, kdev.c). */
extern const struct ism_fe_dev_ops ism__user_dev_ops;
extern const struct ism_fe_dev_ops ism__kernel_dev_ops;

#endif /* ISM_FRONTEND_LIB_PLATFORM_H */
