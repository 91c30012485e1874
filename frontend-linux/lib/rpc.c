/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpc.c - request ids and matching responses to them by id.
 */
#include <errno.h>
#include <string.h>

#include "shared.h"

static int rpc_find(const struct ism_rpc *rpc, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < rpc->nr; i++)
		if (rpc->ids[i] == id)
			return (int)i;
	return -1;
}

static int rpc_place(struct ism_rpc *rpc, struct ism_ring *ring,
		     struct ism_req *req, bool posted, uint32_t *id_out)
{
	int rc;

	if (rpc->nr >= ISM_RING_ENTRIES)
		return -ENOSPC;
	/* Ids stay unique among the outstanding ones, even after wrapping. */
	while (rpc_find(rpc, rpc->next_id) >= 0)
		rpc->next_id++;
	req->id = rpc->next_id;
	rc = ism__ring_put(ring, req);
	if (rc)
		return rc;
	rpc->ids[rpc->nr] = req->id;
	rpc->done[rpc->nr] = false;
	rpc->posted[rpc->nr] = posted;
	if (posted) {
		rpc->pop[rpc->nr] = req->op;
		rpc->pslot[rpc->nr] = req->u.slot;
		rpc->nr_posted++;
	}
	rpc->nr++;
	rpc->next_id++;
	if (id_out)
		*id_out = req->id;
	return 0;
}

int ism__rpc_send(struct ism_rpc *rpc, struct ism_ring *ring,
		  struct ism_req *req, uint32_t *id_out)
{
	return rpc_place(rpc, ring, req, false, id_out);
}

int ism__rpc_post(struct ism_rpc *rpc, struct ism_ring *ring,
		  struct ism_req *req)
{
	return rpc_place(rpc, ring, req, true, NULL);
}

static void rpc_remove(struct ism_rpc *rpc, int i)
{
	uint32_t last = rpc->nr - 1;

	if (rpc->posted[i])
		rpc->nr_posted--;
	rpc->ids[i] = rpc->ids[last];
	rpc->done[i] = rpc->done[last];
	rpc->posted[i] = rpc->posted[last];
	rpc->pop[i] = rpc->pop[last];
	rpc->pslot[i] = rpc->pslot[last];
	rpc->rsp[i] = rpc->rsp[last];
	rpc->nr--;
}

/*
 * The response of posted request @i: consumed here.  A FREE refused with
 * -EIDRM left the slot RELEASED in the backend, and nobody holds it here
 * any more: DETACH it, in the ring entry and table entry this response
 * just freed (the backend takes it after everything posted before).
 */
static int rpc_posted_done(struct ism_rpc *rpc, struct ism_ring *ring, int i,
			   const struct ism_rsp *rsp)
{
	struct ism_req_slot slot = rpc->pslot[i];
	uint8_t op = rpc->pop[i];
	struct ism_req req;
	int rc;

	rpc_remove(rpc, i);
	rc = ism__rsp_check(rsp, op);
	if (rc == -EPROTO)
		return rc;
	if (!rc)
		return 0;
	rpc->posted_errors++;
	rpc->posted_last_error = rc;
	if (op != ISM_OP_FREE || rc != -EIDRM)
		return 0;
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_DETACH;
	req.u.slot.token = slot.token;
	req.u.slot.slot = slot.slot;
	return rpc_place(rpc, ring, &req, true, NULL);
}

int ism__rpc_reap(struct ism_rpc *rpc, struct ism_ring *ring)
{
	struct ism_rsp rsp;
	int i, rc;

	while (!(rc = ism__ring_get(ring, &rsp))) {
		i = rpc_find(rpc, rsp.id);
		if (i < 0 || rpc->done[i]) {
			rpc->stray++;
			continue;
		}
		if (rpc->posted[i]) {
			rc = rpc_posted_done(rpc, ring, i, &rsp);
			if (rc)
				return rc;
			continue;
		}
		rpc->rsp[i] = rsp;
		rpc->done[i] = true;
	}
	return rc == -EAGAIN ? 0 : rc;
}

int ism__rpc_take(struct ism_rpc *rpc, uint32_t id, struct ism_rsp *rsp_out)
{
	int i = rpc_find(rpc, id);

	if (i < 0 || rpc->posted[i])
		return -ENOENT;
	if (!rpc->done[i])
		return -EAGAIN;
	*rsp_out = rpc->rsp[i];
	rpc_remove(rpc, i);
	return 0;
}

void ism__rpc_forget(struct ism_rpc *rpc, uint32_t id)
{
	int i = rpc_find(rpc, id);

	if (i >= 0)
		rpc_remove(rpc, i);
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--)
		if (*c++)
			return false;
	return true;
}

int ism__rsp_check(const struct ism_rsp *rsp, uint8_t op)
{
	if (rsp->op != op ||
	    !all_zero(rsp->reserved0, sizeof(rsp->reserved0)) || rsp->reserved1)
		return -EPROTO;
	if (rsp->status > 0 || rsp->status < -4095)
		return -EPROTO;
	if (rsp->status && !all_zero(&rsp->u, sizeof(rsp->u)))
		return -EPROTO;
	return rsp->status;
}
