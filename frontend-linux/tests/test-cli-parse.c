/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-cli-parse.c - the ism command's parsers of sizes, tokens and
 * permission strings.
 */
#include <errno.h>

#include "tap.h"
#include "../cli/parse.h"
#include "xenism.h"

TAP_MAIN;

int main(void)
{
	uint64_t v = 0;
	uint32_t p = 0;

	tap_plan(14);
	tap_ok(!ism_cli_parse_size("1M", &v) && v == 1048576, "1M");
	tap_ok(!ism_cli_parse_size("64k", &v) && v == 65536, "64k");
	tap_ok(!ism_cli_parse_size("5000", &v) && v == 5000, "5000");
	tap_is_int(ism_cli_parse_size("0", &v), -EINVAL, "size 0 refused");
	tap_is_int(ism_cli_parse_size("1X", &v), -EINVAL, "bad unit refused");
	tap_is_int(ism_cli_parse_size("-1", &v), -EINVAL, "negative refused");
	tap_ok(!ism_cli_parse_token("8c1d2e3f4a5b6c7d", &v) &&
		       v == 0x8c1d2e3f4a5b6c7dull,
	       "token");
	tap_ok(!ism_cli_parse_token("0x10", &v) && v == 16, "0x token");
	tap_is_int(ism_cli_parse_token("0", &v), -EINVAL, "token 0 refused");
	tap_is_int(ism_cli_parse_token("18c1d2e3f4a5b6c7d", &v), -EINVAL,
		   "17 digits refused");
	tap_ok(!ism_cli_parse_perm("rwa", &p) &&
		       p == (ISM_PERM_READ | ISM_PERM_WRITE | ISM_PERM_ATTACH),
	       "rwa");
	tap_ok(!ism_cli_parse_perm("w", &p) &&
		       p == (ISM_PERM_READ | ISM_PERM_WRITE),
	       "w implies r");
	tap_ok(!ism_cli_parse_perm("0", &p) && !p, "0 is none");
	tap_is_int(ism_cli_parse_perm("rx", &p), -EINVAL,
		   "unknown letter refused");
	return tap_done();
}
