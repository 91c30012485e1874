// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c - ism-smc-run PROGRAM [ARG...]: run an unmodified program with
 * libism-smc.so preloaded (ahead of any LD_PRELOAD it had), so that its
 * TCP sockets are AF_SMC ones (see preload.c and ism-smc-run(1)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where `make install` puts the library; ISM_SMC_LIB overrides it. */
#ifndef ISM_SMC_LIB
#define ISM_SMC_LIB "/usr/local/lib/xen-ism/libism-smc.so"
#endif

static void usage(FILE *f)
{
	fputs("usage: ism-smc-run PROGRAM [ARG...]\n"
	      "Run PROGRAM with its TCP sockets made AF_SMC (SMC-D where both "
	      "ends can,\nTCP where not).  See ism-smc-run(1).\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *lib = getenv("ISM_SMC_LIB"), *old = getenv("LD_PRELOAD");
	char *preload;
	size_t len;

	if (argc > 2 && !strcmp(argv[1], "--")) {
		argv++;
		argc--;
	}
	if (argc < 2 || argv[1][0] == '-') {
		if (argc == 2 &&
		    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return 2;
	}
	if (!lib || !*lib)
		lib = ISM_SMC_LIB;
	if (access(lib, R_OK)) {
		fprintf(stderr, "ism-smc-run: %s: %s\n", lib, strerror(errno));
		return 127;
	}
	len = strlen(lib) + (old && *old ? strlen(old) + 1 : 0) + 1;
	preload = malloc(len);
	if (!preload) {
		fputs("ism-smc-run: out of memory\n", stderr);
		return 127;
	}
	snprintf(preload, len, "%s%s%s", lib, old && *old ? ":" : "",
		 old && *old ? old : "");
	if (setenv("LD_PRELOAD", preload, 1)) {
		fprintf(stderr, "ism-smc-run: LD_PRELOAD: %s\n",
			strerror(errno));
		return 127;
	}
	free(preload);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "ism-smc-run: %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
