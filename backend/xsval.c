/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xsval.c - the only parsers of guest-written xenstore values and of watch
 * paths (see xsval.h).  All of them are fuzzed (tests/fuzz/fuzz-xsval.c).
 */
#include <errno.h>
#include <string.h>

#include "ismif.h"
#include "xsval.h"

#define ISM_BE_PREFIX "backend/" ISM_DEVICE_TYPE
#define ISM_FE_PREFIX "/local/domain/"
#define ISM_FE_MIDDLE "/device/" ISM_DEVICE_TYPE "/"

int ism__xsval_uint(const char *s, size_t len, uint64_t lo, uint64_t hi,
		    uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	/* 20 digits hold 2^64 - 1; "0" alone is the only leading zero. */
	if (!s || !len || len > 20 || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* ism__xsval_uint() for a value that fits 32 bits. */
static int ism_xsval_u32(const char *s, size_t len, uint32_t lo, uint32_t hi,
			 uint32_t *out)
{
	uint64_t v;
	int rc;

	rc = ism__xsval_uint(s, len, lo, hi, &v);
	if (!rc)
		*out = (uint32_t)v;
	return rc;
}

int ism__xsval_state(const char *s, size_t len, int *out)
{
	uint32_t v;
	int rc;

	rc = ism_xsval_u32(s, len, ISM_XBS_INITIALISING, ISM_XBS_CLOSED, &v);
	if (!rc)
		*out = (int)v;
	return rc;
}

int ism__xsval_gref(const char *s, size_t len, uint32_t *out)
{
	return ism_xsval_u32(s, len, ISM_GREF_MIN, UINT32_MAX, out);
}

int ism__xsval_evtchn(const char *s, size_t len, uint32_t *out)
{
	return ism_xsval_u32(s, len, 1, ISM_EVTCHN_MAX, out);
}

int ism__xsval_domid(const char *s, size_t len, uint16_t *out)
{
	uint32_t v;
	int rc;

	rc = ism_xsval_u32(s, len, 0, ISM_DOMID_MAX, &v);
	if (!rc)
		*out = (uint16_t)v;
	return rc;
}

int ism__xsval_version(const char *s, size_t len, uint32_t *out)
{
	return ism_xsval_u32(s, len, ISM_PROTOCOL_VERSION_INT,
			     ISM_PROTOCOL_VERSION_INT, out);
}

/* Length of the path component at @s (up to '/' or the end). */
static size_t ism_xsval_component(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash ? (size_t)(slash - s) : strlen(s);
}

/* Parse "D/V" at @s into a domid and devid; *@rest_out is what follows. */
static int ism_xsval_dom_dev(const char *s, uint16_t *domid_out,
			     uint32_t *devid_out, const char **rest_out)
{
	size_t n = ism_xsval_component(s);
	uint64_t devid;
	uint16_t domid;

	if (ism__xsval_domid(s, n, &domid))
		return -EINVAL;
	s += n;
	if (*s != '/')
		return -EINVAL;
	s++;
	n = ism_xsval_component(s);
	if (ism__xsval_uint(s, n, 1, ISM_DEVID_MAX, &devid))
		return -EINVAL;
	*domid_out = domid;
	*devid_out = (uint32_t)devid;
	*rest_out = s + n;
	return 0;
}

int ism__xsval_be_path(const char *path, unsigned int *depth_out,
		       uint16_t *domid_out, uint32_t *devid_out)
{
	const size_t plen = strlen(ISM_BE_PREFIX);
	const char *s, *rest;
	uint16_t domid;
	uint32_t devid;
	size_t n;

	if (!path || strncmp(path, ISM_BE_PREFIX, plen))
		return -EINVAL;
	s = path + plen;
	if (!*s) {
		*depth_out = 0;
		return 0;
	}
	if (*s++ != '/')
		return -EINVAL;
	n = ism_xsval_component(s);
	if (!s[n]) {
		if (ism__xsval_domid(s, n, &domid))
			return -EINVAL;
		*depth_out = 1;
		*domid_out = domid;
		return 0;
	}
	if (ism_xsval_dom_dev(s, &domid, &devid, &rest))
		return -EINVAL;
	if (*rest && *rest != '/')
		return -EINVAL;
	*depth_out = 2;
	*domid_out = domid;
	*devid_out = devid;
	return 0;
}

int ism__xsval_fe_path(const char *path, uint16_t *domid_out,
		       uint32_t *devid_out)
{
	const size_t plen = strlen(ISM_FE_PREFIX);
	const size_t mlen = strlen(ISM_FE_MIDDLE);
	const char *s, *rest;
	uint16_t domid;
	uint32_t devid;
	size_t n;
	uint64_t v;

	if (!path || strncmp(path, ISM_FE_PREFIX, plen))
		return -EINVAL;
	s = path + plen;
	n = ism_xsval_component(s);
	if (ism__xsval_uint(s, n, 0, ISM_DOMID_MAX, &v))
		return -EINVAL;
	domid = (uint16_t)v;
	s += n;
	if (strncmp(s, ISM_FE_MIDDLE, mlen))
		return -EINVAL;
	s += mlen;
	n = ism_xsval_component(s);
	if (ism__xsval_uint(s, n, 1, ISM_DEVID_MAX, &v))
		return -EINVAL;
	devid = (uint32_t)v;
	rest = s + n;
	if (*rest && *rest != '/')
		return -EINVAL;
	*domid_out = domid;
	*devid_out = devid;
	return 0;
}
