// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-compat32: the grant helper's ioctls from a 32-bit process, in dom0.
 *
 * Built with -m32 and freestanding (raw int $0x80 system calls, no C
 * library), so that neither its build nor the lab needs a 32-bit libc.
 * The helper's structures have one layout for 32-bit and 64-bit callers;
 * what differs is the user pointers in them (GRANT's and END's refs,
 * LIST's arrays) and KEEP's argument, 32-bit addresses that the module's
 * compat_ioctl must take as such.  Every ioctl runs once: INFO, ALLOC,
 * mmap, GRANT to dom0 itself, LIST, END, FREE, KEEP.  Prints "ok - ..." or
 * "not ok - ..." lines and exits 1 if one failed.
 */
#include <asm/unistd.h>
#include <linux/types.h>

#include "xen-ism-gnt.h"

#define PAGE 4096u
#define O_RDWR 2
#define PROT_RW 3 /* PROT_READ | PROT_WRITE */
#define MAP_SHARED 1
#define EOVERFLOW 75

/* The sizes a 64-bit caller sees: no padding that differs. */
_Static_assert(sizeof(struct xen_ism_gnt_held) == 16, "LIST's grant entry");
_Static_assert(sizeof(struct xen_ism_gnt_list) == 32, "LIST's request");

static int failures;

static long sys3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return r;
}

/* The compiler may call these for structure copies. */
void *memset(void *s, int c, unsigned int n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, unsigned int n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static void put(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	sys3(__NR_write, 1, (long)s, n);
}

static void check(int ok, const char *what)
{
	put(ok ? "ok - 32-bit caller: " : "not ok - 32-bit caller: ");
	put(what);
	put("\n");
	failures += !ok;
}

static long ioc(int fd, unsigned long cmd, void *arg)
{
	return sys3(__NR_ioctl, fd, (long)cmd, (long)arg);
}

/* old_mmap: its six arguments in memory (offset in octets). */
static void *map(int fd, __u64 index)
{
	unsigned long args[6] = {
		0,	    2 * PAGE,	       PROT_RW,
		MAP_SHARED, (unsigned long)fd, (unsigned long)(index * PAGE)
	};
	long r = sys3(__NR_mmap, (long)args, 0, 0);

	return r < 0 && r > -4096 ? (void *)0 : (void *)r;
}

/*
 * LIST of the 2 pages from @index and their grants @refs to dom0, into
 * 32-bit arrays; then with room for 1 page and 1 grant: EOVERFLOW, the
 * first of each and the totals.
 */
static void list(int fd, __u64 index, const __u32 *refs)
{
	struct xen_ism_gnt_held held[4];
	struct xen_ism_gnt_list req = { .pages_cap = 4, .grants_cap = 4 };
	__u32 lo = refs[0] < refs[1] ? 0 : 1;
	__u64 pages[4];
	int ok;

	memset(held, 0xff, sizeof(held));
	req.pages = (__u64)(unsigned long)pages;
	req.grants = (__u64)(unsigned long)held;
	ok = !ioc(fd, XEN_ISM_GNT_IOC_LIST, &req) && req.nr_pages == 2 &&
	     req.nr_grants == 2 && pages[0] == index && pages[1] == index + 1 &&
	     held[0].ref == refs[lo] && held[0].index == index + lo &&
	     held[1].ref == refs[!lo] && held[1].index == index + !lo &&
	     !held[0].domid && !held[1].domid && !held[0].flags &&
	     !held[1].flags;
	check(ok, "LIST writes the pages and grants through 32-bit pointers");
	memset(held, 0xff, sizeof(held));
	memset(pages, 0xff, sizeof(pages));
	req.pages_cap = 1;
	req.grants_cap = 1;
	ok = ioc(fd, XEN_ISM_GNT_IOC_LIST, &req) == -EOVERFLOW &&
	     req.nr_pages == 2 && req.nr_grants == 2 && pages[0] == index &&
	     pages[1] == ~0ull && held[0].ref == refs[lo] && held[1].ref == ~0u;
	check(ok, "LIST with room for 1 of each: EOVERFLOW, the first, the "
		  "totals");
}

static int run(void)
{
	struct xen_ism_gnt_info info = { 0 };
	struct xen_ism_gnt_alloc alloc = { .count = 2 };
	struct xen_ism_gnt_ref ends[2];
	struct xen_ism_gnt_end end = { .count = 2 };
	struct xen_ism_gnt_free fr = { .count = 2 };
	struct xen_ism_gnt_grant gr = { .count = 2 };
	__u32 refs[2] = { 0, 0 }, on = 1;
	unsigned char *p;
	unsigned int i;
	int fd, ok;

	fd = (int)sys3(__NR_open, (long)XEN_ISM_GNT_DEVICE, O_RDWR, 0);
	check(fd >= 0, "open the grant helper");
	if (fd < 0)
		return 1;
	check(!ioc(fd, XEN_ISM_GNT_IOC_INFO, &info) && info.table_grants &&
		      info.max_pages && !info.pages,
	      "INFO");
	check(!ioc(fd, XEN_ISM_GNT_IOC_ALLOC, &alloc), "ALLOC of 2 pages");
	p = map(fd, alloc.index);
	ok = p != (void *)0;
	for (i = 0; ok && i < 2 * PAGE; i++)
		p[i] = (unsigned char)(i * 7u + 3u);
	for (i = 0; ok && i < 2 * PAGE; i++)
		ok = p[i] == (unsigned char)(i * 7u + 3u);
	check(ok, "mmap of the pages, written and read back");
	if (p)
		sys3(__NR_munmap, (long)p, 2 * PAGE, 0);

	gr.index = alloc.index;
	gr.refs = (__u64)(unsigned long)refs;
	check(!ioc(fd, XEN_ISM_GNT_IOC_GRANT, &gr) && refs[0] && refs[1] &&
		      refs[0] != refs[1] &&
		      !ioc(fd, XEN_ISM_GNT_IOC_INFO, &info) && info.grants == 2,
	      "GRANT writes 2 refs through a 32-bit pointer");
	list(fd, alloc.index, refs);
	for (i = 0; i < 2; i++)
		ends[i] =
			(struct xen_ism_gnt_ref){ .ref = refs[i], .status = 1 };
	end.refs = (__u64)(unsigned long)ends;
	check(!ioc(fd, XEN_ISM_GNT_IOC_END, &end) && !ends[0].status &&
		      !ends[1].status &&
		      !ioc(fd, XEN_ISM_GNT_IOC_INFO, &info) && !info.grants,
	      "END reads the refs and writes their status");
	fr.index = alloc.index;
	check(!ioc(fd, XEN_ISM_GNT_IOC_FREE, &fr) &&
		      !ioc(fd, XEN_ISM_GNT_IOC_INFO, &info) && !info.pages,
	      "FREE");
	check(!ioc(fd, XEN_ISM_GNT_IOC_KEEP, &on) &&
		      !ioc(fd, XEN_ISM_GNT_IOC_INFO, &info) &&
		      (info.flags & XEN_ISM_GNT_INFO_KEEP),
	      "KEEP reads its argument");
	on = 0;
	check(!ioc(fd, XEN_ISM_GNT_IOC_KEEP, &on) &&
		      !ioc(fd, XEN_ISM_GNT_IOC_INFO, &info) && !info.flags,
	      "KEEP 0 undoes it");
	sys3(__NR_close, fd, 0, 0);
	return failures ? 1 : 0;
}

__attribute__((noreturn)) void _start(void)
{
	sys3(__NR_exit_group, run(), 0, 0);
	for (;;)
		;
}
