// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opts.c - ism-bench's command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const char bench_usage[] =
	"Usage: ism-bench --listen [OPTION]...\n"
	"       ism-bench --connect DOMID [OPTION]...\n"
	"Measure xen-ism between two guests against the raw event channel,\n"
	"memcpy, the raw grant cycle, libxenvchan and TCP, in one run.\n"
	"Without root (over --control=ism), the raw baselines, libxenvchan\n"
	"and libxenism's userspace path show as not measured (needs root).\n"
	"\n"
	"  -l, --listen           serve one driver, then exit\n"
	"  -c, --connect=DOMID    drive the run against the server in DOMID\n"
	"  -p, --peer=DOMID       with --listen: serve the driver in DOMID only\n"
	"                         (needed over --control=ism)\n"
	"      --control=HOW      the control channel, the same on both sides:\n"
	"                         xen (xenstore, a grant, an event channel:\n"
	"                         root), ism (a xen-ism region over\n"
	"                         /dev/xen-ism: group xen-ism) or auto (the\n"
	"                         default: xen if its devices open, else ism)\n"
	"  -d, --devid=N          the ism device to use (default 0: the first)\n"
	"      --tcp=ADDR         the server's IPv4 address: add TCP baselines\n"
	"      --tcp-port=PORT    TCP port (default 5001)\n"
	"  -n, --reps=N           repetitions (default 5, at most 100)\n"
	"  -q, --quick            one short repetition (checks, not numbers)\n"
	"      --only=LIST        workloads: rtt,stream,setup,backend (the\n"
	"                         default), scale (one of several pairs)\n"
	"  -j, --json=FILE        also write the results as JSON to FILE\n"
	"      --backend-sync     let ism-bench-backend(8) sample the backend\n"
	"  -t, --timeout=SEC      give up when a step takes longer (default 120)\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n"
	"\n"
	"Exit status: 0 done, 1 failure (or data corrupted), 2 usage, 3 timeout.\n"
	"See ism-bench(1).\n";

enum {
	OPT_TCP = 256,
	OPT_TCP_PORT,
	OPT_ONLY,
	OPT_BACKEND_SYNC,
	OPT_CONTROL,
};

static const struct option longopts[] = {
	{ "listen", no_argument, NULL, 'l' },
	{ "connect", required_argument, NULL, 'c' },
	{ "peer", required_argument, NULL, 'p' },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "devid", required_argument, NULL, 'd' },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "tcp-port", required_argument, NULL, OPT_TCP_PORT },
	{ "reps", required_argument, NULL, 'n' },
	{ "quick", no_argument, NULL, 'q' },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "json", required_argument, NULL, 'j' },
	{ "backend-sync", no_argument, NULL, OPT_BACKEND_SYNC },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int number(const char *what, const char *s, unsigned long min,
		  unsigned long max, unsigned long *v, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *v < min || *v > max) {
		snprintf(err, errlen,
			 "--%s: '%s' is not a number from %lu to %lu", what, s,
			 min, max);
		return -EINVAL;
	}
	return 0;
}

static int workloads(const char *s, unsigned int *mask, char *err,
		     size_t errlen)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} w[] = {
		{ "rtt", BENCH_W_RTT },	    { "stream", BENCH_W_STREAM },
		{ "setup", BENCH_W_SETUP }, { "backend", BENCH_W_BACKEND },
		{ "scale", BENCH_W_SCALE },
	};
	const char *p = s;
	unsigned int i;
	size_t len;

	*mask = 0;
	do {
		len = strcspn(p, ",");
		for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
			if (len == strlen(w[i].name) &&
			    !strncmp(p, w[i].name, len))
				break;
		if (i == sizeof(w) / sizeof(w[0])) {
			snprintf(
				err, errlen,
				"--only: unknown workload '%.*s' (rtt, stream, setup, backend, scale)",
				(int)len, p);
			return -EINVAL;
		}
		*mask |= w[i].bit;
		p += len;
	} while (*p++ == ',');
	return 0;
}

static int control(const char *s, enum bench_control *how, char *err,
		   size_t errlen)
{
	static const char *const names[] = {
		[BENCH_CONTROL_AUTO] = "auto",
		[BENCH_CONTROL_XEN] = "xen",
		[BENCH_CONTROL_ISM] = "ism",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*how = (enum bench_control)i;
			return 0;
		}
	snprintf(err, errlen, "--control: '%s' is not xen, ism or auto", s);
	return -EINVAL;
}

int bench_opts_parse(int argc, char **argv, struct bench_opts *o, char *err,
		     size_t errlen)
{
	bool connect = false, driver_only = false, peer = false;
	unsigned long v;
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	o->tcp_port = BENCH_TCP_PORT_DEFAULT;
	o->reps = BENCH_REPS_DEFAULT;
	o->only = BENCH_W_ALL;
	o->timeout_s = BENCH_TIMEOUT_DEFAULT_S;
	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":lc:p:d:n:qj:t:hV",
				       longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = true;
			break;
		case 'c':
			rc = number("connect", optarg, 1, 0x7fef, &v, err,
				    errlen);
			o->peer_domid = (uint16_t)v;
			connect = true;
			break;
		case 'p':
			rc = number("peer", optarg, 1, 0x7fef, &v, err, errlen);
			o->peer_domid = (uint16_t)v;
			peer = true;
			break;
		case OPT_CONTROL:
			rc = control(optarg, &o->control, err, errlen);
			break;
		case 'd':
			rc = number("devid", optarg, 0, 0xffff, &v, err,
				    errlen);
			o->devid = (uint32_t)v;
			break;
		case OPT_TCP:
			o->tcp_addr = optarg;
			driver_only = true;
			break;
		case OPT_TCP_PORT:
			rc = number("tcp-port", optarg, 1, 65535, &v, err,
				    errlen);
			o->tcp_port = (uint16_t)v;
			break;
		case 'n':
			rc = number("reps", optarg, 1, BENCH_MAX_REPS, &v, err,
				    errlen);
			o->reps = (unsigned int)v;
			driver_only = true;
			break;
		case 'q':
			o->quick = true;
			driver_only = true;
			break;
		case OPT_ONLY:
			rc = workloads(optarg, &o->only, err, errlen);
			driver_only = true;
			break;
		case 'j':
			o->json_path = optarg;
			driver_only = true;
			break;
		case OPT_BACKEND_SYNC:
			o->backend_sync = true;
			driver_only = true;
			break;
		case 't':
			rc = number("timeout", optarg, 1, 86400, &v, err,
				    errlen);
			o->timeout_s = (unsigned int)v;
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value",
				 argv[optind - 1]);
			rc = -EINVAL;
			break;
		default:
			snprintf(err, errlen, "unknown option '%s'",
				 argv[optind - 1]);
			rc = -EINVAL;
			break;
		}
	}
	if (rc || o->help || o->version)
		return rc;
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (o->listen == connect) {
		snprintf(err, errlen,
			 "give one of --listen and --connect DOMID");
		return -EINVAL;
	}
	if (connect && peer) {
		snprintf(
			err, errlen,
			"--peer goes with --listen (--connect names the server)");
		return -EINVAL;
	}
	if (o->listen && !peer && o->control == BENCH_CONTROL_ISM) {
		snprintf(err, errlen,
			 "--control=ism: --listen needs --peer DOMID, the "
			 "driver's domain (no xenstore to learn it from)");
		return -EINVAL;
	}
	if (o->backend_sync && o->control == BENCH_CONTROL_ISM) {
		snprintf(err, errlen,
			 "--backend-sync needs xenstore: not with "
			 "--control=ism");
		return -EINVAL;
	}
	if (o->listen && driver_only) {
		snprintf(
			err, errlen,
			"--tcp, --reps, --quick, --only, --json and --backend-sync go with --connect");
		return -EINVAL;
	}
	if (o->quick)
		o->reps = 1;
	return 0;
}
