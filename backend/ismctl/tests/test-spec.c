/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-spec.c - the device spec of `ismctl attach` and of xl's `ism = [ ]`:
 * good specs give the right fields, bad ones are refused with a message
 * that names the key or value at fault.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "ismctl.h"

TAP_MAIN;

struct good {
	const char *text;
	const char *backend;
	uint32_t devid;
};

struct bad {
	const char *text;
	const char *says; /* must appear in the message */
};

static const struct good goods[] = {
	{ "", "", 0 },
	{ "   ", "", 0 },
	{ "backend=0", "0", 0 },
	{ "devid=1", "", 1 },
	{ "devid=2147483647", "", 2147483647u },
	{ "backend=ismdd,devid=4097", "ismdd", 4097 },
	{ "devid=7, backend=Domain-0", "Domain-0", 7 },
	{ " backend=3 ,devid=12 ", "3", 12 },
};

static const struct bad bads[] = {
	{ "foo=1", "unknown key `foo'" },
	{ "max-regions=64", "unknown key `max-regions'" },
	{ "backend=0,region-size=4096", "unknown key `region-size'" },
	{ "Devid=1", "unknown key `Devid'" },
	{ "devid=0", "bad value `0' for devid" },
	{ "devid=2147483648", "bad value `2147483648' for devid" },
	{ "devid=99999999999", "bad value `99999999999' for devid" },
	{ "devid=-1", "bad value `-1' for devid" },
	{ "devid=+1", "bad value `+1' for devid" },
	{ "devid=012", "bad value `012' for devid" },
	{ "devid=0x10", "bad value `0x10' for devid" },
	{ "devid=", "bad value `' for devid" },
	{ "devid=1 2", "bad value `1 2' for devid" },
	{ "backend=", "bad value `' for backend" },
	{ "backend=a/b", "bad value `a/b' for backend" },
	{ "backend=a=b", "bad value `a=b' for backend" },
	{ "backend=0,backend=1", "key `backend' is given twice" },
	{ "devid=1,devid=1", "key `devid' is given twice" },
	{ "devid", "`devid' is not key=value" },
	{ "devid=1,,backend=0", "empty item" },
	{ "devid=1,", "empty item" },
	{ ",devid=1", "empty item" },
	{ "backend=01234567890123456789012345678901234567890123456789"
	  "01234567890123456789",
	  "bad value `0123456789" },
	{ "backend=01234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789",
	  "too long" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	struct ism_ctl_spec spec;
	char err[256];
	uint32_t devid;
	unsigned int i;
	int rc;

	tap_plan((int)(N(goods) + 2 * N(bads) + 7));

	for (i = 0; i < N(goods); i++) {
		memset(&spec, 0xa5, sizeof(spec));
		err[0] = '\0';
		rc = ism_ctl_spec_parse(goods[i].text, &spec, err, sizeof(err));
		if (!tap_ok(!rc && !strcmp(spec.backend, goods[i].backend) &&
				    spec.devid == goods[i].devid,
			    "good spec \"%s\"", goods[i].text))
			tap_diag("  rc %d, backend \"%s\", devid %u, err %s",
				 rc, rc ? "" : spec.backend,
				 rc ? 0 : spec.devid, err);
	}
	for (i = 0; i < N(bads); i++) {
		err[0] = '\0';
		rc = ism_ctl_spec_parse(bads[i].text, &spec, err, sizeof(err));
		tap_is_int(rc, -EINVAL, "bad spec \"%s\" is refused",
			   bads[i].text);
		if (!tap_ok(strstr(err, bads[i].says) != NULL,
			    "... saying \"%s\"", bads[i].says))
			tap_diag("  said \"%s\"", err);
	}

	/* A failed parse leaves the output alone. */
	strcpy(spec.backend, "keep");
	ism_ctl_spec_parse("devid=3,bogus=1", &spec, err, sizeof(err));
	tap_is_str(spec.backend, "keep", "a refused spec changes nothing");

	/* Devids on the command line. */
	tap_ok(!ism_ctl_devid_parse("4097", &devid) && devid == 4097,
	       "devid 4097 parses");
	tap_is_int(ism_ctl_devid_parse("0", &devid), -EINVAL,
		   "devid 0 is refused");
	tap_is_int(ism_ctl_devid_parse("x", &devid), -EINVAL,
		   "devid x is refused");
	tap_is_int(ism_ctl_devid_parse("", &devid), -EINVAL,
		   "an empty devid is refused");
	tap_is_int(ism_ctl_devid_parse(NULL, &devid), -EINVAL,
		   "no devid is refused");
	tap_is_int(ism_ctl_spec_parse(NULL, &spec, err, sizeof(err)), -EINVAL,
		   "no spec is refused");
	return tap_done();
}
