/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ismctl: create, remove and list xen-ism devices, as xl does for other PV
 * devices.  See ismctl(8).
 *
 * Exit status: 0 done; 1 the operation failed (no such domain or device,
 * devid in use, xenstore error); 2 bad usage, spec, value or configuration
 * file.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ismctl.h"
#include "ismif.h"
#include "platform-xen.h"
#include "stats.h" /* ISMD_STATS_SOCKET_DEFAULT */

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "?"
#endif

#define ISM_CTL_PROG "ismctl"
#define ISM_CTL_EXIT_FAIL 1
#define ISM_CTL_EXIT_USAGE 2

static void ism_ctl_usage(FILE *out)
{
	fprintf(out,
		"Usage: " ISM_CTL_PROG " attach <domain> [<spec>]\n"
		"       " ISM_CTL_PROG " detach [-f] [-t <seconds>] <domain> "
		"<devid>\n"
		"       " ISM_CTL_PROG " apply <xl-config-file> [<domain>]\n"
		"       " ISM_CTL_PROG
		" create [<xl-create-option>...] <xl-config-file> "
		"[KEY=VALUE...]\n"
		"       " ISM_CTL_PROG
		" restore [<xl-restore-option>...] <xl-config-file> "
		"<checkpoint-file>\n"
		"       " ISM_CTL_PROG " migrate [--debug] <xl-config-file>\n"
		"       " ISM_CTL_PROG
		" list [--json] [--stats-socket <path>]\n"
		"\n"
		"<spec> is key=value,... with the keys backend=<domain> "
		"(default: 0)\n"
		"and devid=<1..%u> (default: the next free one on the host).\n"
		"See ismctl(8).\n",
		ISM_DEVID_MAX);
}

/* -EINVAL is the user's mistake (2); anything else failed (1). */
static int ism_ctl_exit(int rc)
{
	if (!rc)
		return 0;
	return rc == -EINVAL ? ISM_CTL_EXIT_USAGE : ISM_CTL_EXIT_FAIL;
}

static int ism_ctl_open(struct ism_ctl *ctl)
{
	unsigned int failed = 0;
	struct ism_platform_xen_config cfg = {
		.parts = ISM_PLATFORM_XEN_XENSTORE,
		.failed_part_out = &failed,
	};
	int rc;

	ctl->ops = &ism_platform_xen_ops;
	rc = ism_platform_xen_open(&cfg, &ctl->p);
	if (rc)
		fprintf(stderr,
			ISM_CTL_PROG ": cannot open xenstore: %s (run it as "
				     "root in dom0, with xenstored running)\n",
			strerror(-rc));
	return rc;
}

/* Report the outcome of a command and return its exit status. */
static int ism_ctl_report(const struct ism_ctl *ctl, const char *cmd, int rc)
{
	if (ctl->warn[0])
		fprintf(stderr, ISM_CTL_PROG ": %s: warning: %s\n", cmd,
			ctl->warn);
	if (rc)
		fprintf(stderr, ISM_CTL_PROG ": %s: %s\n", cmd,
			ctl->err[0] ? ctl->err : strerror(-rc));
	return ism_ctl_exit(rc);
}

static int ism_ctl_cmd_attach(int argc, char **argv)
{
	struct ism_ctl ctl = { 0 };
	struct ism_ctl_spec spec;
	const char *text;
	char why[256];
	uint32_t devid;
	int rc;

	if (argc < 2 || argc > 3) {
		ism_ctl_usage(stderr);
		return ISM_CTL_EXIT_USAGE;
	}
	text = argc == 3 ? argv[2] : "";
	if (ism_ctl_spec_parse(text, &spec, why, sizeof(why))) {
		fprintf(stderr, ISM_CTL_PROG ": attach %s: spec `%s': %s\n",
			argv[1], text, why);
		return ISM_CTL_EXIT_USAGE;
	}
	if (ism_ctl_open(&ctl))
		return ISM_CTL_EXIT_FAIL;
	rc = ism_ctl_attach(&ctl, argv[1], &spec, 1, &devid);
	if (!rc)
		printf("%u\n", devid);
	ism_platform_xen_close(ctl.p);
	return ism_ctl_report(&ctl, "attach", rc);
}

static int ism_ctl_cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int timeout_ms = ISM_CTL_DETACH_TIMEOUT_MS, c, rc;
	struct ism_ctl ctl = { 0 };
	char *end;
	uint32_t devid;
	long secs;

	while ((c = getopt_long(argc, argv, "+ft:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			timeout_ms = 0;
			break;
		case 't':
			errno = 0;
			secs = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || secs < 0 ||
			    secs > 3600) {
				fprintf(stderr,
					ISM_CTL_PROG
					": detach: bad timeout `%s': want "
					"0 to 3600 seconds\n",
					optarg);
				return ISM_CTL_EXIT_USAGE;
			}
			timeout_ms = (int)secs * 1000;
			break;
		default:
			ism_ctl_usage(stderr);
			return ISM_CTL_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		ism_ctl_usage(stderr);
		return ISM_CTL_EXIT_USAGE;
	}
	if (ism_ctl_devid_parse(argv[optind + 1], &devid)) {
		fprintf(stderr,
			ISM_CTL_PROG ": detach %s: bad devid `%s': want a "
				     "number from 1 to %u\n",
			argv[optind], argv[optind + 1], ISM_DEVID_MAX);
		return ISM_CTL_EXIT_USAGE;
	}
	if (ism_ctl_open(&ctl))
		return ISM_CTL_EXIT_FAIL;
	rc = ism_ctl_detach(&ctl, argv[optind], devid, timeout_ms);
	ism_platform_xen_close(ctl.p);
	return ism_ctl_report(&ctl, "detach", rc);
}

static int ism_ctl_cmd_apply(int argc, char **argv)
{
	struct ism_ctl_spec *specs = NULL;
	struct ism_ctl ctl = { 0 };
	uint32_t *devids = NULL;
	const char *domain;
	unsigned int num = 0, i;
	char *name = NULL, why[512];
	int rc;

	if (argc < 2 || argc > 3) {
		ism_ctl_usage(stderr);
		return ISM_CTL_EXIT_USAGE;
	}
	rc = ism_ctl_xlcfg_read(argv[1], NULL, stderr, &name, &specs, &num, why,
				sizeof(why));
	if (rc) {
		fprintf(stderr, ISM_CTL_PROG ": apply: %s\n", why);
		return ism_ctl_exit(rc);
	}
	domain = argc == 3 ? argv[2] : name;
	if (!domain) {
		fprintf(stderr,
			ISM_CTL_PROG ": apply: %s has no `name': give the "
				     "domain\n",
			argv[1]);
		rc = -EINVAL;
		goto out_free;
	}
	if (!num)
		goto out_free; /* no ism devices: nothing to do */
	devids = calloc(num, sizeof(*devids));
	if (!devids) {
		rc = -ENOMEM;
		goto out_free;
	}
	rc = ism_ctl_open(&ctl);
	if (rc) {
		rc = -EIO;
		goto out_free;
	}
	rc = ism_ctl_attach(&ctl, domain, specs, num, devids);
	for (i = 0; !rc && i < num; i++)
		printf("%u\n", devids[i]);
	ism_platform_xen_close(ctl.p);
	rc = ism_ctl_report(&ctl, "apply", rc) ? rc : 0;
out_free:
	free(devids);
	free(specs);
	free(name);
	return ism_ctl_exit(rc);
}

/*
 * xl for `create', `restore' and `migrate': a child per step.  The user's SIGINT, SIGTERM and SIGHUP
 * are blocked in ismctl, so that it lives to destroy a half-made guest,
 * and left to xl, which gets them unblocked.
 */
struct ism_ctl_xl_exec {
	sigset_t stop; /* the signals that mean "stop" */
	sigset_t saved; /* the mask to give xl */
};

static int ism_ctl_xl_exec_run(void *priv, const char *const *argv)
{
	struct ism_ctl_xl_exec *x = priv;
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		sigprocmask(SIG_SETMASK, &x->saved, NULL);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, ISM_CTL_PROG ": cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

static bool ism_ctl_xl_exec_interrupted(void *priv)
{
	struct ism_ctl_xl_exec *x = priv;
	sigset_t pending;
	int sig;

	if (sigpending(&pending))
		return false;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&x->stop, sig) == 1 &&
		    sigismember(&pending, sig) == 1)
			return true;
	return false;
}

/* `create', `restore' and `migrate': argv[0] says which. */
static int ism_ctl_cmd_create(int argc, char **argv)
{
	struct ism_ctl_xl_exec x;
	struct ism_ctl_xl xl = {
		.run = ism_ctl_xl_exec_run,
		.interrupted = ism_ctl_xl_exec_interrupted,
		.priv = &x,
	};
	struct ism_ctl_created made;
	struct ism_ctl ctl = { 0 };
	unsigned int i;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		ism_ctl_usage(stderr);
		return ISM_CTL_EXIT_USAGE;
	}
	sigemptyset(&x.stop);
	sigaddset(&x.stop, SIGINT);
	sigaddset(&x.stop, SIGTERM);
	sigaddset(&x.stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &x.stop, &x.saved);
	if (ism_ctl_open(&ctl))
		return ISM_CTL_EXIT_FAIL;
	rc = ism_ctl_create(&ctl, &xl, argv[0], argv + 1,
			    (unsigned int)(argc - 1), &made);
	for (i = 0; !rc && i < made.num; i++)
		printf("%u\n", made.devids[i]);
	if (!rc)
		free(made.devids);
	ism_platform_xen_close(ctl.p);
	return ism_ctl_report(&ctl, argv[0], rc);
}

static int ism_ctl_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "stats-socket", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *socket_path = ISMD_STATS_SOCKET_DEFAULT;
	struct ism_ctl ctl = { 0 };
	bool json = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			socket_path = optarg;
			break;
		default:
			ism_ctl_usage(stderr);
			return ISM_CTL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		ism_ctl_usage(stderr);
		return ISM_CTL_EXIT_USAGE;
	}
	if (ism_ctl_open(&ctl))
		return ISM_CTL_EXIT_FAIL;
	rc = ism_ctl_list_run(&ctl, socket_path, json, stdout, stderr);
	ism_platform_xen_close(ctl.p);
	return ism_ctl_report(&ctl, "list", rc);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		ism_ctl_usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf(ISM_CTL_PROG " " PACKAGE_VERSION
				    " (xen-ism protocol " ISM_PROTOCOL_VERSION
				    ")\n");
		return 0;
	}
	if (!strcmp(cmd, "attach"))
		return ism_ctl_cmd_attach(argc - 1, argv + 1);
	if (!strcmp(cmd, "detach"))
		return ism_ctl_cmd_detach(argc - 1, argv + 1);
	if (!strcmp(cmd, "apply"))
		return ism_ctl_cmd_apply(argc - 1, argv + 1);
	if (!strcmp(cmd, "create") || !strcmp(cmd, "restore") ||
	    !strcmp(cmd, "migrate"))
		return ism_ctl_cmd_create(argc - 1, argv + 1);
	if (!strcmp(cmd, "list"))
		return ism_ctl_cmd_list(argc - 1, argv + 1);
	if (*cmd)
		fprintf(stderr, ISM_CTL_PROG ": unknown command `%s'\n", cmd);
	ism_ctl_usage(stderr);
	return ISM_CTL_EXIT_USAGE;
}
