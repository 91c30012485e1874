/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-state.c - ism_backend_restore() fed with damaged states: a true
 * state of two guests sharing a region (each mapping it), truncated and
 * with octets flipped, restored on a platform that kept the pages.
 *
 * The input: two octets (little-endian) that cut the state to that length
 * modulo its length + 1 (0: whole), then records of three octets: an
 * offset (two octets, modulo the length) and a value to XOR there.
 *
 * Checks besides the sanitizers: the restore either fails or starts a
 * backend whose devices are in valid states; and once the guests unmap
 * and the backend is freed (or the failed platform closed), the backend's
 * domain holds nothing: whatever the state said, no page or grant leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

static void fz_fail(const char *what)
{
	fprintf(stderr, "fuzz-state: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ism_region_desc da, db;
	struct fe_map ma, mb;
	struct fe fes[2];
	uint8_t *state;
	size_t len, off, i;
	struct fw w;
	int rc, st;

	fw_open_guests(&w, NULL, fes, 2);
	rc = fw_keep(&w);
	rc = rc ?: fe_alloc(&fes[0], 2 * ISM_PAGE_SIZE, &da);
	rc = rc ?: fe_attach(&fes[1], da.token, 0, &db);
	rc = rc ?: fe_map(&fes[0], &da, false, &ma);
	rc = rc ?: fe_map(&fes[1], &db, true, &mb);
	if (rc || !w.state_len)
		fz_fail("setup");
	len = w.state_len;
	state = malloc(len);
	if (!state)
		fz_fail("out of memory");
	memcpy(state, w.state, len);
	if (size >= 2 && (data[0] | data[1] << 8) % (len + 1))
		len = (data[0] | (size_t)data[1] << 8) % (len + 1);
	for (i = 2; len && i + 3 <= size; i += 3) {
		off = (data[i] | (size_t)data[i + 1] << 8) % len;
		state[off] ^= data[i + 2];
	}
	rc = fw_restart(&w, state, len, NULL);
	free(state);
	if (!rc) {
		st = fe_be_state(&fes[0]);
		if (st < ISM_XBS_INITIALISING || st > ISM_XBS_CLOSED)
			fz_fail("backend state node is not a xenbus state");
	}
	fe_unmap(&fes[0], &ma);
	fe_unmap(&fes[1], &mb);
	if (w.be) {
		fw_stop(&w);
	} else {
		/* The failed restore's platform releases what it adopted. */
		fake_xen_platform_close(w.p);
		w.p = NULL;
	}
	if (!fw_be_clean(&w))
		fz_fail("the backend domain holds something at the end");
	if (w.p)
		fake_xen_platform_close(w.p);
	fake_xen_destroy(w.fx);
	free(w.state);
	return 0;
}
