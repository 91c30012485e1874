// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-restart owner|peer PEER_DOMID DEVID fast|slow|refused: the restart
 * scenario's guest half, over libxenism, on ism device DEVID.
 *
 * The owner allocates a 1 MiB region and publishes its token as rs-MODE
 * for PEER_DOMID; the peer looks it up and attaches.  They exchange
 * rounds: the owner writes the even ones, the peer the odd ones.  The
 * writer of round N fills the region with round N's pattern, then its
 * header (the round last), and notifies; the other, woken by
 * REGION_UPDATED, checks the header and every octet, and writes round
 * N + 1.  After each round a side writes how many it has done to
 * ~/lab/MODE-rounds, and whether the region has the fast path (a direct
 * event channel between the guests) to ~/lab/MODE-fp, for dom0 to watch
 * while it restarts xen-ismd.  "fast" keeps the fast path (the default);
 * "slow" turns it off (ism_dev_set_fast_path) before the region exists,
 * so that every notification is a NOTIFY through xen-ismd.  "refused"
 * wants it as "fast" does, where Xen refuses it (the silo scenario: XSM
 * SILO forbids event channels between guests): the region must never
 * have it, every notification relayed as with "slow".
 *
 * Once ~/lab/stop exists, the owner's next round carries the stop flag;
 * the peer answers with one more round so flagged, and both leave the
 * exchange.  Then a second region of 256 KiB (rs-MODE-2): the owner
 * allocates, fills and publishes it; the peer attaches, checks every
 * octet, writes its reply over it, notifies and detaches; the owner,
 * told PEER_ATTACHED, REGION_UPDATED and PEER_DETACHED, checks every
 * octet of the reply and frees it.  Last the peer detaches the first
 * region and the owner, told PEER_DETACHED, frees it; each asks INFO (so
 * the backend has served what was posted before) and checks that its
 * device uses no slot, writes the status to ~/lab/MODE-released, and
 * closes the device once ~/lab/close exists.
 *
 * A REGION_UPDATED whose header still shows the round before is a wake-up
 * without news (events are wake-ups, the header is the truth): counted
 * and waited past.  The first region's PEER_DETACHED may come while the
 * owner waits on the second (a relayed update is not ordered with queued
 * events): kept.  Any other event, or the device closing, fails.  Every
 * wait lasts at most WAIT_MS.  Prints "ok - MODE: ..." or "not ok - MODE:
 * ...", "# ..." notes; exits 0 if every check passed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenism.h>
#include <xenstore.h>

#include "lab-check.h"

#define SIZE (1u << 20)
#define SIZE2 (256u << 10)
/* Any wait for the other side; dom0 restarts xen-ismd meanwhile. */
#define WAIT_MS 300000
/* How long the device stays open after the last region is gone. */
#define CLOSE_WAIT_MS 600000

#define FLAG_STOP 0x1u
#define HDR_CHECK 0x5a3c96e1u
/* Pattern seeds of the second region and of the peer's reply over it. */
#define SEED_SECOND 0x10000u
#define SEED_REPLY 0x10001u

/* At the start of the first region; the pattern follows. */
struct header {
	uint32_t round; /* written last */
	uint32_t flags; /* FLAG_STOP or 0 */
	uint32_t check; /* round ^ flags ^ HDR_CHECK */
	uint32_t zero;
};

struct run {
	ism_dev *dev;
	struct xs_handle *xs;
	bool owner;
	uint16_t peer;
	const char *mode; /* "fast", "slow" or "refused" */
	ism_region *r1, *r2;
	unsigned char *p1;
	uint32_t rounds; /* done, written or checked */
	unsigned int idle; /* REGION_UPDATED without news */
	int fp; /* last fast-path state published, -1: none yet */
	bool fp_seen; /* the region had the fast path at some point */
	bool r1_detached; /* PEER_DETACHED of r1 came early (while on r2) */
	const char *what; /* the step under way */
	char why[160]; /* what a check found, if it failed */
};

static unsigned char pattern(uint32_t seed, size_t i)
{
	return (unsigned char)(i * 131u + i / 4096u + seed * 7u + 1u);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int remaining(uint64_t end)
{
	uint64_t now = now_ms();

	return now < end ? (int)(end - now) : 0;
}

/* ~/lab/MODE-WHAT = @v, for dom0; a failure is noted, dom0 sees it. */
static void publish(struct run *s, const char *what, long v)
{
	char path[64], val[24];

	snprintf(path, sizeof(path), "lab/%s-%s", s->mode, what);
	snprintf(val, sizeof(val), "%ld", v);
	if (!xs_write(s->xs, XBT_NULL, path, val, strlen(val)))
		printf("# %s: cannot write %s: %s\n", s->mode, path,
		       strerror(errno));
}

/* Whether ~/@name exists. */
static bool node_exists(struct run *s, const char *name)
{
	unsigned int len;
	void *v = xs_read(s->xs, XBT_NULL, name, &len);

	free(v);
	return v != NULL;
}

/* The events event_next() may wait for, as bits of its mask. */
#define EV_UPDATED 0x1u
#define EV_ATTACHED 0x2u
#define EV_DETACHED 0x4u

static unsigned int event_bit(unsigned int type)
{
	switch (type) {
	case ISM_EVT_REGION_UPDATED:
		return EV_UPDATED;
	case ISM_EVT_PEER_ATTACHED:
		return EV_ATTACHED;
	case ISM_EVT_PEER_DETACHED:
		return EV_DETACHED;
	default:
		return 0;
	}
}

/*
 * The next event about @r whose type is in @mask (EV_* bits), into
 * *@type; before @end.  REGION_UPDATED that is not asked for is skipped
 * (of any region); anything else fails (-ECONNRESET), and a closed device
 * with its status.
 */
static int event_next(struct run *s, ism_region *r, unsigned int mask,
		      uint64_t end, unsigned int *type)
{
	struct ism_event ev;
	int rc;

	for (;;) {
		rc = ism_event_wait(s->dev, remaining(end), &ev);
		if (rc)
			return rc;
		if (ev.type == ISM_EVENT_DEVICE_CLOSED) {
			snprintf(s->why, sizeof(s->why), "the device closed");
			return ev.status ? ev.status : -ESHUTDOWN;
		}
		if (ev.region == r && (mask & event_bit(ev.type))) {
			*type = ev.type;
			return 0;
		}
		if (ev.type == ISM_EVT_REGION_UPDATED)
			continue;
		/*
		 * The peer detaches the first region right after the second:
		 * its PEER_DETACHED may come before the second region's
		 * relayed update (the signal bit array is not ordered with
		 * the event queue).  Kept for release().
		 */
		if (ev.type == ISM_EVT_PEER_DETACHED && r != s->r1 &&
		    ev.region == s->r1) {
			s->r1_detached = true;
			continue;
		}
		snprintf(s->why, sizeof(s->why),
			 "unexpected event %u about token %016llx", ev.type,
			 (unsigned long long)ev.token);
		return -ECONNRESET;
	}
}

static int event_wait(struct run *s, ism_region *r, unsigned int type)
{
	unsigned int got;

	return event_next(s, r, event_bit(type), now_ms() + WAIT_MS, &got);
}

/* Fill @len octets at @p with @seed's pattern from octet @from on. */
static void fill(unsigned char *p, size_t from, size_t len, uint32_t seed)
{
	size_t i;

	for (i = from; i < len; i++)
		p[i] = pattern(seed, i);
}

/* Check every octet from @from on against @seed's pattern; -EILSEQ. */
static int verify(struct run *s, const unsigned char *p, size_t from,
		  size_t len, uint32_t seed)
{
	size_t i;

	for (i = from; i < len; i++)
		if (p[i] != pattern(seed, i)) {
			snprintf(s->why, sizeof(s->why),
				 "octet %zu is %#x, not %#x", i, p[i],
				 pattern(seed, i));
			return -EILSEQ;
		}
	return 0;
}

static void round_write(struct run *s, uint32_t round, uint32_t flags)
{
	struct header *h = (struct header *)s->p1;

	fill(s->p1, sizeof(*h), SIZE, round);
	h->flags = flags;
	h->check = round ^ flags ^ HDR_CHECK;
	h->zero = 0;
	/* The pattern and the rest of the header before the round. */
	__atomic_store_n(&h->round, round, __ATOMIC_RELEASE);
}

/* Round @round is in the region: 0; -EAGAIN if the one before still is. */
static int round_check(struct run *s, uint32_t round, uint32_t *flags)
{
	const struct header *h = (const struct header *)s->p1;
	uint32_t got = __atomic_load_n(&h->round, __ATOMIC_ACQUIRE);

	if (got == round - 1)
		return -EAGAIN;
	if (got != round || h->zero || (h->flags & ~FLAG_STOP) ||
	    h->check != (round ^ h->flags ^ HDR_CHECK)) {
		snprintf(s->why, sizeof(s->why),
			 "header: round %u flags %#x check %#x zero %#x", got,
			 h->flags, h->check, h->zero);
		return -EILSEQ;
	}
	*flags = h->flags;
	return verify(s, s->p1, sizeof(*h), SIZE, round);
}

static int round_wait(struct run *s, uint32_t round, uint32_t *flags)
{
	uint64_t end = now_ms() + WAIT_MS;
	unsigned int type;
	int rc;

	for (;;) {
		rc = round_check(s, round, flags);
		if (rc != -EAGAIN)
			return rc;
		rc = event_next(s, s->r1, EV_UPDATED, end, &type);
		if (rc)
			return rc;
		rc = round_check(s, round, flags);
		if (rc != -EAGAIN)
			return rc;
		s->idle++;
	}
}

static void publish_progress(struct run *s)
{
	struct ism_region_info ri;

	publish(s, "rounds", (long)s->rounds);
	ism_region_info(s->r1, &ri);
	s->fp_seen |= ri.fast_path;
	if (ri.fast_path != s->fp) {
		s->fp = ri.fast_path;
		publish(s, "fp", s->fp);
	}
}

/* The first region, allocated and published or attached; mapped. */
static int setup(struct run *s)
{
	struct ism_region_info ri;
	struct header *h;
	char name[16];
	uint64_t token;
	void *addr;
	size_t len;
	int rc;

	snprintf(name, sizeof(name), "rs-%s", s->mode);
	if (s->owner) {
		s->what = "alloc 1 MiB";
		rc = ism_region_alloc(s->dev, SIZE, ISM_PERM_DEFAULT, &s->r1);
	} else {
		s->what = "look up the token";
		rc = ism_name_lookup(s->dev, name, s->peer, WAIT_MS, &token);
		if (!rc) {
			s->what = "attach";
			rc = ism_region_attach(s->dev, token, 0, &s->r1);
		}
	}
	if (!rc) {
		s->what = "map";
		rc = ism_region_map(s->r1, &addr, &len);
	}
	if (!rc && len != SIZE) {
		snprintf(s->why, sizeof(s->why), "%zu octets", len);
		rc = -EPROTO;
	}
	if (rc)
		return rc;
	s->p1 = addr;
	if (!s->owner)
		return 0;
	/* "Round -1": the peer's wait for round 0 sees no news in it. */
	h = addr;
	h->flags = 0;
	h->check = UINT32_MAX ^ HDR_CHECK;
	h->zero = 0;
	__atomic_store_n(&h->round, UINT32_MAX, __ATOMIC_RELEASE);
	ism_region_info(s->r1, &ri);
	s->what = "publish the token";
	rc = ism_name_publish(s->dev, name, ri.token, s->peer);
	if (!rc) {
		s->what = "PEER_ATTACHED";
		rc = event_wait(s, s->r1, ISM_EVT_PEER_ATTACHED);
	}
	return rc;
}

static int exchange(struct run *s)
{
	uint32_t r, flags = 0;
	bool stopping = false;
	int rc;

	for (r = 0;; r++) {
		if ((r % 2 == 0) == s->owner) {
			if (s->owner && !stopping)
				stopping = node_exists(s, "lab/stop");
			s->what = "write a round and notify";
			round_write(s, r, stopping ? FLAG_STOP : 0);
			rc = ism_region_notify(s->r1, ISM_NOTIFY_FORCE);
			if (rc < 0)
				return rc;
		} else {
			s->what = "wait for a round and check it";
			rc = round_wait(s, r, &flags);
			if (rc)
				return rc;
			if ((flags & FLAG_STOP) && s->owner && !stopping) {
				snprintf(s->why, sizeof(s->why),
					 "the peer stopped unasked");
				return -EILSEQ;
			}
		}
		s->rounds = r + 1;
		publish_progress(s);
		/* The owner asked, the peer answered: both are done. */
		if (stopping && (flags & FLAG_STOP))
			return 0;
		if (flags & FLAG_STOP)
			stopping = true; /* the peer answers it */
	}
}

/* The second region: alloc, attach, update, detach, free. */
static int second(struct run *s)
{
	struct ism_region_info ri;
	bool updated = false, detached = false;
	unsigned int type;
	char name[16];
	uint64_t token, end;
	void *addr;
	size_t len;
	int rc, rc2;

	snprintf(name, sizeof(name), "rs-%s-2", s->mode);
	if (s->owner) {
		s->what = "alloc the second region";
		rc = ism_region_alloc(s->dev, SIZE2, ISM_PERM_DEFAULT, &s->r2);
	} else {
		s->what = "look up the second region";
		rc = ism_name_lookup(s->dev, name, s->peer, WAIT_MS, &token);
		if (!rc) {
			s->what = "attach the second region";
			rc = ism_region_attach(s->dev, token, 0, &s->r2);
		}
	}
	if (!rc) {
		s->what = "map the second region";
		rc = ism_region_map(s->r2, &addr, &len);
	}
	if (!rc && len != SIZE2) {
		snprintf(s->why, sizeof(s->why), "%zu octets", len);
		rc = -EPROTO;
	}
	if (rc)
		return rc;
	if (!s->owner) {
		s->what = "check the second region";
		rc = verify(s, addr, 0, len, SEED_SECOND);
		if (!rc) {
			fill(addr, 0, len, SEED_REPLY);
			s->what = "notify the reply";
			rc = ism_region_notify(s->r2, ISM_NOTIFY_FORCE);
			if (rc > 0)
				rc = 0;
		}
		rc2 = ism_region_detach(s->r2);
		s->r2 = NULL;
		if (!rc && rc2) {
			s->what = "detach the second region";
			rc = rc2;
		}
		return rc;
	}
	fill(addr, 0, len, SEED_SECOND);
	ism_region_info(s->r2, &ri);
	s->what = "publish the second region";
	rc = ism_name_publish(s->dev, name, ri.token, s->peer);
	if (!rc) {
		s->what = "PEER_ATTACHED of the second region";
		rc = event_wait(s, s->r2, ISM_EVT_PEER_ATTACHED);
	}
	/* The reply's NOTIFY, then the DETACH: either event may come first. */
	end = now_ms() + WAIT_MS;
	while (!rc && !(updated && detached)) {
		s->what = "REGION_UPDATED and PEER_DETACHED of the second "
			  "region";
		rc = event_next(s, s->r2,
				(updated ? 0 : EV_UPDATED) |
					(detached ? 0 : EV_DETACHED),
				end, &type);
		updated |= !rc && type == ISM_EVT_REGION_UPDATED;
		detached |= !rc && type == ISM_EVT_PEER_DETACHED;
	}
	if (!rc) {
		s->what = "check the peer's reply";
		rc = verify(s, addr, 0, len, SEED_REPLY);
	}
	if (!rc) {
		s->what = "unpublish the second region";
		rc = ism_name_unpublish(s->dev, name);
	}
	if (!rc) {
		s->what = "free the second region";
		rc = ism_region_free(s->r2);
		if (!rc)
			s->r2 = NULL;
	}
	return rc;
}

/* Let go of the first region; the device holds nothing after. */
static int release(struct run *s)
{
	struct ism_dev_info info;
	char name[16];
	int rc;

	snprintf(name, sizeof(name), "rs-%s", s->mode);
	if (s->owner) {
		s->what = "PEER_DETACHED";
		rc = s->r1_detached ?
			     0 :
			     event_wait(s, s->r1, ISM_EVT_PEER_DETACHED);
		if (!rc) {
			s->what = "unpublish";
			rc = ism_name_unpublish(s->dev, name);
		}
		if (!rc) {
			s->what = "free";
			rc = ism_region_free(s->r1);
		}
	} else {
		s->what = "detach";
		rc = ism_region_detach(s->r1);
	}
	if (rc)
		return rc;
	s->r1 = NULL;
	s->what = "INFO after the last release";
	rc = ism_dev_info(s->dev, &info);
	if (!rc && info.slots_used) {
		snprintf(s->why, sizeof(s->why), "%u slots still in use",
			 info.slots_used);
		rc = -EBUSY;
	}
	return rc;
}

/* One check for step @desc: passed if @rc is 0. */
static void step(struct run *s, int rc, const char *desc)
{
	if (rc)
		check(false, "%s: %s: %s: %s%s%s", s->mode, desc, s->what,
		      strerror(-rc), s->why[0] ? ": " : "", s->why);
	else
		check(true, "%s: %s", s->mode, desc);
	s->why[0] = '\0';
}

int main(int argc, char **argv)
{
	struct ism_region_info ri;
	struct run s = { .fp = -1 };
	char desc[160];
	uint32_t devid;
	uint64_t end;
	int rc;

	if (argc != 5 ||
	    (strcmp(argv[1], "owner") && strcmp(argv[1], "peer")) ||
	    (strcmp(argv[4], "fast") && strcmp(argv[4], "slow") &&
	     strcmp(argv[4], "refused"))) {
		fprintf(stderr, "usage: lab-restart owner|peer PEER_DOMID "
				"DEVID fast|slow|refused\n");
		return 2;
	}
	s.owner = !strcmp(argv[1], "owner");
	s.peer = (uint16_t)strtoul(argv[2], NULL, 0);
	devid = (uint32_t)strtoul(argv[3], NULL, 0);
	s.mode = argv[4];
	s.xs = xs_open(0);
	if (!s.xs) {
		perror("lab-restart: xs_open");
		return 1;
	}
	s.what = "open the device";
	rc = ism_dev_open(devid, 0, &s.dev);
	if (!rc && !strcmp(s.mode, "slow"))
		rc = ism_dev_set_fast_path(s.dev, 0);
	if (!rc)
		rc = setup(&s);
	snprintf(desc, sizeof(desc), "%s: %s 1 MiB on device %u", argv[1],
		 s.owner ? "allocate and share" : "attach",
		 (unsigned int)devid);
	step(&s, rc, desc);
	if (!rc) {
		rc = exchange(&s);
		snprintf(desc, sizeof(desc),
			 "%s: %u rounds of 1 MiB, every octet checked (%u "
			 "wake-ups without news)",
			 argv[1], s.rounds, s.idle);
		if (rc)
			snprintf(s.why + strlen(s.why),
				 sizeof(s.why) - strlen(s.why), "%sin round %u",
				 s.why[0] ? ", " : "", s.rounds);
		step(&s, rc, desc);
	}
	if (!rc) {
		ism_region_info(s.r1, &ri);
		s.fp_seen |= ri.fast_path;
		if (!strcmp(s.mode, "fast"))
			check(ri.fast_path,
			      "%s: %s: the region used the fast path", s.mode,
			      argv[1]);
		else if (!strcmp(s.mode, "refused"))
			check(!s.fp_seen,
			      "%s: %s: the region never had the fast path "
			      "(Xen refused it: every notification a NOTIFY "
			      "through xen-ismd)",
			      s.mode, argv[1]);
		else
			check(!ri.fast_path,
			      "%s: %s: the region did without the fast path "
			      "(every notification a NOTIFY through xen-ismd)",
			      s.mode, argv[1]);
		rc = second(&s);
		step(&s, rc,
		     s.owner ? "owner: a second region: alloc, PEER_ATTACHED, "
			       "REGION_UPDATED, PEER_DETACHED, free; every "
			       "octet of the reply checked" :
			       "peer: a second region: attach, every octet "
			       "checked, reply, notify, detach");
	}
	if (!rc) {
		rc = release(&s);
		step(&s, rc,
		     s.owner ? "owner: PEER_DETACHED, free; INFO: no slot in "
			       "use" :
			       "peer: detach; INFO: no slot in use");
	}
	publish(&s, "released", rc ? rc : (failures ? 1 : 0));
	printf("# %s: %s: %u rounds, %u wake-ups without news\n", s.mode,
	       argv[1], s.rounds, s.idle);
	fflush(stdout);
	/* Until dom0 has read the backend's totals with the device open. */
	end = now_ms() + CLOSE_WAIT_MS;
	while (!node_exists(&s, "lab/close") && remaining(end))
		nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL);
	if (s.r2)
		ism_region_detach(s.r2);
	if (s.r1)
		ism_region_detach(s.r1);
	ism_dev_close(s.dev);
	xs_close(s.xs);
	return failures ? 1 : 0;
}
