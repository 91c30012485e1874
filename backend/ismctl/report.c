/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.c - the report of xen-ismd, read from its stats socket and joined
 * with the devices that ismctl finds in xenstore.  The format is in
 * backend/daemon/stats.h, next to its writer.  The socket is root's, but
 * the report is still bounded and checked: a malformed one is refused with
 * a message naming the line, never half read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ismctl.h"
#include "ismif.h"
#include "stats.h"

/* A field of a known line: its name in messages and its largest value. */
struct ism_ctl_field {
	const char *name;
	uint64_t max;
};

static const struct ism_ctl_field ism_ctl_total_fields[] = {
	{ "DEVICES", UINT32_MAX },
	{ "CONNECTED", UINT32_MAX },
	{ "REGIONS", UINT32_MAX },
	{ "RELEASED", UINT32_MAX },
	{ "GRANTS", UINT32_MAX },
	{ "QUARANTINED", UINT32_MAX },
	{ "HELD", UINT32_MAX },
	{ "REQUESTS", UINT64_MAX },
	{ "PROTOCOL_ERRORS", UINT64_MAX },
};

static const struct ism_ctl_field ism_ctl_daemon_fields[] = {
	{ "WAKEUPS", UINT64_MAX },
	{ "CPU_US", UINT64_MAX },
	{ "UPTIME_MS", UINT64_MAX },
};

static const struct ism_ctl_field ism_ctl_grants_fields[] = {
	{ "POOL", UINT32_MAX },
	{ "SHARE", UINT32_MAX },
	{ "DOMAIN_MAX", UINT32_MAX },
	{ "DOMAINS", UINT32_MAX },
};

static const struct ism_ctl_field ism_ctl_device_fields[] = {
	{ "DOMID", ISM_DOMID_MAX },
	{ "DEVID", ISM_DEVID_MAX },
	{ "STATE", 99 },
	{ "SLOTS", UINT32_MAX },
	{ "PEERS", UINT32_MAX },
	{ "GRANTS", UINT32_MAX },
	{ "BYTES", UINT64_MAX },
	/* Since issue 16 (an older xen-ismd's lines end before them). */
	{ "FAST", UINT32_MAX },
	{ "RELAYED", UINT64_MAX },
	{ "FP_REFUSED", UINT32_MAX },
	{ "FP_ERRNO", 4095 },
};

/* The device fields every xen-ismd sends. */
#define ISM_CTL_DEVICE_FIELDS_MIN 7

#define ISM_CTL_NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
#define ISM_CTL_FIELDS_MAX 16

/* The parse of one report. */
struct ism_ctl_parse {
	struct ism_ctl_report *r;
	unsigned int cap; /* of r->devs */
	unsigned int lineno;
	bool total, end;
	char *err;
	size_t errlen;
};

static __attribute__((format(printf, 2, 3))) int
ism_ctl_bad(struct ism_ctl_parse *ps, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(ps->err, ps->errlen, "line %u: ", ps->lineno);
	if (n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* @s (at most 32 characters of it) with anything unprintable as '?'. */
static const char *ism_ctl_shown(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 32; i++)
		buf[i] = s[i] >= ' ' && s[i] <= '~' ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* A decimal number, no sign, blank or leading zero, at most @max. */
static bool ism_ctl_number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned int)(*s - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/*
 * The fields of @line (a known line of kind @kind, which is its first
 * field) after the kind, as numbers: @num of them described by @fields, in
 * @vals.  Fields past @num are skipped.  The first @min are required; the
 * rest (added later to the format) come all or none.  Return: how many
 * were read (@min or @num), or -EBADMSG.
 */
static int ism_ctl_fields_min(struct ism_ctl_parse *ps, char *line,
			      const char *kind,
			      const struct ism_ctl_field *fields,
			      unsigned int num, unsigned int min,
			      uint64_t *vals)
{
	char *f[ISM_CTL_FIELDS_MAX], *s = line, *sp, shown[40];
	unsigned int n = 0, i;

	for (;;) {
		sp = strchr(s, ' ');
		if (sp == s || !*s)
			return ism_ctl_bad(ps,
					   "%s: empty field (two blanks "
					   "or one at the end)",
					   kind);
		if (n < ISM_CTL_FIELDS_MAX)
			f[n] = s;
		n++;
		if (!sp)
			break;
		*sp = '\0';
		s = sp + 1;
	}
	if (n - 1 < num && n - 1 != min)
		return min < num ?
			       ism_ctl_bad(ps, "%s: %u fields, want %u or %u",
					   kind, n - 1, min, num) :
			       ism_ctl_bad(ps, "%s: %u fields, want %u", kind,
					   n - 1, num);
	if (n - 1 < num)
		num = min;
	for (i = 0; i < num; i++) {
		if (!ism_ctl_number(f[i + 1], fields[i].max, &vals[i]))
			return ism_ctl_bad(ps,
					   "%s: %s `%s' is not a number from "
					   "0 to %llu",
					   kind, fields[i].name,
					   ism_ctl_shown(f[i + 1], shown,
							 sizeof(shown)),
					   (unsigned long long)fields[i].max);
	}
	return (int)num;
}

/* All @num fields required.  0 or -EBADMSG. */
static int ism_ctl_fields(struct ism_ctl_parse *ps, char *line,
			  const char *kind, const struct ism_ctl_field *fields,
			  unsigned int num, uint64_t *vals)
{
	int n = ism_ctl_fields_min(ps, line, kind, fields, num, num, vals);

	return n < 0 ? n : 0;
}

static int ism_ctl_header(struct ism_ctl_parse *ps, char *line)
{
	static const struct ism_ctl_field version = { "version", UINT32_MAX };
	char shown[40];
	uint64_t v;
	int rc;

	if (strncmp(line, ISMD_STATS_MAGIC " ", strlen(ISMD_STATS_MAGIC) + 1))
		return ism_ctl_bad(ps,
				   "not a xen-ismd report (it begins with "
				   "`%s')",
				   ism_ctl_shown(line, shown, sizeof(shown)));
	rc = ism_ctl_fields(ps, line, ISMD_STATS_MAGIC, &version, 1, &v);
	if (!rc && v != ISMD_STATS_VERSION)
		rc = ism_ctl_bad(ps,
				 "report version %llu; this ismctl reads "
				 "version %d",
				 (unsigned long long)v, ISMD_STATS_VERSION);
	return rc;
}

/* A kind of line that comes at most once; *@seen says if it came. */
static int ism_ctl_once(struct ism_ctl_parse *ps, char *line, const char *kind,
			bool *seen, const struct ism_ctl_field *fields,
			unsigned int num, uint64_t *vals)
{
	if (*seen)
		return ism_ctl_bad(ps, "a second `%s' line", kind);
	*seen = true;
	return ism_ctl_fields(ps, line, kind, fields, num, vals);
}

static int ism_ctl_total(struct ism_ctl_parse *ps, char *line)
{
	struct ism_backend_stats *t = &ps->r->total;
	uint64_t v[ISM_CTL_NFIELDS(ism_ctl_total_fields)];
	int rc;

	rc = ism_ctl_once(ps, line, "total", &ps->total, ism_ctl_total_fields,
			  ISM_CTL_NFIELDS(ism_ctl_total_fields), v);
	if (rc)
		return rc;
	t->devices = (unsigned int)v[0];
	t->connected = (unsigned int)v[1];
	t->regions = (unsigned int)v[2];
	t->released = (unsigned int)v[3];
	t->grants = (unsigned int)v[4];
	t->quarantined = (unsigned int)v[5];
	t->held = (unsigned int)v[6];
	t->requests = v[7];
	t->protocol_errors = v[8];
	return 0;
}

static int ism_ctl_daemon(struct ism_ctl_parse *ps, char *line)
{
	uint64_t v[ISM_CTL_NFIELDS(ism_ctl_daemon_fields)];
	struct ism_ctl_report *r = ps->r;
	int rc;

	rc = ism_ctl_once(ps, line, "daemon", &r->daemon_found,
			  ism_ctl_daemon_fields,
			  ISM_CTL_NFIELDS(ism_ctl_daemon_fields), v);
	if (rc)
		return rc;
	r->daemon.wakeups = v[0];
	r->daemon.cpu_us = v[1];
	r->daemon.uptime_ms = v[2];
	return 0;
}

static int ism_ctl_grants(struct ism_ctl_parse *ps, char *line)
{
	uint64_t v[ISM_CTL_NFIELDS(ism_ctl_grants_fields)];
	struct ism_ctl_report *r = ps->r;
	int rc;

	rc = ism_ctl_once(ps, line, "grants", &r->grants_found,
			  ism_ctl_grants_fields,
			  ISM_CTL_NFIELDS(ism_ctl_grants_fields), v);
	if (rc)
		return rc;
	r->total.grant_pool = (unsigned int)v[0];
	r->total.grant_share = (unsigned int)v[1];
	r->total.grant_domain_max = (unsigned int)v[2];
	r->total.domains = (unsigned int)v[3];
	return 0;
}

static int ism_ctl_device(struct ism_ctl_parse *ps, char *line)
{
	uint64_t v[ISM_CTL_NFIELDS(ism_ctl_device_fields)];
	struct ism_ctl_report *r = ps->r;
	struct ism_device_stat *d;
	int n;

	n = ism_ctl_fields_min(ps, line, "device", ism_ctl_device_fields,
			       ISM_CTL_NFIELDS(ism_ctl_device_fields),
			       ISM_CTL_DEVICE_FIELDS_MIN, v);
	if (n < 0)
		return n;
	if (r->num == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 16;
		d = realloc(r->devs, ps->cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		r->devs = d;
	}
	d = &r->devs[r->num++];
	memset(d, 0, sizeof(*d));
	d->domid = (uint16_t)v[0];
	d->devid = (uint32_t)v[1];
	d->state = (int)v[2];
	d->slots = (unsigned int)v[3];
	d->peers = (unsigned int)v[4];
	d->grants = (unsigned int)v[5];
	d->bytes = v[6];
	d->events_known = n > ISM_CTL_DEVICE_FIELDS_MIN;
	if (d->events_known) {
		d->fast_paths = (unsigned int)v[7];
		d->relayed = v[8];
		d->fp_refused = (unsigned int)v[9];
		d->fp_errno = (int)v[10];
	}
	return 0;
}

/* One line, without its newline. */
static int ism_ctl_line(struct ism_ctl_parse *ps, char *line)
{
	size_t kind = strcspn(line, " ");

	if (ps->lineno == 1)
		return ism_ctl_header(ps, line);
	if (ps->end)
		return ism_ctl_bad(ps, "more after the `end' line");
	if (kind == 3 && !strncmp(line, "end", 3)) {
		if (!ps->total)
			return ism_ctl_bad(ps, "`end' before any `total' line");
		ps->end = true;
		return 0;
	}
	if (kind == 5 && !strncmp(line, "total", 5))
		return ism_ctl_total(ps, line);
	if (kind == 6 && !strncmp(line, "device", 6))
		return ism_ctl_device(ps, line);
	if (kind == 6 && !strncmp(line, "daemon", 6))
		return ism_ctl_daemon(ps, line);
	if (kind == 6 && !strncmp(line, "grants", 6))
		return ism_ctl_grants(ps, line);
	if (kind == strlen(ISMD_STATS_MAGIC) &&
	    !strncmp(line, ISMD_STATS_MAGIC, kind))
		return ism_ctl_bad(ps, "a second `" ISMD_STATS_MAGIC "' line");
	return 0; /* a kind of line this ismctl does not know */
}

static int ism_ctl_stat_cmp(const void *a, const void *b)
{
	const struct ism_device_stat *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	if (x->devid != y->devid)
		return x->devid < y->devid ? -1 : 1;
	return 0;
}

void ism_ctl_report_free(struct ism_ctl_report *r)
{
	free(r->devs);
	memset(r, 0, sizeof(*r));
}

int ism_ctl_report_parse(const char *buf, size_t len, struct ism_ctl_report *r,
			 char *err, size_t errlen)
{
	struct ism_ctl_parse ps = { .r = r, .err = err, .errlen = errlen };
	char line[ISM_CTL_REPORT_LINE_MAX + 1];
	const char *p = buf, *end = buf + len, *nl;
	unsigned int i;
	size_t n;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	err[0] = '\0';
	while (!rc && p < end) {
		ps.lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ps.lineno > ISM_CTL_REPORT_LINES_MAX)
			rc = ism_ctl_bad(&ps, "more than %u lines",
					 ISM_CTL_REPORT_LINES_MAX);
		else if (n > ISM_CTL_REPORT_LINE_MAX)
			rc = ism_ctl_bad(&ps, "longer than %u bytes",
					 ISM_CTL_REPORT_LINE_MAX);
		else if (!nl)
			rc = ism_ctl_bad(&ps, "truncated (no newline at the "
					      "end)");
		else if (memchr(p, '\0', n))
			rc = ism_ctl_bad(&ps, "a NUL byte");
		if (rc)
			break;
		memcpy(line, p, n);
		line[n] = '\0';
		rc = ism_ctl_line(&ps, line);
		p = nl + 1;
	}
	if (!rc && !ps.lineno)
		rc = ism_ctl_bad(&ps, "empty report");
	else if (!rc && !ps.end)
		rc = ism_ctl_bad(&ps, "truncated (no `end' line)");
	if (!rc && r->num)
		qsort(r->devs, r->num, sizeof(*r->devs), ism_ctl_stat_cmp);
	for (i = 1; !rc && i < r->num; i++) {
		if (!ism_ctl_stat_cmp(&r->devs[i - 1], &r->devs[i]))
			rc = ism_ctl_bad(&ps, "device %u %u is listed twice",
					 r->devs[i].domid, r->devs[i].devid);
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc)
		ism_ctl_report_free(r);
	return rc;
}

/* Connects to @path; the fd, or -errno. */
static int ism_ctl_report_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};
	int fd, rc;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		rc = -errno;
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	return rc;
}

int ism_ctl_report_read(const char *path, int timeout_ms,
			struct ism_ctl_report *r, char *err, size_t errlen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nbuf, why[256];
	ssize_t n;
	int fd, rc = 0;

	memset(r, 0, sizeof(*r));
	fd = ism_ctl_report_connect(path, timeout_ms);
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path,
			 strerror(-fd));
		return fd;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				rc = -ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = errno == EAGAIN || errno == EWOULDBLOCK ?
				     -ETIMEDOUT :
				     -errno;
			snprintf(err, errlen, "reading %s: %s", path,
				 rc == -ETIMEDOUT ? "xen-ismd does not answer" :
						    strerror(-rc));
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
		if (len > ISM_CTL_REPORT_BYTES_MAX) {
			rc = -EBADMSG;
			snprintf(err, errlen,
				 "bad report on %s: more than %u bytes", path,
				 ISM_CTL_REPORT_BYTES_MAX);
			goto out;
		}
	}
	rc = ism_ctl_report_parse(buf, len, r, why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "bad report on %s: %s", path, why);
out:
	free(buf);
	close(fd);
	return rc;
}

/* The row of (@domid, @devid) among the first @num of @devs, or NULL. */
static struct ism_ctl_device *ism_ctl_row(struct ism_ctl_device *devs,
					  unsigned int num,
					  const struct ism_device_stat *s)
{
	struct ism_ctl_device key = { .domid = s->domid, .devid = s->devid };

	if (!num)
		return NULL;
	return bsearch(&key, devs, num, sizeof(*devs), ism_ctl_device_cmp);
}

int ism_ctl_report_join(struct ism_ctl_device **devs, unsigned int *num,
			const struct ism_ctl_report *r)
{
	struct ism_ctl_device *v = *devs, *d;
	unsigned int i, more = 0, n = *num;

	for (i = 0; i < r->num; i++)
		more += !ism_ctl_row(v, n, &r->devs[i]);
	if (more) {
		v = realloc(v, (n + more) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		*devs = v;
	}
	for (i = 0; i < r->num; i++) {
		d = ism_ctl_row(v, n, &r->devs[i]);
		if (!d) {
			d = &v[*num];
			*num += 1;
			memset(d, 0, sizeof(*d));
			d->domid = r->devs[i].domid;
			d->devid = r->devs[i].devid;
			d->online = -1;
		}
		d->daemon_found = true;
		d->daemon = r->devs[i];
	}
	if (more)
		qsort(v, *num, sizeof(*v), ism_ctl_device_cmp);
	return 0;
}

int ism_ctl_list_run(struct ism_ctl *ctl, const char *socket_path, bool json,
		     FILE *out, FILE *notes)
{
	struct ism_ctl_device *devs = NULL;
	struct ism_ctl_report r = { 0 };
	unsigned int num = 0;
	char why[sizeof(ctl->err)];
	int rc, report;

	rc = ism_ctl_list(ctl, &devs, &num);
	if (rc)
		return rc;
	report = ism_ctl_report_read(socket_path, ISM_CTL_REPORT_TIMEOUT_MS, &r,
				     why, sizeof(why));
	if (!report) {
		rc = ism_ctl_report_join(&devs, &num, &r);
		if (rc) {
			snprintf(ctl->err, sizeof(ctl->err), "out of memory");
			goto out;
		}
	} else if (report == -ENOENT || report == -ECONNREFUSED) {
		fprintf(notes,
			"ismctl: xen-ismd is not running (%s %s): showing "
			"xenstore only\n",
			report == -ENOENT ? "no" : "nothing listens on",
			socket_path);
	} else {
		snprintf(ctl->err, sizeof(ctl->err), "%s", why);
	}
	ism_ctl_list_print(out, devs, num, report ? NULL : &r, json);
	if (report != -ENOENT && report != -ECONNREFUSED)
		rc = report;
out:
	ism_ctl_report_free(&r);
	free(devs);
	return rc;
}
