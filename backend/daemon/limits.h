/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The limits xen-ismd serves with: its options, and the grant pool that
 * this domain's grant table leaves for regions.
 */
#ifndef ISMD_LIMITS_H
#define ISMD_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "ism-backend.h"
#include "options.h"

/* Grant entries left to the domain's other drivers (netfront, blkfront...). */
#define ISMD_GRANT_RESERVE 1024u
/* The table a helper too old to say is assumed to have: Xen's default. */
#define ISMD_GRANT_TABLE_DEFAULT 32768u

/**
 * ismd_limits_set() - @limits from @opts, the grant table and the helper.
 * @table: entries this domain's grant table can grow to; 0 if unknown.
 * @helper_max: grants the grant helper lets its users hold; 0 if unknown.
 * @warn: a warning for the log, "" if none (@warnlen bytes).
 *
 * The pool is --max-grants, or the table less ISMD_GRANT_RESERVE (an
 * eighth of it if smaller), at most @helper_max.  A --max-grants beyond
 * that is kept, with a warning: the helper or Xen then refuse grants
 * (-ENOSPC to the guest) before the pool's shares do.  The most one
 * domain may hold is --max-domain-grants, or what its max-bytes and
 * max-regions need.  The gid is left as it is.
 */
void ismd_limits_set(const struct ismd_options *opts, uint32_t table,
		     uint32_t helper_max, struct ism_backend_limits *limits,
		     char *warn, size_t warnlen);

#endif /* ISMD_LIMITS_H */
