/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * open.c - ism_dev_open() on the real platform (the unit tests link the
 * library without it and open on the fake).
 */
#include <errno.h>

#include "private.h"

int ism_dev_open(uint32_t devid, int timeout_ms, ism_dev **dev_out)
{
	const struct ism_fe_ops *ops;
	struct ism_fe_platform *p;
	int rc;

	if (!dev_out || timeout_ms < -1)
		return -EINVAL;
	rc = ism__platform_linux_open(&ops, &p);
	if (rc)
		return rc;
	return ism__dev_open_on(ops, p, devid, timeout_ms, dev_out);
}
