// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon's stats socket.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "stats.h"

int ismd_stats_daemon_sample(uint64_t wakeups, const struct timespec *start,
			     struct ismd_stats_daemon *out)
{
	struct rusage ru;
	struct timespec now;
	int64_t ms;

	if (getrusage(RUSAGE_SELF, &ru) || clock_gettime(CLOCK_MONOTONIC, &now))
		return -errno;
	out->wakeups = wakeups;
	out->cpu_us =
		(uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
		(uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	ms = (int64_t)(now.tv_sec - start->tv_sec) * 1000 +
	     (now.tv_nsec - start->tv_nsec) / 1000000;
	out->uptime_ms = ms > 0 ? (uint64_t)ms : 0;
	return 0;
}

int ismd_stats_listen(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path); /* the pid file lock says no other daemon owns it */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    chmod(path, 0600) || listen(fd, 8)) {
		rc = -errno;
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	return rc;
}

int ismd_stats_serve(int fd, const struct ism_backend *be,
		     const struct ismd_stats_daemon *self)
{
	struct ism_backend_stats st;
	struct ism_device_stat *devs = NULL;
	unsigned int n = 0, i;
	FILE *out;
	int rc;

	out = fdopen(fd, "w");
	if (!out) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = ism_backend_get_stats(be, &st);
	if (!rc)
		rc = ism_backend_list_devices(be, &devs, &n);
	if (rc)
		goto out;
	fprintf(out, ISMD_STATS_MAGIC " %d\n", ISMD_STATS_VERSION);
	fprintf(out, "total %u %u %u %u %u %u %u %" PRIu64 " %" PRIu64 "\n",
		st.devices, st.connected, st.regions, st.released, st.grants,
		st.quarantined, st.held, st.requests, st.protocol_errors);
	if (self)
		fprintf(out, "daemon %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
			self->wakeups, self->cpu_us, self->uptime_ms);
	fprintf(out, "grants %u %u %u %u\n", st.grant_pool, st.grant_share,
		st.grant_domain_max, st.domains);
	for (i = 0; i < n; i++)
		fprintf(out,
			"device %u %u %d %u %u %u %" PRIu64 " %u %" PRIu64
			" %u %d\n",
			devs[i].domid, devs[i].devid, devs[i].state,
			devs[i].slots, devs[i].peers, devs[i].grants,
			devs[i].bytes, devs[i].fast_paths, devs[i].relayed,
			devs[i].fp_refused, devs[i].fp_errno);
	fprintf(out, "end\n");
out:
	free(devs);
	if (fclose(out) && !rc)
		rc = -EIO;
	return rc;
}
