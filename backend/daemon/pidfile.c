// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon's pid file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "pidfile.h"

int ismd_pidfile_open(const char *path, pid_t *owner_out)
{
	char buf[32];
	ssize_t n;
	int fd, len, rc;

	*owner_out = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			*owner_out = (pid_t)atol(buf);
		}
		goto err_close;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	errno = 0;
	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)len, 0) != len) {
		rc = errno ? -errno : -EIO;
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	return rc;
}

void ismd_pidfile_close(const char *path, int fd)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}
