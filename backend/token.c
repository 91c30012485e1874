/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * token.c - region tokens: 64 bits from the platform's random generator
 * (getrandom() on Xen), never 0, never a counter, and unique among the
 * live regions of the host (the token table is the check).  A generator
 * that keeps returning taken values is broken: give up after a few draws.
 */
#include <errno.h>

#include "core.h"

#define ISM_TOKEN_DRAWS 16

int ism__token_new(struct ism_backend *be, uint64_t *token_out)
{
	uint64_t t;
	int i, rc;

	for (i = 0; i < ISM_TOKEN_DRAWS; i++) {
		rc = be->ops->random(be->plat, &t, sizeof(t));
		if (rc)
			return rc;
		if (t && !ism__htable_find(&be->tokens, t)) {
			*token_out = t;
			return 0;
		}
	}
	return -EAGAIN;
}
