/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-xsval.c - every parser of xenstore values and watch paths
 * (backend/xsval.c) on arbitrary bytes.
 *
 * Checks besides the sanitizers: a value a parser accepts prints back to
 * exactly the input (decimal, no sign, no leading zeros) and lies in the
 * parser's range; an accepted path names what it parsed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ismif.h"
#include "xsval.h"

static void fz_fail(const char *what)
{
	fprintf(stderr, "fuzz-xsval: %s\n", what);
	abort();
}

/* An accepted value must print back to the input. */
static void fz_roundtrip(const char *s, size_t len, uint64_t v,
			 const char *what)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	if (n < 0 || (size_t)n != len || memcmp(buf, s, len))
		fz_fail(what);
}

static void fz_values(const char *s, size_t len)
{
	uint32_t u32;
	uint16_t domid;
	uint64_t v;
	int state;

	if (!ism__xsval_uint(s, len, 0, UINT64_MAX, &v))
		fz_roundtrip(s, len, v, "uint");
	if (!ism__xsval_state(s, len, &state)) {
		if (state < ISM_XBS_INITIALISING || state > ISM_XBS_CLOSED)
			fz_fail("state range");
		fz_roundtrip(s, len, (uint64_t)state, "state");
	}
	if (!ism__xsval_gref(s, len, &u32)) {
		if (u32 < ISM_GREF_MIN)
			fz_fail("gref range");
		fz_roundtrip(s, len, u32, "gref");
	}
	if (!ism__xsval_evtchn(s, len, &u32)) {
		if (!u32 || u32 > ISM_EVTCHN_MAX)
			fz_fail("evtchn range");
		fz_roundtrip(s, len, u32, "evtchn");
	}
	if (!ism__xsval_domid(s, len, &domid)) {
		if (domid > ISM_DOMID_MAX)
			fz_fail("domid range");
		fz_roundtrip(s, len, domid, "domid");
	}
	if (!ism__xsval_version(s, len, &u32) &&
	    u32 != ISM_PROTOCOL_VERSION_INT)
		fz_fail("version");
}

static void fz_paths(const char *path)
{
	char want[96];
	unsigned int depth;
	uint16_t domid;
	uint32_t devid;

	if (!ism__xsval_be_path(path, &depth, &domid, &devid)) {
		if (depth > 2)
			fz_fail("be path depth");
		if (depth == 2) {
			if (!devid || devid > ISM_DEVID_MAX)
				fz_fail("be path devid");
			snprintf(want, sizeof(want), "backend/ism/%u/%u", domid,
				 devid);
			if (strncmp(path, want, strlen(want)))
				fz_fail("be path names another device");
		}
	}
	if (!ism__xsval_fe_path(path, &domid, &devid)) {
		snprintf(want, sizeof(want), ISM_PATH_FRONTEND_FMT, domid,
			 devid);
		if (strncmp(path, want, strlen(want)) || !devid)
			fz_fail("fe path names another device");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	/* Values are counted (they may hold NULs); paths are strings. */
	memcpy(s, data, size);
	fz_values(s, size);
	s[size] = '\0';
	fz_paths(s);
	free(s);
	return 0;
}
