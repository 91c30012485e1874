/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * device.c - one ism device: its xenbus state machine, driven by the
 * values in xenstore, and its connection (ring page, event page, event
 * channel, slots).  This is the only layer of the core that logs; every
 * message names the domain and the device.
 *
 * Every value the frontend wrote is read into private memory, parsed by
 * xsval.c and range-checked before use.  A frontend that breaks the
 * protocol (an unknown version, an unmappable page, a broken ring) gets a
 * reason in the backend's error node and the device goes to Closing and
 * Closed; it may reset by writing Initialising.  The in-memory state is
 * the truth: a state node that could not be written is written again on
 * the next update (state_dirty), and a transition that failed for want of
 * a resource is retried (retry) by the next event or the reclaim pass.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "xsval.h"

/* Attempts of the announce transaction when it conflicts (-EAGAIN). */
#define ISM_XS_RETRIES 8
/* A device's messages: a burst, then one per interval (a token bucket). */
#define ISM_LOG_BURST 16
#define ISM_LOG_EVERY_MS 10000
/* Longest value we read from a frontend node; longer is invalid. */
#define ISM_XS_VALUE_MAX 64

/*
 * Log about @dev.  A guest can make a device log (by cycling its state), so
 * each device may log ISM_LOG_BURST messages at once and then one every
 * ISM_LOG_EVERY_MS; the next message that passes says how many were
 * dropped.  The device's end (ISM_LOG_F_ALWAYS) is always logged.
 */
#define ISM_LOG_F_ALWAYS 0x100 /* or'ed into @level */

static __attribute__((format(printf, 3, 4))) void
ism_device_log(struct ism_device *dev, int level, const char *fmt, ...)
{
	const struct ism_backend *be = dev->be;
	char msg[256];
	va_list ap;
	int n = 0;

	if (!be->log_fn)
		return;
	if (!(level & ISM_LOG_F_ALWAYS) &&
	    !ism__rate_take(&dev->log_rate, ISM_LOG_BURST, ISM_LOG_EVERY_MS,
			    be->ops->clock_ms(be->plat))) {
		dev->log_dropped++;
		return;
	}
	if (dev->log_dropped)
		n = snprintf(msg, sizeof(msg), "(%u messages dropped) ",
			     dev->log_dropped);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	dev->log_dropped = 0;
	be->log_fn(be->log_arg, level & ~ISM_LOG_F_ALWAYS, dev->domid,
		   dev->devid, msg);
}

/*
 * Read @dir/@field into @buf (NUL-terminated).  -ENOENT if missing,
 * -EINVAL if longer than @size - 1, else the error of xs_read.
 */
static int ism_device_get(const struct ism_device *dev, const char *dir,
			  const char *field, char *buf, size_t size,
			  size_t *len_out)
{
	struct ism_backend *be = dev->be;
	char path[128], *val;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, field);
	rc = be->ops->xs_read(be->plat, ISM_XS_NO_TX, path, &val, &len);
	if (rc)
		return rc;
	if (len >= size) {
		rc = -EINVAL;
	} else {
		memcpy(buf, val, len);
		buf[len] = '\0';
		*len_out = len;
	}
	free(val);
	return rc;
}

static __attribute__((format(printf, 4, 5))) int
ism_device_put(const struct ism_device *dev, uint32_t tx, const char *field,
	       const char *fmt, ...)
{
	struct ism_backend *be = dev->be;
	char path[128], val[288];
	va_list ap;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dev->be_path, field);
	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val))
		return -EINVAL;
	return be->ops->xs_write(be->plat, tx, path, val, (size_t)n);
}

static int ism_device_set_state(struct ism_device *dev, int state)
{
	int rc;

	dev->state = state;
	ism__backend_dirty(dev->be);
	rc = ism_device_put(dev, ISM_XS_NO_TX, ISM_FIELD_STATE, "%d", state);
	dev->state_dirty = rc != 0;
	if (rc)
		dev->be->retry_wanted = true;
	return rc;
}

struct ism_device *ism__device_find(const struct ism_backend *be,
				    uint16_t domid, uint32_t devid)
{
	struct ism_hnode *n =
		ism__htable_find(&be->devices, (uint64_t)domid << 32 | devid);

	return n ? ism_container_of(n, struct ism_device, node) : NULL;
}

struct ism_device *ism__device_by_devid(const struct ism_backend *be,
					uint32_t devid)
{
	struct ism_hnode *n = ism__htable_find(&be->devids, devid);

	return n ? ism_container_of(n, struct ism_device, devid_node) : NULL;
}

int ism__device_slot_alloc(struct ism_device *dev, uint32_t *slot_out)
{
	uint32_t i, s;

	if (dev->slots_used >= dev->nslots)
		return -ENOSPC;
	for (i = 0; i < dev->nslots; i++) {
		s = (dev->slot_hint + i) % dev->nslots;
		if (!dev->slots[s]) {
			*slot_out = s;
			return 0;
		}
	}
	return -ENOSPC;
}

void ism__device_slot_set(struct ism_device *dev, uint32_t slot,
			  struct ism_ref *ref)
{
	dev->slots[slot] = ref;
	dev->slots_used++;
	dev->slot_hint = slot + 1;
}

void ism__device_slot_clear(struct ism_device *dev, uint32_t slot)
{
	dev->slots[slot] = NULL;
	dev->slots_used--;
	/* An update of the region that left must not show for the next. */
	ism__evt_unsignal(dev, slot);
}

static void ism_device_busy_forget(struct ism_device *dev)
{
	struct ism_device **pp;

	if (!dev->busy_listed)
		return;
	for (pp = &dev->be->busy_head; *pp != dev; pp = &(*pp)->busy_next)
		;
	*pp = dev->busy_next;
	dev->busy_listed = false;
}

/* Release every slot (peers get PEER_GONE) and the shared pages. */
static void ism_device_disconnect(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;
	uint32_t s;

	ism__backend_dirty(be);
	for (s = 0; s < dev->nslots; s++) {
		if (dev->slots[s])
			ism__region_drop(dev->slots[s], ISM_EVT_PEER_GONE);
	}
	free(dev->slots);
	dev->slots = NULL;
	dev->nslots = 0;
	ism__evt_forget(dev);
	ism_device_busy_forget(dev);
	if (dev->port) {
		ism__htable_remove(&be->ports, &dev->port_node);
		ism__backend_unbind(be, dev->port);
		dev->port = 0;
	}
	if (dev->evtp)
		ism__backend_unmap(be, dev->evtp);
	if (dev->ring)
		ism__backend_unmap(be, dev->ring);
	if (dev->ring && dev->evtp)
		be->st.connected--;
	dev->evtp = NULL;
	dev->ring = NULL;
}

/*
 * A protocol violation (or a device we must refuse): say why in the error
 * node, release everything and close.  Logged once per violation.
 */
static __attribute__((format(printf, 2, 3))) void
ism_device_fail(struct ism_device *dev, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (dev->errored && dev->state == ISM_XBS_CLOSED)
		return; /* already said so; do not rewrite (watch loops) */
	ism_device_log(dev, ISM_LOG_ERR, "closing: %s", why);
	dev->be->st.protocol_errors++;
	dev->errored = true;
	ism_device_put(dev, ISM_XS_NO_TX, ISM_FIELD_ERROR, "%s", why);
	ism_device_disconnect(dev);
	if (dev->state != ISM_XBS_CLOSED) {
		ism_device_set_state(dev, ISM_XBS_CLOSING);
		ism_device_set_state(dev, ISM_XBS_CLOSED);
	}
}

void ism__device_fail(struct ism_device *dev, const char *why)
{
	ism_device_fail(dev, "%s", why);
}

/* Orderly close (the frontend closed, or online went 0). */
static int ism_device_close(struct ism_device *dev)
{
	int rc;

	ism_device_disconnect(dev);
	if (dev->state == ISM_XBS_CLOSED)
		return 0;
	ism_device_set_state(dev, ISM_XBS_CLOSING);
	rc = ism_device_set_state(dev, ISM_XBS_CLOSED);
	ism_device_log(dev, ISM_LOG_INFO, "closed");
	return rc;
}

/* Write versions, gid, limits and features, then InitWait, atomically. */
static int ism_device_announce_tx(struct ism_device *dev, uint32_t tx)
{
	const struct ism_backend_limits *l = &dev->be->lim;
	char val[24], path[128];
	const struct {
		const char *field;
		const char *fmt;
		uint64_t v;
	} nodes[] = {
		{ ISM_FIELD_GID, "%016" PRIx64, l->gid },
		{ ISM_FIELD_REGION_SIZE, "%" PRIu64, l->region_size },
		{ ISM_FIELD_MAX_REGIONS, "%" PRIu64, l->max_regions },
		{ ISM_FIELD_MAX_BYTES, "%" PRIu64, l->max_bytes },
		{ ISM_FIELD_MAX_PEERS, "%" PRIu64, l->max_peers },
		{ ISM_FIELD_MAX_PERM_ENTRIES, "%" PRIu64, l->max_perm_entries },
		{ ISM_FIELD_FEATURE_FAST_PATH, "%" PRIu64, l->fast_path },
		{ ISM_FIELD_STATE, "%" PRIu64, ISM_XBS_INITWAIT },
	};
	size_t i;
	int rc;

	rc = ism_device_put(dev, tx, ISM_FIELD_VERSIONS, "%s",
			    ISM_PROTOCOL_VERSION);
	snprintf(path, sizeof(path), "%s/%s", dev->be_path, ISM_FIELD_ERROR);
	rc = rc ?: dev->be->ops->xs_rm(dev->be->plat, tx, path);
	/* The state goes last: a frontend reading InitWait sees the rest. */
	for (i = 0; !rc && i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(val, sizeof(val), nodes[i].fmt, nodes[i].v);
		rc = ism_device_put(dev, tx, nodes[i].field, "%s", val);
	}
	return rc;
}

static int ism_device_announce(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;
	uint32_t tx;
	int i, rc = -EAGAIN;

	for (i = 0; i < ISM_XS_RETRIES && rc == -EAGAIN; i++) {
		rc = be->ops->xs_transaction_start(be->plat, &tx);
		if (rc)
			return rc;
		rc = ism_device_announce_tx(dev, tx);
		if (rc) {
			be->ops->xs_transaction_end(be->plat, tx, true);
			return rc;
		}
		rc = be->ops->xs_transaction_end(be->plat, tx, false);
	}
	return rc;
}

/* The toolstack's nodes must name this very device. */
static int ism_device_check_toolstack(struct ism_device *dev)
{
	char buf[ISM_XS_VALUE_MAX];
	uint16_t domid;
	size_t len;
	int rc;

	rc = ism_device_get(dev, dev->be_path, ISM_FIELD_FRONTEND_ID, buf,
			    sizeof(buf), &len);
	if (rc == -ENOENT || rc == -EINVAL ||
	    (!rc &&
	     (ism__xsval_domid(buf, len, &domid) || domid != dev->domid)))
		return -EPROTO;
	if (rc)
		return rc;
	rc = ism_device_get(dev, dev->be_path, ISM_FIELD_FRONTEND, buf,
			    sizeof(buf), &len);
	if (rc == -ENOENT || rc == -EINVAL ||
	    (!rc && strcmp(buf, dev->fe_path)))
		return -EPROTO;
	return rc;
}

static int ism_device_claim(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;
	struct ism_device *other;
	int rc;

	if (dev->claimed)
		return 0;
	other = ism__device_by_devid(be, dev->devid);
	if (other) {
		ism_device_fail(dev, "devid %u is already used by domain %u",
				dev->devid, other->domid);
		return -EEXIST;
	}
	dev->devid_node.key = dev->devid;
	rc = ism__htable_insert(&be->devids, &dev->devid_node);
	if (rc)
		return rc;
	dev->claimed = true;
	return 0;
}

/* Initialising or Closed -> InitWait. */
static int ism_device_setup(struct ism_device *dev)
{
	int rc;

	rc = ism_device_check_toolstack(dev);
	if (rc == -EPROTO) {
		ism_device_fail(dev, "%s or %s does not name this device",
				ISM_FIELD_FRONTEND, ISM_FIELD_FRONTEND_ID);
		return 0;
	}
	if (rc)
		return rc;
	rc = ism_device_claim(dev);
	if (rc)
		return rc == -EEXIST ? 0 : rc;
	rc = ism_device_announce(dev);
	if (rc)
		return rc;
	dev->state = ISM_XBS_INITWAIT;
	dev->state_dirty = false;
	dev->errored = false;
	ism__backend_dirty(dev->be);
	ism_device_log(dev, ISM_LOG_INFO, "waiting for the frontend");
	return 0;
}

/*
 * Read a frontend node for connecting and parse it.  -EPROTO (with @why
 * filled) when it is missing or malformed.
 */
static int ism_device_fe_value(struct ism_device *dev, const char *field,
			       int (*parse)(const char *, size_t, uint32_t *),
			       uint32_t *out, char *why, size_t whylen)
{
	char buf[ISM_XS_VALUE_MAX];
	size_t len;
	int rc;

	rc = ism_device_get(dev, dev->fe_path, field, buf, sizeof(buf), &len);
	if (rc == -ENOENT || rc == -EINVAL || (!rc && parse(buf, len, out))) {
		snprintf(why, whylen, "%s: %s", field,
			 rc == -ENOENT ? "missing" : "invalid value");
		return -EPROTO;
	}
	return rc;
}

/*
 * Map the frontend's ring and event page and bind its port: the values it
 * connects with, or those it connected with before a restart.  0, or
 * -EPROTO with @why filled.
 */
static int ism_device_plug(struct ism_device *dev, uint32_t ring_ref,
			   uint32_t evt_ref, uint32_t remote, char *why,
			   size_t whylen)
{
	struct ism_backend *be = dev->be;
	void *ring, *evtp;
	int rc;

	rc = be->ops->gnt_map(be->plat, dev->domid, ring_ref, &ring);
	if (rc) {
		snprintf(why, whylen, "%s: cannot map grant %u of domain %u",
			 ISM_FIELD_RING_REF, ring_ref, dev->domid);
		return -EPROTO;
	}
	rc = be->ops->gnt_map(be->plat, dev->domid, evt_ref, &evtp);
	if (rc) {
		snprintf(why, whylen, "%s: cannot map grant %u of domain %u",
			 ISM_FIELD_EVENT_PAGE_REF, evt_ref, dev->domid);
		goto err_unmap_ring;
	}
	rc = be->ops->evtchn_bind(be->plat, dev->domid, remote, &dev->port);
	if (rc) {
		snprintf(why, whylen, "%s: cannot bind port %u of domain %u",
			 ISM_FIELD_EVENT_CHANNEL, remote, dev->domid);
		goto err_unmap_evtp;
	}
	dev->ring = ring;
	dev->evtp = evtp;
	dev->ring_ref = ring_ref;
	dev->evt_ref = evt_ref;
	dev->remote_port = remote;
	return 0;

err_unmap_evtp:
	ism__backend_unmap(be, evtp);
err_unmap_ring:
	ism__backend_unmap(be, ring);
	return -EPROTO;
}

/* Read the frontend's values and plug them; -EPROTO with @why, or -errno. */
static int ism_device_map(struct ism_device *dev, char *why, size_t whylen)
{
	uint32_t version, ring_ref, evt_ref, remote;
	int rc;

	rc = ism_device_fe_value(dev, ISM_FIELD_VERSION, ism__xsval_version,
				 &version, why, whylen);
	rc = rc	   ?:
		     ism_device_fe_value(dev, ISM_FIELD_RING_REF,
					 ism__xsval_gref, &ring_ref, why,
					 whylen);
	rc = rc	   ?:
		     ism_device_fe_value(dev, ISM_FIELD_EVENT_PAGE_REF,
					 ism__xsval_gref, &evt_ref, why,
					 whylen);
	rc = rc	   ?:
		     ism_device_fe_value(dev, ISM_FIELD_EVENT_CHANNEL,
					 ism__xsval_evtchn, &remote, why,
					 whylen);
	if (rc)
		return rc;
	if (ring_ref == evt_ref) {
		snprintf(why, whylen, "%s and %s name the same grant %u",
			 ISM_FIELD_RING_REF, ISM_FIELD_EVENT_PAGE_REF,
			 ring_ref);
		return -EPROTO;
	}
	return ism_device_plug(dev, ring_ref, evt_ref, remote, why, whylen);
}

/* InitWait -> Connected. */
static int ism_device_connect(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;
	char why[160];
	int rc;

	rc = ism_device_map(dev, why, sizeof(why));
	if (rc == -EPROTO) {
		ism_device_fail(dev, "%s", why);
		return 0;
	}
	if (rc)
		return rc;
	be->st.connected++;
	dev->slots = calloc(be->lim.max_regions, sizeof(*dev->slots));
	if (!dev->slots) {
		rc = -ENOMEM;
		goto err_disconnect;
	}
	dev->nslots = be->lim.max_regions;
	dev->port_node.key = dev->port;
	rc = ism__htable_insert(&be->ports, &dev->port_node);
	if (rc)
		goto err_disconnect;
	/* SHARED_RING_INIT and a zeroed event page start at 0. */
	dev->req_cons = 0;
	dev->rsp_prod_pvt = 0;
	dev->evt_prod_pvt = 0;
	dev->slot_hint = 0;
	ism_device_set_state(dev, ISM_XBS_CONNECTED);
	ism_device_log(dev, ISM_LOG_INFO, "connected, port %u", dev->port);
	return 0;

err_disconnect:
	ism_device_disconnect(dev);
	return rc;
}

/*
 * Take up an index the frontend can see after a restart: @seen if it is
 * ahead of @saved (work done after the last save that changed nothing
 * saved) by less than half the index space, else @saved (done and saved,
 * not published yet).  A frontend that rewrote @seen hurts only itself.
 */
static uint32_t ism_device_index(uint32_t saved, uint32_t seen)
{
	return seen - saved < 0x80000000u ? seen : saved;
}

int ism__device_resume(struct ism_device *dev, char *why, size_t whylen)
{
	struct ism_backend *be = dev->be;
	struct ism_sring_hdr *h;
	uint32_t at;
	int rc;

	rc = ism_device_plug(dev, dev->ring_ref, dev->evt_ref, dev->remote_port,
			     why, whylen);
	if (rc)
		return rc;
	dev->port_node.key = dev->port;
	if (ism__htable_insert(&be->ports, &dev->port_node)) {
		snprintf(why, whylen, "out of memory");
		goto err_unplug;
	}
	be->st.connected++;
	/* Responses saved but not published are in the ring: publish them. */
	h = &dev->ring->hdr;
	at = ism_device_index(dev->rsp_prod_pvt, ISM_READ_ONCE(h->rsp_prod));
	dev->req_cons = at;
	dev->rsp_prod_pvt = at;
	ism_wmb();
	ISM_WRITE_ONCE(h->rsp_prod, at);
	dev->evt_prod_pvt = ism_device_index(
		dev->evt_prod_pvt, ISM_READ_ONCE(dev->evtp->evt_prod));
	/* Serve what came meanwhile, and make the frontend look again. */
	dev->busy_listed = true;
	dev->busy_next = be->busy_head;
	be->busy_head = dev;
	ism__evt_kick_rsp(dev);
	ism_device_log(dev, ISM_LOG_INFO | ISM_LOG_F_ALWAYS,
		       "resumed after a restart, port %u", dev->port);
	return 0;

err_unplug:
	ism__backend_unbind(be, dev->port);
	ism__backend_unmap(be, dev->evtp);
	ism__backend_unmap(be, dev->ring);
	dev->port = 0;
	dev->evtp = NULL;
	dev->ring = NULL;
	return -EPROTO;
}

/*
 * The frontend's state: 0 if its node is missing, -EPROTO if garbage.  A
 * driver domain reads -EACCES, not -ENOENT, once the frontend directory
 * is gone (xenstored answers for the nearest parent, which it may not
 * read): missing too.
 */
static int ism_device_fe_state(struct ism_device *dev, int *state_out)
{
	char buf[ISM_XS_VALUE_MAX];
	size_t len;
	int rc;

	rc = ism_device_get(dev, dev->fe_path, ISM_FIELD_STATE, buf,
			    sizeof(buf), &len);
	if (rc == -ENOENT || rc == -EACCES) {
		*state_out = 0;
		return 0;
	}
	if (rc == -EINVAL || (!rc && ism__xsval_state(buf, len, state_out)))
		return -EPROTO;
	return rc;
}

/* The toolstack's online node; missing or malformed means offline. */
static int ism_device_online(struct ism_device *dev, bool *online_out)
{
	char buf[ISM_XS_VALUE_MAX];
	uint64_t v = 0;
	size_t len;
	int rc;

	rc = ism_device_get(dev, dev->be_path, ISM_FIELD_ONLINE, buf,
			    sizeof(buf), &len);
	if (rc && rc != -ENOENT && rc != -EINVAL)
		return rc;
	*online_out = !rc && !ism__xsval_uint(buf, len, 0, 1, &v) && v;
	return 0;
}

/* One move of the state machine. */
static int ism_device_step(struct ism_device *dev)
{
	bool online;
	int fe, rc;

	rc = ism_device_online(dev, &online);
	if (rc)
		return rc;
	rc = ism_device_fe_state(dev, &fe);
	if (rc == -EPROTO) {
		if (dev->state == ISM_XBS_INITWAIT ||
		    dev->state == ISM_XBS_CONNECTED)
			ism_device_fail(dev, "%s: invalid value",
					ISM_FIELD_STATE);
		return 0;
	}
	if (rc)
		return rc;
	if (!online)
		return ism_device_close(dev);
	switch (dev->state) {
	case 0:
	case ISM_XBS_INITIALISING:
	case ISM_XBS_CLOSED:
		if (fe == ISM_XBS_INITIALISING || fe == ISM_XBS_INITWAIT)
			return ism_device_setup(dev);
		/* A frontend of an earlier backend must reset first. */
		if (dev->state != ISM_XBS_CLOSED && fe > ISM_XBS_INITWAIT)
			return ism_device_close(dev);
		return 0;
	case ISM_XBS_INITWAIT:
		if (fe == ISM_XBS_INITIALISED || fe == ISM_XBS_CONNECTED)
			return ism_device_connect(dev);
		if (!fe || fe >= ISM_XBS_CLOSING)
			return ism_device_close(dev);
		return 0;
	case ISM_XBS_CONNECTED:
		if (fe == ISM_XBS_INITIALISED || fe == ISM_XBS_CONNECTED)
			return 0;
		return ism_device_close(dev);
	default:
		return ism_device_close(dev);
	}
}

int ism__device_update(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;
	char path[128];
	int i, before, rc = 0;

	if (!dev->watching) {
		snprintf(path, sizeof(path), "%s/%s", dev->fe_path,
			 ISM_FIELD_STATE);
		rc = be->ops->xs_watch(be->plat, path, ISM_WATCH_FE);
		if (rc && rc != -EEXIST)
			goto out;
		dev->watching = true;
	}
	if (dev->state_dirty) {
		rc = ism_device_set_state(dev, dev->state);
		if (rc)
			goto out;
	}
	/* Each move may enable the next (Closed -> InitWait -> Connected). */
	for (i = 0; i < 4; i++) {
		before = dev->state;
		rc = ism_device_step(dev);
		if (rc || dev->state == before)
			break;
	}
out:
	dev->retry = rc != 0;
	if (dev->retry || dev->state_dirty)
		be->retry_wanted = true;
	return rc;
}

int ism__device_kick(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;
	int rc;

	if (!dev->ring)
		return 0;
	rc = ism__ring_process(dev);
	if (rc == -EPROTO) {
		ism_device_fail(dev,
				"control ring: req_prod more than %u ahead",
				ISM_RING_ENTRIES);
		return 0;
	}
	if (rc == 1 && !dev->busy_listed) {
		dev->busy_listed = true;
		dev->busy_next = be->busy_head;
		be->busy_head = dev;
	}
	return rc;
}

int ism__device_new(struct ism_backend *be, uint16_t domid, uint32_t devid,
		    struct ism_device **dev_out)
{
	struct ism_device *dev;
	int rc;

	if (be->st.devices >= be->lim.max_devices)
		return -ENOSPC;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->be = be;
	dev->domid = domid;
	dev->devid = devid;
	ism__rate_init(&dev->log_rate, ISM_LOG_BURST,
		       be->ops->clock_ms(be->plat));
	ism__rate_init(&dev->fe_rate, ISM_FE_BURST,
		       be->ops->clock_ms(be->plat));
	ism__rate_init(&dev->signal_rate, ISM_SIGNAL_BURST,
		       be->ops->clock_ms(be->plat));
	snprintf(dev->be_path, sizeof(dev->be_path),
		 "backend/" ISM_DEVICE_TYPE "/%u/%u", domid, devid);
	snprintf(dev->fe_path, sizeof(dev->fe_path), ISM_PATH_FRONTEND_FMT,
		 domid, devid);
	rc = ism__domain_get(be, domid, &dev->dom);
	if (rc)
		goto err_free_dev;
	dev->node.key = (uint64_t)domid << 32 | devid;
	rc = ism__htable_insert(&be->devices, &dev->node);
	if (rc)
		goto err_put_domain;
	dev->next = be->dev_head;
	if (be->dev_head)
		be->dev_head->prev = dev;
	be->dev_head = dev;
	if (!dev->dom->devices)
		be->st.domains++;
	ism__backend_dirty(be);
	dev->dom_next = dev->dom->devices;
	dev->dom->devices = dev;
	be->st.devices++;
	*dev_out = dev;
	return 0;

err_put_domain:
	ism__domain_put(be, dev->dom);
err_free_dev:
	free(dev);
	return rc;
}

void ism__device_destroy(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;
	struct ism_device **pp;
	char path[128];

	ism_device_disconnect(dev);
	ism__backend_watch_forget(dev);
	if (dev->watching) {
		snprintf(path, sizeof(path), "%s/%s", dev->fe_path,
			 ISM_FIELD_STATE);
		ism__backend_unwatch(be, path, ISM_WATCH_FE);
	}
	if (dev->claimed)
		ism__htable_remove(&be->devids, &dev->devid_node);
	ism__htable_remove(&be->devices, &dev->node);
	if (dev->prev)
		dev->prev->next = dev->next;
	else
		be->dev_head = dev->next;
	if (dev->next)
		dev->next->prev = dev->prev;
	for (pp = &dev->dom->devices; *pp != dev; pp = &(*pp)->dom_next)
		;
	*pp = dev->dom_next;
	if (!dev->dom->devices)
		be->st.domains--;
	ism__backend_dirty(be);
	be->st.devices--;
	ism__domain_put(be, dev->dom);
	free(dev);
}

/*
 * The toolstack that destroys a domain does not know its ism devices, so
 * their nodes stay: remove them, as libxl removes those of its devices.
 */
void ism__device_gone(struct ism_device *dev)
{
	struct ism_backend *be = dev->be;

	ism_device_log(dev, ISM_LOG_INFO | ISM_LOG_F_ALWAYS,
		       "domain gone: releasing the device");
	be->ops->xs_rm(be->plat, ISM_XS_NO_TX, dev->be_path);
	be->ops->xs_rm(be->plat, ISM_XS_NO_TX, dev->fe_path);
	ism__device_destroy(dev);
}

void ism__device_shutdown(struct ism_device *dev)
{
	if (dev->state)
		ism_device_close(dev);
	ism__device_destroy(dev);
}
