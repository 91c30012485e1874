/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.c - run a fuzz target's corpus as a plain TAP test, with any
 * compiler: each file of tests/fuzz/corpus/<target>/ is one test point
 * (LLVMFuzzerTestOneInput() must return, and return 0; a target's own
 * checks abort).  The target's name comes from ISM_FUZZ_TARGET at build
 * time; the tree from $top_srcdir, or the first argument.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

TAP_MAIN;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read @path whole; NULL on error. */
static uint8_t *replay_read(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out_close;
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len_out = (size_t)n;
out_close:
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	const char *top = argc > 1 ? argv[1] : getenv("top_srcdir");
	char dir[4096], path[8192], **names = NULL;
	struct dirent *de;
	size_t n = 0, i, len;
	uint8_t *buf;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".",
		 ISM_FUZZ_TARGET);
	d = opendir(dir);
	if (!d) {
		printf("Bail out! no corpus at %s\n", dir);
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n] = strdup(de->d_name)))
			return 1;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), replay_name_cmp);
	tap_plan((int)n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		buf = replay_read(path, &len);
		tap_ok(buf && LLVMFuzzerTestOneInput(buf, len) == 0, "%s %s",
		       ISM_FUZZ_TARGET, names[i]);
		free(buf);
		free(names[i]);
	}
	free(names);
	return tap_done();
}
