// SPDX-License-Identifier: GPL-2.0-only
/*
 * umap.c - mapping a region into a user VMA.
 *
 * On a PV guest the user PTEs of foreign frames are written by Xen: each
 * grant is mapped onto its PTE (GNTMAP_contains_pte) found with
 * apply_to_page_range(), and also at the kernel address of a ballooned
 * page (the "kmap" ops) so that the kernel can reach it.  Xen kills a PV
 * domain that clears a grant PTE by itself, so an mmu interval notifier
 * unmaps the grants before the kernel zaps the PTEs (munmap, exit).
 * Auto-translated guests map the grants onto ballooned pages and insert
 * those.  A region's doorbell page is mapped the same way, on its own.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "internal.h"

struct xen_ism_umap {
	struct xen_ism_region *r;
	struct kref kref; /* VMAs using it */
	struct mmu_interval_notifier mni;
	bool mni_on;
	bool ptemod; /* PV: Xen writes the PTEs */
	struct mutex lock; /* the handles of unmap_ops, kunmap_ops */
	unsigned long start;
	unsigned int n;
	const u32 *grefs; /* the region's, or its doorbell's */
	u32 flags; /* GNTMAP_* of the kernel-side maps */
	struct page **pages;
	grant_handle_t *handles; /* auto-translated */
	struct gnttab_map_grant_ref *map_ops;
	struct gnttab_map_grant_ref *kmap_ops;
	struct gnttab_unmap_grant_ref *unmap_ops;
	struct gnttab_unmap_grant_ref *kunmap_ops;
};

static unsigned long page_kaddr(struct page *page)
{
	return (unsigned long)pfn_to_kaddr(page_to_pfn(page));
}

/* Unmap the PTE grants of pages [first, first + count) (um->lock held). */
static void umap_unmap_pv(struct xen_ism_umap *um, unsigned int first,
			  unsigned int count)
{
	struct gntab_unmap_queue_data q;
	unsigned int i = first, end = first + count, run;

	while (i < end) {
		if (um->unmap_ops[i].handle == INVALID_GRANT_HANDLE) {
			i++;
			continue;
		}
		for (run = 1; i + run < end && um->unmap_ops[i + run].handle !=
						       INVALID_GRANT_HANDLE;
		     run++)
			;
		q.unmap_ops = um->unmap_ops + i;
		q.kunmap_ops = um->kunmap_ops + i;
		q.pages = um->pages + i;
		q.count = run;
		if (gnttab_unmap_refs_sync(&q))
			pr_warn_ratelimited(
				"xen-ism: user grant unmap failed\n");
		for (; run; run--, i++) {
			um->unmap_ops[i].handle = INVALID_GRANT_HANDLE;
			um->kunmap_ops[i].handle = INVALID_GRANT_HANDLE;
		}
	}
}

static void umap_unmap_all(struct xen_ism_umap *um)
{
	mutex_lock(&um->lock);
	if (um->ptemod && um->unmap_ops)
		umap_unmap_pv(um, 0, um->n);
	else if (!um->ptemod && um->handles)
		xen_ism_gnt_unmap(um->pages, um->handles, um->n,
				  um->flags & GNTMAP_readonly);
	mutex_unlock(&um->lock);
}

static void umap_free(struct xen_ism_umap *um)
{
	if (um->pages && um->pages[0])
		gnttab_free_pages(um->n, um->pages);
	kvfree(um->pages);
	kvfree(um->handles);
	kvfree(um->map_ops);
	kvfree(um->kmap_ops);
	kvfree(um->unmap_ops);
	kvfree(um->kunmap_ops);
	kfree(um);
}

static void umap_release(struct kref *kref)
{
	struct xen_ism_umap *um = container_of(kref, struct xen_ism_umap, kref);
	struct xen_ism_region *r = um->r;

	if (um->mni_on)
		mmu_interval_notifier_remove(&um->mni);
	umap_unmap_all(um);
	umap_free(um);
	mutex_lock(&r->mlock);
	r->nr_vmas--;
	mutex_unlock(&r->mlock);
	xen_ism_region_put(r);
}

static bool umap_invalidate(struct mmu_interval_notifier *mni,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct xen_ism_umap *um = container_of(mni, struct xen_ism_umap, mni);
	unsigned long end = um->start + ((unsigned long)um->n << PAGE_SHIFT);
	unsigned long s, e;

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&um->lock);
	mmu_interval_set_seq(mni, cur_seq);
	s = max(range->start, um->start);
	e = min(range->end, end);
	if (s < e)
		umap_unmap_pv(um, (s - um->start) >> PAGE_SHIFT,
			      (e - s) >> PAGE_SHIFT);
	mutex_unlock(&um->lock);
	return true;
}

static const struct mmu_interval_notifier_ops umap_mni_ops = {
	.invalidate = umap_invalidate,
};

static void umap_vm_open(struct vm_area_struct *vma)
{
	struct xen_ism_umap *um = vma->vm_private_data;

	kref_get(&um->kref);
}

static void umap_vm_close(struct vm_area_struct *vma)
{
	struct xen_ism_umap *um = vma->vm_private_data;

	kref_put(&um->kref, umap_release);
}

/* The mapping is all or nothing: no partial munmap or mprotect. */
static int umap_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int umap_vm_mprotect(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, unsigned long newflags)
{
	return -EACCES;
}

static struct page *umap_vm_find_special_page(struct vm_area_struct *vma,
					      unsigned long addr)
{
	struct xen_ism_umap *um = vma->vm_private_data;

	return um->pages[(addr - um->start) >> PAGE_SHIFT];
}

static const struct vm_operations_struct umap_vm_ops = {
	.open = umap_vm_open,
	.close = umap_vm_close,
	.may_split = umap_vm_may_split,
	.mprotect = umap_vm_mprotect,
	.find_special_page = umap_vm_find_special_page,
};

static int umap_find_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct xen_ism_umap *um = data;
	unsigned int i = (addr - um->start) >> PAGE_SHIFT;
	u32 flags = um->flags | GNTMAP_application_map | GNTMAP_contains_pte;
	u64 maddr = arbitrary_virt_to_machine(pte).maddr;

	if (i >= um->n)
		return -EINVAL;
	if (xen_feature(XENFEAT_gnttab_map_avail_bits))
		flags |= 1u << _GNTMAP_guest_avail0;
	gnttab_set_map_op(&um->map_ops[i], maddr, flags, um->grefs[i],
			  um->r->dev->be_domid);
	gnttab_set_unmap_op(&um->unmap_ops[i], maddr, flags,
			    INVALID_GRANT_HANDLE);
	return 0;
}

static int umap_mark_special(pte_t *pte, unsigned long addr, void *data)
{
	struct mm_struct *mm = data;

	set_pte_at(mm, addr, pte, pte_mkspecial(*pte));
	return 0;
}

static int umap_map_pv(struct xen_ism_umap *um, struct vm_area_struct *vma)
{
	unsigned long size = (unsigned long)um->n << PAGE_SHIFT;
	unsigned int i;
	int rc;

	um->map_ops = kvcalloc(um->n, sizeof(*um->map_ops), GFP_KERNEL);
	um->kmap_ops = kvcalloc(um->n, sizeof(*um->kmap_ops), GFP_KERNEL);
	um->unmap_ops = kvcalloc(um->n, sizeof(*um->unmap_ops), GFP_KERNEL);
	um->kunmap_ops = kvcalloc(um->n, sizeof(*um->kunmap_ops), GFP_KERNEL);
	if (!um->map_ops || !um->kmap_ops || !um->unmap_ops || !um->kunmap_ops)
		return -ENOMEM;
	for (i = 0; i < um->n; i++) {
		gnttab_set_map_op(&um->kmap_ops[i], page_kaddr(um->pages[i]),
				  um->flags, um->grefs[i],
				  um->r->dev->be_domid);
		gnttab_set_unmap_op(&um->kunmap_ops[i],
				    page_kaddr(um->pages[i]), um->flags,
				    INVALID_GRANT_HANDLE);
		um->unmap_ops[i].handle = INVALID_GRANT_HANDLE;
	}
	rc = mmu_interval_notifier_insert_locked(
		&um->mni, vma->vm_mm, um->start, size, &umap_mni_ops);
	if (rc)
		return rc;
	um->mni_on = true;
	mmu_interval_read_begin(&um->mni);
	rc = apply_to_page_range(vma->vm_mm, um->start, size, umap_find_pte,
				 um);
	if (rc)
		return rc;
	/* No invalidation can come: mmap holds mmap_lock for writing. */
	rc = gnttab_map_refs(um->map_ops, um->kmap_ops, um->pages, um->n);
	for (i = 0; i < um->n; i++) {
		if (um->map_ops[i].status == GNTST_okay)
			um->unmap_ops[i].handle = um->map_ops[i].handle;
		else if (!rc)
			rc = -EFAULT;
		if (um->kmap_ops[i].status == GNTST_okay)
			um->kunmap_ops[i].handle = um->kmap_ops[i].handle;
		else if (!rc)
			rc = -EFAULT;
	}
	if (!rc && !xen_feature(XENFEAT_gnttab_map_avail_bits))
		rc = apply_to_page_range(vma->vm_mm, um->start, size,
					 umap_mark_special, vma->vm_mm);
	return rc;
}

static int umap_map_hvm(struct xen_ism_umap *um, struct vm_area_struct *vma)
{
	int rc;

	um->handles = kvcalloc(um->n, sizeof(*um->handles), GFP_KERNEL);
	if (!um->handles)
		return -ENOMEM;
	rc = xen_ism_gnt_map(um->r->dev, um->grefs, um->n,
			     um->flags & GNTMAP_readonly, um->pages,
			     um->handles);
	if (rc) {
		kvfree(um->handles);
		um->handles = NULL;
		return rc;
	}
	return vm_map_pages_zero(vma, um->pages, um->n);
}

/* Flags of a region's VMA: never copied, grown or dumped; read-only for good. */
static void umap_vma_flags(struct vm_area_struct *vma, bool ro)
{
	vm_flags_t set = VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP |
			 VM_MIXEDMAP;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_mod(vma, set, ro ? VM_MAYWRITE : 0);
#else
	vma->vm_flags |= set;
	if (ro)
		vma->vm_flags &= ~VM_MAYWRITE;
#endif
}

/* Map @n pages of @grefs at @vma, read-only if @ro; @r's lifetime. */
static int umap_mmap(struct xen_ism_region *r, struct vm_area_struct *vma,
		     const u32 *grefs, unsigned int n, bool ro)
{
	struct xen_ism_umap *um;
	unsigned long flags;
	int rc;

	um = kzalloc(sizeof(*um), GFP_KERNEL);
	if (!um)
		return -ENOMEM;
	kref_init(&um->kref);
	mutex_init(&um->lock);
	um->r = r;
	um->n = n;
	um->grefs = grefs;
	um->start = vma->vm_start;
	um->ptemod = xen_pv_domain();
	um->flags = GNTMAP_host_map | (ro ? GNTMAP_readonly : 0);
	um->pages = kvcalloc(um->n, sizeof(*um->pages), GFP_KERNEL);
	if (!um->pages) {
		kfree(um);
		return -ENOMEM;
	}
	mutex_lock(&r->mlock);
	spin_lock_irqsave(&r->dev->lock, flags);
	if (r->gone)
		rc = -ESHUTDOWN;
	else if (r->released)
		rc = -EIDRM;
	else
		rc = 0;
	spin_unlock_irqrestore(&r->dev->lock, flags);
	if (!rc) {
		rc = gnttab_alloc_pages(um->n, um->pages);
		if (rc)
			um->pages[0] = NULL;
	}
	if (!rc) {
		umap_vma_flags(vma, ro);
		rc = um->ptemod ? umap_map_pv(um, vma) : umap_map_hvm(um, vma);
	}
	if (rc) {
		/* mmap fails: the core zaps the range without ->close. */
		if (um->mni_on)
			mmu_interval_notifier_remove(&um->mni);
		um->mni_on = false;
		umap_unmap_all(um);
		umap_free(um);
		mutex_unlock(&r->mlock);
		return rc;
	}
	vma->vm_private_data = um;
	vma->vm_ops = &umap_vm_ops;
	r->nr_vmas++;
	xen_ism_region_get(r);
	mutex_unlock(&r->mlock);
	return 0;
}

int xen_ism_region_mmap(struct xen_ism_region *r, struct vm_area_struct *vma)
{
	if (!r || !vma)
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != r->d.size)
		return -EINVAL;
	if (r->ro && (vma->vm_flags & VM_WRITE))
		return -EPERM;
	return umap_mmap(r, vma, r->grefs, r->d.nr_pages,
			 r->ro || !(vma->vm_flags & VM_WRITE));
}
EXPORT_SYMBOL_GPL(xen_ism_region_mmap);

int xen_ism_bell_mmap(struct xen_ism_region *r, struct vm_area_struct *vma)
{
	if (!r || !vma)
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != PAGE_SIZE || !r->d.bell_gref)
		return -EINVAL;
	return umap_mmap(r, vma, &r->d.bell_gref, 1,
			 !(vma->vm_flags & VM_WRITE));
}
EXPORT_SYMBOL_GPL(xen_ism_bell_mmap);
