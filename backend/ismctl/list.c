/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * list.c - how `ismctl list` prints devices: a table of columns, each with
 * a title for the text table, a key for JSON and a function that gives the
 * value; then the daemon's totals, grant pool and own cost, tables of their
 * own.  A new column, total or cost is one entry (and a line of ismctl(8)).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ismctl.h"
#include "ismif.h"

enum ism_ctl_kind {
	ISM_CTL_NONE, /* missing: "-" in the table, null in JSON */
	ISM_CTL_NUM, /* a number in JSON; @text (or the number) in the table */
	ISM_CTL_STR, /* a string in both */
};

struct ism_ctl_value {
	enum ism_ctl_kind kind;
	unsigned long long num;
	char text[300];
};

struct ism_ctl_column {
	const char *title;
	const char *key;
	int width; /* of the text column; the last one is not padded */
	void (*get)(const struct ism_ctl_device *d, struct ism_ctl_value *v);
};

static const char *const ism_ctl_states[] = {
	"-",	     "Initialising", "InitWait", "Initialised",
	"Connected", "Closing",	     "Closed",
};

const char *ism_ctl_state_name(int state)
{
	if (state < 0 ||
	    state >= (int)(sizeof(ism_ctl_states) / sizeof(ism_ctl_states[0])))
		return "?";
	return ism_ctl_states[state];
}

static void ism_ctl_set_num(struct ism_ctl_value *v, unsigned long long num)
{
	v->kind = ISM_CTL_NUM;
	v->num = num;
	v->text[0] = '\0';
}

static void ism_ctl_set_str(struct ism_ctl_value *v, const char *s)
{
	v->kind = *s ? ISM_CTL_STR : ISM_CTL_NONE;
	snprintf(v->text, sizeof(v->text), "%s", s);
}

static void ism_ctl_set_state(struct ism_ctl_value *v, int state)
{
	if (!state) {
		v->kind = ISM_CTL_NONE;
		return;
	}
	ism_ctl_set_num(v, state);
	snprintf(v->text, sizeof(v->text), "%s", ism_ctl_state_name(state));
}

static void ism_ctl_col_name(const struct ism_ctl_device *d,
			     struct ism_ctl_value *v)
{
	ism_ctl_set_str(v, d->name);
}

static void ism_ctl_col_domid(const struct ism_ctl_device *d,
			      struct ism_ctl_value *v)
{
	ism_ctl_set_num(v, d->domid);
}

static void ism_ctl_col_devid(const struct ism_ctl_device *d,
			      struct ism_ctl_value *v)
{
	ism_ctl_set_num(v, d->devid);
}

static void ism_ctl_col_backend(const struct ism_ctl_device *d,
				struct ism_ctl_value *v)
{
	if (d->backend_found || d->frontend_found)
		ism_ctl_set_num(v, d->backend);
	else
		v->kind = ISM_CTL_NONE; /* only the daemon has it */
}

static void ism_ctl_col_backend_name(const struct ism_ctl_device *d,
				     struct ism_ctl_value *v)
{
	ism_ctl_set_str(v, d->backend_name);
}

static void ism_ctl_col_fe_state(const struct ism_ctl_device *d,
				 struct ism_ctl_value *v)
{
	ism_ctl_set_state(v, d->frontend_found ? d->frontend_state : 0);
}

static void ism_ctl_col_be_state(const struct ism_ctl_device *d,
				 struct ism_ctl_value *v)
{
	ism_ctl_set_state(v, d->backend_found ? d->backend_state : 0);
}

static void ism_ctl_col_online(const struct ism_ctl_device *d,
			       struct ism_ctl_value *v)
{
	if (d->online < 0)
		v->kind = ISM_CTL_NONE;
	else
		ism_ctl_set_num(v, d->online);
}

static void ism_ctl_col_regions(const struct ism_ctl_device *d,
				struct ism_ctl_value *v)
{
	v->kind = ISM_CTL_NONE;
	if (d->daemon_found)
		ism_ctl_set_num(v, d->daemon.slots);
}

static void ism_ctl_col_peers(const struct ism_ctl_device *d,
			      struct ism_ctl_value *v)
{
	v->kind = ISM_CTL_NONE;
	if (d->daemon_found)
		ism_ctl_set_num(v, d->daemon.peers);
}

static void ism_ctl_col_grants(const struct ism_ctl_device *d,
			       struct ism_ctl_value *v)
{
	v->kind = ISM_CTL_NONE;
	if (d->daemon_found)
		ism_ctl_set_num(v, d->daemon.grants);
}

static void ism_ctl_col_bytes(const struct ism_ctl_device *d,
			      struct ism_ctl_value *v)
{
	v->kind = ISM_CTL_NONE;
	if (d->daemon_found)
		ism_ctl_set_num(v, d->daemon.bytes);
}

static void ism_ctl_col_fast(const struct ism_ctl_device *d,
			     struct ism_ctl_value *v)
{
	v->kind = ISM_CTL_NONE;
	if (d->daemon_found && d->daemon.events_known)
		ism_ctl_set_num(v, d->daemon.fast_paths);
}

static void ism_ctl_col_relayed(const struct ism_ctl_device *d,
				struct ism_ctl_value *v)
{
	v->kind = ISM_CTL_NONE;
	if (d->daemon_found && d->daemon.events_known)
		ism_ctl_set_num(v, d->daemon.relayed);
}

/* How many fast paths Xen refused, and in the table the last errno. */
static void ism_ctl_col_fp_refused(const struct ism_ctl_device *d,
				   struct ism_ctl_value *v)
{
	const char *name;

	v->kind = ISM_CTL_NONE;
	if (!d->daemon_found || !d->daemon.events_known)
		return;
	ism_ctl_set_num(v, d->daemon.fp_refused);
	if (!d->daemon.fp_refused)
		return;
	name = d->daemon.fp_errno ? strerrorname_np(d->daemon.fp_errno) : NULL;
	if (name)
		snprintf(v->text, sizeof(v->text), "%u:%s",
			 d->daemon.fp_refused, name);
	else
		snprintf(v->text, sizeof(v->text), "%u:%d",
			 d->daemon.fp_refused, d->daemon.fp_errno);
}

static void ism_ctl_col_error(const struct ism_ctl_device *d,
			      struct ism_ctl_value *v)
{
	ism_ctl_set_str(v, d->error);
}

static const struct ism_ctl_column ism_ctl_columns[] = {
	{ "Name", "name", 16, ism_ctl_col_name },
	{ "Domid", "domid", 6, ism_ctl_col_domid },
	{ "Devid", "devid", 11, ism_ctl_col_devid },
	{ "BE", "backend", 6, ism_ctl_col_backend },
	{ "BE-name", "backend_name", 16, ism_ctl_col_backend_name },
	{ "FE-state", "frontend_state", 13, ism_ctl_col_fe_state },
	{ "BE-state", "backend_state", 13, ism_ctl_col_be_state },
	{ "Online", "online", 7, ism_ctl_col_online },
	{ "Regions", "regions", 8, ism_ctl_col_regions },
	{ "Peers", "peers", 6, ism_ctl_col_peers },
	{ "Grants", "grants", 7, ism_ctl_col_grants },
	{ "Bytes", "bytes", 12, ism_ctl_col_bytes },
	{ "Fast", "fast_paths", 5, ism_ctl_col_fast },
	{ "Relayed", "relayed", 9, ism_ctl_col_relayed },
	{ "FP-refused", "fast_path_refused", 11, ism_ctl_col_fp_refused },
	{ "Error", "error", 0, ism_ctl_col_error },
};

#define ISM_CTL_NCOLUMNS (sizeof(ism_ctl_columns) / sizeof(ism_ctl_columns[0]))

/* A number the daemon reports: a word for the text line, a key for JSON. */
struct ism_ctl_total {
	const char *word;
	const char *key;
};

/* The daemon's totals, on the line "Totals: ...". */
static const struct ism_ctl_total ism_ctl_totals[] = {
	{ "devices", "devices" },
	{ "connected", "connected" },
	{ "regions", "regions" },
	{ "released", "released" },
	{ "grants", "grants" },
	{ "quarantined", "quarantined" },
	{ "held", "held" },
	{ "requests", "requests" },
	{ "protocol errors", "protocol_errors" },
};

/* The daemon's own cost, on the line "Daemon: ..."; in JSON, in totals. */
static const struct ism_ctl_total ism_ctl_costs[] = {
	{ "wake-ups", "wakeups" },
	{ "us CPU", "cpu_us" },
	{ "ms up", "uptime_ms" },
};

/* The grant pool, on the line "Grants: ..."; in JSON, "grant_pool". */
static const struct ism_ctl_total ism_ctl_pool[] = {
	{ "in the pool", "pool" },
	{ "per domain now", "share" },
	{ "per domain at most", "domain_max" },
	{ "domains", "domains" },
};

#define ISM_CTL_NTOTALS (sizeof(ism_ctl_totals) / sizeof(ism_ctl_totals[0]))
#define ISM_CTL_NPOOL (sizeof(ism_ctl_pool) / sizeof(ism_ctl_pool[0]))
#define ISM_CTL_NCOSTS (sizeof(ism_ctl_costs) / sizeof(ism_ctl_costs[0]))

/* The values of @t in the order of ism_ctl_totals[]. */
static void ism_ctl_total_values(const struct ism_backend_stats *t,
				 uint64_t vals[ISM_CTL_NTOTALS])
{
	const uint64_t v[] = {
		t->devices,  t->connected, t->regions,
		t->released, t->grants,	   t->quarantined,
		t->held,     t->requests,  t->protocol_errors,
	};

	_Static_assert(sizeof(v) / sizeof(v[0]) == ISM_CTL_NTOTALS,
		       "one value per total");
	memcpy(vals, v, sizeof(v));
}

/* The values of @t in the order of ism_ctl_pool[]. */
static void ism_ctl_pool_values(const struct ism_backend_stats *t,
				uint64_t vals[ISM_CTL_NPOOL])
{
	const uint64_t v[] = { t->grant_pool, t->grant_share,
			       t->grant_domain_max, t->domains };

	_Static_assert(sizeof(v) / sizeof(v[0]) == ISM_CTL_NPOOL,
		       "one value per pool number");
	memcpy(vals, v, sizeof(v));
}

/* The values of @d in the order of ism_ctl_costs[]. */
static void ism_ctl_cost_values(const struct ismd_stats_daemon *d,
				uint64_t vals[ISM_CTL_NCOSTS])
{
	const uint64_t v[] = { d->wakeups, d->cpu_us, d->uptime_ms };

	_Static_assert(sizeof(v) / sizeof(v[0]) == ISM_CTL_NCOSTS,
		       "one value per cost");
	memcpy(vals, v, sizeof(v));
}

/*
 * The JSON members of @num numbers described by @t, each ", " after the
 * first of the object (@first): their @vals, or null if @vals is NULL.
 */
static void ism_ctl_json_totals(FILE *out, const struct ism_ctl_total *t,
				const uint64_t *vals, unsigned int num,
				bool first)
{
	unsigned int c;

	for (c = 0; c < num; c++) {
		fprintf(out, "%s\"%s\": ", first && !c ? "" : ", ", t[c].key);
		if (vals)
			fprintf(out, "%" PRIu64, vals[c]);
		else
			fputs("null", out);
	}
}

/* A text line: @title, then each of the @num numbers and its word. */
static void ism_ctl_text_totals(FILE *out, const char *title,
				const struct ism_ctl_total *t,
				const uint64_t *vals, unsigned int num)
{
	unsigned int c;

	fputs(title, out);
	for (c = 0; c < num; c++)
		fprintf(out, "%s %" PRIu64 " %s", c ? "," : "", vals[c],
			t[c].word);
	fputc('\n', out);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void ism_ctl_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void ism_ctl_print_json(FILE *out, const struct ism_ctl_device *devs,
			       unsigned int num,
			       const struct ism_ctl_report *report)
{
	uint64_t vals[ISM_CTL_NTOTALS], costs[ISM_CTL_NCOSTS];
	uint64_t pool[ISM_CTL_NPOOL];
	struct ism_ctl_value v;
	unsigned int i, c;

	fputs("{\n  \"devices\": [", out);
	for (i = 0; i < num; i++) {
		fputs(i ? ",\n    {" : "\n    {", out);
		for (c = 0; c < ISM_CTL_NCOLUMNS; c++) {
			ism_ctl_columns[c].get(&devs[i], &v);
			fprintf(out, "%s\"%s\": ", c ? ", " : "",
				ism_ctl_columns[c].key);
			if (v.kind == ISM_CTL_NUM)
				fprintf(out, "%llu", v.num);
			else if (v.kind == ISM_CTL_STR)
				ism_ctl_json_string(out, v.text);
			else
				fputs("null", out);
		}
		fputs("}", out);
	}
	fputs(num ? "\n  ],\n  \"totals\": " : "],\n  \"totals\": ", out);
	if (report) {
		ism_ctl_total_values(&report->total, vals);
		ism_ctl_cost_values(&report->daemon, costs);
		fputc('{', out);
		ism_ctl_json_totals(out, ism_ctl_totals, vals, ISM_CTL_NTOTALS,
				    true);
		ism_ctl_json_totals(out, ism_ctl_costs,
				    report->daemon_found ? costs : NULL,
				    ISM_CTL_NCOSTS, false);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputs(",\n  \"grant_pool\": ", out);
	if (report && report->grants_found) {
		ism_ctl_pool_values(&report->total, pool);
		fputc('{', out);
		ism_ctl_json_totals(out, ism_ctl_pool, pool, ISM_CTL_NPOOL,
				    true);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputs("\n}\n", out);
}

/* A table cell: printable characters only, the user's terminal is safe. */
static void ism_ctl_print_cell(FILE *out, const char *s, int width, bool last)
{
	int n = 0;

	for (; *s; s++, n++)
		fputc(*s >= ' ' && *s <= '~' ? *s : '?', out);
	if (!last)
		fprintf(out, "%*s", width > n ? width - n : 1, "");
}

void ism_ctl_list_print(FILE *out, const struct ism_ctl_device *devs,
			unsigned int num, const struct ism_ctl_report *report,
			bool json)
{
	uint64_t vals[ISM_CTL_NTOTALS], costs[ISM_CTL_NCOSTS];
	uint64_t pool[ISM_CTL_NPOOL];
	struct ism_ctl_value v;
	char buf[32];
	unsigned int i, c;
	bool last;

	if (json) {
		ism_ctl_print_json(out, devs, num, report);
		return;
	}
	for (c = 0; c < ISM_CTL_NCOLUMNS; c++)
		ism_ctl_print_cell(out, ism_ctl_columns[c].title,
				   ism_ctl_columns[c].width,
				   c + 1 == ISM_CTL_NCOLUMNS);
	fputc('\n', out);
	for (i = 0; i < num; i++) {
		for (c = 0; c < ISM_CTL_NCOLUMNS; c++) {
			last = c + 1 == ISM_CTL_NCOLUMNS;
			ism_ctl_columns[c].get(&devs[i], &v);
			if (v.kind == ISM_CTL_NONE) {
				ism_ctl_print_cell(out, "-",
						   ism_ctl_columns[c].width,
						   last);
			} else if (v.kind == ISM_CTL_NUM && !v.text[0]) {
				snprintf(buf, sizeof(buf), "%llu", v.num);
				ism_ctl_print_cell(out, buf,
						   ism_ctl_columns[c].width,
						   last);
			} else {
				ism_ctl_print_cell(out, v.text,
						   ism_ctl_columns[c].width,
						   last);
			}
		}
		fputc('\n', out);
	}
	if (!report)
		return;
	ism_ctl_total_values(&report->total, vals);
	ism_ctl_text_totals(out, "Totals:", ism_ctl_totals, vals,
			    ISM_CTL_NTOTALS);
	if (report->grants_found) {
		ism_ctl_pool_values(&report->total, pool);
		ism_ctl_text_totals(out, "Grants:", ism_ctl_pool, pool,
				    ISM_CTL_NPOOL);
	}
	if (!report->daemon_found)
		return;
	ism_ctl_cost_values(&report->daemon, costs);
	ism_ctl_text_totals(out, "Daemon:", ism_ctl_costs, costs,
			    ISM_CTL_NCOSTS);
}
