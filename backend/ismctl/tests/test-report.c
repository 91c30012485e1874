/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-report.c - ismctl's parser of xen-ismd's report on canned reports:
 * good ones, with and without the daemon's cost (an older daemon has none),
 * unknown lines and extra fields (skipped), malformed known lines, truncated
 * and oversized reports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ismctl.h"

TAP_MAIN;

#define HDR "xen-ismd 1\n"
#define TOTAL "total 2 1 3 1 12 4 2 1234 5\n"
#define DAEMON "daemon 17 123456 60000\n"

static struct ism_ctl_report r;
static char err[256];

static int parse(const char *text)
{
	return ism_ctl_report_parse(text, strlen(text), &r, err, sizeof(err));
}

/* Whether @text is refused with a message that has @what in it. */
static int refused(const char *text, const char *what)
{
	int rc = parse(text);

	if (rc != -EBADMSG || !strstr(err, what)) {
		tap_diag("  rc %d, message `%s'; want -EBADMSG and `%s'", rc,
			 err, what);
		ism_ctl_report_free(&r);
		return 0;
	}
	return !r.devs && !r.num;
}

static void test_good(void)
{
	const struct ism_backend_stats *t = &r.total;

	tap_is_int(parse(HDR TOTAL "device 7 4098 4 2 1 10 8192\n"
				   "device 5 4097 4 1 1 2 4096\n"
				   "end\n"),
		   0, "a good report is read");
	tap_ok(t->devices == 2 && t->connected == 1 && t->regions == 3 &&
		       t->released == 1 && t->grants == 12 &&
		       t->quarantined == 4 && t->held == 2 &&
		       t->requests == 1234 && t->protocol_errors == 5,
	       "... every total in its place");
	tap_ok(r.num == 2 && r.devs[0].domid == 5 && r.devs[0].devid == 4097 &&
		       r.devs[1].domid == 7 && r.devs[1].devid == 4098,
	       "... its devices sorted by domid and devid");
	tap_ok(r.num == 2 && r.devs[1].state == 4 && r.devs[1].slots == 2 &&
		       r.devs[1].peers == 1 && r.devs[1].grants == 10 &&
		       r.devs[1].bytes == 8192,
	       "... every device field in its place");
	tap_ok(!r.daemon_found && !r.daemon.wakeups && !r.daemon.cpu_us &&
		       !r.daemon.uptime_ms,
	       "... without a daemon line (an older daemon): no cost");
	tap_ok(!r.grants_found && !r.total.grant_pool && !r.total.domains,
	       "... without a grants line (an older daemon): no pool");
	ism_ctl_report_free(&r);

	tap_is_int(parse(HDR TOTAL "grants 31744 10581 16898 2\nend\n"), 0,
		   "a report with the grant pool is read");
	tap_ok(r.grants_found && r.total.grant_pool == 31744 &&
		       r.total.grant_share == 10581 &&
		       r.total.grant_domain_max == 16898 &&
		       r.total.domains == 2 && r.total.requests == 1234,
	       "... pool, share, most per domain and domains in their places");
	ism_ctl_report_free(&r);

	tap_is_int(parse(HDR TOTAL DAEMON "device 5 4097 4 1 1 2 4096\nend\n"),
		   0, "a report with the daemon's cost is read");
	tap_ok(r.daemon_found && r.daemon.wakeups == 17 &&
		       r.daemon.cpu_us == 123456 && r.daemon.uptime_ms == 60000,
	       "... wake-ups, CPU time and uptime in their places");
	tap_ok(r.num == 1 && r.total.requests == 1234,
	       "... and the rest as without it");
	ism_ctl_report_free(&r);

	tap_is_int(parse(HDR DAEMON "device 5 4097 4 1 1 2 4096\n" TOTAL
				    "end\n"),
		   0, "the daemon line may come anywhere before the end");
	tap_ok(r.daemon_found && r.daemon.uptime_ms == 60000 && r.num == 1,
	       "... and is read there");
	ism_ctl_report_free(&r);

	tap_is_int(parse(HDR "total 0 0 0 0 0 0 0 0 0\nend\n"), 0,
		   "a report without devices is read");
	tap_ok(!r.num && !r.devs, "... and has none");
	ism_ctl_report_free(&r);

	tap_is_int(parse(HDR "total 4294967295 0 0 0 0 0 0 "
			     "18446744073709551615 0\n"
			     "daemon 18446744073709551615 18446744073709551615 "
			     "18446744073709551615\n"
			     "device 32751 2147483647 99 0 0 0 "
			     "18446744073709551615\nend\n"),
		   0, "the largest values are read");
	tap_ok(r.total.devices == 4294967295u &&
		       r.total.requests == UINT64_MAX && r.num == 1 &&
		       r.devs[0].domid == 32751 &&
		       r.devs[0].devid == 2147483647u &&
		       r.devs[0].bytes == UINT64_MAX &&
		       r.daemon.wakeups == UINT64_MAX &&
		       r.daemon.cpu_us == UINT64_MAX &&
		       r.daemon.uptime_ms == UINT64_MAX,
	       "... exactly");
	tap_ok(!r.devs[0].events_known && !r.devs[0].relayed,
	       "... a device line of 7 fields (an older xen-ismd's) has no "
	       "event counts");
	ism_ctl_report_free(&r);

	tap_is_int(parse(HDR TOTAL "\n"
				   "device 3 9 4 1 1 2 4096 4294967295 "
				   "18446744073709551615 7 4095\nend\n"),
		   0, "a device line with the event counts is read");
	tap_ok(r.num == 1 && r.devs[0].events_known &&
		       r.devs[0].fast_paths == 4294967295u &&
		       r.devs[0].relayed == UINT64_MAX &&
		       r.devs[0].fp_refused == 7 && r.devs[0].fp_errno == 4095,
	       "... exactly");
	ism_ctl_report_free(&r);
	tap_is_int(parse(HDR TOTAL "\ndevice 3 9 4 1 1 2 4096 0 0\nend\n"),
		   -EBADMSG, "a device line with only some of them is refused");
	tap_ok(strstr(err, "device: 9 fields, want 7 or 11") != NULL,
	       "... saying how many fields it wants");
	ism_ctl_report_free(&r);
	tap_is_int(parse(HDR TOTAL
			 "\ndevice 3 9 4 1 1 2 4096 0 0 0 4096\nend\n"),
		   -EBADMSG, "an errno above 4095 is refused");
	ism_ctl_report_free(&r);

	tap_is_int(parse(HDR "uptime 12345\n" TOTAL "\n"
			     "whatever ~ \x01 !\n"
			     "device 5 4097 4 1 1 2 4096 1 2 3 1 new-field\n"
			     "daemon 1 2 3 4 new-field\n"
			     "end and more\n"),
		   0,
		   "unknown lines, empty lines and extra fields are skipped");
	tap_ok(r.num == 1 && r.devs[0].bytes == 4096 &&
		       r.devs[0].fp_errno == 1 && r.total.grants == 12 &&
		       r.daemon_found && r.daemon.wakeups == 1 &&
		       r.daemon.cpu_us == 2 && r.daemon.uptime_ms == 3,
	       "... and the known ones read");
	ism_ctl_report_free(&r);
}

/* Malformed daemon lines: the report, what the message says, the case. */
static const struct {
	const char *text, *what, *name;
} bad_daemon[] = {
	{ HDR TOTAL DAEMON DAEMON "end\n", "line 4: a second `daemon'",
	  "two daemon lines" },
	{ HDR TOTAL "daemon 17 123456\nend\n",
	  "line 3: daemon: 2 fields, want 3",
	  "a daemon line with a field missing" },
	{ HDR TOTAL "daemon 17 -1 60000\nend\n",
	  "line 3: daemon: CPU_US `-1' is not a number from 0 to "
	  "18446744073709551615",
	  "a daemon line with a negative CPU time" },
	{ HDR TOTAL "daemon 17 123456 18446744073709551616\nend\n",
	  "UPTIME_MS `18446744073709551616'", "an uptime past 64 bits" },
	{ HDR TOTAL "daemon x 123456 60000\nend\n", "WAKEUPS `x'",
	  "wake-ups that are not a number" },
	{ HDR TOTAL "grants 1 1 1 1\ngrants 1 1 1 1\nend\n",
	  "line 4: a second `grants'", "two grants lines" },
	{ HDR TOTAL "grants 31744 10581 16898\nend\n",
	  "line 3: grants: 3 fields, want 4",
	  "a grants line with a field missing" },
	{ HDR TOTAL "grants 4294967296 1 1 1\nend\n", "POOL `4294967296'",
	  "a pool past 32 bits" },
};

static void test_malformed(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(bad_daemon) / sizeof(bad_daemon[0]); i++)
		tap_ok(refused(bad_daemon[i].text, bad_daemon[i].what), "%s",
		       bad_daemon[i].name);
	tap_ok(refused("", "empty report"), "an empty report is refused");
	tap_ok(refused("hello 1\n" TOTAL "end\n",
		       "line 1: not a xen-ismd report"),
	       "a report of something else");
	tap_ok(refused("xen-ismd 2\n" TOTAL "end\n",
		       "report version 2; this ismctl reads version 1"),
	       "a report of another version");
	tap_ok(refused("xen-ismd one\n" TOTAL "end\n", "version `one'"),
	       "a header with a bad version");
	tap_ok(refused(HDR TOTAL "xen-ismd 1\nend\n",
		       "line 3: a second `xen-ismd' line"),
	       "a second header");
	tap_ok(refused(HDR "total 2 1 3 1 12 4 2 1234\nend\n",
		       "line 2: total: 8 fields, want 9"),
	       "a total line with a field missing");
	tap_ok(refused(HDR "total 2 1 3 x 12 4 2 1234 5\nend\n",
		       "line 2: total: RELEASED `x' is not a number from 0 to "
		       "4294967295"),
	       "a total line with a word for a number");
	tap_ok(refused(HDR "total 2 1 3 -1 12 4 2 1234 5\nend\n",
		       "RELEASED `-1'"),
	       "a negative number");
	tap_ok(refused(HDR "total 2 1 3 +1 12 4 2 1234 5\nend\n",
		       "RELEASED `+1'"),
	       "a number with a sign");
	tap_ok(refused(HDR "total 2 1 3 01 12 4 2 1234 5\nend\n",
		       "RELEASED `01'"),
	       "a number with a leading zero");
	tap_ok(refused(HDR "total 4294967296 1 3 1 12 4 2 1234 5\nend\n",
		       "DEVICES `4294967296'"),
	       "a count past 32 bits");
	tap_ok(refused(HDR "total 2 1 3 1 12 4 2 18446744073709551616 5\n"
			   "end\n",
		       "REQUESTS `18446744073709551616'"),
	       "a count past 64 bits");
	tap_ok(refused(HDR "total 2 1  3 1 12 4 2 1234 5\nend\n",
		       "total: empty field"),
	       "two blanks between fields");
	tap_ok(refused(HDR "total 2 1 3 1 12 4 2 1234 5 \nend\n",
		       "total: empty field"),
	       "a blank at the end");
	tap_ok(refused(HDR "total 2 1 3 1 12 4 2 1234 5\r\nend\n",
		       "PROTOCOL_ERRORS `5?'"),
	       "a carriage return, shown as ?");
	tap_ok(refused(HDR TOTAL TOTAL "end\n", "line 3: a second `total'"),
	       "two total lines");
	tap_ok(refused(HDR "end\n", "line 2: `end' before any `total'"),
	       "no total line");
	tap_ok(refused(HDR TOTAL "device 5 4097 4 1 1 2\nend\n",
		       "line 3: device: 6 fields, want 7"),
	       "a device line with a field missing");
	tap_ok(refused(HDR TOTAL "device 32752 4097 4 1 1 2 4096\nend\n",
		       "DOMID `32752' is not a number from 0 to 32751"),
	       "a domid out of range");
	tap_ok(refused(HDR TOTAL "device 5 2147483648 4 1 1 2 4096\nend\n",
		       "DEVID `2147483648'"),
	       "a devid out of range");
	tap_ok(refused(HDR TOTAL "device 5 4097 100 1 1 2 4096\nend\n",
		       "STATE `100'"),
	       "a state out of range");
	tap_ok(refused(HDR TOTAL "device 5 4097 4 1 1 2 4096\n"
				 "device 5 4097 4 1 1 2 4096\nend\n",
		       "device 5 4097 is listed twice"),
	       "a device twice");
}

static void test_truncated(void)
{
	static const char nul[] = HDR "total 2 1 3 1\0 12 4 2 1234 5\nend\n";

	tap_ok(refused(HDR TOTAL "device 5 4097 4 1 1 2 4096\n",
		       "truncated (no `end' line)"),
	       "a report cut after a line");
	tap_ok(refused(HDR TOTAL "device 5 4097 4 1",
		       "line 3: truncated (no newline at the end)"),
	       "a report cut in a line");
	tap_ok(refused(HDR TOTAL "end", "truncated (no newline"),
	       "an end without its newline");
	tap_ok(refused(HDR TOTAL "end\ntotal 1 1 1 1 1 1 1 1 1\n",
		       "line 4: more after the `end' line"),
	       "lines after the end");
	tap_is_int(ism_ctl_report_parse(nul, sizeof(nul) - 1, &r, err,
					sizeof(err)),
		   -EBADMSG, "a NUL byte in a line");
	tap_ok(strstr(err, "line 2: a NUL byte") != NULL, "... says so");
}

static void test_too_long(void)
{
	size_t cap = ISM_CTL_REPORT_LINE_MAX + 64, used;
	char *text = malloc(cap * 2), *line = malloc(cap);
	unsigned int i;
	int rc;

	if (!text || !line)
		exit(99);
	/* An unknown line of exactly the longest length is still read. */
	memset(line, 'x', ISM_CTL_REPORT_LINE_MAX);
	line[ISM_CTL_REPORT_LINE_MAX] = '\0';
	snprintf(text, cap * 2, HDR TOTAL "%s\nend\n", line);
	tap_is_int(parse(text), 0, "a line of %u bytes is read",
		   ISM_CTL_REPORT_LINE_MAX);
	ism_ctl_report_free(&r);
	snprintf(text, cap * 2, HDR TOTAL "%sx\nend\n", line);
	tap_ok(refused(text, "line 3: longer than 256 bytes"),
	       "a line one byte longer is refused, even of an unknown kind");
	free(line);
	free(text);

	/* More lines than allowed: blank ones, which are otherwise skipped. */
	cap = ISM_CTL_REPORT_LINES_MAX + 64;
	text = malloc(cap);
	if (!text)
		exit(99);
	used = (size_t)snprintf(text, cap, HDR TOTAL);
	for (i = 0; used + 1 < cap && i < ISM_CTL_REPORT_LINES_MAX; i++)
		text[used++] = '\n';
	memcpy(text + used, "end\n", 5);
	rc = ism_ctl_report_parse(text, used + 4, &r, err, sizeof(err));
	tap_ok(rc == -EBADMSG && strstr(err, "more than 262144 lines"),
	       "a report of too many lines is refused");
	free(text);
}

int main(void)
{
	tap_plan(64);
	test_good();
	test_malformed();
	test_truncated();
	test_too_long();
	return tap_done();
}
