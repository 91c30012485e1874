/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenbus.c - the device's xenbus handshake (ismif.h, "State diagrams" and
 * "Writing a frontend") and its closing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define ISM_WATCH_TOKEN "ism-backend-state"
#define ISM_TX_RETRIES 16

uint64_t ism__deadline(ism_dev *dev, int timeout_ms)
{
	uint64_t now = 0;

	if (timeout_ms < 0 || dev->ops->now_ms(dev->p, &now))
		return UINT64_MAX;
	return now + (uint64_t)timeout_ms;
}

int ism__remaining(ism_dev *dev, uint64_t deadline)
{
	uint64_t now = 0;

	if (deadline == UINT64_MAX)
		return -1;
	if (dev->ops->now_ms(dev->p, &now) || now >= deadline)
		return 0;
	return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}

static int path_join(char *buf, const char *dir, const char *field)
{
	int n = snprintf(buf, ISM_PATH_MAX, "%s/%s", dir, field);

	return n < 0 || n >= ISM_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Read @dir/@field as a string; *@val_out to free(). */
static int read_field(ism_dev *dev, const char *dir, const char *field,
		      char **val_out)
{
	char path[ISM_PATH_MAX];
	size_t len;
	int rc;

	rc = path_join(path, dir, field);
	if (!rc)
		rc = dev->ops->xs_read(dev->p, ISM_FE_XS_NO_TX, path, val_out,
				       &len);
	if (!rc && strlen(*val_out) != len) {
		free(*val_out);
		rc = -EPROTO;
	}
	return rc;
}

static int read_uint(ism_dev *dev, const char *dir, const char *field,
		     uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *val = NULL;
	int rc;

	rc = read_field(dev, dir, field, &val);
	if (rc)
		return rc == -ENOENT ? -EPROTO : rc;
	rc = ism__xs_parse_uint(val, lo, hi, out);
	free(val);
	return rc;
}

static int write_field(ism_dev *dev, uint32_t tx, const char *field,
		       const char *fmt, unsigned long long v)
{
	char path[ISM_PATH_MAX], val[24];
	int rc;

	rc = path_join(path, dev->fe_path, field);
	if (rc)
		return rc;
	snprintf(val, sizeof(val), fmt, v);
	return dev->ops->xs_write(dev->p, tx, path, val);
}

static int write_state(ism_dev *dev, unsigned int state)
{
	return write_field(dev, ISM_FE_XS_NO_TX, ISM_FIELD_STATE, "%llu",
			   state);
}

/* The backend's state, or 0 if its node is gone or unreadable. */
static unsigned int be_state(ism_dev *dev)
{
	uint64_t v;

	if (read_uint(dev, dev->be_path, ISM_FIELD_STATE, ISM_XBS_INITIALISING,
		      ISM_XBS_CLOSED, &v))
		return 0;
	return (unsigned int)v;
}

/* -EPROTO if the backend wrote an error node, else -ESHUTDOWN. */
static int be_closed_errno(ism_dev *dev)
{
	char *val = NULL;

	if (read_field(dev, dev->be_path, ISM_FIELD_ERROR, &val))
		return -ESHUTDOWN;
	free(val);
	return -EPROTO;
}

static void drain_watches(ism_dev *dev)
{
	char *path, *token;

	while (!dev->ops->xs_read_watch(dev->p, &path, &token)) {
		free(path);
		free(token);
	}
}

/*
 * Wait until the backend is in @want.  With @fail_closed, Closing, Closed
 * or a vanished backend end the wait (the backend gave up on us).
 */
static int wait_be_state(ism_dev *dev, unsigned int want, bool fail_closed,
			 uint64_t deadline)
{
	int rem, ready;
	unsigned int s;
	uint32_t port;

	for (;;) {
		drain_watches(dev);
		s = be_state(dev);
		if (s == want)
			return 0;
		if (fail_closed && (s == 0 || s >= ISM_XBS_CLOSING))
			return be_closed_errno(dev);
		rem = ism__remaining(dev, deadline);
		if (!rem)
			return -ETIMEDOUT;
		ready = dev->ops->wait(dev->p, rem);
		/* A port event means nothing here, but would wake us again. */
		if (ready > 0 && (ready & ISM_FE_READY_EVTCHN))
			dev->ops->evtchn_pending(dev->p, &port);
	}
}

/* The lowest devid under ~/device/ism, or -ENODEV. */
static int first_devid(ism_dev *dev, uint32_t *devid_out)
{
	char path[ISM_PATH_MAX], **names = NULL;
	uint64_t v, best = UINT64_MAX;
	unsigned int i, num = 0;
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%u/device/%s", dev->domid,
		 ISM_DEVICE_TYPE);
	rc = dev->ops->xs_directory(dev->p, ISM_FE_XS_NO_TX, path, &names,
				    &num);
	if (rc)
		return rc == -ENOENT || rc == -EACCES ? -ENODEV : rc;
	for (i = 0; i < num; i++)
		if (!ism__xs_parse_uint(names[i], 1, ISM_DEVID_MAX, &v) &&
		    v < best)
			best = v;
	free(names);
	if (best == UINT64_MAX)
		return -ENODEV;
	*devid_out = (uint32_t)best;
	return 0;
}

/* Find the device, its backend, and watch the backend's state. */
static int find_device(ism_dev *dev, uint32_t devid)
{
	char *val = NULL, want[ISM_PATH_MAX];
	uint64_t v;
	int rc;

	rc = dev->ops->local_domid(dev->p, &dev->domid);
	if (!rc && !devid)
		rc = first_devid(dev, &devid);
	if (rc)
		return rc;
	if (devid > ISM_DEVID_MAX)
		return -ENODEV;
	dev->devid = devid;
	snprintf(dev->fe_path, sizeof(dev->fe_path), ISM_PATH_FRONTEND_FMT,
		 dev->domid, devid);
	rc = read_uint(dev, dev->fe_path, ISM_FIELD_BACKEND_ID, 0,
		       ISM_DOMID_MAX, &v);
	if (rc)
		return rc == -EPROTO || rc == -EACCES ? -ENODEV : rc;
	dev->be_domid = (uint16_t)v;
	rc = read_field(dev, dev->fe_path, ISM_FIELD_BACKEND, &val);
	if (rc)
		return -ENODEV;
	/* Only the directory the toolstack names for this pair is trusted. */
	snprintf(want, sizeof(want), ISM_PATH_BACKEND_FMT, dev->be_domid,
		 dev->domid, devid);
	rc = strcmp(val, want) ? -ENODEV : 0;
	free(val);
	if (rc)
		return rc;
	strcpy(dev->be_path, want);
	rc = path_join(dev->be_state_path, dev->be_path, ISM_FIELD_STATE);
	if (!rc)
		rc = dev->ops->xs_watch(dev->p, dev->be_state_path,
					ISM_WATCH_TOKEN);
	if (!rc)
		dev->watching = true;
	return rc;
}

/* Bring our state back to Initialising, closing a stale connection. */
static int reset_state(ism_dev *dev, uint64_t deadline)
{
	uint64_t s = 0;
	int rc;

	rc = read_uint(dev, dev->fe_path, ISM_FIELD_STATE, ISM_XBS_INITIALISING,
		       ISM_XBS_CLOSED, &s);
	if (rc && rc != -EPROTO)
		return rc;
	if (s == ISM_XBS_INITIALISING)
		return 0;
	if (s != ISM_XBS_CLOSED) {
		/* A previous user died connected: close that first. */
		rc = write_state(dev, ISM_XBS_CLOSING);
		if (!rc)
			rc = wait_be_state(dev, ISM_XBS_CLOSED, false,
					   deadline);
		if (rc)
			return rc;
	}
	return write_state(dev, ISM_XBS_INITIALISING);
}

static int read_backend(ism_dev *dev)
{
	char *val = NULL;
	uint64_t v;
	int rc;

	rc = read_field(dev, dev->be_path, ISM_FIELD_VERSIONS, &val);
	if (rc)
		return -EPROTO;
	rc = ism__xs_versions_has(val, ISM_PROTOCOL_VERSION_INT);
	free(val);
	if (rc <= 0)
		return rc ? rc : -EPROTONOSUPPORT;
	rc = read_field(dev, dev->be_path, ISM_FIELD_GID, &val);
	if (rc)
		return -EPROTO;
	rc = ism__xs_parse_hex64(val, &dev->gid);
	free(val);
	if (!rc)
		rc = read_uint(dev, dev->be_path, ISM_FIELD_REGION_SIZE,
			       ISM_PAGE_SIZE, ISM_REGION_SIZE_LIMIT,
			       &dev->region_size);
	if (!rc && dev->region_size % ISM_PAGE_SIZE)
		rc = -EPROTO;
	if (!rc)
		rc = read_uint(dev, dev->be_path, ISM_FIELD_MAX_REGIONS, 1,
			       ISM_MAX_REGIONS_LIMIT, &v);
	dev->max_regions = (uint32_t)v;
	if (!rc)
		rc = read_uint(dev, dev->be_path, ISM_FIELD_MAX_BYTES,
			       ISM_PAGE_SIZE, UINT64_MAX, &dev->max_bytes);
	if (!rc)
		rc = read_uint(dev, dev->be_path, ISM_FIELD_MAX_PEERS, 1, 65535,
			       &v);
	dev->max_peers = (uint32_t)v;
	if (!rc)
		rc = read_uint(dev, dev->be_path, ISM_FIELD_MAX_PERM_ENTRIES, 0,
			       ISM_MAX_PERM_ENTRIES_LIMIT, &v);
	dev->max_perm_entries = (uint32_t)v;
	if (rc)
		return rc;
	/* Optional: absent means off. */
	rc = read_field(dev, dev->be_path, ISM_FIELD_FEATURE_FAST_PATH, &val);
	if (rc)
		return rc == -ENOENT ? 0 : -EPROTO;
	rc = ism__xs_parse_uint(val, 0, 1, &v);
	free(val);
	dev->fast_path = v == 1;
	return rc;
}

static int share_pages(ism_dev *dev)
{
	const struct ism_fe_ops *ops = dev->ops;
	int rc;

	rc = ops->page_share(dev->p, dev->be_domid, &dev->ring_gref,
			     &dev->ring_page);
	if (rc)
		return rc;
	rc = ops->page_share(dev->p, dev->be_domid, &dev->evt_gref,
			     &dev->evt_page);
	if (rc)
		goto err_ring;
	rc = ops->evtchn_alloc_unbound(dev->p, dev->be_domid, &dev->port);
	if (rc)
		goto err_evt;
	ism__ring_init(&dev->ring, dev->ring_page);
	ism__evq_init(&dev->evq, dev->evt_page);
	memset(&dev->rpc, 0, sizeof(dev->rpc));
	return 0;
err_evt:
	ops->page_unshare(dev->p, dev->evt_gref, dev->evt_page);
	dev->evt_page = NULL;
err_ring:
	ops->page_unshare(dev->p, dev->ring_gref, dev->ring_page);
	dev->ring_page = NULL;
	return rc;
}

static void unshare_pages(ism_dev *dev)
{
	if (dev->port)
		dev->ops->evtchn_close(dev->p, dev->port);
	/* -EBUSY: the backend still maps it; the page is leaked, not reused. */
	if (dev->evt_page)
		dev->ops->page_unshare(dev->p, dev->evt_gref, dev->evt_page);
	if (dev->ring_page)
		dev->ops->page_unshare(dev->p, dev->ring_gref, dev->ring_page);
	dev->port = 0;
	dev->evt_page = NULL;
	dev->ring_page = NULL;
}

/* Write ring-ref, event-page-ref, event-channel, version, state = 3. */
static int publish_nodes(ism_dev *dev)
{
	const struct ism_fe_ops *ops = dev->ops;
	int rc = -EAGAIN, tries;
	uint32_t tx;

	for (tries = 0; rc == -EAGAIN && tries < ISM_TX_RETRIES; tries++) {
		rc = ops->xs_transaction_start(dev->p, &tx);
		if (rc)
			return rc;
		rc = write_field(dev, tx, ISM_FIELD_RING_REF, "%llu",
				 dev->ring_gref);
		if (!rc)
			rc = write_field(dev, tx, ISM_FIELD_EVENT_PAGE_REF,
					 "%llu", dev->evt_gref);
		if (!rc)
			rc = write_field(dev, tx, ISM_FIELD_EVENT_CHANNEL,
					 "%llu", dev->port);
		if (!rc)
			rc = write_field(dev, tx, ISM_FIELD_VERSION, "%llu",
					 ISM_PROTOCOL_VERSION_INT);
		if (!rc)
			rc = write_field(dev, tx, ISM_FIELD_STATE, "%llu",
					 ISM_XBS_INITIALISED);
		if (rc) {
			ops->xs_transaction_end(dev->p, tx, true);
			return rc;
		}
		rc = ops->xs_transaction_end(dev->p, tx, false);
	}
	return rc;
}

int ism__xenbus_connect(ism_dev *dev, uint32_t devid, uint64_t deadline)
{
	char path[ISM_PATH_MAX];
	int rc;

	rc = find_device(dev, devid);
	if (!rc)
		rc = reset_state(dev, deadline);
	if (!rc)
		rc = wait_be_state(dev, ISM_XBS_INITWAIT, false, deadline);
	if (rc)
		return rc;
	rc = read_backend(dev);
	if (rc == -EPROTONOSUPPORT) {
		if (!path_join(path, dev->fe_path, ISM_FIELD_ERROR))
			dev->ops->xs_write(dev->p, ISM_FE_XS_NO_TX, path,
					   "no supported protocol version");
		write_state(dev, ISM_XBS_CLOSED);
	}
	if (rc)
		return rc;
	rc = share_pages(dev);
	if (rc)
		return rc;
	rc = publish_nodes(dev);
	if (!rc)
		rc = wait_be_state(dev, ISM_XBS_CONNECTED, true, deadline);
	if (!rc)
		rc = write_state(dev, ISM_XBS_CONNECTED);
	if (rc)
		goto err_close;
	return 0;
err_close:
	/* Tell the backend to let go before the pages are ended. */
	write_state(dev, ISM_XBS_CLOSING);
	wait_be_state(dev, ISM_XBS_CLOSED, false, ism__deadline(dev, 1000));
	unshare_pages(dev);
	write_state(dev, ISM_XBS_CLOSED);
	return rc;
}

void ism__xenbus_disconnect(ism_dev *dev)
{
	if (dev->ring_page) {
		write_state(dev, ISM_XBS_CLOSING);
		wait_be_state(dev, ISM_XBS_CLOSED, false,
			      ism__deadline(dev, dev->timeout_ms));
		unshare_pages(dev);
		write_state(dev, ISM_XBS_CLOSED);
	}
	if (dev->watching)
		dev->ops->xs_unwatch(dev->p, dev->be_state_path,
				     ISM_WATCH_TOKEN);
	dev->watching = false;
}

void ism__xenbus_check(ism_dev *dev)
{
	char *path, *token;
	bool fired = false;

	while (!dev->ops->xs_read_watch(dev->p, &path, &token)) {
		fired = true;
		free(path);
		free(token);
	}
	if (!fired || dev->dead)
		return;
	if (be_state(dev) != ISM_XBS_CONNECTED)
		dev->dead = be_closed_errno(dev);
}
