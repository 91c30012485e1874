// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * share.c - what the workloads set up between the two guests: a xen-ism
 * region, a libxenvchan connection, the TCP connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libxenvchan.h>

#include "work.h"

/* How long the fast path may take to come up, and a TCP connect. */
#define BENCH_SETUP_MS 10000

int bench_skip_raw(struct bench *b, const char *name, const char *unit)
{
	return bench_result_skip(&b->res, name, unit, b->ctl.raw_why);
}

static int region_fast(struct bench *b, ism_region *r)
{
	struct ism_region_info ri;
	struct ism_event ev;
	uint64_t deadline = bench_now_ns() + BENCH_SETUP_MS * 1000000ull;
	int rc;

	/*
	 * The kernel frontend's owner offers the fast path once an update
	 * went through the backend: the peer sends one (the userspace path
	 * offers as its owner takes events, below).
	 */
	if (b->ctl.role == BENCH_DRIVER) {
		rc = ism_region_notify(r, ISM_NOTIFY_FORCE);
		if (rc < 0)
			return rc;
	}
	for (;;) {
		ism_region_info(r, &ri);
		if (ri.fast_path)
			return 0;
		if (bench_now_ns() > deadline)
			return -ETIMEDOUT;
		rc = ism_event_wait(b->dev, 100, &ev);
		if (rc && rc != -ETIMEDOUT)
			return rc;
	}
}

int bench_region_share(struct bench *b, uint64_t size, bool fast,
		       ism_region **r_out, void **addr_out)
{
	struct bench_ctl *c = &b->ctl;
	struct ism_region_info ri;
	ism_region *r = NULL;
	uint64_t token = 0;
	int rc, swap;

	fast = fast && b->info.fast_path;
	if (c->role == BENCH_SERVER) {
		rc = ism_region_alloc(b->dev, size, ISM_PERM_DEFAULT, &r);
		if (!rc)
			rc = ism_region_map(r, addr_out, NULL);
		if (!rc) {
			ism_region_info(r, &ri);
			token = ri.token;
		}
		/* A failed side still meets the barrier, with token 0. */
		swap = bench_ctl_swap(c, token, NULL);
		if (!rc)
			rc = swap;
	} else {
		rc = bench_ctl_swap(c, 0, &token);
		if (!rc && !token)
			rc = -ECONNABORTED;
		if (!rc)
			rc = ism_region_attach(b->dev, token, 0, &r);
		if (!rc)
			rc = ism_region_map(r, addr_out, NULL);
	}
	if (!rc && fast)
		rc = region_fast(b, r);
	if (!rc)
		rc = bench_ctl_barrier(c);
	if (rc && r)
		bench_region_unshare(b, r);
	else
		*r_out = r;
	return rc;
}

int bench_region_unshare(struct bench *b, ism_region *r)
{
	int rc, free_rc;

	/* The owner frees once the peer let go (free works before, too). */
	if (b->ctl.role == BENCH_DRIVER) {
		free_rc = ism_region_detach(r);
		rc = bench_ctl_barrier(&b->ctl);
	} else {
		rc = bench_ctl_barrier(&b->ctl);
		free_rc = ism_region_free(r);
	}
	return rc ? rc : free_rc;
}

int bench_region_wait(struct bench *b, ism_region *r, bool (*done)(void *ctx),
		      void *ctx)
{
	struct ism_event ev;
	int rc;

	for (;;) {
		if (done(ctx))
			return 0;
		rc = ism_region_want(r);
		if (rc)
			return rc;
		if (done(ctx))
			return 0;
		rc = ism_event_wait(b->dev, -1, &ev);
		if (rc)
			return rc;
		if (ev.type == ISM_EVENT_DEVICE_CLOSED)
			return ev.status ? ev.status : -ESHUTDOWN;
		if (ev.region == r && (ev.type == ISM_EVT_PEER_DETACHED ||
				       ev.type == ISM_EVT_PEER_GONE ||
				       ev.type == ISM_EVT_REGION_RELEASED))
			return -ECONNRESET;
	}
}

int bench_vchan_open(struct bench *b, size_t ring, struct libxenvchan **v)
{
	struct bench_ctl *c = &b->ctl;
	struct libxenvchan *x = NULL;
	uint64_t seq = 0;
	char path[64];
	int rc;

	/* libxenvchan keeps paths under 48 octets (a 64-octet buffer). */
	if (c->role == BENCH_DRIVER) {
		seq = ++b->vchan_seq;
		snprintf(path, sizeof(path),
			 "/local/domain/%u/" BENCH_XS_DIR "/v%u", c->self,
			 (unsigned int)seq);
		x = libxenvchan_server_init(NULL, c->peer, path, ring, ring);
		rc = bench_ctl_swap(c, x ? seq : 0, NULL);
		if (!x)
			rc = -EIO;
	} else {
		rc = bench_ctl_swap(c, 0, &seq);
		if (!rc && !seq)
			rc = -ECONNABORTED;
		snprintf(path, sizeof(path),
			 "/local/domain/%u/" BENCH_XS_DIR "/v%u", c->peer,
			 (unsigned int)seq);
		if (!rc)
			x = libxenvchan_client_init(NULL, c->peer, path);
		if (!rc && !x)
			rc = -EIO;
	}
	if (x)
		x->blocking = 1; /* the init calls leave it undefined */
	*v = x;
	return rc;
}

int bench_tcp_listen(struct bench *b)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(b->o->tcp_port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int one = 1, fd, rc;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	b->tcp_listen = fd;
	return 0;
}

static int tcp_connect(struct bench *b)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(b->o->tcp_port),
	};
	uint64_t deadline = bench_now_ns() + BENCH_SETUP_MS * 1000000ull;
	int fd, rc;

	if (inet_pton(AF_INET, b->o->tcp_addr, &a.sin_addr) != 1)
		return -EINVAL;
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		rc = -errno;
		close(fd);
		if (bench_now_ns() > deadline)
			return rc;
		usleep(100000);
	}
}

int bench_tcp_get(struct bench *b)
{
	struct pollfd p = { .fd = b->tcp_listen, .events = POLLIN };
	int one = 1, fd;

	if (b->tcp >= 0)
		return b->tcp;
	if (b->ctl.role == BENCH_DRIVER) {
		fd = tcp_connect(b);
	} else {
		if (b->tcp_listen < 0)
			return -ENOTCONN;
		if (poll(&p, 1, BENCH_SETUP_MS) <= 0)
			return -ETIMEDOUT;
		fd = accept4(b->tcp_listen, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	if (fd < 0)
		return fd;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	b->tcp = fd;
	return fd;
}

int bench_tcp_write(int fd, const void *p, size_t len)
{
	const char *s = p;
	ssize_t n;

	while (len) {
		n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int bench_tcp_read(int fd, void *p, size_t len)
{
	char *s = p;
	ssize_t n;

	while (len) {
		n = read(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}
