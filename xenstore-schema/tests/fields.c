/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ISM_FIELD_* macros of ismif.h and the node list ism-nodes.txt must
 * name the same nodes, and the node list must speak the header's protocol.
 */
#include "ismif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "tests/tap.h"

TAP_MAIN;

#define ISM_NAME(f) f,
static const char *const ism_fields[] = { ISM_FOR_EACH_FIELD(ISM_NAME) };
#define ISM_NR_FIELDS (sizeof(ism_fields) / sizeof(ism_fields[0]))

static int ism_field_known(const char *name)
{
	size_t i;

	for (i = 0; i < ISM_NR_FIELDS; i++)
		if (!strcmp(ism_fields[i], name))
			return 1;
	return 0;
}

int main(void)
{
	const char *srcdir = getenv("top_srcdir");
	struct ism_schema schema;
	char path[4096], err[512];
	size_t i, s;
	int rc;

	snprintf(path, sizeof(path), "%s/xenstore-schema/ism-nodes.txt",
		 srcdir ? srcdir : ".");
	rc = ism_schema_load(&schema, path, err, sizeof(err));
	if (rc) {
		printf("1..1\nnot ok 1 - %s\n", err);
		return 1;
	}
	tap_plan((int)(ISM_NR_FIELDS + schema.nr_nodes + 1));
	tap_is_int(schema.protocol, ISM_PROTOCOL_VERSION_INT,
		   "the node list is for protocol %s", ISM_PROTOCOL_VERSION);
	for (i = 0; i < ISM_NR_FIELDS; i++) {
		int found = 0;

		for (s = 0; s < ISM_SCHEMA_NR_SIDES; s++)
			found |= ism_schema_node_find(&schema,
						      (enum ism_schema_side)s,
						      ism_fields[i]) != NULL;
		tap_ok(found, "macro \"%s\" is in the node list",
		       ism_fields[i]);
	}
	for (i = 0; i < schema.nr_nodes; i++) {
		const struct ism_schema_node *node = &schema.nodes[i];
		int ok = !strcmp(node->name, ".") || !strcmp(node->name, "*") ||
			 ism_field_known(node->name);

		tap_ok(ok, "node %s/%s (line %u) has an ISM_FIELD_ macro",
		       ism_schema_side_name(node->side), node->name,
		       node->line);
	}
	ism_schema_dispose(&schema);
	return tap_done();
}
