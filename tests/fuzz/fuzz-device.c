/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-device.c - the device state machine fed with arbitrary frontend
 * node values, in any order: what a hostile guest can write to its
 * xenstore directory (state, version, ring-ref, event-page-ref,
 * event-channel), plus the toolstack's online node.
 *
 * The input is a list of records: one octet picking the node (bits 0-2)
 * and whether to write the true value instead of the bytes (bit 3: the
 * real grant references and port of the guest's pages, version 1), one
 * length octet (at most 40), then the value.
 *
 * Checks besides the sanitizers: the backend's state node always holds a
 * valid xenbus state, and once the backend is freed its domain holds
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

#define VAL_MAX 40

static const char *const fz_fields[8] = {
	ISM_FIELD_STATE,	  ISM_FIELD_VERSION,	   ISM_FIELD_RING_REF,
	ISM_FIELD_EVENT_PAGE_REF, ISM_FIELD_EVENT_CHANNEL, ISM_FIELD_STATE,
	ISM_FIELD_ONLINE, /* the toolstack's, in the backend dir */
	ISM_FIELD_STATE,
};

static void fz_fail(const char *what)
{
	fprintf(stderr, "fuzz-device: %s\n", what);
	abort();
}

/* The true value of field @k for guest @f. */
static void fz_true_value(const struct fe *f, unsigned int k, char *buf,
			  size_t len)
{
	static const char *const states[8] = { "1", "",	 "",  "",
					       "",  "3", "1", "4" };

	switch (k) {
	case 1:
		snprintf(buf, len, "%s", ISM_PROTOCOL_VERSION);
		break;
	case 2:
		snprintf(buf, len, "%u", f->ring_gref);
		break;
	case 3:
		snprintf(buf, len, "%u", f->evt_gref);
		break;
	case 4:
		snprintf(buf, len, "%u", f->port);
		break;
	default:
		snprintf(buf, len, "%s", states[k]);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char val[VAL_MAX + 1], path[160];
	struct fw w;
	struct fe f;
	size_t off = 0, n;
	unsigned int k;
	int rc, st;

	rc = fw_open(&w, NULL);
	rc = rc ?: fw_guest(&w, 5);
	rc = rc ?: fe_create(&w, 5, 1, &f);
	rc = rc ?: fe_setup(&f);
	if (rc)
		fz_fail("setup");
	while (off + 2 <= size) {
		k = data[off] & 7;
		n = data[off + 1] <= VAL_MAX ? data[off + 1] : VAL_MAX;
		if (data[off] & 8) {
			fz_true_value(&f, k, val, sizeof(val));
			off += 2;
		} else {
			n = n < size - off - 2 ? n : size - off - 2;
			memcpy(val, data + off + 2, n);
			val[n] = '\0';
			off += 2 + n;
		}
		if (k == 6) {
			snprintf(path, sizeof(path), "%s/%s", f.be_path,
				 fz_fields[k]);
			fake_xen_xs_write(w.fx, 0, path, val);
			fw_pump(&w);
		} else {
			fe_write(&f, fz_fields[k], val);
		}
		st = fe_be_state(&f);
		if (st < ISM_XBS_INITIALISING || st > ISM_XBS_CLOSED)
			fz_fail("backend state node is not a xenbus state");
	}
	fw_stop(&w);
	if (!fw_be_clean(&w))
		fz_fail("the backend domain holds something after free");
	fake_xen_platform_close(w.p);
	fake_xen_destroy(w.fx);
	return 0;
}
