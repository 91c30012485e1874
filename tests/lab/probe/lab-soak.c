// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-soak owner|peer PEER_DOMID CYCLES SIZE: the soak's guest half, over
 * libxenism.  Per cycle the owner allocates a region of SIZE octets,
 * fills it with the cycle's pattern and publishes its token (names s0 and
 * s1 in turn); the peer looks it up and attaches; the owner, told by
 * PEER_ATTACHED, notifies; the peer, woken by REGION_UPDATED, checks every
 * octet and detaches; the owner, told by PEER_DETACHED, unpublishes and
 * frees.  At the end the owner waits for an INFO, so that the backend has
 * served its last FREE.  Prints "ok - ..." or "not ok - cycle N: ...";
 * every wait lasts at most WAIT_MS.
 *
 * The owner's notify may find the peer gone (-ENOTCONN), rarely (3 times
 * in 10000 cycles): the doorbell's sequence number moves before the NOTIFY
 * is sent, and the peer can see it first, woken by its fast-path port
 * (Xen marks a port pending when it is bound), check the region and
 * detach.  The peer saw the update, so that is no failure; the wait for
 * PEER_DETACHED that follows still proves it left.  The owner counts them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenism.h>

#define WAIT_MS 60000

static unsigned char pattern(unsigned int cycle, size_t i)
{
	return (unsigned char)(i * 131u + i / 4096u + cycle * 7u + 1u);
}

/* Wait for event @type about @r; other events are skipped. */
static int event_wait(ism_dev *dev, ism_region *r, unsigned int type)
{
	struct ism_event ev;
	int rc;

	for (;;) {
		rc = ism_event_wait(dev, WAIT_MS, &ev);
		if (rc)
			return rc;
		if (ev.type == ISM_EVENT_DEVICE_CLOSED)
			return ev.status ? ev.status : -ESHUTDOWN;
		if (ev.region == r && ev.type == type)
			return 0;
		if (ev.region == r && ev.type != ISM_EVT_REGION_UPDATED &&
		    ev.type != ISM_EVT_PEER_ATTACHED)
			return -ECONNRESET;
	}
}

/* Notifies that found the peer already gone (see above). */
static unsigned int notify_gone;

static int owner_cycle(ism_dev *dev, uint16_t peer, unsigned int c,
		       uint64_t size, const char **what)
{
	struct ism_region_info ri;
	const char *name = c % 2 ? "s1" : "s0";
	ism_region *r = NULL;
	unsigned char *p;
	void *addr;
	size_t i, len;
	int rc;

	*what = "alloc and map";
	rc = ism_region_alloc(dev, size, ISM_PERM_DEFAULT, &r);
	if (!rc)
		rc = ism_region_map(r, &addr, &len);
	if (!rc) {
		for (p = addr, i = 0; i < len; i++)
			p[i] = pattern(c, i);
		ism_region_info(r, &ri);
		*what = "publish";
		rc = ism_name_publish(dev, name, ri.token, peer);
	}
	if (!rc) {
		*what = "PEER_ATTACHED";
		rc = event_wait(dev, r, ISM_EVT_PEER_ATTACHED);
	}
	if (!rc) {
		*what = "notify";
		rc = ism_region_notify(r, ISM_NOTIFY_FORCE);
		notify_gone += rc == -ENOTCONN;
		rc = rc < 0 && rc != -ENOTCONN ? rc : 0;
	}
	if (!rc) {
		*what = "PEER_DETACHED";
		rc = event_wait(dev, r, ISM_EVT_PEER_DETACHED);
	}
	if (!rc) {
		*what = "unpublish";
		rc = ism_name_unpublish(dev, name);
	}
	if (r && !rc) {
		*what = "free";
		rc = ism_region_free(r);
	} else if (r) {
		ism_region_detach(r);
	}
	return rc;
}

static int peer_cycle(ism_dev *dev, uint16_t owner, unsigned int c,
		      uint64_t size, const char **what)
{
	const char *name = c % 2 ? "s1" : "s0";
	const unsigned char *p;
	ism_region *r = NULL;
	uint64_t token;
	void *addr;
	size_t i, len;
	int rc;

	*what = "look up";
	rc = ism_name_lookup(dev, name, owner, WAIT_MS, &token);
	if (!rc) {
		*what = "attach";
		rc = ism_region_attach(dev, token, 0, &r);
	}
	if (!rc) {
		*what = "REGION_UPDATED";
		rc = event_wait(dev, r, ISM_EVT_REGION_UPDATED);
	}
	if (!rc) {
		*what = "map and check";
		rc = ism_region_map(r, &addr, &len);
	}
	if (!rc && len != size)
		rc = -EPROTO;
	for (p = addr, i = 0; !rc && i < len; i++)
		if (p[i] != pattern(c, i))
			rc = -EILSEQ;
	if (r) {
		int rc2 = ism_region_detach(r);

		if (!rc) {
			*what = "detach";
			rc = rc2;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct ism_dev_info info;
	const char *what = "open the device";
	unsigned int c = 0, cycles;
	uint16_t peer;
	uint64_t size;
	ism_dev *dev = NULL;
	bool owner;
	int rc;

	if (argc != 5 ||
	    (strcmp(argv[1], "owner") && strcmp(argv[1], "peer"))) {
		fprintf(stderr,
			"usage: lab-soak owner|peer PEER_DOMID CYCLES SIZE\n");
		return 2;
	}
	owner = !strcmp(argv[1], "owner");
	peer = (uint16_t)strtoul(argv[2], NULL, 0);
	cycles = (unsigned int)strtoul(argv[3], NULL, 0);
	size = strtoull(argv[4], NULL, 0);
	rc = ism_dev_open(0, 0, &dev);
	while (!rc && c < cycles) {
		rc = owner ? owner_cycle(dev, peer, c, size, &what) :
			     peer_cycle(dev, peer, c, size, &what);
		c += !rc;
	}
	if (!rc && owner) {
		what = "INFO after the last FREE";
		rc = ism_dev_info(dev, &info);
	}
	if (rc)
		printf("not ok - %s: cycle %u: %s: %s\n", argv[1], c, what,
		       strerror(-rc));
	else
		printf("ok - %s: %u cycles of %llu octets, every octet "
		       "checked\n",
		       argv[1], cycles, (unsigned long long)size);
	if (owner)
		printf("# owner: %u notifies found the peer gone, having seen "
		       "the update\n",
		       notify_gone);
	fflush(stdout);
	if (dev)
		ism_dev_close(dev);
	return rc ? 1 : 0;
}
