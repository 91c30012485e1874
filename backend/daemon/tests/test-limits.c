// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The limits xen-ismd serves with: the grant pool from the grant table,
 * the helper and --max-grants; the most one domain may hold.
 */
#include <errno.h>
#include <string.h>

#include "limits.h"
#include "tap.h"

TAP_MAIN;

static char warn[512];

/* @opts parsed from one option (NULL: none), then the limits. */
static void set(const char *opt, uint32_t table, uint32_t helper,
		struct ism_backend_limits *l)
{
	char *argv[] = { "xen-ismd", (char *)opt, NULL };
	struct ismd_options o;

	if (ismd_options_parse(opt ? 2 : 1, argv, &o, warn, sizeof(warn)))
		tap_diag("bad option %s: %s", opt, warn);
	ism_backend_limits_default(l);
	ismd_limits_set(&o, table, helper, l, warn, sizeof(warn));
}

int main(void)
{
	struct ism_backend_limits l;

	tap_plan(12);
	set(NULL, 32768, 32768, &l);
	tap_is_int(l.max_grants, 31744,
		   "Xen's default table of 32768: a pool of 31744");
	tap_is_int(l.max_domain_grants, 16384 + 2 * 256 + 2,
		   "... one domain at most what 64 MiB and 256 slots need");
	tap_is_str(warn, "", "... no warning");

	set(NULL, 4 * 32768, 32768, &l);
	tap_is_int(l.max_grants, 32768,
		   "a table raised to 131072: the helper's max_grants bounds");
	set(NULL, 4 * 32768, 200000, &l);
	tap_is_int(l.max_grants, 4 * 32768 - 1024,
		   "... and the table when the helper allows more");
	set(NULL, 4096, 32768, &l);
	tap_is_int(l.max_grants, 4096 - 512,
		   "a small driver domain's table: an eighth left to others");
	set(NULL, 0, 0, &l);
	tap_is_int(l.max_grants, 31744,
		   "a table nobody can read: Xen's default assumed");

	set("--max-grants=1000", 32768, 32768, &l);
	tap_ok(l.max_grants == 1000 && !warn[0],
	       "--max-grants under the table: taken, no warning");
	set("--max-grants=40000", 32768, 32768, &l);
	tap_ok(l.max_grants == 40000 &&
		       strstr(warn, "more than the 31744 grants") &&
		       strstr(warn, "gnttab_max_frames"),
	       "--max-grants beyond the table: taken, with a warning "
	       "naming gnttab_max_frames");
	set("--max-domain-grants=500", 32768, 32768, &l);
	tap_is_int(l.max_domain_grants, 500, "--max-domain-grants");
	set("--max-bytes=1M", 32768, 32768, &l);
	tap_is_int(l.max_domain_grants, 256 + 2 * 256 + 2,
		   "... follows --max-bytes when not given");
	tap_is_int(ismd_options_parse(
			   2, (char *[]){ "x", "--max-grants=0", NULL },
			   &(struct ismd_options){}, warn, sizeof(warn)),
		   -EINVAL, "--max-grants=0 is refused");
	return tap_done();
}
