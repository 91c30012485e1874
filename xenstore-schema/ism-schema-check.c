/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ism-schema-check: validates a `xenstore-ls -f -p` dump against the
 * xen-ism node list.  It runs in the lab's busybox dom0, so it needs
 * nothing but libc.
 *
 * Exit status: 0 valid, 1 the dump breaks the protocol, 2 the dump or the
 * node list cannot be read, or bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ismif.h"
#include "schema.h"

#ifndef ISM_NODES_DEFAULT
#define ISM_NODES_DEFAULT "ism-nodes.txt"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "?"
#endif

#define ISM_PROG "ism-schema-check"
#define ISM_MAX_COMPONENTS 16

/* One line of the dump. */
struct ism_entry {
	char *path;
	char *value; /* unescaped; NULL if xenstore-ls could not read it */
	char *perms; /* "n0,r5", NULL if the dump has none for it */
	unsigned int line;
	int truncated; /* xenstore-ls cut the value short */
};

struct ism_dump {
	const char *name;
	struct ism_entry *entries;
	size_t nr, cap;
	struct ism_entry **sorted; /* by path, for lookups */
};

/* A device directory found in the dump. */
struct ism_instance {
	enum ism_schema_side side;
	unsigned int be, fe, devid, dom;
	int paired;
	char path[96];
};

struct ism_check {
	const struct ism_schema *schema;
	struct ism_dump *dump;
	int allow_unknown;
	unsigned int problems;
	struct ism_instance *inst;
	size_t nr_inst, cap_inst;
	const char *gid; /* the first backend gid seen */
	const struct ism_entry *gid_entry;
};

static __attribute__((format(printf, 4, 5))) void
ism_report(struct ism_check *chk, const struct ism_entry *e, const char *path,
	   const char *fmt, ...)
{
	va_list ap;

	chk->problems++;
	if (e)
		fprintf(stderr, "%s: %s:%u: %s: ", ISM_PROG, chk->dump->name,
			e->line, path);
	else
		fprintf(stderr, "%s: %s: %s: ", ISM_PROG, chk->dump->name,
			path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Undoes the escaping of xenstore-ls (\\ \t \n \r \ooo \xNN) in place. */
static void ism_unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			*out++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 't':
			*out++ = '\t';
			s++;
			break;
		case 'n':
			*out++ = '\n';
			s++;
			break;
		case 'r':
			*out++ = '\r';
			s++;
			break;
		case 'x':
			if (s[1] && s[2]) {
				char hex[3] = { s[1], s[2], 0 };

				*out++ = (char)strtol(hex, NULL, 16);
				s += 3;
			} else {
				*out++ = *s++;
			}
			break;
		default:
			if (s[0] >= '0' && s[0] <= '7' && s[1] >= '0' &&
			    s[1] <= '7' && s[2] >= '0' && s[2] <= '7') {
				*out++ =
					(char)((s[0] - '0') * 64 +
					       (s[1] - '0') * 8 + (s[2] - '0'));
				s += 3;
			} else {
				*out++ = *s++;
			}
		}
	}
	*out = '\0';
}

/* @v for a message: escaped as xenstore-ls does, cut at 80 octets. */
static const char *ism_quote(const char *v, char *buf, size_t len)
{
	size_t used = 0;

	for (; *v && used + 8 < len && used < 80; v++) {
		unsigned char c = (unsigned char)*v;

		if (c >= ' ' && c <= '~' && c != '\\')
			buf[used++] = (char)c;
		else
			used += (size_t)snprintf(buf + used, len - used,
						 "\\x%02x", c);
	}
	if (*v)
		used += (size_t)snprintf(buf + used, len - used, "...");
	buf[used] = '\0';
	return buf;
}

static int ism_dump_add(struct ism_dump *dump, struct ism_entry **out)
{
	struct ism_entry *entries;

	entries = ism_array_grow(dump->entries, &dump->cap, dump->nr,
				 sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	dump->entries = entries;
	*out = &dump->entries[dump->nr++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

/* "(n0,r5)" at the end of @s, after blanks and xenstore-ls's dots. */
static char *ism_parse_perms(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '.')
		s++;
	len = strlen(s);
	if (len < 3 || s[0] != '(' || s[len - 1] != ')')
		return NULL;
	s[len - 1] = '\0';
	return s + 1;
}

/*
 * Parses one line.  Returns 0, or -EINVAL with the reason in @why.
 * Formats (Xen 4.17 tools/xenstore/xenstore_client.c):
 *   /path = "value"   (n0,r5)
 *   /path:              (value not readable; perms may follow on the
 *     (n0,r5)            next line)
 */
static int ism_dump_parse_line(struct ism_dump *dump, char *line,
			       unsigned int lineno, const char **why)
{
	struct ism_entry *e;
	char *sep, *q, *end;
	int rc;

	if (line[0] == ' ' || line[0] == '\t') {
		char *perms = ism_parse_perms(line);

		if (!perms) {
			*why = "not a full path (make the dump with "
			       "xenstore-ls -f -p)";
			return -EINVAL;
		}
		if (!dump->nr || dump->entries[dump->nr - 1].perms) {
			*why = "permissions without a node";
			return -EINVAL;
		}
		dump->entries[dump->nr - 1].perms = strdup(perms);
		return dump->entries[dump->nr - 1].perms ? 0 : -ENOMEM;
	}
	if (line[0] != '/') {
		*why = "not a full path (make the dump with xenstore-ls -f -p)";
		return -EINVAL;
	}
	sep = line + strcspn(line, " :");
	rc = ism_dump_add(dump, &e);
	if (rc)
		return rc;
	e->line = lineno;
	if (*sep == ':') {
		*sep = '\0';
		e->path = strdup(line);
		return e->path ? 0 : -ENOMEM;
	}
	if (strncmp(sep, " = \"", 4)) {
		*why = "expected PATH = \"VALUE\"";
		return -EINVAL;
	}
	*sep = '\0';
	q = sep + 4;
	end = strrchr(q, '"');
	if (!end) {
		*why = "value has no closing quote";
		return -EINVAL;
	}
	*end = '\0';
	e->perms = ism_parse_perms(end + 1);
	if (!e->perms && end[1]) {
		*why = "expected (PERMISSIONS) after the value";
		return -EINVAL;
	}
	if (strlen(q) >= 4 && !strcmp(q + strlen(q) - 4, "\\...")) {
		e->truncated = 1;
		q[strlen(q) - 4] = '\0';
	}
	ism_unescape(q);
	e->path = strdup(line);
	e->value = strdup(q);
	if (e->perms)
		e->perms = strdup(e->perms);
	if (!e->path || !e->value)
		return -ENOMEM;
	return 0;
}

static int ism_entry_cmp(const void *a, const void *b)
{
	const struct ism_entry *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

static void ism_dump_dispose(struct ism_dump *dump)
{
	size_t i;

	for (i = 0; i < dump->nr; i++) {
		free(dump->entries[i].path);
		free(dump->entries[i].value);
		free(dump->entries[i].perms);
	}
	free(dump->entries);
	free(dump->sorted);
}

/* Reads the whole dump.  Returns 0, or -errno after printing why. */
static int ism_dump_load(struct ism_dump *dump, FILE *f)
{
	char *line = NULL;
	size_t cap = 0, i;
	unsigned int lineno = 0, with_perms = 0;
	ssize_t len;
	int rc = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *why = "out of memory";

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		rc = ism_dump_parse_line(dump, line, lineno, &why);
		if (rc) {
			fprintf(stderr,
				"%s: %s:%u: cannot parse the dump: %s\n",
				ISM_PROG, dump->name, lineno, why);
			goto out;
		}
	}
	if (ferror(f)) {
		rc = -EIO;
		fprintf(stderr, "%s: %s: read error\n", ISM_PROG, dump->name);
		goto out;
	}
	for (i = 0; i < dump->nr; i++)
		with_perms += dump->entries[i].perms != NULL;
	if (dump->nr && !with_perms) {
		rc = -EINVAL;
		fprintf(stderr,
			"%s: %s: the dump has no permissions: make it with "
			"xenstore-ls -f -p\n",
			ISM_PROG, dump->name);
		goto out;
	}
	dump->sorted = calloc(dump->nr ? dump->nr : 1, sizeof(*dump->sorted));
	if (!dump->sorted) {
		rc = -ENOMEM;
		fprintf(stderr, "%s: out of memory\n", ISM_PROG);
		goto out;
	}
	for (i = 0; i < dump->nr; i++)
		dump->sorted[i] = &dump->entries[i];
	qsort(dump->sorted, dump->nr, sizeof(*dump->sorted), ism_entry_cmp);
	for (i = 1; i < dump->nr; i++) {
		if (!strcmp(dump->sorted[i]->path, dump->sorted[i - 1]->path)) {
			rc = -EINVAL;
			fprintf(stderr, "%s: %s:%u: %s appears twice\n",
				ISM_PROG, dump->name, dump->sorted[i]->line,
				dump->sorted[i]->path);
			goto out;
		}
	}
out:
	free(line);
	return rc;
}

static const struct ism_entry *ism_dump_find(const struct ism_dump *dump,
					     const char *path)
{
	struct ism_entry key = { .path = (char *)path };
	struct ism_entry *pkey = &key, **hit;

	hit = bsearch(&pkey, dump->sorted, dump->nr, sizeof(*dump->sorted),
		      ism_entry_cmp);
	return hit ? *hit : NULL;
}

/* Splits a copy of @path into components; returns their number. */
static size_t ism_path_split(const char *path, char *buf, size_t buflen,
			     char *comp[ISM_MAX_COMPONENTS])
{
	size_t n = 0;
	char *tok, *save = NULL;

	if (strlen(path) >= buflen)
		return 0;
	strcpy(buf, path);
	for (tok = strtok_r(buf, "/", &save); tok && n < ISM_MAX_COMPONENTS;
	     tok = strtok_r(NULL, "/", &save))
		comp[n++] = tok;
	return n;
}

static int ism_parse_id(const char *s, uint64_t max, unsigned int *out)
{
	uint64_t v;

	if (ism_schema_parse_uint(s, max, &v))
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int ism_instance_add(struct ism_check *chk,
			    const struct ism_instance *inst)
{
	struct ism_instance *all;
	size_t i;

	for (i = 0; i < chk->nr_inst; i++)
		if (!strcmp(chk->inst[i].path, inst->path))
			return 0;
	all = ism_array_grow(chk->inst, &chk->cap_inst, chk->nr_inst,
			     sizeof(*all));
	if (!all)
		return -ENOMEM;
	chk->inst = all;
	chk->inst[chk->nr_inst++] = *inst;
	return 0;
}

/*
 * Finds the device and rendezvous directories named by the paths in the
 * dump.  Paths whose ids are not numbers are reported.
 */
static int ism_instances_find(struct ism_check *chk)
{
	const char *last_bad = NULL;
	size_t i;

	for (i = 0; i < chk->dump->nr; i++) {
		const struct ism_entry *e = &chk->dump->entries[i];
		char buf[512], *c[ISM_MAX_COMPONENTS];
		size_t n = ism_path_split(e->path, buf, sizeof(buf), c);
		struct ism_instance inst;
		int bad = 0, rc;

		memset(&inst, 0, sizeof(inst));
		if (n < 5 || strcmp(c[0], "local") || strcmp(c[1], "domain") ||
		    strcmp(c[4], ISM_DEVICE_TYPE))
			continue;
		if (!strcmp(c[3], "backend") && n >= 7) {
			inst.side = ISM_SCHEMA_BACKEND;
			bad = ism_parse_id(c[2], ISM_DOMID_MAX, &inst.be) ||
			      ism_parse_id(c[5], ISM_DOMID_MAX, &inst.fe) ||
			      ism_parse_id(c[6], ISM_DEVID_MAX, &inst.devid);
			snprintf(inst.path, sizeof(inst.path),
				 ISM_PATH_BACKEND_FMT, inst.be, inst.fe,
				 inst.devid);
		} else if (!strcmp(c[3], "device") && n >= 6) {
			inst.side = ISM_SCHEMA_FRONTEND;
			bad = ism_parse_id(c[2], ISM_DOMID_MAX, &inst.fe) ||
			      ism_parse_id(c[5], ISM_DEVID_MAX, &inst.devid);
			snprintf(inst.path, sizeof(inst.path),
				 ISM_PATH_FRONTEND_FMT, inst.fe, inst.devid);
		} else if (!strcmp(c[3], "data")) {
			inst.side = ISM_SCHEMA_DATA;
			bad = ism_parse_id(c[2], ISM_DOMID_MAX, &inst.dom);
			snprintf(inst.path, sizeof(inst.path),
				 "/local/domain/%u/" ISM_PATH_DATA_DIR,
				 inst.dom);
		} else {
			continue;
		}
		if (bad || (inst.side != ISM_SCHEMA_DATA && !inst.devid)) {
			/* once per directory: its children follow it */
			size_t depth = inst.side == ISM_SCHEMA_BACKEND	? 7 :
				       inst.side == ISM_SCHEMA_FRONTEND ? 6 :
									  5;

			if (n > depth && last_bad &&
			    !strncmp(e->path, last_bad, strlen(last_bad)))
				continue;
			last_bad = e->path;
			ism_report(chk, e, e->path,
				   "not a valid ism path: domids must be 0 to "
				   "32751 and devids 1 to 2147483647, in "
				   "decimal");
			continue;
		}
		rc = ism_instance_add(chk, &inst);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *ism_node_value(const struct ism_check *chk, const char *dir,
				  const char *name)
{
	char path[256];
	const struct ism_entry *e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	e = ism_dump_find(chk->dump, path);
	return e && e->value && !e->truncated ? e->value : NULL;
}

/* The side's own state, or 0 if absent or not a state. */
static unsigned int ism_state_of(const struct ism_check *chk, const char *dir)
{
	const char *v = ism_node_value(chk, dir, ISM_FIELD_STATE);
	uint64_t st;

	if (!v || ism_schema_parse_uint(v, ISM_XBS_CLOSED, &st))
		return 0;
	return (unsigned int)st;
}

static int ism_required(const struct ism_schema_node *node, unsigned int state)
{
	switch (node->req) {
	case ISM_REQ_ALWAYS:
		return 1;
	case ISM_REQ_STATE:
		return state >= node->req_state && state <= ISM_XBS_CONNECTED;
	case ISM_REQ_OPTIONAL:
		break;
	}
	return 0;
}

static void ism_entry_check(struct ism_check *chk,
			    const struct ism_schema_node *node,
			    const struct ism_entry *e,
			    const struct ism_schema_ctx *ctx)
{
	char why[256], quoted[128];

	if (!e->value)
		ism_report(chk, e, e->path,
			   "value cannot be read (make the dump as root in "
			   "dom0)");
	else if (e->truncated)
		ism_report(chk, e, e->path,
			   "value truncated by xenstore-ls (use -f, and do "
			   "not print to a terminal)");
	else if (ism_schema_value_check(node, e->value, ctx, why, sizeof(why)))
		ism_report(chk, e, e->path, "bad value \"%s\": %s",
			   ism_quote(e->value, quoted, sizeof(quoted)), why);
	if (!e->perms)
		ism_report(chk, e, e->path, "no permissions in the dump");
	else if (ism_schema_perms_check(node, e->perms, ctx, why, sizeof(why)))
		ism_report(chk, e, e->path, "%s", why);
}

/* Checks the nodes of one directory, and reports nodes it should not have. */
static void ism_dir_check(struct ism_check *chk, enum ism_schema_side side,
			  const char *dir, const struct ism_schema_ctx *ctx,
			  unsigned int state)
{
	size_t dirlen = strlen(dir), i;

	for (i = 0; i < chk->schema->nr_nodes; i++) {
		const struct ism_schema_node *node = &chk->schema->nodes[i];
		const struct ism_entry *e;
		char path[256];

		if (node->side != side || !strcmp(node->name, "*"))
			continue;
		if (!strcmp(node->name, "."))
			snprintf(path, sizeof(path), "%s", dir);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, node->name);
		e = ism_dump_find(chk->dump, path);
		if (e) {
			ism_entry_check(chk, node, e, ctx);
			continue;
		}
		if (!ism_required(node, state))
			continue;
		if (node->req == ISM_REQ_STATE)
			ism_report(chk, NULL, path,
				   "required node is missing (%s state is %u; "
				   "required from state %u to 4)",
				   ism_schema_side_name(side), state,
				   node->req_state);
		else
			ism_report(chk, NULL, path, "required node is missing");
	}
	for (i = 0; i < chk->dump->nr; i++) {
		const struct ism_entry *e = &chk->dump->entries[i];
		const struct ism_schema_node *node;
		const char *name;

		if (strncmp(e->path, dir, dirlen) || e->path[dirlen] != '/')
			continue;
		name = e->path + dirlen + 1;
		if (strchr(name, '/')) {
			if (!chk->allow_unknown)
				ism_report(chk, e, e->path,
					   "unknown node: the protocol defines "
					   "no subdirectories here");
			continue;
		}
		node = ism_schema_node_find(chk->schema, side, name);
		if (node && strcmp(node->name, "*"))
			continue; /* checked above */
		if (node)
			ism_entry_check(chk, node, e, ctx);
		else if (side == ISM_SCHEMA_DATA)
			ism_report(chk, e, e->path,
				   "not a valid rendezvous name (1 to 64 of "
				   "A-Z a-z 0-9 _ -)");
		else if (!chk->allow_unknown)
			ism_report(chk, e, e->path,
				   "unknown node: not in the %s node list",
				   ism_schema_side_name(side));
	}
}

static const struct ism_instance *ism_instance_find(const struct ism_check *chk,
						    enum ism_schema_side side,
						    unsigned int fe,
						    unsigned int devid)
{
	size_t i;

	for (i = 0; i < chk->nr_inst; i++) {
		const struct ism_instance *in = &chk->inst[i];

		if (in->side == side && in->fe == fe && in->devid == devid)
			return in;
	}
	return NULL;
}

static void ism_gid_check(struct ism_check *chk, const char *dir)
{
	char path[256];
	const struct ism_entry *e;

	snprintf(path, sizeof(path), "%s/%s", dir, ISM_FIELD_GID);
	e = ism_dump_find(chk->dump, path);
	if (!e || !e->value || strlen(e->value) != 16)
		return;
	if (!chk->gid) {
		chk->gid = e->value;
		chk->gid_entry = e;
	} else if (strcmp(chk->gid, e->value)) {
		ism_report(chk, e, e->path,
			   "gid %s differs from gid %s of %s: every device of "
			   "a host has the same gid",
			   e->value, chk->gid, chk->gid_entry->path);
	}
}

/* Checks one device: its backend and frontend directories, and their
 * states against each other. */
static void ism_device_check(struct ism_check *chk,
			     const struct ism_instance *be_inst,
			     const struct ism_instance *fe_inst)
{
	struct ism_schema_ctx ctx;
	char be_path[96], fe_path[96];
	unsigned int be_state = 0, fe_state = 0;

	memset(&ctx, 0, sizeof(ctx));
	if (be_inst) {
		ctx.be = be_inst->be;
		ctx.fe = be_inst->fe;
		ctx.devid = be_inst->devid;
	} else {
		const char *id = ism_node_value(chk, fe_inst->path,
						ISM_FIELD_BACKEND_ID);

		ctx.fe = fe_inst->fe;
		ctx.devid = fe_inst->devid;
		if (!id || ism_parse_id(id, ISM_DOMID_MAX, &ctx.be))
			ctx.be = ISM_DOMID_INVALID;
	}
	snprintf(be_path, sizeof(be_path), ISM_PATH_BACKEND_FMT, ctx.be, ctx.fe,
		 ctx.devid);
	snprintf(fe_path, sizeof(fe_path), ISM_PATH_FRONTEND_FMT, ctx.fe,
		 ctx.devid);
	ctx.be_path = be_path;
	ctx.fe_path = fe_path;
	ctx.versions = ism_node_value(chk, be_path, ISM_FIELD_VERSIONS);

	if (be_inst) {
		be_state = ism_state_of(chk, be_path);
		ism_dir_check(chk, ISM_SCHEMA_BACKEND, be_path, &ctx, be_state);
		ism_gid_check(chk, be_path);
	} else {
		ism_report(chk, NULL, fe_path,
			   "no backend directory for this device (expected "
			   "%s)",
			   be_path);
	}
	if (fe_inst) {
		fe_state = ism_state_of(chk, fe_path);
		ism_dir_check(chk, ISM_SCHEMA_FRONTEND, fe_path, &ctx,
			      fe_state);
	} else {
		ism_report(chk, NULL, be_path,
			   "no frontend directory for this device (expected "
			   "%s)",
			   fe_path);
	}
	if (!be_inst || !fe_inst || !be_state || !fe_state)
		return;
	if (fe_state >= ISM_XBS_INITIALISED && fe_state <= ISM_XBS_CONNECTED &&
	    be_state < ISM_XBS_INITWAIT)
		ism_report(chk, NULL, fe_path,
			   "state mismatch: frontend is %u but the backend is "
			   "only %u (a frontend waits for InitWait)",
			   fe_state, be_state);
	if (fe_state == ISM_XBS_CONNECTED && be_state < ISM_XBS_CONNECTED)
		ism_report(chk, NULL, fe_path,
			   "state mismatch: frontend is Connected but the "
			   "backend is %u",
			   be_state);
}

static void ism_devid_unique_check(struct ism_check *chk)
{
	size_t i, j;

	for (i = 0; i < chk->nr_inst; i++) {
		const struct ism_instance *a = &chk->inst[i];

		if (a->side != ISM_SCHEMA_FRONTEND)
			continue;
		for (j = i + 1; j < chk->nr_inst; j++) {
			const struct ism_instance *b = &chk->inst[j];

			if (b->side == ISM_SCHEMA_FRONTEND &&
			    b->devid == a->devid)
				ism_report(chk, NULL, b->path,
					   "devid %u is also used by %s: a "
					   "devid must be unique on the host",
					   b->devid, a->path);
		}
	}
}

static void ism_rendezvous_gid_check(struct ism_check *chk, const char *dir)
{
	size_t dirlen = strlen(dir), i;

	if (!chk->gid)
		return;
	for (i = 0; i < chk->dump->nr; i++) {
		const struct ism_entry *e = &chk->dump->entries[i];

		if (strncmp(e->path, dir, dirlen) || e->path[dirlen] != '/' ||
		    !e->value || strlen(e->value) < 16)
			continue;
		if (strncmp(e->value, chk->gid, 16))
			ism_report(chk, e, e->path,
				   "gid %.16s is not this host's gid %s",
				   e->value, chk->gid);
	}
}

static int ism_check_run(struct ism_check *chk, unsigned int *nr_devices,
			 unsigned int *nr_rendezvous)
{
	size_t i;
	int rc;

	rc = ism_instances_find(chk);
	if (rc)
		return rc;
	*nr_devices = 0;
	*nr_rendezvous = 0;
	for (i = 0; i < chk->nr_inst; i++) {
		struct ism_instance *in = &chk->inst[i];

		if (in->side == ISM_SCHEMA_BACKEND) {
			struct ism_instance *fe;

			fe = (struct ism_instance *)ism_instance_find(
				chk, ISM_SCHEMA_FRONTEND, in->fe, in->devid);
			if (fe && fe->paired) {
				ism_report(chk, NULL, in->path,
					   "a second backend for frontend %s",
					   fe->path);
				continue;
			}
			if (fe)
				fe->paired = 1;
			ism_device_check(chk, in, fe);
			(*nr_devices)++;
		}
	}
	for (i = 0; i < chk->nr_inst; i++) {
		struct ism_instance *in = &chk->inst[i];

		if (in->side == ISM_SCHEMA_FRONTEND && !in->paired) {
			ism_device_check(chk, NULL, in);
			(*nr_devices)++;
		}
	}
	ism_devid_unique_check(chk);
	for (i = 0; i < chk->nr_inst; i++) {
		struct ism_instance *in = &chk->inst[i];
		struct ism_schema_ctx ctx;
		size_t j;

		if (in->side != ISM_SCHEMA_DATA)
			continue;
		memset(&ctx, 0, sizeof(ctx));
		ctx.dom = in->dom;
		ism_dir_check(chk, ISM_SCHEMA_DATA, in->path, &ctx, 0);
		ism_rendezvous_gid_check(chk, in->path);
		for (j = 0; j < chk->dump->nr; j++) {
			const char *p = chk->dump->entries[j].path;
			size_t len = strlen(in->path);

			if (!strncmp(p, in->path, len) && p[len] == '/')
				(*nr_rendezvous)++;
		}
	}
	return 0;
}

static void ism_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--nodes FILE] [--min-devices N] [--allow-unknown] "
		"[DUMP]\n"
		"Validate a `xenstore-ls -f -p` dump (a file, or standard "
		"input) against\nthe xen-ism node list.\n\n"
		"  -n, --nodes FILE     node list (default %s)\n"
		"  -m, --min-devices N  fail unless at least N ism devices "
		"are found\n"
		"  -u, --allow-unknown  do not report nodes the node list "
		"does not name\n"
		"  -h, --help           this text\n"
		"  -V, --version        the program and protocol version\n\n"
		"Exit status: 0 valid, 1 protocol violations, 2 cannot "
		"check.\n",
		ISM_PROG, ISM_NODES_DEFAULT);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "min-devices", required_argument, NULL, 'm' },
		{ "allow-unknown", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *nodes = ISM_NODES_DEFAULT;
	unsigned int min_devices = 0, nr_devices = 0, nr_rendezvous = 0;
	struct ism_schema schema;
	struct ism_dump dump;
	struct ism_check chk;
	char err[512];
	FILE *in = stdin;
	int c, status = 2;

	memset(&dump, 0, sizeof(dump));
	memset(&chk, 0, sizeof(chk));
	memset(&schema, 0, sizeof(schema));
	while ((c = getopt_long(argc, argv, "n:m:uhV", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nodes = optarg;
			break;
		case 'm':
			if (ism_parse_id(optarg, 1000000, &min_devices)) {
				fprintf(stderr, "%s: bad --min-devices: %s\n",
					ISM_PROG, optarg);
				return 2;
			}
			break;
		case 'u':
			chk.allow_unknown = 1;
			break;
		case 'h':
			ism_usage(stdout);
			return 0;
		case 'V':
			printf("%s %s (xen-ism protocol %s)\n", ISM_PROG,
			       PACKAGE_VERSION, ISM_PROTOCOL_VERSION);
			return 0;
		default:
			ism_usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		ism_usage(stderr);
		return 2;
	}
	dump.name = "<stdin>";
	if (optind < argc && strcmp(argv[optind], "-")) {
		dump.name = argv[optind];
		in = fopen(dump.name, "r");
		if (!in) {
			fprintf(stderr, "%s: %s: %s\n", ISM_PROG, dump.name,
				strerror(errno));
			return 2;
		}
	}
	if (ism_schema_load(&schema, nodes, err, sizeof(err))) {
		fprintf(stderr, "%s: cannot read the node list: %s\n", ISM_PROG,
			err);
		goto out;
	}
	if (ism_dump_load(&dump, in))
		goto out;
	chk.schema = &schema;
	chk.dump = &dump;
	if (ism_check_run(&chk, &nr_devices, &nr_rendezvous)) {
		fprintf(stderr, "%s: out of memory\n", ISM_PROG);
		goto out;
	}
	if (nr_devices < min_devices) {
		chk.problems++;
		fprintf(stderr,
			"%s: %s: found %u ism devices, expected at least %u\n",
			ISM_PROG, dump.name, nr_devices, min_devices);
	}
	if (chk.problems) {
		fprintf(stderr, "%s: %s: %u problem%s (%u devices checked)\n",
			ISM_PROG, dump.name, chk.problems,
			chk.problems == 1 ? "" : "s", nr_devices);
		status = 1;
	} else {
		printf("%s: %s: OK: %u devices, %u rendezvous nodes\n",
		       ISM_PROG, dump.name, nr_devices, nr_rendezvous);
		status = 0;
	}
out:
	free(chk.inst);
	ism_dump_dispose(&dump);
	ism_schema_dispose(&schema);
	if (in != stdin)
		fclose(in);
	return status;
}
