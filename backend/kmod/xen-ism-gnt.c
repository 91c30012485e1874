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
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "xen-ism-gnt.h"

static unsigned int max_pages = 65536;
module_param(max_pages, uint, 0644);
MODULE_PARM_DESC(max_pages, "Pages one open file may hold (default 65536)");

static unsigned int max_grants = 32768;
module_param(max_grants, uint, 0644);
MODULE_PARM_DESC(max_grants, "Grants one open file may hold (default 32768)");

struct ism_gnt_page {
	struct page *page;
	unsigned int grants; /* live grants of this page */
};

struct ism_gnt_grant {
	struct ism_gnt_page *pg;
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
}

static long ism_gnt_alloc(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_alloc req;
	struct ism_gnt_page *pg;
	u64 first = f->next_index;
	u32 i;
	int rc;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || !req.count || req.count > XEN_ISM_GNT_MAX_PAGES)
		return -EINVAL;
	if (req.count > max_pages - min(max_pages, f->nr_pages))
		return -EDQUOT;

	for (i = 0; i < req.count; i++) {
		cond_resched();
		pg = kzalloc(sizeof(*pg), GFP_KERNEL);
		if (!pg) {
			rc = -ENOMEM;
			goto err_free_pages;
		}
		pg->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pg->page) {
			kfree(pg);
			rc = -ENOMEM;
			goto err_free_pages;
		}
		rc = xa_err(xa_store(&f->pages, first + i, pg, GFP_KERNEL));
		if (rc) {
			put_page(pg->page);
			kfree(pg);
			goto err_free_pages;
		}
		f->nr_pages++;
	}
	req.index = first;
	if (copy_to_user(arg, &req, sizeof(req))) {
		rc = -EFAULT;
		goto err_free_pages;
	}
	f->next_index = first + req.count;
	return 0;

err_free_pages:
	while (i-- > 0)
		ism_gnt_page_free(f, first + i);
	return rc;
}

static long ism_gnt_grant(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_grant req;
	struct ism_gnt_grant *g;
	struct ism_gnt_page *pg;
	u32 *refs, i;
	int rc, ref;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~XEN_ISM_GNT_READONLY || !req.count ||
	    req.count > XEN_ISM_GNT_MAX_BATCH ||
	    req.domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	if (req.count > max_grants - min(max_grants, f->nr_grants))
		return -EDQUOT;
	for (i = 0; i < req.count; i++)
		if (!xa_load(&f->pages, req.index + i))
			return -ENOENT;
	refs = kcalloc(req.count, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;

	for (i = 0; i < req.count; i++) {
		pg = xa_load(&f->pages, req.index + i);
		g = kzalloc(sizeof(*g), GFP_KERNEL);
		if (!g) {
			rc = -ENOMEM;
			goto err_end_grants;
		}
		ref = gnttab_grant_foreign_access(
			req.domid, xen_page_to_gfn(pg->page),
			!!(req.flags & XEN_ISM_GNT_READONLY));
		if (ref < 0) {
			kfree(g);
			rc = ref;
			goto err_end_grants;
		}
		g->pg = pg;
		rc = xa_err(xa_store(&f->grants, ref, g, GFP_KERNEL));
		if (rc) {
			/* Not yet handed out: no one can map it. */
			gnttab_end_foreign_access(ref, NULL);
			kfree(g);
			goto err_end_grants;
		}
		get_page(pg->page);
		pg->grants++;
		f->nr_grants++;
		refs[i] = ref;
	}
	if (copy_to_user(u64_to_user_ptr(req.refs), refs,
			 req.count * sizeof(*refs))) {
		rc = -EFAULT;
		goto err_end_grants;
	}
	kfree(refs);
	return 0;

err_end_grants:
	while (i-- > 0)
		ism_gnt_grant_end(f, refs[i], true);
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

	for (i = 0; i < req.count; i++) {
		refs[i].status = ism_gnt_grant_end(f, refs[i].ref, false);
		busy |= refs[i].status == -EBUSY;
		missing |= refs[i].status == -ENOENT;
	}
	rc = missing ? -ENOENT : busy ? -EBUSY : 0;
	if (copy_to_user(u64_to_user_ptr(req.refs), refs, size))
		rc = -EFAULT;
	kfree(refs);
	return rc;
}

static long ism_gnt_free(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_free req;
	struct ism_gnt_page *pg;
	u32 i;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.pad || !req.count || req.count > XEN_ISM_GNT_MAX_PAGES)
		return -EINVAL;
	for (i = 0; i < req.count; i++) {
		pg = xa_load(&f->pages, req.index + i);
		if (!pg)
			return -ENOENT;
		if (pg->grants)
			return -EBUSY;
	}
	for (i = 0; i < req.count; i++)
		ism_gnt_page_free(f, req.index + i);
	return 0;
}

static long ism_gnt_info(struct ism_gnt_file *f, void __user *arg)
{
	struct xen_ism_gnt_info info = {
		.pages = f->nr_pages,
		.grants = f->nr_grants,
		.max_pages = max_pages,
		.max_grants = max_grants,
	};

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long ism_gnt_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct ism_gnt_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	long rc;

	mutex_lock(&f->lock);
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
	default:
		rc = -ENOTTY;
		break;
	}
	mutex_unlock(&f->lock);
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
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY;

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

static int ism_gnt_release(struct inode *inode, struct file *file)
{
	struct ism_gnt_file *f = file->private_data;
	unsigned long index;
	void *entry;

	xa_for_each(&f->grants, index, entry)
		ism_gnt_grant_end(f, index, true);
	xa_for_each(&f->pages, index, entry)
		ism_gnt_page_free(f, index);
	xa_destroy(&f->grants);
	xa_destroy(&f->pages);
	kfree(f);
	return 0;
}

static const struct file_operations ism_gnt_fops = {
	.owner = THIS_MODULE,
	.open = ism_gnt_open,
	.release = ism_gnt_release,
	.unlocked_ioctl = ism_gnt_ioctl,
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

static void __exit ism_gnt_exit(void)
{
	misc_deregister(&ism_gnt_miscdev);
}

module_init(ism_gnt_init);
module_exit(ism_gnt_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
MODULE_AUTHOR("The xen-ism developers");
MODULE_DESCRIPTION(
	"xen-ism grant helper: grant the same pages to several Xen domains");
