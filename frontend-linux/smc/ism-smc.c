// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ism-smc - set a guest up for SMC-D over xen-ism, and show its SMC-D
 * link groups, through the SMC generic netlink family of Linux's smc.ko.
 *
 *   ism-smc setup [--ueid UEID] [--buffers SIZE]
 *                                 add the UEID SMC-Dv2 needs and size
 *                                 SMC's buffers (root)
 *   ism-smc linkgroups            list the SMC-D link groups
 *   ism-smc stats                 SMC-D connections and TCP fallbacks
 *
 * See ism-smc(8).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/smc.h>

#include "genl.h"

/* Every guest that talks SMC-D to another must have a UEID in common. */
#define ISM_SMC_UEID_DEFAULT "XEN-ISM-SMCD"
#define ISM_SMC_EID_LEN 32
/*
 * SMC's send buffers and DMBs (net.smc.wmem, net.smc.rmem; 64 KiB by
 * default in 6.1, which halves SMC-D's throughput): xen-ism's default
 * region size, the largest DMB (ism-smc(8) says what that costs).
 */
#define ISM_SMC_BUFFERS_DEFAULT (1u << 20)
#define ISM_SMC_BUFFERS_MIN (16u << 10)
#define ISM_SMC_BUFFERS_MAX (64u << 20)
static const char *const buffer_sysctls[] = { "/proc/sys/net/smc/wmem",
					      "/proc/sys/net/smc/rmem" };

static void usage(FILE *f)
{
	fputs("usage: ism-smc setup [--ueid UEID] [--buffers SIZE]\n"
	      "       ism-smc linkgroups\n"
	      "       ism-smc stats\n",
	      f);
}

/*
 * The form the kernel takes: 1 to 32 of A-Z, 0-9, '.', '-', starting
 * with a letter or digit, padded with blanks to 32.
 */
static int ueid_make(const char *in, char out[ISM_SMC_EID_LEN + 1])
{
	size_t i, n = strlen(in);

	if (!n || n > ISM_SMC_EID_LEN || !isalnum((unsigned char)in[0]))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!(isdigit((unsigned char)in[i]) ||
		      (in[i] >= 'A' && in[i] <= 'Z') || in[i] == '.' ||
		      in[i] == '-'))
			return -EINVAL;
	memset(out, ' ', ISM_SMC_EID_LEN);
	memcpy(out, in, n);
	out[ISM_SMC_EID_LEN] = '\0';
	return 0;
}

static int open_smc(struct ism_genl *g)
{
	int rc = ism_genl_open(g, SMC_GENL_FAMILY_NAME);

	if (rc == -ENOENT)
		fprintf(stderr,
			"ism-smc: the kernel has no SMC (load it: modprobe xen-ism-smcd)\n");
	else if (rc)
		fprintf(stderr, "ism-smc: generic netlink: %s\n",
			strerror(-rc));
	return rc;
}

/* SIZE: octets, or with a suffix K or M. */
static int size_parse(const char *s, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	if (*end == 'K' || *end == 'k') {
		v <<= 10;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v <<= 20;
		end++;
	}
	if (*end || v < ISM_SMC_BUFFERS_MIN || v > ISM_SMC_BUFFERS_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* net.smc.wmem and net.smc.rmem (this network namespace's). */
static int buffers_set(unsigned long size)
{
	unsigned int i;
	FILE *f;
	int rc = 0;

	for (i = 0; i < sizeof(buffer_sysctls) / sizeof(buffer_sysctls[0]);
	     i++) {
		f = fopen(buffer_sysctls[i], "w");
		if (!f && errno == ENOENT) {
			printf("SMC buffers: this kernel has no %s: left as they are\n",
			       buffer_sysctls[i]);
			return 0;
		}
		if (!f || fprintf(f, "%lu\n", size) < 0 || fclose(f)) {
			fprintf(stderr, "ism-smc: cannot write %s: %s\n",
				buffer_sysctls[i], strerror(errno));
			rc = -1;
		}
	}
	if (!rc)
		printf("SMC buffers: %lu octets (net.smc.wmem, net.smc.rmem)\n",
		       size);
	return rc;
}

static int cmd_setup(int argc, char **argv)
{
	unsigned long buffers = ISM_SMC_BUFFERS_DEFAULT;
	const char *name = ISM_SMC_UEID_DEFAULT;
	char ueid[ISM_SMC_EID_LEN + 1];
	struct ism_genl g;
	int i, rc;

	for (i = 1; i < argc; i += 2) {
		if (i + 1 < argc && !strcmp(argv[i], "--ueid")) {
			name = argv[i + 1];
		} else if (i + 1 < argc && !strcmp(argv[i], "--buffers")) {
			if (size_parse(argv[i + 1], &buffers)) {
				fprintf(stderr,
					"ism-smc: bad buffer size '%s': 16K to 64M\n",
					argv[i + 1]);
				return 2;
			}
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (ueid_make(name, ueid)) {
		fprintf(stderr,
			"ism-smc: bad UEID '%s': 1 to 32 of A-Z, 0-9, '.' and '-', starting with a letter or digit\n",
			name);
		return 2;
	}
	if (open_smc(&g))
		return 1;
	rc = ism_genl_request(&g, SMC_NETLINK_ADD_UEID, SMC_NLA_EID_TABLE_ENTRY,
			      ueid, sizeof(ueid), NULL, NULL);
	ism_genl_close(&g);
	if (rc == -EEXIST) {
		printf("UEID %s was already set\n", name);
	} else if (rc) {
		fprintf(stderr, "ism-smc: cannot add UEID %s: %s%s\n", name,
			strerror(-rc),
			rc == -EPERM  ? " (needs CAP_NET_ADMIN)" :
			rc == -ERANGE ? " (the kernel holds 4 at most)" :
					"");
		return 1;
	} else {
		printf("UEID %s added\n", name);
	}
	return buffers_set(buffers) ? 1 : 0;
}

static uint64_t attr_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a && ism_genl_len(a) >= sizeof(v))
		memcpy(&v, ism_genl_data(a), sizeof(v));
	return v;
}

static uint32_t attr_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && ism_genl_len(a) >= sizeof(v))
		memcpy(&v, ism_genl_data(a), sizeof(v));
	return v;
}

/* One SMC-D link group: its attributes are nested in SMC_GEN_LGR_SMCD. */
static int print_lgr(const struct nlattr *attrs, size_t len, void *arg)
{
	const struct nlattr *tb[SMC_NLA_LGR_D_MAX + 1];
	int rc;

	rc = ism_genl_nest(attrs, len, SMC_GEN_LGR_SMCD, tb, SMC_NLA_LGR_D_MAX);
	if (rc <= 0)
		return rc;
	/* CHID: a u16 attribute that 6.1 writes as a u32. */
	printf("id %08" PRIx32 " gid %016" PRIx64 " peer-gid %016" PRIx64
	       " conns %" PRIu32 " chid %04" PRIx32 " version %s\n",
	       attr_u32(tb[SMC_NLA_LGR_D_ID]), attr_u64(tb[SMC_NLA_LGR_D_GID]),
	       attr_u64(tb[SMC_NLA_LGR_D_PEER_GID]),
	       attr_u32(tb[SMC_NLA_LGR_D_CONNS_NUM]),
	       attr_u32(tb[SMC_NLA_LGR_D_CHID]) & 0xffff,
	       tb[SMC_NLA_LGR_D_V2_COMMON] ? "v2" : "v1");
	(void)arg;
	return 0;
}

static int cmd_linkgroups(int argc, char **argv)
{
	struct ism_genl g;
	int rc;

	(void)argv;
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (open_smc(&g))
		return 1;
	rc = ism_genl_request(&g, SMC_NETLINK_GET_LGR_SMCD, 0, NULL, 0,
			      print_lgr, NULL);
	ism_genl_close(&g);
	if (rc) {
		fprintf(stderr, "ism-smc: cannot list SMC-D link groups: %s\n",
			strerror(-rc));
		return 1;
	}
	return 0;
}

/* What `ism-smc stats` prints, in its order. */
enum {
	ST_CLNT_V1,
	ST_CLNT_V2,
	ST_SRV_V1,
	ST_SRV_V2,
	ST_RX_BYTES,
	ST_TX_BYTES,
	ST_FB_CLNT,
	ST_FB_SRV,
	ST_NR
};

static const char *const stat_names[ST_NR] = {
	"smcd-client-v1",  "smcd-client-v2",  "smcd-server-v1",
	"smcd-server-v2",  "smcd-rx-bytes",   "smcd-tx-bytes",
	"fallback-client", "fallback-server",
};

/* SMC_NETLINK_GET_STATS: the SMC-D counters. */
static int take_stats(const struct nlattr *attrs, size_t len, void *arg)
{
	const struct nlattr *st[SMC_NLA_STATS_MAX + 1];
	const struct nlattr *t[SMC_NLA_STATS_T_MAX + 1];
	uint64_t *v = arg;
	int rc;

	rc = ism_genl_nest(attrs, len, SMC_GEN_STATS, st, SMC_NLA_STATS_MAX);
	if (rc <= 0 || !st[SMC_NLA_STATS_SMCD_TECH])
		return rc < 0 ? rc : 0;
	if (ism_genl_parse(ism_genl_data(st[SMC_NLA_STATS_SMCD_TECH]),
			   ism_genl_len(st[SMC_NLA_STATS_SMCD_TECH]), t,
			   SMC_NLA_STATS_T_MAX))
		return -EBADMSG;
	v[ST_CLNT_V1] = attr_u64(t[SMC_NLA_STATS_T_CLNT_V1_SUCC]);
	v[ST_CLNT_V2] = attr_u64(t[SMC_NLA_STATS_T_CLNT_V2_SUCC]);
	v[ST_SRV_V1] = attr_u64(t[SMC_NLA_STATS_T_SRV_V1_SUCC]);
	v[ST_SRV_V2] = attr_u64(t[SMC_NLA_STATS_T_SRV_V2_SUCC]);
	v[ST_RX_BYTES] = attr_u64(t[SMC_NLA_STATS_T_RX_BYTES]);
	v[ST_TX_BYTES] = attr_u64(t[SMC_NLA_STATS_T_TX_BYTES]);
	return 0;
}

/* SMC_NETLINK_GET_FBACK_STATS: each answer carries the totals. */
static int take_fback(const struct nlattr *attrs, size_t len, void *arg)
{
	const struct nlattr *fb[SMC_NLA_FBACK_STATS_MAX + 1];
	uint64_t *v = arg, c, s;
	int rc;

	rc = ism_genl_nest(attrs, len, SMC_GEN_FBACK_STATS, fb,
			   SMC_NLA_FBACK_STATS_MAX);
	if (rc <= 0)
		return rc;
	c = attr_u64(fb[SMC_NLA_FBACK_STATS_CLNT_CNT]);
	s = attr_u64(fb[SMC_NLA_FBACK_STATS_SRV_CNT]);
	if (c > v[ST_FB_CLNT])
		v[ST_FB_CLNT] = c;
	if (s > v[ST_FB_SRV])
		v[ST_FB_SRV] = s;
	return 0;
}

static int cmd_stats(int argc, char **argv)
{
	uint64_t v[ST_NR] = { 0 };
	struct ism_genl g;
	unsigned int i;
	int rc;

	(void)argv;
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (open_smc(&g))
		return 1;
	rc = ism_genl_request(&g, SMC_NETLINK_GET_STATS, 0, NULL, 0, take_stats,
			      v);
	if (!rc)
		rc = ism_genl_request(&g, SMC_NETLINK_GET_FBACK_STATS, 0, NULL,
				      0, take_fback, v);
	ism_genl_close(&g);
	if (rc) {
		fprintf(stderr, "ism-smc: cannot read SMC statistics: %s\n",
			strerror(-rc));
		return 1;
	}
	for (i = 0; i < ST_NR; i++)
		printf("%s %" PRIu64 "\n", stat_names[i], v[i]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "setup"))
		return cmd_setup(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "linkgroups"))
		return cmd_linkgroups(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "stats"))
		return cmd_stats(argc - 1, argv + 1);
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
