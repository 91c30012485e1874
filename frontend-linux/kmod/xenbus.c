// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenbus.c - the xenbus frontend of "ism" devices: claiming a device,
 * the handshake of protocol version 1, losing and closing the backend.
 */
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "internal.h"

/* How long remove() waits for the backend to close. */
#define XEN_ISM_CLOSE_WAIT_MS 5000
#define XEN_ISM_CLOSE_POLL_MS 50
#define XEN_ISM_XS_RETRIES 16

/* Parse a decimal without sign, leading zeros or spaces, in [lo, hi]. */
static int parse_uint(const char *s, u64 lo, u64 hi, u64 *v)
{
	size_t i, len = strlen(s);

	if (!len || len > 20 || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isdigit(s[i]))
			return -EINVAL;
	if (kstrtou64(s, 10, v) || *v < lo || *v > hi)
		return -EINVAL;
	return 0;
}

static int read_uint(struct xen_ism_dev *dev, const char *node, u64 lo, u64 hi,
		     u64 *v)
{
	char *s;
	int rc;

	s = xenbus_read(XBT_NIL, dev->xb->otherend, node, NULL);
	if (IS_ERR(s))
		return PTR_ERR(s);
	rc = parse_uint(s, lo, hi, v);
	kfree(s);
	if (rc)
		dev_warn(&dev->xb->dev, "ism %u: backend %s is invalid\n",
			 dev->devid, node);
	return rc;
}

/* Does the backend's versions list (ascending, 1..255) offer version 1? */
static int read_versions(struct xen_ism_dev *dev)
{
	char *s, *p, *tok;
	u64 v, prev = 0;
	int rc = 0;
	bool found = false;

	s = xenbus_read(XBT_NIL, dev->xb->otherend, ISM_FIELD_VERSIONS, NULL);
	if (IS_ERR(s))
		return PTR_ERR(s);
	p = s;
	while (!rc && (tok = strsep(&p, ","))) {
		rc = parse_uint(tok, 1, 255, &v);
		if (!rc && v <= prev)
			rc = -EINVAL;
		prev = v;
		if (!rc && v == ISM_PROTOCOL_VERSION_INT)
			found = true;
	}
	kfree(s);
	if (!rc && !found)
		rc = -EPROTONOSUPPORT;
	return rc;
}

static int read_gid(struct xen_ism_dev *dev)
{
	char *s;
	int rc = -EINVAL;
	size_t i;

	s = xenbus_read(XBT_NIL, dev->xb->otherend, ISM_FIELD_GID, NULL);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (strlen(s) == 16) {
		rc = 0;
		for (i = 0; i < 16; i++)
			if (!isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
				rc = -EINVAL;
	}
	if (!rc && (kstrtou64(s, 16, &dev->gid) || !dev->gid))
		rc = -EINVAL;
	kfree(s);
	return rc;
}

/* Read what the backend announced in InitWait; all of it is checked. */
static int read_backend(struct xen_ism_dev *dev)
{
	u64 size, regions, bytes, peers, perms, fp = 0;
	int rc;

	rc = read_versions(dev);
	if (!rc)
		rc = read_gid(dev);
	if (!rc)
		rc = read_uint(dev, ISM_FIELD_REGION_SIZE, ISM_PAGE_SIZE,
			       ISM_REGION_SIZE_LIMIT, &size);
	if (!rc && size % ISM_PAGE_SIZE)
		rc = -EINVAL;
	if (!rc)
		rc = read_uint(dev, ISM_FIELD_MAX_REGIONS, 1,
			       ISM_MAX_REGIONS_LIMIT, &regions);
	if (!rc)
		rc = read_uint(dev, ISM_FIELD_MAX_BYTES, ISM_PAGE_SIZE, U64_MAX,
			       &bytes);
	if (!rc)
		rc = read_uint(dev, ISM_FIELD_MAX_PEERS, 1, 65535, &peers);
	if (!rc)
		rc = read_uint(dev, ISM_FIELD_MAX_PERM_ENTRIES, 0,
			       ISM_MAX_PERM_ENTRIES_LIMIT, &perms);
	if (!rc && xenbus_exists(XBT_NIL, dev->xb->otherend,
				 ISM_FIELD_FEATURE_FAST_PATH))
		rc = read_uint(dev, ISM_FIELD_FEATURE_FAST_PATH, 0, 1, &fp);
	if (rc)
		return rc;
	dev->region_size = size;
	dev->max_regions = regions;
	dev->max_bytes = bytes;
	dev->max_peers = peers;
	dev->max_perm_entries = perms;
	dev->feat_fast_path = fp;
	return 0;
}

static int write_nodes(struct xen_ism_dev *dev, evtchn_port_t port)
{
	struct xenbus_transaction xbt;
	const char *node = dev->xb->nodename;
	int rc, tries;

	for (tries = 0; tries < XEN_ISM_XS_RETRIES; tries++) {
		rc = xenbus_transaction_start(&xbt);
		if (rc)
			return rc;
		rc = xenbus_printf(xbt, node, ISM_FIELD_RING_REF, "%u",
				   dev->ring_gref);
		if (!rc)
			rc = xenbus_printf(xbt, node, ISM_FIELD_EVENT_PAGE_REF,
					   "%u", dev->evp_gref);
		if (!rc)
			rc = xenbus_printf(xbt, node, ISM_FIELD_EVENT_CHANNEL,
					   "%u", port);
		if (!rc)
			rc = xenbus_printf(xbt, node, ISM_FIELD_VERSION, "%s",
					   ISM_PROTOCOL_VERSION);
		if (rc) {
			xenbus_transaction_end(xbt, 1);
			return rc;
		}
		rc = xenbus_transaction_end(xbt, 0);
		if (rc != -EAGAIN)
			return rc;
	}
	return -EAGAIN;
}

static void free_pages_and_port(struct xen_ism_dev *dev)
{
	void *addr;

	if (dev->irq > 0)
		unbind_from_irqhandler(dev->irq, dev);
	dev->irq = 0;
	if (dev->ring) {
		addr = dev->ring;
		xenbus_teardown_ring(&addr, 1, &dev->ring_gref);
	}
	if (dev->evp) {
		addr = dev->evp;
		xenbus_teardown_ring(&addr, 1, &dev->evp_gref);
	}
	dev->ring = NULL;
	dev->evp = NULL;
}

/* Backend in InitWait: grant both pages, bind a port, write the nodes. */
static int connect(struct xen_ism_dev *dev)
{
	struct xenbus_device *xb = dev->xb;
	struct xen_ism_region **slots, **gone;
	evtchn_port_t port;
	unsigned long flags;
	void *addr;
	int rc;

	rc = read_backend(dev);
	if (rc)
		return rc;
	slots = kcalloc(dev->max_regions, sizeof(*slots), GFP_KERNEL);
	gone = kcalloc(dev->max_regions, sizeof(*gone), GFP_KERNEL);
	if (!slots || !gone) {
		kfree(slots);
		kfree(gone);
		return -ENOMEM;
	}
	kfree(dev->slots);
	kfree(dev->gone);
	dev->slots = slots;
	dev->gone = gone;
	rc = xenbus_setup_ring(xb, GFP_KERNEL, &addr, 1, &dev->ring_gref);
	if (rc)
		return rc;
	dev->ring = addr;
	rc = xenbus_setup_ring(xb, GFP_KERNEL, &addr, 1, &dev->evp_gref);
	if (rc)
		goto fail;
	dev->evp = addr;
	memset(dev->ring, 0, sizeof(*dev->ring));
	memset(dev->evp, 0, sizeof(*dev->evp));
	dev->ring->hdr.req_event = 1;
	dev->ring->hdr.rsp_event = 1;
	dev->evp->fe_armed = 1;
	spin_lock_irqsave(&dev->lock, flags);
	xen_ism_ring_reset(dev);
	dev->gen++;
	dev->broken = false;
	dev->closing_sent = false;
	dev->resync = false;
	dev->work_notify = false;
	dev->conn = XEN_ISM_CONN_INIT;
	spin_unlock_irqrestore(&dev->lock, flags);
	rc = xenbus_alloc_evtchn(xb, &port);
	if (rc)
		goto fail;
	rc = bind_evtchn_to_irqhandler(port, xen_ism_interrupt, 0, "xen-ism",
				       dev);
	if (rc < 0) {
		xenbus_free_evtchn(xb, port);
		goto fail;
	}
	dev->irq = rc;
	rc = write_nodes(dev, port);
	if (rc)
		goto fail;
	rc = xenbus_switch_state(xb, XenbusStateInitialised);
	if (rc)
		goto fail;
	return 0;
fail:
	spin_lock_irqsave(&dev->lock, flags);
	dev->conn = XEN_ISM_CONN_IDLE;
	spin_unlock_irqrestore(&dev->lock, flags);
	free_pages_and_port(dev);
	return rc;
}

/*
 * The connection is gone (backend closed or vanished, or we remove the
 * device): every region is released with DEVICE_GONE; their mappings
 * stay until they are detached (and no VMA maps them).
 */
static void disconnect(struct xen_ism_dev *dev)
{
	struct xen_ism_region *r, **gone = dev->gone;
	unsigned long flags, eflags;
	unsigned int i, n = 0;

	if (dev->conn == XEN_ISM_CONN_IDLE && !dev->ring)
		return;
	spin_lock_irqsave(&dev->evt_lock, eflags);
	spin_lock_irqsave(&dev->lock, flags);
	dev->conn = XEN_ISM_CONN_IDLE;
	dev->gen++;
	for (i = 0; dev->slots && i < dev->max_regions; i++) {
		r = dev->slots[i];
		if (!r)
			continue;
		dev->slots[i] = NULL;
		r->in_slot = false;
		r->gone = true;
		r->released = true;
		r->peer_present = false;
		r->notify_pending = false;
		if (r->ready) {
			xen_ism_region_get(r);
			gone[n++] = r;
		}
	}
	wake_up_all(&dev->wq);
	spin_unlock_irqrestore(&dev->lock, flags);
	for (i = 0; i < n; i++)
		xen_ism_deliver(gone[i], XEN_ISM_EVT_DEVICE_GONE, 0);
	spin_unlock_irqrestore(&dev->evt_lock, eflags);
	for (i = 0; i < n; i++) {
		xen_ism_fp_close(gone[i]);
		xen_ism_region_put(gone[i]);
	}
	free_pages_and_port(dev);
	cancel_work_sync(&dev->work);
}

/* Ask the backend for a new connection: Closed, then Initialising. */
static void reinit(struct xen_ism_dev *dev)
{
	struct xenbus_device *xb = dev->xb;

	if (xb->state != XenbusStateClosed)
		xenbus_switch_state(xb, XenbusStateClosed);
	if (dev->removing || dev->failed)
		return;
	xenbus_switch_state(xb, XenbusStateInitialising);
}

static void fail_connect(struct xen_ism_dev *dev, int rc)
{
	struct xenbus_device *xb = dev->xb;

	dev_err(&xb->dev, "ism %u: cannot connect: %d\n", dev->devid, rc);
	xenbus_printf(XBT_NIL, xb->nodename, ISM_FIELD_ERROR, "%s",
		      rc == -EPROTONOSUPPORT ? "no common protocol version" :
					       "cannot connect");
	dev->failed = true;
	xenbus_switch_state(xb, XenbusStateClosed);
}

static void ism_backend_changed(struct xenbus_device *xb, enum xenbus_state be)
{
	struct xen_ism_dev *dev = dev_get_drvdata(&xb->dev);
	bool add = false;
	int rc;

	mutex_lock(&dev->mutex);
	switch (be) {
	case XenbusStateInitWait:
		if (xb->state != XenbusStateInitialising || dev->removing)
			break;
		if (dev->conn != XEN_ISM_CONN_IDLE || dev->ring)
			disconnect(dev);
		rc = connect(dev);
		if (rc)
			fail_connect(dev, rc);
		break;
	case XenbusStateConnected:
		if (xb->state != XenbusStateInitialised ||
		    dev->conn != XEN_ISM_CONN_INIT)
			break;
		spin_lock_irq(&dev->lock);
		dev->conn = XEN_ISM_CONN_UP;
		spin_unlock_irq(&dev->lock);
		xenbus_switch_state(xb, XenbusStateConnected);
		dev_info(&xb->dev, "ism %u: connected to domain %u\n",
			 dev->devid, dev->be_domid);
		add = true;
		break;
	case XenbusStateClosing:
		disconnect(dev);
		if (xb->state != XenbusStateClosed)
			xenbus_frontend_closed(xb);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		if (dev->conn != XEN_ISM_CONN_IDLE || dev->ring)
			dev_info(&xb->dev, "ism %u: backend closed\n",
				 dev->devid);
		disconnect(dev);
		if (xb->state != XenbusStateInitialising)
			reinit(dev);
		break;
	case XenbusStateInitialising:
		/* A restarted backend: our connection is stale. */
		if (dev->conn != XEN_ISM_CONN_IDLE || dev->ring) {
			disconnect(dev);
			reinit(dev);
		}
		break;
	default:
		break;
	}
	mutex_unlock(&dev->mutex);
	if (add)
		xen_ism_clients_add(dev);
}

static int parse_devid(struct xenbus_device *xb, u32 *devid)
{
	const char *p = strrchr(xb->nodename, '/');
	u64 v;

	if (!p || parse_uint(p + 1, 1, ISM_DEVID_MAX, &v))
		return -EINVAL;
	*devid = v;
	return 0;
}

static int read_domid(u16 *domid)
{
	unsigned int v;

	if (xenbus_scanf(XBT_NIL, "domid", "", "%u", &v) != 1 ||
	    v > ISM_DOMID_MAX)
		return -ENOENT;
	*domid = v;
	return 0;
}

static int ism_probe(struct xenbus_device *xb,
		     const struct xenbus_device_id *id)
{
	enum xenbus_state state = xenbus_read_driver_state(xb->nodename);
	struct xen_ism_dev *dev;
	u32 devid;
	int rc;

	if (state != XenbusStateInitialising && state != XenbusStateClosed) {
		dev_info(&xb->dev, "%s: in use (state %d), not claimed\n",
			 xb->nodename, state);
		return -EBUSY;
	}
	rc = parse_devid(xb, &devid);
	if (rc || xb->otherend_id > ISM_DOMID_MAX)
		return -EINVAL;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	kref_init(&dev->kref);
	INIT_LIST_HEAD(&dev->node);
	mutex_init(&dev->mutex);
	spin_lock_init(&dev->lock);
	spin_lock_init(&dev->evt_lock);
	init_waitqueue_head(&dev->wq);
	INIT_WORK(&dev->work, xen_ism_work);
	dev->xb = xb;
	dev->devid = devid;
	dev->be_domid = xb->otherend_id;
	read_domid(&dev->domid);
	rc = xen_ism_dev_list_add(dev);
	if (rc) {
		kfree(dev);
		return rc;
	}
	dev_set_drvdata(&xb->dev, dev);
	if (state == XenbusStateClosed) {
		xb->state = XenbusStateClosed;
		xenbus_switch_state(xb, XenbusStateInitialising);
	}
	return 0;
}

static void ism_remove(struct xenbus_device *xb)
{
	struct xen_ism_dev *dev = dev_get_drvdata(&xb->dev);
	enum xenbus_state s;
	unsigned int waited;

	/* Clients detach their regions; requests still work meanwhile. */
	xen_ism_clients_remove(dev);
	xen_ism_dev_list_del(dev);
	mutex_lock(&dev->mutex);
	spin_lock_irq(&dev->lock);
	dev->removing = true;
	wake_up_all(&dev->wq);
	spin_unlock_irq(&dev->lock);
	if (dev->conn != XEN_ISM_CONN_IDLE) {
		xenbus_switch_state(xb, XenbusStateClosing);
		for (waited = 0; waited < XEN_ISM_CLOSE_WAIT_MS;
		     waited += XEN_ISM_CLOSE_POLL_MS) {
			s = xenbus_read_driver_state(xb->otherend);
			if (s == XenbusStateClosed || s == XenbusStateUnknown)
				break;
			msleep(XEN_ISM_CLOSE_POLL_MS);
		}
	}
	disconnect(dev);
	xenbus_switch_state(xb, XenbusStateClosed);
	mutex_unlock(&dev->mutex);
	dev_set_drvdata(&xb->dev, NULL);
	xen_ism_dev_put(dev);
}

static const struct xenbus_device_id ism_ids[] = { { ISM_DEVICE_TYPE },
						   { "" } };

static struct xenbus_driver ism_driver = {
	.ids = ism_ids,
	.probe = ism_probe,
	.otherend_changed = ism_backend_changed,
	.remove = ism_remove,
	.not_essential = true,
};

/*
 * No module owner: xenbus would pin the module while a device is bound,
 * and unloading is how an administrator lets go of every device (remove()
 * closes each one; driver unregistration waits for them).  An open
 * /dev/xen-ism still pins the module.
 */
int xen_ism_xenbus_init(void)
{
	return __xenbus_register_frontend(&ism_driver, NULL, KBUILD_MODNAME);
}

void xen_ism_xenbus_exit(void)
{
	xenbus_unregister_driver(&ism_driver);
}
