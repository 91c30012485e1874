/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-platform.c - backend/platform.h stands alone, its completeness check
 * sees every op, and the fake's op list matches the table.
 */
#include "platform.h" /* first: it must compile on its own */

#include <errno.h>
#include <string.h>

#include "tap.h"
#include "fake-xen.h"

TAP_MAIN;

typedef int (*unit_fn)(void);

int main(void)
{
	const size_t nslots = sizeof(struct ism_platform_ops) / sizeof(unit_fn);
	struct ism_platform_ops ops;
	enum fake_xen_op op;
	unsigned int i, j, missed = 0, bad_names = 0;

	tap_plan(9);

	tap_ok(ism_platform_ops_is_complete(&fake_xen_ops),
	       "the fake's ops table is complete");
	tap_ok(!ism_platform_ops_is_complete(NULL), "NULL is not complete");
	tap_is_int(nslots, FAKE_XEN_OP_COUNT,
		   "the fake has one op id per table slot");

	/* Clear each slot in turn: the check must notice every one. */
	for (i = 0; i < nslots; i++) {
		memcpy(&ops, &fake_xen_ops, sizeof(ops));
		memset((char *)&ops + i * sizeof(unit_fn), 0, sizeof(unit_fn));
		if (ism_platform_ops_is_complete(&ops)) {
			tap_diag("slot %u is not checked", i);
			missed++;
		}
	}
	tap_is_int(missed, 0, "every missing op makes the table incomplete");

	for (i = 0; i < FAKE_XEN_OP_COUNT; i++) {
		const char *n = fake_xen_op_name((enum fake_xen_op)i);

		if (!n || fake_xen_op_lookup(n, &op) || op != i)
			bad_names++;
		for (j = 0; n && j < i; j++) {
			if (!strcmp(n, fake_xen_op_name((enum fake_xen_op)j)))
				bad_names++;
		}
	}
	tap_is_int(bad_names, 0, "op names are set, unique and round-trip");
	tap_is_str(fake_xen_op_name(FAKE_XEN_OP_XS_TRANSACTION_END),
		   "xs_transaction_end", "op names follow the table members");
	tap_is_str(fake_xen_op_name(FAKE_XEN_OP_ANY), "any",
		   "\"any\" names ANY");
	tap_ok(!fake_xen_op_name((enum fake_xen_op)(FAKE_XEN_OP_ANY + 1)),
	       "out-of-range op has no name");
	tap_is_int(fake_xen_op_lookup("xs_nope", &op), -ENOENT,
		   "unknown op name is refused");

	return tap_done();
}
