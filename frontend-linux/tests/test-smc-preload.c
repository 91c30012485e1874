// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-smc-preload - ism-smc-run and libism-smc.so from the build tree on
 * this host's kernel.  The test runs itself ("child") through the wrapper
 * and checks what its sockets became: TCP ones AF_SMC where the kernel
 * has AF_SMC, else the TCP socket asked for; every other socket as asked;
 * a loopback connection carries its bytes either way.  A kernel without
 * AF_SMC (no smc.ko) says SKIP for the conversion itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

TAP_MAIN;

#ifndef AF_SMC
#define AF_SMC 43
#endif

static int domain_of(int fd)
{
	int d = -1;
	socklen_t len = sizeof(d);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &len))
		return -1;
	return d;
}

/* A loopback connection through two converted sockets: 0 if "hello" arrives. */
static int child_echo(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char buf[8] = "";
	int l, c = -1, s = -1, rc = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &len))
		goto out;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		goto out;
	s = accept(l, NULL, NULL);
	if (s < 0 || write(c, "hello", 5) != 5 ||
	    recv(s, buf, 5, MSG_WAITALL) != 5)
		goto out;
	rc = strcmp(buf, "hello") ? -1 : 0;
out:
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return rc;
}

/* Under the wrapper: report each socket's domain on stdout. */
static int child(void)
{
	const char *pre = getenv("LD_PRELOAD");
	int fd, raw, flags;

	printf("preload %s\n", pre ? pre : "");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	printf("tcp4 %d\n", domain_of(fd));
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_TCP);
	flags = fd >= 0 ? fcntl(fd, F_GETFL) : 0;
	printf("tcp6 %d %d %d\n", domain_of(fd), !!(flags & O_NONBLOCK),
	       fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
	printf("udp %d\n", domain_of(socket(AF_INET, SOCK_DGRAM, 0)));
	printf("unix %d\n", domain_of(socket(AF_UNIX, SOCK_STREAM, 0)));
	/* Another stream protocol (SCTP): left as the kernel answers it. */
	fd = socket(AF_INET, SOCK_STREAM, 132);
	raw = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM, 132);
	printf("sctp %d\n", domain_of(fd) == domain_of(raw));
	printf("echo %d\n", child_echo());
	fflush(stdout);
	return 0;
}

/* Run @argv with @lib as ISM_SMC_LIB; its output (both streams) in @out. */
static int run(const char *lib, char *const argv[], char *out, size_t size)
{
	size_t n = 0;
	ssize_t r;
	int p[2], st;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		setenv("ISM_SMC_LIB", lib, 1);
		setenv("ISM_SMC_DEBUG", "1", 1);
		/* A sanitizer build: its runtime cannot come first. */
		setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
		execv(ISM_SMC_TEST_RUN, argv);
		_exit(99);
	}
	close(p[1]);
	while (n + 1 < size && (r = read(p[0], out + n, size - n - 1)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int value(const char *out, const char *key, int i)
{
	const char *l = strstr(out, key);
	int v[3] = { -2, -2, -2 };

	if (!l || sscanf(l + strlen(key), " %d %d %d", &v[0], &v[1], &v[2]) < 1)
		return -2;
	return v[i];
}

int main(int argc, char **argv)
{
	static char out[8192];
	char self[4096], *args[4] = { "ism-smc-run", self, "child", NULL };
	int smc, tcp4, rc;
	ssize_t n;

	if (argc == 2 && !strcmp(argv[1], "child"))
		return child();
	tap_plan(13);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	rc = (int)syscall(SYS_socket, AF_SMC, SOCK_STREAM, 0);
	smc = rc >= 0;
	if (!smc)
		tap_diag(
			"this kernel has no AF_SMC (%s): TCP sockets must stay TCP",
			strerror(errno));
	rc = run(ISM_SMC_TEST_LIB, args, out, sizeof(out));
	tap_is_int(rc, 0, "ism-smc-run runs the program, which exits 0");
	tap_ok(!strncmp(strstr(out, "preload ") ? strstr(out, "preload ") + 8 :
						  "",
			ISM_SMC_TEST_LIB, strlen(ISM_SMC_TEST_LIB)),
	       "the program's LD_PRELOAD names the library first");
	tcp4 = value(out, "tcp4", 0);
	if (smc)
		tap_is_int(tcp4, AF_SMC,
			   "socket(AF_INET, SOCK_STREAM, 0) is AF_SMC");
	else
		tap_skip(1, "socket(AF_INET, SOCK_STREAM, 0) as AF_SMC: this "
			    "kernel has no AF_SMC (smc.ko)");
	tap_ok(tcp4 == (smc ? AF_SMC : AF_INET),
	       "it is a socket either way (%d): AF_SMC, else the TCP one asked for",
	       tcp4);
	tap_is_int(
		value(out, "tcp6", 0), smc ? AF_SMC : AF_INET6,
		"socket(AF_INET6, SOCK_STREAM|NONBLOCK|CLOEXEC, IPPROTO_TCP) "
		"likewise");
	tap_ok(value(out, "tcp6", 1) == 1 && value(out, "tcp6", 2) == 1,
	       "and keeps O_NONBLOCK and FD_CLOEXEC");
	tap_is_int(value(out, "udp", 0), AF_INET, "a UDP socket stays AF_INET");
	tap_is_int(value(out, "unix", 0), AF_UNIX, "an AF_UNIX stream stays");
	tap_is_int(
		value(out, "sctp", 0), 1,
		"another stream protocol (SCTP) is left as the kernel answers");
	tap_is_int(value(out, "echo", 0), 0,
		   "a loopback connection carries its bytes");
	tap_ok(strstr(out, smc ? "ism-smc: TCP socket" :
				 "stays TCP: AF_SMC: ") != NULL,
	       "ISM_SMC_DEBUG tells each choice on standard error");
	rc = run("/nonexistent/libism-smc.so", args, out, sizeof(out));
	tap_ok(rc == 127 &&
		       strstr(out, "ism-smc-run: /nonexistent/libism-smc.so: "),
	       "a missing library: exit 127, naming it (%d)", rc);
	args[1] = "/nonexistent/program";
	rc = run(ISM_SMC_TEST_LIB, args, out, sizeof(out));
	tap_ok(rc == 127 && strstr(out, "ism-smc-run: /nonexistent/program: "),
	       "a missing program: exit 127, naming it (%d)", rc);
	return tap_done();
}
