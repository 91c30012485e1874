// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xen-ismd: the xen-ism backend daemon.
 *
 * One thread, one poll loop over: the xenstore watch fd (devices appear,
 * change state, domains die), the event channel fd (frontends' control
 * rings), the signal fd (SIGTERM, SIGINT) and the stats socket (ismctl
 * list).  The protocol is the core's (backend/ism-backend.h); Xen is the
 * real platform (backend/xen/platform-xen.h).  The core's timer says how
 * long to sleep: while nothing is held back for reclaiming, without a
 * timeout (an idle backend wakes up for nothing), else until its next
 * reclaim pass, once a second.  It counts its wake-ups (every return of
 * poll()) for the stats socket, which reports them with its CPU time and
 * uptime.
 *
 * A restart loses nothing (with a state file, the default): the grant
 * helper keeps every page and grant when xen-ismd exits however it exits,
 * the core saves its state before any frontend sees a change, and the
 * next xen-ismd adopts the pages and restores the rest.  SIGTERM exits so;
 * SIGINT closes every device first.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ism-backend.h"
#include "keep.h"
#include "limits.h"
#include "log.h"
#include "options.h"
#include "pidfile.h"
#include "platform-xen.h"
#include "stats.h"

enum { ISMD_FD_SIGNAL, ISMD_FD_XS, ISMD_FD_EVTCHN, ISMD_FD_STATS, ISMD_FDS };

/* What the daemon counts of itself for the stats socket. */
struct ismd_self {
	struct timespec start; /* CLOCK_MONOTONIC */
	uint64_t wakeups; /* returns of poll() */
};

static void ismd_core_log(void *arg, int level, uint16_t domid, uint32_t devid,
			  const char *msg)
{
	(void)arg;
	ismd_log_dev(level, domid, devid, "%s", msg);
}

/*
 * The host's gid: kept in @path so that it survives restarts of the
 * backend; made from the kernel's random generator the first time.
 */
static int ismd_gid_load(const char *path, uint64_t *gid_out)
{
	char buf[32];
	uint64_t gid = 0;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			gid = strtoull(buf, NULL, 16);
		}
	}
	while (!gid) {
		if (getrandom(&gid, sizeof(gid), 0) != sizeof(gid))
			return -errno;
		ismd_dir_make(path, 0755);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			rc = -errno; /* still usable, but not stable */
			break;
		}
		n = snprintf(buf, sizeof(buf), "%016llx\n",
			     (unsigned long long)gid);
		if (write(fd, buf, (size_t)n) != n)
			rc = -EIO;
		close(fd);
	}
	*gid_out = gid;
	return rc;
}

static int ismd_signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void ismd_stats_accept(int lfd, const struct ism_backend *be,
			      const struct ismd_self *self)
{
	struct timeval tv = { .tv_sec = 1 };
	struct ismd_stats_daemon cost;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* A stuck client must not stall the devices. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* Sampled once, this wake-up counted, before a byte is written. */
	if (ismd_stats_daemon_sample(self->wakeups, &self->start, &cost))
		ismd_stats_serve(fd, be, NULL);
	else
		ismd_stats_serve(fd, be, &cost);
}

static uint64_t ismd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs until a signal asks to stop: its number, or -errno of the platform. */
static int ismd_loop(struct ism_backend *be, const struct ism_platform_ops *ops,
		     struct ism_platform *p, int sigfd, int statsfd,
		     struct ismd_self *self)
{
	struct pollfd pfd[ISMD_FDS] = {
		[ISMD_FD_SIGNAL] = { .fd = sigfd, .events = POLLIN },
		[ISMD_FD_XS] = { .fd = ops->xs_fd(p), .events = POLLIN },
		[ISMD_FD_EVTCHN] = { .fd = ops->evtchn_fd(p),
				     .events = POLLIN },
		[ISMD_FD_STATS] = { .fd = statsfd, .events = POLLIN },
	};
	int rc, r, timeout;

	for (;;) {
		/* Work may be queued before the first poll (initial watches). */
		rc = ism_backend_handle_watches(be);
		if (rc)
			return rc;
		/*
		 * One batch, then back to poll() (without sleeping if work is
		 * left): a device that floods its ring delays neither xenstore
		 * nor the stats socket.
		 */
		rc = ism_backend_handle_events(be);
		if (rc < 0)
			return rc;
		timeout = ism_backend_tick(be, ismd_now_ms());
		r = poll(pfd, ISMD_FDS, rc == 1 ? 0 : timeout);
		self->wakeups++; /* every return: events, timeout, EINTR */
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[ISMD_FD_SIGNAL].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si))
				return (int)si.ssi_signo;
			return SIGTERM;
		}
		if (pfd[ISMD_FD_STATS].revents & POLLIN)
			ismd_stats_accept(statsfd, be, self);
	}
}

/*
 * Start the backend: restore it if the grant helper kept what the last
 * xen-ismd left (@adopted), else a new one; then save through the state
 * file.  Logs; 0 or -errno.
 */
static int ismd_backend_start(const struct ismd_options *opts,
			      struct ism_platform *p,
			      const struct ism_backend_limits *limits,
			      bool adopted, struct ism_backend **be_out)
{
	struct ism_backend_restored info;
	struct ism_backend *be;
	void *state = NULL;
	size_t len = 0;
	int rc;

	if (adopted) {
		rc = ismd_keep_read(opts->state_file, &state, &len);
		if (rc)
			ismd_log(LOG_WARNING,
				 "no state in %s (%s): what the last xen-ismd "
				 "kept is released as it can be",
				 opts->state_file, strerror(-rc));
		rc = ism_backend_restore(&ism_platform_xen_ops, p, limits,
					 state, len, &be, &info);
		free(state);
	} else {
		if (opts->state_file && !access(opts->state_file, F_OK)) {
			ismd_log(LOG_WARNING,
				 "%s is stale (the grant helper kept nothing): "
				 "starting afresh",
				 opts->state_file);
			ismd_keep_remove(opts->state_file);
		}
		rc = ism_backend_new(&ism_platform_xen_ops, p, limits, &be);
	}
	if (rc) {
		ismd_log(LOG_ERR, "cannot start the backend: %s",
			 strerror(-rc));
		return rc;
	}
	ism_backend_set_log(be, ismd_core_log, NULL);
	if (adopted) {
		if (info.discarded)
			ismd_log(LOG_ERR,
				 "the state in %s does not match what the "
				 "grant helper kept: devices start afresh",
				 opts->state_file);
		ismd_log(LOG_NOTICE,
			 "restored %u devices (%u connected again) and %u "
			 "regions from %s",
			 info.devices, info.connected, info.regions,
			 opts->state_file);
		if (info.stray_pages || info.stray_grants || info.lost_grants)
			ismd_log(LOG_NOTICE,
				 "%u pages and %u grants kept but not in the "
				 "state are released as they can be; %u grants "
				 "in it had ended",
				 info.stray_pages, info.stray_grants,
				 info.lost_grants);
	}
	if (opts->state_file) {
		rc = ism_backend_set_save(be, ismd_keep_write,
					  (void *)opts->state_file);
		if (rc)
			ismd_log(LOG_WARNING,
				 "cannot write %s (%s): a restart would lose "
				 "the regions",
				 opts->state_file, strerror(-rc));
	}
	*be_out = be;
	return 0;
}

/* Exit keeping everything for the next xen-ismd. */
static void ismd_backend_keep(const struct ismd_options *opts,
			      struct ism_backend *be)
{
	struct ism_backend_stats st;
	int rc;

	ism_backend_get_stats(be, &st);
	rc = ism_backend_save(be);
	if (rc)
		ismd_log(LOG_ERR,
			 "cannot write %s (%s): the next xen-ismd "
			 "will not know the regions",
			 opts->state_file, strerror(-rc));
	ismd_log(LOG_NOTICE,
		 "stopping: keeping %u devices and %u regions for the next "
		 "xen-ismd",
		 st.devices, st.regions + st.released);
	ism_backend_abandon(be);
}

int main(int argc, char **argv)
{
	struct ism_platform_xen_config cfg = { .parts = ISM_PLATFORM_XEN_ALL };
	struct ism_backend_limits limits;
	struct ismd_self self = { 0 };
	struct ismd_options opts;
	struct ism_backend *be = NULL;
	struct ism_platform *p = NULL;
	uint32_t table, helper_max;
	unsigned int failed = 0;
	int pidfd = -1, sigfd = -1, statsfd = -1, adopted = -ENOENT, sig, rc;
	char err[256];
	pid_t owner;

	clock_gettime(CLOCK_MONOTONIC, &self.start);
	cfg.failed_part_out = &failed;
	cfg.log = ismd_log_lib;
	if (ismd_options_parse(argc, argv, &opts, err, sizeof(err))) {
		fprintf(stderr, "xen-ismd: %s\nTry 'xen-ismd --help'.\n", err);
		return 1;
	}
	if (opts.help) {
		fputs(ismd_usage, stdout);
		return 0;
	}
	if (opts.version) {
		puts("xen-ismd " PACKAGE_VERSION);
		return 0;
	}

	ismd_log_open(opts.foreground, opts.verbosity);
	if (!opts.foreground && daemon(0, 0)) {
		ismd_log(LOG_ERR, "cannot detach: %s", strerror(errno));
		rc = -errno;
		goto out;
	}
	if (opts.pid_file) {
		pidfd = ismd_pidfile_open(opts.pid_file, &owner);
		if (pidfd < 0) {
			rc = pidfd;
			if (rc == -EBUSY)
				ismd_log(LOG_ERR,
					 "another xen-ismd (pid %ld) holds %s",
					 (long)owner, opts.pid_file);
			else
				ismd_log(LOG_ERR, "cannot write %s: %s",
					 opts.pid_file, strerror(-rc));
			goto out;
		}
	}

	ism_backend_limits_default(&limits);
	rc = ismd_gid_load(opts.gid_file, &limits.gid);
	if (rc && !limits.gid) {
		ismd_log(LOG_ERR, "cannot make a gid: %s", strerror(-rc));
		goto out;
	}
	if (rc)
		ismd_log(LOG_WARNING,
			 "cannot keep the gid in %s (%s): it changes when "
			 "xen-ismd restarts",
			 opts.gid_file, strerror(-rc));

	sigfd = ismd_signals_open();
	if (sigfd < 0) {
		rc = -errno;
		ismd_log(LOG_ERR, "cannot set up signals: %s", strerror(errno));
		goto out;
	}
	rc = ism_platform_xen_open(&cfg, &p);
	if (rc) {
		ismd_log(LOG_ERR, "cannot open the %s: %s%s",
			 ism_platform_xen_part_name(failed) ?: "Xen platform",
			 strerror(-rc),
			 failed == ISM_PLATFORM_XEN_PAGES && rc == -ENOTTY ?
				 " (not the grant helper of this release: "
				 "reload xen-ism-gnt)" :
				 "");
		goto out;
	}
	if (opts.state_file) {
		adopted = ism_platform_xen_adopt(p);
		if (adopted && adopted != -ENOENT) {
			rc = adopted;
			ismd_log(LOG_ERR,
				 "cannot adopt what the last xen-ismd kept: %s",
				 strerror(-rc));
			goto out;
		}
		rc = ism_platform_xen_keep(p, true);
		if (rc)
			ismd_log(LOG_WARNING,
				 "the grant helper cannot keep the regions "
				 "(%s): a restart will lose them",
				 strerror(-rc));
	}
	if (ism_platform_xen_grant_table(p, &table, &helper_max))
		table = helper_max = 0;
	ismd_limits_set(&opts, table, helper_max, &limits, err, sizeof(err));
	if (err[0])
		ismd_log(LOG_WARNING, "%s", err);
	if (!(ism_platform_xen_parts(p) & ISM_PLATFORM_XEN_CTRL))
		ismd_log(LOG_INFO,
			 "no hypervisor domain queries here (driver "
			 "domain?): dying domains are seen in xenstore");
	if (opts.stats_socket) {
		statsfd = ismd_stats_listen(opts.stats_socket);
		if (statsfd < 0) {
			rc = statsfd;
			ismd_log(LOG_ERR, "cannot listen on %s: %s",
				 opts.stats_socket, strerror(-rc));
			goto out;
		}
	}
	rc = ismd_backend_start(&opts, p, &limits, adopted == 0, &be);
	if (rc)
		goto out;
	ismd_log(LOG_NOTICE,
		 "serving ISM devices: gid %016llx, region size %u, %u slots "
		 "per device, %llu bytes per domain, a pool of %u grants "
		 "(grant table %u), %u per domain at most",
		 (unsigned long long)limits.gid, limits.region_size,
		 limits.max_regions, (unsigned long long)limits.max_bytes,
		 limits.max_grants, table, limits.max_domain_grants);

	sig = ismd_loop(be, &ism_platform_xen_ops, p, sigfd, statsfd, &self);
	rc = sig < 0 ? sig : 0;
	if (rc)
		ismd_log(LOG_ERR, "stopping on a platform error: %s",
			 strerror(-rc));
	if (opts.state_file && sig != SIGINT) {
		ismd_backend_keep(&opts, be);
		be = NULL;
	} else {
		ismd_log(LOG_NOTICE, "stopping: closing every device");
		if (opts.state_file) {
			ism_backend_set_save(be, NULL, NULL);
			ismd_keep_remove(opts.state_file);
		}
	}
out:
	ism_backend_free(be);
	ism_platform_xen_close(p);
	if (statsfd >= 0) {
		close(statsfd);
		unlink(opts.stats_socket);
	}
	if (sigfd >= 0)
		close(sigfd);
	if (opts.pid_file)
		ismd_pidfile_close(opts.pid_file, pidfd);
	ismd_log_close();
	return rc ? 1 : 0;
}
