/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pages.c - region memory: page sets from the grant helper, the grants of
 * one referrer (region pages, doorbell, page directory), and the
 * quarantine of grants a guest still maps after their release.
 *
 * A mapped grant cannot be revoked, so nothing here ever forgets a grant
 * it could not end: the ref that holds it moves to the quarantine, its
 * region pages stay charged to the domain that maps them, and the page set
 * is freed only after its last grant ended.  Releasing never allocates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Pages of the set behind grefs[@i] of @ref, and the index in that set. */
static struct ism_pageset *ism_ref_set_of(const struct ism_ref *ref, uint32_t i)
{
	return i <= ref->nr_pages ? ref->set : ref->dirset;
}

/*
 * Free @set if its owner let go and no grant is left; else keep it on the
 * dead list (every orphan that is not freed is there, for reclaim).
 */
static void ism_pageset_try_free(struct ism_backend *be,
				 struct ism_pageset *set)
{
	struct ism_pageset **pp;

	if (!set->orphan)
		return;
	if (!set->ngrants && !be->ops->pages_free(be->plat, set->handle)) {
		if (set->dead_listed) {
			for (pp = &be->dead_sets; *pp != set; pp = &(*pp)->next)
				;
			*pp = set->next;
			be->st.held--;
		}
		free(set);
		return;
	}
	if (!set->dead_listed) {
		set->dead_listed = true;
		set->next = be->dead_sets;
		be->dead_sets = set;
		be->st.held++;
	}
}

int ism__pageset_new(struct ism_backend *be, unsigned int npages,
		     struct ism_pageset **set_out)
{
	struct ism_pageset *set;
	int rc;

	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	rc = be->ops->pages_alloc(be->plat, npages, &set->handle, &set->addr);
	if (rc)
		goto err_free_set;
	/* The helper hands out zeroed pages; clear them anyway (a MUST). */
	memset(set->addr, 0, (size_t)npages * ISM_PAGE_SIZE);
	set->npages = npages;
	*set_out = set;
	return 0;

err_free_set:
	free(set);
	return rc;
}

void ism__pageset_orphan(struct ism_backend *be, struct ism_pageset *set)
{
	if (!set)
		return;
	set->orphan = true;
	ism_pageset_try_free(be, set);
}

/* End grefs[@i] of @ref; 0 when it ended (or was already gone). */
static int ism_ref_end(struct ism_backend *be, struct ism_ref *ref, uint32_t i)
{
	struct ism_pageset *set = ism_ref_set_of(ref, i);
	int rc;

	rc = be->ops->pages_end_grant(be->plat, ref->grefs[i]);
	if (rc && rc != -ENOENT)
		return rc; /* mapped (-EBUSY) or failed: keep it, retry */
	ref->grefs[i] = 0;
	ref->live--;
	set->ngrants--;
	ref->dom->grants--;
	be->st.grants--;
	ism_pageset_try_free(be, set);
	return 0;
}

static int ism_ref_grant_page(struct ism_backend *be, struct ism_ref *ref,
			      uint32_t i, uint16_t domid, bool readonly)
{
	struct ism_pageset *set = ism_ref_set_of(ref, i);
	unsigned int index = i <= ref->nr_pages ? i : i - ref->nr_pages - 1;
	int rc;

	rc = be->ops->pages_grant(be->plat, set->handle, index, domid, readonly,
				  &ref->grefs[i]);
	if (rc)
		return rc == -ENOSPC || rc == -EDQUOT ? -ENOBUFS : rc;
	ref->live++;
	set->ngrants++;
	ref->dom->grants++;
	be->st.grants++;
	return 0;
}

/* Write @ref's page directory: a chain of its grant references. */
static void ism_ref_fill_dir(struct ism_ref *ref)
{
	uint32_t k, n, left = ref->nr_pages;
	const uint32_t *dir_grefs = &ref->grefs[ref->nr_pages + 1];
	struct ism_dir_page *dp;

	for (k = 0; k < ref->ndir; k++) {
		dp = (struct ism_dir_page *)((char *)ref->dirset->addr +
					     (size_t)k * ISM_PAGE_SIZE);
		n = left < ISM_DIR_GREFS_PER_PAGE ? left :
						    ISM_DIR_GREFS_PER_PAGE;
		dp->next_gref = k + 1 < ref->ndir ? dir_grefs[k + 1] : 0;
		dp->nr_grefs = n;
		memcpy(dp->gref, &ref->grefs[k * ISM_DIR_GREFS_PER_PAGE],
		       n * sizeof(uint32_t));
		left -= n;
	}
}

/* End what @ref holds; consume it (free it, or quarantine it). */
int ism__ref_ungrant(struct ism_backend *be, struct ism_ref *ref)
{
	uint32_t i, total = ref->nr_pages + 1 + ref->ndir, charged = 0;

	for (i = 0; i < total; i++) {
		if (ref->grefs[i])
			ism_ref_end(be, ref, i);
	}
	if (!ref->live) {
		ism__pageset_orphan(be, ref->dirset);
		free(ref);
		return 0;
	}
	for (i = 0; i < ref->nr_pages; i++)
		charged += ref->grefs[i] != 0;
	ref->dom->quarantined += charged;
	ref->dom->users++;
	be->st.quarantined += ref->live;
	ref->region = NULL;
	ref->dev = NULL;
	ref->next = be->quarantine;
	be->quarantine = ref;
	return 1;
}

int ism__ref_grant(struct ism_backend *be, struct ism_ref *ref, uint16_t domid)
{
	uint32_t i, total = ref->nr_pages + 1 + ref->ndir;
	int rc;

	rc = ism__quota_grants(be, ref->dom, total);
	if (rc)
		goto err_release;
	rc = ism__pageset_new(be, ref->ndir, &ref->dirset);
	if (rc)
		goto err_release;
	for (i = 0; i < total; i++) {
		/* Region pages as the rights say; the doorbell writable. */
		rc = ism_ref_grant_page(be, ref, i, domid,
					i < ref->nr_pages ? ref->readonly :
							    i > ref->nr_pages);
		if (rc)
			goto err_release;
	}
	ism_ref_fill_dir(ref);
	return 0;

err_release:
	ism__ref_ungrant(be, ref);
	return rc;
}

/* Retry one quarantined ref; true when it is done and was freed. */
static bool ism_ref_retry(struct ism_backend *be, struct ism_ref *ref)
{
	uint32_t i, total = ref->nr_pages + 1 + ref->ndir;
	struct ism_domain *dom = ref->dom;

	for (i = 0; i < total; i++) {
		if (!ref->grefs[i] || ism_ref_end(be, ref, i))
			continue;
		be->st.quarantined--;
		if (i < ref->nr_pages)
			dom->quarantined--;
	}
	if (ref->live)
		return false;
	ism__pageset_orphan(be, ref->dirset);
	free(ref);
	ism__domain_put(be, dom);
	return true;
}

unsigned int ism__pages_reclaim(struct ism_backend *be)
{
	struct ism_ref **rp = &be->quarantine, *ref;
	struct ism_pageset *set, *next;
	unsigned int left = 0;

	while ((ref = *rp)) {
		*rp = ref->next;
		if (ism_ref_retry(be, ref))
			continue;
		ref->next = *rp;
		*rp = ref;
		rp = &ref->next;
		left++;
	}
	for (set = be->dead_sets; set; set = next) {
		next = set->next;
		ism_pageset_try_free(be, set);
	}
	for (set = be->dead_sets; set; set = set->next)
		left++;
	return left;
}
