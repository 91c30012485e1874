// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file: written whole and renamed (never half of one, mode
 * 0600, its directory made), read back byte for byte, refused when absent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keep.h"
#include "tap.h"

TAP_MAIN;

int main(void)
{
	char dir[] = "/tmp/test-keep-XXXXXX", path[64], tmp[80];
	static char big[100000];
	struct stat st;
	size_t len = 0;
	void *buf = NULL;
	unsigned int i;

	tap_plan(9);
	if (!mkdtemp(dir)) {
		tap_diag("mkdtemp: %s", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/run/state", dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	tap_is_int(ismd_keep_read(path, &buf, &len), -ENOENT,
		   "no state yet: -ENOENT");
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	tap_is_int(ismd_keep_write(path, big, sizeof(big)), 0,
		   "a state is written, its directory made");
	tap_ok(!stat(path, &st) && (st.st_mode & 0777) == 0600 &&
		       st.st_size == sizeof(big),
	       "  mode 0600, whole");
	tap_ok(access(tmp, F_OK) && errno == ENOENT, "  no .new left behind");
	tap_is_int(ismd_keep_read(path, &buf, &len), 0, "  read back");
	tap_ok(len == sizeof(big) && !memcmp(buf, big, len), "  byte for byte");
	free(buf);
	tap_is_int(ismd_keep_write(path, "x", 1), 0,
		   "a smaller one replaces it");
	tap_ok(!ismd_keep_read(path, &buf, &len) && len == 1 &&
		       !memcmp(buf, "x", 1),
	       "  and reads back alone");
	free(buf);
	ismd_keep_remove(path);
	tap_is_int(ismd_keep_read(path, &buf, &len), -ENOENT,
		   "removed: -ENOENT");
	snprintf(path, sizeof(path), "%s/run", dir);
	rmdir(path);
	rmdir(dir);
	return tap_done();
}
