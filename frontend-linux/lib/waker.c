/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * waker.c - lets a wait without a time limit block in read() on the event
 * channel device alone, one system call per wake-up instead of an
 * epoll_wait() before it.  The backend's state still has to be heard: a
 * backend domain that dies sends no event.  So a thread sleeps in poll()
 * on the xenstore watch fd and, when a watch fires, signals a loopback
 * event channel bound on the same handle as every other port: the read
 * returns that port, and the caller takes the watch.  Then the thread
 * waits to be re-armed (ism__waker_rearm(), once the watches are taken),
 * so one watch event is one wake-up.  The thread sleeps while nothing
 * changes in xenstore.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "waker.h"

/* Written to the control eventfd: re-arm (1) or stop (this). */
#define WAKER_STOP (1ull << 32)

struct ism_waker {
	xenevtchn_handle *ce;
	uint32_t port; /* the read returns this one */
	uint32_t kick; /* its loopback peer, which the thread notifies */
	int xs_fd;
	int ctl_fd; /* eventfd: re-arm and stop */
	pthread_t thread;
};

static void *waker_main(void *arg)
{
	struct ism_waker *w = arg;
	struct pollfd pfd[2] = {
		{ .fd = w->ctl_fd, .events = POLLIN },
		{ .fd = w->xs_fd, .events = POLLIN },
	};
	bool armed = true;
	uint64_t v;

	for (;;) {
		if (poll(pfd, armed ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break; /* the fds are ours: cannot happen */
		}
		if (pfd[0].revents & POLLIN) {
			if (read(w->ctl_fd, &v, sizeof(v)) == sizeof(v)) {
				if (v >= WAKER_STOP)
					break;
				armed = true;
			}
			continue;
		}
		if (armed && pfd[1].revents) {
			xenevtchn_notify(w->ce, w->kick);
			armed = false;
		}
	}
	return NULL;
}

int ism__waker_start(xenevtchn_handle *ce, uint16_t self, int xs_fd,
		     struct ism_waker **w_out)
{
	struct ism_waker *w = calloc(1, sizeof(*w));
	xenevtchn_port_or_error_t port;
	int rc;

	if (!w)
		return -ENOMEM;
	w->ce = ce;
	w->xs_fd = xs_fd;
	w->ctl_fd = -1;
	port = xenevtchn_bind_unbound_port(ce, self);
	if (port < 0)
		goto err_errno;
	w->port = (uint32_t)port;
	port = xenevtchn_bind_interdomain(ce, self, w->port);
	if (port < 0)
		goto err_errno;
	w->kick = (uint32_t)port;
	w->ctl_fd = eventfd(0, EFD_CLOEXEC);
	if (w->ctl_fd < 0)
		goto err_errno;
	rc = -pthread_create(&w->thread, NULL, waker_main, w);
	if (rc)
		goto err;
	*w_out = w;
	return 0;
err_errno:
	rc = errno > 0 ? -errno : -EIO;
err:
	if (w->ctl_fd >= 0)
		close(w->ctl_fd);
	if (w->kick)
		xenevtchn_unbind(ce, w->kick);
	if (w->port)
		xenevtchn_unbind(ce, w->port);
	free(w);
	return rc;
}

uint32_t ism__waker_port(const struct ism_waker *w)
{
	return w->port;
}

void ism__waker_rearm(struct ism_waker *w)
{
	uint64_t v = 1;

	/* A full counter means a re-arm is already there to be read. */
	(void)!write(w->ctl_fd, &v, sizeof(v));
}

void ism__waker_stop(struct ism_waker *w)
{
	uint64_t v = WAKER_STOP;

	if (!w)
		return;
	/* Never blocks: the counter is far from full. */
	(void)!write(w->ctl_fd, &v, sizeof(v));
	pthread_join(w->thread, NULL);
	close(w->ctl_fd);
	xenevtchn_unbind(w->ce, w->kick);
	xenevtchn_unbind(w->ce, w->port);
	free(w);
}
