/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ring.c - the backend's side of the control ring (io/ring.h rules).
 *
 * The frontend can rewrite the shared page at any time, so the backend
 * keeps its own req_cons and rsp_prod, reads req_prod once per pass and
 * checks it (at most ISM_RING_ENTRIES ahead, else the ring is broken),
 * copies each request out before looking at it, and writes each response
 * from a private copy.  Notify suppression: responses signal only when
 * rsp_event asks for it; before going idle req_event is set and req_prod
 * checked once more, so no request is left behind.
 */
#include <errno.h>
#include <string.h>

#include "core.h"

/* Publish responses from @old to rsp_prod_pvt; ask for a signal if due. */
static void ism_ring_push(struct ism_device *dev, uint32_t old)
{
	struct ism_sring_hdr *h = &dev->ring->hdr;
	uint32_t new = dev->rsp_prod_pvt, ev;

	if (new == old)
		return;
	/* What the responses tell must survive a restart before they do. */
	ism__state_persist(dev->be);
	ism_wmb();
	ISM_WRITE_ONCE(h->rsp_prod, new);
	ism_mb();
	ev = ISM_READ_ONCE(h->rsp_event);
	if ((uint32_t)(new - ev) < (uint32_t)(new - old))
		ism__evt_kick_rsp(dev);
}

int ism__ring_process(struct ism_device *dev)
{
	struct ism_ctrl_page *ring = dev->ring;
	struct ism_sring_hdr *h = &ring->hdr;
	unsigned int done = 0;
	struct ism_req req;
	struct ism_rsp rsp;
	uint32_t prod, start;

	for (;;) {
		start = dev->rsp_prod_pvt;
		prod = ISM_READ_ONCE(h->req_prod);
		ism_rmb();
		if (prod - dev->req_cons > ISM_RING_ENTRIES)
			return -EPROTO;
		while (dev->req_cons != prod) {
			if (done == ISM_RING_BATCH) {
				ism_ring_push(dev, start);
				return 1;
			}
			memcpy(&req,
			       &ring->ring[dev->req_cons % ISM_RING_ENTRIES],
			       sizeof(req));
			dev->req_cons++;
			ism__control_handle(dev, &req, &rsp);
			memcpy(&ring->ring[dev->rsp_prod_pvt % ISM_RING_ENTRIES],
			       &rsp, sizeof(rsp));
			dev->rsp_prod_pvt++;
			done++;
		}
		ism_ring_push(dev, start);
		ISM_WRITE_ONCE(h->req_event, dev->req_cons + 1);
		ism_mb();
		if (ISM_READ_ONCE(h->req_prod) == dev->req_cons)
			return 0;
	}
}
