/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The xen-ism node list (ism-nodes.txt) in memory, and the checks of node
 * values by type.  Used by ism-schema-check and by the tests.
 */
#ifndef ISM_XENSTORE_SCHEMA_SCHEMA_H
#define ISM_XENSTORE_SCHEMA_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

enum ism_schema_side {
	ISM_SCHEMA_BACKEND,
	ISM_SCHEMA_FRONTEND,
	ISM_SCHEMA_DATA,
	ISM_SCHEMA_NR_SIDES,
};

enum ism_schema_type {
	ISM_TYPE_DIR,
	ISM_TYPE_XBSTATE,
	ISM_TYPE_UINT,
	ISM_TYPE_SIZE,
	ISM_TYPE_BOOL,
	ISM_TYPE_HEX64,
	ISM_TYPE_GREF,
	ISM_TYPE_EVTCHN,
	ISM_TYPE_DOMID_FE,
	ISM_TYPE_DOMID_BE,
	ISM_TYPE_PATH_FE,
	ISM_TYPE_PATH_BE,
	ISM_TYPE_VERSIONS,
	ISM_TYPE_VERSION,
	ISM_TYPE_TEXT,
	ISM_TYPE_RENDEZVOUS,
	ISM_TYPE_NR,
};

/* When a node must exist. */
enum ism_schema_req {
	ISM_REQ_ALWAYS,
	ISM_REQ_OPTIONAL,
	ISM_REQ_STATE, /* while the side's state is in [req_state, 4] */
};

/* A variable of a permission list. */
enum ism_schema_var {
	ISM_VAR_BE,
	ISM_VAR_FE,
	ISM_VAR_DOM,
	ISM_VAR_PEER, /* any domain but $DOM */
};

#define ISM_SCHEMA_MAX_PERMS 5

struct ism_schema_perm {
	char mode; /* n, r, w or b */
	enum ism_schema_var var;
};

struct ism_schema_node {
	enum ism_schema_side side;
	char name[64]; /* "." for the directory, "*" for any name */
	enum ism_schema_type type;
	uint64_t lo, hi; /* bounds of uint and size */
	char writer[32];
	enum ism_schema_req req;
	unsigned int req_state;
	unsigned int nr_perms;
	struct ism_schema_perm perms[ISM_SCHEMA_MAX_PERMS];
	unsigned int line; /* in the node list */
};

struct ism_schema {
	unsigned int protocol;
	size_t nr_nodes;
	struct ism_schema_node *nodes;
};

/* Values a node check needs from the device it belongs to. */
struct ism_schema_ctx {
	unsigned int be, fe, dom, devid;
	const char *be_path, *fe_path;
	const char *versions; /* the backend's versions value, or NULL */
};

/*
 * Reads the node list at @path.  Returns 0, or -errno with a message
 * ("file:line: what") in @err.  Free with ism_schema_dispose().
 */
int ism_schema_load(struct ism_schema *schema, const char *path, char *err,
		    size_t errlen);
void ism_schema_dispose(struct ism_schema *schema);

/* The node of @side called @name (or matching "*"), or NULL. */
const struct ism_schema_node *
ism_schema_node_find(const struct ism_schema *schema, enum ism_schema_side side,
		     const char *name);

const char *ism_schema_side_name(enum ism_schema_side side);

/*
 * Checks @value against the type of @node.  Returns 0, or -EINVAL with
 * the reason in @why.
 */
int ism_schema_value_check(const struct ism_schema_node *node,
			   const char *value, const struct ism_schema_ctx *ctx,
			   char *why, size_t whylen);

/*
 * Checks a permission list as xenstore-ls prints it ("n0,r5") against
 * @node.  Returns 0, or -EACCES with the reason in @why.
 */
int ism_schema_perms_check(const struct ism_schema_node *node,
			   const char *perms, const struct ism_schema_ctx *ctx,
			   char *why, size_t whylen);

/* Parses a decimal number without sign or leading zeros; 0 or -EINVAL. */
int ism_schema_parse_uint(const char *s, uint64_t max, uint64_t *out);

/*
 * Makes room for one more element in @array, of @nr used and *@cap
 * allocated elements of @size octets.  Returns the array, moved or not,
 * or NULL (out of memory; @array is untouched).
 */
void *ism_array_grow(void *array, size_t *cap, size_t nr, size_t size);

/* True if @name is a valid rendezvous name. */
int ism_schema_name_is_valid(const char *name);

#endif /* ISM_XENSTORE_SCHEMA_SCHEMA_H */
