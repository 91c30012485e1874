// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xen-ismd's command line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ismif.h"
#include "options.h"

const char ismd_usage[] =
	"Usage: xen-ismd [OPTION]...\n"
	"The xen-ism backend: shared memory regions for Xen guests.\n"
	"\n"
	"  -F, --foreground          stay in the foreground, log to stderr\n"
	"  -v, --verbose             log more (twice: debug)\n"
	"  -p, --pid-file=FILE       write the pid to FILE (default " ISMD_PID_FILE_DEFAULT
	"; 'none': no file)\n"
	"      --gid-file=FILE       keep the host's gid in FILE (default " ISMD_GID_FILE_DEFAULT
	")\n"
	"      --stats-socket=PATH   answer ismctl list on PATH (default " ISMD_STATS_SOCKET_DEFAULT
	"; 'none')\n"
	"      --state-file=FILE     keep every device and region across a restart,\n"
	"                            their state in FILE (default " ISMD_STATE_FILE_DEFAULT
	";\n"
	"                            'none': SIGTERM closes every device)\n"
	"      --region-size=SIZE    largest region (default 1M, at most 64M)\n"
	"      --max-regions=N       slots per device (default 256, at most 8192)\n"
	"      --max-bytes=SIZE      region memory per domain (default 64M)\n"
	"      --max-peers=N         peer devices per domain (default 16)\n"
	"      --max-perm-entries=N  permission entries per region (default 8, at most 64)\n"
	"      --max-grants=N        the grant pool for regions, all domains (default:\n"
	"                            this domain's grant table less 1024)\n"
	"      --max-domain-grants=N grants for one domain's regions (default: its\n"
	"                            max-bytes in pages + 2 * max-regions + 2)\n"
	"  -h, --help                show this help\n"
	"  -V, --version             show the version\n"
	"\n"
	"SIZE takes a K, M or G suffix (powers of 1024).  See xen-ismd(8).\n";

enum {
	OPT_GID_FILE = 256,
	OPT_STATS_SOCKET,
	OPT_STATE_FILE,
	OPT_REGION_SIZE,
	OPT_MAX_REGIONS,
	OPT_MAX_BYTES,
	OPT_MAX_PEERS,
	OPT_MAX_PERM_ENTRIES,
	OPT_MAX_GRANTS,
	OPT_MAX_DOMAIN_GRANTS,
};

static const struct option ismd_longopts[] = {
	{ "foreground", no_argument, NULL, 'F' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "gid-file", required_argument, NULL, OPT_GID_FILE },
	{ "stats-socket", required_argument, NULL, OPT_STATS_SOCKET },
	{ "state-file", required_argument, NULL, OPT_STATE_FILE },
	{ "region-size", required_argument, NULL, OPT_REGION_SIZE },
	{ "max-regions", required_argument, NULL, OPT_MAX_REGIONS },
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "max-peers", required_argument, NULL, OPT_MAX_PEERS },
	{ "max-perm-entries", required_argument, NULL, OPT_MAX_PERM_ENTRIES },
	{ "max-grants", required_argument, NULL, OPT_MAX_GRANTS },
	{ "max-domain-grants", required_argument, NULL, OPT_MAX_DOMAIN_GRANTS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int ismd_size_parse(const char *s, uint64_t *out)
{
	uint64_t v, mult = 1;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'K':
	case 'k':
		mult = 1ull << 10;
		end++;
		break;
	case 'M':
	case 'm':
		mult = 1ull << 20;
		end++;
		break;
	case 'G':
	case 'g':
		mult = 1ull << 30;
		end++;
		break;
	}
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

/* An option's value within [min, max], or -EINVAL with a message. */
static int ismd_value(const char *name, const char *arg, bool size,
		      uint64_t min, uint64_t max, uint64_t *out, char *err,
		      size_t errlen)
{
	uint64_t v;
	char *end;
	int rc;

	if (size) {
		rc = ismd_size_parse(arg, &v);
	} else {
		errno = 0;
		v = strtoull(arg, &end, 10);
		rc = (errno || end == arg || *end || *arg == '-') ? -EINVAL : 0;
	}
	if (rc || v < min || v > max) {
		snprintf(err, errlen,
			 "--%s: '%s' is not %s from %" PRIu64 " to %" PRIu64,
			 name, arg, size ? "a size" : "a number", min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int ismd_options_parse(int argc, char **argv, struct ismd_options *opts,
		       char *err, size_t errlen)
{
	uint64_t v;
	int c, rc = 0;

	*opts = (struct ismd_options){
		.pid_file = ISMD_PID_FILE_DEFAULT,
		.gid_file = ISMD_GID_FILE_DEFAULT,
		.stats_socket = ISMD_STATS_SOCKET_DEFAULT,
		.state_file = ISMD_STATE_FILE_DEFAULT,
		.region_size = ISM_REGION_SIZE_DEFAULT,
		.max_regions = ISM_MAX_REGIONS_DEFAULT,
		.max_bytes = ISM_MAX_BYTES_DEFAULT,
		.max_peers = ISM_MAX_PEERS_DEFAULT,
		.max_perm_entries = ISM_MAX_PERM_ENTRIES_DEFAULT,
	};
	err[0] = '\0';
	optind = 0; /* full rescan: the parser may run more than once */
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":Fvp:hV", ismd_longopts,
				       NULL)) != -1) {
		switch (c) {
		case 'F':
			opts->foreground = true;
			break;
		case 'v':
			opts->verbosity++;
			break;
		case 'p':
			opts->pid_file = strcmp(optarg, "none") ? optarg : NULL;
			break;
		case 'h':
			opts->help = true;
			break;
		case 'V':
			opts->version = true;
			break;
		case OPT_GID_FILE:
			opts->gid_file = optarg;
			break;
		case OPT_STATS_SOCKET:
			opts->stats_socket = strcmp(optarg, "none") ? optarg :
								      NULL;
			break;
		case OPT_STATE_FILE:
			opts->state_file = strcmp(optarg, "none") ? optarg :
								    NULL;
			break;
		case OPT_REGION_SIZE:
			rc = ismd_value("region-size", optarg, true, 4096,
					ISM_REGION_SIZE_LIMIT, &v, err, errlen);
			opts->region_size = v;
			break;
		case OPT_MAX_REGIONS:
			rc = ismd_value("max-regions", optarg, false, 1,
					ISM_MAX_REGIONS_LIMIT, &v, err, errlen);
			opts->max_regions = (uint32_t)v;
			break;
		case OPT_MAX_BYTES:
			rc = ismd_value("max-bytes", optarg, true, 4096,
					UINT64_MAX, &v, err, errlen);
			opts->max_bytes = v;
			break;
		case OPT_MAX_PEERS:
			rc = ismd_value("max-peers", optarg, false, 1,
					UINT32_MAX, &v, err, errlen);
			opts->max_peers = (uint32_t)v;
			break;
		case OPT_MAX_PERM_ENTRIES:
			rc = ismd_value("max-perm-entries", optarg, false, 0,
					ISM_MAX_PERM_ENTRIES_LIMIT, &v, err,
					errlen);
			opts->max_perm_entries = (uint32_t)v;
			break;
		case OPT_MAX_GRANTS:
			rc = ismd_value("max-grants", optarg, false, 1,
					UINT32_MAX, &v, err, errlen);
			opts->max_grants = (uint32_t)v;
			break;
		case OPT_MAX_DOMAIN_GRANTS:
			rc = ismd_value("max-domain-grants", optarg, false, 1,
					UINT32_MAX, &v, err, errlen);
			opts->max_domain_grants = (uint32_t)v;
			break;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value",
				 argv[optind - 1]);
			rc = -EINVAL;
			break;
		default:
			snprintf(err, errlen, "unknown option '%s'",
				 argv[optind - 1]);
			rc = -EINVAL;
			break;
		}
	}
	if (!rc && optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		rc = -EINVAL;
	}
	if (!rc && opts->region_size % 4096) {
		snprintf(err, errlen,
			 "--region-size: %" PRIu64 " is not a multiple of 4096",
			 opts->region_size);
		rc = -EINVAL;
	}
	return rc;
}
