/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-ring.c - the control ring against a hostile frontend:
 * broken indexes close the device with an error node; malformed and
 * random requests each get exactly one response with a documented errno;
 * a full ring is one batch with one signal; notify suppression.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "frontend.h"

TAP_MAIN;

#define G 5

static void open_conn(struct fw *w, struct fe *f)
{
	if (fw_open(w, NULL) || fw_guest(w, G) || fe_create(w, G, 4097, f) ||
	    fe_connect(f)) {
		tap_diag("setup failed");
		exit(1);
	}
}

static void broken_index(uint32_t delta, const char *what)
{
	struct ism_region_desc d;
	struct fw w;
	struct fe f;

	open_conn(&w, &f);
	fe_alloc(&f, ISM_PAGE_SIZE, &d);
	f.req_prod += delta;
	fe_push(&f);
	tap_ok(fe_be_state(&f) == ISM_XBS_CLOSED &&
		       strstr(fe_be_error(&f), "ring"),
	       "ring_bad_index (%s): Closed, error \"%s\"", what,
	       fe_be_error(&f));
	fw_stop(&w);
	tap_ok(fw_be_clean(&w), "  the region and the ring were released");
	fake_xen_platform_close(w.p);
	fake_xen_destroy(w.fx);
}

static void test_malformed(void)
{
	struct ism_req req;
	struct ism_rsp rsp;
	struct fw w;
	struct fe f;

	open_conn(&w, &f);
	memset(&req, 0, sizeof(req));
	req.op = 0;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_EOPNOTSUPP,
		   "garbage: opcode 0 is -EOPNOTSUPP");
	req.op = 0xee;
	req.reserved0[1] = 1;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_EOPNOTSUPP,
		   "garbage: unknown opcode beats reserved octets");
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_INFO;
	req.reserved0[2] = 1;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_EINVAL,
		   "garbage: header reserved octet");
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_INFO;
	req.u.reserved[55] = 1;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_EINVAL,
		   "garbage: INFO payload not zero");
	tap_ok(rsp.id == req.id && rsp.op == ISM_OP_INFO && !rsp.u.info.gid,
	       "  response names the request, payload zero");
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_ALLOC;
	req.u.alloc.size = 4096;
	req.u.alloc.reserved[39] = 1;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_EINVAL,
		   "garbage: ALLOC reserved");
	req.u.alloc.reserved[39] = 0;
	req.u.alloc.flags = 2;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_EINVAL,
		   "garbage: ALLOC unknown flag");
	req.u.alloc.flags = 0;
	req.u.alloc.perm = ISM_PERM_READ;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_EINVAL,
		   "garbage: ALLOC perm without the flag");
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_DETACH;
	req.u.slot.reserved0 = 1;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_EINVAL,
		   "garbage: DETACH reserved0");
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_QUERY;
	req.u.slot.slot = 0xffffffffu;
	tap_is_int(fe_call(&f, &req, &rsp), -ISM_ENOENT,
		   "garbage: slot 2^32 - 1 is -ENOENT");
	tap_is_int(fe_be_state(&f), ISM_XBS_CONNECTED,
		   "  malformed requests leave the device Connected");
	fw_close(&w);
}

/* Whether @status is in the errno column of @op (ismif.h table). */
static bool documented(uint8_t op, int status)
{
	static const int common[] = { 0, -ISM_EINVAL, -ISM_EOPNOTSUPP };
	static const int alloc[] = { -ISM_ENOMEM, -ISM_EFBIG, -ISM_ENOSPC,
				     -ISM_ENOBUFS, -ISM_EDQUOT };
	static const int slot[] = { -ISM_ENOENT,  -ISM_ESTALE, -ISM_EPERM,
				    -ISM_EIDRM,	  -ISM_EMLINK, -ISM_ENOTCONN,
				    -ISM_EALREADY };
	static const int attach[] = { -ISM_ENOENT,  -ISM_EACCES, -ISM_EBUSY,
				      -ISM_EEXIST,  -ISM_ENOSPC, -ISM_EUSERS,
				      -ISM_ENOBUFS, -ISM_EDQUOT, -ISM_ENOMEM };
	static const int peer[] = { -ISM_ENOENT };
	static const int signal[] = { -ISM_ENOENT, -ISM_ENOTCONN, -ISM_EAGAIN };
	const int *set = NULL;
	size_t i, n = 0;

	for (i = 0; i < 3; i++) {
		if (status == common[i])
			return true;
	}
	if (op == ISM_OP_ALLOC) {
		set = alloc;
		n = sizeof(alloc) / sizeof(alloc[0]);
	} else if (op == ISM_OP_ATTACH) {
		set = attach;
		n = sizeof(attach) / sizeof(attach[0]);
	} else if (op == ISM_OP_PEER) {
		set = peer;
		n = sizeof(peer) / sizeof(peer[0]);
	} else if (op == ISM_OP_SIGNAL) {
		set = signal;
		n = sizeof(signal) / sizeof(signal[0]);
	} else if (op >= ISM_OP_FREE && op <= ISM_OP_FASTPATH_ACCEPT) {
		set = slot;
		n = sizeof(slot) / sizeof(slot[0]);
	}
	for (i = 0; i < n; i++) {
		if (status == set[i])
			return true;
	}
	return false;
}

static void test_random(void)
{
	enum { ROUNDS = 200 };
	unsigned int i, k, bad_id = 0, bad_errno = 0, missing = 0, total = 0;
	struct ism_req req[ISM_RING_ENTRIES];
	struct ism_rsp rsp;
	struct fw w;
	struct fe f;

	open_conn(&w, &f);
	srand(1);
	for (i = 0; i < ROUNDS; i++) {
		for (k = 0; k < ISM_RING_ENTRIES; k++) {
			unsigned char *b = (unsigned char *)&req[k];
			size_t j;

			for (j = 0; j < sizeof(req[k]); j++)
				b[j] = (unsigned char)rand();
			/* Mostly known opcodes, mostly small fields. */
			req[k].op = (uint8_t)(rand() % 14);
			if (rand() % 2)
				memset(req[k].reserved0, 0, 3);
			if (rand() % 2)
				memset(req[k].u.reserved + 16, 0, 40);
			fe_post(&f, &req[k]);
		}
		fe_push(&f);
		for (k = 0; k < ISM_RING_ENTRIES; k++, total++) {
			if (!fe_take(&f, &rsp)) {
				missing++;
				continue;
			}
			bad_id += rsp.id != req[k].id || rsp.op != req[k].op;
			bad_errno += !documented(rsp.op, rsp.status);
		}
	}
	tap_ok(!missing && !bad_id,
	       "garbage_requests: %u random requests, %u unanswered, %u "
	       "answered out of place",
	       total, missing, bad_id);
	tap_is_int(bad_errno, 0, "  every status is a documented errno");
	tap_is_int(fe_be_state(&f), ISM_XBS_CONNECTED, "  device Connected");
	fw_close(&w);
}

static void test_batch(void)
{
	struct ism_req req = { .op = ISM_OP_INFO };
	struct ism_rsp rsp;
	unsigned int k, got = 0;
	struct fw w;
	struct fe f;

	open_conn(&w, &f);
	fe_signalled(&f);
	for (k = 0; k < ISM_RING_ENTRIES; k++)
		fe_post(&f, &req);
	fe_push(&f);
	while (fe_take(&f, &rsp))
		got += !rsp.status;
	tap_is_int(got, ISM_RING_ENTRIES, "batch: a full ring, all answered");
	tap_is_int(fe_signalled(&f), 1, "  with one signal");
	tap_is_int(f.ring->hdr.req_event, f.req_prod + 1,
		   "  req_event = req_cons + 1 before going idle");
	/* The frontend does not want a signal for the next response. */
	f.ring->hdr.rsp_event = f.rsp_cons + 5;
	fe_post(&f, &req);
	fe_push(&f);
	tap_ok(fe_take(&f, &rsp) && !fe_signalled(&f),
	       "notify suppression: response written, no signal");
	/* req_event far ahead: the frontend need not signal... */
	f.ring->hdr.req_event = f.req_prod + 10;
	fe_post(&f, &req);
	fe_push(&f);
	tap_ok(!fe_take(&f, &rsp),
	       "  a request behind req_event waits for a signal");
	fake_xen_guest_evtchn_notify(w.fx, G, f.port);
	fw_pump(&w);
	tap_ok(fe_take(&f, &rsp) && !rsp.status, "  and is taken on one");
	fw_close(&w);
}

int main(void)
{
	tap_plan(24);
	broken_index(ISM_RING_ENTRIES + 1, "req_prod 33 ahead");
	broken_index(UINT32_MAX, "req_prod behind req_cons");
	test_malformed();
	test_random();
	test_batch();
	return tap_done();
}
