// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xen-ismd's log.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

/* The Xen libraries' lines: a burst, then one per interval. */
#define ISMD_LIB_BURST 16
#define ISMD_LIB_EVERY_S 10

static bool ismd_log_stderr = true;
static int ismd_log_max = LOG_NOTICE;

void ismd_log_open(bool to_stderr, int verbosity)
{
	ismd_log_stderr = to_stderr;
	ismd_log_max = verbosity >= 2 ? LOG_DEBUG :
		       verbosity == 1 ? LOG_INFO :
					LOG_NOTICE;
	if (!to_stderr)
		openlog("xen-ismd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void ismd_log_close(void)
{
	if (!ismd_log_stderr)
		closelog();
}

static void ismd_log_v(int prio, const char *prefix, const char *fmt,
		       va_list ap)
{
	static const char *const names[] = { "emerg", "alert",	 "crit",
					     "error", "warning", "notice",
					     "info",  "debug" };
	char msg[1024];

	if (prio > ismd_log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (ismd_log_stderr)
		fprintf(stderr, "xen-ismd: %s: %s%s\n", names[prio & 7], prefix,
			msg);
	else
		syslog(prio, "%s%s", prefix, msg);
}

void ismd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ismd_log_v(prio, "", fmt, ap);
	va_end(ap);
}

void ismd_log_dev(int prio, unsigned int domid, unsigned int devid,
		  const char *fmt, ...)
{
	char prefix[48];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "domain %u device %u: ", domid, devid);
	va_start(ap, fmt);
	ismd_log_v(prio, prefix, fmt, ap);
	va_end(ap);
}

void ismd_log_lib(void *arg, int level, const char *msg)
{
	static unsigned int tokens = ISMD_LIB_BURST, dropped;
	static time_t at;
	struct timespec ts;
	time_t n;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!at)
		at = ts.tv_sec;
	n = (ts.tv_sec - at) / ISMD_LIB_EVERY_S;
	if (n) {
		tokens = n >= ISMD_LIB_BURST - tokens ?
				 ISMD_LIB_BURST :
				 tokens + (unsigned int)n;
		at = tokens == ISMD_LIB_BURST ? ts.tv_sec :
						at + n * ISMD_LIB_EVERY_S;
	}
	if (!tokens) {
		dropped++;
		return;
	}
	tokens--;
	if (dropped)
		ismd_log(level, "xen library: (%u lines dropped) %s", dropped,
			 msg);
	else
		ismd_log(level, "xen library: %s", msg);
	dropped = 0;
}
