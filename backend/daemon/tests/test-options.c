// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xen-ismd's command line and pid file.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ismif.h"
#include "options.h"
#include "pidfile.h"
#include "tap.h"

TAP_MAIN;

static char err[256];

/* Parses a NULL-terminated list of arguments (after the program name). */
static int parse(struct ismd_options *o, const char *first, ...)
{
	char *argv[16] = { "xen-ismd" };
	const char *a = first;
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	while (a && argc < 15) {
		argv[argc++] = (char *)a;
		a = va_arg(ap, const char *);
	}
	va_end(ap);
	return ismd_options_parse(argc, argv, o, err, sizeof(err));
}

static void test_sizes(void)
{
	uint64_t v = 0;

	tap_ok(ismd_size_parse("4096", &v) == 0 && v == 4096, "plain size");
	tap_ok(ismd_size_parse("64K", &v) == 0 && v == 65536, "K suffix");
	tap_ok(ismd_size_parse("1m", &v) == 0 && v == 1048576, "m suffix");
	tap_ok(ismd_size_parse("2G", &v) == 0 && v == 2ull << 30, "G suffix");
	tap_is_int(ismd_size_parse("1T", &v), -EINVAL, "unknown suffix");
	tap_is_int(ismd_size_parse("-1", &v), -EINVAL, "negative size");
	tap_is_int(ismd_size_parse("", &v), -EINVAL, "empty size");
	tap_is_int(ismd_size_parse("1MB", &v), -EINVAL, "trailing junk");
	tap_is_int(ismd_size_parse("99999999999999999G", &v), -ERANGE,
		   "overflow is refused");
}

static void test_options(void)
{
	struct ismd_options o;

	tap_is_int(parse(&o, NULL), 0, "no options");
	tap_ok(!o.foreground && o.verbosity == 0 &&
		       o.region_size == ISM_REGION_SIZE_DEFAULT &&
		       o.max_regions == ISM_MAX_REGIONS_DEFAULT &&
		       o.max_bytes == ISM_MAX_BYTES_DEFAULT &&
		       o.max_peers == ISM_MAX_PEERS_DEFAULT &&
		       o.max_perm_entries == ISM_MAX_PERM_ENTRIES_DEFAULT &&
		       !strcmp(o.pid_file, ISMD_PID_FILE_DEFAULT) &&
		       !strcmp(o.gid_file, ISMD_GID_FILE_DEFAULT) &&
		       !strcmp(o.stats_socket, ISMD_STATS_SOCKET_DEFAULT),
	       "defaults are the protocol's defaults");
	tap_is_int(parse(&o, "-F", "-vv", "--pid-file=none",
			 "--stats-socket=none", "--gid-file", "/tmp/g", NULL),
		   0, "short options and files");
	tap_ok(o.foreground && o.verbosity == 2 && !o.pid_file &&
		       !o.stats_socket && !strcmp(o.gid_file, "/tmp/g"),
	       "-F -vv --pid-file=none --stats-socket=none --gid-file");
	tap_is_int(parse(&o, "--region-size", "64M", "--max-regions=8192",
			 "--max-bytes=1G", "--max-peers=3",
			 "--max-perm-entries=0", NULL),
		   0, "every limit at its bound");
	tap_ok(o.region_size == 64ull << 20 && o.max_regions == 8192 &&
		       o.max_bytes == 1ull << 30 && o.max_peers == 3 &&
		       o.max_perm_entries == 0,
	       "limits are taken");
	tap_is_int(parse(&o, "--region-size=128M", NULL), -EINVAL,
		   "region size above the protocol's limit");
	tap_ok(strstr(err, "--region-size") && strstr(err, "128M"),
	       "the message names the option and value: %s", err);
	tap_is_int(parse(&o, "--region-size=6000", NULL), -EINVAL,
		   "region size not a page multiple");
	tap_is_int(parse(&o, "--max-regions=0", NULL), -EINVAL,
		   "zero slots refused");
	tap_is_int(parse(&o, "--max-peers=x", NULL), -EINVAL,
		   "non-number refused");
	tap_is_int(parse(&o, "--max-peers=-1", NULL), -EINVAL,
		   "negative number refused");
	tap_is_int(parse(&o, "--frobnicate", NULL), -EINVAL,
		   "unknown option refused");
	tap_ok(strstr(err, "--frobnicate") != NULL, "message names it: %s",
	       err);
	tap_is_int(parse(&o, "--pid-file", NULL), -EINVAL,
		   "missing value refused");
	tap_is_int(parse(&o, "extra", NULL), -EINVAL, "stray argument refused");
}

static void test_pidfile(void)
{
	char path[] = "/tmp/ismd-pidXXXXXX";
	int tmp = mkstemp(path), fd, status;
	pid_t owner, child;

	close(tmp);
	fd = ismd_pidfile_open(path, &owner);
	tap_ok(fd >= 0, "pid file created and locked");
	child = fork();
	if (child == 0) {
		int rc = ismd_pidfile_open(path, &owner);

		_exit(rc == -EBUSY && owner == getppid() ? 0 : 1);
	}
	waitpid(child, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a second instance gets EBUSY and the first one's pid");
	ismd_pidfile_close(path, fd);
	tap_ok(access(path, F_OK) != 0, "closing removes the pid file");
	tap_ok(ismd_pidfile_open("/nonexistent-dir/x.pid", &owner) == -ENOENT,
	       "a pid file in a missing directory: ENOENT");
}

int main(void)
{
	tap_plan(9 + 16 + 4);
	test_sizes();
	test_options();
	test_pidfile();
	return tap_done();
}
