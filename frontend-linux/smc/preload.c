// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * preload.c - libism-smc.so, which ism-smc-run(1) preloads: an unmodified
 * program's TCP sockets become AF_SMC ones, which carry the connection
 * over SMC-D where both ends can and fall back to TCP by themselves where
 * they cannot.  Only socket() is wrapped: socket(AF_INET or AF_INET6,
 * SOCK_STREAM with any flags, 0 or IPPROTO_TCP) asks for socket(AF_SMC,
 * the same type, SMCPROTO_SMC or SMCPROTO_SMC6); where the kernel has no
 * AF_SMC (smc.ko missing) the program gets the TCP socket it asked for.
 * With ISM_SMC_DEBUG set, each choice is told on standard error.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AF_SMC
#define AF_SMC 43
#endif
/* AF_SMC's protocols (the kernel's net/smc/smc.h; no uapi header has them). */
#define ISM_SMCPROTO_SMC 0
#define ISM_SMCPROTO_SMC6 1

typedef int (*ism_socket_fn)(int domain, int type, int protocol);

static ism_socket_fn next_socket;
static int debug;

__attribute__((constructor)) static void ism_smc_init(void)
{
	next_socket = (ism_socket_fn)dlsym(RTLD_NEXT, "socket");
	debug = getenv("ISM_SMC_DEBUG") != NULL;
}

static int real_socket(int domain, int type, int protocol)
{
	if (next_socket)
		return next_socket(domain, type, protocol);
	return (int)syscall(SYS_socket, domain, type, protocol);
}

/* AF_SMC's protocol for a TCP socket of @domain, or -1: not one. */
static int ism_smc_protocol(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (base != SOCK_STREAM || (protocol && protocol != IPPROTO_TCP))
		return -1;
	if (domain == AF_INET)
		return ISM_SMCPROTO_SMC;
	if (domain == AF_INET6)
		return ISM_SMCPROTO_SMC6;
	return -1;
}

int socket(int domain, int type, int protocol)
{
	int proto = ism_smc_protocol(domain, type, protocol);
	int fd, err;

	if (proto < 0)
		return real_socket(domain, type, protocol);
	fd = real_socket(AF_SMC, type, proto);
	if (fd >= 0) {
		if (debug)
			fprintf(stderr, "ism-smc: TCP socket %d is AF_SMC\n",
				fd);
		return fd;
	}
	err = errno;
	fd = real_socket(domain, type, protocol);
	if (debug)
		fprintf(stderr,
			"ism-smc: TCP socket %d stays TCP: AF_SMC: %s\n", fd,
			strerror(err));
	return fd;
}
