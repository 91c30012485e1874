/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frontend.c - the unit tests' frontend driver (see frontend.h).
 *
 * It plays the guest side of ismif.h with the fake's test-side calls,
 * which are not counted and never fail on purpose, so fault injection
 * only ever hits the backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

#define FW_GID 0x5e1f0c2a9b7d4433ull
#define FW_PUMP_ROUNDS 64

static void fw_log(void *arg, int level, uint16_t domid, uint32_t devid,
		   const char *msg)
{
	struct fw *w = arg;

	(void)level;
	w->nlog++;
	snprintf(w->last_log, sizeof(w->last_log), "dom%u dev%u: %s", domid,
		 devid, msg);
	if (getenv("FW_VERBOSE"))
		fprintf(stderr, "# backend: %s\n", w->last_log);
}

int fw_open(struct fw *w, const struct ism_backend_limits *lim)
{
	return fw_open_in(w, lim, FW_BE);
}

int fw_open_in(struct fw *w, const struct ism_backend_limits *lim,
	       uint16_t be_domid)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->be_domid = be_domid;
	if (lim) {
		w->lim = *lim;
	} else {
		ism_backend_limits_default(&w->lim);
		w->lim.gid = FW_GID;
	}
	rc = fake_xen_create(&w->fx);
	if (rc)
		return rc;
	if (be_domid) {
		rc = fake_xen_domain_add(w->fx, be_domid, 0);
		if (rc)
			goto err_destroy;
	}
	rc = fake_xen_platform_open(w->fx, be_domid, &w->p);
	if (rc)
		goto err_destroy;
	rc = ism_backend_new(&fake_xen_ops, w->p, &w->lim, &w->be);
	if (rc)
		goto err_close;
	ism_backend_set_log(w->be, fw_log, w);
	return fw_pump(w);

err_close:
	fake_xen_platform_close(w->p);
err_destroy:
	fake_xen_destroy(w->fx);
	w->fx = NULL;
	return rc;
}

static int fw_save(void *arg, const void *buf, size_t len)
{
	struct fw *w = arg;
	void *copy;

	if (w->save_rc)
		return w->save_rc;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	free(w->state);
	w->state = copy;
	w->state_len = len;
	w->saves++;
	return 0;
}

int fw_keep(struct fw *w)
{
	return ism_backend_set_save(w->be, fw_save, w);
}

void fw_crash(struct fw *w)
{
	ism_backend_abandon(w->be);
	w->be = NULL;
	fake_xen_platform_crash(w->p);
	w->p = NULL;
}

int fw_adopt(struct fw *w)
{
	int rc = fake_xen_platform_open(w->fx, w->be_domid, &w->p);

	return rc ?: fake_xen_platform_adopt(w->p);
}

int fw_restart(struct fw *w, const void *state, size_t len,
	       struct ism_backend_restored *info_out)
{
	void *copy = NULL;
	int rc;

	if (state) {
		copy = malloc(len + 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, state, len);
	}
	fw_crash(w);
	rc = fw_adopt(w);
	rc = rc	   ?:
		     ism_backend_restore(&fake_xen_ops, w->p, &w->lim, copy,
					 len, &w->be, info_out);
	free(copy);
	if (rc)
		return rc;
	ism_backend_set_log(w->be, fw_log, w);
	rc = fw_keep(w);
	return rc ?: fw_pump(w);
}

void fw_stop(struct fw *w)
{
	ism_backend_free(w->be);
	w->be = NULL;
}

void fw_close(struct fw *w)
{
	fw_stop(w);
	fake_xen_platform_close(w->p);
	fake_xen_destroy(w->fx);
	w->fx = NULL;
	free(w->state);
	w->state = NULL;
}

int fw_pump(struct fw *w)
{
	int i, rc = 0, more;

	for (i = 0; i < FW_PUMP_ROUNDS; i++) {
		rc = ism_backend_handle_watches(w->be);
		more = ism_backend_handle_events(w->be);
		if (!rc && !more && !fake_xen_watch_events(w->fx, w->be_domid))
			return 0;
	}
	return rc ? rc : -EBUSY;
}

int fw_reclaim(struct fw *w)
{
	int left = ism_backend_reclaim(w->be);

	fw_pump(w);
	return left;
}

void fw_open_guests(struct fw *w, const struct ism_backend_limits *lim,
		    struct fe *fes, unsigned int n)
{
	unsigned int i;
	int rc;

	rc = fw_open(w, lim);
	for (i = 0; !rc && i < n; i++) {
		rc = fw_guest(w, (uint16_t)(5 + 2 * i));
		rc = rc	   ?:
			     fe_create(w, (uint16_t)(5 + 2 * i), 4097 + i,
				       &fes[i]);
		rc = rc ?: fe_connect(&fes[i]);
	}
	if (rc) {
		fprintf(stdout, "Bail out! world setup failed: %d\n", rc);
		exit(1);
	}
}

void fw_trio_open(struct fw_trio *t, uint16_t be_domid, uint16_t a, uint16_t b,
		  uint16_t c)
{
	int rc;

	rc = fw_open_in(&t->w, NULL, be_domid);
	rc = rc ?: fw_guest(&t->w, a);
	rc = rc ?: fw_guest(&t->w, b);
	rc = rc ?: fw_guest(&t->w, c);
	rc = rc ?: fe_create(&t->w, a, 1, &t->a);
	rc = rc ?: fe_create(&t->w, c, 3, &t->c);
	rc = rc ?: fe_connect(&t->a);
	rc = rc ?: fe_connect(&t->c);
	rc = rc ?: fake_xen_usage(t->w.fx, be_domid, &t->base);
	rc = rc ?: fe_create(&t->w, b, 2, &t->b);
	rc = rc ?: fe_connect(&t->b);
	if (rc) {
		fprintf(stdout, "Bail out! trio setup failed: %d\n", rc);
		exit(1);
	}
}

bool fw_trio_at_base(struct fw_trio *t)
{
	struct fake_xen_usage u;

	fake_xen_usage(t->w.fx, t->w.be_domid, &u);
	return u.grants == t->base.grants && u.maps == t->base.maps &&
	       u.page_sets == t->base.page_sets && u.ports == t->base.ports &&
	       u.watches == t->base.watches;
}

int fw_guest(struct fw *w, uint16_t domid)
{
	return fake_xen_domain_add(w->fx, domid, 0);
}

int fw_kill(struct fw *w, uint16_t domid)
{
	int rc = fake_xen_domain_kill(w->fx, domid);

	return rc ? rc : fw_pump(w);
}

bool fw_be_clean(struct fw *w)
{
	struct fake_xen_usage u;

	return !fake_xen_usage(w->fx, w->be_domid, &u) &&
	       fake_xen_usage_is_clean(&u);
}

/* ---- xenstore side ------------------------------------------------- */

int fe_create(struct fw *w, uint16_t domid, uint32_t devid, struct fe *f)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->w = w;
	f->domid = domid;
	f->devid = devid;
	snprintf(f->fe_path, sizeof(f->fe_path), ISM_PATH_FRONTEND_FMT, domid,
		 devid);
	snprintf(f->be_path, sizeof(f->be_path), ISM_PATH_BACKEND_FMT,
		 w->be_domid, domid, devid);
	rc = fake_xen_device_add(w->fx, ISM_DEVICE_TYPE, domid, w->be_domid,
				 devid);
	return rc ? rc : fw_pump(w);
}

int fe_write(struct fe *f, const char *field, const char *value)
{
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", f->fe_path, field);
	rc = fake_xen_xs_write(f->w->fx, f->domid, path, value);
	return rc ? rc : fw_pump(f->w);
}

int fe_set_state(struct fe *f, int state)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", state);
	return fe_write(f, ISM_FIELD_STATE, v);
}

int fe_be_state(struct fe *f)
{
	char path[128], *val, *end;
	long v;

	snprintf(path, sizeof(path), "%s/%s", f->be_path, ISM_FIELD_STATE);
	if (fake_xen_xs_read(f->w->fx, f->domid, path, &val))
		return -1;
	v = strtol(val, &end, 10);
	v = *val && !*end ? v : -1;
	free(val);
	return (int)v;
}

const char *fe_be_error(struct fe *f)
{
	static char buf[300];
	char path[128], *val;

	snprintf(path, sizeof(path), "%s/%s", f->be_path, ISM_FIELD_ERROR);
	buf[0] = '\0';
	if (!fake_xen_xs_read(f->w->fx, f->domid, path, &val)) {
		snprintf(buf, sizeof(buf), "%s", val);
		free(val);
	}
	return buf;
}

int fe_setup(struct fe *f)
{
	struct fake_xen *fx = f->w->fx;
	void *ring, *evt;
	int rc;

	rc = fake_xen_guest_grant(fx, f->domid, f->w->be_domid, false,
				  &f->ring_gref, &ring);
	rc = rc	   ?:
		     fake_xen_guest_grant(fx, f->domid, f->w->be_domid, false,
					  &f->evt_gref, &evt);
	rc = rc	   ?:
		     fake_xen_guest_evtchn_alloc_unbound(
			     fx, f->domid, f->w->be_domid, &f->port);
	if (rc)
		return rc;
	f->ring = ring;
	f->evt = evt;
	/* SHARED_RING_INIT: all zeros, then req_event = rsp_event = 1. */
	f->ring->hdr.req_event = 1;
	f->ring->hdr.rsp_event = 1;
	f->req_prod = f->rsp_cons = f->evt_cons = 0;
	return 0;
}

int fe_connect(struct fe *f)
{
	char v[32];
	int rc;

	if (fe_be_state(f) != ISM_XBS_INITWAIT)
		return -EPROTO;
	rc = fe_setup(f);
	if (rc)
		return rc;
	snprintf(v, sizeof(v), "%u", f->ring_gref);
	rc = fe_write(f, ISM_FIELD_RING_REF, v);
	snprintf(v, sizeof(v), "%u", f->evt_gref);
	rc = rc ?: fe_write(f, ISM_FIELD_EVENT_PAGE_REF, v);
	snprintf(v, sizeof(v), "%u", f->port);
	rc = rc ?: fe_write(f, ISM_FIELD_EVENT_CHANNEL, v);
	rc = rc ?: fe_write(f, ISM_FIELD_VERSION, ISM_PROTOCOL_VERSION);
	rc = rc ?: fe_set_state(f, ISM_XBS_INITIALISED);
	if (rc)
		return rc;
	if (fe_be_state(f) != ISM_XBS_CONNECTED)
		return -ECONNREFUSED;
	return fe_set_state(f, ISM_XBS_CONNECTED);
}

int fe_close(struct fe *f)
{
	struct fake_xen *fx = f->w->fx;
	int rc;

	rc = fe_set_state(f, ISM_XBS_CLOSING);
	if (rc)
		return rc;
	if (fe_be_state(f) != ISM_XBS_CLOSED)
		return -EBUSY;
	if (f->ring) {
		rc = fake_xen_guest_end_access(fx, f->domid, f->ring_gref);
		rc = rc ?: fake_xen_guest_end_access(fx, f->domid, f->evt_gref);
		rc = rc ?: fake_xen_guest_evtchn_close(fx, f->domid, f->port);
		if (rc)
			return rc;
		f->ring = NULL;
		f->evt = NULL;
	}
	return fe_set_state(f, ISM_XBS_CLOSED);
}

/* ---- control ring --------------------------------------------------- */

void fe_post(struct fe *f, struct ism_req *req)
{
	req->id = ++f->next_id;
	memcpy(&f->ring->ring[f->req_prod % ISM_RING_ENTRIES].req, req,
	       sizeof(*req));
	f->req_prod++;
}

void fe_publish(struct fe *f)
{
	struct ism_sring_hdr *h = &f->ring->hdr;
	uint32_t old = h->req_prod, new = f->req_prod, ev;

	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&h->req_prod, new, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ev = __atomic_load_n(&h->req_event, __ATOMIC_RELAXED);
	if ((uint32_t)(new - ev) < (uint32_t)(new - old))
		fake_xen_guest_evtchn_notify(f->w->fx, f->domid, f->port);
}

int fe_push(struct fe *f)
{
	fe_publish(f);
	return fw_pump(f->w);
}

int fe_take(struct fe *f, struct ism_rsp *rsp)
{
	struct ism_sring_hdr *h = &f->ring->hdr;

	if (__atomic_load_n(&h->rsp_prod, __ATOMIC_ACQUIRE) == f->rsp_cons)
		return 0;
	memcpy(rsp, &f->ring->ring[f->rsp_cons % ISM_RING_ENTRIES].rsp,
	       sizeof(*rsp));
	f->rsp_cons++;
	__atomic_store_n(&h->rsp_event, f->rsp_cons + 1, __ATOMIC_RELAXED);
	return 1;
}

int fe_call(struct fe *f, struct ism_req *req, struct ism_rsp *rsp)
{
	int rc;

	fe_post(f, req);
	rc = fe_push(f);
	if (rc)
		return rc;
	if (!fe_take(f, rsp))
		return -ETIMEDOUT;
	if (rsp->id != req->id || rsp->op != req->op)
		return -EPROTO;
	return rsp->status;
}

int fe_info(struct fe *f, struct ism_rsp_info *info)
{
	struct ism_req req = { .op = ISM_OP_INFO };
	struct ism_rsp rsp;
	int rc = fe_call(f, &req, &rsp);

	if (!rc)
		*info = rsp.u.info;
	return rc;
}

int fe_peer(struct fe *f, uint64_t token, uint32_t devid,
	    struct ism_rsp_peer *peer)
{
	struct ism_req req = { .op = ISM_OP_PEER };
	struct ism_rsp rsp;
	int rc;

	req.u.peer.token = token;
	req.u.peer.devid = devid;
	rc = fe_call(f, &req, &rsp);
	*peer = rsp.u.peer;
	return rc;
}

int fe_signal(struct fe *f, uint32_t devid, uint32_t code, uint64_t info)
{
	struct ism_req req = { .op = ISM_OP_SIGNAL };
	struct ism_rsp rsp;

	req.u.signal.devid = devid;
	req.u.signal.code = code;
	req.u.signal.info = info;
	return fe_call(f, &req, &rsp);
}

/* A request whose response carries a region descriptor. */
static int fe_call_desc(struct fe *f, struct ism_req *req,
			struct ism_region_desc *d)
{
	struct ism_rsp rsp;
	int rc = fe_call(f, req, &rsp);

	if (!rc && d)
		*d = rsp.u.region;
	return rc;
}

int fe_alloc(struct fe *f, uint64_t size, struct ism_region_desc *d)
{
	struct ism_req req = { .op = ISM_OP_ALLOC };

	req.u.alloc.size = size;
	return fe_call_desc(f, &req, d);
}

int fe_alloc_perm(struct fe *f, uint64_t size, uint32_t perm,
		  struct ism_region_desc *d)
{
	struct ism_req req = { .op = ISM_OP_ALLOC };

	req.u.alloc.size = size;
	req.u.alloc.flags = ISM_ALLOC_F_DEFAULT_PERM;
	req.u.alloc.perm = perm;
	return fe_call_desc(f, &req, d);
}

int fe_attach(struct fe *f, uint64_t token, uint32_t flags,
	      struct ism_region_desc *d)
{
	struct ism_req req = { .op = ISM_OP_ATTACH };

	req.u.attach.token = token;
	req.u.attach.flags = flags;
	return fe_call_desc(f, &req, d);
}

int fe_slot_op(struct fe *f, uint8_t op, uint32_t slot, uint64_t token)
{
	struct ism_req req = { .op = op };
	struct ism_rsp rsp;

	req.u.slot.slot = slot;
	req.u.slot.token = token;
	return fe_call(f, &req, &rsp);
}

int fe_query(struct fe *f, uint32_t slot, uint64_t token,
	     struct ism_region_desc *d)
{
	struct ism_req req = { .op = ISM_OP_QUERY };

	req.u.slot.slot = slot;
	req.u.slot.token = token;
	return fe_call_desc(f, &req, d);
}

int fe_set_perm(struct fe *f, const struct ism_region_desc *d,
		uint32_t peer_devid, uint32_t perm, uint32_t flags)
{
	struct ism_req req = { .op = ISM_OP_SET_PERM };
	struct ism_rsp rsp;

	req.u.set_perm.token = d->token;
	req.u.set_perm.slot = d->slot;
	req.u.set_perm.peer_devid = peer_devid;
	req.u.set_perm.perm = perm;
	req.u.set_perm.flags = flags;
	return fe_call(f, &req, &rsp);
}

int fe_fastpath(struct fe *f, uint8_t op, const struct ism_region_desc *d,
		uint32_t port, int32_t status)
{
	struct ism_req req = { .op = op };
	struct ism_rsp rsp;

	req.u.fastpath.token = d->token;
	req.u.fastpath.slot = d->slot;
	req.u.fastpath.port = port;
	req.u.fastpath.status = status;
	return fe_call(f, &req, &rsp);
}

/* ---- event page ----------------------------------------------------- */

int fe_event(struct fe *f, struct ism_evt *e)
{
	uint32_t prod = __atomic_load_n(&f->evt->evt_prod, __ATOMIC_ACQUIRE);

	if (prod == f->evt_cons)
		return 0;
	memcpy(e, &f->evt->evt[f->evt_cons % ISM_EVT_ENTRIES], sizeof(*e));
	f->evt_cons++;
	__atomic_store_n(&f->evt->evt_cons, f->evt_cons, __ATOMIC_RELEASE);
	return 1;
}

int fe_next_event(struct fe *f, uint8_t type, struct ism_evt *e)
{
	while (fe_event(f, e)) {
		if (e->type == type)
			return 1;
	}
	return 0;
}

bool fe_sba_take(struct fe *f, uint32_t slot)
{
	uint64_t bit = 1ull << (slot % 64);
	uint64_t old;

	old = __atomic_fetch_and(&f->evt->sba[slot / 64], ~bit,
				 __ATOMIC_SEQ_CST);
	return old & bit;
}

int fe_signalled(struct fe *f)
{
	return fake_xen_guest_evtchn_pending(f->w->fx, f->domid, f->port);
}

/* ---- region mappings ------------------------------------------------ */

int fe_map(struct fe *f, const struct ism_region_desc *d, bool ro,
	   struct fe_map *m)
{
	struct fake_xen *fx = f->w->fx;
	const struct ism_dir_page *dp;
	uint32_t gref = d->dir_gref, i;
	int rc;

	memset(m, 0, sizeof(*m));
	m->page = calloc(d->nr_pages, sizeof(*m->page));
	if (!m->page)
		return -ENOMEM;
	while (gref && m->n < d->nr_pages) {
		if (m->ndir == sizeof(m->dir) / sizeof(m->dir[0]))
			return -E2BIG;
		rc = fake_xen_guest_map(fx, f->domid, f->w->be_domid, gref,
					true, &m->dir[m->ndir]);
		if (rc)
			return rc;
		dp = m->dir[m->ndir++];
		if (dp->nr_grefs > ISM_DIR_GREFS_PER_PAGE ||
		    dp->nr_grefs > d->nr_pages - m->n)
			return -EPROTO;
		for (i = 0; i < dp->nr_grefs; i++) {
			rc = fake_xen_guest_map(fx, f->domid, f->w->be_domid,
						dp->gref[i], ro,
						&m->page[m->n]);
			if (rc)
				return rc;
			m->n++;
		}
		gref = dp->next_gref;
	}
	if (m->n != d->nr_pages || gref)
		return -EPROTO;
	return fake_xen_guest_map(fx, f->domid, f->w->be_domid, d->bell_gref,
				  false, &m->bell);
}

void fe_unmap(struct fe *f, struct fe_map *m)
{
	struct fake_xen *fx = f->w->fx;
	unsigned int i;

	for (i = 0; i < m->n; i++)
		fake_xen_guest_unmap(fx, f->domid, m->page[i]);
	for (i = 0; i < m->ndir; i++)
		fake_xen_guest_unmap(fx, f->domid, m->dir[i]);
	if (m->bell)
		fake_xen_guest_unmap(fx, f->domid, m->bell);
	free(m->page);
	memset(m, 0, sizeof(*m));
}
