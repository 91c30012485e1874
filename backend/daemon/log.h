/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xen-ismd's log: syslog, or stderr in the foreground.  Only the daemon's
 * top layers log; messages about a device name its domid and devid.
 */
#ifndef ISMD_LOG_H
#define ISMD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* @verbosity: 0 notices and errors, 1 adds info, 2 adds debug. */
void ismd_log_open(bool to_stderr, int verbosity);
void ismd_log_close(void);

__attribute__((format(printf, 2, 3))) void ismd_log(int prio, const char *fmt,
						    ...);

/* A message about one device: prefixed "domain D device N: ". */
__attribute__((format(printf, 4, 5))) void ismd_log_dev(int prio,
							unsigned int domid,
							unsigned int devid,
							const char *fmt, ...);

/*
 * What the Xen libraries report (struct ism_platform_xen_config's log):
 * prefixed "xen library: ", 16 lines at once and then one per 10 s, the
 * dropped ones counted in the next.
 */
void ismd_log_lib(void *arg, int level, const char *msg);

#endif /* ISMD_LOG_H */
