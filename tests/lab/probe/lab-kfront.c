// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-kfront - checks of /dev/xen-ism that ism(1) cannot make, for the
 * kfront-perms scenario.  Run as an unprivileged user in group xen-ism.
 *
 *   lab-kfront readonly TOKEN   attach TOKEN (granted READ only): the
 *                               rights lack WRITE, a writable mmap is
 *                               refused, a read-only one reads the data
 *                               and can neither be made writable nor be
 *                               written; a detach of a mapped region is
 *                               refused (EBUSY) and works after munmap.
 *   lab-kfront handles          another file cannot name this file's
 *                               region, and a bad request is refused.
 *
 * Prints one "ok - ..." / "not ok - ..." line per check; exits 1 if any
 * failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ismif.h"
#include "xen-ism-dev.h"
#include "lab-check.h"

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

static int dev_open(void)
{
	struct xen_ism_ioc_bind bind = { 0 };
	int fd = open(XEN_ISM_DEV_PATH, O_RDWR | O_CLOEXEC);

	check(fd >= 0, "open %s (%s)", XEN_ISM_DEV_PATH,
	      fd < 0 ? strerror(errno) : "done");
	if (fd < 0)
		return -1;
	check(ioctl(fd, XEN_ISM_IOC_BIND, &bind) == 0, "BIND device %u (%s)",
	      bind.devid, strerror(errno));
	return fd;
}

/* A write into @p: 1 if it faulted (SIGSEGV or SIGBUS), 0 if it went in. */
static int write_faults(volatile char *p)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_segv, old_bus;
	int faulted = 0;

	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(fault_jmp, 1) == 0)
		p[0] = 'X';
	else
		faulted = 1;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return faulted;
}

static int probe_readonly(const char *token_str)
{
	struct xen_ism_ioc_attach at = { 0 };
	struct xen_ism_ioc_handle h = { 0 };
	char *p = MAP_FAILED;
	char first;
	int fd, rc;

	fd = dev_open();
	if (fd < 0)
		return 1;
	at.token = strtoull(token_str, NULL, 16);
	rc = ioctl(fd, XEN_ISM_IOC_ATTACH, &at);
	check(rc == 0, "ATTACH the region granted READ only (%s)",
	      rc ? strerror(errno) : "done");
	if (rc)
		return 1;
	check(!(at.region.perm & ISM_PERM_WRITE) &&
		      (at.region.perm & ISM_PERM_READ),
	      "its rights are READ without WRITE (perm 0x%x)", at.region.perm);
	p = mmap(NULL, at.region.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)at.region.mmap_offset);
	check(p == MAP_FAILED && errno == EPERM,
	      "a writable mmap of it is refused with EPERM (%s)",
	      p == MAP_FAILED ? strerror(errno) : "it was mapped");
	if (p != MAP_FAILED)
		munmap(p, at.region.size);
	p = mmap(NULL, at.region.size, PROT_READ, MAP_SHARED, fd,
		 (off_t)at.region.mmap_offset);
	check(p != MAP_FAILED, "a read-only mmap of it works (%s)",
	      p == MAP_FAILED ? strerror(errno) : "done");
	if (p == MAP_FAILED)
		return 1;
	first = p[0];
	check(first == 'r', "it reads the owner's data (first octet 0x%02x)",
	      (unsigned char)first);
	rc = mprotect(p, at.region.size, PROT_READ | PROT_WRITE);
	check(rc == -1 && errno == EACCES,
	      "mprotect cannot make it writable (%s)",
	      rc ? strerror(errno) : "it did");
	check(write_faults(p), "a store into it faults");
	check(p[0] == first, "its data is unchanged");
	h.handle = at.region.handle;
	rc = ioctl(fd, XEN_ISM_IOC_DETACH, &h);
	check(rc == -1 && errno == EBUSY,
	      "DETACH while it is mapped is refused with EBUSY (%s)",
	      rc ? strerror(errno) : "it was detached");
	munmap(p, at.region.size);
	rc = ioctl(fd, XEN_ISM_IOC_DETACH, &h);
	check(rc == 0, "DETACH after munmap works (%s)",
	      rc ? strerror(errno) : "done");
	close(fd);
	return failures ? 1 : 0;
}

static int probe_handles(void)
{
	struct xen_ism_ioc_alloc al = { .size = 4096 };
	struct xen_ism_ioc_region ri = { 0 };
	struct xen_ism_ioc_handle h = { 0 };
	void *p;
	int fd1, fd2, rc;

	fd1 = dev_open();
	fd2 = dev_open();
	if (fd1 < 0 || fd2 < 0)
		return 1;
	rc = ioctl(fd1, XEN_ISM_IOC_ALLOC, &al);
	check(rc == 0 && al.region.handle != 0,
	      "ALLOC one page in the first file (%s)",
	      rc ? strerror(errno) : "done");
	if (rc)
		return 1;
	ri.handle = al.region.handle;
	rc = ioctl(fd2, XEN_ISM_IOC_REGION_INFO, &ri);
	check(rc == -1 && errno == ENOENT,
	      "the second file cannot name the first file's handle (%s)",
	      rc ? strerror(errno) : "it could");
	h.handle = al.region.handle;
	rc = ioctl(fd2, XEN_ISM_IOC_FREE, &h);
	check(rc == -1 && errno == ENOENT, "nor free it (%s)",
	      rc ? strerror(errno) : "it could");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd2,
		 (off_t)al.region.mmap_offset);
	check(p == MAP_FAILED, "nor map it (%s)",
	      p == MAP_FAILED ? strerror(errno) : "it could");
	if (p != MAP_FAILED)
		munmap(p, 4096);
	h.flags = 0x80;
	rc = ioctl(fd1, XEN_ISM_IOC_NOTIFY, &h);
	check(rc == -1 && errno == EINVAL,
	      "an unknown NOTIFY flag is EINVAL (%s)",
	      rc ? strerror(errno) : "it was taken");
	h.flags = 0;
	rc = ioctl(fd1, XEN_ISM_IOC_FREE, &h);
	check(rc == 0, "the first file frees it (%s)",
	      rc ? strerror(errno) : "done");
	close(fd2);
	close(fd1);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "readonly"))
		return probe_readonly(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "handles"))
		return probe_handles();
	fprintf(stderr, "usage: lab-kfront readonly TOKEN | handles\n");
	return 2;
}
