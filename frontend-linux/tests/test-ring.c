/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ring.c - the control ring producer (request ids, notify
 * suppression, a full ring) and matching responses by id, with the test
 * playing the backend on a page of plain memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../lib/shared.h"

TAP_MAIN;

static struct ism_ctrl_page page __attribute__((aligned(4096)));

/* The backend answers request number @i with @status. */
static void respond(uint32_t i, int32_t status)
{
	union ism_ring_entry *e = &page.ring[i % ISM_RING_ENTRIES];
	struct ism_req req = e->req;

	memset(&e->rsp, 0, sizeof(e->rsp));
	e->rsp.id = req.id;
	e->rsp.op = req.op;
	e->rsp.status = status;
}

int main(void)
{
	struct ism_ring ring;
	struct ism_rpc rpc;
	struct ism_req req;
	struct ism_rsp rsp;
	uint32_t ids[40], i;
	int rc, n;

	tap_plan(29);

	memset(&page, 0xa5, sizeof(page));
	ism__ring_init(&ring, &page);
	tap_ok(page.hdr.req_prod == 0 && page.hdr.rsp_prod == 0 &&
		       page.hdr.req_event == 1 && page.hdr.rsp_event == 1,
	       "init: indexes 0, req_event and rsp_event 1");
	tap_is_int(page.reserved[0] | page.ring[5].req.op, 0,
		   "init clears the whole page");
	tap_is_int(ism__ring_free(&ring), 32, "32 free entries");

	/* Ids and the first notify. */
	memset(&rpc, 0, sizeof(rpc));
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_INFO;
	tap_is_int(ism__rpc_send(&rpc, &ring, &req, &ids[0]), 0,
		   "a request is placed");
	tap_is_int(page.hdr.req_prod, 0, "not visible before the push");
	tap_ok(ism__ring_push(&ring), "first push signals (req_event 1)");
	tap_is_int(page.hdr.req_prod, 1, "req_prod published");
	tap_ok(!ism__ring_push(&ring), "nothing new: no signal");

	/* Notify suppression: the backend is busy (req_event stays 1). */
	ism__rpc_send(&rpc, &ring, &req, &ids[1]);
	tap_ok(!ism__ring_push(&ring), "backend not asleep: no signal");
	tap_ok(ids[1] != ids[0], "ids differ");
	/* It goes to sleep after consuming 2: req_event = 3. */
	page.hdr.req_event = 3;
	ism__rpc_send(&rpc, &ring, &req, &ids[2]);
	ism__rpc_send(&rpc, &ring, &req, &ids[3]);
	tap_ok(ism__ring_push(&ring), "req_event passed: signal");

	/* Responses out of order, matched by id. */
	respond(1, -ISM_ENOENT);
	respond(0, 0);
	/* Swap them in the ring: 0 holds rsp of 1 and vice versa. */
	{
		union ism_ring_entry t = page.ring[0];

		page.ring[0] = page.ring[1];
		page.ring[1] = t;
	}
	page.hdr.rsp_prod = 2;
	tap_is_int(ism__rpc_reap(&rpc, &ring), 0, "two responses reaped");
	tap_is_int(ism__rpc_take(&rpc, ids[2], &rsp), -EAGAIN,
		   "the third is not in");
	tap_is_int(ism__rpc_take(&rpc, ids[0], &rsp), 0, "first matched");
	tap_is_int(ism__rsp_check(&rsp, ISM_OP_INFO), 0, "its status is 0");
	tap_is_int(ism__rpc_take(&rpc, ids[1], &rsp), 0, "second matched");
	tap_is_int(ism__rsp_check(&rsp, ISM_OP_INFO), -ISM_ENOENT,
		   "its status is the backend's -ENOENT");
	tap_is_int(ism__rpc_take(&rpc, ids[1], &rsp), -ENOENT,
		   "a response is taken once");

	/* A stray id is ignored. */
	respond(2, 0);
	page.ring[2].rsp.id = 0xdeadbeef;
	respond(3, 0);
	page.hdr.rsp_prod = 4;
	ism__rpc_reap(&rpc, &ring);
	tap_is_int(rpc.stray, 1, "a response with an unknown id is a stray");
	tap_is_int(ism__rpc_take(&rpc, ids[3], &rsp), 0,
		   "the next one still matches");
	ism__rpc_forget(&rpc, ids[2]);
	tap_is_int(rpc.nr, 0, "nothing outstanding");

	/* A full ring. */
	for (n = 0, rc = 0; !rc && n < 40; n++)
		rc = ism__rpc_send(&rpc, &ring, &req, &ids[n]);
	tap_is_int(rc, -ENOSPC, "the 33rd request does not fit");
	tap_is_int(n - 1, 32, "after 32");
	tap_is_int(ism__ring_free(&ring), 0, "no free entry");
	ism__ring_push(&ring);

	/* A backend claiming more responses than requests. */
	page.hdr.rsp_prod = ring.rsp_cons + 33;
	tap_is_int(ism__rpc_reap(&rpc, &ring), -EPROTO,
		   "rsp_prod beyond req_prod is a protocol error");
	for (i = 0; i < 32; i++)
		respond(ring.rsp_cons + i, 0);
	page.hdr.rsp_prod = ring.rsp_cons + 32;
	tap_is_int(ism__rpc_reap(&rpc, &ring), 0, "32 responses reaped");
	tap_is_int(ism__ring_free(&ring), 32, "the ring is free again");

	/* Arming for responses. */
	tap_ok(!ism__ring_arm(&ring) && page.hdr.rsp_event == ring.rsp_cons + 1,
	       "arm: rsp_event = rsp_cons + 1, nothing pending");

	/* Malformed responses. */
	memset(&rsp, 0, sizeof(rsp));
	rsp.op = ISM_OP_ALLOC;
	rsp.status = -ISM_EFBIG;
	rsp.u.region.token = 1;
	tap_is_int(ism__rsp_check(&rsp, ISM_OP_ALLOC), -EPROTO,
		   "an error response with a payload is refused");
	return tap_done();
}
