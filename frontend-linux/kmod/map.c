// SPDX-License-Identifier: GPL-2.0-only
/*
 * map.c - mapping backend grants into the kernel: single pages (page
 * directory, doorbell) and a region's linear kernel mapping.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/mem-reservation.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <asm/xen/hypercall.h>

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

/*
 * A contiguous mapping (xen_ism_region_map()): a compound block of this
 * guest's memory whose frames go back to Xen while the backend's pages
 * are mapped in their place, so that the block's direct-map addresses and
 * struct pages reach the region.  In a PV guest the direct map's entries
 * are cleared first (then every CPU's TLB flushed), and the grant mapping
 * refills them; in a translated guest the grants fill the freed guest
 * frames.  Its frames return before the block is freed.
 */
static void contig_flush_tlbs(void)
{
#ifdef CONFIG_XEN_PV /* x86 only: arm64 has no PV guests */
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_ALL };

	if (xen_pv_domain() && HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF))
		pr_warn_ratelimited("xen-ism: TLB flush failed\n");
#endif
}

/*
 * Give @n frames of r->pages back from Xen (they were decreased).  Pages
 * that stay without a frame are never freed: the block is leaked whole.
 */
static bool contig_refill(struct xen_ism_region *r, unsigned int n)
{
	unsigned int i, done = 0;
	int rc, tries = 3;

	for (i = 0; i < n; i++)
		r->frames[i] = page_to_xen_pfn(r->pages[i]);
	while (done < n && tries--) {
		rc = xenmem_reservation_increase(n - done, r->frames + done);
		if (rc <= 0)
			continue;
		xenmem_reservation_va_mapping_update(rc, r->pages + done,
						     r->frames + done);
		done += rc;
	}
	if (done < n) {
		pr_warn("xen-ism: %u of %u frames not returned by Xen: %lu KiB kept\n",
			n - done, n, (PAGE_SIZE << r->order) / 1024);
		return false;
	}
	return true;
}

static void contig_unmap(struct xen_ism_region *r)
{
	unsigned int i, n = r->d.nr_pages;

	xen_ism_gnt_unmap(r->pages, r->handles, n, r->ro);
	if (contig_refill(r, n)) {
		for (i = 0; i < n; i++)
			set_page_private(r->pages[i], 0);
		__free_pages(r->pages[0], r->order);
	}
	kvfree(r->frames);
	r->frames = NULL;
}

static int contig_map(struct xen_ism_region *r)
{
	unsigned int i, n = r->d.nr_pages;
	struct page *head;
	int done, rc;

	r->frames = kvcalloc(n, sizeof(*r->frames), GFP_KERNEL);
	if (!r->frames)
		return -ENOMEM;
	r->order = get_order((size_t)n << PAGE_SHIFT);
	head = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_ZERO | __GFP_NOWARN,
			   r->order);
	if (!head) {
		rc = -ENOMEM;
		goto out_frames;
	}
	for (i = 0; i < n; i++) {
		r->pages[i] = head + i;
		r->frames[i] = xen_page_to_gfn(r->pages[i]);
	}
	/* Zeroed above: no data of this guest goes back to Xen. */
	xenmem_reservation_va_mapping_reset(n, r->pages);
	contig_flush_tlbs();
	done = xenmem_reservation_decrease(n, r->frames);
	if (done != n) {
		/* Frames Xen kept come back as they were; the rest refill. */
		if (done < 0)
			done = 0;
		xenmem_reservation_va_mapping_update(n - done, r->pages + done,
						     r->frames + done);
		rc = -ENOMEM;
		if (contig_refill(r, done))
			__free_pages(head, r->order);
		goto out_frames;
	}
	rc = xen_ism_gnt_map(r->dev, r->grefs, n, r->ro, r->pages, r->handles);
	if (rc) {
		if (contig_refill(r, n))
			__free_pages(head, r->order);
		goto out_frames;
	}
	r->vaddr = page_address(head);
	r->contig = true;
	return 0;

out_frames:
	kvfree(r->frames);
	r->frames = NULL;
	return rc;
}

static void region_kunmap(struct xen_ism_region *r)
{
	unsigned int n = r->d.nr_pages;

	if (r->contig) {
		contig_unmap(r);
	} else if (r->pages) {
		xen_ism_gnt_unmap(r->pages, r->handles, n, r->ro);
		gnttab_free_pages(n, r->pages);
	}
	r->vaddr = NULL;
	r->contig = false;
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

/*
 * Each page at its own kernel address: gnttab_alloc_pages() gives pages
 * without frames, and the grants fill their direct-map entries.  (A PV
 * guest cannot vmap() another domain's frames; only grant operations map
 * them.)
 */
static int pages_map(struct xen_ism_region *r)
{
	unsigned int n = r->d.nr_pages;
	int rc;

	rc = gnttab_alloc_pages(n, r->pages);
	if (rc)
		return rc;
	rc = xen_ism_gnt_map(r->dev, r->grefs, n, r->ro, r->pages, r->handles);
	if (rc)
		gnttab_free_pages(n, r->pages);
	return rc;
}

static int region_kmap(struct xen_ism_region *r, bool contig)
{
	unsigned int n = r->d.nr_pages;
	int rc = -ENOMEM;

	r->pages = kvcalloc(n, sizeof(*r->pages), GFP_KERNEL);
	r->handles = kvcalloc(n, sizeof(*r->handles), GFP_KERNEL);
	if (r->pages && r->handles)
		rc = contig ? contig_map(r) : pages_map(r);
	if (rc) {
		kvfree(r->pages);
		kvfree(r->handles);
		r->pages = NULL;
		r->handles = NULL;
	}
	return rc;
}

static int region_map(struct xen_ism_region *r, bool contig)
{
	struct xen_ism_dev *dev = r->dev;
	unsigned long flags;
	int rc = 0;

	mutex_lock(&r->mlock);
	if (r->pages && r->contig != contig) {
		rc = -EBUSY;
	} else if (!r->pages) {
		spin_lock_irqsave(&dev->lock, flags);
		if (r->gone)
			rc = -ESHUTDOWN;
		else if (r->released)
			rc = -EIDRM;
		spin_unlock_irqrestore(&dev->lock, flags);
		if (!rc)
			rc = region_kmap(r, contig);
	}
	mutex_unlock(&r->mlock);
	return rc;
}

int xen_ism_region_map(struct xen_ism_region *r, void **addr_out)
{
	int rc;

	if (!r || !addr_out)
		return -EINVAL;
	rc = region_map(r, true);
	if (!rc)
		*addr_out = r->vaddr;
	return rc;
}
EXPORT_SYMBOL_GPL(xen_ism_region_map);

int xen_ism_region_map_pages(struct xen_ism_region *r)
{
	return r ? region_map(r, false) : -EINVAL;
}
EXPORT_SYMBOL_GPL(xen_ism_region_map_pages);

int xen_ism_region_write(struct xen_ism_region *r, u64 offset, const void *src,
			 size_t len)
{
	struct page **pages = READ_ONCE(r->pages);
	size_t n;

	if (!pages)
		return -ENXIO;
	if (r->ro)
		return -EPERM;
	if (offset > r->d.nr_pages * (u64)PAGE_SIZE ||
	    len > r->d.nr_pages * (u64)PAGE_SIZE - offset)
		return -EINVAL;
	while (len) {
		n = min_t(size_t, len, PAGE_SIZE - offset_in_page(offset));
		memcpy(page_address(pages[offset >> PAGE_SHIFT]) +
			       offset_in_page(offset),
		       src, n);
		src += n;
		offset += n;
		len -= n;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xen_ism_region_write);
