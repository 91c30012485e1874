/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * events.c - what the backend tells a frontend unasked: REGION_UPDATED
 * bits in the signal bit array, life-cycle events in the event queue, and
 * the one event channel signal per batch that covers both and the
 * responses of the control ring.
 *
 * Devices touched during a batch are collected in the kick list; the
 * flush at the end of the batch signals each of them at most once, and
 * for the event page only if the frontend armed fe_armed.  Many NOTIFYs
 * for one slot thus set one bit and cost the receiver one signal.
 */
#include <string.h>

#include "core.h"

static void ism_evt_mark(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;

	if (dev->kick_listed)
		return;
	dev->kick_listed = true;
	dev->kick_next = be->kick_head;
	be->kick_head = dev;
}

void ism__evt_signal(struct ism_device *dev, uint32_t slot)
{
	struct ism_event_page *ep = dev->evtp;
	uint32_t w = slot / 64;

	if (!ep || slot >= ISM_SBA_WORDS * 64)
		return;
	__atomic_fetch_or(&ep->sba[w], 1ull << (slot % 64), __ATOMIC_RELAXED);
	__atomic_fetch_or(&ep->sba_summary[w / 64], 1ull << (w % 64),
			  __ATOMIC_RELEASE);
	dev->kick_evt = true;
	ism_evt_mark(dev);
}

void ism__evt_unsignal(struct ism_device *dev, uint32_t slot)
{
	struct ism_event_page *ep = dev->evtp;

	if (!ep || slot >= ISM_SBA_WORDS * 64)
		return;
	__atomic_fetch_and(&ep->sba[slot / 64], ~(1ull << (slot % 64)),
			   __ATOMIC_RELEASE);
}

/* Queue @e on @dev's event page, or flag the overflow. */
static void ism_evt_put(struct ism_device *dev, const struct ism_evt *e)
{
	struct ism_event_page *ep = dev->evtp;
	uint32_t cons;

	if (!ep)
		return;
	/* evt_cons is the frontend's: read it once, trust nothing. */
	cons = ISM_READ_ONCE(ep->evt_cons);
	if (dev->evt_prod_pvt - cons >= ISM_EVT_ENTRIES) {
		__atomic_fetch_or(&ep->flags, ISM_EVTPAGE_F_OVERFLOW,
				  __ATOMIC_RELEASE);
	} else {
		memcpy(&ep->evt[dev->evt_prod_pvt % ISM_EVT_ENTRIES], e,
		       sizeof(*e));
		dev->evt_prod_pvt++;
		ism_wmb();
		ISM_WRITE_ONCE(ep->evt_prod, dev->evt_prod_pvt);
	}
	dev->kick_evt = true;
	ism_evt_mark(dev);
}

void ism__evt_queue(struct ism_ref *ref, uint8_t type, int32_t status,
		    uint32_t port)
{
	const struct ism_region *r = ref->region;
	uint8_t other = !ref->side;
	struct ism_evt e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.slot = ref->slot;
	e.token = r->node.key;
	e.peer_devid = r->devid[other];
	e.peer_domid = r->devid[other] ? r->domid[other] : ISM_DOMID_INVALID;
	e.status = status;
	e.port = port;
	ism_evt_put(ref->dev, &e);
}

void ism__evt_peer_signal(struct ism_device *to, const struct ism_device *from,
			  uint32_t code, uint64_t info)
{
	struct ism_evt e;

	memset(&e, 0, sizeof(e));
	e.type = ISM_EVT_SIGNAL;
	e.slot = ISM_SLOT_NONE;
	e.token = info;
	e.peer_devid = from->devid;
	e.peer_domid = from->domid;
	e.status = (int32_t)code;
	ism_evt_put(to, &e);
}

void ism__evt_kick_rsp(struct ism_device *dev)
{
	dev->kick_rsp = true;
	ism_evt_mark(dev);
}

void ism__evt_forget(struct ism_device *dev)
{
	struct ism_device **pp;

	if (!dev->kick_listed)
		return;
	for (pp = &dev->be->kick_head; *pp != dev; pp = &(*pp)->kick_next)
		;
	*pp = dev->kick_next;
	dev->kick_listed = false;
	dev->kick_evt = false;
	dev->kick_rsp = false;
}

void ism__evt_flush(struct ism_backend *be)
{
	struct ism_device *dev;
	bool notify;

	/* The end of a batch: what it changed is saved before any signal. */
	ism__state_persist(be);
	while ((dev = be->kick_head)) {
		be->kick_head = dev->kick_next;
		dev->kick_listed = false;
		notify = dev->kick_rsp;
		/* The exchange is a full barrier after the event writes. */
		if (dev->kick_evt && dev->evtp &&
		    __atomic_exchange_n(&dev->evtp->fe_armed, 0,
					__ATOMIC_SEQ_CST) == 1)
			notify = true;
		dev->kick_evt = false;
		dev->kick_rsp = false;
		/* A lost signal is recovered by the frontend's re-check. */
		if (notify && dev->port)
			be->ops->evtchn_notify(be->plat, dev->port);
	}
}
