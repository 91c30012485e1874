/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * xen-ism-gnt: the grant helper of the xen-ism backend domain.
 *
 * Userspace gntalloc grants fresh pages to one domain each.  An ISM region
 * seen by two guests needs the same pages granted to both, read-only where
 * the region's permissions say so.  This device lets the backend daemon
 * allocate zeroed pages, map them itself, and grant any page to any domain
 * as often as needed.
 *
 * The device is /dev/xen/ism-gnt (root only).  Each open file is one
 * owner: its pages and grants are counted against the module's limits
 * (parameters max_pages and max_grants), and closing it ends every grant
 * and frees every page.  A grant that a foreign domain still maps cannot
 * be revoked: on close such pages are handed to the kernel's deferred
 * grant release and freed only once the last mapping is gone.
 *
 * Pages are named by an index, counted in pages, that ALLOC returns; the
 * daemon maps pages [index, index + count) with
 *	mmap(NULL, count * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 *	     index * 4096)
 *
 * Errors: EINVAL malformed request (reserved field not zero, count 0 or too
 * large, bad flags, reserved domid), ENOENT no such page or grant in this
 * file, EBUSY a grant is still mapped by its grantee or a page still has
 * grants, EDQUOT all open files together would exceed max_pages or
 * max_grants, ENOMEM, ENOSPC the grant table is full, EFAULT bad user
 * pointer (a GRANT is then undone; pages an ALLOC made stay the file's).
 */
#ifndef XEN_ISM_GNT_H
#define XEN_ISM_GNT_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XEN_ISM_GNT_DEVICE "/dev/xen/ism-gnt"

/* At most this many grant refs in one GRANT or END. */
#define XEN_ISM_GNT_MAX_BATCH 4096
/*
 * At most this many pages in one ALLOC or FREE: 64 MiB, the largest region
 * of the ISM protocol (its pages are allocated and freed as one set).
 */
#define XEN_ISM_GNT_MAX_PAGES 16384

/*
 * ALLOC: allocate @count zeroed pages.  Out: @index, the first page's index
 * (the pages are index .. index + count - 1).
 */
struct xen_ism_gnt_alloc {
	__u32 count;
	__u32 flags; /* must be 0 */
	__u64 index; /* out */
};

/* Grant read-only: the grantee's writes fault (GTF_readonly). */
#define XEN_ISM_GNT_READONLY 0x1

/*
 * GRANT: grant pages index .. index + count - 1 to domain @domid and write
 * one grant ref per page into the __u32 array at @refs.  All or nothing.
 */
struct xen_ism_gnt_grant {
	__u64 index;
	__u32 count;
	__u16 domid;
	__u16 flags; /* XEN_ISM_GNT_READONLY */
	__u64 refs; /* user pointer to __u32[count], out */
};

/*
 * END: end each grant of the array at @refs.  The kernel writes each
 * entry's status: 0 ended, -EBUSY still mapped by the grantee (it stays
 * granted; try again later), -ENOENT not a grant of this file.  The ioctl
 * returns 0 if every entry ended, else -1 with errno EBUSY or ENOENT.
 */
struct xen_ism_gnt_ref {
	__u32 ref;
	__s32 status; /* out */
};

struct xen_ism_gnt_end {
	__u64 refs; /* user pointer to struct xen_ism_gnt_ref[count] */
	__u32 count;
	__u32 pad; /* must be 0 */
};

/*
 * FREE: free pages index .. index + count - 1.  Fails with EBUSY, freeing
 * nothing, while any of them is still granted.  A page the daemon still
 * has mmap()ed stays alive until it unmaps it, but is never reused before.
 */
struct xen_ism_gnt_free {
	__u64 index;
	__u32 count;
	__u32 pad; /* must be 0 */
};

/* INFO: what this file holds, and the module's limits. */
struct xen_ism_gnt_info {
	__u32 pages;
	__u32 grants;
	__u32 max_pages;
	__u32 max_grants;
};

#define XEN_ISM_GNT_IOC 0xE7
#define XEN_ISM_GNT_IOC_ALLOC \
	_IOWR(XEN_ISM_GNT_IOC, 1, struct xen_ism_gnt_alloc)
#define XEN_ISM_GNT_IOC_GRANT _IOW(XEN_ISM_GNT_IOC, 2, struct xen_ism_gnt_grant)
#define XEN_ISM_GNT_IOC_END _IOW(XEN_ISM_GNT_IOC, 3, struct xen_ism_gnt_end)
#define XEN_ISM_GNT_IOC_FREE _IOW(XEN_ISM_GNT_IOC, 4, struct xen_ism_gnt_free)
#define XEN_ISM_GNT_IOC_INFO _IOR(XEN_ISM_GNT_IOC, 5, struct xen_ism_gnt_info)

#endif /* XEN_ISM_GNT_H */
