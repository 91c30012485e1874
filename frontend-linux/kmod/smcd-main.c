// SPDX-License-Identifier: GPL-2.0-only
/*
 * smcd-main.c - xen-ism-smcd: an SMC-D device on each xen-ism device, so
 * that Linux's own SMC (AF_SMC, Debian's smc.ko) carries TCP connections
 * between guests through xen-ism regions.  Module entry points, the
 * devices' life, and the ops of 6.1's struct smcd_ops that are about
 * identity: GID, CHID, system EID, which peers to talk to.
 *
 * Identity: the GID is the device's devid (low 32 bits, how a peer finds
 * the device to share with) and a random number drawn when the SMC-D
 * device is made (high 32 bits), so that a guest instance never has the
 * GID of an earlier one, whatever domid or devid it reuses.  The CHID is
 * the same for every device of one host (a fold of xen-ism's host gid):
 * SMC-Dv2 pairs devices of equal CHID.  The system EID only turns SMC-Dv2
 * on; on x86 the peers must share a UEID (ism-smc(8)).
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "ismif.h"
#include "smcd.h"

char *xen_ism_smcd_peers = "";
module_param_named(peers, xen_ism_smcd_peers, charp, 0444);
MODULE_PARM_DESC(
	peers,
	"devids of the devices SMC-D may talk to, comma-separated (default: every device of this host)");

static DEFINE_MUTEX(xen_ism_smcd_lock);
static LIST_HEAD(xen_ism_smcd_devs);

/* 32 characters; not '0' at offset 24, which turns SMC-Dv2 on. */
static u8 xen_ism_smcd_seid[] = "XEN-ISM-SMCD-SYSTEM-EID-V2-00001";

u32 xen_ism_smcd_gid_devid(u64 gid)
{
	return lower_32_bits(gid);
}

/* Does the policy (the "peers" parameter) allow @devid? */
bool xen_ism_smcd_peer_allowed(u32 devid)
{
	const char *p = xen_ism_smcd_peers;
	unsigned long v;
	char num[12];
	size_t n;

	if (!p || !*p)
		return true;
	while (*p) {
		n = strcspn(p, ",");
		if (n && n < sizeof(num)) {
			memcpy(num, p, n);
			num[n] = '\0';
			if (!kstrtoul(num, 10, &v) && v == devid)
				return true;
		}
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/*
 * SMC asks (process context) whether it can reach @rgid: a device of
 * this host (the CHID matched already) that is not this one, that the
 * policy allows and that is connected now (PEER; a backend that predates
 * it cannot tell, and a device that is gone shows when SMC attaches its
 * DMB).  Nonzero means no: the connection goes over TCP.
 */
static int smcd_query_remote_gid(struct smcd_dev *smcd, u64 rgid, u32 vid_valid,
				 u32 vid)
{
	struct xen_ism_smcd *xsd = smcd->priv;
	u32 devid = xen_ism_smcd_gid_devid(rgid);
	int rc;

	if (!devid || devid > ISM_DEVID_MAX || devid == xsd->devid)
		return -ENOENT;
	if (!xen_ism_smcd_peer_allowed(devid)) {
		pr_info_ratelimited(
			"xen-ism-smcd: ism %u: device %u is not in peers: over TCP\n",
			xsd->devid, devid);
		return -EACCES;
	}
	rc = xen_ism_dev_peer(xsd->xdev, 0, devid, NULL);
	if (rc == 1 || rc == -EOPNOTSUPP)
		return 0;
	pr_info_ratelimited(
		"xen-ism-smcd: ism %u: device %u is not connected (%d): over TCP\n",
		xsd->devid, devid, rc);
	return -ENOENT;
}

/* VLANs mean nothing between xen-ism devices. */
static int smcd_vlan_id(struct smcd_dev *smcd, u64 vlan_id)
{
	return 0;
}

static int smcd_vlan_required(struct smcd_dev *smcd)
{
	return 0;
}

/*
 * 6.1 signals its peer when a link group ends (and answers test-link
 * requests, which it never sends itself): a SIGNAL to the peer's device,
 * which hands it to its SMC as a software event.  Atomic-safe.
 */
static int smcd_signal_event(struct smcd_dev *smcd, u64 rgid, u32 trigger_irq,
			     u32 event_code, u64 info)
{
	struct xen_ism_smcd *xsd = smcd->priv;

	return xen_ism_dev_signal(xsd->xdev, xen_ism_smcd_gid_devid(rgid),
				  event_code, info);
}

/* A SIGNAL from another device: atomic context. */
static void xsd_signal(struct xen_ism_dev *xdev, u32 from_devid, u32 code,
		       u64 info, void *data)
{
	struct xen_ism_smcd *xsd = data;

	if (code == XEN_ISM_SMCD_SIG_GONE)
		xen_ism_smcd_peer_gone(xsd, from_devid);
	else
		xen_ism_smcd_peer_event(xsd, from_devid, code, info);
}

static u8 *smcd_get_system_eid(void)
{
	return xen_ism_smcd_seid;
}

/* Called under a spinlock. */
static u16 smcd_get_chid(struct smcd_dev *smcd)
{
	struct xen_ism_smcd *xsd = smcd->priv;

	return xsd->chid;
}

static const struct smcd_ops xen_ism_smcd_ops = {
	.query_remote_gid = smcd_query_remote_gid,
	.register_dmb = xen_ism_smcd_register_dmb,
	.unregister_dmb = xen_ism_smcd_unregister_dmb,
	.add_vlan_id = smcd_vlan_id,
	.del_vlan_id = smcd_vlan_id,
	.set_vlan_required = smcd_vlan_required,
	.reset_vlan_required = smcd_vlan_required,
	.signal_event = smcd_signal_event,
	.move_data = xen_ism_smcd_move_data,
	.get_system_eid = smcd_get_system_eid,
	.get_chid = smcd_get_chid,
};

static void parent_release(struct device *dev)
{
	kfree(container_of(dev, struct pci_dev, dev));
}

/*
 * 6.1's dump of SMC-D devices (SMC_NETLINK_GET_DEV_SMCD) reads each
 * device's parent as a struct pci_dev (ISM is a PCI function on s390),
 * and an unregistered or NULL parent oopses it.  xen-ism has no PCI
 * function, so the parent is a plain device embedded in a zeroed struct
 * pci_dev: the dump reads zero ids and its name.  It is on no bus.
 */
static struct device *parent_new(u32 devid)
{
	struct pci_dev *pdev;
	int rc;

	pdev = kzalloc(sizeof(*pdev), GFP_KERNEL);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	device_initialize(&pdev->dev);
	pdev->dev.release = parent_release;
	rc = dev_set_name(&pdev->dev, "xen-ism-%u", devid);
	if (!rc)
		rc = device_add(&pdev->dev);
	if (rc) {
		put_device(&pdev->dev);
		return ERR_PTR(rc);
	}
	return &pdev->dev;
}

static u16 chid_of(u64 host_gid)
{
	u16 chid = host_gid ^ (host_gid >> 16) ^ (host_gid >> 32) ^
		   (host_gid >> 48);

	/* 0xffff is loopback-ism's in later kernels. */
	return chid == 0xffff ? 0xfffe : chid;
}

/* Make and register the SMC-D device (process context, a work item). */
static void xsd_setup(struct work_struct *work)
{
	struct xen_ism_smcd *xsd =
		container_of(work, struct xen_ism_smcd, setup);
	struct xen_ism_dev_info info;
	struct smcd_dev *smcd;
	struct device *parent;
	char name[24];
	int rc;

	rc = xen_ism_dev_info(xsd->xdev, &info);
	if (rc)
		goto out;
	xsd->devid = info.devid;
	xsd->chid = chid_of(info.gid);
	parent = parent_new(info.devid);
	if (IS_ERR(parent)) {
		rc = PTR_ERR(parent);
		goto out;
	}
	snprintf(name, sizeof(name), "xen-ism-smcd-%u", info.devid);
	smcd = smcd_alloc_dev(parent, name, &xen_ism_smcd_ops,
			      XEN_ISM_SMCD_MAX_DMBS);
	if (!smcd) {
		rc = -ENOMEM;
		goto out_parent;
	}
	smcd->priv = xsd;
	smcd->local_gid = (u64)get_random_u32() << 32 | info.devid;
	rc = smcd_register_dev(smcd);
	if (rc) {
		smcd_free_dev(smcd);
		goto out_parent;
	}
	xsd->parent = parent;
	xsd->smcd = smcd;
	rc = xen_ism_dev_on_signal(xsd->xdev, xsd_signal, xsd);
	if (rc)
		pr_warn("xen-ism-smcd: ism %u: no SIGNAL handler: %d\n",
			info.devid, rc);
	pr_info("xen-ism-smcd: ism %u: SMC-D device %s, GID %016llx, CHID %04x\n",
		info.devid, name, smcd->local_gid, xsd->chid);
	return;

out_parent:
	device_unregister(parent);
out:
	pr_warn("xen-ism-smcd: ism %u: no SMC-D device: %d\n", xsd->devid, rc);
}

static void xsd_add(struct xen_ism_dev *xdev)
{
	struct xen_ism_smcd *xsd;

	xsd = kzalloc(sizeof(*xsd), GFP_KERNEL);
	if (!xsd)
		return;
	xsd->xdev = xdev;
	spin_lock_init(&xsd->lock);
	hash_init(xsd->rdmbs);
	INIT_LIST_HEAD(&xsd->attach);
	INIT_LIST_HEAD(&xsd->reap);
	INIT_WORK(&xsd->work, xen_ism_smcd_work);
	INIT_WORK(&xsd->setup, xsd_setup);
	mutex_lock(&xen_ism_smcd_lock);
	list_add_tail(&xsd->node, &xen_ism_smcd_devs);
	mutex_unlock(&xen_ism_smcd_lock);
	schedule_work(&xsd->setup);
}

/*
 * The xen-ism device goes: unregistering the SMC-D device ends its link
 * groups, which unregisters (frees) every DMB of this guest; then the
 * peers' DMBs are detached.
 */
static void xsd_remove(struct xen_ism_dev *xdev)
{
	struct xen_ism_smcd *xsd, *found = NULL;

	mutex_lock(&xen_ism_smcd_lock);
	list_for_each_entry(xsd, &xen_ism_smcd_devs, node)
		if (xsd->xdev == xdev) {
			found = xsd;
			list_del(&xsd->node);
			break;
		}
	mutex_unlock(&xen_ism_smcd_lock);
	if (!found)
		return;
	xsd = found;
	flush_work(&xsd->setup);
	xen_ism_dev_on_signal(xdev, NULL, NULL);
	if (xsd->smcd)
		smcd_unregister_dev(xsd->smcd);
	xen_ism_smcd_rdmbs_drop(xsd);
	if (xsd->smcd)
		smcd_free_dev(xsd->smcd);
	if (xsd->parent)
		device_unregister(xsd->parent);
	kfree(xsd);
}

static struct xen_ism_client xen_ism_smcd_client = {
	.name = "xen-ism-smcd",
	.add = xsd_add,
	.remove = xsd_remove,
};

static int __init xen_ism_smcd_init(void)
{
	BUILD_BUG_ON(sizeof(xen_ism_smcd_seid) != 33);
	return xen_ism_client_register(&xen_ism_smcd_client);
}

static void __exit xen_ism_smcd_exit(void)
{
	xen_ism_client_unregister(&xen_ism_smcd_client);
}

module_init(xen_ism_smcd_init);
module_exit(xen_ism_smcd_exit);
MODULE_DESCRIPTION(
	"xen-ism SMC-D: AF_SMC connections between Xen guests over xen-ism regions");
MODULE_LICENSE("GPL");
