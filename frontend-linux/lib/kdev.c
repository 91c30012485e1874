/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kdev.c - which implementation drives a device, and the handle, the
 * device calls and the named rendezvous over /dev/xen-ism.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kdev.h"

/* ---- Which path ---------------------------------------------------------- */

enum select_mode { MODE_AUTO, MODE_USER, MODE_KERNEL };

/* Which devices sys_first() considers. */
enum sys_want { SYS_ANY, SYS_UNBOUND, SYS_BOUND };

bool ism__sysfs_bound(const char *sysfs, uint32_t devid)
{
	char path[ISM_PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(path, sizeof(path), "%s/bus/xen/devices/%s-%u/driver",
		     sysfs, ISM_DEVICE_TYPE, devid);
	return n > 0 && (size_t)n < sizeof(path) && !stat(path, &st);
}

/* The lowest devid of the ism devices in sysfs that @want admits, or 0. */
static uint32_t sys_first(const char *sysfs, enum sys_want want)
{
	size_t prefix = strlen(ISM_DEVICE_TYPE "-");
	char path[ISM_PATH_MAX];
	uint64_t v, best = 0;
	struct dirent *e;
	bool bound;
	DIR *d;
	int n;

	n = snprintf(path, sizeof(path), "%s/bus/xen/devices", sysfs);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, ISM_DEVICE_TYPE "-", prefix) ||
		    ism__xs_parse_uint(e->d_name + prefix, 1, ISM_DEVID_MAX,
				       &v) ||
		    (best && v >= best))
			continue;
		bound = ism__sysfs_bound(sysfs, (uint32_t)v);
		if (want == SYS_ANY || bound == (want == SYS_BOUND))
			best = v;
	}
	closedir(d);
	return (uint32_t)best;
}

int ism__dev_select(const char *sysfs, const char *chardev, const char *mode,
		    uint32_t devid, uint32_t *devid_out)
{
	enum select_mode m;
	struct stat st;
	bool cdev;

	if (!mode || !*mode || !strcmp(mode, "auto"))
		m = MODE_AUTO;
	else if (!strcmp(mode, "user"))
		m = MODE_USER;
	else if (!strcmp(mode, "kernel"))
		m = MODE_KERNEL;
	else
		return -EINVAL;
	cdev = !stat(chardev, &st);
	if (m == MODE_KERNEL) {
		if (!cdev)
			return -ENODEV;
		*devid_out = devid ? devid : sys_first(sysfs, SYS_BOUND);
		return ISM_FE_PATH_KERNEL;
	}
	if (!devid) {
		devid = sys_first(sysfs,
				  m == MODE_USER ? SYS_UNBOUND : SYS_ANY);
		/* Every device is the kernel frontend's. */
		if (!devid && m == MODE_USER && sys_first(sysfs, SYS_BOUND))
			return -EBUSY;
	}
	if (!devid || !ism__sysfs_bound(sysfs, devid)) {
		*devid_out = devid;
		return ISM_FE_PATH_USER;
	}
	/* The kernel frontend drives it: never from here as well. */
	if (m == MODE_USER || !cdev)
		return -EBUSY;
	*devid_out = devid;
	return ISM_FE_PATH_KERNEL;
}

/* ---- The handle ---------------------------------------------------------- */

uint64_t ism__kdev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int ism__kioctl(int fd, unsigned long req, void *arg)
{
	int rc;

	/* EINTR: nothing was done, or it was undone (xen-ism-dev.h). */
	do
		rc = ioctl(fd, req, arg);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : rc;
}

/* Sleep @ms milliseconds (less if a signal comes). */
static void sleep_ms(int ms)
{
	poll(NULL, 0, ms);
}

/* What the kernel says of the device, into the handle. */
static int kdev_describe(struct ism_kdev *kd)
{
	struct xen_ism_ioc_dev_info di;
	ism_dev *dev = &kd->dev;
	int rc;

	memset(&di, 0, sizeof(di));
	rc = ism__kioctl(kd->fd, XEN_ISM_IOC_DEV_INFO, &di);
	if (rc)
		return rc;
	if (!di.gid || !di.devid || di.devid > ISM_DEVID_MAX ||
	    !di.max_regions || di.region_size % ISM_PAGE_SIZE)
		return -EPROTO;
	dev->gid = di.gid;
	dev->devid = di.devid;
	dev->domid = di.domid;
	dev->be_domid = di.backend_domid;
	dev->region_size = di.region_size;
	dev->max_regions = di.max_regions;
	dev->max_bytes = di.max_bytes;
	dev->max_peers = di.max_peers;
	dev->max_perm_entries = di.max_perm_entries;
	dev->fast_path = di.flags & XEN_ISM_DEV_F_FAST_PATH;
	return 0;
}

int ism__kdev_open(const char *path, uint32_t devid, int timeout_ms, bool wait,
		   ism_dev **dev_out)
{
	struct xen_ism_ioc_bind bind;
	struct ism_kdev *kd;
	uint64_t deadline, now;
	int rc;

	kd = calloc(1, sizeof(*kd));
	if (!kd)
		return -ENOMEM;
	kd->dev.dops = &ism__kernel_dev_ops;
	kd->dev.timeout_ms = timeout_ms ? timeout_ms :
					  ism__dev_timeout_default();
	/* Blocking: a wait without a deadline is one read() (kevent.c). */
	kd->fd = open(path, O_RDWR | O_CLOEXEC);
	if (kd->fd < 0) {
		rc = -errno;
		goto err_free;
	}
	deadline = kd->dev.timeout_ms < 0 ?
			   UINT64_MAX :
			   ism__kdev_now_ms() + (uint64_t)kd->dev.timeout_ms;
	for (;;) {
		memset(&bind, 0, sizeof(bind));
		bind.devid = devid;
		rc = ism__kioctl(kd->fd, XEN_ISM_IOC_BIND, &bind);
		now = ism__kdev_now_ms();
		/* Bound to the driver, but not connected to its backend yet. */
		if (rc != -ENODEV || !wait || now >= deadline)
			break;
		sleep_ms(deadline - now < ISM_KDEV_BIND_POLL_MS ?
				 (int)(deadline - now) :
				 ISM_KDEV_BIND_POLL_MS);
	}
	if (!rc)
		rc = kdev_describe(kd);
	if (rc)
		goto err_close;
	*dev_out = &kd->dev;
	return 0;
err_close:
	close(kd->fd);
err_free:
	free(kd);
	return rc;
}

static void kdev_close(ism_dev *dev)
{
	struct ism_kdev *kd = ism__kdev(dev);

	ism__kregion_destroy_all(kd);
	/* The kernel detaches what the file still holds. */
	close(kd->fd);
	free(kd->regions);
	free(kd);
}

static int kdev_info(ism_dev *dev, struct ism_dev_info *info_out)
{
	struct ism_kdev *kd = ism__kdev(dev);
	struct xen_ism_ioc_dev_info di;
	int rc;

	memset(&di, 0, sizeof(di));
	rc = ism__kioctl(kd->fd, XEN_ISM_IOC_DEV_INFO, &di);
	if (rc)
		return rc;
	memset(info_out, 0, sizeof(*info_out));
	info_out->gid = di.gid;
	info_out->devid = di.devid;
	info_out->domid = di.domid;
	info_out->backend_domid = di.backend_domid;
	info_out->version = di.version;
	info_out->region_size = di.region_size;
	info_out->max_regions = di.max_regions;
	info_out->max_bytes = di.max_bytes;
	info_out->max_peers = di.max_peers;
	info_out->max_perm_entries = di.max_perm_entries;
	info_out->fast_path = !!(di.flags & XEN_ISM_DEV_F_FAST_PATH);
	info_out->bytes_used = di.bytes_used;
	info_out->slots_used = di.slots_used;
	info_out->peers_used = di.peers_used;
	info_out->quarantined_pages = di.quarantined_pages;
	return 0;
}

static int kdev_fd(ism_dev *dev)
{
	return ism__kdev(dev)->fd;
}

/*
 * The chardev has no way to decline the fast path (xen-ism-dev.h): the
 * kernel frontend uses it whenever the backend offers it.
 */
static int kdev_set_fast_path(ism_dev *dev, int enable)
{
	(void)dev;
	return enable ? 0 : -EOPNOTSUPP;
}

/* ---- Named token rendezvous ---------------------------------------------- */

/* PUBLISH names a region of this file: the one holding @token. */
static int kdev_name_publish(ism_dev *dev, const char *name, uint64_t token,
			     uint16_t peer_domid)
{
	struct ism_kdev *kd = ism__kdev(dev);
	struct xen_ism_ioc_name n;
	struct ism_kregion *kr;

	kr = ism__kregion_by_token(kd, token);
	if (!kr)
		return -ENOENT;
	memset(&n, 0, sizeof(n));
	n.handle = kr->handle;
	n.peer_domid = peer_domid;
	strcpy(n.name, name); /* checked: at most 64 octets */
	return ism__kioctl(kd->fd, XEN_ISM_IOC_PUBLISH, &n);
}

static int kdev_name_unpublish(ism_dev *dev, const char *name)
{
	struct xen_ism_ioc_name n;
	int rc;

	memset(&n, 0, sizeof(n));
	strcpy(n.name, name);
	rc = ism__kioctl(ism__kdev(dev)->fd, XEN_ISM_IOC_UNPUBLISH, &n);
	return rc == -ENOENT ? 0 : rc;
}

/* LOOKUP reads once: a name not there (yet) is polled for. */
static int kdev_name_lookup(ism_dev *dev, const char *name, uint16_t from_domid,
			    int timeout_ms, uint64_t *token_out)
{
	struct xen_ism_ioc_lookup lk;
	int rc, pause = ISM_KDEV_LOOKUP_POLL_MS;
	uint64_t deadline, now;

	deadline = timeout_ms < 0 ? UINT64_MAX :
				    ism__kdev_now_ms() + (uint64_t)timeout_ms;
	for (;;) {
		memset(&lk, 0, sizeof(lk));
		lk.from_domid = from_domid;
		strcpy(lk.name, name);
		rc = ism__kioctl(ism__kdev(dev)->fd, XEN_ISM_IOC_LOOKUP, &lk);
		/* A node we may not read is, to us, one not published yet. */
		if (rc != -ENOENT && rc != -EACCES)
			break;
		now = ism__kdev_now_ms();
		if (now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		sleep_ms(deadline - now < (uint64_t)pause ?
				 (int)(deadline - now) :
				 pause);
		if (pause < ISM_KDEV_LOOKUP_POLL_MAX_MS)
			pause *= 2;
	}
	if (!rc)
		*token_out = lk.token;
	return rc;
}

const struct ism_fe_dev_ops ism__kernel_dev_ops = {
	.name = "kernel",
	.close = kdev_close,
	.info = kdev_info,
	.fd = kdev_fd,
	.set_fast_path = kdev_set_fast_path,
	.region_alloc = ism__kregion_alloc,
	.region_attach = ism__kregion_attach,
	.region_refresh = ism__kregion_refresh,
	.region_map = ism__kregion_map,
	.region_unmap = ism__kregion_unmap,
	.region_set_perm = ism__kregion_set_perm,
	.region_notify = ism__kregion_notify,
	.region_want = ism__kregion_want,
	.region_detach = ism__kregion_detach,
	.region_free = ism__kregion_free,
	.event_read = ism__kevent_read,
	.event_wait = ism__kevent_wait,
	.name_publish = kdev_name_publish,
	.name_unpublish = kdev_name_unpublish,
	.name_lookup = kdev_name_lookup,
};
