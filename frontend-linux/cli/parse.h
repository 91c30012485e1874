/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * parse.h - the ism CLI's parsers of sizes, numbers, tokens and
 * permission strings.  Each returns 0 or -EINVAL.
 */
#ifndef ISM_FRONTEND_CLI_PARSE_H
#define ISM_FRONTEND_CLI_PARSE_H

#include <stdint.h>

/* "4096", "64K", "1M" (binary units K, M, G). */
int ism_cli_parse_size(const char *s, uint64_t *out);
/* A decimal number up to @max. */
int ism_cli_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* A token: 1 to 16 hex digits, optional 0x, not 0. */
int ism_cli_parse_token(const char *s, uint64_t *out);
/* Letters r w a m d (READ WRITE ATTACH MANAGE DENY_OTHER) or "0". */
int ism_cli_parse_perm(const char *s, uint32_t *out);

#endif /* ISM_FRONTEND_CLI_PARSE_H */
