/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-list.c - `ismctl list` whole: the devices of the fake Xen's store
 * joined with a canned xen-ismd report, served by a child process on a real
 * Unix socket in a temporary directory; the table and the JSON, exactly;
 * and what it does when the daemon is not running, does not answer, or
 * sends a malformed report.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "fake-xen.h"
#include "ismctl.h"

TAP_MAIN;

static struct fake_xen *fx;
static struct ism_ctl ctl;
static char dir[] = "/tmp/ismctl-list-XXXXXX";
static char sock[sizeof(dir) + 16];

/* What one run of `list` gave. */
struct run {
	int rc;
	char *out;
	char *notes;
};

static void run_free(struct run *r)
{
	free(r->out);
	free(r->notes);
}

/* A socket bound at @sock; listening if @listening.  Exits on failure. */
static int bound(bool listening)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	unlink(sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    (listening && listen(fd, 4)))
		exit(99);
	return fd;
}

/*
 * A child that accepts one client on @sock, writes @report to it and
 * closes; if @report is NULL it says nothing until killed.  Its pid.
 */
static pid_t serve(const char *report)
{
	int lfd = bound(true), fd;
	size_t len, off = 0;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(99);
	if (pid) {
		close(lfd);
		return pid;
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(1);
	if (!report)
		pause();
	len = strlen(report);
	while (off < len && (n = write(fd, report + off, len - off)) > 0)
		off += (size_t)n;
	close(fd);
	_exit(off == len ? 0 : 1);
}

/* Whether the child @pid served its client (or, if @kill_it, is gone). */
static bool served(pid_t pid, bool kill_it)
{
	int st;

	if (kill_it)
		kill(pid, SIGTERM);
	if (waitpid(pid, &st, 0) != pid)
		return false;
	return kill_it || (WIFEXITED(st) && !WEXITSTATUS(st));
}

static void list(bool json, struct run *r)
{
	size_t olen, nlen;
	FILE *out, *notes;

	out = open_memstream(&r->out, &olen);
	notes = open_memstream(&r->notes, &nlen);
	if (!out || !notes)
		exit(99);
	r->rc = ism_ctl_list_run(&ctl, sock, json, out, notes);
	fclose(out);
	fclose(notes);
}

static void setup(void)
{
	static const char *const names[] = { "Domain-0", "vm1", "ismdd",
					     "vm3" };
	struct ism_ctl_spec spec;
	char path[64], err[128];
	uint32_t devid;
	uint16_t i;

	if (!mkdtemp(dir))
		exit(99);
	snprintf(sock, sizeof(sock), "%s/xen-ismd.sock", dir);
	if (fake_xen_create(&fx))
		exit(99);
	for (i = 0; i < 4; i++) {
		if (i && fake_xen_domain_add(fx, i, 0))
			exit(99);
		snprintf(path, sizeof(path), "/local/domain/%u/name", i);
		if (fake_xen_xs_write(fx, 0, path, names[i]))
			exit(99);
	}
	ctl.ops = &fake_xen_ops;
	if (fake_xen_platform_open(fx, 0, &ctl.p))
		exit(99);
	/* vm1's device 1 served by dom0; vm3's device 2 by ismdd. */
	if (ism_ctl_spec_parse("", &spec, err, sizeof(err)) ||
	    ism_ctl_attach(&ctl, "vm1", &spec, 1, &devid) ||
	    ism_ctl_spec_parse("backend=ismdd", &spec, err, sizeof(err)) ||
	    ism_ctl_attach(&ctl, "vm3", &spec, 1, &devid))
		exit(99);
	fake_xen_xs_write(fx, 0, "/local/domain/0/backend/ism/1/1/state", "4");
	fake_xen_xs_write(fx, 0, "/local/domain/1/device/ism/1/state", "4");
}

/*
 * Device 1 of vm1 with a region (its fast path refused twice, EPERM last),
 * and 9/77, gone from xenstore, in an older xen-ismd's line (no event
 * counts).
 */
static const char report[] = "xen-ismd 1\n"
			     "total 2 1 1 0 257 0 1 42 0\n"
			     "daemon 17 123456 60000\n"
			     "grants 31744 10581 16898 2\n"
			     "device 1 1 4 1 1 257 1048576 0 300 2 1\n"
			     "a-future-line with fields\n"
			     "device 9 77 5 0 0 0 0\n"
			     "end\n";

#define HEADER                                                                 \
	"Name            Domid Devid      BE    BE-name         FE-state     " \
	"BE-state     Online Regions Peers Grants Bytes       Fast Relayed  "  \
	"FP-refused Error\n"
#define ROW_VM3                                                                \
	"vm3             3     2          2     ismdd           Initialising " \
	"Initialising 1      -       -     -      -           -    -        "  \
	"-          -\n"

static const char table[] = HEADER
	"vm1             1     1          0     Domain-0        Connected    "
	"Connected    1      1       1     257    1048576     0    300      "
	"2:EPERM    -\n" ROW_VM3
	"-               9     77         -     -               -            "
	"-            -      0       0     0      0           -    -        "
	"-          -\n";

static const char table_alone[] = HEADER
	"vm1             1     1          0     Domain-0        Connected    "
	"Connected    1      -       -     -      -           -    -        "
	"-          -\n" ROW_VM3;

static const char totals[] =
	"Totals: 2 devices, 1 connected, 1 regions, "
	"0 released, 257 grants, 0 quarantined, 1 held, "
	"42 requests, 0 protocol errors\n"
	"Grants: 31744 in the pool, 10581 per domain now, "
	"16898 per domain at most, 2 domains\n"
	"Daemon: 17 wake-ups, 123456 us CPU, 60000 ms up\n";

static const char json[] =
	"{\n"
	"  \"devices\": [\n"
	"    {\"name\": \"vm1\", \"domid\": 1, \"devid\": 1, \"backend\": 0, "
	"\"backend_name\": \"Domain-0\", \"frontend_state\": 4, "
	"\"backend_state\": 4, \"online\": 1, \"regions\": 1, \"peers\": 1, "
	"\"grants\": 257, \"bytes\": 1048576, \"fast_paths\": 0, "
	"\"relayed\": 300, \"fast_path_refused\": 2, \"error\": null},\n"
	"    {\"name\": \"vm3\", \"domid\": 3, \"devid\": 2, \"backend\": 2, "
	"\"backend_name\": \"ismdd\", \"frontend_state\": 1, "
	"\"backend_state\": 1, \"online\": 1, \"regions\": null, "
	"\"peers\": null, \"grants\": null, \"bytes\": null, "
	"\"fast_paths\": null, \"relayed\": null, "
	"\"fast_path_refused\": null, \"error\": null},\n"
	"    {\"name\": null, \"domid\": 9, \"devid\": 77, \"backend\": null, "
	"\"backend_name\": null, \"frontend_state\": null, "
	"\"backend_state\": null, \"online\": null, \"regions\": 0, "
	"\"peers\": 0, \"grants\": 0, \"bytes\": 0, \"fast_paths\": null, "
	"\"relayed\": null, \"fast_path_refused\": null, \"error\": null}\n"
	"  ],\n"
	"  \"totals\": {\"devices\": 2, \"connected\": 1, \"regions\": 1, "
	"\"released\": 0, \"grants\": 257, \"quarantined\": 0, \"held\": 1, "
	"\"requests\": 42, \"protocol_errors\": 0, \"wakeups\": 17, "
	"\"cpu_us\": 123456, \"uptime_ms\": 60000},\n"
	"  \"grant_pool\": {\"pool\": 31744, \"share\": 10581, "
	"\"domain_max\": 16898, \"domains\": 2}\n"
	"}\n";

/* The JSON of the xenstore devices alone (daemon columns null). */
static const char json_alone[] =
	"{\n"
	"  \"devices\": [\n"
	"    {\"name\": \"vm1\", \"domid\": 1, \"devid\": 1, \"backend\": 0, "
	"\"backend_name\": \"Domain-0\", \"frontend_state\": 4, "
	"\"backend_state\": 4, \"online\": 1, \"regions\": null, "
	"\"peers\": null, \"grants\": null, \"bytes\": null, "
	"\"fast_paths\": null, \"relayed\": null, "
	"\"fast_path_refused\": null, \"error\": null},\n"
	"    {\"name\": \"vm3\", \"domid\": 3, \"devid\": 2, \"backend\": 2, "
	"\"backend_name\": \"ismdd\", \"frontend_state\": 1, "
	"\"backend_state\": 1, \"online\": 1, \"regions\": null, "
	"\"peers\": null, \"grants\": null, \"bytes\": null, "
	"\"fast_paths\": null, \"relayed\": null, "
	"\"fast_path_refused\": null, \"error\": null}\n"
	"  ],\n"
	"  \"totals\": null,\n"
	"  \"grant_pool\": null\n"
	"}\n";

static void test_running(void)
{
	char want[1024];
	struct run r;
	pid_t pid;

	pid = serve(report);
	list(false, &r);
	tap_ok(served(pid, false), "the daemon's report was served");
	tap_is_int(r.rc, 0, "list with a running daemon");
	snprintf(want, sizeof(want), "%s%s", table, totals);
	if (!tap_is_str(r.out, want,
			"... the table joins xenstore and the "
			"daemon, then the totals"))
		tap_diag("got:\n%s", r.out);
	tap_is_str(r.notes, "", "... and no note");
	run_free(&r);

	pid = serve(report);
	list(true, &r);
	tap_ok(served(pid, false) && !r.rc, "list --json");
	if (!tap_is_str(r.out, json, "... the JSON, with the totals"))
		tap_diag("got:\n%s", r.out);
	run_free(&r);

	/* An older daemon: no devices, no daemon line. */
	pid = serve("xen-ismd 1\ntotal 0 0 0 0 0 0 0 99 0\nend\n");
	list(true, &r);
	tap_ok(served(pid, false) && !r.rc && !strstr(r.out, "\"bytes\": 0") &&
		       strstr(r.out, "\"online\": 1, \"regions\": null") &&
		       strstr(r.out, "\"totals\": {\"devices\": 0, "
				     "\"connected\": 0, \"regions\": 0, "
				     "\"released\": 0, \"grants\": 0, "
				     "\"quarantined\": 0, \"held\": 0, "
				     "\"requests\": 99, \"protocol_errors\": "
				     "0, \"wakeups\": null, \"cpu_us\": null, "
				     "\"uptime_ms\": null},\n"
				     "  \"grant_pool\": null\n}\n"),
	       "a daemon with no devices, cost or pool: null columns, totals "
	       "at zero, cost and pool null");
	run_free(&r);

	pid = serve("xen-ismd 1\ntotal 0 0 0 0 0 0 0 99 0\nend\n");
	list(false, &r);
	tap_ok(served(pid, false) && !r.rc &&
		       strstr(r.out, "99 requests, 0 protocol errors\n") &&
		       !strstr(r.out, "Daemon:") && !strstr(r.out, "Grants:"),
	       "... in the table: the totals, no line of cost or pool");
	run_free(&r);
}

static void test_absent(void)
{
	char want[256];
	struct run r;
	int fd;

	unlink(sock);
	list(false, &r);
	tap_is_int(r.rc, 0, "list without the daemon's socket succeeds");
	tap_is_str(r.out, table_alone,
		   "... the xenstore devices, daemon columns -, no totals");
	snprintf(want, sizeof(want),
		 "ismctl: xen-ismd is not running (no %s): showing xenstore "
		 "only\n",
		 sock);
	tap_is_str(r.notes, want, "... a one-line note says why");
	run_free(&r);

	list(true, &r);
	tap_ok(!r.rc, "list --json without the daemon");
	tap_is_str(r.out, json_alone, "... daemon fields and totals null");
	run_free(&r);

	fd = bound(false);
	list(true, &r);
	close(fd);
	snprintf(want, sizeof(want),
		 "ismctl: xen-ismd is not running (nothing listens on %s): "
		 "showing xenstore only\n",
		 sock);
	tap_ok(!r.rc && !strcmp(r.out, json_alone),
	       "a socket nobody listens on is a daemon not running");
	tap_is_str(r.notes, want, "... and the note says so");
	run_free(&r);
}

static void test_bad(void)
{
	struct ism_ctl_report rep;
	char err[512];
	struct run r;
	pid_t pid;
	int rc;

	pid = serve("xen-ismd 1\ntotal 2 1 1 0 257 0 1 42 0\n"
		    "device 1 1 4 one 1 257 1048576\nend\n");
	list(true, &r);
	tap_ok(served(pid, false), "a malformed report was served");
	tap_is_int(r.rc, -EBADMSG, "list fails on it");
	tap_ok(strstr(ctl.err, "bad report on ") && strstr(ctl.err, sock) &&
		       strstr(ctl.err, "line 3: device: SLOTS `one' is not a "
				       "number"),
	       "... naming the socket, the line and the field");
	tap_is_str(r.out, json_alone, "... still printing what xenstore has");
	run_free(&r);

	pid = serve("xen-ismd 1\ntotal 2 1 1 0 257 0 1 42 0\ndevice 1 1");
	list(false, &r);
	tap_ok(served(pid, false) && r.rc == -EBADMSG &&
		       strstr(ctl.err, "line 3: truncated"),
	       "a report cut short fails the list");
	tap_ok(!strstr(r.out, "Totals") && !strstr(r.out, "257"),
	       "... and shows none of it");
	run_free(&r);

	pid = serve(NULL);
	rc = ism_ctl_report_read(sock, 200, &rep, err, sizeof(err));
	tap_ok(served(pid, true), "a daemon that says nothing was killed");
	tap_is_int(rc, -ETIMEDOUT, "reading it times out");
	tap_ok(strstr(err, "xen-ismd does not answer") != NULL,
	       "... and says so");
}

int main(void)
{
	tap_plan(24);
	setup();
	test_running();
	test_absent();
	test_bad();
	unlink(sock);
	rmdir(dir);
	fake_xen_platform_close(ctl.p);
	fake_xen_destroy(fx);
	return tap_done();
}
