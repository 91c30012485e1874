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
 *
 * Directories of one page (regions of up to ISM_DIR_GREFS_PER_PAGE pages)
 * come from the directory pool: chunks of ISM_DIR_CHUNK pages the core
 * maps once, so ALLOC and ATTACH do not allocate and map a page of their
 * own, nor DETACH and FREE unmap and free it.  A page goes back to its
 * chunk once its grant ended (when its ref is freed) and is cleared when
 * lent again.  The first chunk stays while the backend lives; the others
 * are freed once no page of theirs is lent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

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
		ism__backend_dirty(be);
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

int ism__pageset_new(struct ism_backend *be, unsigned int npages, bool map,
		     struct ism_pageset **set_out)
{
	struct ism_pageset *set;
	int rc;

	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	rc = be->ops->pages_alloc(be->plat, npages, &set->handle,
				  map ? &set->addr : NULL);
	if (rc)
		goto err_free_set;
	ism__backend_dirty(be);
	/*
	 * The platform hands out zeroed pages; clear those we map anyway (a
	 * MUST).  Pages we do not map are seen only by their grantees.
	 */
	if (map)
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

static int ism_dirpool_grow(struct ism_backend *be, bool keep)
{
	struct ism_pageset *set;
	int rc;

	rc = ism__pageset_new(be, ISM_DIR_CHUNK, true, &set);
	if (rc)
		return rc;
	set->pool = true;
	set->keep = keep;
	set->next = be->dir_pool;
	be->dir_pool = set;
	return 0;
}

/* Take the chunk at *@pp out of the pool; it is freed once it may be. */
static void ism_dirpool_drop(struct ism_backend *be, struct ism_pageset **pp)
{
	struct ism_pageset *set = *pp;

	*pp = set->next;
	set->next = NULL;
	set->pool = false;
	ism__pageset_orphan(be, set);
}

void ism__dirpool_init(struct ism_backend *be)
{
	ism_dirpool_grow(be, true);
}

void ism__dirpool_fini(struct ism_backend *be)
{
	struct ism_pageset **pp = &be->dir_pool, *set;

	while ((set = *pp)) {
		set->keep = false;
		if (set->lent)
			pp = &set->next;
		else
			ism_dirpool_drop(be, pp);
	}
}

/* Give @ref its directory: a page of the pool, or a set of its own. */
static int ism_dir_get(struct ism_backend *be, struct ism_ref *ref)
{
	const uint32_t full = (uint32_t)((1ull << ISM_DIR_CHUNK) - 1);
	struct ism_pageset *set;
	unsigned int i;
	int rc;

	if (ref->ndir > 1)
		return ism__pageset_new(be, ref->ndir, true, &ref->dirset);
	for (set = be->dir_pool; set && set->lent == full; set = set->next)
		;
	if (!set) {
		rc = ism_dirpool_grow(be, false);
		if (rc)
			return rc;
		set = be->dir_pool;
	}
	i = (unsigned int)__builtin_ctz(~set->lent);
	set->lent |= 1u << i;
	memset((char *)set->addr + (size_t)i * ISM_PAGE_SIZE, 0, ISM_PAGE_SIZE);
	ref->dirset = set;
	ref->dir_index = i;
	return 0;
}

/* @ref's directory grants ended: give its page back, or let its set go. */
static void ism_dir_put(struct ism_backend *be, struct ism_ref *ref)
{
	struct ism_pageset *set = ref->dirset, **pp;

	if (!set || !set->pool) {
		ism__pageset_orphan(be, set);
		return;
	}
	set->lent &= ~(1u << ref->dir_index);
	if (set->lent || set->keep)
		return;
	for (pp = &be->dir_pool; *pp != set; pp = &(*pp)->next)
		;
	ism_dirpool_drop(be, pp);
}

/*
 * End every grant @ref holds, ISM_PAGES_BATCH_MAX per call.  A grant that
 * ended, or was already gone (-ENOENT), is forgotten; one still mapped
 * (-EBUSY), or whose call failed, stays for a retry.  Returns how many
 * ended; *@pages_out says how many of those were region pages.
 */
static uint32_t ism_ref_end_grants(struct ism_backend *be, struct ism_ref *ref,
				   uint32_t *pages_out)
{
	uint32_t grefs[ISM_PAGES_BATCH_MAX], at[ISM_PAGES_BATCH_MAX];
	uint32_t i = 0, k, n, total = ref->nr_pages + 1 + ref->ndir;
	uint32_t ended = 0, pages = 0;
	int status[ISM_PAGES_BATCH_MAX];
	bool in_set, in_dir;
	int rc;

	while (i < total) {
		for (n = 0; i < total && n < ISM_PAGES_BATCH_MAX; i++) {
			if (!ref->grefs[i])
				continue;
			at[n] = i;
			grefs[n] = ref->grefs[i];
			/* Stays if the call fails as a whole. */
			status[n] = -EIO;
			n++;
		}
		if (!n)
			break;
		ism__backend_dirty(be);
		rc = be->ops->pages_end_grants(be->plat, grefs, n, status);
		in_set = in_dir = false;
		for (k = 0; k < n; k++) {
			if (rc && status[k] && status[k] != -ENOENT)
				continue;
			ref->grefs[at[k]] = 0;
			ref->live--;
			ref->dom->grants--;
			be->st.grants--;
			ended++;
			if (at[k] <= ref->nr_pages) {
				ref->set->ngrants--;
				pages += at[k] < ref->nr_pages;
				in_set = true;
			} else {
				ref->dirset->ngrants--;
				in_dir = true;
			}
		}
		/* Touch a set only while it had grants of @ref: it may be gone. */
		if (in_set)
			ism_pageset_try_free(be, ref->set);
		if (in_dir)
			ism_pageset_try_free(be, ref->dirset);
	}
	*pages_out = pages;
	return ended;
}

/*
 * Grant @count pages of @set from @index to @domid into grefs[@i ..] of
 * @ref, ISM_PAGES_BATCH_MAX per call.  On failure what was granted stays
 * in @ref, for the caller to end.
 */
static int ism_ref_grant_run(struct ism_backend *be, struct ism_ref *ref,
			     uint32_t i, struct ism_pageset *set,
			     unsigned int index, uint32_t count, uint16_t domid,
			     bool readonly)
{
	uint32_t n;
	int rc;

	while (count) {
		n = count < ISM_PAGES_BATCH_MAX ? count : ISM_PAGES_BATCH_MAX;
		rc = be->ops->pages_grant(be->plat, set->handle, index, n,
					  domid, readonly, &ref->grefs[i]);
		if (rc)
			return rc == -ENOSPC || rc == -EDQUOT ? -ENOBUFS : rc;
		ref->live += n;
		set->ngrants += n;
		ref->dom->grants += n;
		be->st.grants += n;
		i += n;
		index += n;
		count -= n;
	}
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
					     (size_t)(ref->dir_index + k) *
						     ISM_PAGE_SIZE);
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
	uint32_t i, pages, charged = 0;

	ism_ref_end_grants(be, ref, &pages);
	if (!ref->live) {
		ism_dir_put(be, ref);
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
	uint32_t n = ref->nr_pages;
	int rc;

	rc = ism__quota_grants(be, ref->dom, n + 1 + ref->ndir);
	if (rc)
		goto err_release;
	rc = ism_dir_get(be, ref);
	if (rc)
		goto err_release;
	/*
	 * Region pages as the rights say and the doorbell writable (in one
	 * run when the pages are writable too), the directory read-only.
	 */
	if (ref->readonly) {
		rc = ism_ref_grant_run(be, ref, 0, ref->set, 0, n, domid, true);
		if (!rc)
			rc = ism_ref_grant_run(be, ref, n, ref->set, n, 1,
					       domid, false);
	} else {
		rc = ism_ref_grant_run(be, ref, 0, ref->set, 0, n + 1, domid,
				       false);
	}
	if (!rc)
		rc = ism_ref_grant_run(be, ref, n + 1, ref->dirset,
				       ref->dir_index, ref->ndir, domid, true);
	if (rc)
		goto err_release;
	ism_ref_fill_dir(ref);
	return 0;

err_release:
	ism__ref_ungrant(be, ref);
	return rc;
}

/* Retry one quarantined ref; true when it is done and was freed. */
static bool ism_ref_retry(struct ism_backend *be, struct ism_ref *ref)
{
	struct ism_domain *dom = ref->dom;
	uint32_t pages;

	be->st.quarantined -= ism_ref_end_grants(be, ref, &pages);
	dom->quarantined -= pages;
	if (ref->live)
		return false;
	ism_dir_put(be, ref);
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
