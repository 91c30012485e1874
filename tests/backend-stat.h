/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend-stat.h - the tests' look-up of one device in the backend core's
 * device list (ism_backend_list_devices()), as `ismctl list` shows it.
 */
#ifndef ISM_TESTS_BACKEND_STAT_H
#define ISM_TESTS_BACKEND_STAT_H

#include <stdbool.h>
#include <stdlib.h>

#include "ism-backend.h"

/* The list's line of device @devid in *@out; false if it has none. */
static inline bool test_backend_dev_stat(const struct ism_backend *be,
					 uint32_t devid,
					 struct ism_device_stat *out)
{
	struct ism_device_stat *list;
	unsigned int n, i;
	bool found = false;

	if (ism_backend_list_devices(be, &list, &n))
		return false;
	for (i = 0; i < n; i++) {
		if (list[i].devid == devid) {
			*out = list[i];
			found = true;
		}
	}
	free(list);
	return found;
}

#endif /* ISM_TESTS_BACKEND_STAT_H */
