/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.c - execute one control request of a device: the checks of each
 * opcode in the order ismif.h gives, then the action.  The request is a
 * private copy (ring.c took it out of shared memory); the response is
 * built here and copied back by ring.c.
 */
#include <errno.h>
#include <string.h>

#include "core.h"

/* The ref in @slot, if @token names its region (0 = any when @any). */
static int ism_control_ref(const struct ism_device *dev, uint32_t slot,
			   uint64_t token, bool any, struct ism_ref **ref_out)
{
	struct ism_ref *ref;

	if (slot >= dev->nslots || !dev->slots[slot])
		return -ENOENT;
	ref = dev->slots[slot];
	if (token != ref->region->node.key && !(any && !token))
		return -ESTALE;
	*ref_out = ref;
	return 0;
}

/* The ref in the slot of @s, in an active region. */
static int ism_control_active(const struct ism_device *dev,
			      const struct ism_req_slot *s,
			      struct ism_ref **ref_out)
{
	int rc = ism_control_ref(dev, s->slot, s->token, false, ref_out);

	if (!rc && (*ref_out)->released)
		rc = -EIDRM;
	return rc;
}

static void ism_control_info(const struct ism_device *dev,
			     struct ism_rsp_info *info)
{
	const struct ism_backend *be = dev->be;
	const struct ism_domain *dom = dev->dom;

	info->gid = be->lim.gid;
	info->bytes_used =
		dom->bytes + (uint64_t)dom->quarantined * ISM_PAGE_SIZE;
	info->bytes_max = be->lim.max_bytes;
	info->devid = dev->devid;
	info->slots_used = dev->slots_used;
	info->peers_used = dom->npeers;
	info->peers_max = be->lim.max_peers;
	info->quarantined_pages = dom->quarantined;
}

static int ism_control_free(struct ism_device *dev,
			    const struct ism_req_slot *s)
{
	struct ism_ref *ref;
	int rc;

	rc = ism_control_active(dev, s, &ref);
	if (rc)
		return rc;
	if (!(ref->perm & ISM_PERM_MANAGE))
		return -EPERM;
	ism__region_free(ref);
	return 0;
}

static int ism_control_detach(struct ism_device *dev,
			      const struct ism_req_slot *s)
{
	struct ism_ref *ref;
	int rc;

	rc = ism_control_ref(dev, s->slot, s->token, false, &ref);
	if (rc)
		return rc;
	ism__region_drop(ref, ISM_EVT_PEER_DETACHED);
	return 0;
}

static int ism_control_query(struct ism_device *dev,
			     const struct ism_req_slot *s,
			     struct ism_region_desc *desc)
{
	struct ism_ref *ref;
	int rc;

	rc = ism_control_ref(dev, s->slot, s->token, true, &ref);
	if (rc)
		return rc;
	ism__region_describe(ref, desc);
	return 0;
}

static int ism_control_notify(struct ism_device *dev,
			      const struct ism_req_slot *s)
{
	struct ism_ref *ref, *other;
	int rc;

	rc = ism_control_active(dev, s, &ref);
	if (rc)
		return rc;
	other = ism__region_other(ref);
	if (!other)
		return -ENOTCONN;
	ism__evt_signal(other->dev, other->slot);
	dev->relayed++;
	return 0;
}

/*
 * A fast path of @dev was refused, by Xen or by the device itself, with
 * @status (-errno): the region's updates stay relayed.
 */
static void ism_control_fp_refused(struct ism_device *dev, int32_t status)
{
	dev->fp_refused++;
	dev->fp_errno = -status;
}

static int ism_control_set_perm(struct ism_device *dev,
				const struct ism_req_set_perm *sp)
{
	const bool remove = sp->flags & ISM_SET_PERM_F_REMOVE;
	const struct ism_req_slot s = { .token = sp->token, .slot = sp->slot };
	struct ism_ref *ref;
	int rc;

	if (sp->flags & ~ISM_SET_PERM_F_REMOVE ||
	    ism__perms_check(sp->peer_devid, sp->perm) ||
	    (remove && (sp->perm || !sp->peer_devid)))
		return -EINVAL;
	rc = ism_control_active(dev, &s, &ref);
	if (rc)
		return rc;
	if (!(ref->perm & ISM_PERM_MANAGE))
		return -EPERM;
	if (sp->peer_devid && sp->peer_devid == ref->region->devid[0])
		return -EINVAL; /* the owner's rights are fixed */
	return ism__perms_set(&ref->region->perms, sp->peer_devid, sp->perm,
			      remove);
}

static int ism_control_fp_offer(struct ism_device *dev,
				const struct ism_req_fastpath *fp)
{
	const struct ism_req_slot s = { .token = fp->token, .slot = fp->slot };
	struct ism_ref *ref, *other;
	int rc;

	/* A refusal report: no port, Xen's -errno. */
	if (fp->status && (fp->port || fp->status > 0 || fp->status < -4095))
		return -EINVAL;
	if (!fp->status && (!fp->port || fp->port > ISM_EVTCHN_MAX))
		return -EINVAL;
	rc = ism_control_active(dev, &s, &ref);
	if (rc)
		return rc;
	if (fp->status) {
		ism_control_fp_refused(dev, fp->status);
		return 0;
	}
	other = ism__region_other(ref);
	if (!other)
		return -ENOTCONN;
	if (ref->region->fp_state != ISM_FP_NONE)
		return -EALREADY;
	ref->region->fp_state = ISM_FP_OFFERED;
	ref->region->fp_side = ref->side;
	ism__evt_queue(other, ISM_EVT_FASTPATH_OFFER, 0, fp->port);
	return 0;
}

static int ism_control_fp_accept(struct ism_device *dev,
				 const struct ism_req_fastpath *fp)
{
	const struct ism_req_slot s = { .token = fp->token, .slot = fp->slot };
	struct ism_ref *ref, *other;
	struct ism_region *r;
	int rc;

	/* Success names the bound port; failure a bind errno and no port. */
	if (fp->status > 0 || fp->status < -4095 ||
	    (!fp->status && (!fp->port || fp->port > ISM_EVTCHN_MAX)) ||
	    (fp->status && fp->port))
		return -EINVAL;
	rc = ism_control_active(dev, &s, &ref);
	if (rc)
		return rc;
	r = ref->region;
	other = ism__region_other(ref);
	if (r->fp_state != ISM_FP_OFFERED || r->fp_side == ref->side || !other)
		return -EINVAL;
	r->fp_state = fp->status ? ISM_FP_NONE : ISM_FP_UP;
	if (fp->status)
		ism_control_fp_refused(dev, fp->status);
	ism__evt_queue(other, ISM_EVT_FASTPATH_READY, fp->status, 0);
	return 0;
}

/* PEER: the device holding a devid, or the owner of a live token. */
static int ism_control_peer(const struct ism_device *dev,
			    const struct ism_req_peer *req,
			    struct ism_rsp_peer *rsp)
{
	const struct ism_backend *be = dev->be;
	const struct ism_device *peer;
	struct ism_hnode *n;
	uint32_t devid = req->devid;

	if (!req->token == !devid || devid > ISM_DEVID_MAX)
		return -EINVAL;
	if (req->token) {
		n = ism__htable_find(&be->tokens, req->token);
		if (!n)
			return -ENOENT;
		devid = ism_container_of(n, struct ism_region, node)->devid[0];
	}
	rsp->devid = devid;
	peer = ism__device_by_devid(be, devid);
	if (!peer)
		return req->token ? 0 : -ENOENT;
	if (peer->state == ISM_XBS_CONNECTED)
		rsp->flags |= ISM_PEER_F_CONNECTED;
	return 0;
}

/* SIGNAL: an event for another connected device, at a bounded rate. */
static int ism_control_signal(struct ism_device *dev,
			      const struct ism_req_signal *req)
{
	struct ism_backend *be = dev->be;
	struct ism_device *to;

	if (!req->devid || req->devid > ISM_DEVID_MAX ||
	    req->devid == dev->devid)
		return -EINVAL;
	to = ism__device_by_devid(be, req->devid);
	if (!to)
		return -ENOENT;
	if (to->state != ISM_XBS_CONNECTED)
		return -ENOTCONN;
	if (!ism__rate_take(&dev->signal_rate, ISM_SIGNAL_BURST,
			    ISM_SIGNAL_EVERY_MS, be->ops->clock_ms(be->plat)))
		return -EAGAIN;
	ism__evt_peer_signal(to, dev, req->code, req->info);
	return 0;
}

/* Run the opcode of @req; @rsp's payload is zero on entry. */
static int ism_control_run(struct ism_device *dev, const struct ism_req *req,
			   struct ism_rsp *rsp)
{
	switch (req->op) {
	case ISM_OP_INFO:
		ism_control_info(dev, &rsp->u.info);
		return 0;
	case ISM_OP_ALLOC:
		return ism__region_alloc(dev, &req->u.alloc, &rsp->u.region);
	case ISM_OP_FREE:
		return ism_control_free(dev, &req->u.slot);
	case ISM_OP_ATTACH:
		return ism__region_attach(dev, &req->u.attach, &rsp->u.region);
	case ISM_OP_DETACH:
		return ism_control_detach(dev, &req->u.slot);
	case ISM_OP_QUERY:
		return ism_control_query(dev, &req->u.slot, &rsp->u.region);
	case ISM_OP_SET_PERM:
		return ism_control_set_perm(dev, &req->u.set_perm);
	case ISM_OP_NOTIFY:
		return ism_control_notify(dev, &req->u.slot);
	case ISM_OP_FASTPATH_OFFER:
		if (!dev->be->lim.fast_path)
			return -EOPNOTSUPP;
		return ism_control_fp_offer(dev, &req->u.fastpath);
	case ISM_OP_FASTPATH_ACCEPT:
		if (!dev->be->lim.fast_path)
			return -EOPNOTSUPP;
		return ism_control_fp_accept(dev, &req->u.fastpath);
	case ISM_OP_PEER:
		return ism_control_peer(dev, &req->u.peer, &rsp->u.peer);
	case ISM_OP_SIGNAL:
		return ism_control_signal(dev, &req->u.signal);
	default:
		return -EOPNOTSUPP;
	}
}

void ism__control_handle(struct ism_device *dev, const struct ism_req *req,
			 struct ism_rsp *rsp)
{
	int rc;

	memset(rsp, 0, sizeof(*rsp));
	rsp->id = req->id;
	rsp->op = req->op;
	rc = ism__req_check(req);
	if (!rc)
		rc = ism_control_run(dev, req, rsp);
	if (rc)
		memset(&rsp->u, 0, sizeof(rsp->u));
	rsp->status = rc;
	dev->be->st.requests++;
	/*
	 * What the other opcodes change when they succeed must be saved; a
	 * failure changed nothing (pages.c notes its own allocations).
	 */
	if (!rc && req->op != ISM_OP_INFO && req->op != ISM_OP_QUERY &&
	    req->op != ISM_OP_NOTIFY && req->op != ISM_OP_PEER &&
	    req->op != ISM_OP_SIGNAL)
		ism__backend_dirty(dev->be);
}
