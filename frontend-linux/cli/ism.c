/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ism.c - the ism command: xen-ism regions from the shell.
 *
 * A region lives only while some process holds it, so one invocation does
 * a whole exchange: it takes a region (alloc or attach), then runs the
 * actions given after it, in order (--publish, --grant, --wait-peer,
 * --write, --notify, --wait, --read, ...), then lets go.  See ism(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenism.h>

#include "parse.h"

/* Exit codes, as documented in ism(1). */
enum {
	EX_OK = 0,
	EX_FAIL = 1,
	EX_USAGE = 2,
	EX_TIMEOUT = 3,
	EX_NODEV = 4,
	EX_REFUSED = 5,
	EX_NOTFOUND = 6,
	EX_GONE = 7,
};

#define MAX_PUBLISHED 16

/* What bad_usage() returns: not an errno, so never confused with one. */
#define ISM_CLI_EUSAGE 4096

struct opts {
	uint32_t devid;
	int timeout_ms; /* for waits and lookups, -1: forever */
	int dev_timeout_ms; /* for the backend (0: library default) */
	int have_peer;
	uint16_t peer;
	int have_from;
	uint16_t from;
	const char *lookup;
	unsigned int attach_flags;
	uint32_t perm;
};

struct session {
	struct opts o;
	ism_dev *dev;
	ism_region *r;
	const char *published[MAX_PUBLISHED];
	unsigned int npublished;
	uint64_t offset, length;
	int have_length;
};

static const char *prog = "ism";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-d DEVID] [-T MS] COMMAND ...\n"
		"  info\n"
		"  alloc SIZE [--perm PERMS] [ACTION...]\n"
		"  attach TOKEN|--lookup NAME --from DOMID [--readonly] "
		"[ACTION...]\n"
		"  write TOKEN [FILE] [ACTION...]   (attach, --write FILE)\n"
		"  read TOKEN [FILE] [ACTION...]    (attach, --read FILE)\n"
		"  notify TOKEN | wait TOKEN [--timeout MS]\n"
		"  publish NAME TOKEN --peer DOMID | unpublish NAME\n"
		"  lookup NAME --from DOMID [--timeout MS]\n"
		"actions: --publish NAME (with --peer DOMID), --grant "
		"DEVID:PERMS,\n"
		"  --wait-peer, --offset N, --length N, --write FILE|-, --read "
		"FILE|-,\n"
		"  --notify, --wait, --wait-detach, --sleep MS, --print\n"
		"PERMS: letters r w a m d, or 0.  See ism(1).\n",
		prog);
}

static int exit_code(int rc)
{
	switch (rc) {
	case 0:
		return EX_OK;
	case -ISM_CLI_EUSAGE:
		return EX_USAGE;
	case -ETIMEDOUT:
		return EX_TIMEOUT;
	case -ENODEV:
	case -ESHUTDOWN:
	case -EPROTONOSUPPORT:
	case -EPROTO:
		return EX_NODEV;
	case -EACCES:
	case -EPERM:
	case -EBUSY:
		return EX_REFUSED;
	case -ENOENT:
	case -ESTALE:
	case -EXDEV:
		return EX_NOTFOUND;
	case -EIDRM:
	case -ENOTCONN:
	case -EPIPE:
		return EX_GONE;
	default:
		return EX_FAIL;
	}
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-rc));
	return rc;
}

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", prog, what, arg ? ": " : "",
		arg ? arg : "");
	return -ISM_CLI_EUSAGE;
}

static int open_dev(struct session *s)
{
	int rc = ism_dev_open(s->o.devid, s->o.dev_timeout_ms, &s->dev);

	if (!rc)
		return 0;
	fail("cannot open the ism device", rc);
	/* The two frontends of libxenism(3): say which one refused. */
	if (rc == -EBUSY)
		fprintf(stderr,
			"%s: the kernel frontend xen-ismfront drives this "
			"device: only through /dev/xen-ism (is it there? "
			"ISM_FRONTEND=user is refused)\n",
			prog);
	else if (rc == -EACCES || rc == -EPERM)
		fprintf(stderr,
			"%s: without the kernel frontend (xen-ismfront, "
			"/dev/xen-ism) this needs root; with it, membership "
			"of group xen-ism\n",
			prog);
	return rc;
}

/*
 * The part of the region the next --write or --read moves: from --offset,
 * at most --length octets (which applies once).
 */
static int window(struct session *s, char **addr_out, size_t *len_out)
{
	size_t size, len;
	void *addr;
	int rc;

	rc = ism_region_map(s->r, &addr, &size);
	if (rc)
		return fail("map", rc);
	if (s->offset > size)
		return bad_usage("offset beyond the region", NULL);
	len = size - s->offset;
	if (s->have_length && s->length < len)
		len = s->length;
	s->have_length = 0;
	*addr_out = (char *)addr + s->offset;
	*len_out = len;
	return 0;
}

/*
 * Move up to @len octets between @fd and @buf (@to_fd: write to @fd);
 * reading stops early at end of file.
 */
static int copy(int fd, char *buf, size_t len, int to_fd, const char *file)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = to_fd ? write(fd, buf + done, len - done) :
			    read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(file, -errno);
		if (!n)
			break;
		done += (size_t)n;
	}
	return 0;
}

static int act_write(struct session *s, const char *file)
{
	struct ism_region_info info;
	size_t len;
	char *buf;
	int fd, rc;

	/* A read-only region is mapped read-only: refuse, do not fault. */
	rc = ism_region_info(s->r, &info);
	if (!rc && !(info.perm & ISM_PERM_WRITE))
		rc = -EACCES;
	if (rc)
		return fail("write", rc);
	rc = window(s, &buf, &len);
	if (rc)
		return rc;
	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return fail(file, -errno);
	rc = copy(fd, buf, len, 0, file);
	if (fd)
		close(fd);
	return rc;
}

static int act_read(struct session *s, const char *file)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, fd, rc;
	size_t len;
	char *buf;

	rc = window(s, &buf, &len);
	if (rc)
		return rc;
	fd = strcmp(file, "-") ? open(file, flags, 0666) : 1;
	if (fd < 0)
		return fail(file, -errno);
	rc = copy(fd, buf, len, 1, file);
	if (fd != 1)
		close(fd);
	else
		fflush(stdout);
	return rc;
}

static void unpublish_all(struct session *s)
{
	while (s->npublished)
		ism_name_unpublish(s->dev, s->published[--s->npublished]);
}

/*
 * Wait for an event about our region: @want is REGION_UPDATED,
 * PEER_ATTACHED or PEER_DETACHED (detached or gone).
 */
static int wait_for(struct session *s, unsigned int want)
{
	struct ism_region_info ri;
	struct ism_event ev;
	int rc, left = 0;

	ism_region_info(s->r, &ri);
	if (want == ISM_EVT_PEER_ATTACHED && ri.peer_present)
		return 0;
	if (want == ISM_EVT_PEER_DETACHED && !ri.peer_present)
		return 0;
	if (want == ISM_EVT_REGION_UPDATED) {
		rc = ism_region_want(s->r);
		if (rc)
			return fail("wait", rc);
	}
	for (;;) {
		rc = left ? ism_event_read(s->dev, &ev) :
			    ism_event_wait(s->dev, s->o.timeout_ms, &ev);
		/* The peer left: an update it sent first still counts. */
		if (left && rc == -EAGAIN)
			return fail("wait: the peer left", -EPIPE);
		if (rc)
			return fail("wait", rc);
		if (ev.type == ISM_EVENT_DEVICE_CLOSED)
			return fail("wait", ev.status);
		if (ev.region != s->r)
			continue;
		if (ev.type == want)
			return 0;
		if (want == ISM_EVT_PEER_DETACHED &&
		    ev.type == ISM_EVT_PEER_GONE)
			return 0;
		if (ev.type == ISM_EVT_REGION_RELEASED)
			return fail("wait", -EIDRM);
		if (want == ISM_EVT_REGION_UPDATED &&
		    (ev.type == ISM_EVT_PEER_DETACHED ||
		     ev.type == ISM_EVT_PEER_GONE))
			left = 1;
	}
}

static int act_grant(struct session *s, const char *arg)
{
	const char *colon = strchr(arg, ':');
	char devid[16];
	uint64_t d;
	uint32_t perm;
	int rc;

	if (!colon || (size_t)(colon - arg) >= sizeof(devid))
		return bad_usage("--grant wants DEVID:PERMS", arg);
	memcpy(devid, arg, (size_t)(colon - arg));
	devid[colon - arg] = '\0';
	if (ism_cli_parse_uint(devid, ISM_DEVID_MAX, &d) ||
	    ism_cli_parse_perm(colon + 1, &perm))
		return bad_usage("--grant wants DEVID:PERMS", arg);
	rc = ism_region_set_perm(s->r, (uint32_t)d, perm, 0);
	return rc ? fail("grant", rc) : 0;
}

static int act_sleep(const char *arg)
{
	struct timespec ts;
	uint64_t ms;

	if (ism_cli_parse_uint(arg, 86400000, &ms))
		return bad_usage("--sleep wants milliseconds", arg);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return 0;
}

/* Run the actions of argv[i..], in order. */
static int run_actions(struct session *s, int argc, char **argv, int i)
{
	struct ism_region_info ri;
	const char *a, *v;
	int rc = 0;

	for (; !rc && i < argc; i++) {
		a = argv[i];
		v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--publish") && v) {
			uint16_t peer = s->o.peer;
			uint64_t pv;

			i++;
			if (!s->o.have_peer)
				return bad_usage("--publish needs --peer", v);
			if (s->npublished == MAX_PUBLISHED)
				return bad_usage("too many --publish", v);
			/* "--publish NAME --peer DOMID" pairs up. */
			if (i + 2 < argc && !strcmp(argv[i + 1], "--peer") &&
			    !ism_cli_parse_uint(argv[i + 2], ISM_DOMID_MAX,
						&pv))
				peer = (uint16_t)pv;
			ism_region_info(s->r, &ri);
			rc = ism_name_publish(s->dev, v, ri.token, peer);
			if (rc)
				return fail("publish", rc);
			s->published[s->npublished++] = v;
		} else if (!strcmp(a, "--grant") && v) {
			rc = act_grant(s, argv[++i]);
		} else if (!strcmp(a, "--wait-peer")) {
			rc = wait_for(s, ISM_EVT_PEER_ATTACHED);
			if (!rc)
				unpublish_all(s);
		} else if (!strcmp(a, "--offset") && v) {
			i++;
			if (!strcmp(v, "0"))
				s->offset = 0;
			else if (ism_cli_parse_size(v, &s->offset))
				return bad_usage("bad --offset", v);
		} else if (!strcmp(a, "--length") && v) {
			if (ism_cli_parse_size(argv[++i], &s->length))
				return bad_usage("bad --length", v);
			s->have_length = 1;
		} else if (!strcmp(a, "--write") && v) {
			rc = act_write(s, argv[++i]);
		} else if (!strcmp(a, "--read") && v) {
			rc = act_read(s, argv[++i]);
		} else if (!strcmp(a, "--notify")) {
			rc = ism_region_notify(s->r, ISM_NOTIFY_FORCE);
			if (rc < 0)
				return fail("notify", rc);
			rc = 0;
		} else if (!strcmp(a, "--wait")) {
			rc = wait_for(s, ISM_EVT_REGION_UPDATED);
		} else if (!strcmp(a, "--wait-detach")) {
			rc = wait_for(s, ISM_EVT_PEER_DETACHED);
		} else if (!strcmp(a, "--sleep") && v) {
			rc = act_sleep(argv[++i]);
		} else if (!strcmp(a, "--print")) {
			ism_region_info(s->r, &ri);
			printf("token %016" PRIx64 "\nsize %" PRIu64
			       "\nperm 0x%x\npeer %u\npeer-domid %u\n",
			       ri.token, ri.size, ri.perm, ri.peer_devid,
			       ri.peer_domid);
			fflush(stdout);
		} else {
			return bad_usage("unknown or incomplete action", a);
		}
	}
	return rc;
}

/*
 * Options that shape how the region is taken; they may stand anywhere
 * among the actions and are blanked out of argv (set to NULL-free "").
 */
static int take_setup_opts(struct opts *o, int argc, char **argv, int i)
{
	uint64_t v;

	for (; i < argc; i++) {
		const char *a = argv[i], *n = i + 1 < argc ? argv[i + 1] : "";
		int used = 2;

		if (!strcmp(a, "--timeout")) {
			if (!strcmp(n, "-1"))
				v = (uint64_t)-1; /* no limit */
			else if (ism_cli_parse_uint(n, 86400000, &v))
				return bad_usage("bad --timeout", n);
			o->timeout_ms = (int)v;
		} else if (!strcmp(a, "--peer")) {
			if (ism_cli_parse_uint(n, ISM_DOMID_MAX, &v))
				return bad_usage("bad --peer", n);
			o->peer = (uint16_t)v;
			o->have_peer = 1;
		} else if (!strcmp(a, "--from")) {
			if (ism_cli_parse_uint(n, ISM_DOMID_MAX, &v))
				return bad_usage("bad --from", n);
			o->from = (uint16_t)v;
			o->have_from = 1;
		} else if (!strcmp(a, "--lookup")) {
			o->lookup = n;
		} else if (!strcmp(a, "--perm")) {
			if (ism_cli_parse_perm(n, &o->perm))
				return bad_usage("bad --perm", n);
		} else if (!strcmp(a, "--readonly")) {
			o->attach_flags |= ISM_ATTACH_READONLY;
			used = 1;
		} else {
			/* Actions with an argument keep it. */
			if (!strcmp(a, "--publish") || !strcmp(a, "--grant") ||
			    !strcmp(a, "--offset") || !strcmp(a, "--length") ||
			    !strcmp(a, "--write") || !strcmp(a, "--read") ||
			    !strcmp(a, "--sleep"))
				i++;
			continue;
		}
		if (used == 2 && i + 1 >= argc)
			return bad_usage("missing value", a);
		argv[i] = NULL;
		if (used == 2)
			argv[++i] = NULL;
	}
	return 0;
}

/* Squeeze the NULLs left by take_setup_opts() out of argv[i..]. */
static int compact(int argc, char **argv, int i)
{
	int j, k = i;

	for (j = i; j < argc; j++)
		if (argv[j])
			argv[k++] = argv[j];
	return k;
}

static int cmd_info(struct session *s)
{
	struct ism_dev_info info;
	int rc = ism_dev_info(s->dev, &info);

	if (rc)
		return fail("info", rc);
	printf("gid %016" PRIx64 "\ndevid %u\ndomid %u\nbackend-domid %u\n"
	       "version %u\nregion-size %" PRIu64 "\nmax-regions %u\n"
	       "max-bytes %" PRIu64 "\nmax-peers %u\nmax-perm-entries %u\n"
	       "fast-path %d\nbytes-used %" PRIu64 "\nslots-used %u\n"
	       "peers-used %u\nquarantined-pages %u\n",
	       info.gid, info.devid, info.domid, info.backend_domid,
	       info.version, info.region_size, info.max_regions, info.max_bytes,
	       info.max_peers, info.max_perm_entries, info.fast_path,
	       info.bytes_used, info.slots_used, info.peers_used,
	       info.quarantined_pages);
	return 0;
}

static int get_token(struct session *s, const char *arg, uint64_t *tok)
{
	int rc;

	if (arg && !ism_cli_parse_token(arg, tok))
		return 0;
	if (arg)
		return bad_usage("bad token", arg);
	if (!s->o.lookup || !s->o.have_from)
		return bad_usage("need TOKEN or --lookup NAME --from DOMID",
				 NULL);
	rc = ism_name_lookup(s->dev, s->o.lookup, s->o.from, s->o.timeout_ms,
			     tok);
	return rc ? fail("lookup", rc) : 0;
}

static int run(struct session *s, const char *cmd, int argc, char **argv)
{
	const char *implied = NULL, *file = "-";
	uint64_t size, tok;
	int i = 0, rc;

	if (!strcmp(cmd, "info"))
		return argc ? bad_usage("info takes no arguments", argv[0]) :
			      cmd_info(s);
	if (!strcmp(cmd, "unpublish")) {
		if (argc != 1)
			return bad_usage("unpublish NAME", NULL);
		rc = ism_name_unpublish(s->dev, argv[0]);
		return rc ? fail("unpublish", rc) : 0;
	}
	if (!strcmp(cmd, "publish")) {
		if (argc != 2 || !s->o.have_peer ||
		    ism_cli_parse_token(argv[1], &tok))
			return bad_usage("publish NAME TOKEN --peer DOMID",
					 NULL);
		rc = ism_name_publish(s->dev, argv[0], tok, s->o.peer);
		return rc ? fail("publish", rc) : 0;
	}
	if (!strcmp(cmd, "lookup")) {
		if (argc != 1 || !s->o.have_from)
			return bad_usage("lookup NAME --from DOMID", NULL);
		rc = ism_name_lookup(s->dev, argv[0], s->o.from,
				     s->o.timeout_ms, &tok);
		if (rc)
			return fail("lookup", rc);
		printf("%016" PRIx64 "\n", tok);
		return 0;
	}
	if (!strcmp(cmd, "alloc")) {
		if (argc < 1 || ism_cli_parse_size(argv[0], &size))
			return bad_usage("alloc SIZE", argc ? argv[0] : NULL);
		rc = ism_region_alloc(s->dev, size, s->o.perm, &s->r);
		if (rc)
			return fail("alloc", rc);
		{
			struct ism_region_info ri;

			ism_region_info(s->r, &ri);
			printf("%016" PRIx64 "\n", ri.token);
			fflush(stdout);
		}
		return run_actions(s, argc, argv, 1);
	}
	if (!strcmp(cmd, "write") || !strcmp(cmd, "read"))
		implied = cmd;
	else if (!strcmp(cmd, "notify"))
		implied = "--notify";
	else if (!strcmp(cmd, "wait"))
		implied = "--wait";
	else if (strcmp(cmd, "attach"))
		return bad_usage("unknown command", cmd);
	if (argc && argv[0][0] != '-')
		i = 1;
	rc = get_token(s, i ? argv[0] : NULL, &tok);
	if (rc)
		return rc;
	if (implied && (!strcmp(cmd, "write") || !strcmp(cmd, "read")) &&
	    i < argc && (argv[i][0] != '-' || !strcmp(argv[i], "-")))
		file = argv[i++];
	rc = ism_region_attach(s->dev, tok, s->o.attach_flags, &s->r);
	if (rc)
		return fail("attach", rc);
	if (implied && !strcmp(implied, "write"))
		rc = act_write(s, file);
	else if (implied && !strcmp(implied, "read"))
		rc = act_read(s, file);
	else if (implied)
		rc = run_actions(s, 1, (char **)&implied, 0);
	return rc ? rc : run_actions(s, argc, argv, i);
}

static int is_command(const char *cmd)
{
	static const char *const cmds[] = {
		"info", "alloc",   "attach",	"write",  "read", "notify",
		"wait", "publish", "unpublish", "lookup", NULL,
	};
	unsigned int i;

	for (i = 0; cmds[i]; i++)
		if (!strcmp(cmd, cmds[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct session s = { .o = { .timeout_ms = 60000,
				    .perm = ISM_PERM_DEFAULT } };
	uint64_t v;
	int i = 1, rc;

	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EX_OK;
		}
		if (i + 1 >= argc)
			break;
		if (!strcmp(argv[i], "-d") &&
		    !ism_cli_parse_uint(argv[i + 1], ISM_DEVID_MAX, &v))
			s.o.devid = (uint32_t)v;
		else if (!strcmp(argv[i], "-T") &&
			 !ism_cli_parse_uint(argv[i + 1], 86400000, &v) && v)
			s.o.dev_timeout_ms = (int)v;
		else
			break;
		i += 2;
	}
	if (i >= argc || argv[i][0] == '-') {
		usage(stderr);
		return EX_USAGE;
	}
	if (!is_command(argv[i])) {
		bad_usage("unknown command", argv[i]);
		usage(stderr);
		return EX_USAGE;
	}
	rc = take_setup_opts(&s.o, argc, argv, i + 1);
	if (rc) {
		usage(stderr);
		return EX_USAGE;
	}
	argc = compact(argc, argv, i + 1);
	rc = open_dev(&s);
	if (!rc)
		rc = run(&s, argv[i], argc - i - 1, argv + i + 1);
	if (s.dev) {
		unpublish_all(&s);
		if (s.r)
			ism_region_detach(s.r);
		ism_dev_close(s.dev);
	}
	return exit_code(rc);
}
