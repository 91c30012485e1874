// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xen-ismd's log.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

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
