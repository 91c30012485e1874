/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pid file, locked while the daemon runs, so a second instance is
 * refused instead of fighting the first over the same devices.
 */
#ifndef ISMD_PIDFILE_H
#define ISMD_PIDFILE_H

#include <sys/types.h>

/*
 * Creates and locks @path and writes our pid into it.  Returns an fd to
 * keep open while running, -EBUSY if another process holds the lock (its
 * pid in *@owner_out when readable), or another -errno.
 */
int ismd_pidfile_open(const char *path, pid_t *owner_out);

/* Removes @path and closes @fd (a negative fd is ignored). */
void ismd_pidfile_close(const char *path, int fd);

#endif /* ISMD_PIDFILE_H */
