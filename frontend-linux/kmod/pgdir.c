// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgdir.c - reading a region's page directory, a chain of read-only
 * directory pages holding the references of the region's pages.
 */
#include <linux/mm.h>
#include <xen/grant_table.h>

#include "internal.h"

/* The longest chain: a region of ISM_REGION_SIZE_LIMIT. */
#define XEN_ISM_DIR_MAX                                     \
	DIV_ROUND_UP(ISM_REGION_SIZE_LIMIT / ISM_PAGE_SIZE, \
		     ISM_DIR_GREFS_PER_PAGE)

/* Copy the references of one directory page; -EPROTO if it is bad. */
static int dir_page_read(const struct ism_dir_page *p, u32 want, u32 *grefs,
			 u32 *next)
{
	u32 i, g;

	if (READ_ONCE(p->nr_grefs) != want)
		return -EPROTO;
	*next = READ_ONCE(p->next_gref);
	for (i = 0; i < want; i++) {
		g = READ_ONCE(p->gref[i]);
		if (g < ISM_GREF_MIN)
			return -EPROTO;
		grefs[i] = g;
	}
	return 0;
}

/**
 * xen_ism_pgdir_walk() - read the directory starting at @dir_gref.
 * @dev: the device.
 * @dir_gref: the first directory page.
 * @nr_pages: the region's pages (checked against region-size already).
 * @grefs: filled with @nr_pages references.
 *
 * Refuses a chain that is short, long, loops, or names a reference below
 * ISM_GREF_MIN.  May sleep.  Return: 0, or -errno (-EPROTO: bad chain).
 */
int xen_ism_pgdir_walk(struct xen_ism_dev *dev, u32 dir_gref, u32 nr_pages,
		       u32 *grefs)
{
	u32 seen[XEN_ISM_DIR_MAX];
	u32 hops = DIV_ROUND_UP(nr_pages, ISM_DIR_GREFS_PER_PAGE);
	u32 done = 0, gref = dir_gref, next, want, i, j;
	grant_handle_t handle;
	struct page *page;
	int rc;

	if (hops > XEN_ISM_DIR_MAX)
		return -EPROTO;
	rc = gnttab_alloc_pages(1, &page);
	if (rc)
		return rc;
	for (i = 0; i < hops && !rc; i++) {
		if (gref < ISM_GREF_MIN) {
			rc = -EPROTO;
			break;
		}
		for (j = 0; j < i; j++)
			if (seen[j] == gref)
				rc = -EPROTO; /* a loop */
		if (rc)
			break;
		seen[i] = gref;
		want = min_t(u32, nr_pages - done, ISM_DIR_GREFS_PER_PAGE);
		rc = xen_ism_gnt_map(dev, &gref, 1, true, &page, &handle);
		if (rc)
			break;
		rc = dir_page_read(page_address(page), want, grefs + done,
				   &next);
		xen_ism_gnt_unmap(&page, &handle, 1, true);
		done += want;
		if (!rc && (done < nr_pages) != (next != 0))
			rc = -EPROTO; /* short or long chain */
		gref = next;
	}
	gnttab_free_pages(1, &page);
	if (rc == -EPROTO)
		dev_warn_ratelimited(&dev->xb->dev,
				     "ism %u: bad page directory %u\n",
				     dev->devid, dir_gref);
	return rc;
}
