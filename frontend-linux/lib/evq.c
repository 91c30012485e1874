/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evq.c - the frontend's half of the event page: the life-cycle queue, the
 * overflow flag, the signal bit array and arming.
 */
#include <errno.h>
#include <string.h>

#include "shared.h"

void ism__evq_init(struct ism_evq *q, void *page)
{
	memset(page, 0, ISM_PAGE_SIZE);
	q->page = page;
	q->cons = 0;
}

int ism__evq_get(struct ism_evq *q, struct ism_evt *evt_out)
{
	uint32_t prod = ISM_LOAD_ACQUIRE(q->page->evt_prod);

	if (prod == q->cons)
		return -EAGAIN;
	if ((uint32_t)(prod - q->cons) > ISM_EVT_ENTRIES)
		return -EPROTO;
	memcpy(evt_out, &q->page->evt[q->cons % ISM_EVT_ENTRIES],
	       sizeof(*evt_out));
	q->cons++;
	return 0;
}

void ism__evq_commit(struct ism_evq *q)
{
	ISM_STORE_RELEASE(q->page->evt_cons, q->cons);
}

bool ism__evq_take_overflow(struct ism_evq *q)
{
	uint32_t old = __atomic_fetch_and(
		&q->page->flags, ~ISM_EVTPAGE_F_OVERFLOW, __ATOMIC_ACQ_REL);

	return old & ISM_EVTPAGE_F_OVERFLOW;
}

unsigned int ism__sba_take(struct ism_evq *q, uint32_t nr_slots,
			   void (*fn)(void *ctx, uint32_t slot), void *ctx)
{
	unsigned int n = 0, s, w, b;
	uint64_t sum, word;

	for (s = 0; s < 2; s++) {
		sum = __atomic_exchange_n(&q->page->sba_summary[s], 0,
					  __ATOMIC_ACQ_REL);
		while (sum) {
			w = s * 64 + (unsigned int)__builtin_ctzll(sum);
			sum &= sum - 1;
			word = __atomic_exchange_n(&q->page->sba[w], 0,
						   __ATOMIC_ACQ_REL);
			while (word) {
				b = (unsigned int)__builtin_ctzll(word);
				word &= word - 1;
				if (w * 64 + b >= nr_slots)
					continue;
				fn(ctx, w * 64 + b);
				n++;
			}
		}
	}
	return n;
}

bool ism__evq_arm(struct ism_evq *q)
{
	ISM_STORE_RELEASE(q->page->fe_armed, 1u);
	ISM_MB();
	return ISM_READ_ONCE(q->page->sba_summary[0]) ||
	       ISM_READ_ONCE(q->page->sba_summary[1]) ||
	       ISM_READ_ONCE(q->page->evt_prod) != q->cons ||
	       (ISM_READ_ONCE(q->page->flags) & ISM_EVTPAGE_F_OVERFLOW);
}
