/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-create.c - `ismctl create` and `ismctl restore` on the fake Xen,
 * with a fake xl that
 * records what it is asked and creates or destroys fake domains: the
 * steps and their order, -p, KEY=VALUE settings, options refused, and
 * that every failure after xl create leaves no domain and no device.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "fake-xen.h"
#include "ismctl.h"

TAP_MAIN;

static struct fake_xen *fx;
static struct ism_ctl ctl;

/*
 * The fake xl.  "create" makes domain @next_domid named @name (what the
 * configuration says; xl's own parsing is not under test); "destroy"
 * kills it.  @fail_cmd exits @fail_status instead; @interrupt_at makes
 * the user interrupt after that many runs.
 */
static struct {
	char log[1024];
	unsigned int runs;
	uint16_t next_domid;
	const char *name;
	const char *fail_cmd;
	int fail_status;
	unsigned int interrupt_at;
} xl;

static int argc_of(const char *const *argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

static int xl_run(void *priv, const char *const *argv)
{
	char path[64];
	unsigned int i;
	size_t n;

	(void)priv;
	xl.runs++;
	n = strlen(xl.log);
	snprintf(xl.log + n, sizeof(xl.log) - n, "%s", n ? " |" : "");
	for (i = 1; argv[i]; i++) {
		n = strlen(xl.log);
		snprintf(xl.log + n, sizeof(xl.log) - n, "%s%s", n ? " " : "",
			 argv[i]);
	}
	if (xl.fail_cmd && !strcmp(argv[1], xl.fail_cmd))
		return xl.fail_status;
	if (!strcmp(argv[1], "migrate")) {
		/* The receiver makes the new domain; the old one dies. */
		if (fake_xen_domain_add(fx, xl.next_domid, 0) ||
		    fake_xen_domain_kill(
			    fx, (uint16_t)atoi(argv[argc_of(argv) - 2])))
			return 1;
		snprintf(path, sizeof(path), "/local/domain/%u/name",
			 xl.next_domid);
		return fake_xen_xs_write(fx, 0, path, xl.name) ? 1 : 0;
	}
	if (!strcmp(argv[1], "create") || !strcmp(argv[1], "restore")) {
		if (fake_xen_domain_add(fx, xl.next_domid, 0))
			return 1;
		snprintf(path, sizeof(path), "/local/domain/%u/name",
			 xl.next_domid);
		return fake_xen_xs_write(fx, 0, path, xl.name) ? 1 : 0;
	}
	if (!strcmp(argv[1], "destroy"))
		return fake_xen_domain_kill(fx, (uint16_t)atoi(argv[2])) ? 1 :
									   0;
	return 0;
}

static bool xl_interrupted(void *priv)
{
	(void)priv;
	return xl.interrupt_at && xl.runs >= xl.interrupt_at;
}

static const struct ism_ctl_xl fake_xl = {
	.run = xl_run,
	.interrupted = xl_interrupted,
};

static void xl_reset(uint16_t domid, const char *name)
{
	memset(&xl, 0, sizeof(xl));
	xl.next_domid = domid;
	xl.name = name;
}

static bool exists(const char *path)
{
	char *val;
	size_t len;

	if (fake_xen_ops.xs_read(ctl.p, ISM_XS_NO_TX, path, &val, &len))
		return false;
	free(val);
	return true;
}

/* Write a configuration file; its path (static, one per slot). */
static const char *cfg(unsigned int slot, const char *text)
{
	static char paths[4][64];
	FILE *f;

	snprintf(paths[slot], sizeof(paths[slot]), "/tmp/test-create-%d-%u.cfg",
		 (int)getpid(), slot);
	f = fopen(paths[slot], "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		exit(99);
	return paths[slot];
}

/* ismctl create CONFIG ARGS... */
static int create(const char *config, char **args, unsigned int nargs,
		  struct ism_ctl_created *made)
{
	char *argv[8];
	unsigned int i;

	argv[0] = (char *)config;
	for (i = 0; i < nargs && i < 7; i++)
		argv[i + 1] = args[i];
	ctl.err[0] = '\0';
	return ism_ctl_create(&ctl, &fake_xl, "create", argv, nargs + 1, made);
}

static void test_create(const char *two)
{
	struct ism_ctl_created made;
	char *paused[] = { "-q", "-p", "memory=512" };
	char want[256], *args[3];

	xl_reset(5, "g1");
	tap_is_int(create(two, NULL, 0, &made), 0,
		   "create a guest with two ism devices");
	snprintf(want, sizeof(want), "create -p %s | unpause 5", two);
	tap_is_str(xl.log, want, "... xl create -p, then xl unpause");
	tap_ok(made.domid == 5 && !made.paused && made.num == 2,
	       "... domain 5, running, two devices");
	tap_ok(made.num == 2 && made.devids[0] == 7 && made.devids[1] == 8,
	       "... devids 7 (given) and 8 (the next free)");
	tap_ok(exists("/local/domain/5/device/ism/7/state") &&
		       exists("/local/domain/0/backend/ism/5/8/state"),
	       "... both devices are in xenstore");
	free(made.devids);

	xl_reset(6, "g2");
	tap_is_int(create(cfg(1, "name = \"g2\"\nism = [ \"\" ]\n"), paused, 3,
			  &made),
		   0, "create -q -p with a KEY=VALUE setting");
	snprintf(want, sizeof(want), "create -p -q %s memory=512",
		 cfg(1, "name = \"g2\"\nism = [ \"\" ]\n"));
	tap_is_str(xl.log, want,
		   "... options before the file, settings after, no unpause");
	tap_ok(made.paused && made.num == 1, "... left paused, one device");
	free(made.devids);

	xl_reset(7, "g3");
	tap_is_int(create(cfg(1, "name = \"g3\"\n"), NULL, 0, &made), 0,
		   "a configuration without ism devices is fine");
	tap_ok(made.num == 0 && strstr(xl.log, "unpause 7"),
	       "... no device, the guest unpaused");

	/* As with xl create, options may come before the file. */
	xl_reset(15, "g8");
	args[0] = "-p";
	args[1] = (char *)cfg(3, "name = \"g8\"\n");
	args[2] = "-q";
	tap_is_int(ism_ctl_create(&ctl, &fake_xl, "create", args, 3, &made), 0,
		   "ismctl create -p CONFIG -q");
	snprintf(want, sizeof(want), "create -p -q %s", args[1]);
	tap_is_str(xl.log, want, "... the file found among the options");
	args[2] = "other.cfg";
	xl_reset(16, "g9");
	tap_is_int(ism_ctl_create(&ctl, &fake_xl, "create", args, 3, &made),
		   -EINVAL, "a second file is refused");
	tap_ok(!xl.runs && strstr(ctl.err, "other.cfg"), "... naming it");
	tap_is_int(ism_ctl_create(&ctl, &fake_xl, "create", args, 1, &made),
		   -EINVAL, "no file at all is refused");
}

static void test_settings(void)
{
	struct ism_ctl_created made;
	char *args[] = { "name=\"other\"", "ism=[\"devid=40\"]" };
	const char *c = cfg(2, "name = \"g4\"\nism = [ \"devid=30\" ]\n");

	xl_reset(8, "other");
	tap_is_int(create(c, args, 2, &made), 0,
		   "KEY=VALUE settings override the file's, as in xl");
	tap_ok(made.domid == 8 && made.num == 1 && made.devids[0] == 40,
	       "... the guest is `other' with device 40, not 30");
	free(made.devids);
}

static void test_restore(void)
{
	struct ism_ctl_created made;
	char *args[] = { "-e", "", "/tmp/g10.save", "-p" };
	char want[256];
	const char *c = cfg(2, "name = \"g10\"\nism = [ \"devid=50\" ]\n");

	args[1] = (char *)c;
	xl_reset(17, "g10");
	tap_is_int(ism_ctl_create(&ctl, &fake_xl, "restore", args, 3, &made), 0,
		   "restore a guest with its ism device");
	snprintf(want, sizeof(want),
		 "restore -p -e %s /tmp/g10.save | "
		 "unpause 17",
		 c);
	tap_is_str(xl.log, want,
		   "... xl restore -p CONFIG CHECKPOINT, then xl unpause");
	tap_ok(made.domid == 17 && made.num == 1 && made.devids[0] == 50,
	       "... its device 50 is back");
	free(made.devids);
	if (fake_xen_domain_kill(fx, 17))
		exit(99);
	xl_reset(18, "g10");
	tap_is_int(ism_ctl_create(&ctl, &fake_xl, "restore", args, 2, &made),
		   -EINVAL, "restore without a checkpoint is refused");
	args[3] = "memory=64";
	tap_is_int(ism_ctl_create(&ctl, &fake_xl, "restore", args, 4, &made),
		   -EINVAL, "restore takes no KEY=VALUE settings");
	args[3] = "-q";
	tap_ok(ism_ctl_create(&ctl, &fake_xl, "restore", args, 4, &made) ==
			       -EINVAL &&
		       !xl.runs && strstr(ctl.err, "xl restore option `-q'"),
	       "xl create's -q is unknown to xl restore");
}

static void test_migrate(void)
{
	struct ism_ctl_created made;
	char *args[] = { "--debug", "" };
	char want[256];
	const char *c = cfg(2, "name = \"g11\"\nism = [ \"devid=60\" ]\n");

	args[1] = (char *)c;
	xl_reset(19, "g11");
	tap_is_int(ism_ctl_create(&ctl, &fake_xl, "migrate", args, 2, &made),
		   -ENOENT, "migrate of a domain that does not exist: -ENOENT");
	tap_ok(!xl.runs, "... before xl runs");
	xl_reset(20, "g11");
	if (ism_ctl_create(&ctl, &fake_xl, "create", args + 1, 1, &made))
		exit(99);
	free(made.devids);
	xl_reset(21, "g11");
	tap_is_int(
		ism_ctl_create(&ctl, &fake_xl, "migrate", args, 2, &made), 0,
		"migrate g11 (domain 20) on this host, taking over its devid 60");
	snprintf(want, sizeof(want),
		 "migrate -p --debug -s  20 xl migrate-receive -p | "
		 "unpause 21");
	tap_is_str(xl.log, want,
		   "... xl migrate -p -s \"\" 20 \"xl migrate-receive -p\", "
		   "then xl unpause");
	tap_ok(made.domid == 21 && made.num == 1 && made.devids[0] == 60 &&
		       fake_xen_domain_state(fx, 20) == FAKE_XEN_DOM_NONE,
	       "... the new domain 21 has device 60, the old one is gone");
	free(made.devids);
	/* A failure after the move must not destroy the only copy. */
	if (ism_ctl_detach(&ctl, "21", 60, 0))
		exit(99);
	xl_reset(22, "g11");
	xl.fail_cmd = "unpause";
	xl.fail_status = 1;
	tap_is_int(ism_ctl_create(&ctl, &fake_xl, "migrate", args, 2, &made),
		   -EIO, "a migrated guest that cannot be unpaused: -EIO");
	tap_ok(!strstr(xl.log, "destroy") &&
		       fake_xen_domain_state(fx, 22) == FAKE_XEN_DOM_RUNNING &&
		       strstr(ctl.err, "domain 22 is migrated but left paused"),
	       "... it is left paused, not destroyed, and the error says so");
}

static void test_refused(const char *two)
{
	static const char *const bad[] = {
		"-c", "-F", "-n", "--dryrun", "-f", "--defconfig=x", "-z",
	};
	struct ism_ctl_created made;
	char *args[1];
	unsigned int i, ok = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xl_reset(9, "g1");
		args[0] = (char *)bad[i];
		if (create(two, args, 1, &made) == -EINVAL && !xl.runs &&
		    strstr(ctl.err, bad[i]))
			ok++;
		else
			tap_diag("%s: %s", bad[i], ctl.err);
	}
	tap_is_int(ok, 7,
		   "-c, -F, -n, --dryrun, -f, --defconfig and "
		   "unknown options are refused before xl runs");
	tap_ok(strstr(ctl.err, "unknown") != NULL, "... naming the option");

	xl_reset(9, "bad");
	tap_is_int(create(cfg(1, "name = \"bad\"\nism = [ \"devid=x\" ]\n"),
			  NULL, 0, &made),
		   -EINVAL, "a bad ism entry is refused");
	tap_ok(!xl.runs && strstr(ctl.err, "ism entry 1"),
	       "... before xl runs, naming the entry");
	xl_reset(9, "");
	tap_is_int(create(cfg(1, "memory = 128\n"), NULL, 0, &made), -EINVAL,
		   "a configuration without a name is refused");
	xl_reset(9, "vm1");
	tap_is_int(create(cfg(1, "name = \"vm1\"\n"), NULL, 0, &made), -EEXIST,
		   "a name a domain already has is refused");
	tap_ok(!xl.runs && strstr(ctl.err, "domain 1"),
	       "... before xl runs (so it never destroys that domain)");
	tap_is_int(create("/nonexistent/x.cfg", NULL, 0, &made), -EINVAL,
		   "a missing file is refused");
}

static void test_failures(const char *two)
{
	struct ism_ctl_created made;
	const char *nobe;

	if (fake_xen_domain_kill(fx, 5)) /* test_create's g1 */
		exit(99);
	xl_reset(10, "g1");
	xl.fail_cmd = "create";
	xl.fail_status = 3;
	tap_is_int(create(two, NULL, 0, &made), -EIO,
		   "xl create failing is -EIO");
	tap_ok(xl.runs == 1 && strstr(ctl.err, "xl create failed (exit "
					       "status 3)"),
	       "... nothing else runs, and the error says so");

	nobe = cfg(1, "name = \"g5\"\nism = [ \"backend=nope\" ]\n");
	xl_reset(11, "g5");
	tap_is_int(create(nobe, NULL, 0, &made), -ENOENT,
		   "an unknown backend domain fails the device");
	tap_ok(strstr(xl.log, "| destroy 11") &&
		       fake_xen_domain_state(fx, 11) == FAKE_XEN_DOM_NONE,
	       "... and the half-made guest is destroyed");
	tap_ok(strstr(ctl.err, "nope") && strstr(ctl.err, "was destroyed"),
	       "... the error names the backend and the destruction");

	xl_reset(12, "g7");
	xl.fail_cmd = "unpause";
	xl.fail_status = 1;
	tap_is_int(create(cfg(1, "name = \"g7\"\nism = [ \"\", \"\" ]\n"), NULL,
			  0, &made),
		   -EIO, "xl unpause failing is -EIO");
	tap_ok(strstr(xl.log, "unpause 12 | destroy 12") &&
		       fake_xen_domain_state(fx, 12) == FAKE_XEN_DOM_NONE &&
		       !exists("/local/domain/0/backend/ism/12"),
	       "... the guest is destroyed and its devices removed");

	xl_reset(13, "g1");
	xl.interrupt_at = 1;
	tap_is_int(create(two, NULL, 0, &made), -EINTR,
		   "interrupted during xl create is -EINTR");
	tap_ok(strstr(xl.log, "destroy 13") && !strstr(xl.log, "unpause") &&
		       fake_xen_domain_state(fx, 13) == FAKE_XEN_DOM_NONE,
	       "... the guest is destroyed, never unpaused");

	nobe = cfg(1, "name = \"g6\"\nism = [ \"backend=nope\" ]\n");
	xl_reset(14, "g6");
	xl.fail_cmd = "destroy";
	xl.fail_status = 1;
	tap_is_int(create(nobe, NULL, 0, &made), -ENOENT,
		   "a failure whose clean-up fails too");
	tap_ok(strstr(ctl.err, "domain 14 is left paused") != NULL,
	       "... says the domain is left paused");
}

static void setup(void)
{
	if (fake_xen_create(&fx))
		exit(99);
	if (fake_xen_domain_add(fx, 1, 0) ||
	    fake_xen_xs_write(fx, 0, "/local/domain/0/name", "Domain-0") ||
	    fake_xen_xs_write(fx, 0, "/local/domain/1/name", "vm1"))
		exit(99);
	ctl.ops = &fake_xen_ops;
	if (fake_xen_platform_open(fx, 0, &ctl.p))
		exit(99);
}

int main(void)
{
	const char *two;

	tap_plan(49);
	setup();
	two = cfg(0, "name = \"g1\"\nism = [ \"devid=7\", \"backend=0\" ]\n");
	test_create(two);
	test_settings();
	test_restore();
	test_migrate();
	test_refused(two);
	test_failures(two);
	unlink(cfg(0, ""));
	unlink(cfg(1, ""));
	unlink(cfg(2, ""));
	unlink(cfg(3, ""));
	fake_xen_platform_close(ctl.p);
	fake_xen_destroy(fx);
	return tap_done();
}
