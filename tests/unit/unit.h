/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit.h - small helpers shared by the unit tests that run on the fake Xen.
 * Include after tap.h and fake-xen.h.
 */
#ifndef ISM_TESTS_UNIT_H
#define ISM_TESTS_UNIT_H

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether @fd polls readable right now (1), not (0), or poll failed (-1). */
static inline int unit_fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r = poll(&pfd, 1, 0);

	if (r < 0)
		return -1;
	return r > 0 && (pfd.revents & POLLIN);
}

/* Grant page @index of @handle alone (pages_grant of one page). */
static inline int unit_grant1(struct ism_platform *p, uint32_t handle,
			      unsigned int index, uint16_t domid, bool readonly,
			      uint32_t *gref_out)
{
	return fake_xen_ops.pages_grant(p, handle, index, 1, domid, readonly,
					gref_out);
}

/* End grant @gref alone: its status (0, -EBUSY, -ENOENT) or the failure. */
static inline int unit_end1(struct ism_platform *p, uint32_t gref)
{
	int status = 0;
	int rc = fake_xen_ops.pages_end_grants(p, &gref, 1, &status);

	return rc == -EBUSY || rc == -ENOENT ? status : rc;
}

/* Where unit_drain() takes events from: a platform, or a domain's test side. */
struct unit_watcher {
	struct ism_platform *p; /* if NULL, the test side of @domid */
	struct fake_xen *fx;
	uint16_t domid;
};

/*
 * Take every queued watch event of @w; return how many there were, and in
 * *@matched_out (if not NULL) how many had a path equal to @path.
 */
static inline int unit_drain(const struct unit_watcher *w, const char *path,
			     int *matched_out)
{
	char *ev_path, *token;
	int n = 0, matched = 0;

	while (!(w->p ? fake_xen_ops.xs_read_watch(w->p, &ev_path, &token) :
			fake_xen_xs_read_watch(w->fx, w->domid, &ev_path,
					       &token))) {
		n++;
		if (path && !strcmp(ev_path, path))
			matched++;
		free(ev_path);
		free(token);
	}
	if (matched_out)
		*matched_out = matched;
	return n;
}

static inline int unit_plat_drain(struct ism_platform *p, const char *path,
				  int *matched_out)
{
	const struct unit_watcher w = { .p = p };

	return unit_drain(&w, path, matched_out);
}

static inline int unit_dom_drain(struct fake_xen *fx, uint16_t domid,
				 const char *path, int *matched_out)
{
	const struct unit_watcher w = { .fx = fx, .domid = domid };

	return unit_drain(&w, path, matched_out);
}

/* Read @path as @domid; return the value (static buffer) or an errno text. */
static inline const char *unit_read(struct fake_xen *fx, uint16_t domid,
				    const char *path)
{
	static char buf[256];
	char *val;
	int rc;

	rc = fake_xen_xs_read(fx, domid, path, &val);
	if (rc) {
		snprintf(buf, sizeof(buf), "(error %d)", rc);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", val);
	free(val);
	return buf;
}

#endif /* ISM_TESTS_UNIT_H */
