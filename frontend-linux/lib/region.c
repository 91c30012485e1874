/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * region.c - allocating, attaching, mapping, notifying, detaching and
 * freeing regions, and the fast path of a region.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

static int slot_request(ism_region *r, uint8_t op, struct ism_rsp *rsp_out)
{
	struct ism_req req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.u.slot.token = r->d.token;
	req.u.slot.slot = r->d.slot;
	return ism__request(r->dev, &req, rsp_out);
}

/* Post DETACH or FREE of @r's slot: the answer is not awaited. */
static int slot_post(ism_region *r, uint8_t op)
{
	struct ism_req req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.u.slot.token = r->d.token;
	req.u.slot.slot = r->d.slot;
	return ism__post(r->dev, &req);
}

/* A new region handle for a descriptor the backend just gave us. */
static int region_new(ism_dev *dev, const struct ism_rsp *rsp,
		      uint64_t want_token, ism_region **r_out)
{
	const struct ism_region_desc *d = &rsp->u.region;
	uint32_t max_pages = (uint32_t)(dev->region_size / ISM_PAGE_SIZE);
	ism_region *r;
	int rc;

	rc = ism__desc_check(d, max_pages, dev->max_regions);
	if (!rc && ((want_token && d->token != want_token) ||
		    d->state != ISM_RSTATE_ACTIVE || dev->slots[d->slot]))
		rc = -EPROTO;
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->dev = dev;
	r->d = *d;
	r->peer_present = d->flags & ISM_DESC_F_PEER_PRESENT;
	r->fp_off = dev->fp_off;
	dev->slots[d->slot] = r;
	if (d->slot >= dev->slot_hi)
		dev->slot_hi = d->slot + 1;
	*r_out = r;
	return 0;
}

/* The backend gave us a slot we cannot use: give it back (posted). */
static void give_back(ism_dev *dev, const struct ism_rsp *rsp)
{
	struct ism_req req;

	if (rsp->u.region.slot >= dev->max_regions)
		return;
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_DETACH;
	req.u.slot.token = rsp->u.region.token;
	req.u.slot.slot = rsp->u.region.slot;
	ism__post(dev, &req);
}

int ism__user_region_alloc(ism_dev *dev, uint64_t size, uint32_t perm,
			   ism_region **r_out)
{
	struct ism_req req;
	struct ism_rsp rsp;
	int rc;

	if (!dev || !r_out || !size || (perm & ~(uint32_t)ISM_PERM_MASK))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_ALLOC;
	req.u.alloc.size = size;
	req.u.alloc.flags = ISM_ALLOC_F_DEFAULT_PERM;
	req.u.alloc.perm = perm;
	rc = ism__request(dev, &req, &rsp);
	if (rc)
		return rc;
	rc = region_new(dev, &rsp, 0, r_out);
	if (!rc && (*r_out)->d.side != ISM_SIDE_OWNER) {
		ism__region_destroy(*r_out);
		rc = -EPROTO;
	}
	if (rc)
		give_back(dev, &rsp);
	return rc;
}

int ism__user_region_attach(ism_dev *dev, uint64_t token, unsigned int flags,
			    ism_region **r_out)
{
	struct ism_req req;
	struct ism_rsp rsp;
	int rc;

	if (!dev || !r_out || !token || (flags & ~ISM_ATTACH_READONLY))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_ATTACH;
	req.u.attach.token = token;
	if (flags & ISM_ATTACH_READONLY)
		req.u.attach.flags = ISM_ATTACH_F_READONLY;
	rc = ism__request(dev, &req, &rsp);
	if (rc)
		return rc;
	rc = region_new(dev, &rsp, token, r_out);
	if (rc) {
		give_back(dev, &rsp);
		return rc;
	}
	(*r_out)->readonly = flags & ISM_ATTACH_READONLY;
	return 0;
}

/* The view is kept up to date by the events already. */
int ism__user_region_refresh(ism_region *r)
{
	return r->fp == ISM_FP_UP;
}

/*
 * A directory page is read with one grant copy into @copy (a snapshot,
 * a system call instead of a map and an unmap); mapped if that fails.
 */
struct dir_reader {
	ism_dev *dev;
	struct ism_dir_page *copy;
};

static int dir_map(void *ctx, uint32_t gref, const struct ism_dir_page **out)
{
	struct dir_reader *dr = ctx;
	ism_dev *dev = dr->dev;
	void *addr;
	int rc;

	if (dr->copy && !dev->ops->gref_copy(dev->p, dev->be_domid, gref,
					     dr->copy, ISM_PAGE_SIZE)) {
		*out = dr->copy;
		return 0;
	}
	rc = dev->ops->grefs_map(dev->p, dev->be_domid, &gref, 1, true, &addr);
	if (!rc)
		*out = addr;
	return rc;
}

static void dir_unmap(void *ctx, const struct ism_dir_page *page)
{
	struct dir_reader *dr = ctx;

	if (page != dr->copy)
		dr->dev->ops->grefs_unmap(dr->dev->p, (void *)page, 1);
}

int ism__user_region_map(ism_region *r, void **addr_out, size_t *len_out)
{
	struct dir_reader dr;
	ism_dev *dev;
	uint32_t *grefs;
	bool ro;
	int rc;

	if (!r || !addr_out)
		return -EINVAL;
	dev = r->dev;
	if (!r->addr) {
		if (r->d.state == ISM_RSTATE_RELEASED)
			return -EIDRM;
		grefs = calloc(r->d.nr_pages, sizeof(*grefs));
		if (!grefs)
			return -ENOMEM;
		dr.dev = dev;
		/* Without it, the directory is mapped: slower, as good. */
		dr.copy = aligned_alloc(ISM_PAGE_SIZE, ISM_PAGE_SIZE);
		rc = ism__pgdir_walk(r->d.dir_gref, r->d.nr_pages, dir_map,
				     dir_unmap, &dr, grefs);
		free(dr.copy);
		ro = r->readonly || !(r->d.perm & ISM_PERM_WRITE);
		if (!rc)
			rc = dev->ops->grefs_map(dev->p, dev->be_domid, grefs,
						 r->d.nr_pages, ro, &r->addr);
		free(grefs);
		if (rc)
			return rc;
	}
	*addr_out = r->addr;
	if (len_out)
		*len_out = r->d.size;
	return 0;
}

int ism__user_region_unmap(ism_region *r)
{
	int rc = 0;

	if (!r)
		return -EINVAL;
	if (r->addr)
		rc = r->dev->ops->grefs_unmap(r->dev->p, r->addr,
					      r->d.nr_pages);
	if (!rc)
		r->addr = NULL;
	return rc;
}

/* The doorbell, mapped on first use. */
static int region_bell(ism_region *r, struct ism_bell **bell_out)
{
	ism_dev *dev = r->dev;
	uint32_t gref = r->d.bell_gref;
	void *addr;
	int rc;

	if (r->d.state == ISM_RSTATE_RELEASED)
		return -EIDRM;
	if (!r->bell) {
		rc = dev->ops->grefs_map(dev->p, dev->be_domid, &gref, 1, false,
					 &addr);
		if (rc)
			return rc;
		r->bell = addr;
	}
	*bell_out = r->bell;
	return 0;
}

/*
 * Whether the other side announced an update since we last looked (the
 * doorbell's seq); a wake-up on the fast-path port alone proves nothing.
 * Without a doorbell mapping we cannot tell, and say yes.
 */
bool ism__region_peer_updated(ism_region *r)
{
	unsigned int other = r->d.side == ISM_SIDE_OWNER ? ISM_SIDE_PEER :
							   ISM_SIDE_OWNER;
	uint32_t seq;

	if (region_bell(r, &r->bell))
		return true;
	seq = __atomic_load_n(&r->bell->seq[other], __ATOMIC_ACQUIRE);
	if (seq == r->peer_seq)
		return false;
	r->peer_seq = seq;
	return true;
}

void ism__region_unmap_all(ism_region *r)
{
	ism__user_region_unmap(r);
	if (r->bell)
		r->dev->ops->grefs_unmap(r->dev->p, r->bell, 1);
	r->bell = NULL;
}

int ism__user_region_set_perm(ism_region *r, uint32_t peer_devid, uint32_t perm,
			      unsigned int flags)
{
	struct ism_req req;
	struct ism_rsp rsp;

	if (!r || (flags & ~ISM_PERM_REMOVE) || peer_devid > ISM_DEVID_MAX ||
	    (perm & ~(uint32_t)ISM_PERM_MASK))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_SET_PERM;
	req.u.set_perm.token = r->d.token;
	req.u.set_perm.slot = r->d.slot;
	req.u.set_perm.peer_devid = peer_devid;
	req.u.set_perm.perm = perm;
	if (flags & ISM_PERM_REMOVE)
		req.u.set_perm.flags = ISM_SET_PERM_F_REMOVE;
	return ism__request(r->dev, &req, &rsp);
}

int ism__user_region_notify(ism_region *r, unsigned int flags)
{
	struct ism_bell *bell;
	struct ism_rsp rsp;
	int rc;

	if (!r || (flags & ~ISM_NOTIFY_FORCE))
		return -EINVAL;
	rc = region_bell(r, &bell);
	if (rc)
		return rc;
	if (!ism__bell_count(bell, r->d.side) && !(flags & ISM_NOTIFY_FORCE))
		return 1;
	if (r->fp == ISM_FP_UP)
		return r->dev->ops->evtchn_notify(r->dev->p, r->fp_port);
	return slot_request(r, ISM_OP_NOTIFY, &rsp);
}

int ism__user_region_want(ism_region *r)
{
	struct ism_bell *bell;
	int rc;

	if (!r)
		return -EINVAL;
	rc = region_bell(r, &bell);
	if (rc)
		return rc;
	ism__bell_want(bell, r->d.side);
	return 0;
}

void ism__region_close_fp(ism_region *r)
{
	if (r->fp_port)
		r->dev->ops->evtchn_close(r->dev->p, r->fp_port);
	r->fp_port = 0;
	r->fp = ISM_FP_NONE;
	r->fp_offer_port = 0;
}

int ism__region_offer_fp(ism_region *r)
{
	ism_dev *dev = r->dev;
	struct ism_req req;
	struct ism_rsp rsp;
	uint32_t port;
	int rc;

	r->fp_tried = true;
	rc = dev->ops->evtchn_alloc_unbound(dev->p, r->d.peer_domid, &port);
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_FASTPATH_OFFER;
	req.u.fastpath.token = r->d.token;
	req.u.fastpath.slot = r->d.slot;
	if (rc) {
		/*
		 * Xen refused (XSM SILO: -EPERM) or no channel is left:
		 * NOTIFY it is; the backend notes why, for ismctl list.
		 */
		req.u.fastpath.status = rc < -4095 ? -EINVAL : rc;
		ism__request(dev, &req, &rsp);
		return rc;
	}
	req.u.fastpath.port = port;
	r->fp_port = port;
	r->fp = ISM_FP_OFFERED;
	rc = ism__request(dev, &req, &rsp);
	/* READY may have come (and been handled) while we waited. */
	if (rc && r->fp == ISM_FP_OFFERED)
		ism__region_close_fp(r);
	return rc;
}

int ism__region_accept_fp(ism_region *r)
{
	ism_dev *dev = r->dev;
	uint32_t port = 0;
	struct ism_req req;
	struct ism_rsp rsp;
	int bind_rc = -EOPNOTSUPP, rc;

	/* Declined: as a failed bind, the owner falls back to NOTIFY. */
	if (!r->fp_off)
		bind_rc = dev->ops->evtchn_bind(dev->p, r->fp_offer_domid,
						r->fp_offer_port, &port);
	r->fp_offer_port = 0;
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_FASTPATH_ACCEPT;
	req.u.fastpath.token = r->d.token;
	req.u.fastpath.slot = r->d.slot;
	req.u.fastpath.port = bind_rc ? 0 : port;
	req.u.fastpath.status = bind_rc < -4095 ? -EINVAL : bind_rc;
	if (!bind_rc) {
		r->fp_port = port;
		r->fp = ISM_FP_UP;
	}
	rc = ism__request(dev, &req, &rsp);
	if (rc && !bind_rc)
		ism__region_close_fp(r);
	return bind_rc ? bind_rc : rc;
}

void ism__region_destroy(ism_region *r)
{
	ism__region_close_fp(r);
	ism__region_unmap_all(r);
	ism__events_forget(r->dev, r);
	r->dev->slots[r->d.slot] = NULL;
	while (r->dev->slot_hi && !r->dev->slots[r->dev->slot_hi - 1])
		r->dev->slot_hi--;
	free(r);
}

/*
 * DETACH and FREE are posted: the backend takes ring requests in order, so
 * whatever we send later (an ALLOC or ATTACH that gets the same slot back)
 * comes after them, and the local slot is free at once.  Late events for
 * the old region name its token, which no longer matches (handle_evt).
 */
int ism__user_region_detach(ism_region *r)
{
	int rc;

	if (!r)
		return -EINVAL;
	ism__region_close_fp(r);
	ism__region_unmap_all(r);
	rc = slot_post(r, ISM_OP_DETACH);
	ism__region_destroy(r);
	return rc;
}

int ism__user_region_free(ism_region *r)
{
	int rc;

	if (!r)
		return -EINVAL;
	if (!(r->d.perm & ISM_PERM_MANAGE))
		return -EPERM;
	if (r->d.state == ISM_RSTATE_RELEASED)
		return -EIDRM;
	ism__region_close_fp(r);
	ism__region_unmap_all(r);
	rc = slot_post(r, ISM_OP_FREE);
	if (!rc)
		ism__region_destroy(r);
	return rc;
}
