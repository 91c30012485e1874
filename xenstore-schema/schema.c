/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the node list and checking values and permissions against it.
 * Everything here is pure: no xenstore, no global state.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ismif.h"
#include "schema.h"

#define ISM_LINE_MAX 1024
#define ISM_TEXT_MAX 256

static const char *const ism_side_names[ISM_SCHEMA_NR_SIDES] = {
	[ISM_SCHEMA_BACKEND] = "backend",
	[ISM_SCHEMA_FRONTEND] = "frontend",
	[ISM_SCHEMA_DATA] = "data",
};

/* Type names as the node list spells them (without ":LO:HI"). */
static const char *const ism_type_names[ISM_TYPE_NR] = {
	[ISM_TYPE_DIR] = "dir",		  [ISM_TYPE_XBSTATE] = "xbstate",
	[ISM_TYPE_UINT] = "uint",	  [ISM_TYPE_SIZE] = "size",
	[ISM_TYPE_BOOL] = "bool",	  [ISM_TYPE_HEX64] = "hex64",
	[ISM_TYPE_GREF] = "gref",	  [ISM_TYPE_EVTCHN] = "evtchn",
	[ISM_TYPE_DOMID_FE] = "domid:fe", [ISM_TYPE_DOMID_BE] = "domid:be",
	[ISM_TYPE_PATH_FE] = "path:fe",	  [ISM_TYPE_PATH_BE] = "path:be",
	[ISM_TYPE_VERSIONS] = "versions", [ISM_TYPE_VERSION] = "version",
	[ISM_TYPE_TEXT] = "text",	  [ISM_TYPE_RENDEZVOUS] = "rendezvous",
};

static const char *const ism_var_names[] = {
	[ISM_VAR_BE] = "$BE",
	[ISM_VAR_FE] = "$FE",
	[ISM_VAR_DOM] = "$DOM",
	[ISM_VAR_PEER] = "$PEER",
};

const char *ism_schema_side_name(enum ism_schema_side side)
{
	return side < ISM_SCHEMA_NR_SIDES ? ism_side_names[side] : "?";
}

static __attribute__((format(printf, 3, 4))) int ism_msg(char *buf, size_t len,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return 0;
}

void *ism_array_grow(void *array, size_t *cap, size_t nr, size_t size)
{
	size_t more = *cap ? *cap * 2 : 32;
	void *p;

	if (nr < *cap)
		return array;
	if (more > SIZE_MAX / size)
		return NULL;
	p = realloc(array, more * size);
	if (p)
		*cap = more;
	return p;
}

int ism_schema_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (p = s; *p; p++) {
		unsigned int d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned int)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ism_schema_name_is_valid(const char *name)
{
	return !ism_rdv_name_validate(name);
}

static int ism_parse_type(struct ism_schema_node *node, const char *word)
{
	char base[32];
	const char *colon;
	unsigned int t;

	node->lo = 0;
	node->hi = UINT64_MAX;
	for (t = 0; t < ISM_TYPE_NR; t++) {
		if (!strcmp(word, ism_type_names[t])) {
			node->type = (enum ism_schema_type)t;
			return node->type == ISM_TYPE_UINT ||
					       node->type == ISM_TYPE_SIZE ?
				       -EINVAL :
				       0;
		}
	}
	/* uint:LO:HI and size:LO:HI */
	colon = strchr(word, ':');
	if (!colon || (size_t)(colon - word) >= sizeof(base))
		return -EINVAL;
	memcpy(base, word, (size_t)(colon - word));
	base[colon - word] = '\0';
	if (!strcmp(base, "uint"))
		node->type = ISM_TYPE_UINT;
	else if (!strcmp(base, "size"))
		node->type = ISM_TYPE_SIZE;
	else
		return -EINVAL;
	{
		char lo[24], hi[24];
		const char *colon2 = strchr(colon + 1, ':');
		size_t lolen;

		if (!colon2)
			return -EINVAL;
		lolen = (size_t)(colon2 - colon - 1);
		if (lolen >= sizeof(lo) || strlen(colon2 + 1) >= sizeof(hi))
			return -EINVAL;
		memcpy(lo, colon + 1, lolen);
		lo[lolen] = '\0';
		strcpy(hi, colon2 + 1);
		if (ism_schema_parse_uint(lo, UINT64_MAX, &node->lo) ||
		    ism_schema_parse_uint(hi, UINT64_MAX, &node->hi) ||
		    node->lo > node->hi)
			return -EINVAL;
	}
	return 0;
}

static int ism_parse_perms(struct ism_schema_node *node, char *word)
{
	char *tok, *save = NULL;

	node->nr_perms = 0;
	for (tok = strtok_r(word, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct ism_schema_perm *p;
		unsigned int v;

		if (node->nr_perms == ISM_SCHEMA_MAX_PERMS)
			return -EINVAL;
		p = &node->perms[node->nr_perms];
		if (!strchr("nrwb", tok[0]) || !tok[0])
			return -EINVAL;
		p->mode = tok[0];
		for (v = 0; v < sizeof(ism_var_names) / sizeof(*ism_var_names);
		     v++)
			if (!strcmp(tok + 1, ism_var_names[v]))
				break;
		if (v == sizeof(ism_var_names) / sizeof(*ism_var_names))
			return -EINVAL;
		p->var = (enum ism_schema_var)v;
		node->nr_perms++;
	}
	return node->nr_perms ? 0 : -EINVAL;
}

static int ism_parse_node(struct ism_schema_node *node, char *line)
{
	char *w[8];
	char *save = NULL;
	unsigned int n = 0, s;
	uint64_t st;

	w[0] = strtok_r(line, " \t", &save);
	while (w[n] && n < 7)
		w[++n] = strtok_r(NULL, " \t", &save);
	/* exactly seven words */
	if (n != 7 || w[7] || strcmp(w[0], "node"))
		return -EINVAL;
	for (s = 0; s < ISM_SCHEMA_NR_SIDES; s++)
		if (!strcmp(w[1], ism_side_names[s]))
			break;
	if (s == ISM_SCHEMA_NR_SIDES)
		return -EINVAL;
	node->side = (enum ism_schema_side)s;
	if (strlen(w[2]) >= sizeof(node->name) ||
	    strlen(w[4]) >= sizeof(node->writer))
		return -EINVAL;
	strcpy(node->name, w[2]);
	strcpy(node->writer, w[4]);
	if (ism_parse_type(node, w[3]))
		return -EINVAL;
	if (!strcmp(w[5], "always")) {
		node->req = ISM_REQ_ALWAYS;
	} else if (!strcmp(w[5], "optional")) {
		node->req = ISM_REQ_OPTIONAL;
	} else if (!strncmp(w[5], "state>=", 7) &&
		   !ism_schema_parse_uint(w[5] + 7, ISM_XBS_CONNECTED, &st) &&
		   st >= ISM_XBS_INITIALISING) {
		node->req = ISM_REQ_STATE;
		node->req_state = (unsigned int)st;
	} else {
		return -EINVAL;
	}
	return ism_parse_perms(node, w[6]);
}

/* The node list declares each type it uses with a "type" line. */
static int ism_type_declared(char declared[][32], size_t nr, const char *t)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(declared[i], t))
			return 1;
	return 0;
}

int ism_schema_load(struct ism_schema *schema, const char *path, char *err,
		    size_t errlen)
{
	char line[ISM_LINE_MAX];
	char declared[ISM_TYPE_NR][32];
	size_t nr_declared = 0, cap = 0;
	unsigned int lineno = 0;
	FILE *f;
	int rc = 0;

	memset(schema, 0, sizeof(*schema));
	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		ism_msg(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		struct ism_schema_node *node;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f)) {
			rc = -EINVAL;
			ism_msg(err, errlen, "%s:%u: line too long", path,
				lineno);
			goto out;
		}
		if (!len || line[0] == '#' || line[0] == '\t')
			continue;
		if (!strncmp(line, "protocol ", 9)) {
			uint64_t v;

			if (ism_schema_parse_uint(line + 9, 255, &v)) {
				rc = -EINVAL;
				ism_msg(err, errlen, "%s:%u: bad protocol line",
					path, lineno);
				goto out;
			}
			schema->protocol = (unsigned int)v;
			continue;
		}
		if (!strncmp(line, "type ", 5)) {
			char *colon = strchr(line + 5, ':');

			/* "uint:LO:HI" declares "uint"; "domid:fe" itself */
			if (colon && (!strncmp(line + 5, "uint:", 5) ||
				      !strncmp(line + 5, "size:", 5)))
				*colon = '\0';
			if (nr_declared == ISM_TYPE_NR ||
			    strlen(line + 5) >= sizeof(declared[0])) {
				rc = -EINVAL;
				ism_msg(err, errlen, "%s:%u: bad type line",
					path, lineno);
				goto out;
			}
			strcpy(declared[nr_declared++], line + 5);
			continue;
		}
		node = ism_array_grow(schema->nodes, &cap, schema->nr_nodes,
				      sizeof(*schema->nodes));
		if (!node) {
			rc = -ENOMEM;
			ism_msg(err, errlen, "%s: out of memory", path);
			goto out;
		}
		schema->nodes = node;
		node = &schema->nodes[schema->nr_nodes];
		memset(node, 0, sizeof(*node));
		node->line = lineno;
		if (ism_parse_node(node, line)) {
			rc = -EINVAL;
			ism_msg(err, errlen,
				"%s:%u: not a valid node line "
				"(node SIDE NAME TYPE WRITER REQUIRED PERMS)",
				path, lineno);
			goto out;
		}
		{
			const char *base = ism_type_names[node->type];

			if (!ism_type_declared(declared, nr_declared, base)) {
				rc = -EINVAL;
				ism_msg(err, errlen,
					"%s:%u: type %s is used but not declared",
					path, lineno, base);
				goto out;
			}
		}
		schema->nr_nodes++;
	}
	if (ferror(f)) {
		rc = -EIO;
		ism_msg(err, errlen, "%s: read error", path);
	} else if (schema->protocol != ISM_PROTOCOL_VERSION_INT) {
		rc = -EINVAL;
		ism_msg(err, errlen, "%s: protocol %u, this program knows %d",
			path, schema->protocol, ISM_PROTOCOL_VERSION_INT);
	} else if (!schema->nr_nodes) {
		rc = -EINVAL;
		ism_msg(err, errlen, "%s: no nodes", path);
	}
out:
	fclose(f);
	if (rc)
		ism_schema_dispose(schema);
	return rc;
}

void ism_schema_dispose(struct ism_schema *schema)
{
	if (!schema)
		return;
	free(schema->nodes);
	schema->nodes = NULL;
	schema->nr_nodes = 0;
}

const struct ism_schema_node *
ism_schema_node_find(const struct ism_schema *schema, enum ism_schema_side side,
		     const char *name)
{
	const struct ism_schema_node *star = NULL;
	size_t i;

	for (i = 0; i < schema->nr_nodes; i++) {
		const struct ism_schema_node *node = &schema->nodes[i];

		if (node->side != side)
			continue;
		if (!strcmp(node->name, name))
			return node;
		if (!strcmp(node->name, "*") && strcmp(name, "."))
			star = node;
	}
	if (star && !ism_schema_name_is_valid(name))
		return NULL;
	return star;
}

/* 1 if @s starts with a hex64 (ismif.h's ism_hex64_parse()). */
static int ism_is_hex64(const char *s)
{
	uint64_t v;

	return !ism_hex64_parse(s, &v);
}

static int ism_check_versions(const char *value, char *why, size_t whylen)
{
	char buf[ISM_TEXT_MAX];
	char *tok, *save = NULL;
	uint64_t prev = 0, v;

	if (strlen(value) >= sizeof(buf) || !*value || value[0] == ',' ||
	    value[strlen(value) - 1] == ',' || strstr(value, ",,"))
		return ism_msg(why, whylen, "not a comma-separated list"),
		       -EINVAL;
	strcpy(buf, value);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (ism_schema_parse_uint(tok, 255, &v) || !v)
			return ism_msg(why, whylen,
				       "\"%s\" is not a version (1 to 255)",
				       tok),
			       -EINVAL;
		if (v <= prev)
			return ism_msg(why, whylen,
				       "versions are not ascending and unique"),
			       -EINVAL;
		prev = v;
	}
	return 0;
}

static int ism_version_listed(const char *versions, uint64_t want)
{
	const char *p = versions;

	while (p && *p) {
		uint64_t v = 0;

		while (*p >= '0' && *p <= '9')
			v = v * 10 + (uint64_t)(*p++ - '0');
		if (v == want)
			return 1;
		p = *p == ',' ? p + 1 : NULL;
	}
	return 0;
}

static int ism_check_rendezvous(const char *value, char *why, size_t whylen)
{
	const char *c1, *c2;
	char devid[16];
	uint64_t d;

	c1 = strchr(value, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2 || c1 - value != 16 || strlen(c2 + 1) != 16 ||
	    (size_t)(c2 - c1 - 1) >= sizeof(devid))
		goto bad;
	memcpy(devid, c1 + 1, (size_t)(c2 - c1 - 1));
	devid[c2 - c1 - 1] = '\0';
	if (!ism_is_hex64(value))
		return ism_msg(why, whylen,
			       "gid is not 16 lowercase hex digits (or is 0)"),
		       -EINVAL;
	if (ism_schema_parse_uint(devid, ISM_DEVID_MAX, &d) || !d)
		return ism_msg(why, whylen,
			       "devid \"%s\" is not 1 to 2147483647", devid),
		       -EINVAL;
	if (!ism_is_hex64(c2 + 1))
		return ism_msg(why, whylen,
			       "token is not 16 lowercase hex digits (or is 0)"),
		       -EINVAL;
	return 0;
bad:
	return ism_msg(why, whylen, "not <gid>:<devid>:<token>"), -EINVAL;
}

static int ism_check_number(const char *value, uint64_t lo, uint64_t hi,
			    const char *what, char *why, size_t whylen)
{
	uint64_t v;

	if (ism_schema_parse_uint(value, UINT64_MAX, &v) || v < lo || v > hi)
		return ism_msg(why, whylen,
			       "not %s (a decimal number from %llu to %llu)",
			       what, (unsigned long long)lo,
			       (unsigned long long)hi),
		       -EINVAL;
	return 0;
}

static int ism_check_equal(const char *value, const char *want,
			   const char *what, char *why, size_t whylen)
{
	if (!want || strcmp(value, want))
		return ism_msg(why, whylen, "must be %s \"%s\"", what,
			       want ? want : "?"),
		       -EINVAL;
	return 0;
}

int ism_schema_value_check(const struct ism_schema_node *node,
			   const char *value, const struct ism_schema_ctx *ctx,
			   char *why, size_t whylen)
{
	char num[16];
	uint64_t v;
	size_t i;

	switch (node->type) {
	case ISM_TYPE_DIR:
		if (*value)
			return ism_msg(why, whylen,
				       "a directory must have an empty value"),
			       -EINVAL;
		return 0;
	case ISM_TYPE_XBSTATE:
		return ism_check_number(value, ISM_XBS_INITIALISING,
					ISM_XBS_CLOSED, "a xenbus state", why,
					whylen);
	case ISM_TYPE_UINT:
		return ism_check_number(value, node->lo, node->hi, "a number",
					why, whylen);
	case ISM_TYPE_SIZE:
		if (ism_check_number(value, node->lo, node->hi, "a size", why,
				     whylen))
			return -EINVAL;
		if (!ism_schema_parse_uint(value, UINT64_MAX, &v) &&
		    v % ISM_PAGE_SIZE)
			return ism_msg(why, whylen,
				       "not a multiple of the page size 4096"),
			       -EINVAL;
		return 0;
	case ISM_TYPE_BOOL:
		if (strcmp(value, "0") && strcmp(value, "1"))
			return ism_msg(why, whylen, "not 0 or 1"), -EINVAL;
		return 0;
	case ISM_TYPE_HEX64:
		if (strlen(value) != 16 || !ism_is_hex64(value))
			return ism_msg(why, whylen,
				       "not 16 lowercase hex digits, "
				       "or all zero"),
			       -EINVAL;
		return 0;
	case ISM_TYPE_GREF:
		return ism_check_number(value, ISM_GREF_MIN, UINT32_MAX,
					"a grant reference", why, whylen);
	case ISM_TYPE_EVTCHN:
		return ism_check_number(value, 1, ISM_EVTCHN_MAX,
					"an event channel port", why, whylen);
	case ISM_TYPE_DOMID_FE:
		snprintf(num, sizeof(num), "%u", ctx->fe);
		return ism_check_equal(value, num, "the frontend's domid", why,
				       whylen);
	case ISM_TYPE_DOMID_BE:
		snprintf(num, sizeof(num), "%u", ctx->be);
		return ism_check_equal(value, num, "the backend's domid", why,
				       whylen);
	case ISM_TYPE_PATH_FE:
		return ism_check_equal(value, ctx->fe_path,
				       "the frontend directory", why, whylen);
	case ISM_TYPE_PATH_BE:
		return ism_check_equal(value, ctx->be_path,
				       "the backend directory", why, whylen);
	case ISM_TYPE_VERSIONS:
		return ism_check_versions(value, why, whylen);
	case ISM_TYPE_VERSION:
		if (ism_schema_parse_uint(value, 255, &v) || !v)
			return ism_msg(why, whylen, "not a version (1 to 255)"),
			       -EINVAL;
		if (ctx->versions && !ism_version_listed(ctx->versions, v))
			return ism_msg(why, whylen,
				       "version %s is not in the backend's "
				       "versions \"%s\"",
				       value, ctx->versions),
			       -EINVAL;
		return 0;
	case ISM_TYPE_TEXT:
		if (strlen(value) > ISM_TEXT_MAX)
			return ism_msg(why, whylen, "longer than %d octets",
				       ISM_TEXT_MAX),
			       -EINVAL;
		for (i = 0; value[i]; i++)
			if ((unsigned char)value[i] < ' ' ||
			    (unsigned char)value[i] > '~')
				return ism_msg(why, whylen,
					       "not printable text"),
				       -EINVAL;
		return 0;
	case ISM_TYPE_RENDEZVOUS:
		return ism_check_rendezvous(value, why, whylen);
	case ISM_TYPE_NR:
		break;
	}
	return ism_msg(why, whylen, "unknown type"), -EINVAL;
}

static unsigned int ism_var_value(enum ism_schema_var var,
				  const struct ism_schema_ctx *ctx)
{
	switch (var) {
	case ISM_VAR_BE:
		return ctx->be;
	case ISM_VAR_FE:
		return ctx->fe;
	case ISM_VAR_DOM:
	case ISM_VAR_PEER:
		break;
	}
	return ctx->dom;
}

/* The expected list as text, "$PEER" left as "<peer>". */
static void ism_perms_expected(const struct ism_schema_node *node,
			       const struct ism_schema_ctx *ctx, char *buf,
			       size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < node->nr_perms && used < len; i++) {
		const struct ism_schema_perm *p = &node->perms[i];
		int n;

		if (p->var == ISM_VAR_PEER)
			n = snprintf(buf + used, len - used, "%s%c<peer>",
				     i ? "," : "", p->mode);
		else
			n = snprintf(buf + used, len - used, "%s%c%u",
				     i ? "," : "", p->mode,
				     ism_var_value(p->var, ctx));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int ism_schema_perms_check(const struct ism_schema_node *node,
			   const char *perms, const struct ism_schema_ctx *ctx,
			   char *why, size_t whylen)
{
	char want[128];
	const char *p = perms;
	unsigned int i;

	ism_perms_expected(node, ctx, want, sizeof(want));
	for (i = 0; i < node->nr_perms; i++) {
		const struct ism_schema_perm *sp = &node->perms[i];
		char numbuf[8];
		size_t n = 0;
		uint64_t dom;

		if (i && *p++ != ',')
			goto bad;
		if (*p++ != sp->mode)
			goto bad;
		while (p[n] >= '0' && p[n] <= '9' && n < sizeof(numbuf) - 1) {
			numbuf[n] = p[n];
			n++;
		}
		numbuf[n] = '\0';
		p += n;
		if (ism_schema_parse_uint(numbuf, 65535, &dom))
			goto bad;
		if (sp->var == ISM_VAR_PEER) {
			if (dom == ctx->dom)
				goto bad;
		} else if (dom != ism_var_value(sp->var, ctx)) {
			goto bad;
		}
	}
	if (*p)
		goto bad;
	return 0;
bad:
	ism_msg(why, whylen, "permissions are (%s), the protocol requires (%s)",
		perms, want);
	return -EACCES;
}
