/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * work.h - the workloads of ism-bench.  Each has a driver half, run once
 * per repetition (it asks the server for the other half over the control
 * channel and adds its samples to the results), and a server half.
 */
#ifndef ISM_BENCH_WORK_H
#define ISM_BENCH_WORK_H

#include "bench.h"
#include "ctl.h"

struct libxenvchan;

/*
 * libxenism's two paths (libxenism(3), "KERNEL FRONTEND"): the userspace
 * protocol implementation and the kernel frontend's /dev/xen-ism.  With
 * /dev/xen-ism present and $ISM_FRONTEND unset, each side opens a handle
 * on each path it can, and the driver runs every workload over each
 * frontend both sides have, the frontends taking turns in each repetition.
 */
enum bench_fe { BENCH_FE_USER, BENCH_FE_KERNEL, BENCH_FE_N };
extern const char *const bench_fe_names[BENCH_FE_N];

struct bench {
	const struct bench_opts *o;
	struct bench_ctl ctl;
	ism_dev *dev; /* the handle measured now */
	struct ism_dev_info info; /* its description */
	/* The handle of each frontend (NULL: not available), when known. */
	ism_dev *fe_dev[BENCH_FE_N];
	struct ism_dev_info fe_info[BENCH_FE_N];
	int fe; /* @dev's frontend, -1 if there is no /dev/xen-ism */
	/* Why a frontend is not measured ("" if it is, or is not known). */
	char fe_why[BENCH_FE_N][96];
	int tcp_listen; /* server: listening socket, -1 if none */
	int tcp; /* the connection, -1 if none */
	struct bench_results res;
	unsigned int rep; /* driver: this repetition, from 0 */
	unsigned int vchan_seq; /* paths of libxenvchan, one per connect */
	uint64_t sleeps; /* the last stream over a ring: sleeps, both sides */
	uint64_t cpu_ns; /* the last timed round trips: this side's CPU time */
	uint32_t ring; /* the stream's ring, octets, in every variant */
	bool usage_error; /* the run failed on its options (exit 2) */
};

/* Variants, as command arguments. */
enum bench_variant {
	BENCH_V_EVTCHN = 1,
	BENCH_V_ISM,
	BENCH_V_ISM_COPY,
	BENCH_V_ISM_RELAY,
	BENCH_V_VCHAN,
	BENCH_V_TCP,
	BENCH_V_GRANT,
	BENCH_V_EVTCHN_MUX,
	BENCH_V_MEMCPY, /* stream, in the driver alone */
	BENCH_V_FILL,
	BENCH_V_CHECK,
};

/* The variants that need the Xen devices: the raw baselines and
 * libxenvchan, not measured over the ism control channel. */
static inline bool bench_variant_raw(enum bench_variant v)
{
	return v == BENCH_V_EVTCHN || v == BENCH_V_EVTCHN_MUX ||
	       v == BENCH_V_VCHAN || v == BENCH_V_GRANT;
}

/* Driver: result @name of a raw variant, not measured (b->ctl.raw_why). */
int bench_skip_raw(struct bench *b, const char *name, const char *unit);

/* Measure over frontend @fe (a handle of b->fe_dev) from now on. */
int bench_frontend_use(struct bench *b, enum bench_fe fe);

/* Driver: report a failure of @what, tell the server; returns @rc. */
int bench_fail(struct bench *b, const char *what, int rc);

/* Called by the driver around a timed loop (backend phases). */
typedef int (*bench_phase_fn)(struct bench *b, bool begin, uint64_t count);

int bench_rtt_ism(struct bench *b, enum bench_variant v, unsigned int n,
		  unsigned int warm, bench_phase_fn phase, uint64_t *ns);
int bench_rtt_run(struct bench *b);
int bench_rtt_serve(struct bench *b, const uint64_t *arg, uint64_t *val);
int bench_stream_run(struct bench *b);
int bench_stream_serve(struct bench *b, const uint64_t *arg, uint64_t *val);
int bench_setup_run(struct bench *b);
int bench_setup_phase(struct bench *b, uint64_t size, unsigned int cycles,
		      bench_phase_fn phase);
int bench_setup_serve(struct bench *b, const uint64_t *arg, uint64_t *val);
int bench_backend_run(struct bench *b);
int bench_backend_serve(struct bench *b, const uint64_t *arg, uint64_t *val);
int bench_scale_run(struct bench *b);
int bench_scale_serve(struct bench *b, const uint64_t *arg, uint64_t *val);

/*
 * The halves of xen-ism's round trip and stream over a region the caller
 * shared (scale.c runs both over one region).  Rounds @first..@last of
 * BENCH_MSG messages at @base, counting the notifications that signalled
 * into @signalled; a stream through the ring of @ring octets that follows
 * the header page at @base, with the sides' sleeps and signals.
 */
int bench_rtt_rounds(struct bench *b, ism_region *r, void *base, uint64_t first,
		     uint64_t last, uint64_t *signalled);
int bench_stream_side(struct bench *b, ism_region *r, void *base, bool copy,
		      uint32_t msg, uint64_t nmsg, uint32_t ring, void *priv,
		      uint64_t *sleeps, uint64_t *signals);
/* The stream's ring for this device (0: its regions are too small), its
 * header, and whether a ring size the driver sent is one. */
uint32_t bench_stream_ring(const struct bench *b);
bool bench_stream_ring_ok(uint64_t ring);
#define BENCH_STREAM_HDR 4096u

/* Helpers shared by the workloads (share.c). */

/* A region shared for a workload: the server allocates, the driver
 * attaches; both map it and wait for the fast path if @fast. */
int bench_region_share(struct bench *b, uint64_t size, bool fast,
		       ism_region **r_out, void **addr_out);
int bench_region_unshare(struct bench *b, ism_region *r);
/* Wait until @done(@ctx) says yes, sleeping on the region's doorbell. */
int bench_region_wait(struct bench *b, ism_region *r, bool (*done)(void *ctx),
		      void *ctx);

/* libxenvchan: the driver serves at a fresh path, the server connects;
 * both through the control channel's barrier. */
int bench_vchan_open(struct bench *b, size_t ring, struct libxenvchan **v);

/* TCP: the connection, opened on first use. */
int bench_tcp_listen(struct bench *b);
int bench_tcp_get(struct bench *b);
int bench_tcp_write(int fd, const void *p, size_t len);
int bench_tcp_read(int fd, void *p, size_t len);

#endif /* ISM_BENCH_WORK_H */
