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
 * and frees every page, unless it asked to be kept for a restarted daemon
 * (KEEP, ADOPT).  A grant that a foreign domain still maps cannot
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
 * pointer (a GRANT is then undone; pages an ALLOC made stay the file's),
 * EOVERFLOW the arrays given to LIST are too small (it wrote the totals).
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

/*
 * KEEP (a __u32, 1 or 0): keep, or no longer keep, this file's pages and
 * grants when it closes, however it closes (the daemon's exit, a crash,
 * kill -9): they then wait, untouched, granted and mapped by guests as
 * before, for one file to ADOPT them.  One open file at most may be kept
 * (EBUSY), and not while a kept set waits (EEXIST: adopt it first).
 *
 * ADOPT: this file, which must hold nothing yet (EBUSY), takes the kept
 * pages and grants (ENOENT if none wait): the same page indexes and grant
 * refs, for mmap, GRANT, END and FREE as before.  A file that adopted and
 * closes without KEEP releases them as any file does.  Unloading the
 * module releases a kept set too.  LIST then tells the adopter what it
 * holds.
 */

/*
 * LIST: what this file holds, as one snapshot: the index of every page,
 * ascending, into the __u64 array at @pages, and every grant not ended,
 * by ascending ref, into the struct xen_ism_gnt_held array at @grants.
 * In: @pages_cap and @grants_cap, the entries each array has room for (0
 * with a null pointer asks for the totals only).  Out: @nr_pages and
 * @nr_grants, the totals the file holds.  When a total exceeds its
 * array's room, the first entries that fit are written, the totals too,
 * and the ioctl fails with EOVERFLOW: grow the arrays to the totals and
 * call again (they may have grown meanwhile if another thread uses the
 * file).  Otherwise it returns 0 with every entry written.
 */
struct xen_ism_gnt_held {
	__u64 index; /* the page granted */
	__u32 ref;
	__u16 domid;
	__u16 flags; /* XEN_ISM_GNT_READONLY */
};

struct xen_ism_gnt_list {
	__u64 pages; /* user pointer to __u64[pages_cap], out */
	__u64 grants; /* user pointer to struct xen_ism_gnt_held[grants_cap] */
	__u32 pages_cap;
	__u32 grants_cap;
	__u32 nr_pages; /* out */
	__u32 nr_grants; /* out */
};

/*
 * INFO: what this file holds, the module's limits, and the size of this
 * domain's grant table: the entries it can grow to (gnttab_max_frames of
 * Xen's command line for dom0, max_grant_frames of xl.cfg for a driver
 * domain), counted as version 1 entries (512 per frame), which Linux uses
 * unless told otherwise.  Every grant of the domain's drivers shares it.
 */
struct xen_ism_gnt_info {
	__u32 pages;
	__u32 grants;
	__u32 max_pages;
	__u32 max_grants;
	__u32 table_grants;
	__u32 flags; /* XEN_ISM_GNT_INFO_* */
};

/* INFO flags: a kept set waits for ADOPT; this file is kept on close. */
#define XEN_ISM_GNT_INFO_KEPT 0x1
#define XEN_ISM_GNT_INFO_KEEP 0x2

#define XEN_ISM_GNT_IOC 0xE7
#define XEN_ISM_GNT_IOC_ALLOC \
	_IOWR(XEN_ISM_GNT_IOC, 1, struct xen_ism_gnt_alloc)
#define XEN_ISM_GNT_IOC_GRANT _IOW(XEN_ISM_GNT_IOC, 2, struct xen_ism_gnt_grant)
#define XEN_ISM_GNT_IOC_END _IOW(XEN_ISM_GNT_IOC, 3, struct xen_ism_gnt_end)
#define XEN_ISM_GNT_IOC_FREE _IOW(XEN_ISM_GNT_IOC, 4, struct xen_ism_gnt_free)
#define XEN_ISM_GNT_IOC_INFO _IOR(XEN_ISM_GNT_IOC, 5, struct xen_ism_gnt_info)
#define XEN_ISM_GNT_IOC_KEEP _IOW(XEN_ISM_GNT_IOC, 6, __u32)
#define XEN_ISM_GNT_IOC_ADOPT _IO(XEN_ISM_GNT_IOC, 7)
#define XEN_ISM_GNT_IOC_LIST _IOWR(XEN_ISM_GNT_IOC, 8, struct xen_ism_gnt_list)

#endif /* XEN_ISM_GNT_H */
