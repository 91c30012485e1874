/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rendezvous.c - names and values of the named token rendezvous
 * (~/data/ism/<name> = "<gid>:<devid>:<token>").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shared.h"

bool ism__name_is_valid(const char *name)
{
	return name && !ism_rdv_name_validate(name);
}

int ism__rdv_format(char *buf, size_t size, uint64_t gid, uint32_t devid,
		    uint64_t token)
{
	int n;

	if (!gid || !token || !devid || devid > ISM_DEVID_MAX)
		return -EINVAL;
	n = snprintf(buf, size, "%016" PRIx64 ":%u:%016" PRIx64, gid, devid,
		     token);
	if (n < 0 || (size_t)n >= size)
		return -EINVAL;
	return 0;
}

int ism__rdv_parse(const char *val, size_t len, uint64_t *gid_out,
		   uint32_t *devid_out, uint64_t *token_out)
{
	if (memchr(val, '\0', len) ||
	    ism_rdv_value_parse(val, len, gid_out, devid_out, token_out))
		return -EPROTO;
	return 0;
}
