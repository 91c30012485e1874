/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-kdev-select.c - which implementation ism_dev_open() takes (the
 * kernel frontend's /dev/xen-ism or the userspace protocol), from a fake
 * sysfs tree and a fake character device in a temporary directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "../lib/kdev.h"

TAP_MAIN;

static char root[64], sysfs[128], cdev[128];

static void mk(const char *fmt, unsigned int a)
{
	char path[512], sub[128];

	snprintf(sub, sizeof(sub), fmt, a);
	snprintf(path, sizeof(path), "%s/bus/xen/devices/%s", sysfs, sub);
	if (mkdir(path, 0755) && errno != EEXIST)
		tap_diag("mkdir %s: %s", path, strerror(errno));
}

/* A device the kernel knows, bound to its driver or not. */
static void device(unsigned int devid, int bound)
{
	mk("ism-%u", devid);
	if (bound)
		mk("ism-%u/driver", devid);
}

static void chardev(int present)
{
	FILE *f;

	if (!present) {
		unlink(cdev);
		return;
	}
	f = fopen(cdev, "w");
	if (f)
		fclose(f);
}

static void reset(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "rm -rf %s/sys && mkdir -p %s/bus/xen/devices", root, sysfs);
	if (system(cmd))
		tap_diag("reset failed");
	chardev(0);
}

/* ism__dev_select(), the devid it chose in *@id (UINT32_MAX: untouched). */
static int sel(const char *mode, uint32_t devid, uint32_t *id)
{
	*id = UINT32_MAX;
	return ism__dev_select(sysfs, cdev, mode, devid, id);
}

int main(void)
{
	char cmd[256];
	uint32_t id;
	int rc;

	tap_plan(31);
	snprintf(root, sizeof(root), "/tmp/test-kdev-select.XXXXXX");
	if (!mkdtemp(root)) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	snprintf(sysfs, sizeof(sysfs), "%s/sys/fake", root);
	snprintf(cdev, sizeof(cdev), "%s/xen-ism", root);
	reset();

	/* No kernel frontend at all: today's path, the devid as given. */
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 0,
	       "nothing in sysfs, no chardev: userspace, devid 0");
	rc = sel(NULL, 7, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 7,
	       "an explicit devid unknown to sysfs: userspace, unchanged");
	device(1, 0);
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 1,
	       "device 1 not bound: userspace on device 1");

	/* The module is loaded but not bound to the device. */
	chardev(1);
	rc = sel(NULL, 1, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 1,
	       "chardev present, device not bound: userspace");
	rc = sel("auto", 1, &id);
	tap_is_int(rc, ISM_FE_PATH_USER, "\"auto\" is the default");
	rc = sel("", 1, &id);
	tap_is_int(rc, ISM_FE_PATH_USER, "an empty mode is the default");

	/* Bound to the kernel frontend. */
	device(1, 1);
	rc = sel(NULL, 1, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 1,
	       "device 1 bound, chardev present: kernel");
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 1,
	       "devid 0 resolves to bound device 1: kernel");
	rc = sel("user", 1, &id);
	tap_ok(rc == -EBUSY && id == UINT32_MAX,
	       "\"user\" on a bound device: -EBUSY, nothing chosen");
	rc = sel("user", 0, &id);
	tap_is_int(rc, -EBUSY, "\"user\", devid 0, every device bound: -EBUSY");
	rc = sel("kernel", 1, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 1, "\"kernel\": kernel");
	chardev(0);
	rc = sel(NULL, 1, &id);
	tap_ok(rc == -EBUSY && id == UINT32_MAX,
	       "bound but no chardev: -EBUSY, never driven from userspace");
	rc = sel("kernel", 1, &id);
	tap_is_int(rc, -ENODEV, "\"kernel\" without the chardev: -ENODEV");
	chardev(1);

	/* Several devices: the lowest devid, numerically. */
	reset();
	chardev(1);
	device(10, 0);
	device(9, 1);
	device(12, 1);
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 9,
	       "devid 0: the lowest devid (9 before 10), bound: kernel");
	rc = sel("user", 0, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 10,
	       "\"user\", devid 0: the lowest not bound (10)");
	rc = sel("kernel", 0, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 9,
	       "\"kernel\", devid 0: the lowest bound (9)");
	rc = sel(NULL, 10, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 10,
	       "explicit devid 10, not bound: userspace");
	rc = sel(NULL, 12, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 12,
	       "explicit devid 12, bound: kernel");
	rc = sel("user", 12, &id);
	tap_is_int(rc, -EBUSY, "\"user\" on bound devid 12: -EBUSY");

	/* Unbound lowest first: auto stays on today's choice. */
	device(3, 0);
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 3,
	       "devid 0, the lowest (3) not bound: userspace on 3");

	/* Entries that are not ism devices, or not devids. */
	reset();
	chardev(1);
	mk("vif-%u", 0);
	mk("ism-%u", 0);
	mk("ism-0%u", 5);
	mk("ism-%ux", 4);
	mk("ism%u", 2);
	mk("vif-%u/driver", 0);
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 0,
	       "vif-0, ism-0, ism-05, ism-4x, ism2 are ignored");
	rc = sel("kernel", 0, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 0,
	       "\"kernel\", devid 0, no bound device: BIND decides (0)");
	device(2147483647u, 1);
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 2147483647u,
	       "the highest devid is one");
	reset();
	chardev(1);
	device(2147483647u, 0);
	mk("ism-%u", 2147483648u);
	mk("ism-%u/driver", 2147483648u);
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 2147483647u,
	       "ism-2147483648 (above the devid range) is ignored");

	/* Modes. */
	rc = sel("Kernel", 1, &id);
	tap_ok(rc == -EINVAL && id == UINT32_MAX, "unknown mode: -EINVAL");
	rc = sel("users", 1, &id);
	tap_is_int(rc, -EINVAL, "\"users\" is not \"user\": -EINVAL");

	/* No sysfs at all (a container): auto and user as today. */
	snprintf(sysfs, sizeof(sysfs), "%s/nonexistent", root);
	rc = sel(NULL, 0, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 0, "no sysfs: userspace");
	rc = sel("user", 5, &id);
	tap_ok(rc == ISM_FE_PATH_USER && id == 5, "no sysfs, \"user\": ok");
	rc = sel("kernel", 0, &id);
	tap_ok(rc == ISM_FE_PATH_KERNEL && id == 0,
	       "no sysfs, \"kernel\" with the chardev: kernel, devid 0");

	/* The helper the real open uses to decide to wait in BIND. */
	snprintf(sysfs, sizeof(sysfs), "%s/sys/fake", root);
	reset();
	device(4, 1);
	device(5, 0);
	tap_ok(ism__sysfs_bound(sysfs, 4), "device 4 is bound");
	tap_ok(!ism__sysfs_bound(sysfs, 5) && !ism__sysfs_bound(sysfs, 6),
	       "device 5 (no driver) and 6 (absent) are not");

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		tap_diag("cleanup failed");
	return tap_done();
}
