/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-xlcfg.c - `ismctl apply` reads xl domain configuration files with
 * libxlutil: the sample files under backend/ismctl/tests/ give the
 * expected name and specs, or are refused with a message naming the file
 * and the entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ismctl.h"

TAP_MAIN;

static char path[512];
static FILE *report;

static const char *sample(const char *name)
{
	const char *src = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/backend/ismctl/tests/%s",
		 src ? src : ".", name);
	return path;
}

/* A file that must be refused with a message holding @says. */
static void check_bad(const char *name, const char *says)
{
	struct ism_ctl_spec *specs = NULL;
	unsigned int num = 0;
	char *dname = NULL, err[512] = "";
	int rc;

	rc = ism_ctl_xlcfg_read(sample(name), NULL, report, &dname, &specs,
				&num, err, sizeof(err));
	tap_is_int(rc, -EINVAL, "%s is refused", name);
	if (!tap_ok(strstr(err, says) && strstr(err, name),
		    "... naming the file and saying \"%s\"", says))
		tap_diag("  said \"%s\"", err);
	if (!rc) {
		free(specs);
		free(dname);
	}
}

int main(void)
{
	struct ism_ctl_spec *specs = NULL;
	unsigned int num = 99;
	char *name = NULL, err[512] = "";
	int rc;

	tap_plan(26);
	/* libxlutil's own syntax messages go here, not into the TAP. */
	report = tmpfile();
	if (!report)
		report = stderr;

	rc = ism_ctl_xlcfg_read(sample("good-two.cfg"), NULL, report, &name,
				&specs, &num, err, sizeof(err));
	tap_is_int(rc, 0, "good-two.cfg is read");
	if (rc)
		tap_diag("  %s", err);
	tap_is_str(name, "vm1", "... its name is vm1");
	tap_is_int(num, 2, "... it has two ism entries");
	tap_ok(num == 2 && !specs[0].backend[0] && !specs[0].devid,
	       "... the first has every default");
	tap_ok(num == 2 && !strcmp(specs[1].backend, "0") &&
		       specs[1].devid == 4097,
	       "... the second says backend 0, devid 4097");
	free(specs);
	free(name);

	specs = NULL;
	name = NULL;
	rc = ism_ctl_xlcfg_read(sample("good-driver-domain.cfg"), NULL, report,
				&name, &specs, &num, err, sizeof(err));
	tap_is_int(rc, 0, "good-driver-domain.cfg is read");
	tap_ok(!rc && num == 1 && !strcmp(specs[0].backend, "ismdd") &&
		       specs[0].devid == 12,
	       "... backend ismdd, devid 12");
	tap_is_str(name, "vm2", "... its name is vm2");
	free(specs);
	free(name);

	specs = (struct ism_ctl_spec *)&num; /* must be replaced */
	name = err;
	rc = ism_ctl_xlcfg_read(sample("good-none.cfg"), NULL, report, &name,
				&specs, &num, err, sizeof(err));
	tap_is_int(rc, 0, "good-none.cfg is read");
	tap_ok(!rc && !num && !specs, "... it has no ism entry");
	tap_ok(!name, "... and no name");

	/* xl create's KEY=VALUE settings come after the file and win. */
	specs = NULL;
	name = NULL;
	rc = ism_ctl_xlcfg_read(sample("good-two.cfg"),
				"name=\"vm9\"\nism=[\"devid=9\"]", report,
				&name, &specs, &num, err, sizeof(err));
	tap_is_int(rc, 0, "good-two.cfg with two settings after it is read");
	tap_ok(!rc && !strcmp(name, "vm9") && num == 1 && specs[0].devid == 9,
	       "... the settings replace its name and its ism list");
	free(specs);
	free(name);
	specs = NULL;
	name = NULL;
	rc = ism_ctl_xlcfg_read(sample("good-two.cfg"), "ism=[", report, &name,
				&specs, &num, err, sizeof(err));
	tap_ok(rc == -EINVAL && strstr(err, "syntax error"),
	       "a setting that is not xl syntax is a syntax error");

	check_bad("bad-key.cfg", "ism entry 2: unknown key `max-regions'");
	check_bad("bad-devid.cfg", "ism entry 1: bad value `0' for devid");
	check_bad("bad-not-list.cfg", "`ism' is not a list");
	check_bad("bad-nested.cfg", "ism entry 2 is not a string");
	check_bad("bad-syntax.cfg", "syntax error");
	check_bad("no-such-file.cfg", "No such file or directory");
	if (report != stderr)
		fclose(report);
	return tap_done();
}
