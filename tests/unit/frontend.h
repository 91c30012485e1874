/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frontend.h - a tiny frontend driver for the backend's unit tests.
 *
 * A struct fw is a world: a fake Xen host whose dom0 runs the backend
 * core.  A struct fe is one guest's ism device, driven the way a real
 * frontend would drive it: xenstore handshake, control ring requests with
 * notify suppression, event page, page directories and mappings, all
 * through the fake's test-side API.  Everything is synchronous: after each
 * step the world is pumped (the backend takes its watch events and event
 * channel ports) until it is quiet, so tests read as scenarios:
 *
 *	fw_open(&w, NULL);
 *	fw_guest(&w, 5);
 *	fe_create(&w, 5, 4097, &a);
 *	fe_connect(&a);
 *	tap_is_int(fe_alloc(&a, 8192, &desc), 0, "alloc");
 *
 * Functions return 0 or a negative errno; the request helpers return the
 * response's status (or -ETIMEDOUT if no response came, -EPROTO if the
 * response does not match the request).
 */
#ifndef ISM_TESTS_UNIT_FRONTEND_H
#define ISM_TESTS_UNIT_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>

#include "ismif.h"
#include "ism-backend.h"
#include "fake-xen.h"

struct fe;

/* The backend's domain in a world made by fw_open(). */
#define FW_BE 0

struct fw {
	struct fake_xen *fx;
	struct ism_platform *p;
	struct ism_backend *be;
	uint16_t be_domid; /* where the backend runs (FW_BE unless told) */
	struct ism_backend_limits lim;
	unsigned int nlog; /* messages the backend logged */
	char last_log[256];
	void *state; /* the last state saved (fw_keep) */
	size_t state_len;
	unsigned int saves;
	int save_rc; /* what the save callback answers */
};

/* A world with @lim (NULL: defaults, gid 0x5e1f0c2a9b7d4433). */
int fw_open(struct fw *w, const struct ism_backend_limits *lim);
/*
 * fw_open(), but the backend runs in domain @be_domid: 0 is dom0; any
 * other domain is created first, unprivileged, as a driver domain (its
 * domain_info fails with -EPERM and @releaseDomain never reaches it).
 */
int fw_open_in(struct fw *w, const struct ism_backend_limits *lim,
	       uint16_t be_domid);
/*
 * fw_open(), then guests 5, 7, 9, ... with one device each (devids 4097,
 * 4098, ...), all connected: @fes[0 .. @n - 1].  Exits the test on failure.
 */
void fw_open_guests(struct fw *w, const struct ism_backend_limits *lim,
		    struct fe *fes, unsigned int n);
/* Free the backend (closing its devices), then the host. */
void fw_close(struct fw *w);
/* Free only the backend; the host stays for leak checks. */
void fw_stop(struct fw *w);
/* Save the backend's state into @w->state whenever it changes. */
int fw_keep(struct fw *w);
/* The daemon dies: ism_backend_abandon(), its platform crashes keeping. */
void fw_crash(struct fw *w);
/* A new platform of the backend's domain adopts what the crash kept. */
int fw_adopt(struct fw *w);
/*
 * The daemon dies (fw_crash()) and a new one starts on a new platform that adopts them and
 * restores from @state (@len bytes, or NULL), keeping as fw_keep() does;
 * then pump.  @info_out may be NULL.
 */
int fw_restart(struct fw *w, const void *state, size_t len,
	       struct ism_backend_restored *info_out);
/* Let the backend take every watch event and port until quiet. */
int fw_pump(struct fw *w);
/* ism_backend_reclaim() and pump; returns what reclaim returned. */
int fw_reclaim(struct fw *w);
/* Start guest domain @domid. */
int fw_guest(struct fw *w, uint16_t domid);
/* Kill guest @domid and pump. */
int fw_kill(struct fw *w, uint16_t domid);
/* Whether the backend domain holds nothing (fake usage counters). */
bool fw_be_clean(struct fw *w);

/*
 * A world of three guests @a, @b and @c with one device each (devids 1, 2
 * and 3), all connected, the backend in domain @be_domid.  @base is what
 * the backend held (fake usage) before @b connected, so that a test can
 * check that @b's end leaves nothing behind.  Exits the test on failure.
 */
struct fw_trio;
void fw_trio_open(struct fw_trio *t, uint16_t be_domid, uint16_t a, uint16_t b,
		  uint16_t c);
/* Whether the backend holds what it held at @t->base. */
bool fw_trio_at_base(struct fw_trio *t);

struct fe {
	struct fw *w;
	uint16_t domid;
	uint32_t devid;
	char fe_path[64];
	char be_path[80];
	uint32_t ring_gref, evt_gref, port;
	struct ism_ctrl_page *ring;
	struct ism_event_page *evt;
	uint32_t req_prod, rsp_cons, evt_cons, next_id;
};

struct fw_trio {
	struct fw w;
	struct fe a, b, c;
	struct fake_xen_usage base;
};

/* The toolstack creates the device; the backend reaches InitWait. */
int fe_create(struct fw *w, uint16_t domid, uint32_t devid, struct fe *f);
/* Grant the ring and event pages and allocate the port (no xenstore). */
int fe_setup(struct fe *f);
/* Write frontend node @field (as the guest) and pump. */
int fe_write(struct fe *f, const char *field, const char *value);
/* Write the frontend's state and pump. */
int fe_set_state(struct fe *f, int state);
/* fe_setup, write the four nodes (version "1"), Initialised, Connected. */
int fe_connect(struct fe *f);
/* State 5, wait for the backend's Closed, end grants, close port, 6. */
int fe_close(struct fe *f);
/* The backend's state node as a number (-1 if missing or garbage). */
int fe_be_state(struct fe *f);
/* The backend's error node (static buffer; "" if none). */
const char *fe_be_error(struct fe *f);

/* Queue @req on the ring without signalling; its id is set. */
void fe_post(struct fe *f, struct ism_req *req);
/* Publish queued requests and signal if req_event asks (no pump). */
void fe_publish(struct fe *f);
/* fe_publish() and pump. */
int fe_push(struct fe *f);
/* Take the next response, if any (1), else 0. */
int fe_take(struct fe *f, struct ism_rsp *rsp);
/* One request and its response. */
int fe_call(struct fe *f, struct ism_req *req, struct ism_rsp *rsp);

int fe_info(struct fe *f, struct ism_rsp_info *info);
int fe_alloc(struct fe *f, uint64_t size, struct ism_region_desc *d);
/* PEER by @token or @devid; @peer is the response's payload. */
int fe_peer(struct fe *f, uint64_t token, uint32_t devid,
	    struct ism_rsp_peer *peer);
/* SIGNAL @devid with @code and @info. */
int fe_signal(struct fe *f, uint32_t devid, uint32_t code, uint64_t info);
int fe_alloc_perm(struct fe *f, uint64_t size, uint32_t perm,
		  struct ism_region_desc *d);
int fe_attach(struct fe *f, uint64_t token, uint32_t flags,
	      struct ism_region_desc *d);
int fe_slot_op(struct fe *f, uint8_t op, uint32_t slot, uint64_t token);
int fe_query(struct fe *f, uint32_t slot, uint64_t token,
	     struct ism_region_desc *d);
int fe_set_perm(struct fe *f, const struct ism_region_desc *d,
		uint32_t peer_devid, uint32_t perm, uint32_t flags);
int fe_fastpath(struct fe *f, uint8_t op, const struct ism_region_desc *d,
		uint32_t port, int32_t status);

#define fe_detach(f, d) fe_slot_op(f, ISM_OP_DETACH, (d)->slot, (d)->token)
#define fe_free(f, d) fe_slot_op(f, ISM_OP_FREE, (d)->slot, (d)->token)
#define fe_notify(f, d) fe_slot_op(f, ISM_OP_NOTIFY, (d)->slot, (d)->token)

/* Take the next life-cycle event (1), or 0 if the queue is empty. */
int fe_event(struct fe *f, struct ism_evt *e);
/* Take events up to the next one of @type (1), or 0 if there is none. */
int fe_next_event(struct fe *f, uint8_t type, struct ism_evt *e);
/* Test and clear the SBA bit of @slot (and the summary). */
bool fe_sba_take(struct fe *f, uint32_t slot);
/* Whether the device's port was signalled since the last call (1/0). */
int fe_signalled(struct fe *f);

/* A region as the guest maps it. */
struct fe_map {
	unsigned int n;
	void **page; /* n pages, each mapped alone */
	void *dir[8];
	unsigned int ndir;
	void *bell;
};

/* Walk the directory of @d and map every page (writable unless @ro). */
int fe_map(struct fe *f, const struct ism_region_desc *d, bool ro,
	   struct fe_map *m);
void fe_unmap(struct fe *f, struct fe_map *m);

#endif /* ISM_TESTS_UNIT_FRONTEND_H */
