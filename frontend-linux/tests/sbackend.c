/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sbackend.c - the scripted backend of the frontend's unit tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbackend.h"

static const struct ism_platform_ops *ops = &fake_xen_ops;

static void be_write(struct sb *sb, const char *field, const char *val)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", sb->be_path, field);
	fake_xen_xs_write(sb->fx, 0, path, val);
}

static unsigned long fe_read(struct sb *sb, const char *field)
{
	char path[192], *val = NULL;
	unsigned long v = 0;

	snprintf(path, sizeof(path), "%s/%s", sb->fe_path, field);
	if (!fake_xen_xs_read(sb->fx, 0, path, &val)) {
		v = strtoul(val, NULL, 10);
		free(val);
	}
	return v;
}

static void set_state(struct sb *sb, unsigned int state)
{
	char val[4];

	snprintf(val, sizeof(val), "%u", state);
	be_write(sb, ISM_FIELD_STATE, val);
	sb->state = state;
}

int sb_init(struct sb *sb, struct fake_xen *fx, uint16_t fe, uint32_t devid)
{
	memset(sb, 0, sizeof(*sb));
	sb->fx = fx;
	sb->fe = fe;
	sb->devid = devid;
	sb->versions = "1";
	sb->gid = 0x5e1f0c2a9b7d4433ull;
	sb->state = ISM_XBS_INITIALISING;
	snprintf(sb->fe_path, sizeof(sb->fe_path), ISM_PATH_FRONTEND_FMT, fe,
		 devid);
	snprintf(sb->be_path, sizeof(sb->be_path), ISM_PATH_BACKEND_FMT, 0, fe,
		 devid);
	if (fake_xen_device_add(fx, ISM_DEVICE_TYPE, fe, 0, devid))
		return -1;
	return fake_xen_platform_open(fx, 0, &sb->p);
}

static void announce(struct sb *sb)
{
	char gid[17];

	snprintf(gid, sizeof(gid), "%016llx", (unsigned long long)sb->gid);
	be_write(sb, ISM_FIELD_VERSIONS, sb->versions);
	be_write(sb, ISM_FIELD_GID, gid);
	be_write(sb, ISM_FIELD_REGION_SIZE, "1048576");
	be_write(sb, ISM_FIELD_MAX_REGIONS, "16");
	be_write(sb, ISM_FIELD_MAX_BYTES, "67108864");
	be_write(sb, ISM_FIELD_MAX_PEERS, "16");
	be_write(sb, ISM_FIELD_MAX_PERM_ENTRIES, "8");
	be_write(sb, ISM_FIELD_FEATURE_FAST_PATH, "0");
	set_state(sb, ISM_XBS_INITWAIT);
}

static void connect(struct sb *sb)
{
	void *ring = NULL, *evt = NULL;
	uint32_t port = 0;

	if (sb->refuse) {
		be_write(sb, ISM_FIELD_ERROR, "refused by the script");
		set_state(sb, ISM_XBS_CLOSED);
		return;
	}
	if (ops->gnt_map(sb->p, sb->fe, (uint32_t)fe_read(sb, "ring-ref"),
			 &ring))
		goto err;
	if (ops->gnt_map(sb->p, sb->fe, (uint32_t)fe_read(sb, "event-page-ref"),
			 &evt))
		goto err_ring;
	if (ops->evtchn_bind(sb->p, sb->fe,
			     (uint32_t)fe_read(sb, "event-channel"), &port))
		goto err_evt;
	sb->ring = ring;
	sb->evt = evt;
	sb->port = port;
	sb->req_cons = 0;
	set_state(sb, ISM_XBS_CONNECTED);
	return;
err_evt:
	ops->gnt_unmap(sb->p, evt);
err_ring:
	ops->gnt_unmap(sb->p, ring);
err:
	set_state(sb, ISM_XBS_CLOSED);
}

static void disconnect(struct sb *sb)
{
	if (sb->ring)
		ops->gnt_unmap(sb->p, sb->ring);
	if (sb->evt)
		ops->gnt_unmap(sb->p, sb->evt);
	if (sb->port)
		ops->evtchn_unbind(sb->p, sb->port);
	sb->ring = NULL;
	sb->evt = NULL;
	sb->port = 0;
	set_state(sb, ISM_XBS_CLOSED);
}

static int32_t do_alloc(struct sb *sb, const struct ism_req *req,
			struct ism_rsp *rsp)
{
	uint32_t n = (uint32_t)((req->u.alloc.size + ISM_PAGE_SIZE - 1) /
				ISM_PAGE_SIZE);
	struct sb_region *r = &sb->regions[sb->nregions];
	struct ism_dir_page *dir;
	uint32_t i, gref;

	if (!n || n > 256)
		return -ISM_EFBIG;
	if (sb->nregions == SB_REGIONS_MAX)
		return -ISM_ENOSPC;
	if (ops->pages_alloc(sb->p, n + 2, &r->handle, &r->addr))
		return -ISM_ENOMEM;
	dir = (struct ism_dir_page *)((char *)r->addr +
				      (size_t)n * ISM_PAGE_SIZE);
	for (i = 0; i < n; i++) {
		ops->pages_grant(sb->p, r->handle, i, 1, sb->fe, false, &gref);
		dir->gref[i] = gref;
	}
	dir->nr_grefs = n;
	r->nr_pages = n;
	memset(&r->d, 0, sizeof(r->d));
	ops->pages_grant(sb->p, r->handle, n, 1, sb->fe, true, &r->d.dir_gref);
	ops->pages_grant(sb->p, r->handle, n + 1, 1, sb->fe, false,
			 &r->d.bell_gref);
	r->d.token = 0x1000 + sb->nregions;
	r->d.size = (uint64_t)n * ISM_PAGE_SIZE;
	r->d.slot = sb->nregions;
	r->d.nr_pages = n;
	r->d.perm = ISM_PERM_READ | ISM_PERM_WRITE | ISM_PERM_ATTACH |
		    ISM_PERM_MANAGE;
	r->d.peer_domid = ISM_DOMID_INVALID;
	r->d.side = ISM_SIDE_OWNER;
	r->d.state = ISM_RSTATE_ACTIVE;
	rsp->u.region = r->d;
	sb->nregions++;
	return 0;
}

static int32_t answer(struct sb *sb, const struct ism_req *req,
		      struct ism_rsp *rsp)
{
	switch (req->op) {
	case ISM_OP_INFO:
		rsp->u.info.gid = sb->gid;
		rsp->u.info.devid = sb->devid;
		rsp->u.info.bytes_max = 67108864;
		rsp->u.info.peers_max = 16;
		return 0;
	case ISM_OP_ALLOC:
		return do_alloc(sb, req, rsp);
	case ISM_OP_QUERY:
		if (req->u.slot.slot >= sb->nregions)
			return -ISM_ENOENT;
		rsp->u.region = sb->regions[req->u.slot.slot].d;
		return 0;
	case ISM_OP_NOTIFY:
		return -ISM_ENOTCONN;
	case ISM_OP_DETACH:
	case ISM_OP_FREE:
	case ISM_OP_SET_PERM:
		return req->u.slot.slot < sb->nregions ? 0 : -ISM_ENOENT;
	case ISM_OP_ATTACH:
		return -ISM_ENOENT;
	default:
		return -ISM_EOPNOTSUPP;
	}
}

static int serve(struct sb *sb)
{
	uint32_t prod =
		__atomic_load_n(&sb->ring->hdr.req_prod, __ATOMIC_ACQUIRE);
	union ism_ring_entry *e;
	struct ism_req req;
	struct ism_rsp rsp;
	int did = 0;

	if (sb->mute)
		return 0;
	while (sb->req_cons != prod) {
		e = &sb->ring->ring[sb->req_cons % ISM_RING_ENTRIES];
		req = e->req;
		memset(&rsp, 0, sizeof(rsp));
		rsp.id = req.id;
		rsp.op = req.op;
		rsp.status = answer(sb, &req, &rsp);
		if (rsp.status)
			memset(&rsp.u, 0, sizeof(rsp.u));
		e->rsp = rsp;
		sb->last_req = req;
		sb->nreqs++;
		sb->req_cons++;
		did = 1;
	}
	if (did) {
		__atomic_store_n(&sb->ring->hdr.rsp_prod, sb->req_cons,
				 __ATOMIC_RELEASE);
		ops->evtchn_notify(sb->p, sb->port);
	}
	return did;
}

int sb_step(void *ctx)
{
	struct sb *sb = ctx;
	unsigned long fe = fe_read(sb, ISM_FIELD_STATE);

	if (fe == ISM_XBS_CLOSING && sb->state != ISM_XBS_CLOSED) {
		disconnect(sb);
		return 1;
	}
	if (fe == ISM_XBS_INITIALISING && sb->state == ISM_XBS_CLOSED) {
		set_state(sb, ISM_XBS_INITIALISING);
		return 1;
	}
	if (sb->state == ISM_XBS_INITIALISING && !sb->no_initwait) {
		announce(sb);
		return 1;
	}
	if (sb->state == ISM_XBS_INITWAIT && fe == ISM_XBS_INITIALISED) {
		connect(sb);
		return 1;
	}
	if (sb->state == ISM_XBS_CONNECTED && sb->ring)
		return serve(sb);
	return 0;
}

void sb_event(struct sb *sb, const struct ism_evt *evt)
{
	uint32_t prod = sb->evt->evt_prod;

	if (prod - sb->evt->evt_cons >= ISM_EVT_ENTRIES) {
		__atomic_fetch_or(&sb->evt->flags, ISM_EVTPAGE_F_OVERFLOW,
				  __ATOMIC_SEQ_CST);
	} else {
		sb->evt->evt[prod % ISM_EVT_ENTRIES] = *evt;
		__atomic_store_n(&sb->evt->evt_prod, prod + 1,
				 __ATOMIC_RELEASE);
	}
	if (__atomic_exchange_n(&sb->evt->fe_armed, 0, __ATOMIC_SEQ_CST))
		ops->evtchn_notify(sb->p, sb->port);
}

void sb_signal(struct sb *sb, uint32_t slot)
{
	__atomic_fetch_or(&sb->evt->sba[slot / 64], 1ull << (slot % 64),
			  __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&sb->evt->sba_summary[slot / 64 / 64],
			  1ull << (slot / 64 % 64), __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&sb->evt->fe_armed, 0, __ATOMIC_SEQ_CST))
		ops->evtchn_notify(sb->p, sb->port);
}

void sb_fini(struct sb *sb)
{
	if (sb->ring || sb->evt)
		disconnect(sb);
	fake_xen_platform_close(sb->p);
}
