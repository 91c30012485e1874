// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-smcd - the SMC-D scenarios' program between two guests: an
 * ordinary TCP program (AF_INET stream sockets; run it through
 * ism-smc-run to get AF_SMC ones).
 *
 *   lab-smcd serve PORT SIZE CONNS
 *	Accept CONNS connections on PORT and read SIZE octets from each,
 *	every octet checked; one process per connection.
 *   lab-smcd serve-splice PORT SIZE CONNS
 *	The same, reading each connection with splice(2) into a pipe (SMC
 *	lends the pages of its receive buffer, the DMB, to the pipe).
 *   lab-smcd send HOST PORT SIZE CONNS
 *	Open CONNS connections to HOST:PORT at once and send SIZE octets on
 *	each, retrying the connect for a minute (until the server listens).
 *   lab-smcd drain PORT GO
 *	Accept one connection and read 1 MiB, print "# receiving", stop
 *	reading until the file GO exists (the sender blocks mid-stream
 *	meanwhile), then read until the connection ends.  The check: it
 *	ends with an error (the peer died), neither at its end of file nor
 *	by the two minutes' timeout.
 *   lab-smcd cut PORT SIZE
 *	Accept one connection and read until it ends; the check: it ends
 *	(with an error or at its end of file: SMC says either when a link
 *	group ends) before SIZE octets arrived, and not by the timeout.
 *
 * Each connection starts with its number (4 octets), which picks its
 * pattern.  Prints "ok - ..." / "not ok - ..." lines; exits 1 if any
 * check failed.  Every wait is bounded by the clock: two minutes.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab-check.h"

#ifndef AF_SMC
#define AF_SMC 43
#endif
#define WAIT_S 120
#define CHUNK (64u << 10)
#define MAX_CONNS 256

static unsigned char octet(unsigned int conn, unsigned long i)
{
	return (unsigned char)(i * 7 + i / 251 + conn * 13);
}

static int domain_of(int fd)
{
	int d = -1;
	socklen_t len = sizeof(d);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &len))
		return -1;
	return d;
}

static void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = WAIT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static bool use_splice;

/* Read from @s into @buf: directly, or by splice(2) through pipe @p. */
static ssize_t conn_read(int s, const int *p, unsigned char *buf, size_t len)
{
	ssize_t n, m, got = 0;

	if (!use_splice)
		return read(s, buf, len);
	n = splice(s, NULL, p[1], NULL, len, 0);
	while (n > 0 && got < n) {
		m = read(p[0], buf + got, (size_t)(n - got));
		if (m <= 0)
			return -1;
		got += m;
	}
	return n;
}

/* Child: read one connection; exit 0 if SIZE octets came intact. */
static int serve_one(int s, unsigned long size)
{
	static unsigned char buf[CHUNK];
	unsigned long got = 0, bad = 0, i;
	uint32_t conn;
	int p[2] = { -1, -1 };
	ssize_t n;

	timeouts(s);
	if (recv(s, &conn, sizeof(conn), MSG_WAITALL) != sizeof(conn))
		return 1;
	if (use_splice && pipe(p))
		return 1;
	while (got < size && (n = conn_read(s, p, buf, CHUNK)) > 0) {
		for (i = 0; i < (unsigned long)n; i++)
			bad += buf[i] != octet(conn, got + i);
		got += (unsigned long)n;
	}
	if (got != size || bad)
		fprintf(stderr,
			"lab-smcd: connection %u: %lu of %lu octets, %lu wrong\n",
			conn, got, size, bad);
	return got == size && !bad ? 0 : 1;
}

/* Child: one connection; exit 0 if SIZE octets were sent. */
static int send_one(const struct sockaddr_in *a, uint32_t conn,
		    unsigned long size)
{
	static unsigned char buf[CHUNK];
	time_t end = time(NULL) + WAIT_S / 2;
	unsigned long off = 0, i, len;
	int fd = -1;
	ssize_t n;

	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return 1;
		if (!connect(fd, (const struct sockaddr *)a, sizeof(*a)))
			break;
		close(fd);
		if (time(NULL) >= end)
			return 1;
		usleep(200000);
	}
	timeouts(fd);
	if (conn == 0)
		printf("# the first connection's socket has family %d (%s)\n",
		       domain_of(fd),
		       domain_of(fd) == AF_SMC ? "AF_SMC" : "not AF_SMC");
	if (write(fd, &conn, sizeof(conn)) != sizeof(conn))
		return 1;
	while (off < size) {
		len = size - off < CHUNK ? size - off : CHUNK;
		for (i = 0; i < len; i++)
			buf[i] = octet(conn, off + i);
		n = write(fd, buf, len);
		if (n <= 0)
			break;
		off += (unsigned long)n;
	}
	close(fd);
	return off == size ? 0 : 1;
}

/* Wait for @n children; return how many failed. */
static unsigned int reap(unsigned int n)
{
	unsigned int bad = 0;
	int st;

	while (n--)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	return bad;
}

static int serve(unsigned short port, unsigned long size, unsigned int conns)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	unsigned int i, started = 0, bad;
	struct pollfd p;
	int l, s, one = 1;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, MAX_CONNS)) {
		check(0, "listen on port %u: %s", port, strerror(errno));
		return 1;
	}
	printf("# the listener's socket has family %d\n", domain_of(l));
	fflush(stdout);
	p.fd = l;
	p.events = POLLIN;
	for (i = 0; i < conns; i++) {
		if (poll(&p, 1, WAIT_S * 1000) != 1)
			break;
		s = accept(l, NULL, NULL);
		if (s < 0)
			break;
		switch (fork()) {
		case 0:
			close(l);
			_exit(serve_one(s, size));
		case -1:
			close(s);
			goto out;
		}
		started++;
		close(s);
	}
out:
	bad = reap(started);
	check(started == conns, "%u of %u connections accepted", started,
	      conns);
	check(started == conns && !bad,
	      "%lu octets arrived intact on each of %u connections (%u bad)",
	      size, conns, bad);
	return failures ? 1 : 0;
}

static int send_all(const char *host, unsigned short port, unsigned long size,
		    unsigned int conns)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	unsigned int i, started = 0, bad;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "lab-smcd: bad address %s\n", host);
		return 2;
	}
	fflush(stdout);
	for (i = 0; i < conns; i++) {
		switch (fork()) {
		case 0:
			_exit(send_one(&a, i, size));
		case -1:
			goto out;
		}
		started++;
	}
out:
	bad = reap(started);
	check(started == conns && !bad,
	      "%lu octets sent on each of %u connections (%u failed)", size,
	      conns, bad + (conns - started));
	return failures ? 1 : 0;
}

/* drain, or with @go NULL cut short of @size (see the top). */
static int drain(unsigned short port, const char *go, unsigned long size)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	static unsigned char buf[CHUNK];
	unsigned long got = 0;
	time_t end;
	bool told = false;
	struct pollfd p;
	int l, s = -1, one = 1, err = 0;
	ssize_t n;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1)) {
		check(0, "listen on port %u: %s", port, strerror(errno));
		return 1;
	}
	p.fd = l;
	p.events = POLLIN;
	if (poll(&p, 1, WAIT_S * 1000) == 1)
		s = accept(l, NULL, NULL);
	check(s >= 0, "a connection is accepted");
	if (s < 0)
		return 1;
	timeouts(s);
	while ((n = read(s, buf, CHUNK)) > 0) {
		got += (unsigned long)n;
		if (go && !told && got >= (1u << 20)) {
			printf("# receiving\n");
			fflush(stdout);
			told = true;
			end = time(NULL) + WAIT_S;
			while (access(go, F_OK) && time(NULL) < end)
				usleep(100000);
		}
	}
	if (n < 0)
		err = errno;
	if (!go) {
		check(got < size &&
			      (!n || (err != EAGAIN && err != EWOULDBLOCK)),
		      "the connection ends after %lu of %lu octets, %s", got,
		      size, n < 0 ? strerror(err) : "at its end of file");
		return failures ? 1 : 0;
	}
	check(told, "1 MiB arrived before the end (%lu octets)", got);
	check(n < 0 && err != EAGAIN && err != EWOULDBLOCK,
	      "the connection ends with an error: %s",
	      n < 0 ? strerror(err) : "no, at its end of file");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long size;
	unsigned int conns;

	use_splice = argc == 5 && !strcmp(argv[1], "serve-splice");
	if (argc == 5 && (use_splice || !strcmp(argv[1], "serve"))) {
		size = strtoul(argv[3], NULL, 0);
		conns = (unsigned int)strtoul(argv[4], NULL, 0);
		if (conns && conns <= MAX_CONNS)
			return serve((unsigned short)atoi(argv[2]), size,
				     conns);
	} else if (argc == 4 && !strcmp(argv[1], "drain")) {
		return drain((unsigned short)atoi(argv[2]), argv[3], 0);
	} else if (argc == 4 && !strcmp(argv[1], "cut")) {
		return drain((unsigned short)atoi(argv[2]), NULL,
			     strtoul(argv[3], NULL, 0));
	} else if (argc == 6 && !strcmp(argv[1], "send")) {
		size = strtoul(argv[4], NULL, 0);
		conns = (unsigned int)strtoul(argv[5], NULL, 0);
		if (conns && conns <= MAX_CONNS)
			return send_all(argv[2], (unsigned short)atoi(argv[3]),
					size, conns);
	}
	fputs("usage: lab-smcd serve[-splice] PORT SIZE CONNS\n"
	      "       lab-smcd send HOST PORT SIZE CONNS\n"
	      "       lab-smcd drain PORT GO\n"
	      "       lab-smcd cut PORT SIZE\n",
	      stderr);
	return 2;
}
