// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-hostile GROUP [ARG]: a hostile ism frontend for the hostile scenario.
 * It speaks the protocol of ismif.h with the raw Xen libraries (no
 * libxenism): it grants its own ring and event pages, allocates its event
 * channel, writes the frontend nodes, drives the xenbus state, and then
 * attacks the backend through the guest's first two ism devices.  Groups:
 *
 *   xenstore   xenstore permissions, bad nodes and references (invalid,
 *              foreign, stale, read-only, the same for both pages, another
 *              device's), state jumps, flapping and reset storms
 *   ring       every opcode with reserved octets set, unknown opcodes,
 *              values at and beyond their limits, the released slot, the
 *              event queue's overflow, garbage ring headers and requests,
 *              producer indexes far ahead of the consumer
 *   regions    random tokens, another guest's regions (tokens in
 *              ~/lab/t-deny, ~/lab/t-ro; ARG: the line its data repeats),
 *              writable maps of a read-only region
 *   quota      slots and max-bytes until -ENOSPC and -EDQUOT
 *   flood      a request flood, then a notification flood, each until
 *              dom0 writes ~/lab/stop-req or ~/lab/stop-evt
 *   final      holds a region of another guest (~/lab/t-r3) and its whole
 *              quota, then floods until dom0 destroys the guest
 *
 * Each check prints "ok - what" or "not ok - what", asserting the status
 * the protocol specifies; where it specifies none, the weakest true thing,
 * and a comment says so.  Every wait is bounded by the clock (WAIT_MS).
 * Exit status: 0 if every check passed.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "lab-check.h"
#include "ismif.h"

/* Longest wait for the backend (a busy host stretches every step). */
#define WAIT_MS 120000
/* Longest flood, should dom0 never say stop. */
#define FLOOD_MS 240000
/* Longest wait for dom0's destroy in the final flood. */
#define FINAL_MS 300000
#define NDEV 2
/* A status no response carries: "no response" in ring_call_n. */
#define NO_RSP 9999

struct hdev {
	int idx;
	uint32_t devid;
	uint16_t be_domid;
	char fe[64];
	char be[128];
	/* What the backend announced in InitWait. */
	uint64_t gid, region_size, max_bytes;
	uint32_t max_regions, max_perm, fast_path;
	/* The connection: our pages and port. */
	struct ism_ctrl_page *ring;
	struct ism_event_page *evtp;
	uint32_t ring_ref, evt_ref;
	int port;
	uint32_t req_prod, rsp_cons, next_id;
	bool broken; /* a request went unanswered: calls fail at once */
};

struct hreg {
	uint64_t token;
	uint32_t slot;
	struct ism_region_desc desc;
};

struct lab {
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xengnttab_handle *gt;
	xenevtchn_handle *xce;
	uint16_t domid;
	uint16_t other; /* another guest's domid (~/lab/peer) */
	uint32_t other_devid; /* its device (~/lab/adev) */
	struct hdev dev[NDEV];
	uint64_t rng;
	unsigned int bad_shape; /* responses of the wrong shape */
};

static __attribute__((format(printf, 1, 2))) void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* xorshift64*: the attacks' random numbers (the seed is printed). */
static uint64_t lab_rand(struct lab *L)
{
	L->rng ^= L->rng >> 12;
	L->rng ^= L->rng << 25;
	L->rng ^= L->rng >> 27;
	return L->rng * 0x2545f4914f6cdd1dull;
}

/* A token no live region has (not 0; a hit is 2^-64 per live region). */
static uint64_t lab_token(struct lab *L)
{
	uint64_t t;

	do
		t = lab_rand(L);
	while (!t);
	return t;
}

static const char *errname(int status)
{
	static char buf[16];

	switch (-status) {
	case 0:
		return "0";
	case NO_RSP:
		return "no response";
	case ISM_EPERM:
		return "-EPERM";
	case ISM_ENOENT:
		return "-ENOENT";
	case ISM_ENOMEM:
		return "-ENOMEM";
	case ISM_EACCES:
		return "-EACCES";
	case ISM_EBUSY:
		return "-EBUSY";
	case ISM_EEXIST:
		return "-EEXIST";
	case ISM_EINVAL:
		return "-EINVAL";
	case ISM_EFBIG:
		return "-EFBIG";
	case ISM_ENOSPC:
		return "-ENOSPC";
	case ISM_EMLINK:
		return "-EMLINK";
	case ISM_EIDRM:
		return "-EIDRM";
	case ISM_EUSERS:
		return "-EUSERS";
	case ISM_EOPNOTSUPP:
		return "-EOPNOTSUPP";
	case ISM_ENOBUFS:
		return "-ENOBUFS";
	case ISM_ENOTCONN:
		return "-ENOTCONN";
	case ISM_EALREADY:
		return "-EALREADY";
	case ISM_ESTALE:
		return "-ESTALE";
	case ISM_EDQUOT:
		return "-EDQUOT";
	}
	snprintf(buf, sizeof(buf), "%d", status);
	return buf;
}

/* ---- Xenstore ----------------------------------------------------------- */

/* Read @path into @buf; 0 or -errno (-E2BIG if it does not fit). */
static int xs_get(struct lab *L, const char *path, char *buf, size_t size)
{
	unsigned int len;
	char *v = xs_read(L->xs, XBT_NULL, path, &len);

	if (!v)
		return -errno;
	if (len >= size) {
		free(v);
		return -E2BIG;
	}
	memcpy(buf, v, len);
	buf[len] = '\0';
	free(v);
	return 0;
}

static int xs_get_u64(struct lab *L, const char *path, int base, uint64_t *out)
{
	char buf[32], *end;
	int rc = xs_get(L, path, buf, sizeof(buf));

	if (rc)
		return rc;
	errno = 0;
	*out = strtoull(buf, &end, base);
	return errno || end == buf || *end ? -EINVAL : 0;
}

static int xs_put(struct lab *L, const char *path, const char *val)
{
	return xs_write(L->xs, XBT_NULL, path, val, strlen(val)) ? 0 : -errno;
}

/* Wait (by the clock) until @path exists; its value in @buf, or -errno. */
static int xs_wait_get(struct lab *L, const char *path, char *buf, size_t size,
		       int ms)
{
	long long end = now_ms() + ms;
	int rc;

	while ((rc = xs_get(L, path, buf, size)) && now_ms() < end)
		sleep_ms(100);
	return rc;
}

static void xs_drain_watches(struct lab *L)
{
	char **w;

	while ((w = xs_check_watch(L->xs)))
		free(w);
}

static void fe_path(const struct hdev *d, const char *field, char *buf,
		    size_t size)
{
	snprintf(buf, size, "%s/%s", d->fe, field);
}

static void be_path(const struct hdev *d, const char *field, char *buf,
		    size_t size)
{
	snprintf(buf, size, "%s/%s", d->be, field);
}

static int fe_put(struct lab *L, struct hdev *d, const char *field,
		  const char *val)
{
	char path[160];

	fe_path(d, field, path, sizeof(path));
	return xs_put(L, path, val);
}

static int fe_state(struct lab *L, struct hdev *d, int state)
{
	char val[8];

	snprintf(val, sizeof(val), "%d", state);
	return fe_put(L, d, ISM_FIELD_STATE, val);
}

/* The backend's state, 0 if unreadable. */
static int be_state(struct lab *L, struct hdev *d)
{
	char path[160];
	uint64_t v;

	be_path(d, ISM_FIELD_STATE, path, sizeof(path));
	return xs_get_u64(L, path, 10, &v) || v > 31 ? 0 : (int)v;
}

/*
 * Wait, on the watch of the backend's state, until the state is one of
 * @mask (bits 1 << state) or @ms pass; returns the last state read.
 */
static int be_wait(struct lab *L, struct hdev *d, unsigned int mask, int ms)
{
	struct pollfd pfd = { .fd = xs_fileno(L->xs), .events = POLLIN };
	long long end = now_ms() + ms, left;
	int st;

	for (;;) {
		st = be_state(L, d);
		if (mask & (1u << st))
			return st;
		left = end - now_ms();
		if (left <= 0)
			return st;
		if (poll(&pfd, 1, left > 200 ? 200 : (int)left) > 0)
			xs_drain_watches(L);
	}
}

#define BIT(s) (1u << (s))

/* The backend's error node, or "" (at most @size - 1 octets). */
static void be_error(struct lab *L, struct hdev *d, char *buf, size_t size)
{
	char path[160];

	be_path(d, ISM_FIELD_ERROR, path, sizeof(path));
	if (xs_get(L, path, buf, size))
		buf[0] = '\0';
}

/* ---- One device: pages, port, handshake ---------------------------------- */

static void dev_release_local(struct lab *L, struct hdev *d)
{
	if (d->ring)
		xengntshr_unshare(L->gs, d->ring, 1);
	if (d->evtp)
		xengntshr_unshare(L->gs, d->evtp, 1);
	if (d->port >= 0)
		xenevtchn_unbind(L->xce, (evtchn_port_t)d->port);
	d->ring = NULL;
	d->evtp = NULL;
	d->port = -1;
}

/* Grant a fresh ring page and event page to the backend, and a port. */
static int dev_alloc(struct lab *L, struct hdev *d)
{
	xenevtchn_port_or_error_t port;

	dev_release_local(L, d);
	d->ring = xengntshr_share_pages(L->gs, d->be_domid, 1, &d->ring_ref, 1);
	d->evtp = xengntshr_share_pages(L->gs, d->be_domid, 1, &d->evt_ref, 1);
	port = xenevtchn_bind_unbound_port(L->xce, d->be_domid);
	d->port = port;
	if (!d->ring || !d->evtp || port < 0) {
		diag("device %u: cannot grant pages or allocate a port: %s",
		     d->devid, strerror(errno));
		dev_release_local(L, d);
		return -ENOMEM;
	}
	memset(d->ring, 0, ISM_PAGE_SIZE);
	memset(d->evtp, 0, ISM_PAGE_SIZE);
	d->ring->hdr.req_event = 1;
	d->ring->hdr.rsp_event = 1;
	d->req_prod = 0;
	d->rsp_cons = 0;
	d->broken = false;
	return 0;
}

/* The frontend nodes of a connection; NULL removes a node. */
struct conn {
	const char *ring, *evt, *port, *version;
};

/* This device's own pages and port, as strings in @buf. */
static struct conn dev_conn(const struct hdev *d, char buf[3][16])
{
	snprintf(buf[0], 16, "%u", d->ring_ref);
	snprintf(buf[1], 16, "%u", d->evt_ref);
	snprintf(buf[2], 16, "%d", d->port);
	return (struct conn){ buf[0], buf[1], buf[2], ISM_PROTOCOL_VERSION };
}

/* Write @c's nodes and then the state @state, in one transaction. */
static int fe_publish(struct lab *L, struct hdev *d, const struct conn *c,
		      int state)
{
	const char *field[] = { ISM_FIELD_RING_REF, ISM_FIELD_EVENT_PAGE_REF,
				ISM_FIELD_EVENT_CHANNEL, ISM_FIELD_VERSION };
	const char *val[] = { c->ring, c->evt, c->port, c->version };
	char path[160], st[8];
	xs_transaction_t t;
	bool ok;
	int i, tries;

	snprintf(st, sizeof(st), "%d", state);
	/* Retries of a transaction that met another: not a wait. */
	for (tries = 0; tries < 16; tries++) {
		t = xs_transaction_start(L->xs);
		if (t == XBT_NULL)
			return -errno;
		ok = true;
		for (i = 0; ok && i < 4; i++) {
			fe_path(d, field[i], path, sizeof(path));
			if (val[i])
				ok = xs_write(L->xs, t, path, val[i],
					      strlen(val[i]));
			else
				ok = xs_rm(L->xs, t, path) || errno == ENOENT;
		}
		fe_path(d, ISM_FIELD_STATE, path, sizeof(path));
		ok = ok && xs_write(L->xs, t, path, st, strlen(st));
		if (!ok) {
			xs_transaction_end(L->xs, t, true);
			return -errno;
		}
		if (xs_transaction_end(L->xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/* Write Initialising; wait for the backend's InitWait; drop our pages. */
static int dev_reset(struct lab *L, struct hdev *d)
{
	int st;

	fe_state(L, d, ISM_XBS_INITIALISING);
	st = be_wait(L, d, BIT(ISM_XBS_INITWAIT), WAIT_MS);
	dev_release_local(L, d);
	if (st != ISM_XBS_INITWAIT) {
		diag("device %u: the backend did not come back to InitWait "
		     "(state %d)",
		     d->devid, st);
		return -ETIMEDOUT;
	}
	return 0;
}

/* Connect properly: fresh pages, our nodes, Initialised, Connected. */
static int dev_connect(struct lab *L, struct hdev *d)
{
	char buf[3][16], err[200];
	struct conn c;
	int rc, st;

	rc = dev_alloc(L, d);
	if (rc)
		return rc;
	c = dev_conn(d, buf);
	rc = fe_publish(L, d, &c, ISM_XBS_INITIALISED);
	if (rc)
		return rc;
	st = be_wait(L, d, BIT(ISM_XBS_CONNECTED) | BIT(ISM_XBS_CLOSED),
		     WAIT_MS);
	if (st != ISM_XBS_CONNECTED) {
		be_error(L, d, err, sizeof(err));
		diag("device %u: the backend did not connect (state %d, "
		     "error '%s')",
		     d->devid, st, err);
		return -EPROTO;
	}
	return fe_state(L, d, ISM_XBS_CONNECTED);
}

/* Close properly: Closing, the backend's Closed, drop our pages, Closed. */
static int dev_close(struct lab *L, struct hdev *d)
{
	int st;

	fe_state(L, d, ISM_XBS_CLOSING);
	st = be_wait(L, d, BIT(ISM_XBS_CLOSED), WAIT_MS);
	dev_release_local(L, d);
	fe_state(L, d, ISM_XBS_CLOSED);
	return st == ISM_XBS_CLOSED ? 0 : -ETIMEDOUT;
}

/* Read what the backend announced (it is in InitWait). */
static int dev_limits(struct lab *L, struct hdev *d)
{
	struct {
		const char *field;
		int base;
		uint64_t v;
	} n[] = {
		{ ISM_FIELD_GID, 16, 0 },
		{ ISM_FIELD_REGION_SIZE, 10, 0 },
		{ ISM_FIELD_MAX_REGIONS, 10, 0 },
		{ ISM_FIELD_MAX_BYTES, 10, 0 },
		{ ISM_FIELD_MAX_PERM_ENTRIES, 10, 0 },
		{ ISM_FIELD_FEATURE_FAST_PATH, 10, 0 },
	};
	char path[160];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		be_path(d, n[i].field, path, sizeof(path));
		rc = xs_get_u64(L, path, n[i].base, &n[i].v);
		if (rc)
			return rc;
	}
	d->gid = n[0].v;
	d->region_size = n[1].v;
	d->max_regions = (uint32_t)n[2].v;
	d->max_bytes = n[3].v;
	d->max_perm = (uint32_t)n[4].v;
	d->fast_path = (uint32_t)n[5].v;
	return 0;
}

/* Find device @idx of the guest, watch its backend, bring it to InitWait. */
static int dev_open(struct lab *L, int idx)
{
	struct hdev *d = &L->dev[idx];
	char path[160], val[128], **names;
	unsigned int n, i;
	uint32_t ids[8], k = 0;
	uint64_t v;
	int rc;

	memset(d, 0, sizeof(*d));
	d->idx = idx;
	d->port = -1;
	names = xs_directory(L->xs, XBT_NULL, "device/" ISM_DEVICE_TYPE, &n);
	for (i = 0; names && i < n && k < 8; i++)
		ids[k++] = (uint32_t)strtoul(names[i], NULL, 10);
	free(names);
	/* The devices in ascending order: device 0 is the lowest devid. */
	for (i = 0; i + 1 < k; i++)
		for (n = i + 1; n < k; n++)
			if (ids[n] < ids[i]) {
				uint32_t t = ids[i];

				ids[i] = ids[n];
				ids[n] = t;
			}
	if ((uint32_t)idx >= k)
		return -ENODEV;
	d->devid = ids[idx];
	snprintf(d->fe, sizeof(d->fe), ISM_PATH_FRONTEND_FMT, L->domid,
		 d->devid);
	fe_path(d, ISM_FIELD_BACKEND, path, sizeof(path));
	rc = xs_get(L, path, val, sizeof(val));
	if (rc)
		return rc;
	snprintf(d->be, sizeof(d->be), "%s", val);
	fe_path(d, ISM_FIELD_BACKEND_ID, path, sizeof(path));
	rc = xs_get_u64(L, path, 10, &v);
	if (rc)
		return rc;
	d->be_domid = (uint16_t)v;
	be_path(d, ISM_FIELD_STATE, path, sizeof(path));
	snprintf(val, sizeof(val), "be%d", idx);
	if (!xs_watch(L->xs, path, val))
		return -errno;
	rc = dev_reset(L, d);
	return rc ? rc : dev_limits(L, d);
}

/* ---- The control ring ---------------------------------------------------- */

/* Sleep until a signal or @ms pass; drain and unmask pending ports. */
static void evt_sleep(struct lab *L, int ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(L->xce), .events = POLLIN };
	xenevtchn_port_or_error_t p;

	if (poll(&pfd, 1, ms) <= 0)
		return;
	do {
		p = xenevtchn_pending(L->xce);
		if (p < 0)
			return;
		xenevtchn_unmask(L->xce, (evtchn_port_t)p);
	} while (poll(&pfd, 1, 0) > 0);
}

static void notify(struct lab *L, struct hdev *d)
{
	if (d->port >= 0)
		xenevtchn_notify(L->xce, (evtchn_port_t)d->port);
}

/* Responses ready beyond ours (the backend's index, read once). */
static uint32_t rsp_ready(struct hdev *d)
{
	uint32_t prod =
		__atomic_load_n(&d->ring->hdr.rsp_prod, __ATOMIC_ACQUIRE);

	return (int32_t)(prod - d->rsp_cons) > 0 ? prod - d->rsp_cons : 0;
}

/* Put @req (its id set here unless @keep_id) in the next entry. */
static void ring_put(struct hdev *d, struct ism_req *req, bool keep_id)
{
	if (!keep_id)
		req->id = d->next_id++;
	memcpy(&d->ring->ring[d->req_prod % ISM_RING_ENTRIES].req, req,
	       sizeof(*req));
	d->req_prod++;
}

static void ring_publish(struct lab *L, struct hdev *d)
{
	__atomic_store_n(&d->ring->hdr.req_prod, d->req_prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	notify(L, d);
}

static bool zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--)
		if (*c++)
			return false;
	return true;
}

/*
 * Does @rsp answer @req as ismif.h says: its id and op copied, reserved
 * octets zero, and a zero payload on failure?  Counted in bad_shape.
 */
static void rsp_shape(struct lab *L, const struct ism_req *req,
		      const struct ism_rsp *rsp)
{
	bool ok = rsp->id == req->id && rsp->op == req->op &&
		  zero(rsp->reserved0, sizeof(rsp->reserved0)) &&
		  !rsp->reserved1 &&
		  (!rsp->status || zero(&rsp->u, sizeof(rsp->u)));

	if (ok)
		return;
	if (!L->bad_shape++)
		diag("response of the wrong shape: id %u op 0x%x status %d "
		     "to request id %u op 0x%x",
		     rsp->id, rsp->op, rsp->status, req->id, req->op);
}

/*
 * Send @n requests (at most ISM_RING_ENTRIES) and wait for their answers;
 * a request not answered gets status -NO_RSP.  0, or -ETIMEDOUT.
 */
static int ring_call_n(struct lab *L, struct hdev *d, struct ism_req *reqs,
		       struct ism_rsp *rsps, unsigned int n, bool keep_id)
{
	long long end = now_ms() + WAIT_MS, look = now_ms() + 1000;
	unsigned int i, got = 0;

	if (d->broken || !d->ring) {
		for (i = 0; i < n; i++) {
			memset(&rsps[i], 0, sizeof(rsps[i]));
			rsps[i].status = -NO_RSP;
		}
		return -ENOTCONN;
	}
	for (i = 0; i < n; i++)
		ring_put(d, &reqs[i], keep_id);
	/* Ask for a signal when the last one is answered. */
	d->ring->hdr.rsp_event = d->rsp_cons + n;
	ring_publish(L, d);
	while (got < n) {
		if (rsp_ready(d) > got) {
			got = rsp_ready(d) < n ? rsp_ready(d) : n;
			continue;
		}
		if (now_ms() >= end)
			break;
		/* A device the backend closed answers nothing more. */
		if (now_ms() >= look) {
			if (be_state(L, d) != ISM_XBS_CONNECTED)
				break;
			look = now_ms() + 1000;
		}
		evt_sleep(L, 100);
	}
	for (i = 0; i < n; i++) {
		if (i < got) {
			memcpy(&rsps[i],
			       &d->ring->ring[(d->rsp_cons + i) %
					      ISM_RING_ENTRIES]
					.rsp,
			       sizeof(rsps[i]));
			rsp_shape(L, &reqs[i], &rsps[i]);
		} else {
			memset(&rsps[i], 0, sizeof(rsps[i]));
			rsps[i].status = -NO_RSP;
		}
	}
	d->rsp_cons += got;
	if (got < n) {
		/* The ring is out of step now: only a reset mends it. */
		diag("device %u: %u of %u requests unanswered (backend state "
		     "%d)",
		     d->devid, n - got, n, be_state(L, d));
		d->broken = true;
		return -ETIMEDOUT;
	}
	return 0;
}

/* One request; its status (or -NO_RSP). */
static int call(struct lab *L, struct hdev *d, struct ism_req req,
		struct ism_rsp *rsp_out)
{
	struct ism_rsp rsp;

	ring_call_n(L, d, &req, &rsp, 1, false);
	if (rsp_out)
		*rsp_out = rsp;
	return rsp.status;
}

/* One request that must get @want; prints the check. */
static __attribute__((format(printf, 5, 6))) bool
expect(struct lab *L, struct hdev *d, struct ism_req req, int want,
       const char *fmt, ...)
{
	char what[200];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	st = call(L, d, req, NULL);
	check(st == want, "%s: %s%s%s", what, errname(want),
	      st == want ? "" : ", got ", st == want ? "" : errname(st));
	return st == want;
}

static struct ism_req mk(uint8_t op)
{
	struct ism_req r;

	memset(&r, 0, sizeof(r));
	r.op = op;
	return r;
}

static struct ism_req mk_alloc(uint64_t size, uint32_t flags, uint32_t perm)
{
	struct ism_req r = mk(ISM_OP_ALLOC);

	r.u.alloc.size = size;
	r.u.alloc.flags = flags;
	r.u.alloc.perm = perm;
	return r;
}

static struct ism_req mk_attach(uint64_t token, uint32_t flags)
{
	struct ism_req r = mk(ISM_OP_ATTACH);

	r.u.attach.token = token;
	r.u.attach.flags = flags;
	return r;
}

static struct ism_req mk_peer(uint64_t token, uint32_t devid)
{
	struct ism_req r = mk(ISM_OP_PEER);

	r.u.peer.token = token;
	r.u.peer.devid = devid;
	return r;
}

static struct ism_req mk_signal(uint32_t devid, uint32_t code, uint64_t info)
{
	struct ism_req r = mk(ISM_OP_SIGNAL);

	r.u.signal.devid = devid;
	r.u.signal.code = code;
	r.u.signal.info = info;
	return r;
}

static struct ism_req mk_slot(uint8_t op, uint64_t token, uint32_t slot)
{
	struct ism_req r = mk(op);

	r.u.slot.token = token;
	r.u.slot.slot = slot;
	return r;
}

static struct ism_req mk_perm(uint64_t token, uint32_t slot, uint32_t devid,
			      uint32_t perm, uint32_t flags)
{
	struct ism_req r = mk(ISM_OP_SET_PERM);

	r.u.set_perm.token = token;
	r.u.set_perm.slot = slot;
	r.u.set_perm.peer_devid = devid;
	r.u.set_perm.perm = perm;
	r.u.set_perm.flags = flags;
	return r;
}

static struct ism_req mk_fp(uint8_t op, uint64_t token, uint32_t slot,
			    uint32_t port, int32_t status)
{
	struct ism_req r = mk(op);

	r.u.fastpath.token = token;
	r.u.fastpath.slot = slot;
	r.u.fastpath.port = port;
	r.u.fastpath.status = status;
	return r;
}

/* ALLOC or ATTACH into @reg; the status. */
static int take(struct lab *L, struct hdev *d, struct ism_req req,
		struct hreg *reg)
{
	struct ism_rsp rsp;
	int st = call(L, d, req, &rsp);

	memset(reg, 0, sizeof(*reg));
	if (!st) {
		reg->desc = rsp.u.region;
		reg->token = rsp.u.region.token;
		reg->slot = rsp.u.region.slot;
	}
	return st;
}

static int query(struct lab *L, struct hdev *d, const struct hreg *reg,
		 struct ism_region_desc *desc)
{
	struct ism_rsp rsp;
	int st = call(L, d, mk_slot(ISM_OP_QUERY, reg->token, reg->slot), &rsp);

	*desc = rsp.u.region;
	return st;
}

/* ---- The event page ------------------------------------------------------ */

static uint32_t evt_prod(struct hdev *d)
{
	return __atomic_load_n(&d->evtp->evt_prod, __ATOMIC_ACQUIRE);
}

/* Consume every queued event; forget OVERFLOW. */
static void evt_drain(struct hdev *d)
{
	__atomic_store_n(&d->evtp->evt_cons, evt_prod(d), __ATOMIC_RELEASE);
	__atomic_fetch_and(&d->evtp->flags, ~ISM_EVTPAGE_F_OVERFLOW,
			   __ATOMIC_SEQ_CST);
}

/*
 * Wait for an event of @type about @slot (others are consumed and
 * skipped); 0 with it in @out, or -ETIMEDOUT.
 */
static int evt_wait(struct lab *L, struct hdev *d, uint8_t type, uint32_t slot,
		    struct ism_evt *out, int ms)
{
	long long end = now_ms() + ms;
	struct ism_evt e;
	uint32_t cons;

	for (;;) {
		cons = __atomic_load_n(&d->evtp->evt_cons, __ATOMIC_RELAXED);
		while (cons != evt_prod(d)) {
			memcpy(&e, &d->evtp->evt[cons % ISM_EVT_ENTRIES],
			       sizeof(e));
			cons++;
			__atomic_store_n(&d->evtp->evt_cons, cons,
					 __ATOMIC_RELEASE);
			if (e.type == type && e.slot == slot) {
				*out = e;
				return 0;
			}
		}
		if (now_ms() >= end)
			return -ETIMEDOUT;
		__atomic_store_n(&d->evtp->fe_armed, 1, __ATOMIC_SEQ_CST);
		if (cons == evt_prod(d))
			evt_sleep(L, 100);
	}
}

/* Take the SBA bit of @slot (atomic exchange, as the frontend must). */
static bool sba_take(struct hdev *d, uint32_t slot)
{
	uint64_t bit = 1ull << (slot % 64), w;

	__atomic_exchange_n(&d->evtp->sba_summary[slot / 64 / 64], 0,
			    __ATOMIC_SEQ_CST);
	w = __atomic_fetch_and(&d->evtp->sba[slot / 64], ~bit,
			       __ATOMIC_SEQ_CST);
	return w & bit;
}

/* ---- Grant maps of region pages ------------------------------------------ */

/* Map grant @ref of the backend with @prot; NULL if refused. */
static void *gmap(struct lab *L, struct hdev *d, uint32_t ref, int prot)
{
	return xengnttab_map_grant_ref(L->gt, d->be_domid, ref, prot);
}

/* The region's page grefs from its (one-page) directory; count or -errno. */
static int dir_read(struct lab *L, struct hdev *d, const struct hreg *reg,
		    uint32_t *grefs, uint32_t max)
{
	struct ism_dir_page *dp = gmap(L, d, reg->desc.dir_gref, PROT_READ);
	int n;

	if (!dp)
		return -errno;
	n = dp->nr_grefs <= max && !dp->next_gref ? (int)dp->nr_grefs : -EPROTO;
	if (n > 0)
		memcpy(grefs, dp->gref, (size_t)n * sizeof(*grefs));
	xengnttab_unmap(L->gt, dp, 1);
	return n;
}

/* ---- Group: xenstore ----------------------------------------------------- */

/* Xenstore must refuse the guest: EACCES. */
static void xs_refused(bool done, const char *what)
{
	int e = errno;

	check(!done && e == EACCES, "xenstore refuses %s (%s)", what,
	      done ? "it was done" : strerror(e));
}

static void grp_perms(struct lab *L, struct hdev *d)
{
	struct xs_permissions p[2] = {
		{ .id = L->domid, .perms = XS_PERM_NONE },
		{ .id = 0, .perms = XS_PERM_READ },
	};
	char path[200], before[16], after[16];
	bool done;

	be_path(d, ISM_FIELD_STATE, path, sizeof(path));
	xs_get(L, path, before, sizeof(before));
	done = xs_write(L->xs, XBT_NULL, path, "4", 1);
	xs_refused(done, "a write of the backend's state");
	be_path(d, "evil", path, sizeof(path));
	done = xs_write(L->xs, XBT_NULL, path, "1", 1);
	xs_refused(done, "a new node in the backend's directory");
	be_path(d, ISM_FIELD_MAX_BYTES, path, sizeof(path));
	done = xs_write(L->xs, XBT_NULL, path, "18446744073709551615", 20);
	xs_refused(done, "a write of the backend's max-bytes");
	done = xs_rm(L->xs, XBT_NULL, d->be);
	xs_refused(done, "removing the backend's directory");
	done = xs_set_permissions(L->xs, XBT_NULL, d->be, p, 2);
	xs_refused(done, "taking the backend's directory over (set perms)");
	snprintf(path, sizeof(path), "/local/domain/%u/backend/%s/%u/999999",
		 d->be_domid, ISM_DEVICE_TYPE, L->domid);
	done = xs_mkdir(L->xs, XBT_NULL, path);
	xs_refused(done, "a backend directory for a device of its own making");
	snprintf(path, sizeof(path), "/local/domain/%u/device/%s/%u/%s",
		 L->other, ISM_DEVICE_TYPE, L->other_devid, ISM_FIELD_STATE);
	done = xs_write(L->xs, XBT_NULL, path, "5", 1);
	xs_refused(done, "a write of another guest's frontend state");
	snprintf(path, sizeof(path), "/local/domain/%u/backend/%s/%u",
		 d->be_domid, ISM_DEVICE_TYPE, L->other);
	done = xs_rm(L->xs, XBT_NULL, path);
	xs_refused(done, "removing another guest's backend directories");
	be_path(d, ISM_FIELD_STATE, path, sizeof(path));
	check(!xs_get(L, path, after, sizeof(after)) && !strcmp(before, after),
	      "the backend's state node is still %s", before);
}

/* A connection the backend must refuse: Closed, with a reason. */
static void refused(struct lab *L, struct hdev *d, const struct conn *c,
		    int state, const char *what)
{
	char err[200];
	int st, rc;

	rc = fe_publish(L, d, c, state);
	st = be_wait(L, d, BIT(ISM_XBS_CONNECTED) | BIT(ISM_XBS_CLOSED),
		     WAIT_MS);
	be_error(L, d, err, sizeof(err));
	check(!rc && st == ISM_XBS_CLOSED && err[0],
	      "%s: the backend closes the device with an error (state %d: %s)",
	      what, st, err[0] ? err : "no error node");
	dev_reset(L, d);
}

/* Fresh pages and port, then @c with some fields replaced. */
static void bad_conn(struct lab *L, struct hdev *d, const char *ring,
		     const char *evt, const char *port, const char *version,
		     const char *what)
{
	char buf[3][16];
	struct conn c;

	if (dev_alloc(L, d)) {
		check(false, "%s: grant pages and a port", what);
		return;
	}
	c = dev_conn(d, buf);
	if (ring)
		c.ring = ring[0] == '-' ? NULL : ring;
	if (evt)
		c.evt = evt[0] == '-' ? NULL : evt;
	if (port)
		c.port = port[0] == '-' ? NULL : port;
	if (version)
		c.version = version[0] == '-' ? NULL : version;
	refused(L, d, &c, ISM_XBS_INITIALISED, what);
}

/* Values the protocol forbids (ismif.h's node types). */
static void grp_bad_nodes(struct lab *L, struct hdev *d)
{
	static const struct {
		const char *ring, *evt, *port, *version, *what;
	} t[] = {
		{ "-", NULL, NULL, NULL, "no ring-ref" },
		{ "abc", NULL, NULL, NULL, "ring-ref 'abc'" },
		{ "7", NULL, NULL, NULL, "ring-ref 7 (reserved by Xen)" },
		{ "4294967296", NULL, NULL, NULL, "ring-ref 2^32" },
		{ NULL, "08", NULL, NULL, "event-page-ref with a leading 0" },
		{ NULL, NULL, "0", NULL, "event-channel 0" },
		{ NULL, NULL, "131072", NULL, "event-channel 131072" },
		{ NULL, NULL, "-", NULL, "no event-channel" },
		{ NULL, NULL, NULL, "2", "version 2 (not offered)" },
		{ NULL, NULL, NULL, "-", "no version" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		bad_conn(L, d, t[i].ring, t[i].evt, t[i].port, t[i].version,
			 t[i].what);
}

/* Pages the backend cannot or must not map, ports it cannot bind. */
static void grp_bad_refs(struct lab *L, struct hdev *d, struct hdev *e)
{
	char ref[16], port[16], buf[3][16], err[200];
	xenevtchn_port_or_error_t p;
	uint32_t r = 0;
	void *page;
	struct conn c;
	int st;

	bad_conn(L, d, "4000000000", NULL, NULL, NULL,
		 "ring-ref 4000000000 (no such grant)");
	bad_conn(L, d, NULL, "100000", NULL, NULL,
		 "event-page-ref 100000 (not granted)");
	/* A page granted to another guest, not to the backend. */
	page = xengntshr_share_pages(L->gs, L->other, 1, &r, 1);
	check(page != NULL, "grant a page to guest %u (%s)", L->other,
	      page ? "done" : strerror(errno));
	snprintf(ref, sizeof(ref), "%u", r);
	if (page) {
		bad_conn(L, d, ref, NULL, NULL, NULL,
			 "a ring page granted to another guest");
		bad_conn(L, d, NULL, ref, NULL, NULL,
			 "an event page granted to another guest");
		xengntshr_unshare(L->gs, page, 1);
	}
	/*
	 * A grant that was ended (a stale reference): taken after the
	 * device's pages, so that they cannot reuse the freed reference.
	 */
	if (!dev_alloc(L, d)) {
		page = xengntshr_share_pages(L->gs, d->be_domid, 1, &r, 1);
		if (page)
			xengntshr_unshare(L->gs, page, 1);
		c = dev_conn(d, buf);
		snprintf(ref, sizeof(ref), "%u", r);
		c.ring = ref;
		if (page)
			refused(L, d, &c, ISM_XBS_INITIALISED,
				"a ring-ref whose grant was ended");
		else
			check(false, "grant a page to end it (%s)",
			      strerror(errno));
	}
	/* Granted read-only: the backend writes both pages. */
	page = xengntshr_share_pages(L->gs, d->be_domid, 1, &r, 0);
	check(page != NULL, "grant a page read-only to the backend (%s)",
	      page ? "done" : strerror(errno));
	snprintf(ref, sizeof(ref), "%u", r);
	if (page) {
		bad_conn(L, d, ref, NULL, NULL, NULL,
			 "a ring page granted read-only");
		bad_conn(L, d, NULL, ref, NULL, NULL,
			 "an event page granted read-only");
		xengntshr_unshare(L->gs, page, 1);
	}
	/* The same page for both. */
	if (!dev_alloc(L, d)) {
		c = dev_conn(d, buf);
		c.evt = c.ring;
		refused(L, d, &c, ISM_XBS_INITIALISED,
			"ring-ref and event-page-ref naming the same grant");
	}
	/* A port allocated for another domain. */
	p = xenevtchn_bind_unbound_port(L->xce, L->other);
	snprintf(port, sizeof(port), "%d", p);
	if (p >= 0) {
		bad_conn(L, d, NULL, NULL, port, NULL,
			 "an event channel allocated for another guest");
		xenevtchn_unbind(L->xce, (evtchn_port_t)p);
	}

	/*
	 * Another device's pages and port, while it is connected.  Its port
	 * is bound already: the backend cannot bind it.  Its pages: the
	 * protocol does not forbid granting one page to two devices; the two
	 * then share one ring, and the guest hurts only itself.  The weakest
	 * true thing: once the second device is reset, the first serves as
	 * before (and dom0 checks that nobody else noticed).
	 */
	if (dev_connect(L, e)) {
		check(false, "device 2 connects");
		return;
	}
	snprintf(port, sizeof(port), "%d", e->port);
	bad_conn(L, d, NULL, NULL, port, NULL,
		 "the event channel of the guest's other, connected device");
	if (!dev_alloc(L, d)) {
		struct ism_rsp rsp;

		c = dev_conn(d, buf);
		snprintf(buf[0], 16, "%u", e->ring_ref);
		snprintf(buf[1], 16, "%u", e->evt_ref);
		fe_publish(L, d, &c, ISM_XBS_INITIALISED);
		st = be_wait(L, d, BIT(ISM_XBS_CONNECTED) | BIT(ISM_XBS_CLOSED),
			     WAIT_MS);
		be_error(L, d, err, sizeof(err));
		diag("a device given the other device's ring and event pages: "
		     "state %d (%s)",
		     st, err[0] ? err : "no error");
		st = call(L, e, mk(ISM_OP_INFO), &rsp);
		diag("the other device's INFO meanwhile: %s (devid %u)",
		     errname(st), rsp.u.info.devid);
		dev_reset(L, d);
		/* The ring may be out of step: it connects afresh. */
		dev_close(L, e);
		dev_reset(L, e);
		st = dev_connect(L, e);
		st = st ?: call(L, e, mk(ISM_OP_INFO), &rsp);
		check(!st && rsp.u.info.devid == e->devid,
		      "after its pages were given to another device, that "
		      "device reset, the first serves again (%s)",
		      errname(st));
	}
	dev_close(L, e);
	dev_reset(L, e);
}

static void grp_states(struct lab *L, struct hdev *d, struct hdev *e)
{
	struct ism_rsp rsp;
	struct ism_region_desc desc;
	struct hreg r, re;
	struct ism_evt ev;
	char err[200];
	int st, i;
	long long t0;

	/* Initialising (1) -> Connected (4), no nodes. */
	{
		const struct conn none = { NULL, NULL, NULL, NULL };

		refused(L, d, &none, ISM_XBS_CONNECTED,
			"Connected straight from Initialising, without nodes");
	}
	/* A state that is no xenbus state, while connected. */
	if (dev_connect(L, d)) {
		check(false, "device 1 connects");
		return;
	}
	fe_put(L, d, ISM_FIELD_STATE, "9");
	st = be_wait(L, d, BIT(ISM_XBS_CLOSED), WAIT_MS);
	be_error(L, d, err, sizeof(err));
	check(st == ISM_XBS_CLOSED && err[0],
	      "state 9 while connected: the backend closes the device with an "
	      "error (state %d: %s)",
	      st, err[0] ? err : "no error node");
	dev_reset(L, d);

	/* Connected (4) -> Initialising (1) while holding a shared region. */
	if (dev_connect(L, d) || dev_connect(L, e)) {
		check(false, "both devices connect");
		return;
	}
	st = take(L, d, mk_alloc(65536, 0, 0), &r);
	check(st == 0, "ALLOC 64 KiB: %s", errname(st));
	st = take(L, e, mk_attach(r.token, 0), &re);
	check(st == 0, "the other device attaches it: %s", errname(st));
	fe_state(L, d, ISM_XBS_INITIALISING);
	st = be_wait(L, d, BIT(ISM_XBS_INITWAIT), WAIT_MS);
	check(st == ISM_XBS_INITWAIT,
	      "Connected -> Initialising: the backend closes and comes back to "
	      "InitWait (state %d)",
	      st);
	check(evt_wait(L, e, ISM_EVT_PEER_GONE, re.slot, &ev, WAIT_MS) == 0,
	      "the other referrer gets PEER_GONE");
	st = query(L, e, &re, &desc);
	check(!st && (desc.flags & ISM_DESC_F_PEER_GONE) &&
		      !(desc.flags & ISM_DESC_F_PEER_PRESENT),
	      "its QUERY says PEER_GONE, not PEER_PRESENT (%s, flags 0x%x)",
	      errname(st), desc.flags);
	dev_release_local(L, d);
	if (dev_connect(L, d)) {
		check(false, "device 1 connects again");
		return;
	}
	st = call(L, d, mk(ISM_OP_INFO), &rsp);
	check(!st && rsp.u.info.slots_used == 0 &&
		      rsp.u.info.bytes_used == 65536,
	      "after the reset the device holds no slot; the domain is "
	      "charged for the other device's slot alone (%s, %u slots, "
	      "%" PRIu64 " octets)",
	      errname(st), rsp.u.info.slots_used, rsp.u.info.bytes_used);
	expect(L, e, mk_slot(ISM_OP_DETACH, re.token, re.slot), 0,
	       "the other device detaches the widowed region");

	/* Flapping Initialised (3) <-> Connected (4). */
	t0 = now_ms();
	for (i = 0; i < 200; i++)
		fe_state(L, d, i % 2 ? ISM_XBS_CONNECTED : ISM_XBS_INITIALISED);
	fe_state(L, d, ISM_XBS_CONNECTED);
	diag("200 state writes 3 <-> 4 in %lld ms", now_ms() - t0);
	st = call(L, d, mk(ISM_OP_INFO), NULL);
	check(be_state(L, d) == ISM_XBS_CONNECTED && st == 0,
	      "after flapping 3 <-> 4 the device is still Connected and "
	      "answers INFO (%s)",
	      errname(st));

	/* A reset storm: Connected (4) <-> Initialising (1), pages kept. */
	t0 = now_ms();
	for (i = 0; i < 100; i++)
		fe_state(L, d,
			 i % 2 ? ISM_XBS_CONNECTED : ISM_XBS_INITIALISING);
	fe_state(L, d, ISM_XBS_INITIALISING);
	diag("100 state writes 1 <-> 4 in %lld ms", now_ms() - t0);
	st = be_wait(L, d, BIT(ISM_XBS_INITWAIT), WAIT_MS);
	check(st == ISM_XBS_INITWAIT,
	      "after a storm of resets 1 <-> 4 the backend settles in "
	      "InitWait (state %d, %lld ms)",
	      st, now_ms() - t0);
	dev_release_local(L, d);
	st = dev_connect(L, d);
	check(!st && call(L, d, mk(ISM_OP_INFO), NULL) == 0,
	      "and the device connects and serves again");
	dev_close(L, d);
	dev_close(L, e);
	dev_reset(L, d);
	dev_reset(L, e);
}

static void grp_xenstore(struct lab *L)
{
	struct hdev *d = &L->dev[0], *e = &L->dev[1];

	grp_perms(L, d);
	grp_bad_nodes(L, d);
	grp_bad_refs(L, d, e);
	grp_states(L, d, e);
}

/* ---- Group: ring ---------------------------------------------------------- */

/*
 * @base, a request that would succeed, with one reserved octet set at
 * each of @offs (offsets into struct ism_req): -EINVAL each.
 */
static void reserved_one(struct lab *L, struct hdev *d, struct ism_req base,
			 const size_t *offs, size_t n, const char *name)
{
	char bad[80] = "";
	struct ism_req r;
	size_t i;
	int st, nbad = 0;

	for (i = 0; i < n; i++) {
		r = base;
		((unsigned char *)&r)[offs[i]] = (unsigned char)(0x80 | i);
		st = call(L, d, r, NULL);
		if (st != -ISM_EINVAL && !nbad++)
			snprintf(bad, sizeof(bad), ", octet %zu: %s", offs[i],
				 errname(st));
	}
	check(!nbad, "%s with a reserved octet set (%zu places): -EINVAL%s",
	      name, n, bad);
}

#define OFF(f) offsetof(struct ism_req, f)

static void grp_reserved(struct lab *L, struct hdev *d, struct hdev *e,
			 const struct hreg *r, const struct hreg *re,
			 const struct hreg *x)
{
	const size_t hdr[] = { OFF(reserved0), OFF(reserved0) + 2 };
	const size_t info[] = { OFF(reserved0), OFF(u), OFF(u) + 55 };
	const size_t alloc[] = { hdr[0], hdr[1], OFF(u.alloc.reserved),
				 OFF(u.alloc.reserved) + 39 };
	const size_t attach[] = { hdr[0], OFF(u.attach.reserved0),
				  OFF(u.attach.reserved0) + 3,
				  OFF(u.attach.reserved),
				  OFF(u.attach.reserved) + 39 };
	const size_t slot[] = { hdr[0], OFF(u.slot.reserved0),
				OFF(u.slot.reserved),
				OFF(u.slot.reserved) + 39 };
	const size_t perm[] = { hdr[0], hdr[1], OFF(u.set_perm.reserved),
				OFF(u.set_perm.reserved) + 31 };
	const size_t fp[] = { hdr[0], OFF(u.fastpath.reserved0),
			      OFF(u.fastpath.reserved),
			      OFF(u.fastpath.reserved) + 31 };
	const size_t peer[] = { hdr[0], OFF(u.peer.reserved0),
				OFF(u.peer.reserved),
				OFF(u.peer.reserved) + 39 };
	const size_t sig[] = { hdr[0], OFF(u.signal.reserved),
			       OFF(u.signal.reserved) + 39 };
	struct hreg tmp;
	struct ism_evt ev;
	int st;

#define N(a) (sizeof(a) / sizeof((a)[0]))
	reserved_one(L, d, mk(ISM_OP_INFO), info, N(info), "INFO");
	reserved_one(L, d, mk_alloc(4096, 0, 0), alloc, N(alloc), "ALLOC");
	reserved_one(L, d, mk_slot(ISM_OP_FREE, r->token, r->slot), slot,
		     N(slot), "FREE");
	reserved_one(L, d, mk_attach(x->token, 0), attach, N(attach), "ATTACH");
	reserved_one(L, d, mk_slot(ISM_OP_DETACH, r->token, r->slot), slot,
		     N(slot), "DETACH");
	reserved_one(L, d, mk_slot(ISM_OP_QUERY, r->token, r->slot), slot,
		     N(slot), "QUERY");
	reserved_one(L, d, mk_perm(r->token, r->slot, 0, ISM_PERM_DEFAULT, 0),
		     perm, N(perm), "SET_PERM");
	reserved_one(L, d, mk_slot(ISM_OP_NOTIFY, r->token, r->slot), slot,
		     N(slot), "NOTIFY");
	reserved_one(L, d, mk_peer(x->token, 0), peer, N(peer), "PEER");
	reserved_one(L, d, mk_signal(e->devid, 7, 0), sig, N(sig), "SIGNAL");
	if (d->fast_path) {
		reserved_one(L, d,
			     mk_fp(ISM_OP_FASTPATH_OFFER, r->token, r->slot,
				   100, 0),
			     fp, N(fp), "FASTPATH_OFFER");
		/* An offer from the other side, for our ACCEPT to answer. */
		expect(L, e,
		       mk_fp(ISM_OP_FASTPATH_OFFER, re->token, re->slot, 100,
			     0),
		       0, "the peer offers a fast path (port 100)");
		check(evt_wait(L, d, ISM_EVT_FASTPATH_OFFER, r->slot, &ev,
			       WAIT_MS) == 0 &&
			      ev.port == 100 && ev.peer_domid == L->domid,
		      "the owner gets FASTPATH_OFFER with that port");
		reserved_one(L, d,
			     mk_fp(ISM_OP_FASTPATH_ACCEPT, r->token, r->slot, 0,
				   -ISM_ENOSPC),
			     fp, N(fp), "FASTPATH_ACCEPT");
		expect(L, d,
		       mk_fp(ISM_OP_FASTPATH_ACCEPT, r->token, r->slot, 0,
			     -ISM_ENOSPC),
		       0, "ACCEPT with a failed bind (-ENOSPC, port 0)");
		check(evt_wait(L, e, ISM_EVT_FASTPATH_READY, re->slot, &ev,
			       WAIT_MS) == 0 &&
			      ev.status == -ISM_ENOSPC,
		      "the offerer gets FASTPATH_READY with -ENOSPC (%d)",
		      ev.status);
	}
#undef N
	/* The same requests, valid: each succeeds (ALLOC and ATTACH undone). */
	expect(L, d, mk(ISM_OP_INFO), 0, "INFO, valid");
	st = take(L, d, mk_alloc(4096, 0, 0), &tmp);
	check(!st, "ALLOC, valid: %s", errname(st));
	if (!st)
		expect(L, d, mk_slot(ISM_OP_FREE, tmp.token, tmp.slot), 0,
		       "FREE, valid");
	st = take(L, d, mk_attach(x->token, 0), &tmp);
	check(!st, "ATTACH, valid: %s", errname(st));
	if (!st)
		expect(L, d, mk_slot(ISM_OP_DETACH, tmp.token, tmp.slot), 0,
		       "DETACH, valid");
	expect(L, d, mk_slot(ISM_OP_QUERY, r->token, r->slot), 0,
	       "QUERY, valid");
	expect(L, d, mk_perm(r->token, r->slot, 0, ISM_PERM_DEFAULT, 0), 0,
	       "SET_PERM, valid");
	expect(L, d, mk_slot(ISM_OP_NOTIFY, r->token, r->slot), 0,
	       "NOTIFY, valid");
	expect(L, d, mk_peer(x->token, 0), 0, "PEER, valid");
	expect(L, d, mk_signal(e->devid, 7, 0x5eed), 0, "SIGNAL, valid");
	check(evt_wait(L, e, ISM_EVT_SIGNAL, ISM_SLOT_NONE, &ev, WAIT_MS) ==
			      0 &&
		      ev.status == 7 && ev.token == 0x5eed &&
		      ev.peer_devid == d->devid,
	      "the other device gets SIGNAL with code, info and sender");
}

static void grp_unknown(struct lab *L, struct hdev *d)
{
	const uint8_t ops[] = { 0x00, 0x0d, 0x0e, 0x40, 0x7f, 0x80, 0xfe, 0xff };
	char bad[64] = "";
	struct ism_req r;
	size_t i;
	int st, nbad = 0;

	for (i = 0; i < sizeof(ops); i++) {
		r = mk(ops[i]);
		/* A payload that would make sense for ALLOC. */
		r.u.alloc.size = 4096;
		st = call(L, d, r, NULL);
		if (st != -ISM_EOPNOTSUPP && !nbad++)
			snprintf(bad, sizeof(bad), ", op 0x%02x: %s", ops[i],
				 errname(st));
	}
	check(!nbad, "%zu unknown opcodes (0x00, 0x0d ... 0xff): -EOPNOTSUPP%s",
	      sizeof(ops), bad);
}

static void grp_limits(struct lab *L, struct hdev *d, struct hdev *e,
		       const struct hreg *r, const struct hreg *re,
		       const struct hreg *x)
{
	const uint32_t bad_slots[] = { d->max_regions - 1, d->max_regions,
				       0x7fffffff, 0xffffffff };
	const uint64_t big[] = { d->region_size + 1, d->region_size * 2,
				 1ull << 63, UINT64_MAX };
	const uint8_t slot_ops[] = { ISM_OP_FREE, ISM_OP_DETACH, ISM_OP_QUERY,
				     ISM_OP_NOTIFY };
	struct ism_region_desc desc;
	struct hreg tmp;
	uint32_t devid = 0;
	size_t i, k;
	int st;

	/* Sizes. */
	expect(L, d, mk_alloc(0, 0, 0), -ISM_EINVAL, "ALLOC of 0 octets");
	st = take(L, d, mk_alloc(1, 0, 0), &tmp);
	check(!st && tmp.desc.size == ISM_PAGE_SIZE && tmp.desc.nr_pages == 1,
	      "ALLOC of 1 octet: 0, one page (%s, size %" PRIu64 ")",
	      errname(st), tmp.desc.size);
	if (!st)
		call(L, d, mk_slot(ISM_OP_FREE, tmp.token, tmp.slot), NULL);
	st = take(L, d, mk_alloc(d->region_size, 0, 0), &tmp);
	check(!st && tmp.desc.size == d->region_size,
	      "ALLOC of region-size (%" PRIu64 "): 0 (%s)", d->region_size,
	      errname(st));
	if (!st)
		call(L, d, mk_slot(ISM_OP_FREE, tmp.token, tmp.slot), NULL);
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		expect(L, d, mk_alloc(big[i], 0, 0), -ISM_EFBIG,
		       "ALLOC of %" PRIu64 " octets (above region-size)",
		       big[i]);
	expect(L, d, mk_alloc(4096, 0x2, 0), -ISM_EINVAL,
	       "ALLOC with an unknown flag");
	expect(L, d, mk_alloc(4096, 0x80000000u, 0), -ISM_EINVAL,
	       "ALLOC with flag bit 31");
	expect(L, d, mk_alloc(4096, 0, ISM_PERM_READ), -ISM_EINVAL,
	       "ALLOC with perm but without ISM_ALLOC_F_DEFAULT_PERM");
	expect(L, d, mk_alloc(4096, ISM_ALLOC_F_DEFAULT_PERM, 0x20),
	       -ISM_EINVAL, "ALLOC with an unknown perm bit");
	st = take(L, d, mk_alloc(4096, ISM_ALLOC_F_DEFAULT_PERM, ISM_PERM_MASK),
		  &tmp);
	check(!st, "ALLOC with every perm bit in the default entry: 0 (%s)",
	      errname(st));
	if (!st)
		call(L, d, mk_slot(ISM_OP_FREE, tmp.token, tmp.slot), NULL);

	/* ATTACH. */
	expect(L, d, mk_attach(0, 0), -ISM_ENOENT, "ATTACH of token 0");
	expect(L, d, mk_attach(x->token, 0x2), -ISM_EINVAL,
	       "ATTACH with an unknown flag");
	expect(L, d, mk_attach(r->token, 0), -ISM_EEXIST,
	       "ATTACH of a region the device holds");

	/* Slots at and beyond max-regions, and a wrong token. */
	for (k = 0; k < sizeof(slot_ops); k++) {
		char bad[64] = "";
		int nbad = 0;

		for (i = 0; i < sizeof(bad_slots) / sizeof(bad_slots[0]); i++) {
			st = call(L, d,
				  mk_slot(slot_ops[k], r->token, bad_slots[i]),
				  NULL);
			if (st != -ISM_ENOENT && !nbad++)
				snprintf(bad, sizeof(bad), ", slot %u: %s",
					 bad_slots[i], errname(st));
		}
		check(!nbad,
		      "op 0x%02x on slots max-regions - 1 (unused), "
		      "max-regions, 2^31 - 1, 2^32 - 1: -ENOENT%s",
		      slot_ops[k], bad);
		expect(L, d, mk_slot(slot_ops[k], r->token ^ 1, r->slot),
		       -ISM_ESTALE, "op 0x%02x with a token not the slot's",
		       slot_ops[k]);
	}
	expect(L, d, mk_perm(r->token, d->max_regions, 0, 0, 0), -ISM_ENOENT,
	       "SET_PERM on slot max-regions");
	expect(L, d, mk_perm(r->token ^ 1, r->slot, 0, 0, 0), -ISM_ESTALE,
	       "SET_PERM with a token not the slot's");
	st = query(L, d, &(struct hreg){ 0, r->slot, { 0 } }, &desc);
	check(!st && desc.token == r->token,
	      "QUERY with token 0 matches the slot's region (%s)", errname(st));

	/* SET_PERM. */
	expect(L, d, mk_perm(r->token, r->slot, 0, 0x20, 0), -ISM_EINVAL,
	       "SET_PERM with an unknown perm bit");
	expect(L, d, mk_perm(r->token, r->slot, 5, ISM_PERM_DENY_OTHER, 0),
	       -ISM_EINVAL, "SET_PERM DENY_OTHER outside the default entry");
	expect(L, d, mk_perm(r->token, r->slot, d->devid, ISM_PERM_READ, 0),
	       -ISM_EINVAL, "SET_PERM of the owner's own devid");
	expect(L, d, mk_perm(r->token, r->slot, 0, 0, ISM_SET_PERM_F_REMOVE),
	       -ISM_EINVAL, "SET_PERM removing the default entry");
	expect(L, d,
	       mk_perm(r->token, r->slot, 7, ISM_PERM_READ,
		       ISM_SET_PERM_F_REMOVE),
	       -ISM_EINVAL, "SET_PERM removing with perm not 0");
	expect(L, d, mk_perm(r->token, r->slot, 7, ISM_PERM_READ, 0x2),
	       -ISM_EINVAL, "SET_PERM with an unknown flag");
	expect(L, d, mk_perm(r->token, r->slot, 0x80000000u, ISM_PERM_READ, 0),
	       -ISM_EINVAL, "SET_PERM of devid 2^31 (above 2147483647)");
	for (k = 0, st = 0; !st && k < d->max_perm; k++) {
		devid = ISM_DEVID_MAX - (uint32_t)k;
		st = call(L, d, mk_perm(r->token, r->slot, devid, 0, 0), NULL);
	}
	check(!st && k == d->max_perm,
	      "SET_PERM: %zu entries (max-perm-entries), the last of devid "
	      "%u: 0 (%s)",
	      k, devid, errname(st));
	expect(L, d, mk_perm(r->token, r->slot, 1000, ISM_PERM_READ, 0),
	       -ISM_EMLINK, "one entry more");
	expect(L, d,
	       mk_perm(r->token, r->slot, ISM_DEVID_MAX, 0,
		       ISM_SET_PERM_F_REMOVE),
	       0, "remove one");
	expect(L, d, mk_perm(r->token, r->slot, 1000, ISM_PERM_READ, 0), 0,
	       "then there is room again");
	expect(L, e, mk_perm(re->token, re->slot, 0, ISM_PERM_MASK, 0),
	       -ISM_EPERM, "SET_PERM by the peer (no MANAGE)");
	expect(L, e, mk_slot(ISM_OP_FREE, re->token, re->slot), -ISM_EPERM,
	       "FREE by the peer (no MANAGE)");

	/* NOTIFY. */
	sba_take(e, re->slot);
	expect(L, d, mk_slot(ISM_OP_NOTIFY, r->token, r->slot), 0,
	       "NOTIFY to the attached peer");
	check(sba_take(e, re->slot),
	      "the peer's signal bit array has its slot's bit");
	expect(L, e, mk_slot(ISM_OP_NOTIFY, x->token, x->slot), -ISM_ENOTCONN,
	       "NOTIFY on a region no other device holds");

	if (!d->fast_path)
		return;
	/* FASTPATH_OFFER and FASTPATH_ACCEPT. */
	expect(L, d, mk_fp(ISM_OP_FASTPATH_OFFER, r->token, r->slot, 0, 0),
	       -ISM_EINVAL, "FASTPATH_OFFER of port 0");
	expect(L, d,
	       mk_fp(ISM_OP_FASTPATH_OFFER, r->token, r->slot,
		     ISM_EVTCHN_MAX + 1, 0),
	       -ISM_EINVAL, "FASTPATH_OFFER of port 131072");
	expect(L, d, mk_fp(ISM_OP_FASTPATH_OFFER, r->token, r->slot, 100, 1),
	       -ISM_EINVAL, "FASTPATH_OFFER with status 1");
	expect(L, d,
	       mk_fp(ISM_OP_FASTPATH_OFFER, r->token, r->slot, ISM_EVTCHN_MAX,
		     0),
	       0,
	       "FASTPATH_OFFER of port 131071 (no such port: the backend "
	       "cannot know)");
	expect(L, d,
	       mk_fp(ISM_OP_FASTPATH_OFFER, r->token, r->slot, ISM_EVTCHN_MAX,
		     0),
	       -ISM_EALREADY, "a second offer");
	expect(L, e, mk_fp(ISM_OP_FASTPATH_OFFER, re->token, re->slot, 100, 0),
	       -ISM_EALREADY, "an offer from the peer meanwhile");
	expect(L, d, mk_fp(ISM_OP_FASTPATH_ACCEPT, r->token, r->slot, 100, 0),
	       -ISM_EINVAL, "the offerer accepting its own offer");
	expect(L, e, mk_fp(ISM_OP_FASTPATH_ACCEPT, re->token, re->slot, 0, 1),
	       -ISM_EINVAL, "ACCEPT with status 1");
	expect(L, e, mk_fp(ISM_OP_FASTPATH_ACCEPT, re->token, re->slot, 0, 0),
	       -ISM_EINVAL, "ACCEPT with status 0 and port 0");
	expect(L, e,
	       mk_fp(ISM_OP_FASTPATH_ACCEPT, re->token, re->slot, 5,
		     -ISM_ENOSPC),
	       -ISM_EINVAL, "ACCEPT with a failed bind and a port");
	expect(L, e,
	       mk_fp(ISM_OP_FASTPATH_ACCEPT, re->token, re->slot, 0,
		     -ISM_ENOSPC),
	       0, "ACCEPT with a failed bind");
	expect(L, e,
	       mk_fp(ISM_OP_FASTPATH_ACCEPT, re->token, re->slot, 0,
		     -ISM_ENOSPC),
	       -ISM_EINVAL, "ACCEPT again, no offer pending");
}

/* The event queue: full, overflow, a frontend index that is garbage. */
static void grp_evtq(struct lab *L, struct hdev *d, struct hdev *e,
		     struct hreg *r, struct hreg *re)
{
	struct ism_req reqs[2];
	struct ism_rsp rsps[2];
	struct ism_region_desc desc;
	uint32_t prod0, prod1, flags;
	struct ism_evt ev;
	unsigned int c, bad = 0;
	int st;

	/* 40 DETACH/ATTACH cycles of the peer: 80 events for the owner. */
	evt_drain(d);
	prod0 = evt_prod(d);
	for (c = 0; c < 40; c++) {
		reqs[0] = mk_slot(ISM_OP_DETACH, re->token, re->slot);
		reqs[1] = mk_attach(re->token, 0);
		ring_call_n(L, e, reqs, rsps, 2, false);
		bad += rsps[0].status != 0 || rsps[1].status != 0;
		if (!rsps[1].status)
			re->slot = rsps[1].u.region.slot;
	}
	check(!bad, "the peer detaches and attaches 40 times (%u failed)", bad);
	prod1 = evt_prod(d);
	flags = __atomic_load_n(&d->evtp->flags, __ATOMIC_ACQUIRE);
	check(prod1 - prod0 == ISM_EVT_ENTRIES &&
		      (flags & ISM_EVTPAGE_F_OVERFLOW),
	      "80 events, none consumed: the queue holds 64 and OVERFLOW is "
	      "set (%u queued, flags 0x%x)",
	      prod1 - prod0, flags);
	evt_drain(d);
	st = query(L, d, r, &desc);
	check(!st && (desc.flags & ISM_DESC_F_PEER_PRESENT),
	      "after the overflow QUERY tells what was lost: the peer is "
	      "present (%s, flags 0x%x)",
	      errname(st), desc.flags);

	/*
	 * evt_cons ahead of evt_prod: in modulo arithmetic the queue reads as
	 * full (evt_prod - evt_cons >= 64), so the backend drops the event
	 * and sets OVERFLOW; it must not write beyond the queue.
	 */
	prod0 = evt_prod(d);
	__atomic_store_n(&d->evtp->evt_cons, prod0 + 7, __ATOMIC_RELEASE);
	expect(L, e, mk_slot(ISM_OP_DETACH, re->token, re->slot), 0,
	       "the peer detaches while the owner's evt_cons is 7 ahead of "
	       "evt_prod");
	flags = __atomic_load_n(&d->evtp->flags, __ATOMIC_ACQUIRE);
	check(evt_prod(d) == prod0 && (flags & ISM_EVTPAGE_F_OVERFLOW),
	      "the event is dropped with OVERFLOW (evt_prod moved by %u, "
	      "flags 0x%x)",
	      evt_prod(d) - prod0, flags);
	evt_drain(d);
	st = take(L, e, mk_attach(re->token, 0), re);
	check(!st && evt_wait(L, d, ISM_EVT_PEER_ATTACHED, r->slot, &ev,
			      WAIT_MS) == 0,
	      "with evt_cons mended, events flow again (PEER_ATTACHED)");
}

/* A region released under the peer: its slot accepts QUERY and DETACH. */
static void grp_released(struct lab *L, struct hdev *d, struct hdev *e,
			 const struct hreg *r, const struct hreg *re)
{
	struct ism_region_desc desc;
	struct ism_evt ev;
	int st;

	expect(L, d, mk_slot(ISM_OP_FREE, r->token, r->slot), 0,
	       "the owner FREEs the shared region");
	check(evt_wait(L, e, ISM_EVT_REGION_RELEASED, re->slot, &ev, WAIT_MS) ==
			      0 &&
		      ev.status == ISM_RELEASE_FREED,
	      "the peer gets REGION_RELEASED (FREED)");
	st = query(L, e, re, &desc);
	check(!st && desc.state == ISM_RSTATE_RELEASED &&
		      !(desc.flags & ISM_DESC_F_PEER_PRESENT),
	      "its QUERY says RELEASED, no peer present (%s, state %u)",
	      errname(st), desc.state);
	expect(L, e, mk_slot(ISM_OP_NOTIFY, re->token, re->slot), -ISM_EIDRM,
	       "NOTIFY on the released slot");
	expect(L, e, mk_slot(ISM_OP_FREE, re->token, re->slot), -ISM_EIDRM,
	       "FREE of the released slot");
	expect(L, e, mk_perm(re->token, re->slot, 0, ISM_PERM_READ, 0),
	       -ISM_EIDRM, "SET_PERM on the released slot");
	if (e->fast_path)
		expect(L, e,
		       mk_fp(ISM_OP_FASTPATH_OFFER, re->token, re->slot, 100,
			     0),
		       -ISM_EIDRM, "FASTPATH_OFFER on the released slot");
	expect(L, e, mk_attach(re->token, 0), -ISM_ENOENT,
	       "ATTACH of the dead token");
	expect(L, e, mk_slot(ISM_OP_DETACH, re->token, re->slot), 0,
	       "DETACH of the released slot");
	expect(L, e, mk_slot(ISM_OP_QUERY, re->token, re->slot), -ISM_ENOENT,
	       "QUERY of the slot after that");
	expect(L, d, mk_slot(ISM_OP_QUERY, r->token, r->slot), -ISM_ENOENT,
	       "QUERY of the owner's slot after its FREE");
}

/* Garbage in the ring: headers, whole requests, producer indexes. */
static void grp_garbage(struct lab *L, struct hdev *d)
{
	struct ism_req reqs[ISM_RING_ENTRIES];
	struct ism_rsp rsps[ISM_RING_ENTRIES];
	struct ism_sring_hdr *h = &d->ring->hdr;
	const uint32_t ahead[] = { ISM_RING_ENTRIES + 1, 0x80000000u,
				   0xffffffffu };
	char err[200];
	unsigned int i, bad = 0;
	size_t k;
	int st;

	/* The header's other fields are the frontend's to scribble on. */
	h->rsp_prod = d->rsp_cons - 1000;
	h->rsp_event = 0xdeadbeef;
	h->req_event = 12345;
	memset(h->reserved, 0xff, sizeof(h->reserved));
	st = call(L, d, mk(ISM_OP_INFO), NULL);
	check(st == 0,
	      "INFO with garbage in rsp_prod, rsp_event, req_event and the "
	      "header's reserved octets: answered (%s)",
	      errname(st));

	/* A full ring of random requests. */
	for (i = 0; i < ISM_RING_ENTRIES; i++)
		for (k = 0; k < sizeof(reqs[i]); k += 8) {
			uint64_t v = lab_rand(L);

			memcpy((char *)&reqs[i] + k, &v, 8);
		}
	ring_call_n(L, d, reqs, rsps, ISM_RING_ENTRIES, true);
	for (i = 0; i < ISM_RING_ENTRIES; i++)
		bad += rsps[i].status != -ISM_EINVAL &&
		       rsps[i].status != -ISM_EOPNOTSUPP;
	check(!bad,
	      "32 requests of random octets: each answered -EINVAL or "
	      "-EOPNOTSUPP (%u not)",
	      bad);

	/* Producer indexes the backend must not believe. */
	for (k = 0; k < sizeof(ahead) / sizeof(ahead[0]); k++) {
		__atomic_store_n(&h->req_prod, d->req_prod + ahead[k],
				 __ATOMIC_RELEASE);
		notify(L, d);
		st = be_wait(L, d, BIT(ISM_XBS_CLOSED), WAIT_MS);
		be_error(L, d, err, sizeof(err));
		check(st == ISM_XBS_CLOSED && err[0],
		      "req_prod %u ahead of the backend's consumer: it closes "
		      "the device with an error (state %d: %s)",
		      ahead[k], st, err[0] ? err : "no error node");
		dev_reset(L, d);
		if (dev_connect(L, d)) {
			check(false, "the device connects again");
			return;
		}
	}
}

static void grp_ring(struct lab *L)
{
	struct hdev *d = &L->dev[0], *e = &L->dev[1];
	struct ism_rsp rsp;
	struct hreg r, re, x;
	char path[160];
	uint64_t gid = 0;
	int st;

	if (dev_connect(L, d) || dev_connect(L, e)) {
		check(false, "both devices connect");
		return;
	}
	be_path(d, ISM_FIELD_GID, path, sizeof(path));
	xs_get_u64(L, path, 16, &gid);
	st = call(L, d, mk(ISM_OP_INFO), &rsp);
	check(!st && rsp.u.info.devid == d->devid && rsp.u.info.gid == gid &&
		      rsp.u.info.bytes_max == d->max_bytes &&
		      !rsp.u.info.slots_used,
	      "INFO names this device, the gid and max-bytes (%s)",
	      errname(st));
	/* r: d's region, shared with e (re); x: e's own, unshared. */
	st = take(L, d, mk_alloc(4096, 0, 0), &r);
	st = st ?: take(L, e, mk_attach(r.token, 0), &re);
	st = st ?: take(L, e, mk_alloc(4096, 0, 0), &x);
	check(!st, "set up: a region shared by the two devices, one not (%s)",
	      errname(st));
	if (st)
		return;
	grp_reserved(L, d, e, &r, &re, &x);
	grp_unknown(L, d);
	grp_limits(L, d, e, &r, &re, &x);
	grp_evtq(L, d, e, &r, &re);
	grp_released(L, d, e, &r, &re);
	expect(L, e, mk_slot(ISM_OP_FREE, x.token, x.slot), 0,
	       "FREE the unshared region");
	grp_garbage(L, d);
	check(!L->bad_shape,
	      "every response copied its request's id and op, with zero "
	      "reserved octets and, on failure, a zero payload (%u not)",
	      L->bad_shape);
	dev_close(L, d);
	dev_close(L, e);
}

/* ---- Group: regions ------------------------------------------------------ */

static void grp_regions(struct lab *L, const char *line)
{
	struct hdev *d = &L->dev[0], *e = &L->dev[1];
	struct ism_req reqs[ISM_RING_ENTRIES];
	struct ism_rsp rsps[ISM_RING_ENTRIES];
	const uint8_t slot_ops[] = { ISM_OP_QUERY, ISM_OP_NOTIFY, ISM_OP_FREE,
				     ISM_OP_DETACH };
	uint32_t grefs[ISM_DIR_GREFS_PER_PAGE];
	char unit[128];
	/* The owner's data: LINE and a newline, repeated (yes(1)). */
	size_t len =
		(size_t)snprintf(unit, sizeof(unit), "%s\n", line ? line : "");
	unsigned int i, k, bad = 0, refused = 0, same = 0;
	struct ism_region_desc desc;
	uint64_t t_deny = 0, t_ro = 0;
	char val[32];
	struct hreg r, ro;
	void *p;
	int st, n;

	if (dev_connect(L, d) || dev_connect(L, e)) {
		check(false, "both devices connect");
		return;
	}
	/* Random tokens: 256 ATTACHes. */
	for (k = 0; k < 256; k += ISM_RING_ENTRIES) {
		for (i = 0; i < ISM_RING_ENTRIES; i++)
			reqs[i] = mk_attach(lab_token(L), 0);
		ring_call_n(L, d, reqs, rsps, ISM_RING_ENTRIES, false);
		for (i = 0; i < ISM_RING_ENTRIES; i++)
			bad += rsps[i].status != -ISM_ENOENT;
	}
	check(!bad, "256 ATTACHes of random tokens: -ENOENT each (%u not)",
	      bad);
	/* Random tokens on a slot the device holds: -ESTALE. */
	st = take(L, d, mk_alloc(4096, 0, 0), &r);
	bad = 0;
	for (k = 0; !st && k < sizeof(slot_ops); k++)
		for (i = 0; i < 8; i++)
			bad += call(L, d,
				    mk_slot(slot_ops[k], lab_token(L), r.slot),
				    NULL) != -ISM_ESTALE;
	for (i = 0; !st && i < 8; i++)
		bad += call(L, d,
			    mk_perm(lab_token(L), r.slot, 0, ISM_PERM_MASK, 0),
			    NULL) != -ISM_ESTALE;
	check(!st && !bad,
	      "random tokens on a slot it holds (QUERY, NOTIFY, FREE, DETACH, "
	      "SET_PERM, 8 each): -ESTALE each (%u not)",
	      bad);
	if (!st)
		call(L, d, mk_slot(ISM_OP_FREE, r.token, r.slot), NULL);

	/* Another guest's regions, whose tokens dom0 passed on. */
	if (xs_wait_get(L, "lab/t-deny", val, sizeof(val), WAIT_MS) == 0)
		t_deny = strtoull(val, NULL, 16);
	if (xs_wait_get(L, "lab/t-ro", val, sizeof(val), WAIT_MS) == 0)
		t_ro = strtoull(val, NULL, 16);
	check(t_deny && t_ro, "learn two tokens of guest %u's regions",
	      L->other);
	expect(L, d, mk_attach(t_deny, 0), -ISM_EACCES,
	       "ATTACH of a region whose default entry denies others");
	expect(L, d, mk_attach(t_deny, ISM_ATTACH_F_READONLY), -ISM_EACCES,
	       "the same, read-only");
	st = take(L, d, mk_attach(t_ro, 0), &ro);
	check(!st && ro.desc.side == ISM_SIDE_PEER &&
		      ro.desc.perm == (ISM_PERM_READ | ISM_PERM_ATTACH) &&
		      ro.desc.peer_domid == L->other &&
		      (ro.desc.flags & ISM_DESC_F_PEER_PRESENT),
	      "ATTACH of a region granting READ and ATTACH: 0, as the peer, "
	      "perm READ|ATTACH (%s, perm 0x%x)",
	      errname(st), ro.desc.perm);
	if (st)
		goto out;
	/* Its pages: read-only maps work, writable ones are refused. */
	n = dir_read(L, d, &ro, grefs, ISM_DIR_GREFS_PER_PAGE);
	check(n > 0 && (uint32_t)n == ro.desc.nr_pages,
	      "read the region's page directory (%d references)", n);
	for (i = 0; n > 0 && i < (unsigned int)n; i++) {
		unsigned char *c = gmap(L, d, grefs[i], PROT_READ);

		if (c && line) {
			for (k = 0; k < ISM_PAGE_SIZE; k++)
				if (c[k] !=
				    (unsigned char)
					    unit[(i * ISM_PAGE_SIZE + k) % len])
					break;
			same += k == ISM_PAGE_SIZE;
		}
		if (c)
			xengnttab_unmap(L->gt, c, 1);
		p = gmap(L, d, grefs[i], PROT_READ | PROT_WRITE);
		refused += !p;
		if (p) {
			/* Nothing is written: only the mapping was tested. */
			xengnttab_unmap(L->gt, p, 1);
		}
	}
	check(n > 0 && same == (unsigned int)n,
	      "read-only maps of its %d pages show the owner's data (%u of %d)",
	      n, same, n);
	check(n > 0 && refused == (unsigned int)n,
	      "a writable map of each page of the read-only region is refused "
	      "by the hypervisor (%u of %d)",
	      refused, n);
	p = gmap(L, d, ro.desc.dir_gref, PROT_READ | PROT_WRITE);
	check(!p, "a writable map of its page directory is refused");
	if (p)
		xengnttab_unmap(L->gt, p, 1);
	p = gmap(L, d, ro.desc.bell_gref, PROT_READ | PROT_WRITE);
	check(p != NULL, "its doorbell maps writable, as the protocol says");
	if (p)
		xengnttab_unmap(L->gt, p, 1);
	/* Rights it was not given. */
	expect(L, d,
	       mk_perm(ro.token, ro.slot, d->devid,
		       ISM_PERM_READ | ISM_PERM_WRITE | ISM_PERM_ATTACH |
			       ISM_PERM_MANAGE,
		       0),
	       -ISM_EPERM, "SET_PERM giving itself WRITE and MANAGE");
	expect(L, d, mk_perm(ro.token, ro.slot, 0, ISM_PERM_DEFAULT, 0),
	       -ISM_EPERM, "SET_PERM of the default entry");
	expect(L, d, mk_slot(ISM_OP_FREE, ro.token, ro.slot), -ISM_EPERM,
	       "FREE of the other guest's region");
	expect(L, d, mk_attach(ro.token, 0), -ISM_EEXIST, "ATTACH again");
	expect(L, e, mk_attach(ro.token, 0), -ISM_EBUSY,
	       "ATTACH from the guest's other device (the pair is taken)");
	expect(L, d, mk_slot(ISM_OP_NOTIFY, ro.token, ro.slot), 0,
	       "NOTIFY (any referrer may)");
	st = query(L, d, &ro, &desc);
	check(!st && !(desc.perm & ISM_PERM_WRITE),
	      "QUERY: still no WRITE (%s, perm 0x%x)", errname(st), desc.perm);
	if (d->fast_path) {
		struct ism_evt ev;

		/*
		 * A port that is not ours to offer: the owner cannot bind it.
		 * The owner's library may have offered a fast path itself
		 * when we attached; ours is then -EALREADY, and we answer its
		 * offer claiming a bind that never happened, which the
		 * backend cannot tell.  Both hurt only this pair.
		 */
		st = call(L, d,
			  mk_fp(ISM_OP_FASTPATH_OFFER, ro.token, ro.slot, 1, 0),
			  NULL);
		check(st == 0 || st == -ISM_EALREADY,
		      "FASTPATH_OFFER of a bogus port to the owner: 0, or "
		      "-EALREADY if the owner offered first (%s)",
		      errname(st));
		if (!st) {
			st = evt_wait(L, d, ISM_EVT_FASTPATH_READY, ro.slot,
				      &ev, 3000);
			diag("the owner's answer to the bogus offer: %s",
			     st ? "none within 3 s" : errname(ev.status));
		} else if (!evt_wait(L, d, ISM_EVT_FASTPATH_OFFER, ro.slot, &ev,
				     WAIT_MS)) {
			expect(L, d,
			       mk_fp(ISM_OP_FASTPATH_ACCEPT, ro.token, ro.slot,
				     1, 0),
			       0,
			       "FASTPATH_ACCEPT of the owner's offer (port %u) "
			       "with a port never bound",
			       ev.port);
		} else {
			check(false, "the owner's FASTPATH_OFFER arrives");
		}
	}
	expect(L, d, mk_slot(ISM_OP_DETACH, ro.token, ro.slot), 0, "DETACH");
out:
	dev_close(L, d);
	dev_close(L, e);
}

/* ---- Group: quota -------------------------------------------------------- */

/*
 * ALLOC @size on @d until a request fails (at most @max + 32 requests);
 * the regions in @regs, the count in *@n; the first failure's status.
 */
static int alloc_until(struct lab *L, struct hdev *d, uint64_t size,
		       struct hreg *regs, unsigned int max, unsigned int *n)
{
	struct ism_req reqs[ISM_RING_ENTRIES];
	struct ism_rsp rsps[ISM_RING_ENTRIES];
	unsigned int i;
	int fail = 0;

	*n = 0;
	while (!fail && *n < max + ISM_RING_ENTRIES) {
		for (i = 0; i < ISM_RING_ENTRIES; i++)
			reqs[i] = mk_alloc(size, 0, 0);
		ring_call_n(L, d, reqs, rsps, ISM_RING_ENTRIES, false);
		for (i = 0; i < ISM_RING_ENTRIES; i++) {
			if (rsps[i].status) {
				fail = fail ?: rsps[i].status;
				continue;
			}
			if (*n < max) {
				regs[*n].token = rsps[i].u.region.token;
				regs[*n].slot = rsps[i].u.region.slot;
			}
			(*n)++;
		}
	}
	return fail;
}

/* FREE @n regions; how many failed. */
static unsigned int free_all(struct lab *L, struct hdev *d,
			     const struct hreg *regs, unsigned int n)
{
	struct ism_req reqs[ISM_RING_ENTRIES];
	struct ism_rsp rsps[ISM_RING_ENTRIES];
	unsigned int i = 0, k, m, bad = 0;

	while (i < n) {
		m = n - i < ISM_RING_ENTRIES ? n - i : ISM_RING_ENTRIES;
		for (k = 0; k < m; k++)
			reqs[k] = mk_slot(ISM_OP_FREE, regs[i + k].token,
					  regs[i + k].slot);
		ring_call_n(L, d, reqs, rsps, m, false);
		for (k = 0; k < m; k++)
			bad += rsps[k].status != 0;
		i += m;
	}
	return bad;
}

static void grp_quota(struct lab *L)
{
	struct hdev *d = &L->dev[0], *e = &L->dev[1];
	unsigned int n, want, max = d->max_regions + ISM_RING_ENTRIES;
	struct hreg *regs = calloc(max, sizeof(*regs)), x;
	struct ism_rsp rsp;
	int st;

	if (!regs || dev_connect(L, d) || dev_connect(L, e)) {
		check(false, "both devices connect");
		free(regs);
		return;
	}
	/* Slots: max-regions regions of a page, then -ENOSPC. */
	st = alloc_until(L, d, ISM_PAGE_SIZE, regs, max, &n);
	check(n == d->max_regions && st == -ISM_ENOSPC,
	      "ALLOC of a page until refused: %u regions (max-regions %u), "
	      "then %s",
	      n, d->max_regions, errname(st));
	st = take(L, e, mk_alloc(ISM_PAGE_SIZE, 0, 0), &x);
	check(!st, "the other device allocates one: %s", errname(st));
	if (!st) {
		expect(L, d, mk_attach(x.token, 0), -ISM_ENOSPC,
		       "ATTACH on the device with no free slot");
		call(L, e, mk_slot(ISM_OP_FREE, x.token, x.slot), NULL);
	}
	n = n < max ? n : max;
	check(!free_all(L, d, regs, n), "FREE them all");

	/* max-bytes: regions of region-size until -EDQUOT. */
	want = (unsigned int)(d->max_bytes / d->region_size);
	st = alloc_until(L, d, d->region_size, regs, max, &n);
	check(want <= d->max_regions && n == want && st == -ISM_EDQUOT,
	      "ALLOC of region-size until refused: %u regions (max-bytes / "
	      "region-size = %u), then %s",
	      n, want, errname(st));
	st = call(L, d, mk(ISM_OP_INFO), &rsp);
	check(!st && rsp.u.info.bytes_used == (uint64_t)n * d->region_size,
	      "INFO: %" PRIu64 " octets in use", rsp.u.info.bytes_used);
	expect(L, e, mk_alloc(ISM_PAGE_SIZE, 0, 0), -ISM_EDQUOT,
	       "ALLOC of a page on the other device (the quota is the "
	       "domain's)");
	if (n)
		expect(L, e, mk_attach(regs[0].token, 0), -ISM_EDQUOT,
		       "ATTACH on the other device (each referrer is charged)");
	n = n < max ? n : max;
	check(!free_all(L, d, regs, n), "FREE them all");
	st = call(L, e, mk(ISM_OP_INFO), &rsp);
	check(!st && !rsp.u.info.bytes_used && !rsp.u.info.slots_used,
	      "INFO: nothing in use any more (%" PRIu64 " octets)",
	      rsp.u.info.bytes_used);
	dev_close(L, d);
	dev_close(L, e);
	free(regs);
}

/* ---- Group: flood and final ---------------------------------------------- */

/* dom0 wrote ~/lab/@name (looked at every 500 ms). */
static bool told(struct lab *L, const char *name, long long *next)
{
	char path[64], val[8];

	if (now_ms() < *next)
		return false;
	*next = now_ms() + 500;
	snprintf(path, sizeof(path), "lab/%s", name);
	return xs_get(L, path, val, sizeof(val)) == 0;
}

/*
 * Keep @d's ring full of requests for @ms or until dom0 writes ~/lab/@stop:
 * INFO, NOTIFY and QUERY of @r, a QUERY of a slot not in use, an unknown
 * opcode and an ATTACH of a random token, each answer checked; a signal
 * after every request.  Returns the requests answered; *@bad the wrong.
 */
static unsigned long flood_requests(struct lab *L, struct hdev *d,
				    const struct hreg *r, const char *stop,
				    int ms, unsigned long *bad)
{
	static const int want[] = {
		0, 0, 0, -ISM_ENOENT, -ISM_EOPNOTSUPP, -ISM_ENOENT
	};
	long long end = now_ms() + ms, next = 0;
	unsigned long done = 0, sent = 0;
	struct ism_req req;
	struct ism_rsp rsp;
	uint32_t kind;

	*bad = 0;
	while (now_ms() < end && !(stop && told(L, stop, &next))) {
		while (d->req_prod - d->rsp_cons < ISM_RING_ENTRIES) {
			switch (sent % 6) {
			case 0:
				req = mk(ISM_OP_INFO);
				break;
			case 1:
				req = mk_slot(ISM_OP_NOTIFY, r->token, r->slot);
				break;
			case 2:
				req = mk_slot(ISM_OP_QUERY, r->token, r->slot);
				break;
			case 3:
				req = mk_slot(ISM_OP_QUERY, 0,
					      d->max_regions - 1);
				break;
			case 4:
				req = mk(0xee);
				break;
			default:
				req = mk_attach(lab_token(L), 0);
				break;
			}
			/* The id says which kind it was. */
			req.id = (uint32_t)(sent % 6) | (uint32_t)(sent << 3);
			ring_put(d, &req, true);
			sent++;
			ring_publish(L, d);
		}
		d->ring->hdr.rsp_event = d->rsp_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!rsp_ready(d)) {
			evt_sleep(L, 50);
			continue;
		}
		while (rsp_ready(d)) {
			memcpy(&rsp,
			       &d->ring->ring[d->rsp_cons % ISM_RING_ENTRIES]
					.rsp,
			       sizeof(rsp));
			kind = rsp.id & 7;
			*bad += kind > 5 || rsp.status != want[kind] ||
				rsp.id != ((uint32_t)(done % 6) |
					   (uint32_t)(done << 3));
			d->rsp_cons++;
			done++;
		}
	}
	/* Collect what is still in flight (bounded). */
	end = now_ms() + WAIT_MS;
	while (d->rsp_cons != d->req_prod && now_ms() < end) {
		if (rsp_ready(d))
			d->rsp_cons += rsp_ready(d);
		else
			evt_sleep(L, 100);
	}
	return done;
}

static void grp_flood(struct lab *L)
{
	struct hdev *d = &L->dev[0], *e = &L->dev[1];
	long long t0, next = 0;
	unsigned long n, bad = 0, sig = 0;
	struct hreg r, re;
	int st;

	if (dev_connect(L, d) || dev_connect(L, e)) {
		check(false, "both devices connect");
		return;
	}
	st = take(L, d, mk_alloc(4096, 0, 0), &r);
	st = st ?: take(L, e, mk_attach(r.token, 0), &re);
	check(!st, "set up a region shared by the two devices (%s)",
	      errname(st));
	xs_put(L, "lab/flooding-req", "1");
	t0 = now_ms();
	n = flood_requests(L, d, &r, "stop-req", FLOOD_MS, &bad);
	check(n > 0 && !bad,
	      "request flood: %lu requests in %lld ms, a signal after each, "
	      "every answer right (%lu wrong)",
	      n, now_ms() - t0, bad);
	check(sba_take(e, re.slot),
	      "the peer's signal bit is set (many NOTIFYs, one bit)");

	xs_put(L, "lab/flooding-evt", "1");
	t0 = now_ms();
	while (now_ms() - t0 < FLOOD_MS && !told(L, "stop-evt", &next)) {
		notify(L, d);
		notify(L, e);
		sig += 2;
	}
	check(sig > 0, "notification flood: %lu signals in %lld ms, no request",
	      sig, now_ms() - t0);
	st = call(L, d, mk(ISM_OP_INFO), NULL);
	check(!st, "the device answers INFO after the flood (%s)", errname(st));
	expect(L, d, mk_slot(ISM_OP_FREE, r.token, r.slot), 0,
	       "FREE the shared region");
	expect(L, e, mk_slot(ISM_OP_DETACH, re.token, re.slot), 0,
	       "DETACH its released slot");
	dev_close(L, d);
	dev_close(L, e);
}

static void grp_final(struct lab *L)
{
	struct hdev *d = &L->dev[0], *e = &L->dev[1];
	unsigned int n, max = d->max_regions + ISM_RING_ENTRIES;
	struct hreg *regs = calloc(max, sizeof(*regs)), r3, x;
	unsigned long bad;
	char val[32];
	int st;

	if (!regs || dev_connect(L, d) || dev_connect(L, e)) {
		check(false, "both devices connect");
		free(regs);
		return;
	}
	st = xs_wait_get(L, "lab/t-r3", val, sizeof(val), WAIT_MS);
	st = st ?: take(L, e, mk_attach(strtoull(val, NULL, 16), 0), &r3);
	check(!st, "attach the other guest's region (%s)", errname(st));
	st = alloc_until(L, d, d->region_size, regs, max, &n);
	check(st == -ISM_EDQUOT, "hold the whole quota: %u regions, then %s", n,
	      errname(st));
	/* A pair of its own, with an offer pending, and a signal bit set. */
	st = take(L, d, mk_alloc(4096, 0, 0), &x);
	diag("one more page after the quota: %s", errname(st));
	if (d->fast_path && !st)
		call(L, d, mk_fp(ISM_OP_FASTPATH_OFFER, x.token, x.slot, 7, 0),
		     NULL);
	/* dom0 destroys the guest during the flood: the lines end here. */
	printf("# final flood starts\n");
	fflush(stdout);
	xs_put(L, "lab/flood-final", "1");
	flood_requests(L, e, &r3, NULL, FINAL_MS, &bad);
	check(false, "the guest was destroyed during the final flood");
	free(regs);
}

static void grp_run(struct lab *L, const char *g, const char *arg)
{
	if (!strcmp(g, "xenstore"))
		grp_xenstore(L);
	else if (!strcmp(g, "ring"))
		grp_ring(L);
	else if (!strcmp(g, "regions"))
		grp_regions(L, arg);
	else if (!strcmp(g, "quota"))
		grp_quota(L);
	else if (!strcmp(g, "flood"))
		grp_flood(L);
	else if (!strcmp(g, "final"))
		grp_final(L);
	else
		check(false, "known group %s", g);
}

int main(int argc, char **argv)
{
	struct lab L = { 0 };
	const char *g = argc > 1 ? argv[1] : "";
	char val[32];
	uint64_t v;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: lab-hostile xenstore|ring|regions "
				"LINE|quota|flood|final\n");
		return 2;
	}
	L.xs = xs_open(0);
	L.gs = xengntshr_open(NULL, 0);
	L.gt = xengnttab_open(NULL, 0);
	L.xce = xenevtchn_open(NULL, 0);
	if (!L.xs || !L.gs || !L.gt || !L.xce) {
		check(false, "open xenstore, gntshr, gntdev and evtchn (%s)",
		      strerror(errno));
		return 1;
	}
	if (getrandom(&L.rng, sizeof(L.rng), 0) != sizeof(L.rng) || !L.rng)
		L.rng = 0x9e3779b97f4a7c15ull;
	diag("%s: random seed %016" PRIx64, g, L.rng);
	if (!xs_get_u64(&L, "domid", 10, &v))
		L.domid = (uint16_t)v;
	if (!xs_wait_get(&L, "lab/peer", val, sizeof(val), WAIT_MS))
		L.other = (uint16_t)strtoul(val, NULL, 10);
	if (!xs_wait_get(&L, "lab/adev", val, sizeof(val), WAIT_MS))
		L.other_devid = (uint32_t)strtoul(val, NULL, 10);
	for (i = 0; !rc && i < NDEV; i++)
		rc = dev_open(&L, i);
	check(!rc, "%s: open two ism devices as a raw frontend (%s)", g,
	      rc ? strerror(-rc) : "InitWait");
	if (!rc)
		grp_run(&L, g, argc > 2 ? argv[2] : NULL);
	for (i = 0; i < NDEV; i++)
		dev_release_local(&L, &L.dev[i]);
	/* dom0 waits for this line before it reads the others. */
	diag("%s: end, %d failed", g, failures);
	xenevtchn_close(L.xce);
	xengnttab_close(L.gt);
	xengntshr_close(L.gs);
	xs_close(L.xs);
	return failures ? 1 : 0;
}
