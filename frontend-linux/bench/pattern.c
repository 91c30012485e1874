// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattern.c - benchmark payloads: every 64-bit word of message @seq holds
 * seq * K + its index, so a consumer that checks a message in place proves
 * it got every octet, of this message and not another.  Lengths are
 * multiples of 64 octets; the loops go 64 octets at a time in vectors, at
 * about the speed of memcpy, so checking costs what reading costs.
 */
#include <errno.h>
#include <string.h>

#include "bench.h"

#define BENCH_PATTERN_K 0x9e3779b97f4a7c15ull

typedef uint64_t v2u64 __attribute__((vector_size(16), aligned(1)));

static v2u64 first(uint64_t seq)
{
	uint64_t base = seq * BENCH_PATTERN_K;
	v2u64 v = { base, base + 1 };

	return v;
}

void bench_pattern_fill(void *p, size_t len, uint64_t seq)
{
	const v2u64 two = { 2, 2 }, four = two + two, six = four + two,
		    eight = four + four;
	v2u64 *w = p, v = first(seq);
	size_t i;

	for (i = 0; i < len / 64; i++, w += 4, v += eight) {
		w[0] = v;
		w[1] = v + two;
		w[2] = v + four;
		w[3] = v + six;
	}
}

int bench_pattern_check(const void *p, size_t len, uint64_t seq)
{
	const v2u64 two = { 2, 2 }, four = two + two, six = four + two,
		    eight = four + four;
	const v2u64 *w = p;
	v2u64 v = first(seq), bad = { 0, 0 };
	size_t i;

	for (i = 0; i < len / 64; i++, w += 4, v += eight)
		bad |= (w[0] ^ v) | (w[1] ^ (v + two)) | (w[2] ^ (v + four)) |
		       (w[3] ^ (v + six));
	return bad[0] | bad[1] ? -EILSEQ : 0;
}
