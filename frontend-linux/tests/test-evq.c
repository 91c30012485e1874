/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-evq.c - the event page consumer: the queue, a hostile evt_prod,
 * overflow, the signal bit array scan and clear, arming.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "../lib/shared.h"

TAP_MAIN;

static struct ism_event_page page __attribute__((aligned(4096)));
static uint32_t hits[64];
static unsigned int nhits;

static void hit(void *ctx, uint32_t slot)
{
	(void)ctx;
	if (nhits < 64)
		hits[nhits++] = slot;
}

static void set_bit(uint32_t slot)
{
	page.sba[slot / 64] |= 1ull << (slot % 64);
	page.sba_summary[slot / 4096] |= 1ull << (slot / 64 % 64);
}

int main(void)
{
	struct ism_evq q;
	struct ism_evt e;
	uint32_t i;

	tap_plan(21);

	memset(&page, 0xff, sizeof(page));
	ism__evq_init(&q, &page);
	tap_ok(!page.evt_prod && !page.flags && !page.sba[127],
	       "init clears the page");
	tap_is_int(ism__evq_get(&q, &e), -EAGAIN, "empty queue");

	/* Three events. */
	for (i = 0; i < 3; i++) {
		page.evt[i].type = ISM_EVT_PEER_ATTACHED;
		page.evt[i].slot = i;
	}
	page.evt_prod = 3;
	tap_ok(!ism__evq_get(&q, &e) && e.slot == 0, "first event");
	tap_ok(!ism__evq_get(&q, &e) && e.slot == 1, "second event");
	tap_is_int(page.evt_cons, 0, "evt_cons written only on commit");
	ism__evq_commit(&q);
	tap_is_int(page.evt_cons, 2, "commit writes evt_cons");
	tap_ok(!ism__evq_get(&q, &e) && e.slot == 2, "third event");
	tap_is_int(ism__evq_get(&q, &e), -EAGAIN, "then none");

	/* Hostile producer index. */
	page.evt_prod = q.cons + 65;
	tap_is_int(ism__evq_get(&q, &e), -EPROTO,
		   "evt_prod more than 64 ahead is refused");
	page.evt_prod = q.cons + 64;
	tap_is_int(ism__evq_get(&q, &e), 0, "exactly 64 ahead is a full queue");
	page.evt_prod = q.cons;

	/* Overflow. */
	tap_ok(!ism__evq_take_overflow(&q), "no overflow yet");
	page.flags = ISM_EVTPAGE_F_OVERFLOW | 0x100;
	tap_ok(ism__evq_take_overflow(&q), "overflow seen");
	tap_is_int(page.flags, 0x100, "only the overflow bit is cleared");
	tap_ok(!ism__evq_take_overflow(&q), "and seen once");

	/* Signal bit array. */
	set_bit(0);
	set_bit(63);
	set_bit(64);
	set_bit(8191);
	tap_is_int(ism__sba_take(&q, 8192, hit, NULL), 4, "four slots set");
	tap_ok(nhits == 4 && hits[0] == 0 && hits[1] == 63 && hits[2] == 64 &&
		       hits[3] == 8191,
	       "in slot order");
	tap_ok(!page.sba[0] && !page.sba[1] && !page.sba[127] &&
		       !page.sba_summary[0] && !page.sba_summary[1],
	       "bits and summary cleared");
	nhits = 0;
	set_bit(3);
	set_bit(20); /* beyond max-regions */
	tap_is_int(ism__sba_take(&q, 16, hit, NULL), 1,
		   "bits beyond max-regions are ignored");
	page.sba[5] = 1; /* a word the summary does not name */
	tap_is_int(ism__sba_take(&q, 8192, hit, NULL), 0,
		   "only words named by the summary are read");

	/* Arming. */
	page.sba[5] = 0;
	tap_ok(!ism__evq_arm(&q) && page.fe_armed == 1,
	       "arm with nothing pending: fe_armed 1");
	page.evt_prod = q.cons + 1;
	tap_ok(ism__evq_arm(&q), "arm sees a queued event");
	return tap_done();
}
