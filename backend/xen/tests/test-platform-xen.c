/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-platform-xen.c - what of the real platform can be checked without
 * Xen: the ops table, argument checks, -ENODEV for parts not opened,
 * random(), and that opening a part whose device is absent fails cleanly
 * with -ENOENT and names the part.  Where the host has the device (it runs
 * Xen), that check is skipped with the reason: the lab covers it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "tap.h"
#include "platform-xen.h"

TAP_MAIN;

static const struct ism_platform_ops *ops = &ism_platform_xen_ops;

/* What the libraries reported through the log function. */
static unsigned int lib_lines;
static int lib_level;
static char lib_line[256];

static void lib_log(void *arg, int level, const char *msg)
{
	(void)arg;
	lib_lines++;
	lib_level = level;
	snprintf(lib_line, sizeof(lib_line), "%s", msg);
}

/* Open only @parts, with @device for the grant helper. */
static int open_parts(unsigned int parts, const char *device,
		      unsigned int *failed, struct ism_platform **p)
{
	struct ism_platform_xen_config cfg = {
		.parts = parts,
		.gnt_device = device,
		.failed_part_out = failed,
		.log = lib_log,
	};

	return ism_platform_xen_open(&cfg, p);
}

/* An absent device: the part fails with -ENOENT and is named. */
static void check_absent(unsigned int part, const char *dev, const char *what)
{
	struct ism_platform *p = NULL;
	unsigned int failed = 99;
	char why[160];
	int rc;

	if (dev && !access(dev, F_OK)) {
		snprintf(why, sizeof(why),
			 "%s exists: this host runs Xen (the lab tests it)",
			 dev);
		tap_skip(2, why);
		return;
	}
	rc = open_parts(part, NULL, &failed, &p);
	tap_is_int(rc, -ENOENT, "%s absent: open fails with -ENOENT", what);
	tap_is_int(failed, part, "%s absent: the failed part is named", what);
	if (!rc)
		ism_platform_xen_close(p);
}

int main(void)
{
	unsigned char a[256], b[256], zero[256] = { 0 };
	struct ism_platform *p = NULL;
	struct ism_domain_info info;
	unsigned int failed = 99;
	char dir[] = "/tmp/ism-plat-XXXXXX", absent[64];
	void *addr;
	uint32_t u32;
	int st;
	uint16_t domid;
	char *val;
	size_t len;
	int rc;

	tap_plan(39);

	tap_ok(ism_platform_ops_is_complete(ops), "the ops table is complete");

	/* Arguments of open. */
	tap_is_int(ism_platform_xen_open(NULL, NULL), -EINVAL,
		   "open without p_out is refused");
	tap_is_int(open_parts(0, NULL, &failed, &p), -EINVAL,
		   "open of no part is refused");
	tap_is_int(failed, 0, "a bad argument names no part");
	tap_is_int(open_parts(0x40, NULL, NULL, &p), -EINVAL,
		   "an unknown part is refused");

	/* The grant helper: absent, and a device that is not it. */
	if (!mkdtemp(dir)) {
		tap_diag("mkdtemp: %s", strerror(errno));
		return 1;
	}
	snprintf(absent, sizeof(absent), "%s/ism-gnt", dir);
	failed = 99;
	tap_is_int(open_parts(ISM_PLATFORM_XEN_PAGES, absent, &failed, &p),
		   -ENOENT, "grant helper absent: -ENOENT");
	tap_is_int(failed, ISM_PLATFORM_XEN_PAGES,
		   "grant helper absent: the failed part is named");
	failed = 99;
	tap_is_int(open_parts(ISM_PLATFORM_XEN_PAGES, "/dev/null", &failed, &p),
		   -ENOTTY, "/dev/null is not the grant helper: -ENOTTY");
	tap_is_int(failed, ISM_PLATFORM_XEN_PAGES,
		   "not the grant helper: the failed part is named");
	rmdir(dir);

	/*
	 * Xenstore: libxenstore tries $XENSTORED_PATH for both the socket
	 * and the device, so pointing it at nothing checks the failure on
	 * any host.
	 */
	setenv("XENSTORED_PATH", absent, 1);
	failed = 99;
	rc = open_parts(ISM_PLATFORM_XEN_XENSTORE | ISM_PLATFORM_XEN_CTRL, NULL,
			&failed, &p);
	tap_is_int(rc, -ENOENT, "xenstore absent: open fails with -ENOENT");
	tap_is_int(failed, ISM_PLATFORM_XEN_XENSTORE,
		   "xenstore absent: the failed part is named");
	unsetenv("XENSTORED_PATH");

	check_absent(ISM_PLATFORM_XEN_GNTTAB, "/dev/xen/gntdev",
		     "/dev/xen/gntdev");
	check_absent(ISM_PLATFORM_XEN_EVTCHN, "/dev/xen/evtchn",
		     "/dev/xen/evtchn");

	/* Control alone always opens: it is optional. */
	p = NULL;
	rc = open_parts(ISM_PLATFORM_XEN_CTRL, NULL, NULL, &p);
	tap_is_int(rc, 0, "the control part alone opens, privcmd or not");
	if (rc)
		return tap_done();
	if (access("/dev/xen/privcmd", F_OK) &&
	    access("/proc/xen/privcmd", F_OK)) {
		tap_is_int(ism_platform_xen_parts(p), 0,
			   "no privcmd: the control part is not open");
		tap_is_int(
			ops->domain_info(p, 1, &info), -EPERM,
			"no privcmd: domain_info says -EPERM (use xenstore)");
		tap_ok(lib_lines > 0 && lib_level == LOG_ERR && *lib_line,
		       "libxenctrl's error reached the log function: \"%s\"",
		       lib_line);
	} else {
		tap_skip(3, "privcmd exists: this host runs Xen (the lab "
			    "tests domain_info)");
	}
	tap_is_int(ops->domain_info(p, 1, NULL), -EINVAL,
		   "domain_info without info_out is refused");

	/* Ops of parts that are not open. */
	tap_is_int(ops->local_domid(p, &domid), -ENODEV,
		   "local_domid without xenstore: -ENODEV");
	tap_is_int(ops->xs_read(p, ISM_XS_NO_TX, "domid", &val, &len), -ENODEV,
		   "xs_read without xenstore: -ENODEV");
	tap_is_int(ops->xs_fd(p), -ENODEV, "xs_fd without xenstore: -ENODEV");
	tap_is_int(ops->pages_alloc(p, 1, &u32, &addr), -ENODEV,
		   "pages_alloc without the helper: -ENODEV");
	tap_is_int(ops->pages_grant(p, 1, 0, 1, 1, false, &u32), -ENODEV,
		   "pages_grant without the helper: -ENODEV");
	u32 = 8;
	tap_is_int(ops->pages_end_grants(p, &u32, 1, &st), -ENODEV,
		   "pages_end_grants without the helper: -ENODEV");
	tap_is_int(ops->gnt_map(p, 1, 8, &addr), -ENODEV,
		   "gnt_map without gnttab: -ENODEV");
	tap_is_int(ops->evtchn_fd(p), -ENODEV,
		   "evtchn_fd without evtchn: -ENODEV");
	tap_is_int(ops->evtchn_pending(p, &u32), -ENODEV,
		   "evtchn_pending without evtchn: -ENODEV");

	/* Random. */
	tap_is_int(ops->random(p, a, 257), -EINVAL, "random over 256: -EINVAL");
	tap_is_int(ops->random(p, NULL, 1), -EINVAL,
		   "random into NULL: -EINVAL");
	tap_is_int(ops->random(p, NULL, 0), 0, "random of nothing: 0");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	tap_ok(!ops->random(p, a, sizeof(a)) && !ops->random(p, b, sizeof(b)),
	       "random of 256 bytes twice");
	tap_ok(memcmp(a, zero, sizeof(a)) && memcmp(a, b, sizeof(a)),
	       "random bytes are not zero and differ between calls");
	ism_platform_xen_close(p);

	/* No platform at all. */
	tap_is_int(ops->random(NULL, a, 8), -EINVAL, "random(NULL): -EINVAL");
	tap_is_int(ops->xs_rm(NULL, ISM_XS_NO_TX, "x"), -EINVAL,
		   "xs_rm(NULL): -EINVAL");
	tap_is_int(ops->domain_info(NULL, 0, &info), -EINVAL,
		   "domain_info(NULL): -EINVAL");
	ism_platform_xen_close(NULL);

	tap_is_str(ism_platform_xen_part_name(ISM_PLATFORM_XEN_PAGES),
		   "grant helper", "parts have names");
	tap_ok(!ism_platform_xen_part_name(ISM_PLATFORM_XEN_ALL),
	       "a set of parts has no name");
	return tap_done();
}
