/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * request.c - sending one request on the control ring and waiting for its
 * response, taking events on the way; posting a request whose response
 * nobody waits for.
 */
#include <errno.h>
#include <string.h>

#include "private.h"

/*
 * Consume the responses in: into the table, or for posted requests there
 * and then; publish what that posted in their place (a DETACH of a slot a
 * posted FREE found released).  0 or -EPROTO (the device is then dead).
 */
int ism__reap(ism_dev *dev)
{
	int rc;

	if (!dev->ring_page)
		return 0;
	rc = ism__rpc_reap(&dev->rpc, &dev->ring);
	if (ism__ring_push(&dev->ring))
		dev->ops->evtchn_notify(dev->p, dev->port);
	if (rc == -EPROTO)
		dev->dead = -EPROTO;
	return rc;
}

/*
 * Sleep until the backend moves the ring on (unless it already did: then
 * at once) or @deadline; -ETIMEDOUT after it.
 */
static int ring_wait(ism_dev *dev, uint64_t deadline)
{
	int rem;

	if (ism__ring_arm(&dev->ring))
		return 0;
	rem = ism__remaining(dev, deadline);
	if (!rem)
		return -ETIMEDOUT;
	ism__dev_take(dev, dev->ops->wait(dev->p, rem));
	return 0;
}

/* Place @req, waiting for room if 32 requests are outstanding. */
static int send_req(ism_dev *dev, struct ism_req *req, bool posted,
		    uint32_t *id_out, uint64_t deadline)
{
	int rc;

	for (;;) {
		if (posted)
			rc = ism__rpc_post(&dev->rpc, &dev->ring, req);
		else
			rc = ism__rpc_send(&dev->rpc, &dev->ring, req, id_out);
		if (rc != -ENOSPC)
			return rc;
		rc = ism__reap(dev);
		if (rc)
			return rc;
		if (dev->rpc.nr >= ISM_RING_ENTRIES) {
			rc = ring_wait(dev, deadline);
			if (rc)
				return rc;
			if (dev->dead)
				return dev->dead;
		}
	}
}

int ism__post(ism_dev *dev, struct ism_req *req)
{
	int rc;

	if (dev->dead)
		return dev->dead;
	rc = ism__reap(dev);
	if (!rc)
		rc = send_req(dev, req, true, NULL,
			      ism__deadline(dev, dev->timeout_ms));
	if (rc)
		return rc;
	if (ism__ring_push(&dev->ring))
		dev->ops->evtchn_notify(dev->p, dev->port);
	return 0;
}

int ism__drain(ism_dev *dev)
{
	uint64_t deadline = ism__deadline(dev, dev->timeout_ms);
	int rc;

	for (;;) {
		if (dev->dead)
			return dev->dead;
		rc = ism__reap(dev);
		if (rc)
			return rc;
		if (!dev->rpc.nr_posted)
			return 0;
		rc = ring_wait(dev, deadline);
		if (rc)
			return rc;
	}
}

int ism__request(ism_dev *dev, struct ism_req *req, struct ism_rsp *rsp_out)
{
	uint64_t deadline = ism__deadline(dev, dev->timeout_ms);
	int rc, rem, ready = 0;
	uint32_t id;

	if (dev->dead)
		return dev->dead;
	rc = send_req(dev, req, false, &id, deadline);
	if (rc)
		return rc;
	if (ism__ring_push(&dev->ring))
		dev->ops->evtchn_notify(dev->p, dev->port);
	for (;;) {
		rc = ism__reap(dev);
		if (!rc)
			rc = ism__rpc_take(&dev->rpc, id, rsp_out);
		/*
		 * Also the signal of the response that woke us: not left
		 * over.  Not the event page: its events may name the slot
		 * this very response creates (a fast-path offer right after
		 * an ATTACH), which we do not know yet.
		 */
		ism__dev_take_ready(dev, ready);
		ready = 0;
		if (rc != -EAGAIN)
			break;
		if (dev->dead)
			return dev->dead;
		if (ism__ring_arm(&dev->ring))
			continue;
		rem = ism__remaining(dev, deadline);
		if (!rem) {
			/* A late response is then a stray and ignored. */
			ism__rpc_forget(&dev->rpc, id);
			return -ETIMEDOUT;
		}
		ready = dev->ops->wait(dev->p, rem);
	}
	if (rc == -EPROTO)
		dev->dead = -EPROTO;
	if (rc)
		return rc;
	return ism__rsp_check(rsp_out, req->op);
}
