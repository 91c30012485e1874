/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ismif.h must compile standalone: this file includes it before anything
 * else and is built as C99 (size checks off) and as C11 (size checks on).
 */
#include "ismif.h"
#include "ismif.h" /* and twice */

#include <stdio.h>

int main(void)
{
	struct ism_req req = { 0 };

	req.op = ISM_OP_ALLOC;
	printf("1..1\n");
	printf("%s 1 - ismif.h compiles standalone as C %ld\n",
	       sizeof(req) == 64 ? "ok" : "not ok", (long)__STDC_VERSION__);
	return sizeof(req) == 64 ? 0 : 1;
}
