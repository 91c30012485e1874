/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-devices.c - ismctl's xenstore work on the fake Xen: domain names,
 * attach (the node set, owners and permissions, devids unique on the
 * host, one transaction), detach, list, and what xenstore failures do.
 * The store is dumped as `xenstore-ls -f -p` prints it and checked by
 * ism-schema-check against ism-nodes.txt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "fake-xen.h"
#include "ismctl.h"
#include "unit/unit.h"

TAP_MAIN;

static struct fake_xen *fx;
static struct ism_ctl ctl;

/* ---- A dump of the store, as xenstore-ls -f -p writes it ----------------- */

static void dump_perms(FILE *out, const struct ism_xs_perm *perms,
		       unsigned int num)
{
	static const char letter[] = { 'n', 'r', 'w', 'b' };
	unsigned int i;

	fputs("   (", out);
	for (i = 0; i < num; i++)
		fprintf(out, "%s%c%u", i ? "," : "",
			letter[perms[i].perms & ISM_XS_PERM_BOTH],
			perms[i].domid);
	fputs(")\n", out);
}

static int dump_node(FILE *out, const char *path)
{
	struct ism_xs_perm *perms;
	char **names, child[512], *val;
	unsigned int num, i;
	size_t len;
	int rc;

	rc = fake_xen_ops.xs_read(ctl.p, ISM_XS_NO_TX, path, &val, &len);
	if (rc)
		return rc;
	fprintf(out, "%s = \"%s\"", path, val);
	free(val);
	rc = fake_xen_ops.xs_get_perms(ctl.p, ISM_XS_NO_TX, path, &perms, &num);
	if (rc)
		return rc;
	dump_perms(out, perms, num);
	free(perms);
	rc = fake_xen_ops.xs_directory(ctl.p, ISM_XS_NO_TX, path, &names, &num);
	for (i = 0; !rc && i < num; i++) {
		snprintf(child, sizeof(child), "%s/%s", path, names[i]);
		rc = dump_node(out, child);
	}
	free(names);
	return rc;
}

/* Run ism-schema-check on a dump of /local/domain; its exit status. */
static int schema_check(unsigned int min_devices, char *out, size_t outlen)
{
	const char *src = getenv("top_srcdir"), *bld = getenv("top_builddir");
	char dump[] = "/tmp/ismctl-dump-XXXXXX", cmd[2048];
	size_t used = 0, n;
	FILE *f, *p;
	int fd, st;

	out[0] = '\0';
	fd = mkstemp(dump);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f || dump_node(f, "/local/domain")) {
		if (f)
			fclose(f);
		unlink(dump);
		return -1;
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "'%s/ism-schema-check' --nodes '%s/xenstore-schema/"
		 "ism-nodes.txt' --min-devices %u '%s' 2>&1",
		 bld ? bld : ".", src ? src : ".", min_devices, dump);
	p = popen(cmd, "r");
	if (!p) {
		unlink(dump);
		return -1;
	}
	while (used + 1 < outlen &&
	       (n = fread(out + used, 1, outlen - 1 - used, p)) > 0)
		used += n;
	out[used] = '\0';
	st = pclose(p);
	unlink(dump);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- Helpers ------------------------------------------------------------- */

static const char *rd(uint16_t domid, const char *path)
{
	return unit_read(fx, domid, path);
}

static bool exists(const char *path)
{
	char *val;

	if (fake_xen_xs_read(fx, 0, path, &val))
		return false;
	free(val);
	return true;
}

/* The permission list of @path as "n1,r0". */
static const char *perms_of(const char *path)
{
	static char buf[64];
	struct ism_xs_perm *perms;
	unsigned int num, i;
	size_t used = 0;

	if (fake_xen_xs_get_perms(fx, 0, path, &perms, &num))
		return "(none)";
	for (i = 0; i < num && used < sizeof(buf) - 16; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used,
					 "%s%c%u", i ? "," : "",
					 "nrwb"[perms[i].perms & 3],
					 perms[i].domid);
	free(perms);
	return buf;
}

static int attach1(const char *domain, const char *spec_text, uint32_t *devid)
{
	struct ism_ctl_spec spec;
	char err[256];

	if (ism_ctl_spec_parse(spec_text, &spec, err, sizeof(err)))
		return -EBADMSG;
	return ism_ctl_attach(&ctl, domain, &spec, 1, devid);
}

static void setup(void)
{
	static const struct {
		uint16_t domid;
		const char *name;
	} doms[] = {
		{ 0, "Domain-0" }, { 1, "vm1" },  { 2, "ismdd" },
		{ 3, "vm3" },	   { 4, "twin" }, { 5, "twin" },
	};
	char path[64];
	unsigned int i;

	if (fake_xen_create(&fx))
		exit(99);
	for (i = 0; i < sizeof(doms) / sizeof(doms[0]); i++) {
		if (doms[i].domid && fake_xen_domain_add(fx, doms[i].domid, 0))
			exit(99);
		snprintf(path, sizeof(path), "/local/domain/%u/name",
			 doms[i].domid);
		if (fake_xen_xs_write(fx, 0, path, doms[i].name))
			exit(99);
	}
	ctl.ops = &fake_xen_ops;
	if (fake_xen_platform_open(fx, 0, &ctl.p))
		exit(99);
}

/* ---- Tests --------------------------------------------------------------- */

static void test_lookup(void)
{
	uint16_t d = 999;

	tap_ok(!ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "vm1", true, &d) &&
		       d == 1,
	       "the name vm1 is domain 1");
	tap_ok(!ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "Domain-0", true,
				      &d) &&
		       d == 0,
	       "Domain-0 is domain 0");
	tap_ok(!ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "3", true, &d) &&
		       d == 3,
	       "the id 3 is domain 3");
	tap_is_int(ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "nope", true, &d),
		   -ENOENT, "an unknown name is -ENOENT");
	tap_ok(strstr(ctl.err, "no domain named `nope'") != NULL,
	       "... and says so");
	tap_is_int(ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "twin", true, &d),
		   -ENOTUNIQ, "a name two domains share is -ENOTUNIQ");
	tap_is_int(ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "99", true, &d),
		   -ENOENT, "the id of no domain is -ENOENT");
	tap_ok(!ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "99", false, &d) &&
		       d == 99,
	       "... unless it need not exist (detach of leftovers)");
	tap_is_int(ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "32752", false,
					 &d),
		   -EINVAL, "an id above the domid range is -EINVAL");
	tap_is_int(ism_ctl_domain_lookup(&ctl, ISM_XS_NO_TX, "a/b", true, &d),
		   -EINVAL, "a name with a slash is -EINVAL");
}

static void test_attach(void)
{
	struct ism_ctl_spec specs[2];
	char out[4096], err[128];
	uint32_t devid = 0, devids[2] = { 0, 0 };
	int rc;

	tap_is_int(attach1("vm1", "", &devid), 0, "attach vm1 with defaults");
	tap_is_int(devid, 1, "... takes devid 1 on an empty host");
	tap_is_str(perms_of("/local/domain/1/device/ism/1"), "n1,r0",
		   "... frontend directory owned by vm1, readable by dom0");
	tap_is_str(perms_of("/local/domain/0/backend/ism/1/1"), "n0,r1",
		   "... backend directory owned by dom0, readable by vm1");
	tap_is_str(perms_of("/local/domain/1/device/ism/1/state"), "n1,r0",
		   "... nodes inherit their directory's permissions");
	tap_is_str(rd(0, "/local/domain/1/device/ism/1/backend"),
		   "/local/domain/0/backend/ism/1/1", "... frontend/backend");
	tap_is_str(rd(0, "/local/domain/0/backend/ism/1/1/frontend"),
		   "/local/domain/1/device/ism/1", "... backend/frontend");
	tap_ok(!strcmp(rd(0, "/local/domain/1/device/ism/1/state"), "1") &&
		       !strcmp(rd(0, "/local/domain/0/backend/ism/1/1/state"),
			       "1") &&
		       !strcmp(rd(0, "/local/domain/0/backend/ism/1/1/online"),
			       "1"),
	       "... both states 1 (Initialising), online 1");
	tap_is_str(rd(1, "/local/domain/1/device/ism/1/backend-id"), "0",
		   "... the guest reads its frontend directory");
	tap_is_int(fake_xen_xs_write(fx, 1,
				     "/local/domain/1/device/ism/1/state", "1"),
		   0, "... and may write its state");
	tap_is_int(fake_xen_xs_write(fx, 1,
				     "/local/domain/1/device/ism/2/state", "1"),
		   -EACCES, "... but cannot create a device itself");

	tap_is_int(attach1("vm3", "backend=ismdd", &devid), 0,
		   "attach vm3 with its backend in driver domain ismdd");
	tap_is_int(devid, 2, "... takes the next devid on the host, 2");
	tap_is_str(perms_of("/local/domain/2/backend/ism/3/2"), "n2,r3",
		   "... backend directory owned by ismdd, readable by vm3");
	tap_is_str(perms_of("/local/domain/3/device/ism/2"), "n3,r2",
		   "... frontend directory readable by ismdd");
	tap_is_str(rd(2, "/local/domain/3/device/ism/2/backend-id"), "2",
		   "... the driver domain reads the frontend directory");
	tap_is_str(rd(3, "/local/domain/1/device/ism/1/state"), "(error -13)",
		   "... another guest cannot read vm1's");

	tap_is_int(attach1("vm1", "devid=2", &devid), -EEXIST,
		   "a devid used by another domain is -EEXIST");
	tap_ok(strstr(ctl.err, "devid 2") && strstr(ctl.err, "domain 3") &&
		       strstr(ctl.err, "vm1"),
	       "... naming the domain, the devid and who has it");
	tap_is_int(attach1("nope", "", &devid), -ENOENT,
		   "attach to an unknown domain is -ENOENT");
	tap_is_int(attach1("vm1", "backend=nope", &devid), -ENOENT,
		   "attach with an unknown backend is -ENOENT");

	/* Two devices in one transaction, as `ism = [ ... ]` gives them. */
	ism_ctl_spec_parse("devid=4097", &specs[0], err, sizeof(err));
	ism_ctl_spec_parse("", &specs[1], err, sizeof(err));
	tap_is_int(ism_ctl_attach(&ctl, "vm3", specs, 2, devids), 0,
		   "attach two devices to vm3 at once");
	tap_ok(devids[0] == 4097 && devids[1] == 4098,
	       "... devids 4097 and the next one, 4098");
	ism_ctl_spec_parse("devid=5000", &specs[0], err, sizeof(err));
	ism_ctl_spec_parse("devid=4097", &specs[1], err, sizeof(err));
	tap_is_int(ism_ctl_attach(&ctl, "vm3", specs, 2, devids), -EEXIST,
		   "a batch with one devid in use fails");
	tap_ok(!exists("/local/domain/3/device/ism/5000") &&
		       !exists("/local/domain/0/backend/ism/3/5000"),
	       "... and writes none of its devices");

	rc = schema_check(4, out, sizeof(out));
	if (!tap_is_int(rc, 0, "ism-schema-check accepts the store"))
		tap_diag("%s", out);
	tap_ok(strstr(out, "OK: 4 devices") != NULL,
	       "... and counts the 4 devices");
}

static void test_list(void)
{
	struct ism_ctl_device *devs = NULL;
	unsigned int num = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	rc = ism_ctl_list(&ctl, &devs, &num);
	tap_ok(!rc && num == 4, "list finds the 4 devices");
	if (rc || num != 4)
		return;
	tap_ok(devs[0].domid == 1 && devs[0].devid == 1 && devs[1].devid == 2 &&
		       devs[2].devid == 4097 && devs[3].devid == 4098,
	       "... by domain, then devid");
	tap_ok(!strcmp(devs[1].name, "vm3") && devs[1].backend == 2 &&
		       !strcmp(devs[1].backend_name, "ismdd") &&
		       devs[1].frontend_state == 1 &&
		       devs[1].backend_state == 1 && devs[1].online == 1,
	       "... with names, backend, states and online");

	f = open_memstream(&text, &len);
	ism_ctl_list_print(f, devs, num, NULL, false);
	fclose(f);
	tap_ok(!strncmp(text, "Name ", 5) && strstr(text, "FE-state") &&
		       strstr(text, "Initialising") && strstr(text, "ismdd"),
	       "the table has a header, state names and backend names");
	free(text);

	f = open_memstream(&text, &len);
	ism_ctl_list_print(f, devs, num, NULL, true);
	fclose(f);
	tap_ok(!strncmp(text, "{\n  \"devices\": [", 16) &&
		       strstr(text, "{\"name\": \"vm1\", \"domid\": 1, "
				    "\"devid\": 1, \"backend\": 0, ") &&
		       strstr(text, "\"frontend_state\": 1") &&
		       strstr(text, "\"error\": null}") &&
		       strstr(text, "\"totals\": null,\n"
				    "  \"grant_pool\": null\n}\n"),
	       "JSON: one object per device, numbers as numbers, null");
	free(text);

	f = open_memstream(&text, &len);
	ism_ctl_list_print(f, devs, 0, NULL, true);
	fclose(f);
	tap_is_str(text,
		   "{\n  \"devices\": [],\n  \"totals\": null,\n"
		   "  \"grant_pool\": null\n}\n",
		   "JSON of no device has an empty list");
	free(text);
	free(devs);
}

static void test_detach(void)
{
	char out[4096];
	int rc;

	tap_is_int(ism_ctl_detach(&ctl, "vm1", 1, 0), 0, "detach vm1 devid 1");
	tap_ok(!exists("/local/domain/1/device/ism/1") &&
		       !exists("/local/domain/0/backend/ism/1/1"),
	       "... removes both directories");
	tap_ok(!exists("/local/domain/0/backend/ism/1"),
	       "... and the backend's empty directory for vm1");
	tap_is_int(ism_ctl_detach(&ctl, "vm1", 1, 0), -ENOENT,
		   "detach it again is -ENOENT");
	tap_ok(strstr(ctl.err, "vm1 has no ism device 1") != NULL,
	       "... naming the domain and devid");

	/* A connected backend that never closes: removed after the wait. */
	fake_xen_xs_write(fx, 2, "/local/domain/2/backend/ism/3/2/state", "4");
	tap_is_int(ism_ctl_detach(&ctl, "vm3", 2, 100), 0,
		   "detach from a backend that does not close");
	tap_ok(strstr(ctl.warn, "did not close") && strstr(ctl.warn, "vm3") &&
		       strstr(ctl.warn, "devid 2"),
	       "... warns that it removed it anyway");
	tap_ok(!exists("/local/domain/2/backend/ism/3/2") &&
		       !exists("/local/domain/3/device/ism/2"),
	       "... and removed it");

	/* A backend that has closed: no wait, no warning. */
	fake_xen_xs_write(fx, 0, "/local/domain/0/backend/ism/3/4097/state",
			  "6");
	tap_ok(!ism_ctl_detach(&ctl, "vm3", 4097, 60000) && !ctl.warn[0],
	       "detach from a closed backend does not wait");
	tap_is_str(rd(0, "/local/domain/0/backend/ism/3/4098/online"), "1",
		   "... and leaves the other device alone");

	/* What a dead domain left behind. */
	fake_xen_xs_write(fx, 0, "/local/domain/0/backend/ism/9/77/state", "1");
	tap_is_int(ism_ctl_detach(&ctl, "9", 77, 0), 0,
		   "detach a leftover of a domain that is gone");
	tap_ok(!exists("/local/domain/0/backend/ism/9"),
	       "... removes what it left");
	tap_is_int(ism_ctl_detach(&ctl, "ghost", 77, 0), -ENOENT,
		   "detach by an unknown name is -ENOENT");

	tap_is_int(ism_ctl_detach(&ctl, "vm3", 4098, 0), 0,
		   "detach the last device");
	rc = schema_check(0, out, sizeof(out));
	if (!tap_is_int(rc, 0, "ism-schema-check accepts the empty store"))
		tap_diag("%s", out);
}

static void test_faults(void)
{
	uint32_t devid = 0;

	fake_xen_fail_set(fx, FAKE_XEN_OP_XS_TRANSACTION_END, 1, EAGAIN, 0);
	tap_is_int(attach1("vm1", "devid=300", &devid), 0,
		   "attach retries a transaction that conflicted");
	tap_ok(exists("/local/domain/1/device/ism/300/state"),
	       "... and the device is there");

	fake_xen_fail_set(fx, FAKE_XEN_OP_XS_TRANSACTION_END, 1, EAGAIN,
			  FAKE_XEN_FAIL_PERSIST);
	tap_is_int(attach1("vm1", "devid=301", &devid), -EAGAIN,
		   "attach gives up when every transaction conflicts");
	tap_ok(strstr(ctl.err, "try again") != NULL, "... and says so");
	fake_xen_fail_clear(fx);
	tap_ok(!exists("/local/domain/1/device/ism/301"),
	       "... leaving nothing behind");

	fake_xen_fail_set(fx, FAKE_XEN_OP_XS_WRITE, 3, EACCES, 0);
	tap_is_int(attach1("vm1", "devid=302", &devid), -EACCES,
		   "a failed write fails the attach with its errno");
	tap_ok(strstr(ctl.err, "xenstore: write") &&
		       strstr(ctl.err, "Permission denied"),
	       "... saying which write failed");
	tap_ok(!exists("/local/domain/1/device/ism/302"),
	       "... and the transaction is abandoned");
	fake_xen_fail_clear(fx);

	fake_xen_fail_set(fx, FAKE_XEN_OP_XS_DIRECTORY, 1, EINVAL, 0);
	tap_is_int(attach1("vm1", "", &devid), -EIO,
		   "xenstore's EINVAL is not reported as a usage error");
	fake_xen_fail_clear(fx);
}

int main(void)
{
	tap_plan(67);
	setup();
	test_lookup();
	test_attach();
	test_list();
	test_detach();
	test_faults();
	fake_xen_platform_close(ctl.p);
	fake_xen_destroy(fx);
	return tap_done();
}
