// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - xen-ismfront's module entry points, its clients and its list
 * of devices.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <xen/xen.h>

#include "chardev.h"
#include "internal.h"

static DEFINE_MUTEX(xen_ism_clients_lock);
static LIST_HEAD(xen_ism_clients);
static DEFINE_MUTEX(xen_ism_devs_lock);
static LIST_HEAD(xen_ism_devs);

int xen_ism_client_register(struct xen_ism_client *client)
{
	struct xen_ism_dev *dev;

	if (!client)
		return -EINVAL;
	mutex_lock(&xen_ism_clients_lock);
	list_add_tail(&client->list, &xen_ism_clients);
	list_for_each_entry(dev, &xen_ism_devs, node)
		if (dev->added && client->add)
			client->add(dev);
	mutex_unlock(&xen_ism_clients_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(xen_ism_client_register);

void xen_ism_client_unregister(struct xen_ism_client *client)
{
	struct xen_ism_dev *dev;

	mutex_lock(&xen_ism_clients_lock);
	list_for_each_entry(dev, &xen_ism_devs, node)
		if (dev->added && client->remove)
			client->remove(dev);
	list_del(&client->list);
	mutex_unlock(&xen_ism_clients_lock);
}
EXPORT_SYMBOL_GPL(xen_ism_client_unregister);

/* The device connected for the first time: tell the clients. */
void xen_ism_clients_add(struct xen_ism_dev *dev)
{
	struct xen_ism_client *client;

	mutex_lock(&xen_ism_clients_lock);
	if (!dev->added && !dev->removing) {
		dev->added = true;
		list_for_each_entry(client, &xen_ism_clients, list)
			if (client->add)
				client->add(dev);
	}
	mutex_unlock(&xen_ism_clients_lock);
}

/* The device goes away: tell the clients, take it off the list. */
void xen_ism_clients_remove(struct xen_ism_dev *dev)
{
	struct xen_ism_client *client;

	mutex_lock(&xen_ism_clients_lock);
	if (dev->added)
		list_for_each_entry(client, &xen_ism_clients, list)
			if (client->remove)
				client->remove(dev);
	dev->added = false;
	mutex_unlock(&xen_ism_clients_lock);
}

int xen_ism_dev_list_add(struct xen_ism_dev *dev)
{
	struct xen_ism_dev *d;
	int rc = 0;

	mutex_lock(&xen_ism_clients_lock);
	mutex_lock(&xen_ism_devs_lock);
	list_for_each_entry(d, &xen_ism_devs, node)
		if (d->devid == dev->devid)
			rc = -EEXIST;
	if (!rc)
		list_add_tail(&dev->node, &xen_ism_devs);
	mutex_unlock(&xen_ism_devs_lock);
	mutex_unlock(&xen_ism_clients_lock);
	return rc;
}

void xen_ism_dev_list_del(struct xen_ism_dev *dev)
{
	mutex_lock(&xen_ism_clients_lock);
	mutex_lock(&xen_ism_devs_lock);
	list_del_init(&dev->node);
	mutex_unlock(&xen_ism_devs_lock);
	mutex_unlock(&xen_ism_clients_lock);
}

struct xen_ism_dev *xen_ism_dev_get(u32 devid)
{
	struct xen_ism_dev *dev, *found = NULL;

	mutex_lock(&xen_ism_devs_lock);
	list_for_each_entry(dev, &xen_ism_devs, node) {
		if (READ_ONCE(dev->removing))
			continue;
		if (devid && dev->devid == devid) {
			found = dev;
			break;
		}
		if (!devid && READ_ONCE(dev->conn) == XEN_ISM_CONN_UP &&
		    (!found || dev->devid < found->devid))
			found = dev;
	}
	if (found)
		kref_get(&found->kref);
	mutex_unlock(&xen_ism_devs_lock);
	return found;
}
EXPORT_SYMBOL_GPL(xen_ism_dev_get);

void xen_ism_dev_release(struct kref *kref)
{
	struct xen_ism_dev *dev = container_of(kref, struct xen_ism_dev, kref);

	kfree(dev->slots);
	kfree(dev->gone);
	kfree(dev);
}

void xen_ism_dev_put(struct xen_ism_dev *dev)
{
	if (dev)
		kref_put(&dev->kref, xen_ism_dev_release);
}
EXPORT_SYMBOL_GPL(xen_ism_dev_put);

int xen_ism_dev_info(struct xen_ism_dev *dev, struct xen_ism_dev_info *info)
{
	struct ism_req req = { .op = ISM_OP_INFO };
	struct ism_rsp rsp;
	unsigned long flags;
	int rc;

	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	mutex_lock(&dev->mutex);
	spin_lock_irqsave(&dev->lock, flags);
	info->devid = dev->devid;
	info->domid = dev->domid;
	info->backend_domid = dev->be_domid;
	info->connected = dev->conn == XEN_ISM_CONN_UP;
	if (dev->conn != XEN_ISM_CONN_IDLE) {
		info->gid = dev->gid;
		info->region_size = dev->region_size;
		info->max_regions = dev->max_regions;
		info->max_peers = dev->max_peers;
		info->max_bytes = dev->max_bytes;
		info->max_perm_entries = dev->max_perm_entries;
		info->fast_path = dev->feat_fast_path && xen_ism_fast_path;
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	mutex_unlock(&dev->mutex);
	rc = xen_ism_request(dev, &req, &rsp, true);
	if (rc)
		return rc;
	info->bytes_used = rsp.u.info.bytes_used;
	info->slots_used = rsp.u.info.slots_used;
	info->peers_used = rsp.u.info.peers_used;
	info->quarantined_pages = rsp.u.info.quarantined_pages;
	return 0;
}
EXPORT_SYMBOL_GPL(xen_ism_dev_info);

int xen_ism_dev_peer(struct xen_ism_dev *dev, u64 token, u32 devid,
		     u32 *devid_out)
{
	struct ism_req req = { .op = ISM_OP_PEER };
	struct ism_rsp rsp;
	int rc;

	if (!dev || !token == !devid || devid > ISM_DEVID_MAX)
		return -EINVAL;
	req.u.peer.token = token;
	req.u.peer.devid = devid;
	rc = xen_ism_request(dev, &req, &rsp, true);
	if (rc)
		return rc;
	if (devid_out)
		*devid_out = rsp.u.peer.devid;
	return !!(rsp.u.peer.flags & ISM_PEER_F_CONNECTED);
}
EXPORT_SYMBOL_GPL(xen_ism_dev_peer);

int xen_ism_dev_on_signal(struct xen_ism_dev *dev, xen_ism_signal_fn fn,
			  void *data)
{
	unsigned long flags;
	int rc = 0;

	if (!dev)
		return -EINVAL;
	spin_lock_irqsave(&dev->lock, flags);
	if (fn && dev->signal_fn)
		rc = -EBUSY;
	else {
		dev->signal_fn = fn;
		dev->signal_data = data;
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	/* Wait for a dispatch that may still run the old handler. */
	if (!fn) {
		spin_lock_irqsave(&dev->evt_lock, flags);
		spin_unlock_irqrestore(&dev->evt_lock, flags);
	}
	return rc;
}
EXPORT_SYMBOL_GPL(xen_ism_dev_on_signal);

int xen_ism_dev_signal(struct xen_ism_dev *dev, u32 devid, u32 code, u64 info)
{
	struct ism_req req = { .op = ISM_OP_SIGNAL };
	unsigned long flags;
	int rc;

	if (!dev || !devid || devid > ISM_DEVID_MAX || devid == dev->devid)
		return -EINVAL;
	req.u.signal.devid = devid;
	req.u.signal.code = code;
	req.u.signal.info = info;
	spin_lock_irqsave(&dev->lock, flags);
	rc = xen_ism_post_locked(dev, &req);
	spin_unlock_irqrestore(&dev->lock, flags);
	return rc;
}
EXPORT_SYMBOL_GPL(xen_ism_dev_signal);

static int __init xen_ismfront_init(void)
{
	int rc;

	if (!xen_domain())
		return -ENODEV;
	rc = xen_ism_xenbus_init();
	if (rc)
		return rc;
	rc = xen_ism_chardev_init();
	if (rc)
		xen_ism_xenbus_exit();
	return rc;
}

static void __exit xen_ismfront_exit(void)
{
	xen_ism_chardev_exit();
	xen_ism_xenbus_exit();
}

module_init(xen_ismfront_init);
module_exit(xen_ismfront_exit);

MODULE_DESCRIPTION("xen-ism frontend: ISM shared memory regions for Xen guests");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:ism");
