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
	size_t i, len;

	if (!name)
		return false;
	len = strlen(name);
	if (!len || len > ISM_RENDEZVOUS_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
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
	char gid[17], devid[11], token[17];
	const char *c1, *c2, *end = val + len;
	uint64_t g, d, t;

	if (len > ISM_RENDEZVOUS_VALUE_MAX || memchr(val, '\0', len))
		return -EPROTO;
	c1 = memchr(val, ':', len);
	if (!c1 || c1 - val != 16)
		return -EPROTO;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2 || c2 - c1 - 1 < 1 || c2 - c1 - 1 > 10 || end - c2 - 1 != 16)
		return -EPROTO;
	memcpy(gid, val, 16);
	gid[16] = '\0';
	memcpy(devid, c1 + 1, (size_t)(c2 - c1 - 1));
	devid[c2 - c1 - 1] = '\0';
	memcpy(token, c2 + 1, 16);
	token[16] = '\0';
	if (ism__xs_parse_hex64(gid, &g) || ism__xs_parse_hex64(token, &t) ||
	    ism__xs_parse_uint(devid, 1, ISM_DEVID_MAX, &d))
		return -EPROTO;
	*gid_out = g;
	*devid_out = (uint32_t)d;
	*token_out = t;
	return 0;
}
