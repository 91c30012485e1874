/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rate.c - a token bucket: what a guest can make the backend do for it
 * (log a line, serve a frontend event) is limited per device, a burst at
 * once and then one per interval.
 */
#include "core.h"

void ism__rate_init(struct ism_rate *r, unsigned int burst, uint64_t now_ms)
{
	r->tokens = burst;
	r->at = now_ms;
}

bool ism__rate_take(struct ism_rate *r, unsigned int burst, uint64_t every_ms,
		    uint64_t now_ms)
{
	uint64_t n = (now_ms - r->at) / every_ms;

	if (n) {
		r->tokens = n >= burst - r->tokens ?
				    burst :
				    r->tokens + (unsigned int)n;
		r->at = r->tokens == burst ? now_ms : r->at + n * every_ms;
	}
	if (!r->tokens)
		return false;
	r->tokens--;
	return true;
}
