/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-report-writer.c - the daemon's writer of the stats report
 * (backend/daemon/stats.c) read back by ismctl's parser, with a backend
 * core running on the fake Xen: whatever one writes the other reads, field
 * for field, so the two cannot drift apart; the daemon's own cost too, and
 * how it is sampled.  Also the socket: the daemon's listener and ismctl's
 * reader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "unit/frontend.h"
#include "ismctl.h"
#include "stats.h"

TAP_MAIN;

static struct ism_ctl_report r;
static char err[256];

/* The daemon's cost in the reports of test_writer(). */
static const struct ismd_stats_daemon cost = {
	.wakeups = 3,
	.cpu_us = 18446744073709551615u,
	.uptime_ms = 1000,
};

/*
 * The report ismd_stats_serve() writes for @be and @self (in *@text),
 * parsed.
 */
static int written(const struct ism_backend *be,
		   const struct ismd_stats_daemon *self, char **text)
{
	FILE *f = tmpfile();
	size_t len = 0;
	long end = -1;
	int rc;

	*text = NULL;
	if (!f)
		return -errno;
	rc = ismd_stats_serve(dup(fileno(f)), be, self);
	if (!rc && !fseek(f, 0, SEEK_END))
		end = ftell(f);
	if (!rc && end >= 0)
		*text = calloc(1, (size_t)end + 1);
	if (*text) {
		rewind(f);
		len = fread(*text, 1, (size_t)end, f);
	}
	fclose(f);
	if (rc || !*text)
		return rc ? rc : -EIO;
	return ism_ctl_report_parse(*text, len, &r, err, sizeof(err));
}

/* Whether what was read is what the core says, every field. */
static bool same_as_core(const struct ism_backend *be)
{
	struct ism_device_stat *devs = NULL;
	struct ism_backend_stats st;
	unsigned int n = 0;
	bool same;

	if (ism_backend_get_stats(be, &st) ||
	    ism_backend_list_devices(be, &devs, &n))
		return false;
	same = st.devices == r.total.devices &&
	       st.connected == r.total.connected &&
	       st.regions == r.total.regions &&
	       st.released == r.total.released && st.grants == r.total.grants &&
	       st.quarantined == r.total.quarantined &&
	       st.held == r.total.held && st.requests == r.total.requests &&
	       st.protocol_errors == r.total.protocol_errors &&
	       r.grants_found && st.domains == r.total.domains &&
	       st.grant_pool == r.total.grant_pool &&
	       st.grant_share == r.total.grant_share &&
	       st.grant_domain_max == r.total.grant_domain_max && n == r.num;
	for (unsigned int i = 0; same && i < n; i++)
		same = devs[i].domid == r.devs[i].domid &&
		       devs[i].devid == r.devs[i].devid &&
		       devs[i].state == r.devs[i].state &&
		       devs[i].slots == r.devs[i].slots &&
		       devs[i].peers == r.devs[i].peers &&
		       devs[i].grants == r.devs[i].grants &&
		       devs[i].bytes == r.devs[i].bytes;
	free(devs);
	return same;
}

static void test_writer(void)
{
	struct ism_region_desc d, p;
	struct fe fes[2];
	struct fw w;
	char *text;

	fw_open_guests(&w, NULL, fes, 2);
	tap_is_int(fe_alloc(&fes[0], 3 * ISM_PAGE_SIZE, &d), 0,
		   "guest 5 allocates a region of 3 pages");
	tap_is_int(fe_attach(&fes[1], d.token, 0, &p), 0,
		   "guest 7 attaches it");

	tap_is_int(written(w.be, &cost, &text), 0,
		   "the writer's report parses");
	if (text && strncmp(text, "xen-ismd 1\ntotal ", 17))
		tap_diag("report:\n%s", text);
	tap_ok(!strncmp(text ? text : "", "xen-ismd 1\ntotal ", 17),
	       "... it begins with the header and the totals");
	tap_ok(text && strstr(text, "\ndaemon 3 18446744073709551615 1000\n"),
	       "... it has the daemon's line");
	free(text);
	tap_ok(r.daemon_found && r.daemon.wakeups == cost.wakeups &&
		       r.daemon.cpu_us == cost.cpu_us &&
		       r.daemon.uptime_ms == cost.uptime_ms,
	       "... the daemon's cost read back exactly");
	tap_ok(r.num == 2 && r.total.devices == 2 && r.total.connected == 2 &&
		       r.total.regions == 1 && r.total.grants > 0,
	       "... two connected devices sharing one region");
	tap_ok(r.num == 2 && r.devs[0].domid == 5 && r.devs[0].devid == 4097 &&
		       r.devs[0].state == ISM_XBS_CONNECTED &&
		       r.devs[0].slots == 1 && r.devs[0].peers == 1 &&
		       r.devs[0].bytes == 3 * ISM_PAGE_SIZE,
	       "... the owner's slot, peer and bytes");
	tap_ok(same_as_core(w.be), "... every field as the core has it");
	ism_ctl_report_free(&r);

	/* Teardown: back to the baseline the lab checks. */
	fe_detach(&fes[1], &p);
	fe_free(&fes[0], &d);
	fe_close(&fes[1]);
	fw_reclaim(&w);
	tap_is_int(written(w.be, NULL, &text), 0,
		   "after teardown it still parses, without a cost");
	tap_ok(text && !strstr(text, "daemon") && !r.daemon_found,
	       "... which it then does not write");
	free(text);
	tap_ok(r.total.regions == 0 && r.total.grants == 0 &&
		       r.total.connected == 1 && same_as_core(w.be),
	       "... regions and grants back to 0, as the core has it");
	ism_ctl_report_free(&r);
	fw_close(&w);
}

/* Burns about @ms of CPU time. */
static void burn(unsigned int ms)
{
	struct timespec t0, t;
	volatile unsigned long spin = 0;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 +
			 (t.tv_nsec - t0.tv_nsec) / 1000000 <
		 ms);
}

/* ismd_stats_daemon_sample(): the counter as given, the clocks' deltas. */
static void test_sample(void)
{
	struct ismd_stats_daemon a, b;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	start.tv_sec -= 2; /* the daemon started 2 s ago */
	tap_is_int(ismd_stats_daemon_sample(41, &start, &a), 0,
		   "the daemon's cost is sampled");
	tap_ok(a.wakeups == 41, "... with the wake-ups it counted");
	tap_ok(a.uptime_ms >= 2000 && a.uptime_ms < 12000,
	       "... an uptime from its start, in ms (%llu)",
	       (unsigned long long)a.uptime_ms);
	burn(30);
	usleep(20000);
	ismd_stats_daemon_sample(42, &start, &b);
	tap_ok(b.cpu_us >= a.cpu_us + 25000 && b.cpu_us < a.cpu_us + 10000000,
	       "... CPU time in us: 30 ms burnt show (%llu us)",
	       (unsigned long long)(b.cpu_us - a.cpu_us));
	tap_ok(b.uptime_ms >= a.uptime_ms + 45,
	       "... uptime goes on while it sleeps (%llu ms)",
	       (unsigned long long)(b.uptime_ms - a.uptime_ms));
}

/* The daemon's listener, its serve, and ismctl's reader on a socket. */
static void test_socket(void)
{
	char dir[] = "/tmp/ismctl-writer-XXXXXX", path[64];
	struct fe fes[1];
	struct fw w;
	int lfd, fd, rc = -1;
	pid_t pid;

	fw_open_guests(&w, NULL, fes, 1);
	if (!mkdtemp(dir))
		exit(99);
	snprintf(path, sizeof(path), "%s/xen-ismd.sock", dir);
	lfd = ismd_stats_listen(path);
	tap_ok(lfd >= 0, "the daemon listens on a socket in a temp dir");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		rc = ism_ctl_report_read(path, 2000, &r, err, sizeof(err));
		_exit(rc || r.num != 1 || r.devs[0].devid != 4097 ||
				      r.daemon.wakeups != cost.wakeups ?
			      1 :
			      0);
	}
	/* The listener does not block: wait for the client to connect. */
	for (int i = 0; lfd >= 0 && i < 2000; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			rc = ismd_stats_serve(fd, w.be, &cost);
			break;
		}
		usleep(1000);
	}
	tap_is_int(rc, 0, "it serves the client");
	tap_ok(pid > 0 && waitpid(pid, &fd, 0) == pid && WIFEXITED(fd) &&
		       !WEXITSTATUS(fd),
	       "ismctl's reader got the device and the daemon's cost");
	if (lfd >= 0)
		close(lfd);
	unlink(path);
	rmdir(dir);
	fw_close(&w);
}

int main(void)
{
	tap_plan(21);
	tap_is_str(ISMD_STATS_SOCKET_DEFAULT, "/run/xen-ismd.sock",
		   "one default socket for the daemon and ismctl");
	test_writer();
	test_sample();
	test_socket();
	return tap_done();
}
