/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dev.c - opening, describing and closing a device handle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

/*
 * The timeout of a handle opened with 0: $ISM_TIMEOUT_MS if it is -1 or a
 * number of milliseconds from 1 to a day, else ISM_TIMEOUT_DEFAULT_MS.
 */
int ism__dev_timeout_default(void)
{
	const char *s = secure_getenv(ISM_TIMEOUT_ENV);
	char *end;
	long v;

	if (!s || !*s)
		return ISM_TIMEOUT_DEFAULT_MS;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || (v != -1 && (v < 1 || v > 86400000)))
		return ISM_TIMEOUT_DEFAULT_MS;
	return (int)v;
}

int ism__dev_open_on(const struct ism_fe_ops *ops, struct ism_fe_platform *p,
		     uint32_t devid, int timeout_ms, ism_dev **dev_out)
{
	ism_dev *dev;
	int rc;

	if (!ops || !p || !dev_out || timeout_ms < -1)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		ops->destroy(p);
		return -ENOMEM;
	}
	dev->dops = &ism__user_dev_ops;
	dev->ops = ops;
	dev->p = p;
	dev->timeout_ms = timeout_ms ? timeout_ms : ism__dev_timeout_default();
	rc = ism__xenbus_connect(dev, devid,
				 ism__deadline(dev, dev->timeout_ms));
	if (rc)
		goto err_free;
	dev->slots = calloc(dev->max_regions, sizeof(*dev->slots));
	if (!dev->slots) {
		rc = -ENOMEM;
		goto err_disconnect;
	}
	*dev_out = dev;
	return 0;
err_disconnect:
	ism__xenbus_disconnect(dev);
err_free:
	if (dev->watching)
		ops->xs_unwatch(p, dev->be_state_path, "ism-backend-state");
	ops->destroy(p);
	free(dev);
	return rc;
}

void ism__user_dev_close(ism_dev *dev)
{
	uint32_t s;

	if (!dev)
		return;
	/*
	 * The backend drops what is left on the ring when it closes: a
	 * posted FREE must be answered first, or the peer would see the
	 * owner leave (PEER_GONE) instead of the region released.
	 */
	ism__drain(dev);
	/* Closing releases every slot in the backend: no DETACH needed. */
	for (s = 0; dev->slots && s < dev->max_regions; s++)
		if (dev->slots[s])
			ism__region_destroy(dev->slots[s]);
	ism__xenbus_disconnect(dev);
	dev->ops->destroy(dev->p);
	free(dev->slots);
	free(dev->evq_user);
	free(dev);
}

int ism__user_dev_info(ism_dev *dev, struct ism_dev_info *info_out)
{
	struct ism_req req;
	struct ism_rsp rsp;
	int rc;

	if (!dev || !info_out)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_INFO;
	rc = ism__request(dev, &req, &rsp);
	if (rc)
		return rc;
	if (rsp.u.info.gid != dev->gid || rsp.u.info.devid != dev->devid ||
	    rsp.u.info.reserved)
		return -EPROTO;
	memset(info_out, 0, sizeof(*info_out));
	info_out->gid = dev->gid;
	info_out->devid = dev->devid;
	info_out->domid = dev->domid;
	info_out->backend_domid = dev->be_domid;
	info_out->version = ISM_PROTOCOL_VERSION_INT;
	info_out->region_size = dev->region_size;
	info_out->max_regions = dev->max_regions;
	info_out->max_bytes = dev->max_bytes;
	info_out->max_peers = dev->max_peers;
	info_out->max_perm_entries = dev->max_perm_entries;
	info_out->fast_path = dev->fast_path;
	info_out->bytes_used = rsp.u.info.bytes_used;
	info_out->slots_used = rsp.u.info.slots_used;
	info_out->peers_used = rsp.u.info.peers_used;
	info_out->quarantined_pages = rsp.u.info.quarantined_pages;
	return 0;
}

int ism__user_dev_fd(ism_dev *dev)
{
	if (!dev)
		return -EINVAL;
	return dev->ops->fd(dev->p);
}

int ism__user_dev_set_fast_path(ism_dev *dev, int enable)
{
	if (!dev)
		return -EINVAL;
	dev->fp_off = !enable;
	return 0;
}

const struct ism_fe_dev_ops ism__user_dev_ops = {
	.name = "user",
	.close = ism__user_dev_close,
	.info = ism__user_dev_info,
	.fd = ism__user_dev_fd,
	.set_fast_path = ism__user_dev_set_fast_path,
	.region_alloc = ism__user_region_alloc,
	.region_attach = ism__user_region_attach,
	.region_refresh = ism__user_region_refresh,
	.region_map = ism__user_region_map,
	.region_unmap = ism__user_region_unmap,
	.region_set_perm = ism__user_region_set_perm,
	.region_notify = ism__user_region_notify,
	.region_want = ism__user_region_want,
	.region_detach = ism__user_region_detach,
	.region_free = ism__user_region_free,
	.event_read = ism__user_event_read,
	.event_wait = ism__user_event_wait,
	.name_publish = ism__user_name_publish,
	.name_unpublish = ism__user_name_unpublish,
	.name_lookup = ism__user_name_lookup,
};
