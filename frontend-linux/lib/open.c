/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * open.c - ism_dev_open() on the real system: the character device of
 * the kernel frontend for a device it drives, else the userspace protocol
 * implementation on the real platform (the unit tests link the library
 * without this file and open on the fake).
 */
#include <errno.h>
#include <stdlib.h>

#include "kdev.h"

#define ISM_SYSFS "/sys"

int ism_dev_open(uint32_t devid, int timeout_ms, ism_dev **dev_out)
{
	const struct ism_fe_ops *ops;
	struct ism_fe_platform *p;
	uint32_t id = 0;
	int rc;

	if (!dev_out || timeout_ms < -1)
		return -EINVAL;
	rc = ism__dev_select(ISM_SYSFS, XEN_ISM_DEV_PATH,
			     secure_getenv(ISM_FRONTEND_ENV), devid, &id);
	if (rc < 0)
		return rc;
	if (rc == ISM_FE_PATH_KERNEL)
		return ism__kdev_open(XEN_ISM_DEV_PATH, id, timeout_ms,
				      id && ism__sysfs_bound(ISM_SYSFS, id),
				      dev_out);
	rc = ism__platform_linux_open(&ops, &p);
	if (rc)
		return rc;
	return ism__dev_open_on(ops, p, id, timeout_ms, dev_out);
}
