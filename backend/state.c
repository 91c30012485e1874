/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.c - the backend's state across a restart of the daemon.
 *
 * Saving: whenever the state changed (ism__backend_dirty), it is written
 * whole, as one buffer, through the daemon's save callback before the
 * frontends can learn of the change (ring.c before it publishes
 * responses, events.c before it signals).  The buffer holds what xenstore
 * and the shared pages do not: page sets, regions with their permissions,
 * devices with their slots, refs with their grant references, the
 * quarantine, and where each ring and event queue stood.  Counters that
 * follow from these (quotas, peers, statistics) are not saved but
 * computed again.
 *
 * Restoring: the state is parsed into objects, checked against what the
 * platform holds (pages_list): every set must be held, and every grant
 * reference is kept only if the platform holds that grant of that page to
 * that domain (else it ended after the last save, and is forgotten).
 * What the platform holds and the state does not name is a stray: stray
 * pages become orphan sets, stray grants quarantined refs of their
 * grantee, freed as released grants are.  A state that cannot be used is
 * discarded whole: everything held is then a stray.
 *
 * The format is private to one build of the daemon and its restart (in
 * /run, lost at boot): little-endian fields, no padding, a version and a
 * trailer.  It is still parsed as untrusted input: every count and index
 * is checked before use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ISM_STATE_MAGIC 0x53534d49u /* "IMSS" */
#define ISM_STATE_VERSION 1u
#define ISM_STATE_END 0x444e4549u /* "IEND" */
#define ISM_STATE_NONE UINT32_MAX

/* Set flags. */
#define ISM_SF_ORPHAN 0x1u
#define ISM_SF_POOL 0x2u
#define ISM_SF_KEEP 0x4u
#define ISM_SF_MAPPED 0x8u

/* Device flags. */
#define ISM_DF_CLAIMED 0x1u
#define ISM_DF_ERRORED 0x2u
#define ISM_DF_CONNECTED 0x4u
#define ISM_DF_STATE_DIRTY 0x8u

/* ---- writing ---------------------------------------------------------- */

struct ism_wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void ism_w(struct ism_wbuf *w, const void *v, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (w->err)
		return;
	if (n > w->cap - w->len) {
		cap = w->cap ? w->cap : 4096;
		while (cap - w->len < n)
			cap *= 2;
		p = realloc(w->p, cap);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

static void ism_w8(struct ism_wbuf *w, uint8_t v)
{
	ism_w(w, &v, 1);
}

static void ism_w16(struct ism_wbuf *w, uint16_t v)
{
	ism_w(w, &v, 2);
}

static void ism_w32(struct ism_wbuf *w, uint32_t v)
{
	ism_w(w, &v, 4);
}

static void ism_w64(struct ism_wbuf *w, uint64_t v)
{
	ism_w(w, &v, 8);
}

/* The page sets and regions of a save, numbered as they are met. */
struct ism_save {
	struct ism_wbuf w;
	struct ism_pageset **sets;
	uint32_t nsets, sets_cap;
	struct ism_region **regions;
	uint32_t nregions, regions_cap;
};

static int ism_save_grow(void **arr, uint32_t *cap, uint32_t n)
{
	uint32_t c = *cap ? 2 * *cap : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, (size_t)c * sizeof(void *));
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

static uint32_t ism_save_set(struct ism_save *sv, struct ism_pageset *set)
{
	if (!set)
		return ISM_STATE_NONE;
	if (!set->save_id) {
		if (ism_save_grow((void **)&sv->sets, &sv->sets_cap,
				  sv->nsets)) {
			sv->w.err = -ENOMEM;
			return ISM_STATE_NONE;
		}
		sv->sets[sv->nsets++] = set;
		set->save_id = sv->nsets;
	}
	return set->save_id - 1;
}

static uint32_t ism_save_region(struct ism_save *sv, struct ism_region *r)
{
	if (!r->save_id) {
		if (ism_save_grow((void **)&sv->regions, &sv->regions_cap,
				  sv->nregions)) {
			sv->w.err = -ENOMEM;
			return ISM_STATE_NONE;
		}
		sv->regions[sv->nregions++] = r;
		r->save_id = sv->nregions;
		ism_save_set(sv, r->set);
	}
	return r->save_id - 1;
}

/* Number everything a ref names. */
/*
 * Whether @ref still names its region's set: a quarantined ref whose
 * grants of it all ended may point at a set freed since (pages.c never
 * touches it again), so neither may a save.
 */
static bool ism_ref_names_set(const struct ism_ref *ref)
{
	uint32_t i;

	if (ref->region)
		return true;
	for (i = 0; i <= ref->nr_pages; i++) {
		if (ref->grefs[i])
			return true;
	}
	return false;
}

static void ism_save_number_ref(struct ism_save *sv, struct ism_ref *ref)
{
	if (ref->region)
		ism_save_region(sv, ref->region);
	if (ism_ref_names_set(ref))
		ism_save_set(sv, ref->set);
	ism_save_set(sv, ref->dirset);
}

static void ism_save_ref(struct ism_save *sv, const struct ism_ref *ref)
{
	struct ism_wbuf *w = &sv->w;

	ism_w32(w, ref->region ? ref->region->save_id - 1 : ISM_STATE_NONE);
	ism_w16(w, ref->dom->domid);
	ism_w32(w, ism_ref_names_set(ref) ? ref->set->save_id - 1 :
					    ISM_STATE_NONE);
	ism_w32(w, ref->dirset ? ref->dirset->save_id - 1 : ISM_STATE_NONE);
	ism_w32(w, ref->dir_index);
	ism_w32(w, ref->slot);
	ism_w32(w, ref->perm);
	ism_w32(w, ref->nr_pages);
	ism_w32(w, ref->ndir);
	ism_w8(w, ref->side);
	ism_w8(w, ref->released);
	ism_w8(w, ref->readonly);
	ism_w(w, ref->grefs,
	      ((size_t)ref->nr_pages + 1 + ref->ndir) * sizeof(uint32_t));
}

static void ism_save_sets_regions(struct ism_save *sv)
{
	struct ism_wbuf *w = &sv->w;
	const struct ism_pageset *set;
	const struct ism_region *r;
	uint32_t i, k;

	ism_w32(w, sv->nsets);
	for (i = 0; i < sv->nsets; i++) {
		set = sv->sets[i];
		ism_w32(w, set->handle);
		ism_w32(w, set->npages);
		ism_w8(w, (set->orphan ? ISM_SF_ORPHAN : 0) |
				  (set->pool ? ISM_SF_POOL : 0) |
				  (set->keep ? ISM_SF_KEEP : 0) |
				  (set->addr ? ISM_SF_MAPPED : 0));
	}
	ism_w32(w, sv->nregions);
	for (i = 0; i < sv->nregions; i++) {
		r = sv->regions[i];
		ism_w64(w, r->node.key);
		ism_w64(w, r->size);
		ism_w32(w, r->nr_pages);
		ism_w32(w, r->set->save_id - 1);
		for (k = 0; k < 2; k++) {
			ism_w32(w, r->devid[k]);
			ism_w16(w, r->domid[k]);
		}
		ism_w8(w, r->released);
		ism_w8(w, r->widowed);
		ism_w8(w, r->linked);
		ism_w8(w, r->fp_state);
		ism_w8(w, r->fp_side);
		ism_w32(w, r->perms.def);
		ism_w32(w, r->perms.n);
		for (k = 0; k < r->perms.n; k++) {
			ism_w32(w, r->perms.e[k].devid);
			ism_w32(w, r->perms.e[k].perm);
		}
	}
}

static void ism_save_device(struct ism_save *sv, const struct ism_device *dev)
{
	struct ism_wbuf *w = &sv->w;
	uint32_t s;

	ism_w16(w, dev->domid);
	ism_w32(w, dev->devid);
	ism_w32(w, (uint32_t)dev->state);
	ism_w8(w, (dev->claimed ? ISM_DF_CLAIMED : 0) |
			  (dev->errored ? ISM_DF_ERRORED : 0) |
			  (dev->slots ? ISM_DF_CONNECTED : 0) |
			  (dev->state_dirty ? ISM_DF_STATE_DIRTY : 0));
	ism_w32(w, dev->ring_ref);
	ism_w32(w, dev->evt_ref);
	ism_w32(w, dev->remote_port);
	ism_w32(w, dev->rsp_prod_pvt);
	ism_w32(w, dev->evt_prod_pvt);
	ism_w32(w, dev->slot_hint);
	ism_w32(w, dev->nslots);
	ism_w32(w, dev->slots_used);
	for (s = 0; s < dev->nslots; s++) {
		if (dev->slots[s])
			ism_save_ref(sv, dev->slots[s]);
	}
}

static int ism_state_serialize(struct ism_backend *be, struct ism_wbuf *out)
{
	struct ism_save sv = { 0 };
	struct ism_pageset *set;
	struct ism_device *dev;
	struct ism_ref *ref;
	uint32_t i, n;

	/* Number the sets and regions, in an order the restore can follow. */
	for (set = be->dir_pool; set; set = set->next)
		ism_save_set(&sv, set);
	for (set = be->dead_sets; set; set = set->next)
		ism_save_set(&sv, set);
	for (dev = be->dev_head; dev; dev = dev->next) {
		for (i = 0; i < dev->nslots; i++) {
			if (dev->slots[i])
				ism_save_number_ref(&sv, dev->slots[i]);
		}
	}
	for (ref = be->quarantine; ref; ref = ref->next)
		ism_save_number_ref(&sv, ref);

	ism_w32(&sv.w, ISM_STATE_MAGIC);
	ism_w32(&sv.w, ISM_STATE_VERSION);
	ism_w64(&sv.w, be->st.requests);
	ism_w64(&sv.w, be->st.protocol_errors);
	ism_save_sets_regions(&sv);
	ism_w32(&sv.w, be->st.devices);
	for (dev = be->dev_head; dev; dev = dev->next)
		ism_save_device(&sv, dev);
	for (n = 0, ref = be->quarantine; ref; ref = ref->next)
		n++;
	ism_w32(&sv.w, n);
	for (ref = be->quarantine; ref; ref = ref->next)
		ism_save_ref(&sv, ref);
	ism_w32(&sv.w, ISM_STATE_END);

	for (i = 0; i < sv.nsets; i++)
		sv.sets[i]->save_id = 0;
	for (i = 0; i < sv.nregions; i++)
		sv.regions[i]->save_id = 0;
	free(sv.sets);
	free(sv.regions);
	*out = sv.w;
	return sv.w.err;
}

int ism_backend_save(struct ism_backend *be)
{
	struct ism_wbuf w;
	int rc;

	if (!be)
		return -EINVAL;
	if (!be->save_fn)
		return -ENOENT;
	rc = ism_state_serialize(be, &w);
	if (!rc)
		rc = be->save_fn(be->save_arg, w.p, w.len);
	free(w.p);
	if (!rc)
		be->dirty = false;
	return rc;
}

void ism__state_persist(struct ism_backend *be)
{
	if (be->dirty && be->save_fn)
		ism_backend_save(be);
}

int ism_backend_set_save(struct ism_backend *be, ism_backend_save_fn *fn,
			 void *arg)
{
	if (!be)
		return -EINVAL;
	be->save_fn = fn;
	be->save_arg = arg;
	return fn ? ism_backend_save(be) : 0;
}

/* ---- reading ---------------------------------------------------------- */

struct ism_rbuf {
	const uint8_t *p;
	size_t left;
	int err;
};

static void ism_r(struct ism_rbuf *r, void *v, size_t n)
{
	if (r->err || n > r->left) {
		r->err = -EINVAL;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p, n);
	r->p += n;
	r->left -= n;
}

static uint8_t ism_r8(struct ism_rbuf *r)
{
	uint8_t v;

	ism_r(r, &v, 1);
	return v;
}

static uint16_t ism_r16(struct ism_rbuf *r)
{
	uint16_t v;

	ism_r(r, &v, 2);
	return v;
}

static uint32_t ism_r32(struct ism_rbuf *r)
{
	uint32_t v;

	ism_r(r, &v, 4);
	return v;
}

static uint64_t ism_r64(struct ism_rbuf *r)
{
	uint64_t v;

	ism_r(r, &v, 8);
	return v;
}

/* A count of records at least @min bytes long each, bounded by the rest. */
static uint32_t ism_rcount(struct ism_rbuf *r, size_t min)
{
	uint32_t n = ism_r32(r);

	if (!r->err && (size_t)n > r->left / min)
		r->err = -EINVAL;
	return r->err ? 0 : n;
}

/* What a restore builds before the objects join the backend. */
struct ism_load {
	struct ism_backend *be;
	struct ism_rbuf r;
	struct ism_pageset **sets;
	uint32_t nsets;
	struct ism_region **regions;
	uint32_t nregions;
	struct ism_pages_list *list;
	struct ism_backend_restored info;
};

/* calloc(), noting -ENOMEM in the parse's error. */
static void *ism_load_alloc(struct ism_load *ld, size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		ld->r.err = -ENOMEM;
	return p;
}

static void ism_load_sets(struct ism_load *ld)
{
	struct ism_pageset *set;
	uint32_t i;
	uint8_t f;

	ld->nsets = ism_rcount(&ld->r, 9);
	ld->sets = ism_load_alloc(ld, ld->nsets + 1, sizeof(*ld->sets));
	if (!ld->sets)
		ld->nsets = 0;
	for (i = 0; i < ld->nsets && !ld->r.err; i++) {
		set = ism_load_alloc(ld, 1, sizeof(*set));
		if (!set)
			return;
		ld->sets[i] = set;
		set->save_id = i + 1; /* the state's, not a stray */
		set->handle = ism_r32(&ld->r);
		set->npages = ism_r32(&ld->r);
		f = ism_r8(&ld->r);
		set->orphan = f & ISM_SF_ORPHAN;
		set->pool = f & ISM_SF_POOL;
		set->keep = f & ISM_SF_KEEP;
		/* Mapped again by the adoption; remembered here meanwhile. */
		set->addr = f & ISM_SF_MAPPED ? set : NULL;
		if (!set->handle || !set->npages ||
		    set->npages > UINT32_MAX - set->handle ||
		    (set->pool && set->npages != ISM_DIR_CHUNK))
			ld->r.err = -EINVAL;
	}
}

static struct ism_pageset *ism_load_set_at(struct ism_load *ld, uint32_t id)
{
	if (id >= ld->nsets) {
		ld->r.err = -EINVAL;
		return NULL;
	}
	return ld->sets[id];
}

static void ism_load_regions(struct ism_load *ld)
{
	const struct ism_backend_limits *l = &ld->be->lim;
	struct ism_region *r;
	uint32_t i, k, n, def;
	int rc;

	ld->nregions = ism_rcount(&ld->r, 49);
	ld->regions =
		ism_load_alloc(ld, ld->nregions + 1, sizeof(*ld->regions));
	if (!ld->regions)
		ld->nregions = 0;
	for (i = 0; i < ld->nregions && !ld->r.err; i++) {
		r = ism_load_alloc(ld, 1, sizeof(*r));
		if (!r)
			return;
		ld->regions[i] = r;
		r->node.key = ism_r64(&ld->r);
		r->size = ism_r64(&ld->r);
		r->nr_pages = ism_r32(&ld->r);
		r->set = ism_load_set_at(ld, ism_r32(&ld->r));
		for (k = 0; k < 2; k++) {
			r->devid[k] = ism_r32(&ld->r);
			r->domid[k] = ism_r16(&ld->r);
		}
		r->released = ism_r8(&ld->r);
		r->widowed = ism_r8(&ld->r);
		r->linked = ism_r8(&ld->r);
		r->fp_state = ism_r8(&ld->r);
		r->fp_side = ism_r8(&ld->r);
		def = ism_r32(&ld->r);
		n = ism_rcount(&ld->r, 8);
		if (ld->r.err)
			return;
		if (!r->node.key || !r->nr_pages ||
		    r->nr_pages > ISM_REGION_SIZE_LIMIT / ISM_PAGE_SIZE ||
		    r->size != (uint64_t)r->nr_pages * ISM_PAGE_SIZE ||
		    r->set->npages != r->nr_pages + 1 || r->set->pool ||
		    r->fp_state > ISM_FP_UP || r->fp_side > 1 ||
		    n > ISM_MAX_PERM_ENTRIES_LIMIT) {
			ld->r.err = -EINVAL;
			return;
		}
		r->ndir = (r->nr_pages + ISM_DIR_GREFS_PER_PAGE - 1) /
			  ISM_DIR_GREFS_PER_PAGE;
		rc = ism__perms_init(
			&r->perms, def,
			n > l->max_perm_entries ? n : l->max_perm_entries);
		if (rc) {
			ld->r.err = rc;
			return;
		}
		for (k = 0; k < n; k++) {
			r->perms.e[k].devid = ism_r32(&ld->r);
			r->perms.e[k].perm = ism_r32(&ld->r);
		}
		r->perms.n = n;
	}
}

/* A ref, for @dev (a slot) or for the quarantine (@dev NULL). */
static struct ism_ref *ism_load_ref(struct ism_load *ld, struct ism_device *dev)
{
	struct ism_ref head = { 0 }, *ref;
	uint32_t region, total, i;
	struct ism_region *r = NULL;
	uint16_t domid;
	int rc;

	region = ism_r32(&ld->r);
	domid = ism_r16(&ld->r);
	total = ism_r32(&ld->r);
	head.set = total == ISM_STATE_NONE ? NULL : ism_load_set_at(ld, total);
	total = ism_r32(&ld->r);
	head.dirset = total == ISM_STATE_NONE ? NULL :
						ism_load_set_at(ld, total);
	head.dir_index = ism_r32(&ld->r);
	head.slot = ism_r32(&ld->r);
	head.perm = ism_r32(&ld->r);
	head.nr_pages = ism_r32(&ld->r);
	head.ndir = ism_r32(&ld->r);
	head.side = ism_r8(&ld->r);
	head.released = ism_r8(&ld->r);
	head.readonly = ism_r8(&ld->r);
	if (ld->r.err)
		return NULL;
	if (region != ISM_STATE_NONE) {
		if (region >= ld->nregions || !dev) {
			ld->r.err = -EINVAL;
			return NULL;
		}
		r = ld->regions[region];
	}
	/*
	 * A ref of a region has its layout; a stray has one grant; a
	 * quarantined ref without a set holds no grant of one.
	 */
	if ((r && (head.set != r->set || head.nr_pages != r->nr_pages ||
		   head.ndir != r->ndir || head.side > 1 || r->ref[head.side] ||
		   !head.dirset || domid != dev->domid ||
		   head.slot >= dev->nslots || dev->slots[head.slot])) ||
	    (!r && head.set &&
	     (dev || head.nr_pages >= head.set->npages ||
	      (!head.ndir &&
	       (head.nr_pages || head.dir_index >= head.set->npages)))) ||
	    (!head.set && (dev || !head.ndir)) || head.set == head.dirset ||
	    (head.dirset && (head.dirset->npages < head.ndir ||
			     head.dir_index > head.dirset->npages - head.ndir ||
			     (head.dirset->pool && head.ndir != 1))) ||
	    (!head.dirset && head.ndir)) {
		ld->r.err = -EINVAL;
		return NULL;
	}
	total = head.nr_pages + 1 + head.ndir;
	if ((size_t)total > ld->r.left / sizeof(uint32_t)) {
		ld->r.err = -EINVAL;
		return NULL;
	}
	ref = calloc(1, sizeof(*ref) + (size_t)total * sizeof(uint32_t));
	if (!ref) {
		ld->r.err = -ENOMEM;
		return NULL;
	}
	*ref = head;
	ism_r(&ld->r, ref->grefs, (size_t)total * sizeof(uint32_t));
	for (i = 0; !head.set && i <= head.nr_pages; i++) {
		if (ref->grefs[i])
			ld->r.err = -EINVAL;
	}
	ref->region = r;
	ref->dev = dev;
	if (dev) {
		ref->dom = dev->dom;
		r->ref[ref->side] = ref;
		dev->slots[ref->slot] = ref;
		dev->slots_used++;
		return ref;
	}
	rc = ism__domain_get(ld->be, domid, &ref->dom);
	if (rc) {
		free(ref);
		ld->r.err = rc;
		return NULL;
	}
	ref->next = ld->be->quarantine;
	ld->be->quarantine = ref;
	return ref;
}

static void ism_load_device(struct ism_load *ld)
{
	struct ism_backend *be = ld->be;
	uint32_t domid, devid, flags, nslots, n, i;
	struct ism_device *dev;
	int state, rc;

	domid = ism_r16(&ld->r);
	devid = ism_r32(&ld->r);
	state = (int)ism_r32(&ld->r);
	flags = ism_r8(&ld->r);
	if (ld->r.err)
		return;
	if (!devid || devid > ISM_DEVID_MAX || state < 0 ||
	    state > ISM_XBS_CLOSED || ism__device_find(be, domid, devid)) {
		ld->r.err = -EINVAL;
		return;
	}
	rc = ism__device_new(be, (uint16_t)domid, devid, &dev);
	if (rc) {
		ld->r.err = rc;
		return;
	}
	dev->state = state;
	dev->claimed = flags & ISM_DF_CLAIMED;
	dev->errored = flags & ISM_DF_ERRORED;
	dev->state_dirty = flags & ISM_DF_STATE_DIRTY;
	dev->ring_ref = ism_r32(&ld->r);
	dev->evt_ref = ism_r32(&ld->r);
	dev->remote_port = ism_r32(&ld->r);
	dev->rsp_prod_pvt = ism_r32(&ld->r);
	dev->req_cons = dev->rsp_prod_pvt;
	dev->evt_prod_pvt = ism_r32(&ld->r);
	dev->slot_hint = ism_r32(&ld->r);
	nslots = ism_r32(&ld->r);
	n = ism_r32(&ld->r);
	if (ld->r.err || nslots > ISM_MAX_REGIONS_LIMIT || n > nslots ||
	    (!(flags & ISM_DF_CONNECTED) && nslots)) {
		ld->r.err = -EINVAL;
		return;
	}
	if (flags & ISM_DF_CONNECTED) {
		/* Its slots as it had them, whatever --max-regions is now. */
		dev->slots = calloc(nslots + 1, sizeof(*dev->slots));
		if (!dev->slots) {
			ld->r.err = -ENOMEM;
			return;
		}
		dev->nslots = nslots;
	}
	if (dev->claimed) {
		dev->devid_node.key = dev->devid;
		if (ism__device_by_devid(be, dev->devid)) {
			ld->r.err = -EINVAL;
			return;
		}
		rc = ism__htable_insert(&be->devids, &dev->devid_node);
		if (rc) {
			dev->claimed = false;
			ld->r.err = rc;
			return;
		}
	}
	for (i = 0; i < n && !ld->r.err; i++)
		ism_load_ref(ld, dev);
}

static bool ism_load_region_ok(const struct ism_region *r)
{
	const struct ism_ref *a = r->ref[0], *b = r->ref[1];

	if (!a && !b)
		return false;
	if ((a && a->released != r->released) ||
	    (b && b->released != r->released))
		return false;
	return !r->linked || (a && b && !r->released);
}

/* How the refs and regions of a state use one set (ism_load_roles). */
struct ism_set_use {
	uint32_t regions, dirs, sets;
	uint32_t lent;
};

static void ism_load_use_ref(struct ism_load *ld, struct ism_set_use *use,
			     const struct ism_ref *ref)
{
	struct ism_set_use *u;

	if (ref->set && !ref->region)
		use[ref->set->save_id - 1].sets++;
	if (!ref->dirset)
		return;
	u = &use[ref->dirset->save_id - 1];
	u->dirs++;
	if (ref->dirset->pool) {
		if (u->lent & 1u << ref->dir_index)
			ld->r.err = -EINVAL;
		u->lent |= 1u << ref->dir_index;
	}
}

/*
 * Each set must have one role, as the core gives them: a pool chunk
 * (directories of one page, each page lent once), a live region's pages
 * (one region), a directory of its own (one ref), or an orphan waiting
 * for its grants to end (no region, no directory).  A state that mixes
 * them could make the core free a set still in use.
 */
static void ism_load_roles(struct ism_load *ld)
{
	struct ism_backend *be = ld->be;
	const struct ism_pageset *set;
	struct ism_set_use *use, *u;
	struct ism_device *dev;
	struct ism_ref *ref;
	uint32_t i;

	use = calloc(ld->nsets + 1, sizeof(*use));
	if (!use) {
		ld->r.err = -ENOMEM;
		return;
	}
	for (i = 0; i < ld->nregions; i++)
		use[ld->regions[i]->set->save_id - 1].regions++;
	for (dev = be->dev_head; dev; dev = dev->next) {
		for (i = 0; i < dev->nslots; i++) {
			if (dev->slots[i])
				ism_load_use_ref(ld, use, dev->slots[i]);
		}
	}
	for (ref = be->quarantine; ref; ref = ref->next)
		ism_load_use_ref(ld, use, ref);
	for (i = 0; i < ld->nsets && !ld->r.err; i++) {
		set = ld->sets[i];
		u = &use[i];
		if (set->pool  ? set->orphan || u->regions :
		    u->regions ? set->orphan || u->regions > 1 || u->dirs :
		    u->dirs    ? set->orphan || u->dirs > 1 :
				 !set->orphan)
			ld->r.err = -EINVAL;
	}
	free(use);
}

static void ism_load_parse(struct ism_load *ld)
{
	uint32_t i, n;

	if (ism_r32(&ld->r) != ISM_STATE_MAGIC ||
	    ism_r32(&ld->r) != ISM_STATE_VERSION) {
		ld->r.err = -EINVAL;
		return;
	}
	ld->be->st.requests = ism_r64(&ld->r);
	ld->be->st.protocol_errors = ism_r64(&ld->r);
	ism_load_sets(ld);
	ism_load_regions(ld);
	n = ism_rcount(&ld->r, 2 + 4 + 4 + 1 + 8 * 4);
	for (i = 0; i < n && !ld->r.err; i++)
		ism_load_device(ld);
	n = ism_rcount(&ld->r, 8 * 4 + 2 + 3 + 4);
	for (i = 0; i < n && !ld->r.err; i++)
		ism_load_ref(ld, NULL);
	if (ism_r32(&ld->r) != ISM_STATE_END || ld->r.left)
		ld->r.err = -EINVAL;
	/*
	 * Every region has a ref; a released region's refs are released and
	 * only its; a linked pair is two refs of a live region.
	 */
	for (i = 0; i < ld->nregions && !ld->r.err; i++) {
		if (!ism_load_region_ok(ld->regions[i]))
			ld->r.err = -EINVAL;
	}
	if (!ld->r.err)
		ism_load_roles(ld);
}

/* Free what a failed parse built (memory only; nothing was adopted). */
static void ism_load_drop(struct ism_load *ld)
{
	struct ism_backend *be = ld->be;
	struct ism_device *dev;
	struct ism_ref *ref;
	uint32_t i;

	while ((dev = be->dev_head)) {
		for (i = 0; i < dev->nslots; i++)
			free(dev->slots[i]);
		free(dev->slots);
		dev->slots = NULL;
		dev->nslots = 0;
		ism__device_destroy(dev);
	}
	while ((ref = be->quarantine)) {
		be->quarantine = ref->next;
		ism__domain_put(be, ref->dom);
		free(ref);
	}
	for (i = 0; i < ld->nregions; i++) {
		if (ld->regions[i])
			ism__perms_fini(&ld->regions[i]->perms);
		free(ld->regions[i]);
	}
	for (i = 0; i < ld->nsets; i++)
		free(ld->sets[i]);
	free(ld->regions);
	free(ld->sets);
	ld->regions = NULL;
	ld->sets = NULL;
	ld->nregions = ld->nsets = 0;
	be->st.requests = 0;
	be->st.protocol_errors = 0;
	be->dirty = false;
}

/* ---- checking against the platform ----------------------------------- */

/* Whether pages @h .. @h + @n - 1 are all in the platform's runs. */
static bool ism_load_held(const struct ism_pages_list *l, uint32_t h,
			  uint32_t n)
{
	uint32_t lo = 0, hi = l->nruns, mid;
	const struct ism_pages_run *run;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		run = &l->runs[mid];
		if (h < run->handle)
			hi = mid;
		else if (h - run->handle >= run->count)
			lo = mid + 1;
		else
			return n <= run->count - (h - run->handle) ||
			       ism_load_held(
				       l, run->handle + run->count,
				       n - (run->count - (h - run->handle)));
	}
	return false;
}

static int ism_set_cmp(const void *a, const void *b)
{
	const struct ism_pageset *x = *(struct ism_pageset *const *)a;
	const struct ism_pageset *y = *(struct ism_pageset *const *)b;

	return x->handle < y->handle ? -1 : x->handle > y->handle;
}

/* The set of @sets (sorted by handle) holding page @page, or NULL. */
static struct ism_pageset *ism_load_set_of(struct ism_pageset **sets,
					   uint32_t n, uint32_t page)
{
	uint32_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (page < sets[mid]->handle)
			hi = mid;
		else if (page - sets[mid]->handle >= sets[mid]->npages)
			lo = mid + 1;
		else
			return sets[mid];
	}
	return NULL;
}

/* The sets of the state must be held and must not overlap. */
static int ism_load_check_sets(struct ism_load *ld)
{
	struct ism_pageset **sorted;
	uint32_t i;
	int rc = 0;

	sorted = calloc(ld->nsets + 1, sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, ld->sets, ld->nsets * sizeof(*sorted));
	qsort(sorted, ld->nsets, sizeof(*sorted), ism_set_cmp);
	for (i = 0; i < ld->nsets && !rc; i++) {
		if (!ism_load_held(ld->list, sorted[i]->handle,
				   sorted[i]->npages) ||
		    (i && sorted[i]->handle - sorted[i - 1]->handle <
				  sorted[i - 1]->npages))
			rc = -ESTALE;
	}
	free(sorted);
	return rc;
}

/*
 * Pages of the runs in no set of the state: adopt them as orphan sets (a
 * run at most XEN's largest set long), freed once their grants end.
 */
static int ism_load_stray_pages(struct ism_load *ld, struct ism_pageset **all,
				uint32_t *nall)
{
	const uint32_t max = ISM_REGION_SIZE_LIMIT / ISM_PAGE_SIZE;
	struct ism_backend *be = ld->be;
	const struct ism_pages_run *run;
	struct ism_pageset *set;
	uint32_t i, h, end, n, nstate = *nall;
	int rc;

	for (i = 0; i < ld->list->nruns; i++) {
		run = &ld->list->runs[i];
		h = run->handle;
		end = h + run->count;
		while (h < end) {
			set = ism_load_set_of(all, nstate, h);
			if (set) {
				h = set->handle + set->npages;
				continue;
			}
			for (n = 1; h + n < end && n < max &&
				    !ism_load_set_of(all, nstate, h + n);
			     n++)
				;
			set = calloc(1, sizeof(*set));
			if (!set)
				return -ENOMEM;
			rc = be->ops->pages_adopt(be->plat, h, n, NULL);
			if (rc) {
				free(set);
				return rc;
			}
			set->handle = h;
			set->npages = n;
			set->orphan = true;
			all[(*nall)++] = set;
			ld->info.stray_pages += n;
			h += n;
		}
	}
	qsort(all, *nall, sizeof(*all), ism_set_cmp);
	return 0;
}

/*
 * The page handle that grefs[@i] of @ref grants.  A stray ref (one grant,
 * no directory) grants page dir_index of its set.
 */
static uint32_t ism_ref_page(const struct ism_ref *ref, uint32_t i)
{
	if (!ref->ndir)
		return ref->set->handle + ref->dir_index;
	if (i <= ref->nr_pages)
		return ref->set->handle + i;
	return ref->dirset->handle + ref->dir_index + (i - ref->nr_pages - 1);
}

struct ism_load_grant {
	struct ism_hnode node; /* key: gref */
	const struct ism_pages_grant *g;
	bool used;
};

/* Keep the grant references of @ref the platform holds as they say. */
static void ism_load_check_ref(struct ism_load *ld, struct ism_htable *t,
			       struct ism_ref *ref)
{
	uint32_t i, total = ref->nr_pages + 1 + ref->ndir;
	struct ism_load_grant *lg;
	struct ism_hnode *n;

	ref->live = 0;
	for (i = 0; i < total; i++) {
		if (!ref->grefs[i])
			continue;
		n = ism__htable_find(t, ref->grefs[i]);
		lg = n ? ism_container_of(n, struct ism_load_grant, node) :
			 NULL;
		if (!lg || lg->used || lg->g->page != ism_ref_page(ref, i) ||
		    lg->g->domid != ref->dom->domid) {
			ref->grefs[i] = 0;
			ld->info.lost_grants++;
			continue;
		}
		lg->used = true;
		ref->live++;
		if (i <= ref->nr_pages)
			ref->set->ngrants++;
		else
			ref->dirset->ngrants++;
	}
}

/* A quarantined ref of one stray grant, charged to its grantee. */
static int ism_load_stray_grant(struct ism_load *ld, struct ism_pageset **all,
				uint32_t nall, const struct ism_pages_grant *g)
{
	struct ism_backend *be = ld->be;
	struct ism_ref *ref;
	int rc;

	ref = calloc(1, sizeof(*ref) + sizeof(uint32_t));
	if (!ref)
		return -ENOMEM;
	ref->set = ism_load_set_of(all, nall, g->page);
	if (!ref->set) { /* a grant of a page not held: not ours */
		free(ref);
		return 0;
	}
	rc = ism__domain_get(be, g->domid, &ref->dom);
	if (rc) {
		free(ref);
		return rc;
	}
	ref->dir_index = g->page - ref->set->handle;
	ref->grefs[0] = g->gref;
	ref->live = 1;
	ref->readonly = g->readonly;
	ref->set->ngrants++;
	ref->next = be->quarantine;
	be->quarantine = ref;
	ld->info.stray_grants++;
	return 0;
}

/* Check every grant of the state against the platform's; keep strays. */
static int ism_load_check_grants(struct ism_load *ld, struct ism_pageset **all,
				 uint32_t nall)
{
	struct ism_backend *be = ld->be;
	struct ism_load_grant *lgs;
	struct ism_device *dev;
	struct ism_ref *ref, *stray_from = be->quarantine;
	struct ism_htable t;
	uint32_t i;
	int rc;

	lgs = calloc(ld->list->ngrants + 1, sizeof(*lgs));
	if (!lgs)
		return -ENOMEM;
	rc = ism__htable_init(&t);
	for (i = 0; i < ld->list->ngrants && !rc; i++) {
		lgs[i].g = &ld->list->grants[i];
		lgs[i].node.key = lgs[i].g->gref;
		rc = ism__htable_insert(&t, &lgs[i].node);
	}
	if (rc)
		goto out;
	for (dev = be->dev_head; dev; dev = dev->next) {
		for (i = 0; i < dev->nslots; i++) {
			if (dev->slots[i])
				ism_load_check_ref(ld, &t, dev->slots[i]);
		}
	}
	for (ref = stray_from; ref; ref = ref->next)
		ism_load_check_ref(ld, &t, ref);
	for (i = 0; i < ld->list->ngrants && !rc; i++) {
		if (!lgs[i].used)
			rc = ism_load_stray_grant(ld, all, nall, lgs[i].g);
	}
out:
	ism__htable_fini(&t);
	free(lgs);
	return rc;
}

/* Take back the state's sets from the platform, mapping the pool's. */
static int ism_load_adopt_sets(struct ism_load *ld)
{
	struct ism_backend *be = ld->be;
	struct ism_pageset *set;
	uint32_t i;
	bool map;
	int rc;

	for (i = 0; i < ld->nsets; i++) {
		set = ld->sets[i];
		map = set->addr != NULL;
		set->addr = NULL;
		rc = be->ops->pages_adopt(be->plat, set->handle, set->npages,
					  map ? &set->addr : NULL);
		if (rc)
			return rc;
	}
	return 0;
}

/* A linked pair counts in both domains' peers, as ism_region_link(). */
static void ism_load_link_pair(struct ism_region *r)
{
	struct ism_ref *a = r->ref[0], *b = r->ref[1];

	r->linked = false;
	if (!a || !b || ism__quota_peer_add(a->dom, b->dev->devid))
		return;
	if (ism__quota_peer_add(b->dom, a->dev->devid)) {
		ism__quota_peer_del(a->dom, b->dev->devid);
		return;
	}
	r->linked = true;
}

/* Put every set where it belongs, every counter where the refs say. */
static void ism_load_link(struct ism_load *ld, struct ism_pageset **all,
			  uint32_t nall)
{
	struct ism_backend *be = ld->be;
	struct ism_pageset *set;
	struct ism_device *dev;
	struct ism_region *r;
	struct ism_ref *ref;
	uint32_t i, k;

	for (dev = be->dev_head; dev; dev = dev->next) {
		for (i = 0; i < dev->nslots; i++) {
			ref = dev->slots[i];
			if (!ref)
				continue;
			if (ref->dirset->pool)
				ref->dirset->lent |= 1u << ref->dir_index;
			dev->bytes += ref->region->size;
			dev->grants += ref->live;
			dev->dom->bytes += ref->region->size;
			dev->dom->grants += ref->live;
			be->st.grants += ref->live;
		}
	}
	for (ref = be->quarantine; ref; ref = ref->next) {
		if (ref->dirset && ref->dirset->pool)
			ref->dirset->lent |= 1u << ref->dir_index;
		for (k = 0; k < ref->nr_pages; k++)
			ref->dom->quarantined += ref->grefs[k] != 0;
		ref->dom->grants += ref->live;
		be->st.grants += ref->live;
		be->st.quarantined += ref->live;
	}
	for (i = 0; i < nall; i++) {
		set = all[i];
		set->save_id = 0;
		if (set->pool) {
			set->next = be->dir_pool;
			be->dir_pool = set;
		} else if (set->orphan) {
			set->dead_listed = true;
			set->next = be->dead_sets;
			be->dead_sets = set;
			be->st.held++;
		}
	}
	for (i = 0; i < ld->nregions; i++) {
		r = ld->regions[i];
		if (r->released) {
			be->st.released++;
		} else if (!ism__htable_insert(&be->tokens, &r->node)) {
			be->st.regions++;
		} else { /* out of memory: nobody new can attach */
			r->released = true;
			be->st.released++;
		}
		if (r->linked)
			ism_load_link_pair(r);
		ld->info.regions++;
	}
}

/* Connect the restored devices again; fail those that cannot be. */
static void ism_load_resume(struct ism_load *ld)
{
	struct ism_backend *be = ld->be;
	struct ism_device *dev, *next;
	char why[160];

	for (dev = be->dev_head; dev; dev = dev->next) {
		ld->info.devices++;
		if (dev->slots && !ism__device_resume(dev, why, sizeof(why)))
			ld->info.connected++;
	}
	/* Failed once all are mapped, so that their peers hear of it. */
	for (dev = be->dev_head; dev; dev = next) {
		next = dev->next;
		if (dev->slots && !dev->ring)
			ism__device_fail(dev, "its ring, event page or event "
					      "channel are gone after a "
					      "restart of the backend");
	}
}

/*
 * Build the backend's objects from @state (or none) and what the platform
 * holds.  On failure nothing is left in the backend (what was adopted
 * stays the platform's, for another try).
 */
static int ism_load(struct ism_load *ld, const void *state, size_t len)
{
	struct ism_backend *be = ld->be;
	struct ism_pageset **all = NULL;
	uint32_t nall = 0, i, pages = 0;
	int rc = 0;

	ld->r.p = state;
	ld->r.left = state ? len : 0;
	if (state) {
		ism_load_parse(ld);
		rc = ld->r.err ?: ism_load_check_sets(ld);
		if (rc == -ENOMEM)
			goto err_drop;
		if (rc) {
			ism_load_drop(ld);
			ld->info.discarded = true;
		}
	}
	for (i = 0; i < ld->list->nruns; i++)
		pages += ld->list->runs[i].count;
	rc = -ENOMEM;
	all = calloc((size_t)ld->nsets + pages + 1, sizeof(*all));
	if (!all)
		goto err_drop;
	rc = ism_load_adopt_sets(ld);
	if (rc)
		goto err_drop;
	for (nall = 0; nall < ld->nsets; nall++)
		all[nall] = ld->sets[nall];
	qsort(all, nall, sizeof(*all), ism_set_cmp);
	rc = ism_load_stray_pages(ld, all, &nall);
	rc = rc ?: ism_load_check_grants(ld, all, nall);
	if (rc)
		goto err_drop;
	ism_load_link(ld, all, nall);
	ism_load_resume(ld);
	be->dirty = true;
	free(all);
	return 0;

err_drop:
	/* The strays are the orphans that are not the state's. */
	for (i = 0; i < nall; i++) {
		if (all[i]->orphan && !all[i]->save_id)
			free(all[i]);
	}
	free(all);
	ism_load_drop(ld);
	return rc;
}

int ism_backend_restore(const struct ism_platform_ops *ops,
			struct ism_platform *platform,
			const struct ism_backend_limits *limits,
			const void *state, size_t len,
			struct ism_backend **be_out,
			struct ism_backend_restored *info_out)
{
	struct ism_load ld = { 0 };
	int rc;

	rc = ism__backend_alloc(ops, platform, limits, &ld.be);
	if (rc)
		return rc;
	rc = ops->pages_list(platform, &ld.list);
	if (rc)
		goto err_release;
	rc = ism_load(&ld, state, len);
	free(ld.list);
	free(ld.sets);
	free(ld.regions);
	if (rc)
		goto err_release;
	rc = ism__backend_start(ld.be);
	if (rc) {
		ism_backend_abandon(ld.be);
		return rc;
	}
	if (info_out)
		*info_out = ld.info;
	*be_out = ld.be;
	return 0;

err_release:
	ism__backend_release(ld.be);
	return rc;
}
