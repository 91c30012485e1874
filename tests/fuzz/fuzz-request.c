/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-request.c - the control ring of a connected device, fed with
 * arbitrary requests: the request decoder and every opcode's handler,
 * with two guests so that tokens, attaches, events and the fast path are
 * reachable.
 *
 * The input is a list of 65-octet records: one control octet, then the
 * 64 octets of a request.  Control bit 0 picks the guest (A or B), bits
 * 1-3 the action and bit 4 whether to push and take the responses now:
 *
 *   0-3  post the request as it is;
 *   4-5  post it with its token field (offset 8) replaced by a token the
 *        backend handed out before, so that slots and tokens match;
 *   6    write the request's first 4 octets into req_prod and notify
 *        (a broken ring: the device must close, nothing else happen);
 *   7    kill guest B (once).
 *
 * Checks besides the sanitizers: each response carries the id of the
 * request in the same position (until the ring was broken on purpose),
 * and once the backend is freed its domain holds nothing (no grant, page,
 * mapping, port or watch leaked).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

#define REC 65
#define NTOK 8

struct fz {
	struct fw w;
	struct fe fe[2];
	bool broken[2];
	bool dead_b;
	uint64_t tok[NTOK];
	unsigned int ntok;
};

static void fz_fail(const char *what)
{
	fprintf(stderr, "fuzz-request: %s\n", what);
	abort();
}

static void fz_drain(struct fz *z, unsigned int i)
{
	struct fe *f = &z->fe[i];
	uint32_t want;
	struct ism_rsp rsp;
	struct ism_evt e;

	if (i == 1 && z->dead_b)
		return;
	fe_push(f);
	for (want = f->rsp_cons + 1; fe_take(f, &rsp); want++) {
		if (!z->broken[i] && rsp.id != want)
			fz_fail("response out of order");
		if (!rsp.status &&
		    (rsp.op == ISM_OP_ALLOC || rsp.op == ISM_OP_ATTACH))
			z->tok[z->ntok++ % NTOK] = rsp.u.region.token;
	}
	while (fe_event(f, &e))
		;
	fe_sba_take(f, 0);
}

static void fz_record(struct fz *z, const uint8_t *rec)
{
	unsigned int i = rec[0] & 1, action = (rec[0] >> 1) & 7;
	struct fe *f = &z->fe[i];
	struct ism_req req;
	uint32_t prod;

	if (i == 1 && z->dead_b)
		return;
	memcpy(&req, rec + 1, sizeof(req));
	if (action == 7) {
		z->dead_b = true;
		fw_kill(&z->w, z->fe[1].domid);
		return;
	}
	if (action == 6) {
		memcpy(&prod, rec + 1, sizeof(prod));
		f->ring->hdr.req_prod = prod;
		f->req_prod = prod;
		z->broken[i] = true;
		fake_xen_guest_evtchn_notify(z->w.fx, f->domid, f->port);
		fw_pump(&z->w);
		return;
	}
	if (action >= 4 && z->ntok)
		req.u.slot.token = z->tok[req.u.slot.token % z->ntok];
	if (f->req_prod - f->rsp_cons >= ISM_RING_ENTRIES)
		fz_drain(z, i);
	if (f->req_prod - f->rsp_cons >= ISM_RING_ENTRIES)
		return; /* the backend closed this ring */
	fe_post(f, &req);
	if (rec[0] & 0x10)
		fz_drain(z, i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ism_backend_limits lim;
	struct fz *z = calloc(1, sizeof(*z));
	size_t off;
	int rc;

	if (!z)
		return 0;
	/* Small limits, so that the fuzzer reaches every one of them. */
	ism_backend_limits_default(&lim);
	lim.gid = 1;
	lim.region_size = 16 * ISM_PAGE_SIZE;
	lim.max_regions = 8;
	lim.max_bytes = 40 * ISM_PAGE_SIZE;
	lim.max_peers = 2;
	lim.max_perm_entries = 2;
	lim.max_domain_grants = 64;
	rc = fw_open(&z->w, &lim);
	rc = rc ?: fw_guest(&z->w, 5);
	rc = rc ?: fw_guest(&z->w, 7);
	rc = rc ?: fe_create(&z->w, 5, 1, &z->fe[0]);
	rc = rc ?: fe_create(&z->w, 7, 2, &z->fe[1]);
	rc = rc ?: fe_connect(&z->fe[0]);
	rc = rc ?: fe_connect(&z->fe[1]);
	if (rc)
		fz_fail("setup");
	for (off = 0; off + REC <= size; off += REC)
		fz_record(z, data + off);
	fz_drain(z, 0);
	fz_drain(z, 1);
	fw_stop(&z->w);
	if (!fw_be_clean(&z->w))
		fz_fail("the backend domain holds something after free");
	fake_xen_platform_close(z->w.p);
	fake_xen_destroy(z->w.fx);
	free(z);
	return 0;
}
