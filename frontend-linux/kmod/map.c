// SPDX-License-Identifier: GPL-2.0-only
/*
 * map.c - mapping backend grants into the kernel: single pages (page
 * directory, doorbell) and a region's linear kernel mapping.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "internal.h"

/* Unmap this many grants per hypercall batch. */
#define XEN_ISM_UNMAP_BATCH 16

static unsigned long page_kaddr(struct page *page)
{
	return (unsigned long)pfn_to_kaddr(page_to_pfn(page));
}

/**
 * xen_ism_gnt_map() - map @n grants of the backend onto @pages.
 * @dev: the device (its backend domain granted them).
 * @grefs: the references.
 * @n: how many.
 * @ro: read-only.
 * @pages: from gnttab_alloc_pages().
 * @handles: filled; INVALID_GRANT_HANDLE where not mapped.
 *
 * All or nothing.  May sleep.  Return: 0, or -errno.
 */
int xen_ism_gnt_map(struct xen_ism_dev *dev, const u32 *grefs, unsigned int n,
		    bool ro, struct page **pages, grant_handle_t *handles)
{
	struct gnttab_map_grant_ref *ops;
	u32 flags = GNTMAP_host_map | (ro ? GNTMAP_readonly : 0);
	unsigned int i;
	int rc;

	ops = kvcalloc(n, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		gnttab_set_map_op(&ops[i], page_kaddr(pages[i]), flags,
				  grefs[i], dev->be_domid);
		handles[i] = INVALID_GRANT_HANDLE;
	}
	rc = gnttab_map_refs(ops, NULL, pages, n);
	for (i = 0; i < n; i++) {
		if (ops[i].status == GNTST_okay)
			handles[i] = ops[i].handle;
		else if (!rc)
			rc = -EFAULT;
	}
	if (rc) {
		dev_warn_ratelimited(&dev->xb->dev,
				     "ism %u: cannot map %u grant(s): %d\n",
				     dev->devid, n, rc);
		xen_ism_gnt_unmap(pages, handles, n, ro);
	}
	kvfree(ops);
	return rc;
}

/* Unmap what xen_ism_gnt_map() mapped; the pages stay allocated. */
void xen_ism_gnt_unmap(struct page **pages, grant_handle_t *handles,
		       unsigned int n, bool ro)
{
	struct gnttab_unmap_grant_ref ops[XEN_ISM_UNMAP_BATCH];
	struct page *batch[XEN_ISM_UNMAP_BATCH];
	struct gntab_unmap_queue_data q;
	u32 flags = GNTMAP_host_map | (ro ? GNTMAP_readonly : 0);
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		if (handles[i] != INVALID_GRANT_HANDLE) {
			gnttab_set_unmap_op(&ops[k], page_kaddr(pages[i]),
					    flags, handles[i]);
			batch[k++] = pages[i];
			handles[i] = INVALID_GRANT_HANDLE;
		}
		if (k == XEN_ISM_UNMAP_BATCH || (k && i == n - 1)) {
			q.unmap_ops = ops;
			q.kunmap_ops = NULL;
			q.pages = batch;
			q.count = k;
			if (gnttab_unmap_refs_sync(&q))
				pr_warn_ratelimited(
					"xen-ism: grant unmap failed\n");
			k = 0;
		}
	}
}

static void region_kunmap(struct xen_ism_region *r)
{
	unsigned int n = r->d.nr_pages;

	if (r->vaddr)
		vunmap(r->vaddr);
	r->vaddr = NULL;
	if (r->pages) {
		xen_ism_gnt_unmap(r->pages, r->handles, n, r->ro);
		gnttab_free_pages(n, r->pages);
	}
	kvfree(r->pages);
	kvfree(r->handles);
	r->pages = NULL;
	r->handles = NULL;
}

/* Drop the kernel mapping of @r (r->mlock held or @r unreachable). */
void xen_ism_region_unmap(struct xen_ism_region *r)
{
	region_kunmap(r);
}

static int region_kmap(struct xen_ism_region *r)
{
	unsigned int n = r->d.nr_pages;
	int rc;

	r->pages = kvcalloc(n, sizeof(*r->pages), GFP_KERNEL);
	r->handles = kvcalloc(n, sizeof(*r->handles), GFP_KERNEL);
	if (!r->pages || !r->handles) {
		kvfree(r->pages);
		kvfree(r->handles);
		r->pages = NULL;
		r->handles = NULL;
		return -ENOMEM;
	}
	rc = gnttab_alloc_pages(n, r->pages);
	if (rc) {
		kvfree(r->pages);
		kvfree(r->handles);
		r->pages = NULL;
		r->handles = NULL;
		return rc;
	}
	rc = xen_ism_gnt_map(r->dev, r->grefs, n, r->ro, r->pages, r->handles);
	if (!rc) {
		r->vaddr = vmap(r->pages, n, VM_MAP,
				r->ro ? PAGE_KERNEL_RO : PAGE_KERNEL);
		if (!r->vaddr)
			rc = -ENOMEM;
	}
	if (rc)
		region_kunmap(r);
	return rc;
}

int xen_ism_region_map(struct xen_ism_region *r, void **addr_out)
{
	struct xen_ism_dev *dev;
	unsigned long flags;
	int rc = 0;

	if (!r || !addr_out)
		return -EINVAL;
	dev = r->dev;
	mutex_lock(&r->mlock);
	if (!r->vaddr) {
		spin_lock_irqsave(&dev->lock, flags);
		if (r->gone)
			rc = -ESHUTDOWN;
		else if (r->released)
			rc = -EIDRM;
		spin_unlock_irqrestore(&dev->lock, flags);
		if (!rc)
			rc = region_kmap(r);
	}
	if (!rc)
		*addr_out = r->vaddr;
	mutex_unlock(&r->mlock);
	return rc;
}
EXPORT_SYMBOL_GPL(xen_ism_region_map);
