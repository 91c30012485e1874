/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctl.h - ism-bench's control channel: one page both sides map, where the
 * driver posts commands and the server their results, and a way for each
 * side to signal the other.  Two transports carry it (--control):
 *
 * xen (ctl-xen.c): a page the server grants to the driver and one
 * interdomain event channel, set up through xenstore without xen-ism (so
 * the baselines do not depend on it).  The same page and port carry the
 * raw event channel ping-pong, the limit of every round trip, and the
 * grant references of the raw grant cycle.  It needs the Xen devices
 * (root).  Rendezvous: the server makes ~/data/ism-bench/connect writable
 * by every domain and waits; the driver writes its domid there; the
 * server grants the page, allocates an unbound port for that domain and
 * publishes "GREF PORT" in ~/data/ism-bench/ctl, readable by the driver
 * alone.
 *
 * ism (ctl-ism.c): a one-page xen-ism region on a handle of its own of the
 * kernel frontend (/dev/xen-ism, group xen-ism, no root), apart from the
 * handles measured, so that its events never mix with theirs.  The server
 * allocates it and publishes its token for the driver's domain (which it
 * must be told: --peer) as the name BENCH_ISM_NAME; the driver looks it up
 * and attaches.  Signals are forced notifications of that region.  The
 * raw baselines, which need the Xen devices, are not measured over it.
 */
#ifndef ISM_BENCH_CTL_H
#define ISM_BENCH_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include <xenism.h>

#include "bench.h"

#define BENCH_CTL_MAGIC 0x49534d42u /* "ISMB" */
#define BENCH_CTL_VERSION 2u
#define BENCH_XS_DIR "data/ism-bench"
#define BENCH_MAX_ARGS 6
#define BENCH_MAX_REFS 512
/* The ism transport's rendezvous name (ism_name_publish(3)). */
#define BENCH_ISM_NAME "ism-bench-ctl"

enum bench_role { BENCH_DRIVER = 0, BENCH_SERVER = 1 };

/* Commands of the driver. */
enum bench_op {
	BENCH_OP_QUIT = 1,
	BENCH_OP_RTT,
	BENCH_OP_STREAM,
	BENCH_OP_SETUP,
	BENCH_OP_IDLE,
	BENCH_OP_SCALE,
	/* Measure over libxenism's frontend arg[0] (enum bench_fe) now. */
	BENCH_OP_FRONTEND,
};

#define BENCH_LINE 64
/* A round trip's message, each way, in every variant. */
#define BENCH_MSG 64

/* The shared page; each party writes only its own fields. */
struct bench_page {
	uint32_t magic;
	uint32_t version;
	uint32_t hello; /* driver: 1 once mapped and bound */
	uint32_t server_tcp; /* server: 1 if it listens on TCP */
	int32_t abort[2]; /* per role: a negative errno, both stop */
	uint8_t pad0[BENCH_LINE - 24];
	/* driver */
	uint32_t cmd_seq;
	uint32_t cmd_op;
	uint64_t arg[BENCH_MAX_ARGS];
	uint8_t pad1[BENCH_LINE - 8 - 8 * BENCH_MAX_ARGS];
	/* server */
	uint32_t done_seq;
	int32_t done_status;
	uint64_t val[BENCH_MAX_ARGS];
	uint8_t pad2[BENCH_LINE - 8 - 8 * BENCH_MAX_ARGS];
	uint32_t step[2]; /* barriers, per role */
	/* per role and barrier parity: a value for the peer (a side may be
	 * one barrier ahead of the other, never two) */
	uint64_t xfer[2][2];
	uint8_t pad3[BENCH_LINE - 40];
	/* The raw round trip's messages: each side's payload, then its
	 * count (the payload of xen-ism's round trip, the same work). */
	uint8_t ping_msg[BENCH_MSG]; /* driver */
	uint32_t ping;
	uint8_t pad4[BENCH_LINE - 4];
	uint8_t pong_msg[BENCH_MSG]; /* server */
	uint32_t pong;
	uint8_t pad5[BENCH_LINE - 4];
	uint32_t nrefs; /* grant references of the raw grant cycle */
	uint32_t refs[BENCH_MAX_REFS];
};

struct bench_ctl_ops;

struct bench_ctl {
	enum bench_role role;
	enum bench_control kind; /* BENCH_CONTROL_XEN or _ISM */
	const struct bench_ctl_ops *ops;
	uint16_t self, peer; /* domids */
	uint16_t want_peer; /* server: the driver's domain (--peer), 0: any */
	/* xen */
	struct xs_handle *xs;
	xenevtchn_handle *xce;
	xengnttab_handle *xgt;
	xengntshr_handle *xgs;
	/* ism: the control handle and its region */
	ism_dev *idev;
	ism_region *ireg;
	bool published; /* server: BENCH_ISM_NAME is ours to remove */
	int timeout_ms; /* driver: how long it looks for the server */
	bool peer_left; /* the peer let go of the region */
	struct bench_page *page;
	uint32_t gref; /* server: the page's grant */
	uint32_t port;
	uint32_t step;
	uint32_t seq; /* last command sent (driver) or done (server) */
	uint32_t pings; /* raw round trips so far, counted on both sides */
	int epfd; /* epoll over the port's fd and a xenstore watch fd, or -1 */
	/* Why the raw baselines (the Xen devices) cannot run: "" if they
	 * can, e.g. "needs root: /dev/xen/evtchn (Permission denied)". */
	char raw_why[112];
};

/*
 * Open the channel's devices: @mode xen or ism, or auto: xen, and ism if
 * the Xen devices cannot be opened (-EACCES, -EPERM, -ENOENT: no root).
 * @devid and @timeout_ms: the ism transport's device and waits.
 */
int bench_ctl_open(struct bench_ctl *c, enum bench_role role,
		   enum bench_control mode, uint32_t devid, int timeout_ms);
/* Server: wait for a driver (of c->want_peer, if set), share the page. */
int bench_ctl_listen(struct bench_ctl *c, bool tcp);
/* Driver: find the page of the server in @peer and map it. */
int bench_ctl_connect(struct bench_ctl *c, uint16_t peer);
void bench_ctl_close(struct bench_ctl *c);

/* Whether the raw baselines can run (the xen transport). */
static inline bool bench_ctl_raw(const struct bench_ctl *c)
{
	return c->kind == BENCH_CONTROL_XEN;
}

/* Signal the peer. */
void bench_ctl_kick(struct bench_ctl *c);
/* Block for the next signal; -ECONNABORTED if the peer gave up. */
int bench_ctl_wait(struct bench_ctl *c);
/* Tell the peer we failed with @rc (so it stops too). */
void bench_ctl_abort(struct bench_ctl *c, int rc);
/* Both sides call it the same number of times; returns when both did. */
int bench_ctl_barrier(struct bench_ctl *c);

/* A barrier that also swaps one value with the peer. */
int bench_ctl_swap(struct bench_ctl *c, uint64_t mine, uint64_t *theirs);

/* Driver: send a command (arguments in @arg), and wait for it to end. */
int bench_ctl_call(struct bench_ctl *c, enum bench_op op, const uint64_t *arg,
		   unsigned int nargs);
int bench_ctl_result(struct bench_ctl *c, uint64_t *val);
/* Server: wait for the next command; -ECONNABORTED if the driver gave up. */
int bench_ctl_next(struct bench_ctl *c, enum bench_op *op, uint64_t *arg);
/* Server: report the command's status and values. */
void bench_ctl_done(struct bench_ctl *c, int status, const uint64_t *val);

/*
 * Raw event channel round trips on the control port (the limit), each
 * carrying and checking a BENCH_MSG payload both ways.  With
 * @mux, each side waits as a library that must also hear xenstore does:
 * epoll over the channel's fd and a watch fd, then the same read.
 * The xen transport only (-EOPNOTSUPP).
 */
int bench_ctl_pingpong(struct bench_ctl *c, unsigned int n, bool mux);

/* Read a xenstore node of ours (relative) or anyone's (absolute); the
 * xen transport only. */
char *bench_xs_read(struct bench_ctl *c, const char *path);

/* A transport: what differs between the two (ctl.c has the rest). */
struct bench_ctl_ops {
	int (*listen)(struct bench_ctl *c, bool tcp);
	int (*connect)(struct bench_ctl *c, uint16_t peer);
	void (*close)(struct bench_ctl *c);
	void (*kick)(struct bench_ctl *c);
	int (*wait)(struct bench_ctl *c);
};

/* Open a transport's devices; 0 with c->ops set, or -errno (closed).
 * On failure the xen one says in c->raw_why what it could not open. */
int bench_ctl_xen_open(struct bench_ctl *c);
int bench_ctl_ism_open(struct bench_ctl *c, uint32_t devid, int timeout_ms);

#endif /* ISM_BENCH_CTL_H */
