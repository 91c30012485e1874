// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The limits xen-ismd serves with (limits.h).
 */
#include <stdio.h>

#include "limits.h"

void ismd_limits_set(const struct ismd_options *opts, uint32_t table,
		     uint32_t helper_max, struct ism_backend_limits *limits,
		     char *warn, size_t warnlen)
{
	uint32_t size = table ? table : ISMD_GRANT_TABLE_DEFAULT;
	uint32_t reserve = size / 8 < ISMD_GRANT_RESERVE ? size / 8 :
							   ISMD_GRANT_RESERVE;
	uint32_t avail = size - reserve;

	if (helper_max && helper_max < avail)
		avail = helper_max;
	limits->region_size = (uint32_t)opts->region_size;
	limits->max_regions = opts->max_regions;
	limits->max_bytes = opts->max_bytes;
	limits->max_peers = opts->max_peers;
	limits->max_perm_entries = opts->max_perm_entries;
	limits->max_grants = opts->max_grants ? opts->max_grants : avail;
	limits->max_domain_grants =
		opts->max_domain_grants ?
			opts->max_domain_grants :
			ism_backend_domain_grants(opts->max_bytes,
						  opts->max_regions);
	warn[0] = '\0';
	if (opts->max_grants > avail)
		snprintf(warn, warnlen,
			 "--max-grants %u is more than the %u grants this "
			 "domain can give regions (a grant table of %u%s less "
			 "%u for other drivers, the helper's max_grants %u): "
			 "raise gnttab_max_frames (see xen-ismd(8))",
			 opts->max_grants, avail, size,
			 table ? "" : " (assumed)", reserve, helper_max);
}
