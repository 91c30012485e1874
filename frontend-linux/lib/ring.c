/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ring.c - the frontend's half of the control ring: io/ring.h's producer
 * of requests and consumer of responses, with notify suppression.
 */
#include <errno.h>
#include <string.h>

#include "shared.h"

void ism__ring_init(struct ism_ring *ring, void *page)
{
	memset(page, 0, ISM_PAGE_SIZE);
	ring->page = page;
	ring->req_prod_pvt = 0;
	ring->req_prod_pub = 0;
	ring->rsp_cons = 0;
	ring->page->hdr.req_event = 1;
	ring->page->hdr.rsp_event = 1;
}

unsigned int ism__ring_free(const struct ism_ring *ring)
{
	return ISM_RING_ENTRIES - (ring->req_prod_pvt - ring->rsp_cons);
}

int ism__ring_put(struct ism_ring *ring, const struct ism_req *req)
{
	union ism_ring_entry *e;

	if (!ism__ring_free(ring))
		return -ENOSPC;
	e = &ring->page->ring[ring->req_prod_pvt % ISM_RING_ENTRIES];
	memcpy(&e->req, req, sizeof(*req));
	ring->req_prod_pvt++;
	return 0;
}

bool ism__ring_push(struct ism_ring *ring)
{
	uint32_t old = ring->req_prod_pub, new = ring->req_prod_pvt;
	uint32_t event;

	if (old == new)
		return false;
	/* The entries before the index (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY). */
	ISM_STORE_RELEASE(ring->page->hdr.req_prod, new);
	ring->req_prod_pub = new;
	ISM_MB();
	event = ISM_READ_ONCE(ring->page->hdr.req_event);
	return (uint32_t)(new - event) < (uint32_t)(new - old);
}

int ism__ring_get(struct ism_ring *ring, struct ism_rsp *rsp_out)
{
	uint32_t prod = ISM_LOAD_ACQUIRE(ring->page->hdr.rsp_prod);
	union ism_ring_entry *e;

	if (prod == ring->rsp_cons)
		return -EAGAIN;
	/* Never more responses than requests published. */
	if ((uint32_t)(prod - ring->rsp_cons) >
	    (uint32_t)(ring->req_prod_pub - ring->rsp_cons))
		return -EPROTO;
	e = &ring->page->ring[ring->rsp_cons % ISM_RING_ENTRIES];
	memcpy(rsp_out, &e->rsp, sizeof(*rsp_out));
	ring->rsp_cons++;
	return 0;
}

bool ism__ring_arm(struct ism_ring *ring)
{
	ISM_STORE_RELEASE(ring->page->hdr.rsp_event, ring->rsp_cons + 1);
	ISM_MB();
	return ISM_READ_ONCE(ring->page->hdr.rsp_prod) != ring->rsp_cons;
}
