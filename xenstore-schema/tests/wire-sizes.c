/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compares the sizes of the wire structures of ismif.h with the reference
 * file ism-wire.size, so that every layout change is deliberate.  With
 * --print it prints the current sizes in the reference format instead.
 */
#include "ismif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"

TAP_MAIN;

#define ISM_WIRE(type)              \
	{                           \
#type, sizeof(type) \
	}

static const struct {
	const char *name;
	size_t size;
} ism_wire[] = {
	ISM_WIRE(struct ism_sring_hdr),	   ISM_WIRE(struct ism_req),
	ISM_WIRE(struct ism_req_alloc),	   ISM_WIRE(struct ism_req_attach),
	ISM_WIRE(struct ism_req_slot),	   ISM_WIRE(struct ism_req_set_perm),
	ISM_WIRE(struct ism_req_fastpath), ISM_WIRE(struct ism_req_peer),
	ISM_WIRE(struct ism_rsp_peer),	   ISM_WIRE(struct ism_req_signal),
	ISM_WIRE(struct ism_rsp),	   ISM_WIRE(struct ism_region_desc),
	ISM_WIRE(struct ism_rsp_info),	   ISM_WIRE(union ism_ring_entry),
	ISM_WIRE(struct ism_ctrl_page),	   ISM_WIRE(struct ism_evt),
	ISM_WIRE(struct ism_event_page),   ISM_WIRE(struct ism_dir_page),
	ISM_WIRE(struct ism_bell),
};

#define ISM_NR_WIRE (sizeof(ism_wire) / sizeof(ism_wire[0]))

static int ism_wire_find(const char *name)
{
	size_t i;

	for (i = 0; i < ISM_NR_WIRE; i++)
		if (!strcmp(ism_wire[i].name, name))
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	const char *srcdir = getenv("top_srcdir");
	char path[4096], line[256];
	int seen[ISM_NR_WIRE] = { 0 };
	size_t i;
	FILE *f;

	if (argc > 1 && !strcmp(argv[1], "--print")) {
		for (i = 0; i < ISM_NR_WIRE; i++)
			printf("%-24s %zu\n", ism_wire[i].name,
			       ism_wire[i].size);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/xenstore-schema/ism-wire.size",
		 srcdir ? srcdir : ".");
	f = fopen(path, "r");
	if (!f) {
		printf("1..1\nnot ok 1 - cannot open %s\n", path);
		return 1;
	}
	tap_plan((int)ISM_NR_WIRE + 1);
	while (fgets(line, sizeof(line), f)) {
		char kind[16], name[64];
		size_t want;
		int idx;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%15s %63s %zu", kind, name, &want) != 3) {
			tap_diag("bad line in %s: %s", path, line);
			continue;
		}
		snprintf(line, sizeof(line), "%s %s", kind, name);
		idx = ism_wire_find(line);
		if (idx < 0) {
			tap_diag("%s names %s, which ismif.h lacks", path,
				 line);
			continue;
		}
		seen[idx] = 1;
		if (!tap_ok(ism_wire[idx].size == want, "%s is %zu octets",
			    line, want))
			tap_diag("  it is %zu: if that is deliberate, update "
				 "ism-wire.size (wire-sizes --print)",
				 ism_wire[idx].size);
	}
	fclose(f);
	for (i = 0; i < ISM_NR_WIRE; i++)
		if (!seen[i])
			tap_diag("%s is missing from %s", ism_wire[i].name,
				 path);
	for (i = 0; i < ISM_NR_WIRE && seen[i]; i++)
		;
	tap_ok(i == ISM_NR_WIRE, "ism-wire.size lists every wire structure");
	return tap_done();
}
