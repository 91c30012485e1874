/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * device.c - ismctl's xenstore work: domain names, devids, attach, detach
 * and the device list.  See ismctl.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ismctl.h"
#include "ismif.h"

#define ISM_CTL_PATH_MAX 160
/* A node in a directory of ISM_CTL_PATH_MAX. */
#define ISM_CTL_NODE_MAX (ISM_CTL_PATH_MAX + 32)
#define ISM_CTL_WATCH_TOKEN "ismctl-detach"

/* The frontend and backend directories of one device. */
#define ISM_CTL_FE_FMT "/local/domain/%u/device/" ISM_DEVICE_TYPE "/%u"
#define ISM_CTL_BE_FMT "/local/domain/%u/backend/" ISM_DEVICE_TYPE "/%u/%u"

static __attribute__((format(printf, 3, 4))) int
ism_ctl_fail(struct ism_ctl *ctl, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctl->err, sizeof(ctl->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* A xenstore failure: never -EINVAL, which means bad user input here. */
static int ism_ctl_xs_fail(struct ism_ctl *ctl, int rc, const char *op,
			   const char *path)
{
	ism_ctl_fail(ctl, rc, "xenstore: %s %s: %s", op, path, strerror(-rc));
	return rc == -EINVAL ? -EIO : rc;
}

/* Read @path as a string of at most @len - 1 bytes into @buf. */
static int ism_ctl_read(struct ism_ctl *ctl, uint32_t tx, const char *path,
			char *buf, size_t len)
{
	size_t vlen;
	char *val;
	int rc;

	rc = ctl->ops->xs_read(ctl->p, tx, path, &val, &vlen);
	if (rc)
		return rc;
	snprintf(buf, len, "%s", val);
	free(val);
	return 0;
}

/* Read a small decimal node; -EPROTO if it is not one. */
static int ism_ctl_read_uint(struct ism_ctl *ctl, uint32_t tx, const char *path,
			     unsigned long *v_out)
{
	char buf[24], *end;
	int rc;

	rc = ism_ctl_read(ctl, tx, path, buf, sizeof(buf));
	if (rc)
		return rc;
	errno = 0;
	*v_out = strtoul(buf, &end, 10);
	if (errno || end == buf || *end || buf[0] == '-')
		return -EPROTO;
	return 0;
}

static int ism_ctl_write(struct ism_ctl *ctl, uint32_t tx, const char *dir,
			 const char *node, const char *value)
{
	char path[ISM_CTL_NODE_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	rc = ctl->ops->xs_write(ctl->p, tx, path, value, strlen(value));
	return rc ? ism_ctl_xs_fail(ctl, rc, "write", path) : 0;
}

/* Parse a directory entry that names a domid or devid; false if not one. */
static bool ism_ctl_name_uint(const char *s, unsigned long max,
			      unsigned long *v_out)
{
	unsigned long v = 0;

	if (!*s || (*s == '0' && s[1]) || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > max)
		return false;
	*v_out = v;
	return true;
}

/* The children of @path; a missing or unreadable one has none. */
static int ism_ctl_dir(struct ism_ctl *ctl, uint32_t tx, const char *path,
		       char ***names_out, unsigned int *num_out)
{
	int rc;

	*names_out = NULL;
	*num_out = 0;
	rc = ctl->ops->xs_directory(ctl->p, tx, path, names_out, num_out);
	if (rc == -ENOENT || rc == -EACCES)
		return 0;
	return rc ? ism_ctl_xs_fail(ctl, rc, "list", path) : 0;
}

/* ---- Domains ------------------------------------------------------------- */

int ism_ctl_domain_lookup(struct ism_ctl *ctl, uint32_t tx, const char *domain,
			  bool must_exist, uint16_t *domid_out)
{
	char path[ISM_CTL_PATH_MAX], name[ISM_CTL_DOMAIN_MAX + 2];
	unsigned long id, found = 0;
	unsigned int num, i, matches = 0;
	char **doms;
	size_t len;
	int rc;

	if (!domain || !*domain || strlen(domain) > ISM_CTL_DOMAIN_MAX ||
	    strchr(domain, '/'))
		return ism_ctl_fail(ctl, -EINVAL, "bad domain `%s'",
				    domain ? domain : "");
	len = strspn(domain, "0123456789");
	if (!domain[len]) {
		if (!ism_ctl_name_uint(domain, ISM_DOMID_MAX, &id))
			return ism_ctl_fail(ctl, -EINVAL, "bad domain id `%s'",
					    domain);
		if (must_exist) {
			snprintf(path, sizeof(path), "/local/domain/%lu", id);
			rc = ism_ctl_read(ctl, tx, path, name, sizeof(name));
			if (rc == -ENOENT)
				return ism_ctl_fail(ctl, rc, "no domain %lu",
						    id);
			if (rc)
				return ism_ctl_xs_fail(ctl, rc, "read", path);
		}
		*domid_out = (uint16_t)id;
		return 0;
	}
	rc = ism_ctl_dir(ctl, tx, "/local/domain", &doms, &num);
	if (rc)
		return rc;
	for (i = 0; i < num; i++) {
		if (!ism_ctl_name_uint(doms[i], ISM_DOMID_MAX, &id))
			continue;
		snprintf(path, sizeof(path), "/local/domain/%lu/name", id);
		if (ism_ctl_read(ctl, tx, path, name, sizeof(name)))
			continue;
		if (!strcmp(name, domain)) {
			matches++;
			found = id;
		}
	}
	free(doms);
	if (!matches)
		return ism_ctl_fail(ctl, -ENOENT, "no domain named `%s'",
				    domain);
	if (matches > 1)
		return ism_ctl_fail(ctl, -ENOTUNIQ,
				    "%u domains are named `%s': use the id",
				    matches, domain);
	*domid_out = (uint16_t)found;
	return 0;
}

/* ---- Devids in use on the host ------------------------------------------- */

struct ism_ctl_used {
	uint32_t devid;
	uint16_t domid; /* the frontend */
};

struct ism_ctl_used_set {
	struct ism_ctl_used *v;
	unsigned int num, cap;
};

static int ism_ctl_used_add(struct ism_ctl_used_set *u, uint32_t devid,
			    uint16_t domid)
{
	struct ism_ctl_used *v;

	if (u->num == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 16;
		v = realloc(u->v, u->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		u->v = v;
	}
	u->v[u->num].devid = devid;
	u->v[u->num].domid = domid;
	u->num++;
	return 0;
}

static const struct ism_ctl_used *
ism_ctl_used_find(const struct ism_ctl_used_set *u, uint32_t devid)
{
	unsigned int i;

	for (i = 0; i < u->num; i++) {
		if (u->v[i].devid == devid)
			return &u->v[i];
	}
	return NULL;
}

/* Add the devids named by the children of @path, devices of @fe. */
static int ism_ctl_used_dir(struct ism_ctl *ctl, uint32_t tx, const char *path,
			    uint16_t fe, struct ism_ctl_used_set *u)
{
	unsigned long devid;
	unsigned int num, i;
	char **names;
	int rc;

	rc = ism_ctl_dir(ctl, tx, path, &names, &num);
	for (i = 0; !rc && i < num; i++) {
		if (ism_ctl_name_uint(names[i], ISM_DEVID_MAX, &devid) && devid)
			rc = ism_ctl_used_add(u, (uint32_t)devid, fe);
	}
	free(names);
	return rc;
}

/*
 * Every devid of the host: frontend directories and backend directories
 * of every domain (a half-removed device still holds its devid).
 */
static int ism_ctl_used_scan(struct ism_ctl *ctl, uint32_t tx,
			     struct ism_ctl_used_set *u)
{
	char path[ISM_CTL_PATH_MAX];
	unsigned int ndom, nfe, i, j;
	char **doms = NULL, **fes;
	unsigned long d, fe;
	int rc;

	rc = ism_ctl_dir(ctl, tx, "/local/domain", &doms, &ndom);
	for (i = 0; !rc && i < ndom; i++) {
		if (!ism_ctl_name_uint(doms[i], ISM_DOMID_MAX, &d))
			continue;
		snprintf(path, sizeof(path),
			 "/local/domain/%lu/device/" ISM_DEVICE_TYPE, d);
		rc = ism_ctl_used_dir(ctl, tx, path, (uint16_t)d, u);
		if (rc)
			break;
		snprintf(path, sizeof(path),
			 "/local/domain/%lu/backend/" ISM_DEVICE_TYPE, d);
		rc = ism_ctl_dir(ctl, tx, path, &fes, &nfe);
		for (j = 0; !rc && j < nfe; j++) {
			if (!ism_ctl_name_uint(fes[j], ISM_DOMID_MAX, &fe))
				continue;
			snprintf(path, sizeof(path),
				 "/local/domain/%lu/backend/" ISM_DEVICE_TYPE
				 "/%lu",
				 d, fe);
			rc = ism_ctl_used_dir(ctl, tx, path, (uint16_t)fe, u);
		}
		free(fes);
	}
	free(doms);
	if (rc == -ENOMEM)
		ism_ctl_fail(ctl, rc, "out of memory");
	return rc;
}

/* The next devid: one above the highest in use, else the lowest free. */
static int ism_ctl_devid_next(const struct ism_ctl_used_set *u,
			      uint32_t *devid_out)
{
	uint32_t max = 0, d;
	unsigned int i;

	for (i = 0; i < u->num; i++)
		max = u->v[i].devid > max ? u->v[i].devid : max;
	if (max < ISM_DEVID_MAX) {
		*devid_out = max + 1;
		return 0;
	}
	for (d = 1; d < ISM_DEVID_MAX; d++) {
		if (!ism_ctl_used_find(u, d)) {
			*devid_out = d;
			return 0;
		}
	}
	return -ENOSPC;
}

/* ---- Attach -------------------------------------------------------------- */

/* Create one directory with its permission list, as libxl does. */
static int ism_ctl_mkdir(struct ism_ctl *ctl, uint32_t tx, const char *path,
			 uint16_t owner, uint16_t reader)
{
	const struct ism_xs_perm perms[2] = {
		{ .domid = owner, .perms = ISM_XS_PERM_NONE },
		{ .domid = reader, .perms = ISM_XS_PERM_READ },
	};
	int rc;

	rc = ctl->ops->xs_mkdir(ctl->p, tx, path);
	if (rc)
		return ism_ctl_xs_fail(ctl, rc, "create", path);
	rc = ctl->ops->xs_set_perms(ctl->p, tx, path, perms, 2);
	if (rc)
		return ism_ctl_xs_fail(ctl, rc, "set permissions of", path);
	return 0;
}

/* Write the nodes of one new device; its children inherit the perms. */
static int ism_ctl_device_write(struct ism_ctl *ctl, uint32_t tx, uint16_t fe,
				uint16_t be, uint32_t devid)
{
	char fe_path[ISM_CTL_PATH_MAX], be_path[ISM_CTL_PATH_MAX], num[16];
	int rc;

	snprintf(fe_path, sizeof(fe_path), ISM_CTL_FE_FMT, fe, devid);
	snprintf(be_path, sizeof(be_path), ISM_CTL_BE_FMT, be, fe, devid);

	rc = ism_ctl_mkdir(ctl, tx, fe_path, fe, be);
	if (!rc)
		rc = ism_ctl_write(ctl, tx, fe_path, ISM_FIELD_BACKEND,
				   be_path);
	snprintf(num, sizeof(num), "%u", be);
	if (!rc)
		rc = ism_ctl_write(ctl, tx, fe_path, ISM_FIELD_BACKEND_ID, num);
	snprintf(num, sizeof(num), "%d", ISM_XBS_INITIALISING);
	if (!rc)
		rc = ism_ctl_write(ctl, tx, fe_path, ISM_FIELD_STATE, num);

	if (!rc)
		rc = ism_ctl_mkdir(ctl, tx, be_path, be, fe);
	if (!rc)
		rc = ism_ctl_write(ctl, tx, be_path, ISM_FIELD_FRONTEND,
				   fe_path);
	snprintf(num, sizeof(num), "%u", fe);
	if (!rc)
		rc = ism_ctl_write(ctl, tx, be_path, ISM_FIELD_FRONTEND_ID,
				   num);
	if (!rc)
		rc = ism_ctl_write(ctl, tx, be_path, ISM_FIELD_ONLINE, "1");
	snprintf(num, sizeof(num), "%d", ISM_XBS_INITIALISING);
	if (!rc)
		rc = ism_ctl_write(ctl, tx, be_path, ISM_FIELD_STATE, num);
	return rc;
}

/* One attempt at the attach transaction @tx. */
static int ism_ctl_attach_tx(struct ism_ctl *ctl, uint32_t tx,
			     const char *domain,
			     const struct ism_ctl_spec *specs, unsigned int num,
			     uint32_t *devids)
{
	struct ism_ctl_used_set used = { 0 };
	const struct ism_ctl_used *u;
	uint16_t fe, be;
	unsigned int i;
	uint32_t devid;
	int rc;

	rc = ism_ctl_domain_lookup(ctl, tx, domain, true, &fe);
	if (!rc)
		rc = ism_ctl_used_scan(ctl, tx, &used);
	for (i = 0; !rc && i < num; i++) {
		rc = ism_ctl_domain_lookup(
			ctl, tx, specs[i].backend[0] ? specs[i].backend : "0",
			true, &be);
		if (rc)
			break;
		devid = specs[i].devid;
		if (!devid && ism_ctl_devid_next(&used, &devid)) {
			rc = ism_ctl_fail(ctl, -ENOSPC,
					  "domain %s: no free devid on the "
					  "host",
					  domain);
			break;
		}
		u = ism_ctl_used_find(&used, devid);
		if (u) {
			rc = ism_ctl_fail(ctl, -EEXIST,
					  "domain %s: devid %u is already "
					  "used on this host (by domain %u)",
					  domain, devid, u->domid);
			break;
		}
		rc = ism_ctl_device_write(ctl, tx, fe, be, devid);
		if (!rc)
			rc = ism_ctl_used_add(&used, devid, fe);
		if (rc == -ENOMEM)
			ism_ctl_fail(ctl, rc, "out of memory");
		devids[i] = devid;
	}
	free(used.v);
	return rc;
}

int ism_ctl_attach(struct ism_ctl *ctl, const char *domain,
		   const struct ism_ctl_spec *specs, unsigned int num,
		   uint32_t *devids_out)
{
	uint32_t *devids;
	unsigned int attempt;
	uint32_t tx;
	int rc = -EAGAIN;

	ctl->err[0] = ctl->warn[0] = '\0';
	if (!domain || (num && !specs))
		return ism_ctl_fail(ctl, -EINVAL, "nothing to attach");
	devids = calloc(num ? num : 1, sizeof(*devids));
	if (!devids)
		return ism_ctl_fail(ctl, -ENOMEM, "out of memory");
	for (attempt = 0; rc == -EAGAIN && attempt < ISM_CTL_TX_RETRIES;
	     attempt++) {
		rc = ctl->ops->xs_transaction_start(ctl->p, &tx);
		if (rc) {
			rc = ism_ctl_xs_fail(ctl, rc, "start a transaction",
					     "for attach");
			break;
		}
		rc = ism_ctl_attach_tx(ctl, tx, domain, specs, num, devids);
		if (rc) {
			ctl->ops->xs_transaction_end(ctl->p, tx, true);
			break;
		}
		rc = ctl->ops->xs_transaction_end(ctl->p, tx, false);
		if (rc && rc != -EAGAIN)
			rc = ism_ctl_xs_fail(ctl, rc, "commit", "the devices");
	}
	if (rc == -EAGAIN)
		ism_ctl_fail(ctl, rc,
			     "domain %s: xenstore kept changing under the "
			     "transaction; try again",
			     domain);
	if (!rc && devids_out)
		memcpy(devids_out, devids, num * sizeof(*devids));
	free(devids);
	return rc;
}

/* ---- Detach -------------------------------------------------------------- */

/* The domain whose backend directory serves @fe's @devid; -ENOENT. */
static int ism_ctl_backend_find(struct ism_ctl *ctl, uint16_t fe,
				uint32_t devid, uint16_t *be_out)
{
	char path[ISM_CTL_PATH_MAX], val[8];
	unsigned int num, i;
	unsigned long d;
	char **doms;
	int rc;

	rc = ism_ctl_dir(ctl, ISM_XS_NO_TX, "/local/domain", &doms, &num);
	if (rc)
		return rc;
	rc = -ENOENT;
	for (i = 0; i < num && rc == -ENOENT; i++) {
		if (!ism_ctl_name_uint(doms[i], ISM_DOMID_MAX, &d))
			continue;
		snprintf(path, sizeof(path), ISM_CTL_BE_FMT, (unsigned int)d,
			 fe, devid);
		if (!ism_ctl_read(ctl, ISM_XS_NO_TX, path, val, sizeof(val))) {
			*be_out = (uint16_t)d;
			rc = 0;
		}
	}
	free(doms);
	return rc;
}

static long ism_ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until the backend's state is Closed (or the node is gone), at most
 * @timeout_ms.  0 if it closed, -ETIMEDOUT if not, xenstore errors.
 */
static int ism_ctl_wait_closed(struct ism_ctl *ctl, const char *be_path,
			       int timeout_ms)
{
	char state_path[ISM_CTL_NODE_MAX], *ev_path, *token;
	long deadline = ism_ctl_now_ms() + timeout_ms, left;
	struct pollfd pfd = { .events = POLLIN };
	unsigned long state;
	int rc;

	snprintf(state_path, sizeof(state_path), "%s/" ISM_FIELD_STATE,
		 be_path);
	rc = ctl->ops->xs_watch(ctl->p, state_path, ISM_CTL_WATCH_TOKEN);
	if (rc)
		return ism_ctl_xs_fail(ctl, rc, "watch", state_path);
	pfd.fd = ctl->ops->xs_fd(ctl->p);
	for (;;) {
		while (!ctl->ops->xs_read_watch(ctl->p, &ev_path, &token)) {
			free(ev_path);
			free(token);
		}
		rc = ism_ctl_read_uint(ctl, ISM_XS_NO_TX, state_path, &state);
		if (rc == -ENOENT || (!rc && state == ISM_XBS_CLOSED)) {
			rc = 0;
			break;
		}
		left = deadline - ism_ctl_now_ms();
		if (left <= 0 || pfd.fd < 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	ctl->ops->xs_unwatch(ctl->p, state_path, ISM_CTL_WATCH_TOKEN);
	return rc;
}

/* Remove both directories, and the backend's per-frontend one if empty. */
static int ism_ctl_remove_tx(struct ism_ctl *ctl, uint32_t tx,
			     const char *fe_path, const char *be_path,
			     const char *be_parent)
{
	unsigned int num;
	char **names;
	int rc;

	rc = ctl->ops->xs_rm(ctl->p, tx, fe_path);
	if (rc && rc != -ENOENT) /* -ENOENT: the domain is gone */
		return ism_ctl_xs_fail(ctl, rc, "remove", fe_path);
	if (!be_path)
		return 0;
	rc = ctl->ops->xs_rm(ctl->p, tx, be_path);
	if (rc && rc != -ENOENT)
		return ism_ctl_xs_fail(ctl, rc, "remove", be_path);
	rc = ism_ctl_dir(ctl, tx, be_parent, &names, &num);
	free(names);
	if (!rc && !num) {
		rc = ctl->ops->xs_rm(ctl->p, tx, be_parent);
		if (rc && rc != -ENOENT)
			return ism_ctl_xs_fail(ctl, rc, "remove", be_parent);
		rc = 0;
	}
	return rc;
}

int ism_ctl_detach(struct ism_ctl *ctl, const char *domain, uint32_t devid,
		   int timeout_ms)
{
	char fe_path[ISM_CTL_PATH_MAX], be_path[ISM_CTL_PATH_MAX];
	char be_parent[ISM_CTL_PATH_MAX], path[ISM_CTL_NODE_MAX], val[8];
	unsigned long state = 0;
	unsigned int attempt;
	bool has_fe, has_be;
	uint16_t fe, be = 0;
	uint32_t tx;
	int rc;

	ctl->err[0] = ctl->warn[0] = '\0';
	rc = ism_ctl_domain_lookup(ctl, ISM_XS_NO_TX, domain, false, &fe);
	if (rc)
		return rc;
	snprintf(fe_path, sizeof(fe_path), ISM_CTL_FE_FMT, fe, devid);
	has_fe = !ism_ctl_read(ctl, ISM_XS_NO_TX, fe_path, val, sizeof(val));
	rc = ism_ctl_backend_find(ctl, fe, devid, &be);
	if (rc && rc != -ENOENT)
		return rc;
	has_be = !rc;
	if (!has_fe && !has_be)
		return ism_ctl_fail(ctl, -ENOENT,
				    "domain %s has no ism device %u", domain,
				    devid);
	snprintf(be_path, sizeof(be_path), ISM_CTL_BE_FMT, be, fe, devid);
	snprintf(be_parent, sizeof(be_parent),
		 "/local/domain/%u/backend/" ISM_DEVICE_TYPE "/%u", be, fe);

	if (has_be) {
		/* Ask the backend to close, then give it time to. */
		rc = ism_ctl_write(ctl, ISM_XS_NO_TX, be_path, ISM_FIELD_ONLINE,
				   "0");
		if (rc)
			return rc;
		snprintf(path, sizeof(path), "%s/" ISM_FIELD_STATE, be_path);
		if (ism_ctl_read_uint(ctl, ISM_XS_NO_TX, path, &state))
			state = 0;
	}
	if (has_be && timeout_ms > 0 && state > ISM_XBS_INITIALISING &&
	    state != ISM_XBS_CLOSED) {
		rc = ism_ctl_wait_closed(ctl, be_path, timeout_ms);
		if (rc == -ETIMEDOUT)
			snprintf(ctl->warn, sizeof(ctl->warn),
				 "domain %s devid %u: the backend (domain "
				 "%u) did not close within %d ms; removed "
				 "anyway",
				 domain, devid, be, timeout_ms);
		else if (rc)
			return rc;
	}

	rc = -EAGAIN;
	for (attempt = 0; rc == -EAGAIN && attempt < ISM_CTL_TX_RETRIES;
	     attempt++) {
		rc = ctl->ops->xs_transaction_start(ctl->p, &tx);
		if (rc)
			return ism_ctl_xs_fail(ctl, rc, "start a transaction",
					       "for detach");
		rc = ism_ctl_remove_tx(ctl, tx, fe_path,
				       has_be ? be_path : NULL, be_parent);
		if (rc) {
			ctl->ops->xs_transaction_end(ctl->p, tx, true);
			return rc;
		}
		rc = ctl->ops->xs_transaction_end(ctl->p, tx, false);
		if (rc && rc != -EAGAIN)
			return ism_ctl_xs_fail(ctl, rc, "commit",
					       "the removal");
	}
	if (rc)
		return ism_ctl_fail(ctl, rc,
				    "domain %s devid %u: xenstore kept "
				    "changing under the transaction; try again",
				    domain, devid);
	return 0;
}

/* ---- List ---------------------------------------------------------------- */

struct ism_ctl_devs {
	struct ism_ctl_device *v;
	unsigned int num, cap;
};

static struct ism_ctl_device *ism_ctl_devs_get(struct ism_ctl_devs *d,
					       uint16_t fe, uint32_t devid)
{
	struct ism_ctl_device *v;
	unsigned int i;

	for (i = 0; i < d->num; i++) {
		if (d->v[i].domid == fe && d->v[i].devid == devid)
			return &d->v[i];
	}
	if (d->num == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		v = realloc(d->v, d->cap * sizeof(*v));
		if (!v)
			return NULL;
		d->v = v;
	}
	v = &d->v[d->num++];
	memset(v, 0, sizeof(*v));
	v->domid = fe;
	v->devid = devid;
	v->online = -1;
	return v;
}

static void ism_ctl_name_of(struct ism_ctl *ctl, uint16_t domid, char *buf,
			    size_t len)
{
	char path[ISM_CTL_PATH_MAX];

	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	if (ism_ctl_read(ctl, ISM_XS_NO_TX, path, buf, len))
		buf[0] = '\0';
}

/* Fill the rows of the backend directories below @path (domain @be). */
static int ism_ctl_list_backends(struct ism_ctl *ctl, uint16_t be,
				 struct ism_ctl_devs *devs)
{
	char path[ISM_CTL_PATH_MAX], node[ISM_CTL_PATH_MAX];
	unsigned int nfe, ndev, i, j;
	char **fes = NULL, **ids;
	unsigned long fe, devid, v;
	struct ism_ctl_device *d;
	int rc;

	snprintf(path, sizeof(path),
		 "/local/domain/%u/backend/" ISM_DEVICE_TYPE, be);
	rc = ism_ctl_dir(ctl, ISM_XS_NO_TX, path, &fes, &nfe);
	for (i = 0; !rc && i < nfe; i++) {
		if (!ism_ctl_name_uint(fes[i], ISM_DOMID_MAX, &fe))
			continue;
		snprintf(path, sizeof(path),
			 "/local/domain/%u/backend/" ISM_DEVICE_TYPE "/%lu", be,
			 fe);
		rc = ism_ctl_dir(ctl, ISM_XS_NO_TX, path, &ids, &ndev);
		for (j = 0; !rc && j < ndev; j++) {
			if (!ism_ctl_name_uint(ids[j], ISM_DEVID_MAX, &devid))
				continue;
			d = ism_ctl_devs_get(devs, (uint16_t)fe,
					     (uint32_t)devid);
			if (!d) {
				rc = -ENOMEM;
				break;
			}
			d->backend = be;
			d->backend_found = true;
			snprintf(node, sizeof(node), ISM_CTL_BE_FMT "/%s", be,
				 (unsigned int)fe, (unsigned int)devid,
				 ISM_FIELD_STATE);
			if (!ism_ctl_read_uint(ctl, ISM_XS_NO_TX, node, &v))
				d->backend_state = (int)(v < 100 ? v : 99);
			snprintf(node, sizeof(node), ISM_CTL_BE_FMT "/%s", be,
				 (unsigned int)fe, (unsigned int)devid,
				 ISM_FIELD_ONLINE);
			if (!ism_ctl_read_uint(ctl, ISM_XS_NO_TX, node, &v))
				d->online = v ? 1 : 0;
			snprintf(node, sizeof(node), ISM_CTL_BE_FMT "/%s", be,
				 (unsigned int)fe, (unsigned int)devid,
				 ISM_FIELD_ERROR);
			ism_ctl_read(ctl, ISM_XS_NO_TX, node, d->error,
				     sizeof(d->error));
		}
		free(ids);
	}
	free(fes);
	return rc;
}

/* Fill the rows of the frontend directories of domain @fe. */
static int ism_ctl_list_frontends(struct ism_ctl *ctl, uint16_t fe,
				  struct ism_ctl_devs *devs)
{
	char path[ISM_CTL_PATH_MAX], node[ISM_CTL_PATH_MAX];
	unsigned long devid, v;
	struct ism_ctl_device *d;
	unsigned int num, i;
	char **ids;
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%u/device/" ISM_DEVICE_TYPE,
		 fe);
	rc = ism_ctl_dir(ctl, ISM_XS_NO_TX, path, &ids, &num);
	for (i = 0; !rc && i < num; i++) {
		if (!ism_ctl_name_uint(ids[i], ISM_DEVID_MAX, &devid))
			continue;
		d = ism_ctl_devs_get(devs, fe, (uint32_t)devid);
		if (!d) {
			rc = -ENOMEM;
			break;
		}
		d->frontend_found = true;
		snprintf(node, sizeof(node), ISM_CTL_FE_FMT "/%s", fe,
			 (unsigned int)devid, ISM_FIELD_STATE);
		if (!ism_ctl_read_uint(ctl, ISM_XS_NO_TX, node, &v))
			d->frontend_state = (int)(v < 100 ? v : 99);
		snprintf(node, sizeof(node), ISM_CTL_FE_FMT "/%s", fe,
			 (unsigned int)devid, ISM_FIELD_BACKEND_ID);
		if (!d->backend_found &&
		    !ism_ctl_read_uint(ctl, ISM_XS_NO_TX, node, &v) &&
		    v <= ISM_DOMID_MAX)
			d->backend = (uint16_t)v;
	}
	free(ids);
	return rc;
}

int ism_ctl_device_cmp(const void *a, const void *b)
{
	const struct ism_ctl_device *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	if (x->devid != y->devid)
		return x->devid < y->devid ? -1 : 1;
	return 0;
}

int ism_ctl_list(struct ism_ctl *ctl, struct ism_ctl_device **devs_out,
		 unsigned int *num_out)
{
	struct ism_ctl_devs devs = { 0 };
	unsigned int ndom, i;
	unsigned long d;
	char **doms;
	int rc;

	ctl->err[0] = ctl->warn[0] = '\0';
	rc = ism_ctl_dir(ctl, ISM_XS_NO_TX, "/local/domain", &doms, &ndom);
	if (rc)
		return rc;
	/* Backends first: they say who serves the device. */
	for (i = 0; !rc && i < ndom; i++) {
		if (ism_ctl_name_uint(doms[i], ISM_DOMID_MAX, &d))
			rc = ism_ctl_list_backends(ctl, (uint16_t)d, &devs);
	}
	for (i = 0; !rc && i < ndom; i++) {
		if (ism_ctl_name_uint(doms[i], ISM_DOMID_MAX, &d))
			rc = ism_ctl_list_frontends(ctl, (uint16_t)d, &devs);
	}
	free(doms);
	if (rc) {
		free(devs.v);
		if (rc == -ENOMEM)
			ism_ctl_fail(ctl, rc, "out of memory");
		return rc;
	}
	for (i = 0; i < devs.num; i++) {
		ism_ctl_name_of(ctl, devs.v[i].domid, devs.v[i].name,
				sizeof(devs.v[i].name));
		ism_ctl_name_of(ctl, devs.v[i].backend, devs.v[i].backend_name,
				sizeof(devs.v[i].backend_name));
	}
	if (devs.num)
		qsort(devs.v, devs.num, sizeof(*devs.v), ism_ctl_device_cmp);
	*devs_out = devs.v;
	*num_out = devs.num;
	return 0;
}
