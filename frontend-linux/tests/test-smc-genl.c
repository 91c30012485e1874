// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-smc-genl - ism-smc's netlink attribute walker on made-up answers
 * (well formed, nested, padded, overrunning, too short), and ism-smc's
 * argument checks, which refuse before any netlink is spoken.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <linux/netlink.h>

#include "genl.h"
#include "tap.h"

TAP_MAIN;

/* Append an attribute of @len octets to @buf at *@off; return it. */
static struct nlattr *put(char *buf, size_t *off, uint16_t type,
			  const void *val, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(buf + *off);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (val)
		memcpy(buf + *off + NLA_HDRLEN, val, len);
	*off += NLA_ALIGN(a->nla_len);
	return a;
}

static void test_parse(void)
{
	const struct nlattr *tb[5];
	const struct nlattr *in[3];
	uint64_t v64 = 0x1122334455667788ull, got64;
	uint32_t v32 = 7;
	char buf[256] = { 0 };
	struct nlattr *nest;
	size_t off = 0, start;
	uint8_t odd[3] = { 1, 2, 3 };

	put(buf, &off, 1, &v32, sizeof(v32));
	put(buf, &off, 2, odd, sizeof(odd)); /* padded to 4 */
	nest = put(buf, &off, 3, NULL, 0);
	start = off;
	put(buf, &off, 1, &v64, sizeof(v64));
	nest->nla_len = NLA_HDRLEN + (uint16_t)(off - start);
	put(buf, &off, 9, &v32, sizeof(v32)); /* beyond max: skipped */
	put(buf, &off, 4, &v32, sizeof(v32));

	tap_is_int(ism_genl_parse((struct nlattr *)buf, off, tb, 4), 0,
		   "well-formed attributes parse");
	tap_ok(tb[1] && ism_genl_len(tb[1]) == 4 &&
		       *(const uint32_t *)ism_genl_data(tb[1]) == 7,
	       "a u32 attribute is found with its value");
	tap_ok(tb[2] && ism_genl_len(tb[2]) == 3 &&
		       !memcmp(ism_genl_data(tb[2]), odd, 3),
	       "a 3-octet attribute keeps its length; the next one is found after its padding");
	tap_ok(tb[4] != NULL && !tb[0],
	       "a type above max is skipped, the ones after it are found");
	tap_is_int(ism_genl_parse(ism_genl_data(tb[3]), ism_genl_len(tb[3]), in,
				  2),
		   0, "a nested attribute's contents parse");
	got64 = 0;
	if (in[1])
		memcpy(&got64, ism_genl_data(in[1]), sizeof(got64));
	tap_ok(got64 == v64, "the nested u64 has its value");
	tap_ok(ism_genl_nest((struct nlattr *)buf, off, 3, in, 2) == 1 &&
		       in[1] && ism_genl_len(in[1]) == 8,
	       "ism_genl_nest finds a top-level attribute's nested ones");
	tap_is_int(ism_genl_nest((struct nlattr *)buf, off, 5, in, 2), 0,
		   "and says 0 for a type the message does not have");

	/* An attribute longer than what is left. */
	memset(buf, 0, sizeof(buf));
	off = 0;
	put(buf, &off, 1, &v32, sizeof(v32));
	tap_is_int(ism_genl_parse((struct nlattr *)buf, off - 1, tb, 4),
		   -EBADMSG, "an attribute overrunning the buffer is refused");
	((struct nlattr *)buf)->nla_len = 2;
	tap_is_int(ism_genl_parse((struct nlattr *)buf, off, tb, 4), -EBADMSG,
		   "an attribute shorter than its header is refused");
	tap_is_int(ism_genl_parse((struct nlattr *)buf, 2, tb, 4), 0,
		   "a tail shorter than a header is ignored");
	tap_ok(!tb[1], "and yields no attribute");
}

/* Run ism-smc with @args; its exit status, or -1. */
static int ism_smc(const char *args)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", ISM_SMC_TEST_BIN,
		 args);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_args(void)
{
	tap_is_int(ism_smc(""), 2, "ism-smc without a command: usage, 2");
	tap_is_int(ism_smc("--help"), 0, "ism-smc --help: 0");
	tap_is_int(ism_smc("frobnicate"), 2, "an unknown command: 2");
	tap_is_int(ism_smc("setup --ueid lower-case"), 2,
		   "a UEID in lower case is refused: 2");
	tap_is_int(ism_smc("setup --ueid -DASH"), 2,
		   "a UEID starting with '-' is refused: 2");
	tap_is_int(ism_smc("setup --ueid ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"), 2,
		   "a UEID of 33 characters is refused: 2");
	tap_is_int(ism_smc("setup --buffers 8K"), 2,
		   "buffers below 16K are refused: 2");
	tap_is_int(ism_smc("setup --buffers 65M"), 2,
		   "buffers above 64M are refused: 2");
	tap_is_int(ism_smc("setup --buffers 1X"), 2,
		   "a size with an unknown suffix is refused: 2");
	tap_is_int(ism_smc("setup --ueid"), 2,
		   "--ueid without a value: usage, 2");
	tap_is_int(ism_smc("linkgroups extra"), 2,
		   "linkgroups takes no argument: 2");
}

int main(void)
{
	tap_plan(23);
	test_parse();
	test_args();
	return tap_done();
}
