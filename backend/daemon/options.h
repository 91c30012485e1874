/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xen-ismd's command line: what the daemon was asked to do.
 */
#ifndef ISMD_OPTIONS_H
#define ISMD_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define ISMD_PID_FILE_DEFAULT "/run/xen-ismd.pid"
#define ISMD_GID_FILE_DEFAULT "/var/lib/xen-ism/gid"
#define ISMD_STATS_SOCKET_DEFAULT "/run/xen-ismd.sock"
#define ISMD_STATE_FILE_DEFAULT "/run/xen-ism/state"

struct ismd_options {
	bool foreground; /* -F: no fork, log to stderr */
	int verbosity; /* 0 notices and errors, 1 info (-v), 2 debug (-vv) */
	const char *pid_file; /* NULL: none */
	const char *gid_file; /* keeps the host's gid across restarts */
	const char *stats_socket; /* for ismctl list; NULL: none */
	const char *state_file; /* kept for a restart; NULL: none */
	bool help;
	bool version;
	/* Limits announced to frontends and enforced (ismif.h, "Limits"). */
	uint64_t region_size;
	uint32_t max_regions;
	uint64_t max_bytes;
	uint32_t max_peers;
	uint32_t max_perm_entries;
	uint32_t max_grants; /* 0: from the grant table (limits.c) */
	uint32_t max_domain_grants; /* 0: from max_bytes and max_regions */
};

/*
 * Parses @argv into @opts (defaults first).  Returns 0, or -EINVAL with a
 * message naming the bad option or value in @err (of @errlen bytes).
 */
int ismd_options_parse(int argc, char **argv, struct ismd_options *opts,
		       char *err, size_t errlen);

/* Parses "4096", "64K", "1M", "1G" (powers of 1024); -EINVAL or -ERANGE. */
int ismd_size_parse(const char *s, uint64_t *out);

extern const char ismd_usage[];

#endif /* ISMD_OPTIONS_H */
