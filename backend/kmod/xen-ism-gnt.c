// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-ism-gnt: grants the same pages to several domains, for the xen-ism
 * backend daemon.  The ABI and its rules are in xen-ism-gnt.h.
 *
 * How it works: every page is allocated here, zeroed, and kept in the open
 * file's page table under an index.  Each grant of a page holds one page
 * reference, so a page lives while any grant of it does; ending a grant
 * that its grantee still maps is refused (EBUSY), because a mapped grant
 * cannot be revoked.  On close, grants still mapped go to the kernel's
 * deferred release (gnttab_end_foreign_access), which drops their page
 * reference once the grantee unmaps or dies: a page is never freed or
 * reused while another domain may still see it.
 *
 * Locking: f->lock guards a file's tables and is never held while user
 * memory is touched (requests are copied in before and results out after),
 * so that mmap, which takes it under mmap_lock, cannot invert the order.
 * The limits hold for all open files together (atomic counters); pages
 * are charged to the caller's memory cgroup.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/xarray.h>

#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "xen-ism-gnt.h"

static unsigned int max_pages = 65536;
module_param(max_pages, uint, 0644);
MODULE_PARM_DESC(max_pages, "Pages all open files may hold (default 65536)");

static unsigned int max_grants = 32768;
module_param(max_grants, uint, 0644);
MODULE_PARM_DESC(max_grants, "Grants all open files may hold (default 32768)");

/* What all open files hold, against max_pages and max_grants. */
static atomic_t ism_gnt_nr_pages = ATOMIC_INIT(0);
static atomic_t ism_gnt_nr_grants = ATOMIC_INIT(0);

/* Count @n more in @count if that stays within @limit: true, else false. */
static bool ism_gnt_charge(atomic_t *count, unsigned int n, unsigned int limit)
{
	int old = atomic_read(count);

	do {
		if (n > limit - min_t(unsigned int, limit, old))
			return false;
	} while (!atomic_try_cmpxchg(count, &old, old + n));
	return true;
}

struct ism_gnt_page {
	struct page *page;
	u64 index; /* its key in the file's pages */
	unsigned int grants; /* live grants of this page */
};

/* What LIST reports of a grant besides its ref. */
struct ism_gnt_grant {
	struct ism_gnt_page *pg;
	domid_t domid;
	u16 flags; /* XEN_ISM_GNT_READONLY */
};

struct ism_gnt_file {
	struct mutex lock;
	struct xarray pages; /* index -> struct ism_gnt_page */
	struct xarray grants; /* grant ref -> struct ism_gnt_grant */
	u64 next_index;
	unsigned int nr_pages;
	unsigned int nr_grants;
};

/*
 * KEEP and ADOPT: the file that asked to be kept (at most one open file),
 * and what it held when it closed, waiting for a file to adopt it (at
 * most one).  ism_gnt_kept_lock is taken before any file's lock.
 */
static DEFINE_MUTEX(ism_gnt_kept_lock);
static struct ism_gnt_file *ism_gnt_keeper;
static struct ism_gnt_file *ism_gnt_kept;

/*
 * Ends one grant.  Unless @force, a grant still mapped by its grantee is
 * left alone and -EBUSY returned; with @force it is handed to the kernel's
 * deferred release, which drops the page reference when the grantee lets go.
 */
static int ism_gnt_grant_end(struct ism_gnt_file *f, unsigned long ref,
			     bool force)
{
	struct ism_gnt_grant *g = xa_load(&f->grants, ref);

	if (!g)
		return -ENOENT;
	if (gnttab_try_end_foreign_access(ref))
		put_page(g->pg->page);
	else if (force)
		gnttab_end_foreign_access(ref, g->pg->page);
	else
		return -EBUSY;
	g->pg->grants--;
	f->nr_grants--;
	atomic_dec(&ism_gnt_nr_grants);
	xa_erase(&f->grants, ref);
	kfree(g);
	return 0;
}

static void ism_gnt_page_free(struct ism_gnt_file *f, u64 index)
{
	struct ism_gnt_page *pg = xa_erase(&f->pages, index);

	if (!pg)
		return;
	put_page(pg->page);
	kfree(pg);
	f->nr_pages--;
	atomic_dec(&ism_gnt_nr_pages);
}

static long ism_gnt_alloc(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_alloc req;
	struct ism_gnt_page *pg;
	u64 first;
	u32 i;
	int rc = 0;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || !req.count || req.count > XEN_ISM_GNT_MAX_PAGES)
		return -EINVAL;
	if (!ism_gnt_charge(&ism_gnt_nr_pages, req.count, max_pages))
		return -EDQUOT;

	mutex_lock(&f->lock);
	first = f->next_index;
	for (i = 0; i < req.count; i++) {
		cond_resched();
		pg = kzalloc(sizeof(*pg), GFP_KERNEL_ACCOUNT);
		if (!pg) {
			rc = -ENOMEM;
			break;
		}
		pg->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!pg->page) {
			kfree(pg);
			rc = -ENOMEM;
			break;
		}
		pg->index = first + i;
		rc = xa_err(xa_store(&f->pages, first + i, pg, GFP_KERNEL));
		if (rc) {
			put_page(pg->page);
			kfree(pg);
			break;
		}
		f->nr_pages++;
	}
	if (rc) {
		/* The pages not stored were never counted as the file's. */
		atomic_sub(req.count - i, &ism_gnt_nr_pages);
		while (i-- > 0)
			ism_gnt_page_free(f, first + i);
	} else {
		f->next_index = first + req.count;
	}
	mutex_unlock(&f->lock);
	if (rc)
		return rc;
	/* On a fault the pages stay the file's, freed when it closes. */
	req.index = first;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

/* Ends the first @n grants of @refs (a GRANT undone). */
static void ism_gnt_grants_undo(struct ism_gnt_file *f, const u32 *refs, u32 n)
{
	while (n-- > 0)
		ism_gnt_grant_end(f, refs[n], true);
}

static long ism_gnt_grant(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_grant req;
	struct ism_gnt_grant *g;
	struct ism_gnt_page *pg;
	u32 *refs, i = 0;
	int rc = 0, ref;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~XEN_ISM_GNT_READONLY || !req.count ||
	    req.count > XEN_ISM_GNT_MAX_BATCH ||
	    req.domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	refs = kcalloc(req.count, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	if (!ism_gnt_charge(&ism_gnt_nr_grants, req.count, max_grants)) {
		kfree(refs);
		return -EDQUOT;
	}

	mutex_lock(&f->lock);
	for (i = 0; i < req.count; i++)
		if (!xa_load(&f->pages, req.index + i)) {
			rc = -ENOENT;
			break;
		}
	for (i = 0; !rc && i < req.count; i++) {
		pg = xa_load(&f->pages, req.index + i);
		g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
		if (!g) {
			rc = -ENOMEM;
			break;
		}
		ref = gnttab_grant_foreign_access(
			req.domid, xen_page_to_gfn(pg->page),
			!!(req.flags & XEN_ISM_GNT_READONLY));
		if (ref < 0) {
			kfree(g);
			rc = ref;
			break;
		}
		g->pg = pg;
		g->domid = req.domid;
		g->flags = req.flags;
		rc = xa_err(xa_store(&f->grants, ref, g, GFP_KERNEL));
		if (rc) {
			/* Not yet handed out: no one can map it. */
			gnttab_end_foreign_access(ref, NULL);
			kfree(g);
			break;
		}
		get_page(pg->page);
		pg->grants++;
		f->nr_grants++;
		refs[i] = ref;
	}
	if (rc) {
		/* Grants not made were never counted as the file's. */
		atomic_sub(req.count - i, &ism_gnt_nr_grants);
		ism_gnt_grants_undo(f, refs, i);
	}
	mutex_unlock(&f->lock);
	if (!rc && copy_to_user(u64_to_user_ptr(req.refs), refs,
				req.count * sizeof(*refs))) {
		mutex_lock(&f->lock);
		ism_gnt_grants_undo(f, refs, req.count);
		mutex_unlock(&f->lock);
		rc = -EFAULT;
	}
	kfree(refs);
	return rc;
}

static long ism_gnt_end(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_end req;
	struct xen_ism_gnt_ref *refs;
	bool busy = false, missing = false;
	size_t size;
	u32 i;
	int rc;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.pad || !req.count || req.count > XEN_ISM_GNT_MAX_BATCH)
		return -EINVAL;
	size = req.count * sizeof(*refs);
	refs = memdup_user(u64_to_user_ptr(req.refs), size);
	if (IS_ERR(refs))
		return PTR_ERR(refs);

	mutex_lock(&f->lock);
	for (i = 0; i < req.count; i++) {
		refs[i].status = ism_gnt_grant_end(f, refs[i].ref, false);
		busy |= refs[i].status == -EBUSY;
		missing |= refs[i].status == -ENOENT;
	}
	mutex_unlock(&f->lock);
	rc = missing ? -ENOENT : busy ? -EBUSY : 0;
	if (copy_to_user(u64_to_user_ptr(req.refs), refs, size))
		rc = -EFAULT;
	kfree(refs);
	return rc;
}

static long ism_gnt_free(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_free req;
	struct ism_gnt_page *pg = NULL;
	long rc;
	u32 i;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.pad || !req.count || req.count > XEN_ISM_GNT_MAX_PAGES)
		return -EINVAL;
	mutex_lock(&f->lock);
	for (i = 0; i < req.count; i++) {
		pg = xa_load(&f->pages, req.index + i);
		if (!pg || pg->grants)
			break;
	}
	rc = i < req.count ? (pg ? -EBUSY : -ENOENT) : 0;
	for (i = 0; !rc && i < req.count; i++)
		ism_gnt_page_free(f, req.index + i);
	mutex_unlock(&f->lock);
	return rc;
}

static long ism_gnt_info(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_info info = {
		.max_pages = max_pages,
		.max_grants = max_grants,
		.table_grants = gnttab_max_grant_frames() *
				(XEN_PAGE_SIZE / sizeof(struct grant_entry_v1)),
	};

	mutex_lock(&ism_gnt_kept_lock);
	if (ism_gnt_kept)
		info.flags |= XEN_ISM_GNT_INFO_KEPT;
	if (ism_gnt_keeper == f)
		info.flags |= XEN_ISM_GNT_INFO_KEEP;
	mutex_unlock(&ism_gnt_kept_lock);
	mutex_lock(&f->lock);
	info.pages = f->nr_pages;
	info.grants = f->nr_grants;
	mutex_unlock(&f->lock);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long ism_gnt_keep(struct ism_gnt_file *f, void __user *arg)
{
	long rc = 0;
	u32 on;

	if (get_user(on, (u32 __user *)arg))
		return -EFAULT;
	if (on > 1)
		return -EINVAL;
	mutex_lock(&ism_gnt_kept_lock);
	if (on && ism_gnt_keeper && ism_gnt_keeper != f)
		rc = -EBUSY;
	else if (on && ism_gnt_kept)
		rc = -EEXIST;
	else if (on)
		ism_gnt_keeper = f;
	else if (ism_gnt_keeper == f)
		ism_gnt_keeper = NULL;
	mutex_unlock(&ism_gnt_kept_lock);
	return rc;
}

/*
 * Moves every page and grant of @from to @to, which holds none, or
 * nothing on failure (-ENOMEM).  The entries move as they are: a grant
 * still points to its page.
 */
static int ism_gnt_move(struct ism_gnt_file *to, struct ism_gnt_file *from)
{
	unsigned long index;
	void *entry;
	int rc;

	xa_for_each(&from->pages, index, entry) {
		rc = xa_err(xa_store(&to->pages, index, entry, GFP_KERNEL));
		if (rc)
			goto undo;
	}
	xa_for_each(&from->grants, index, entry) {
		rc = xa_err(xa_store(&to->grants, index, entry, GFP_KERNEL));
		if (rc)
			goto undo;
	}
	to->next_index = from->next_index;
	to->nr_pages = from->nr_pages;
	to->nr_grants = from->nr_grants;
	xa_destroy(&from->pages);
	xa_destroy(&from->grants);
	kfree(from);
	return 0;

undo:
	/* @to held nothing: forget the entries, @from still owns them. */
	xa_destroy(&to->grants);
	xa_destroy(&to->pages);
	return rc;
}

static long ism_gnt_adopt(struct ism_gnt_file *f)
{
	long rc;

	mutex_lock(&ism_gnt_kept_lock);
	mutex_lock(&f->lock);
	if (!ism_gnt_kept)
		rc = -ENOENT;
	else if (f->next_index || f->nr_pages || f->nr_grants)
		rc = -EBUSY;
	else
		rc = ism_gnt_move(f, ism_gnt_kept);
	if (!rc)
		ism_gnt_kept = NULL;
	mutex_unlock(&f->lock);
	mutex_unlock(&ism_gnt_kept_lock);
	return rc;
}

/*
 * Under f->lock: the first @np page indexes of @f into @pages, its first
 * @ng grants into @held, and its totals into @req.
 */
static void ism_gnt_snapshot(struct ism_gnt_file *f, u64 *pages, u32 np,
			     struct xen_ism_gnt_held *held, u32 ng,
			     struct xen_ism_gnt_list *req)
{
	struct ism_gnt_grant *g;
	struct ism_gnt_page *pg;
	unsigned long index;
	u32 i = 0;

	lockdep_assert_held(&f->lock);
	xa_for_each(&f->pages, index, pg) {
		if (i == np)
			break;
		pages[i++] = index;
		cond_resched();
	}
	i = 0;
	xa_for_each(&f->grants, index, g) {
		if (i == ng)
			break;
		held[i++] = (struct xen_ism_gnt_held){
			.index = g->pg->index,
			.ref = index,
			.domid = g->domid,
			.flags = g->flags,
		};
		cond_resched();
	}
	req->nr_pages = f->nr_pages;
	req->nr_grants = f->nr_grants;
}

/*
 * LIST: a snapshot taken under f->lock into kernel buffers, copied out
 * after.  The buffers are no larger than what the file holds, which
 * max_pages and max_grants bounded when it was charged.
 */
static long ism_gnt_list(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_held *held = NULL;
	struct xen_ism_gnt_list req;
	u64 *pages = NULL;
	long rc = 0;
	u32 np, ng;

	BUILD_BUG_ON(sizeof(struct xen_ism_gnt_held) != 16);
	BUILD_BUG_ON(sizeof(struct xen_ism_gnt_list) != 32);

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;

	mutex_lock(&f->lock);
	np = min(req.pages_cap, f->nr_pages);
	ng = min(req.grants_cap, f->nr_grants);
	if (np)
		pages = kvmalloc_array(np, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (ng)
		held = kvmalloc_array(ng, sizeof(*held), GFP_KERNEL_ACCOUNT);
	if ((np && !pages) || (ng && !held))
		rc = -ENOMEM;
	else
		ism_gnt_snapshot(f, pages, np, held, ng, &req);
	mutex_unlock(&f->lock);
	if (rc)
		goto out_free;

	if (req.nr_pages > req.pages_cap || req.nr_grants > req.grants_cap)
		rc = -EOVERFLOW;
	if ((np && copy_to_user(u64_to_user_ptr(req.pages), pages,
				np * sizeof(*pages))) ||
	    (ng && copy_to_user(u64_to_user_ptr(req.grants), held,
				ng * sizeof(*held))) ||
	    copy_to_user(arg, &req, sizeof(req)))
		rc = -EFAULT;
out_free:
	kvfree(held);
	kvfree(pages);
	return rc;
}

static long ism_gnt_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct ism_gnt_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	long rc;

	switch (cmd) {
	case XEN_ISM_GNT_IOC_ALLOC:
		rc = ism_gnt_alloc(f, uarg);
		break;
	case XEN_ISM_GNT_IOC_GRANT:
		rc = ism_gnt_grant(f, uarg);
		break;
	case XEN_ISM_GNT_IOC_END:
		rc = ism_gnt_end(f, uarg);
		break;
	case XEN_ISM_GNT_IOC_FREE:
		rc = ism_gnt_free(f, uarg);
		break;
	case XEN_ISM_GNT_IOC_INFO:
		rc = ism_gnt_info(f, uarg);
		break;
	case XEN_ISM_GNT_IOC_KEEP:
		rc = ism_gnt_keep(f, uarg);
		break;
	case XEN_ISM_GNT_IOC_ADOPT:
		rc = ism_gnt_adopt(f);
		break;
	case XEN_ISM_GNT_IOC_LIST:
		rc = ism_gnt_list(f, uarg);
		break;
	default:
		rc = -ENOTTY;
		break;
	}
	return rc;
}

/* Maps pages [vm_pgoff, vm_pgoff + pages) of this file, shared only. */
static int ism_gnt_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ism_gnt_file *f = file->private_data;
	unsigned long i, count = vma_pages(vma);
	struct ism_gnt_page *pg;
	int rc = 0;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY;
#endif

	mutex_lock(&f->lock);
	for (i = 0; i < count && !rc; i++) {
		pg = xa_load(&f->pages, vma->vm_pgoff + i);
		if (!pg)
			rc = -ENOENT;
		else
			rc = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
					    pg->page);
	}
	mutex_unlock(&f->lock);
	return rc;
}

static int ism_gnt_open(struct inode *inode, struct file *file)
{
	struct ism_gnt_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	xa_init(&f->pages);
	xa_init(&f->grants);
	file->private_data = f;
	return 0;
}

/* Ends every grant of @f (mapped ones deferred), frees its pages and @f. */
static void ism_gnt_file_free(struct ism_gnt_file *f)
{
	unsigned long index;
	void *entry;

	xa_for_each(&f->grants, index, entry)
		ism_gnt_grant_end(f, index, true);
	xa_for_each(&f->pages, index, entry)
		ism_gnt_page_free(f, index);
	xa_destroy(&f->grants);
	xa_destroy(&f->pages);
	kfree(f);
}

/* The keeper's pages and grants wait for ADOPT; any other file is freed. */
static int ism_gnt_release(struct inode *inode, struct file *file)
{
	struct ism_gnt_file *f = file->private_data;
	bool keep;

	mutex_lock(&ism_gnt_kept_lock);
	keep = f == ism_gnt_keeper;
	if (keep) {
		ism_gnt_keeper = NULL;
		ism_gnt_kept = f;
	}
	mutex_unlock(&ism_gnt_kept_lock);
	if (!keep)
		ism_gnt_file_free(f);
	return 0;
}

static const struct file_operations ism_gnt_fops = {
	.owner = THIS_MODULE,
	.open = ism_gnt_open,
	.release = ism_gnt_release,
	.unlocked_ioctl = ism_gnt_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = ism_gnt_mmap,
};

static struct miscdevice ism_gnt_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xen/ism-gnt",
	.fops = &ism_gnt_fops,
	.mode = 0600,
};

static int __init ism_gnt_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	return misc_register(&ism_gnt_miscdev);
}

/* No file is open: what waits for ADOPT is released as on a close. */
static void __exit ism_gnt_exit(void)
{
	misc_deregister(&ism_gnt_miscdev);
	if (ism_gnt_kept)
		ism_gnt_file_free(ism_gnt_kept);
}

module_init(ism_gnt_init);
module_exit(ism_gnt_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION("0.4.0");
MODULE_AUTHOR("The xen-ism developers");
MODULE_DESCRIPTION(
	"xen-ism grant helper: grant the same pages to several Xen domains");
