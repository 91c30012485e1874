// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-region [-d DEVID] STEP...: one region over libxenism (on device
 * DEVID, default the first), held across steps that a lab scenario orders
 * with xenstore flags.  The steps run in the order given:
 *
 *   alloc SIZE          allocate a region (default permissions)
 *   attach TOKEN|@PATH  attach by token, or the token in xenstore PATH
 *                       (waited for)
 *   fill                map the region and write the lab's pattern
 *   check WHAT          map (if not yet) and check the pattern is there
 *   put PATH VALUE      write xenstore PATH (VALUE @token: the token)
 *   get PATH            wait until xenstore PATH exists
 *   event TYPE          wait for an event about the region: attached,
 *                       detached, gone or released (others are skipped)
 *   free | detach       let the region go
 *
 * Each step prints "ok - what" or "not ok - what"; the first failure ends
 * the run (the region is detached on the way out).  Waits last at most
 * TIMEOUT_MS.  A step that names no region works without one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenism.h>
#include <xenstore.h>

#define TIMEOUT_MS 120000

struct run {
	ism_dev *dev;
	ism_region *r;
	struct xs_handle *xs;
	unsigned char *addr;
	size_t size;
};

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 131u + i / 4096u + 7u);
}

static int result(int rc, const char *fmt, const char *arg)
{
	printf("%s - ", rc ? "not ok" : "ok");
	printf(fmt, arg);
	if (rc)
		printf(" (%s)", strerror(-rc));
	printf("\n");
	fflush(stdout);
	return rc;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Wait for xenstore @path; its value (malloc'd) or NULL after the timeout,
 * by the clock: a busy host stretches each look and each sleep.
 */
static char *xs_wait(struct run *s, const char *path)
{
	long long end = now_ms() + TIMEOUT_MS;
	unsigned int len;
	char *v;

	while (!(v = xs_read(s->xs, XBT_NULL, path, &len)) && now_ms() < end)
		sleep_ms(100);
	return v;
}

static int do_map(struct run *s)
{
	void *addr;
	int rc;

	if (!s->r)
		return -EINVAL;
	rc = ism_region_map(s->r, &addr, &s->size);
	if (!rc)
		s->addr = addr;
	return rc;
}

static int do_check(struct run *s)
{
	size_t i;
	int rc = s->addr ? 0 : do_map(s);

	if (rc)
		return rc;
	for (i = 0; i < s->size; i++)
		if (s->addr[i] != pattern(i)) {
			fprintf(stderr, "octet %zu is 0x%02x, not 0x%02x\n", i,
				s->addr[i], pattern(i));
			return -EILSEQ;
		}
	return 0;
}

static int do_event(struct run *s, const char *name)
{
	static const struct {
		const char *name;
		unsigned int type;
	} types[] = {
		{ "attached", ISM_EVT_PEER_ATTACHED },
		{ "detached", ISM_EVT_PEER_DETACHED },
		{ "gone", ISM_EVT_PEER_GONE },
		{ "released", ISM_EVT_REGION_RELEASED },
	};
	struct ism_event ev;
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(name, types[i].name))
			break;
	if (i == sizeof(types) / sizeof(types[0]) || !s->r)
		return -EINVAL;
	for (;;) {
		rc = ism_event_wait(s->dev, TIMEOUT_MS, &ev);
		if (rc)
			return rc;
		if (ev.type == ISM_EVENT_DEVICE_CLOSED)
			return ev.status;
		if (ev.region != s->r)
			continue;
		if (ev.type == types[i].type)
			return 0;
		fprintf(stderr, "lab-region: event 0x%x while waiting for %s\n",
			ev.type, name);
	}
}

static int step(struct run *s, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	const char *w = *i + 2 < argc ? argv[*i + 2] : NULL;
	struct ism_region_info ri;
	char buf[32], *val;
	uint64_t tok;
	int rc;

	if (!strcmp(a, "alloc") && v) {
		(*i)++;
		rc = ism_region_alloc(s->dev, strtoull(v, NULL, 0),
				      ISM_PERM_DEFAULT, &s->r);
		return result(rc, "allocate a region of %s octets", v);
	}
	if (!strcmp(a, "attach") && v) {
		(*i)++;
		val = v[0] == '@' ? xs_wait(s, v + 1) : strdup(v);
		tok = val ? strtoull(val, NULL, 16) : 0;
		free(val);
		rc = tok ? ism_region_attach(s->dev, tok, 0, &s->r) : -ENOENT;
		return result(rc, "attach the region %s", v);
	}
	if (!strcmp(a, "fill")) {
		rc = do_map(s);
		if (!rc) {
			size_t k;

			for (k = 0; k < s->size; k++)
				s->addr[k] = pattern(k);
		}
		return result(rc, "map the region and write the pattern%s", "");
	}
	if (!strcmp(a, "check") && v) {
		(*i)++;
		return result(do_check(s), "%s", v);
	}
	if (!strcmp(a, "put") && v && w) {
		*i += 2;
		if (!strcmp(w, "@token") && s->r) {
			ism_region_info(s->r, &ri);
			snprintf(buf, sizeof(buf), "%016" PRIx64, ri.token);
			w = buf;
		}
		rc = xs_write(s->xs, XBT_NULL, v, w, strlen(w)) ? 0 : -errno;
		return result(rc, "write xenstore %s", v);
	}
	if (!strcmp(a, "get") && v) {
		(*i)++;
		val = xs_wait(s, v);
		free(val);
		return result(val ? 0 : -ETIMEDOUT, "xenstore %s appears", v);
	}
	if (!strcmp(a, "event") && v) {
		(*i)++;
		return result(do_event(s, v), "the event %s arrives", v);
	}
	if (!strcmp(a, "free") || !strcmp(a, "detach")) {
		rc = s->r ? (a[0] == 'f' ? ism_region_free(s->r) :
					   ism_region_detach(s->r)) :
			    -EINVAL;
		/* detach frees the handle even on error; free on success. */
		if (!rc || a[0] == 'd') {
			s->r = NULL;
			s->addr = NULL;
		}
		return result(rc, "%s the region", a);
	}
	fprintf(stderr, "lab-region: bad step %s\n", a);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct run s = { 0 };
	uint32_t devid = 0;
	int i = 1, rc;

	s.xs = xs_open(0);
	if (!s.xs) {
		perror("lab-region: xs_open");
		return 1;
	}
	if (argc > 2 && !strcmp(argv[1], "-d")) {
		devid = (uint32_t)strtoul(argv[2], NULL, 0);
		i = 3;
	}
	rc = ism_dev_open(devid, 0, &s.dev);
	if (result(rc, "open the ism device%s", ""))
		return 1;
	for (; !rc && i < argc; i++)
		rc = step(&s, argc, argv, &i);
	if (s.r)
		ism_region_detach(s.r);
	ism_dev_close(s.dev);
	xs_close(s.xs);
	return rc ? 1 : 0;
}
