/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pgdir.c - checking a region descriptor and walking its page directory,
 * both written by the backend and therefore hostile.
 */
#include <errno.h>

#include "shared.h"

/* Directory pages of the largest region the protocol allows. */
#define ISM_DIR_PAGES_MAX                                                  \
	((ISM_REGION_SIZE_LIMIT / ISM_PAGE_SIZE + ISM_DIR_GREFS_PER_PAGE - \
	  1) /                                                             \
	 ISM_DIR_GREFS_PER_PAGE)

int ism__desc_check(const struct ism_region_desc *d, uint32_t max_pages,
		    uint32_t max_slots)
{
	return ism_desc_validate(d, max_pages, max_slots) ? -EPROTO : 0;
}

int ism__pgdir_walk(uint32_t dir_gref, uint32_t nr_pages, ism_dir_map_fn map,
		    ism_dir_unmap_fn unmap, void *ctx, uint32_t *grefs_out)
{
	uint32_t seen[ISM_DIR_PAGES_MAX], nseen = 0, done = 0;
	uint32_t gref = dir_gref, next, n, i, g;
	const struct ism_dir_page *page;
	int rc = 0;

	if (!nr_pages || nr_pages > ISM_REGION_SIZE_LIMIT / ISM_PAGE_SIZE)
		return -EPROTO;
	while (done < nr_pages) {
		if (gref < ISM_GREF_MIN || nseen == ISM_DIR_PAGES_MAX)
			return -EPROTO;
		for (i = 0; i < nseen; i++)
			if (seen[i] == gref)
				return -EPROTO; /* a loop */
		seen[nseen++] = gref;
		rc = map(ctx, gref, &page);
		if (rc)
			return rc;
		next = ISM_READ_ONCE(page->next_gref);
		n = ISM_READ_ONCE(page->nr_grefs);
		/* Full pages but the last, and never past nr_pages. */
		if (!n || n > ISM_DIR_GREFS_PER_PAGE || n > nr_pages - done ||
		    (n < ISM_DIR_GREFS_PER_PAGE && n != nr_pages - done))
			rc = -EPROTO;
		for (i = 0; !rc && i < n; i++) {
			g = ISM_READ_ONCE(page->gref[i]);
			if (g < ISM_GREF_MIN)
				rc = -EPROTO;
			grefs_out[done + i] = g;
		}
		unmap(ctx, page);
		if (rc)
			return rc;
		done += n;
		/* The last page ends the chain; a longer chain is refused. */
		if ((done == nr_pages) != (next == 0))
			return -EPROTO;
		gref = next;
	}
	return 0;
}
