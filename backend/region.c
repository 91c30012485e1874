/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * region.c - regions: ALLOC, ATTACH (the two-guest rule, permissions,
 * limits), the release of one referrer (DETACH, a device closing or its
 * domain dying) and of the region (FREE, the last referrer going).
 *
 * A region lives while one of its two refs does; its token is in the
 * token table until the region is released, and is never reused (tokens
 * are random, and a live token is never drawn twice).
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

#define ISM_PERM_OWNER \
	(ISM_PERM_READ | ISM_PERM_WRITE | ISM_PERM_ATTACH | ISM_PERM_MANAGE)

/* Errors of the platform as the protocol names them for ALLOC/ATTACH. */
static int ism_region_errno(int rc)
{
	return rc == -ENOBUFS ? rc : -ENOMEM;
}

struct ism_ref *ism__region_other(const struct ism_ref *ref)
{
	return ref->region->ref[!ref->side];
}

static int ism_ref_new(struct ism_region *r, struct ism_device *dev,
		       uint8_t side, uint32_t perm, bool readonly,
		       struct ism_ref **ref_out)
{
	struct ism_ref *ref;

	ref = calloc(1, sizeof(*ref) + ((size_t)r->nr_pages + 1 + r->ndir) *
					       sizeof(uint32_t));
	if (!ref)
		return -ENOMEM;
	ref->region = r;
	ref->dev = dev;
	ref->dom = dev->dom;
	ref->set = r->set;
	ref->side = side;
	ref->perm = perm;
	ref->readonly = readonly;
	ref->nr_pages = r->nr_pages;
	ref->ndir = r->ndir;
	*ref_out = ref;
	return 0;
}

/* Grant @ref's pages and put it in @slot of its device. */
static int ism_ref_install(struct ism_ref *ref, uint32_t slot)
{
	struct ism_device *dev = ref->dev;
	struct ism_region *r = ref->region;
	int rc;

	rc = ism__ref_grant(dev->be, ref, dev->domid);
	if (rc)
		return rc; /* @ref is gone */
	ref->slot = slot;
	r->ref[ref->side] = ref;
	ism__device_slot_set(dev, slot, ref);
	dev->dom->bytes += r->size;
	dev->bytes += r->size;
	dev->grants += ref->live;
	return 0;
}

/* Devices @a and @b no longer share this region (peers quota). */
static void ism_pair_del(const struct ism_device *a, const struct ism_device *b)
{
	ism__quota_peer_del(a->dom, b->devid);
	ism__quota_peer_del(b->dom, a->devid);
}

static void ism_region_unlink(struct ism_region *r)
{
	if (!r->linked)
		return;
	ism_pair_del(r->ref[0]->dev, r->ref[1]->dev);
	r->linked = false;
}

/*
 * Count the pair in both domains' peers, @dev joining on @side while the
 * other side is attached.  -EUSERS (either side full) or -ENOMEM.
 */
static int ism_region_link(struct ism_region *r, struct ism_device *dev,
			   uint8_t side)
{
	struct ism_ref *other = r->ref[!side];
	struct ism_backend *be = dev->be;
	int rc;

	if (!other)
		return 0;
	rc = ism__quota_peer_room(be, dev->dom, other->dev->devid);
	if (rc)
		return rc;
	rc = ism__quota_peer_add(dev->dom, other->dev->devid);
	if (rc)
		return rc;
	rc = ism__quota_peer_room(be, other->dom, dev->devid);
	if (!rc)
		rc = ism__quota_peer_add(other->dom, dev->devid);
	if (rc) {
		ism__quota_peer_del(dev->dom, other->dev->devid);
		return rc;
	}
	r->linked = true;
	return 0;
}

static void ism_region_destroy(struct ism_backend *be, struct ism_region *r)
{
	if (r->released) {
		be->st.released--;
	} else {
		ism__htable_remove(&be->tokens, &r->node);
		be->st.regions--;
	}
	ism__pageset_orphan(be, r->set);
	ism__perms_fini(&r->perms);
	free(r);
}

/* The token dies: nobody can attach any more. */
static void ism_region_release(struct ism_backend *be, struct ism_region *r)
{
	if (r->released)
		return;
	ism__htable_remove(&be->tokens, &r->node);
	r->released = true;
	be->st.regions--;
	be->st.released++;
}

void ism__region_describe(const struct ism_ref *ref,
			  struct ism_region_desc *desc)
{
	const struct ism_region *r = ref->region;
	const struct ism_ref *peer = ism__region_other(ref);
	uint8_t other = !ref->side;

	desc->token = r->node.key;
	desc->size = r->size;
	desc->slot = ref->slot;
	desc->nr_pages = r->nr_pages;
	desc->dir_gref = ref->grefs[r->nr_pages + 1];
	desc->bell_gref = ref->grefs[r->nr_pages];
	desc->perm = ref->perm;
	desc->peer_devid = r->devid[other];
	desc->peer_domid = r->devid[other] ? r->domid[other] :
					     ISM_DOMID_INVALID;
	desc->side = ref->side;
	desc->state = ref->released ? ISM_RSTATE_RELEASED : ISM_RSTATE_ACTIVE;
	desc->flags = 0;
	if (peer && !peer->released && !ref->released)
		desc->flags |= ISM_DESC_F_PEER_PRESENT;
	if (r->widowed)
		desc->flags |= ISM_DESC_F_PEER_GONE;
}

static int ism_region_new(struct ism_device *dev, uint64_t size,
			  uint32_t def_perm, struct ism_region **r_out)
{
	struct ism_backend *be = dev->be;
	struct ism_region *r;
	uint64_t token;
	int rc;

	rc = ism__token_new(be, &token);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->nr_pages = (uint32_t)((size + ISM_PAGE_SIZE - 1) / ISM_PAGE_SIZE);
	r->size = (uint64_t)r->nr_pages * ISM_PAGE_SIZE;
	r->ndir = (r->nr_pages + ISM_DIR_GREFS_PER_PAGE - 1) /
		  ISM_DIR_GREFS_PER_PAGE;
	r->devid[0] = dev->devid;
	r->domid[0] = dev->domid;
	rc = ism__perms_init(&r->perms, def_perm, be->lim.max_perm_entries);
	if (rc)
		goto err_free_region;
	/* The core never touches region pages or the doorbell: no mapping. */
	rc = ism__pageset_new(be, r->nr_pages + 1, false, &r->set);
	if (rc)
		goto err_fini_perms;
	r->node.key = token;
	rc = ism__htable_insert(&be->tokens, &r->node);
	if (rc)
		goto err_orphan_set;
	be->st.regions++;
	*r_out = r;
	return 0;

err_orphan_set:
	ism__pageset_orphan(be, r->set);
err_fini_perms:
	ism__perms_fini(&r->perms);
err_free_region:
	free(r);
	return rc;
}

int ism__region_alloc(struct ism_device *dev, const struct ism_req_alloc *req,
		      struct ism_region_desc *desc)
{
	struct ism_backend *be = dev->be;
	uint32_t def = ISM_PERM_DEFAULT, slot, npages;
	struct ism_region *r;
	struct ism_ref *ref;
	int rc;

	if (req->flags & ~ISM_ALLOC_F_DEFAULT_PERM)
		return -EINVAL;
	if (req->flags & ISM_ALLOC_F_DEFAULT_PERM) {
		if (ism__perms_check(0, req->perm))
			return -EINVAL;
		def = req->perm;
	} else if (req->perm) {
		return -EINVAL;
	}
	if (!req->size)
		return -EINVAL;
	if (req->size > be->lim.region_size)
		return -EFBIG;
	rc = ism__device_slot_alloc(dev, &slot);
	if (rc)
		return rc;
	npages = (uint32_t)((req->size + ISM_PAGE_SIZE - 1) / ISM_PAGE_SIZE);
	rc = ism__quota_bytes(be, dev->dom, (uint64_t)npages * ISM_PAGE_SIZE);
	if (rc)
		return rc;
	rc = ism__quota_grants(be, dev->dom,
			       npages + 1 +
				       (npages + ISM_DIR_GREFS_PER_PAGE - 1) /
					       ISM_DIR_GREFS_PER_PAGE);
	if (rc)
		return rc;
	rc = ism_region_new(dev, req->size, def, &r);
	if (rc)
		return ism_region_errno(rc);
	rc = ism_ref_new(r, dev, ISM_SIDE_OWNER, ISM_PERM_OWNER, false, &ref);
	if (rc)
		goto err_destroy_region;
	rc = ism_ref_install(ref, slot);
	if (rc)
		goto err_destroy_region;
	ism__region_describe(ref, desc);
	return 0;

err_destroy_region:
	ism_region_destroy(be, r);
	return ism_region_errno(rc);
}

/* Which side @dev would attach on, by the two-guest rule; -EBUSY. */
static int ism_region_side_for(const struct ism_region *r,
			       const struct ism_device *dev, uint8_t *side_out)
{
	if (r->widowed)
		return -EBUSY; /* a referrer vanished: no new pair */
	if (dev->devid == r->devid[0] && dev->domid == r->domid[0]) {
		*side_out = ISM_SIDE_OWNER;
		return 0;
	}
	if (r->ref[1] || (r->devid[1] && (dev->devid != r->devid[1] ||
					  dev->domid != r->domid[1])))
		return -EBUSY;
	*side_out = ISM_SIDE_PEER;
	return 0;
}

int ism__region_attach(struct ism_device *dev, const struct ism_req_attach *req,
		       struct ism_region_desc *desc)
{
	struct ism_backend *be = dev->be;
	uint32_t rights = ISM_PERM_OWNER, slot;
	struct ism_hnode *node;
	struct ism_region *r;
	struct ism_ref *ref;
	uint8_t side;
	bool ro;
	int rc;

	if (req->flags & ~ISM_ATTACH_F_READONLY)
		return -EINVAL;
	node = req->token ? ism__htable_find(&be->tokens, req->token) : NULL;
	if (!node)
		return -ENOENT;
	r = ism_container_of(node, struct ism_region, node);
	if ((r->ref[0] && r->ref[0]->dev == dev) ||
	    (r->ref[1] && r->ref[1]->dev == dev))
		return -EEXIST;
	rc = ism_region_side_for(r, dev, &side);
	if (rc)
		return rc;
	if (side == ISM_SIDE_PEER) {
		rights = ism__perms_rights(&r->perms, dev->devid);
		if ((rights & (ISM_PERM_ATTACH | ISM_PERM_READ)) !=
		    (ISM_PERM_ATTACH | ISM_PERM_READ))
			return -EACCES;
	}
	ro = !(rights & ISM_PERM_WRITE) || (req->flags & ISM_ATTACH_F_READONLY);
	if (ro)
		rights &= ~ISM_PERM_WRITE;
	rc = ism__device_slot_alloc(dev, &slot);
	if (rc)
		return rc;
	rc = ism__quota_bytes(be, dev->dom, r->size);
	if (rc)
		return rc;
	rc = ism_region_link(r, dev, side);
	if (rc)
		return rc == -EUSERS ? rc : ism_region_errno(rc);
	rc = ism_ref_new(r, dev, side, rights, ro, &ref);
	if (!rc)
		rc = ism_ref_install(ref, slot);
	if (rc) {
		if (r->linked)
			ism_pair_del(dev, r->ref[!side]->dev);
		r->linked = false;
		return ism_region_errno(rc);
	}
	if (side == ISM_SIDE_PEER) {
		r->devid[1] = dev->devid;
		r->domid[1] = dev->domid;
	}
	if (r->ref[!side])
		ism__evt_queue(r->ref[!side], ISM_EVT_PEER_ATTACHED, 0, 0);
	ism__region_describe(ref, desc);
	return 0;
}

void ism__region_drop(struct ism_ref *ref, uint8_t evt_type)
{
	struct ism_region *r = ref->region;
	struct ism_device *dev = ref->dev;
	struct ism_backend *be = dev->be;
	struct ism_ref *other = ism__region_other(ref);

	if (!ref->released) {
		if (other && !other->released && evt_type)
			ism__evt_queue(other, evt_type, 0, 0);
		if (evt_type == ISM_EVT_PEER_GONE)
			r->widowed = true;
		ism_region_unlink(r);
		r->fp_state = ISM_FP_NONE;
	}
	r->ref[ref->side] = NULL;
	ism__device_slot_clear(dev, ref->slot);
	dev->dom->bytes -= r->size;
	dev->bytes -= r->size;
	dev->grants -= ref->live;
	ism__ref_ungrant(be, ref);
	if (!r->ref[0] && !r->ref[1])
		ism_region_destroy(be, r);
}

void ism__region_free(struct ism_ref *ref)
{
	struct ism_region *r = ref->region;
	struct ism_ref *other = ism__region_other(ref);

	ism_region_release(ref->dev->be, r);
	ism_region_unlink(r);
	r->fp_state = ISM_FP_NONE;
	if (other && !other->released) {
		other->released = true;
		ism__evt_queue(other, ISM_EVT_REGION_RELEASED,
			       ISM_RELEASE_FREED, 0);
	}
	ref->released = true;
	ism__region_drop(ref, 0);
}
