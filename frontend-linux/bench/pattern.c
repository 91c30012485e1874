// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattern.c - benchmark payloads: in message @seq, the first word of the
 * i-th 64-octet line holds c + i + 1 and every other word c, where
 * c = (seq + 1) * K: a consumer that checks a message in place proves it
 * got every octet, of this message (c) at its place (i).  Lengths are
 * multiples of 64 octets; the loops go 64 octets at a time in vectors,
 * one vector add per line, so producing and checking cost about what
 * writing and reading cost.
 */
#include <errno.h>
#include <string.h>

#include "bench.h"

#define BENCH_PATTERN_K 0x9e3779b97f4a7c15ull

typedef uint64_t v2u64 __attribute__((vector_size(16), aligned(1)));

void bench_pattern_fill(void *p, size_t len, uint64_t seq)
{
	uint64_t c = (seq + 1) * BENCH_PATTERN_K;
	const v2u64 same = { c, c }, step = { 1, 0 };
	v2u64 *w = p, first = { c + 1, c };
	size_t i;

	for (i = 0; i < len / 64; i++, w += 4, first += step) {
		w[0] = first;
		w[1] = same;
		w[2] = same;
		w[3] = same;
	}
}

int bench_pattern_check(const void *p, size_t len, uint64_t seq)
{
	uint64_t c = (seq + 1) * BENCH_PATTERN_K;
	const v2u64 same = { c, c }, step = { 1, 0 };
	v2u64 first = { c + 1, c }, bad = { 0, 0 };
	const v2u64 *w = p;
	size_t i;

	for (i = 0; i < len / 64; i++, w += 4, first += step)
		bad |= (w[0] ^ first) | (w[1] ^ same) | (w[2] ^ same) |
		       (w[3] ^ same);
	return bad[0] | bad[1] ? -EILSEQ : 0;
}
