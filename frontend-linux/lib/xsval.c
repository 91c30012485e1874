/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xsval.c - strict parsers of the values the backend writes in xenstore.
 */
#include <errno.h>
#include <string.h>

#include "shared.h"

int ism__xs_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;
	const char *c;

	if (!*s || (s[0] == '0' && s[1]))
		return -EPROTO;
	for (c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -EPROTO;
		d = (unsigned int)(*c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EPROTO;
		v = v * 10 + d;
	}
	if (v < lo || v > hi)
		return -EPROTO;
	*out = v;
	return 0;
}

int ism__xs_parse_hex64(const char *s, uint64_t *out)
{
	return strnlen(s, 17) != 16 || ism_hex64_parse(s, out) ? -EPROTO : 0;
}

int ism__xs_versions_has(const char *s, unsigned int want)
{
	uint64_t v, prev = 0;
	int found = 0;
	char num[4];
	size_t n;

	for (;;) {
		for (n = 0; s[n] && s[n] != ','; n++)
			if (n >= 3)
				return -EPROTO;
		memcpy(num, s, n);
		num[n] = '\0';
		if (ism__xs_parse_uint(num, 1, 255, &v) || v <= prev)
			return -EPROTO;
		found |= v == want;
		prev = v;
		if (!s[n])
			return found;
		s += n + 1;
	}
}
