// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-smc - the smc-preload scenario's program: an ordinary TCP program
 * (it asks for AF_INET stream sockets) that says what its sockets are.
 *
 *   lab-smc smc|tcp
 *	A TCP socket's family (SO_DOMAIN) is AF_SMC, or AF_INET; then
 *	64 KiB cross a loopback connection between two such sockets, every
 *	octet checked.  (An AF_SMC listener's accepted socket that fell
 *	back to TCP reports AF_INET on 6.1: only printed.)
 *
 * Prints one "ok - ..." / "not ok - ..." line per check; exits 1 if any
 * failed.  Waits are bounded by the clock (a minute each); the child is
 * killed if it is still there.
 */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab-check.h"

#ifndef AF_SMC
#define AF_SMC 43
#endif
#define LEN (64u << 10)
#define WAIT_MS 60000

static unsigned char octet(unsigned int i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static int domain_of(int fd)
{
	int d = -1;
	socklen_t len = sizeof(d);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &len))
		return -1;
	return d;
}

/* The connecting side, in a child: send LEN octets; exit status 0 if sent. */
static int send_all(const struct sockaddr_in *a)
{
	static unsigned char buf[LEN];
	unsigned int i, off = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	for (i = 0; i < LEN; i++)
		buf[i] = octet(i);
	if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a)))
		return 1;
	while (off < LEN && (n = write(fd, buf + off, LEN - off)) > 0)
		off += (unsigned int)n;
	close(fd);
	return off == LEN ? 0 : 1;
}

int main(int argc, char **argv)
{
	static unsigned char buf[LEN];
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
	struct pollfd p;
	socklen_t alen = sizeof(a);
	unsigned int got = 0, bad = 0, i;
	int want, l, s, st = -1;
	ssize_t n;
	pid_t pid;

	if (argc != 2 || (strcmp(argv[1], "smc") && strcmp(argv[1], "tcp"))) {
		fputs("usage: lab-smc smc|tcp\n", stderr);
		return 2;
	}
	want = strcmp(argv[1], "smc") ? AF_INET : AF_SMC;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	check(l >= 0 && domain_of(l) == want,
	      "socket(AF_INET, SOCK_STREAM, 0) is %s (family %d)",
	      want == AF_SMC ? "AF_SMC" : "AF_INET",
	      l >= 0 ? domain_of(l) : -1);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &alen)) {
		check(0, "listen on 127.0.0.1");
		return failures ? 1 : 0;
	}
	p.fd = l;
	p.events = POLLIN;
	pid = fork();
	if (pid == 0)
		_exit(send_all(&a));
	/* Every wait bounded by the clock: a child that failed sends nothing. */
	s = poll(&p, 1, WAIT_MS) == 1 ? accept(l, NULL, NULL) : -1;
	if (s >= 0)
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (s >= 0 && got < LEN && (n = read(s, buf + got, LEN - got)) > 0)
		got += (unsigned int)n;
	for (i = 0; i < got; i++)
		bad += buf[i] != octet(i);
	if (pid > 0) {
		if (s < 0)
			kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	check(s >= 0,
	      "the listener accepts the connection (its socket's family %d)",
	      s >= 0 ? domain_of(s) : -1);
	check(got == LEN && !bad && pid > 0 && WIFEXITED(st) &&
		      !WEXITSTATUS(st),
	      "64 KiB cross a loopback connection, every octet checked (%u arrived, %u wrong)",
	      got, bad);
	return failures ? 1 : 0;
}
