/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's stats socket, read by `ismctl list`.  A client connects to
 * the Unix socket and reads, until end of file, lines of text:
 *
 *	xen-ismd 1
 *	total DEVICES CONNECTED REGIONS RELEASED GRANTS QUARANTINED HELD REQUESTS PROTOCOL_ERRORS
 *	daemon WAKEUPS CPU_US UPTIME_MS
 *	grants POOL SHARE DOMAIN_MAX DOMAINS
 *	device DOMID DEVID STATE SLOTS PEERS GRANTS BYTES FAST RELAYED FP_REFUSED FP_ERRNO
 *	...
 *	end
 *
 * (numbers in decimal, STATE a xenbus state number; fields separated by
 * one space).  The first word of a line names it; readers skip lines they
 * do not know and fields after those they know, so fields (at the end of a
 * line) and line kinds can be added.  The first line's number is the
 * version of the format: a change that readers cannot skip increments it.
 * The reader is ismctl's (backend/ismctl/report.c); its tests read what
 * ismd_stats_serve() writes.
 *
 * The `daemon' line came without a version change (older readers skip it;
 * a report without it, from an older daemon, is still whole).  It is the
 * daemon's own cost, struct ismd_stats_daemon, sampled once per answer before any
 * of it is written.  WAKEUPS counts this answer's own wake-up: a reader
 * that measures a daemon's idle wake-ups subtracts one per query.
 *
 * The `grants' line came the same way: the grant pool and its fair shares
 * (ism-backend.h, struct ism_backend_limits): the pool, each domain's
 * share now, the most one domain may hold, and the domains with a device.
 *
 * A device line's last four fields came the same way (issue 16): its
 * regions with a fast path up, the updates relayed for it, the fast paths
 * Xen refused it and the last refusal's errno (struct ism_device_stat).
 */
#ifndef ISMD_STATS_H
#define ISMD_STATS_H

#include <stdint.h>
#include <time.h>

#include "ism-backend.h"
#include "options.h" /* ISMD_STATS_SOCKET_DEFAULT */

/* The first line: ISMD_STATS_MAGIC, a space, ISMD_STATS_VERSION. */
#define ISMD_STATS_MAGIC "xen-ismd"
#define ISMD_STATS_VERSION 1

/**
 * struct ismd_stats_daemon - what the daemon itself costs.
 * @wakeups: returns of its poll() since it started: every one, for an
 *	event, a watch, a signal, a stats query (the one being answered
 *	included), the reclaim timeout or EINTR.
 * @cpu_us: its user and system CPU time (getrusage(RUSAGE_SELF)), in
 *	microseconds.
 * @uptime_ms: CLOCK_MONOTONIC time since it started, in milliseconds.
 */
struct ismd_stats_daemon {
	uint64_t wakeups;
	uint64_t cpu_us;
	uint64_t uptime_ms;
};

/**
 * ismd_stats_daemon_sample() - the daemon's cost now, in *@out.
 * @wakeups: the poll() returns counted so far.
 * @start: CLOCK_MONOTONIC when the daemon started.
 *
 * Return: 0, or -errno of getrusage() or clock_gettime().
 */
int ismd_stats_daemon_sample(uint64_t wakeups, const struct timespec *start,
			     struct ismd_stats_daemon *out);

/* Listens on @path (replacing a stale socket); the fd, or -errno. */
int ismd_stats_listen(const char *path);

/*
 * Writes the report for @be and, unless it is NULL, the daemon's cost
 * @self to @fd (a connected client) and closes @fd.  Returns 0 or -errno.
 */
int ismd_stats_serve(int fd, const struct ism_backend *be,
		     const struct ismd_stats_daemon *self);

#endif /* ISMD_STATS_H */
