/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-pgdir.c - the page directory walk and the descriptor check against
 * hostile backends, and the strict xenstore value parsers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../lib/shared.h"

TAP_MAIN;

/* Directory pages of the test's "backend", named by gref 100 + index. */
#define NDIR 8
static struct ism_dir_page dir[NDIR];
static unsigned int maps, unmaps;

static int map(void *ctx, uint32_t gref, const struct ism_dir_page **out)
{
	(void)ctx;
	if (gref < 100 || gref >= 100 + NDIR)
		return -EINVAL;
	maps++;
	*out = &dir[gref - 100];
	return 0;
}

static void unmap(void *ctx, const struct ism_dir_page *page)
{
	(void)ctx;
	(void)page;
	unmaps++;
}

/* A good chain of @n region pages starting at dir[0]. */
static void build(uint32_t n)
{
	uint32_t i, d;

	memset(dir, 0, sizeof(dir));
	for (i = 0, d = 0; i < n; d++) {
		uint32_t k = n - i < 1020 ? n - i : 1020, j;

		dir[d].nr_grefs = k;
		for (j = 0; j < k; j++)
			dir[d].gref[j] = 1000 + i + j;
		i += k;
		dir[d].next_gref = i < n ? 100 + d + 1 : 0;
	}
}

static int walk(uint32_t n, uint32_t *grefs)
{
	return ism__pgdir_walk(100, n, map, unmap, NULL, grefs);
}

int main(void)
{
	static uint32_t grefs[4096];
	struct ism_region_desc d;
	uint64_t v;

	tap_plan(35);

	build(1);
	tap_is_int(walk(1, grefs), 0, "one page");
	tap_is_int(grefs[0], 1000, "its reference");
	build(2500);
	maps = unmaps = 0;
	tap_is_int(walk(2500, grefs), 0,
		   "2500 pages over three directory pages");
	tap_ok(grefs[1019] == 2019 && grefs[1020] == 2020 &&
		       grefs[2499] == 3499,
	       "references in chain order");
	tap_ok(maps == 3 && unmaps == 3, "each directory page unmapped");

	tap_is_int(walk(0, grefs), -EPROTO, "nr_pages 0 refused");
	tap_is_int(walk(16385, grefs), -EPROTO,
		   "nr_pages above 64 MiB refused");
	build(2500);
	tap_is_int(walk(2499, grefs), -EPROTO, "chain longer than nr_pages");
	tap_is_int(walk(2501, grefs), -EPROTO, "chain shorter than nr_pages");
	build(2500);
	dir[1].next_gref = 100;
	tap_is_int(walk(4000, grefs), -EPROTO, "a loop back to the first page");
	build(2500);
	dir[1].next_gref = 101;
	tap_is_int(walk(4000, grefs), -EPROTO, "a page naming itself");
	build(2500);
	maps = unmaps = 0;
	dir[0].nr_grefs = 1019;
	tap_is_int(walk(2500, grefs), -EPROTO, "a short page before the last");
	tap_ok(maps == unmaps, "unmapped on error too");
	build(10);
	dir[0].nr_grefs = 0;
	tap_is_int(walk(10, grefs), -EPROTO, "nr_grefs 0");
	build(10);
	dir[0].nr_grefs = 1021;
	tap_is_int(walk(10, grefs), -EPROTO, "nr_grefs above 1020");
	build(10);
	dir[0].gref[4] = 7;
	tap_is_int(walk(10, grefs), -EPROTO, "a reference below 8");
	build(10);
	tap_is_int(ism__pgdir_walk(7, 10, map, unmap, NULL, grefs), -EPROTO,
		   "a directory reference below 8");
	tap_is_int(ism__pgdir_walk(99, 10, map, unmap, NULL, grefs), -EINVAL,
		   "the map error is returned");

	/* Descriptors. */
	memset(&d, 0, sizeof(d));
	d.token = 1;
	d.size = 4 * 4096;
	d.nr_pages = 4;
	d.slot = 3;
	d.dir_gref = 8;
	d.bell_gref = 9;
	d.perm = ISM_PERM_DEFAULT;
	d.peer_domid = ISM_DOMID_INVALID;
	d.state = ISM_RSTATE_ACTIVE;
	tap_is_int(ism__desc_check(&d, 256, 16), 0, "a good descriptor");
	d.size = 4 * 4096 + 1;
	tap_is_int(ism__desc_check(&d, 256, 16), -EPROTO, "size != pages");
	d.size = 4 * 4096;
	tap_is_int(ism__desc_check(&d, 3, 16), -EPROTO, "above region-size");
	tap_is_int(ism__desc_check(&d, 256, 3), -EPROTO, "slot out of range");
	d.side = 2;
	tap_is_int(ism__desc_check(&d, 256, 16), -EPROTO, "unknown side");
	d.side = 0;
	d.perm = 0x20;
	tap_is_int(ism__desc_check(&d, 256, 16), -EPROTO, "unknown perm bit");
	d.perm = 1;
	d.token = 0;
	tap_is_int(ism__desc_check(&d, 256, 16), -EPROTO, "token 0");

	/* Xenstore values. */
	tap_is_int(ism__xs_parse_uint("4096", 1, 8192, &v), 0, "a number");
	tap_is_int(ism__xs_parse_uint("04096", 1, 8192, &v), -EPROTO,
		   "leading zero refused");
	tap_is_int(ism__xs_parse_uint("", 0, 1, &v), -EPROTO, "empty refused");
	tap_is_int(ism__xs_parse_uint("18446744073709551616", 0, UINT64_MAX,
				      &v),
		   -EPROTO, "overflow refused");
	tap_is_int(ism__xs_parse_uint("9000", 1, 8192, &v), -EPROTO,
		   "above the range refused");
	tap_is_int(ism__xs_parse_hex64("5e1f0c2a9b7d4433", &v), 0, "hex64");
	tap_is_int(ism__xs_parse_hex64("5E1F0C2A9B7D4433", &v), -EPROTO,
		   "uppercase refused");
	tap_is_int(ism__xs_parse_hex64("0000000000000000", &v), -EPROTO,
		   "zero refused");
	tap_is_int(ism__xs_versions_has("1,2,3", 1), 1, "versions has 1");
	tap_is_int(ism__xs_versions_has("2,1", 1), -EPROTO,
		   "versions not ascending refused");
	return tap_done();
}
