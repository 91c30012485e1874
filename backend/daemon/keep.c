// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file, written whole and renamed, so that whoever reads it
 * (the next xen-ismd) sees one state the core gave, never half of one.
 * It lives in /run: a reboot ends every guest's mapping, and the state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keep.h"

void ismd_dir_make(const char *path, unsigned int mode)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, (mode_t)mode);
	}
}

int ismd_keep_write(void *arg, const void *buf, size_t len)
{
	const char *path = arg;
	const char *p = buf;
	char tmp[4096];
	ssize_t n;
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	ismd_dir_make(path, 0700);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

int ismd_keep_read(const char *path, void **buf_out, size_t *len_out)
{
	struct stat st;
	size_t done = 0;
	char *buf = NULL;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		goto out;
	}
	if (st.st_size > ISMD_KEEP_MAX) {
		rc = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (rc) {
		free(buf);
		goto out;
	}
	*buf_out = buf;
	*len_out = done;
out:
	close(fd);
	return rc;
}

void ismd_keep_remove(const char *path)
{
	unlink(path);
}
