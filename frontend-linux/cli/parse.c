/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * parse.c - the ism CLI's argument parsers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenism.h>

#include "parse.h"

int ism_cli_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ism_cli_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || !v || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int ism_cli_parse_token(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s)
		return -EINVAL;
	if (!strncmp(s, "0x", 2))
		s += 2;
	if (!*s || strlen(s) > 16 ||
	    strspn(s, "0123456789abcdefABCDEF") != strlen(s))
		return -EINVAL;
	v = strtoull(s, &end, 16);
	if (*end || !v)
		return -EINVAL;
	*out = v;
	return 0;
}

int ism_cli_parse_perm(const char *s, uint32_t *out)
{
	uint32_t perm = 0;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			perm |= ISM_PERM_READ;
			break;
		case 'w':
			perm |= ISM_PERM_WRITE | ISM_PERM_READ;
			break;
		case 'a':
			perm |= ISM_PERM_ATTACH;
			break;
		case 'm':
			perm |= ISM_PERM_MANAGE;
			break;
		case 'd':
			perm |= ISM_PERM_DENY_OTHER;
			break;
		default:
			return -EINVAL;
		}
	}
	*out = perm;
	return 0;
}
