/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api.c - the public functions: each checks its arguments, the same way
 * for both implementations, and calls the op of the handle's
 * implementation (platform.h, "The device seam").  ism_dev_open() is in
 * open.c.
 */
#include <errno.h>
#include <string.h>

#include "private.h"

void ism_dev_close(ism_dev *dev)
{
	if (dev)
		dev->dops->close(dev);
}

int ism_dev_info(ism_dev *dev, struct ism_dev_info *info_out)
{
	if (!dev || !info_out)
		return -EINVAL;
	return dev->dops->info(dev, info_out);
}

int ism_dev_fd(ism_dev *dev)
{
	if (!dev)
		return -EINVAL;
	return dev->dops->fd(dev);
}

int ism_dev_set_fast_path(ism_dev *dev, int enable)
{
	if (!dev)
		return -EINVAL;
	return dev->dops->set_fast_path(dev, enable);
}

int ism_region_alloc(ism_dev *dev, uint64_t size, uint32_t perm,
		     ism_region **r_out)
{
	if (!dev || !r_out || !size || (perm & ~(uint32_t)ISM_PERM_MASK))
		return -EINVAL;
	return dev->dops->region_alloc(dev, size, perm, r_out);
}

int ism_region_attach(ism_dev *dev, uint64_t token, unsigned int flags,
		      ism_region **r_out)
{
	if (!dev || !r_out || !token || (flags & ~ISM_ATTACH_READONLY))
		return -EINVAL;
	return dev->dops->region_attach(dev, token, flags, r_out);
}

int ism_region_info(ism_region *r, struct ism_region_info *info_out)
{
	int fast_path;

	if (!r || !info_out)
		return -EINVAL;
	fast_path = r->dev->dops->region_refresh(r);
	memset(info_out, 0, sizeof(*info_out));
	info_out->token = r->d.token;
	info_out->size = r->d.size;
	info_out->slot = r->d.slot;
	info_out->perm = r->d.perm;
	info_out->side = r->d.side;
	info_out->released = r->d.state == ISM_RSTATE_RELEASED;
	info_out->peer_devid = r->d.peer_devid;
	info_out->peer_domid = r->d.peer_domid;
	info_out->peer_present = r->peer_present;
	info_out->fast_path = fast_path;
	return 0;
}

int ism_region_map(ism_region *r, void **addr_out, size_t *len_out)
{
	if (!r || !addr_out)
		return -EINVAL;
	return r->dev->dops->region_map(r, addr_out, len_out);
}

int ism_region_unmap(ism_region *r)
{
	if (!r)
		return -EINVAL;
	return r->dev->dops->region_unmap(r);
}

int ism_region_set_perm(ism_region *r, uint32_t peer_devid, uint32_t perm,
			unsigned int flags)
{
	if (!r || (flags & ~ISM_PERM_REMOVE) || peer_devid > ISM_DEVID_MAX ||
	    (perm & ~(uint32_t)ISM_PERM_MASK))
		return -EINVAL;
	return r->dev->dops->region_set_perm(r, peer_devid, perm, flags);
}

int ism_region_notify(ism_region *r, unsigned int flags)
{
	if (!r || (flags & ~ISM_NOTIFY_FORCE))
		return -EINVAL;
	return r->dev->dops->region_notify(r, flags);
}

int ism_region_want(ism_region *r)
{
	if (!r)
		return -EINVAL;
	return r->dev->dops->region_want(r);
}

int ism_region_detach(ism_region *r)
{
	if (!r)
		return -EINVAL;
	return r->dev->dops->region_detach(r);
}

int ism_region_free(ism_region *r)
{
	if (!r)
		return -EINVAL;
	return r->dev->dops->region_free(r);
}

int ism_event_read(ism_dev *dev, struct ism_event *ev_out)
{
	if (!dev || !ev_out)
		return -EINVAL;
	return dev->dops->event_read(dev, ev_out);
}

int ism_event_wait(ism_dev *dev, int timeout_ms, struct ism_event *ev_out)
{
	if (!dev || !ev_out)
		return -EINVAL;
	return dev->dops->event_wait(dev, timeout_ms, ev_out);
}

int ism_name_publish(ism_dev *dev, const char *name, uint64_t token,
		     uint16_t peer_domid)
{
	if (!dev || !ism__name_is_valid(name) || peer_domid > ISM_DOMID_MAX ||
	    peer_domid == dev->domid)
		return -EINVAL;
	return dev->dops->name_publish(dev, name, token, peer_domid);
}

int ism_name_unpublish(ism_dev *dev, const char *name)
{
	if (!dev || !ism__name_is_valid(name))
		return -EINVAL;
	return dev->dops->name_unpublish(dev, name);
}

int ism_name_lookup(ism_dev *dev, const char *name, uint16_t from_domid,
		    int timeout_ms, uint64_t *token_out)
{
	if (!dev || !token_out || !ism__name_is_valid(name) ||
	    from_domid > ISM_DOMID_MAX || timeout_ms < -1)
		return -EINVAL;
	return dev->dops->name_lookup(dev, name, from_domid, timeout_ms,
				      token_out);
}
