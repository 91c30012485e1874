// SPDX-License-Identifier: GPL-2.0-only
/*
 * rendezvous.c - the named token rendezvous of /dev/xen-ism: a region's
 * token published by domain $DOM for one peer $PEER under
 * /local/domain/$DOM/data/ism/<name> as "<gid>:<devid>:<token>"
 * (ism-protocol.md, "Named token rendezvous"; libxenism's name.c is the
 * userspace side of the same convention).
 *
 * Looking a name up is one xenbus_read().  Publishing needs the node's
 * permissions set to exactly (n$DOM,r$PEER) (XS_SET_PERMS), and Linux
 * 6.1's xenbus API has no way for a module to send XS_SET_PERMS:
 * include/xen/xenbus.h offers read, write, mkdir, rm, directory and
 * transactions only, and the one exported raw request,
 * xenbus_dev_request_and_reply(), delivers its answer to the private state
 * of a /dev/xen/xenbus file.  So the permissions are set by the xenstore
 * tools' xenstore-chmod, run as a usermode helper (module parameter
 * xs_chmod; without it PUBLISH fails with -EOPNOTSUPP), with arguments
 * the module makes of checked parts only.  The value is never visible to
 * another domain before: a node a guest creates inherits the permissions
 * of ~/data/ism, (n$DOM); a name published again is removed first.
 *
 * A name belongs to the file that published it: another file cannot
 * replace or remove it (-EEXIST, -ENOENT), nor one a privileged process
 * published with libxenism; the file's names go when it is closed.
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/umh.h>
#include <xen/xenbus.h>

#include "ismif.h"
#include "rendezvous.h"

/* "/local/domain/32751/data/ism/" and a name of 64: well below this. */
#define RDV_PATH_MAX 128

bool xen_ism_rdv_name_valid(const char *name)
{
	return !ism_rdv_name_validate(name);
}

/*
 * Parse "<gid>:<devid>:<token>" of @len octets (a value from another
 * domain: trust nothing).  Returns 0 or -EPROTO.
 */
int xen_ism_rdv_parse(const char *val, unsigned int len, u64 *gid_out,
		      u32 *devid_out, u64 *token_out)
{
	if (memchr(val, '\0', len) ||
	    ism_rdv_value_parse(val, len, gid_out, devid_out, token_out))
		return -EPROTO;
	return 0;
}

static int rdv_path(char *buf, u16 domid, const char *name)
{
	int n;

	if (name)
		n = snprintf(buf, RDV_PATH_MAX, "/local/domain/%u/%s/%s", domid,
			     ISM_PATH_DATA_DIR, name);
	else
		n = snprintf(buf, RDV_PATH_MAX, "/local/domain/%u/%s", domid,
			     ISM_PATH_DATA_DIR);
	return n < 0 || n >= RDV_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* This domain's id, as the toolstack wrote it into ~/domid.  May sleep. */
int xen_ism_rdv_self(u16 *domid_out)
{
	unsigned int v = xenbus_read_unsigned("domid", "", ISM_DOMID_INVALID);

	if (v > ISM_DOMID_MAX)
		return -ENXIO;
	*domid_out = (u16)v;
	return 0;
}

/*
 * Read what domain @from_domid published under @name, once.  Returns 0
 * with the token; -ENOENT if it is not published (for us): xenstored
 * answers EACCES for a name not published yet, since data/ism is not
 * readable to us; -EPROTO for a malformed value; -EXDEV if its gid is
 * not @gid (another host); or the xenstore error.  May sleep.
 */
int xen_ism_rdv_lookup(u16 from_domid, const char *name, u64 gid,
		       u64 *token_out)
{
	char path[RDV_PATH_MAX];
	unsigned int len = 0;
	u64 vgid, token;
	char *val;
	u32 devid;
	int ret;

	if (!xen_ism_rdv_name_valid(name) || from_domid > ISM_DOMID_MAX)
		return -EINVAL;
	ret = rdv_path(path, from_domid, name);
	if (ret)
		return ret;
	val = xenbus_read(XBT_NIL, path, "", &len);
	if (IS_ERR(val)) {
		ret = PTR_ERR(val);
		return ret == -EACCES ? -ENOENT : ret;
	}
	ret = xen_ism_rdv_parse(val, len, &vgid, &devid, &token);
	kfree(val);
	if (!ret && vgid != gid)
		ret = -EXDEV;
	if (!ret)
		*token_out = token;
	return ret;
}

/* Publishing. */

static char *xs_chmod = "/usr/bin/xenstore-chmod";
module_param(xs_chmod, charp, 0444);
MODULE_PARM_DESC(
	xs_chmod,
	"xenstore-chmod, which sets the permissions of published names (empty: PUBLISH is not supported)");

/* Serialises publishing, and the files' lists of names. */
static DEFINE_MUTEX(rdv_lock);

struct rdv_name {
	struct list_head link;
	char name[ISM_RENDEZVOUS_NAME_MAX + 1];
};

void xen_ism_rdv_names_init(struct xen_ism_rdv_names *names)
{
	INIT_LIST_HEAD(&names->list);
}

/* rdv_lock held. */
static struct rdv_name *rdv_find(struct xen_ism_rdv_names *names,
				 const char *name)
{
	struct rdv_name *n;

	list_for_each_entry(n, &names->list, link)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

/*
 * Set the permissions of @path to (n@owner) or (n@owner,r@reader) with
 * the xenstore tools.  May sleep.  Returns 0, -EOPNOTSUPP without the
 * tool, or -EIO.
 */
static int rdv_chmod(const char *path, u16 owner, bool has_reader, u16 reader)
{
	static char *envp[] = { "HOME=/", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				NULL };
	char own[8], rd[8];
	char *argv[] = { xs_chmod, (char *)path, own, has_reader ? rd : NULL,
			 NULL };
	int ret;

	if (!xs_chmod || !*xs_chmod)
		return -EOPNOTSUPP;
	snprintf(own, sizeof(own), "n%u", owner);
	snprintf(rd, sizeof(rd), "r%u", reader);
	ret = call_usermodehelper(xs_chmod, argv, envp, UMH_WAIT_PROC);
	if (ret == -ENOENT || ret == -EACCES)
		return -EOPNOTSUPP;
	if (ret) {
		pr_warn_ratelimited("xen-ism: %s %s: %d\n", xs_chmod, path,
				    ret);
		return ret < 0 ? ret : -EIO;
	}
	return 0;
}

/*
 * ~/data/ism exists, ours alone; and a new name is refused there when it
 * holds ISM_RENDEZVOUS_NAME_MAX already.  rdv_lock held.
 */
static int rdv_prepare_dir(const char *dir, u16 domid, bool is_new)
{
	unsigned int num = 0;
	char **list;
	int ret;

	list = xenbus_directory(XBT_NIL, dir, "", &num);
	if (!IS_ERR(list)) {
		kfree(list);
		return is_new && num >= ISM_RENDEZVOUS_NAME_MAX ? -ENOSPC : 0;
	}
	ret = PTR_ERR(list);
	if (ret != -ENOENT)
		return ret;
	ret = xenbus_mkdir(XBT_NIL, dir, "");
	if (!ret)
		ret = rdv_chmod(dir, domid, false, 0);
	return ret;
}

/*
 * Publish @token under @name for domain @peer_domid, as a name of
 * @names.  May sleep.  Returns 0, -EEXIST if the name is another's,
 * -ENOSPC (64 names), -EOPNOTSUPP (no xenstore-chmod), or -errno.
 */
int xen_ism_rdv_publish(struct xen_ism_rdv_names *names, u16 domid,
			const char *name, u64 gid, u32 devid, u64 token,
			u16 peer_domid)
{
	char dir[RDV_PATH_MAX], path[RDV_PATH_MAX];
	char val[ISM_RENDEZVOUS_VALUE_MAX + 1];
	struct rdv_name *n, *fresh = NULL;
	char *old;
	int ret;

	if (!xen_ism_rdv_name_valid(name) || peer_domid > ISM_DOMID_MAX ||
	    peer_domid == domid || !gid || !token || !devid ||
	    devid > ISM_DEVID_MAX)
		return -EINVAL;
	if (!xs_chmod || !*xs_chmod)
		return -EOPNOTSUPP;
	ret = snprintf(val, sizeof(val), "%016llx:%u:%016llx", gid, devid,
		       token);
	if (ret < 0 || ret >= (int)sizeof(val))
		return -EINVAL;
	ret = rdv_path(dir, domid, NULL);
	if (!ret)
		ret = rdv_path(path, domid, name);
	if (ret)
		return ret;
	mutex_lock(&rdv_lock);
	n = rdv_find(names, name);
	if (!n) {
		/* Not ours: it must not exist (we may read all of data/ism). */
		old = xenbus_read(XBT_NIL, path, "", NULL);
		if (!IS_ERR(old)) {
			kfree(old);
			ret = -EEXIST;
		} else if (PTR_ERR(old) != -ENOENT) {
			ret = PTR_ERR(old);
		}
		if (ret)
			goto out;
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh) {
			ret = -ENOMEM;
			goto out;
		}
		strscpy(fresh->name, name, sizeof(fresh->name));
	}
	ret = rdv_prepare_dir(dir, domid, !n);
	if (ret)
		goto out;
	/* Published again: the old peer must not see the new value. */
	if (n) {
		ret = xenbus_rm(XBT_NIL, path, "");
		if (ret && ret != -ENOENT)
			goto out;
		list_del(&n->link);
		fresh = n;
	}
	/* Inherits (n$DOM) from data/ism: nobody else sees it yet. */
	ret = xenbus_write(XBT_NIL, path, "", val);
	if (!ret) {
		ret = rdv_chmod(path, domid, true, peer_domid);
		if (ret)
			xenbus_rm(XBT_NIL, path, "");
	}
	if (!ret) {
		list_add_tail(&fresh->link, &names->list);
		fresh = NULL;
	}
out:
	mutex_unlock(&rdv_lock);
	kfree(fresh);
	return ret;
}

/* Remove @name, a name of @names.  May sleep.  Returns 0, -ENOENT, -errno. */
int xen_ism_rdv_unpublish(struct xen_ism_rdv_names *names, u16 domid,
			  const char *name)
{
	char path[RDV_PATH_MAX];
	struct rdv_name *n;
	int ret;

	if (!xen_ism_rdv_name_valid(name))
		return -EINVAL;
	ret = rdv_path(path, domid, name);
	if (ret)
		return ret;
	mutex_lock(&rdv_lock);
	n = rdv_find(names, name);
	if (n) {
		ret = xenbus_rm(XBT_NIL, path, "");
		if (ret == -ENOENT)
			ret = 0;
		/* Kept on another error, to try again. */
		if (!ret) {
			list_del(&n->link);
			kfree(n);
		}
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&rdv_lock);
	return ret;
}

/* Remove every name of @names (their file is closed).  May sleep. */
void xen_ism_rdv_unpublish_all(struct xen_ism_rdv_names *names, u16 domid)
{
	char path[RDV_PATH_MAX];
	struct rdv_name *n, *tmp;

	mutex_lock(&rdv_lock);
	list_for_each_entry_safe(n, tmp, &names->list, link) {
		if (!rdv_path(path, domid, n->name))
			xenbus_rm(XBT_NIL, path, "");
		list_del(&n->link);
		kfree(n);
	}
	mutex_unlock(&rdv_lock);
}
