/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fake-xenstore.c - the fake's xenstore: permissions as Xen has them,
 * relative paths, watches (initial fire, changes, removals, permission
 * filter, relative event paths), transactions and input checks.
 *
 * Domains: dom0 is the toolstack, dom1 an unprivileged driver domain that
 * runs the backend (through a platform), dom5 a guest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "fake-xen.h"
#include "unit.h"

TAP_MAIN;

#define BE 1
#define FE 5

static const struct ism_platform_ops *ops = &fake_xen_ops;

static void test_perms(struct fake_xen *fx)
{
	struct ism_xs_perm *got = NULL;
	struct ism_xs_perm p[2];
	unsigned int num = 0;

	tap_is_int(fake_xen_xs_write(fx, 0, "/tool/secret", "v"), 0,
		   "dom0 writes a node outside any home");
	tap_is_str(unit_read(fx, FE, "/tool/secret"), "(error -13)",
		   "a guest cannot read a node not given to it");
	tap_is_str(unit_read(fx, BE, "/tool/secret"), "(error -13)",
		   "nor can the driver domain");
	tap_is_str(
		unit_read(fx, FE, "/tool/missing"), "(error -13)",
		"a missing node under an unreadable one is EACCES, not ENOENT");

	p[0] = (struct ism_xs_perm){ 0, ISM_XS_PERM_NONE };
	p[1] = (struct ism_xs_perm){ FE, ISM_XS_PERM_READ };
	tap_is_int(fake_xen_xs_set_perms(fx, 0, "/tool/secret", p, 2), 0,
		   "dom0 gives the guest read access");
	tap_is_str(unit_read(fx, FE, "/tool/secret"), "v",
		   "the guest can read it after the change");
	tap_is_str(unit_read(fx, BE, "/tool/secret"), "(error -13)",
		   "a domain not in the list still cannot");
	tap_is_int(fake_xen_xs_write(fx, FE, "/tool/secret", "w"), -EACCES,
		   "read access does not allow writing");
	tap_is_int(fake_xen_xs_rm(fx, FE, "/tool/secret"), -EACCES,
		   "nor removing");

	p[0] = (struct ism_xs_perm){ 0, ISM_XS_PERM_READ };
	p[1] = (struct ism_xs_perm){ FE, ISM_XS_PERM_NONE };
	fake_xen_xs_set_perms(fx, 0, "/tool/secret", p, 2);
	tap_is_str(unit_read(fx, BE, "/tool/secret"), "v",
		   "entry 0's access applies to unlisted domains");
	tap_is_str(unit_read(fx, FE, "/tool/secret"), "(error -13)",
		   "a listed domain gets its own entry, even if less");

	tap_is_int(fake_xen_xs_write(fx, FE, "data/mine", "x"), 0,
		   "a guest writes below its own data directory");
	tap_is_int(fake_xen_xs_get_perms(fx, FE, "data/mine", &got, &num), 0,
		   "and reads the node's permissions");
	tap_ok(num == 1 && got && got[0].domid == FE &&
		       got[0].perms == ISM_XS_PERM_NONE,
	       "a node created by a guest is owned by it (inherits the rest)");
	free(got);
	tap_is_str(unit_read(fx, BE, "/local/domain/5/data/mine"),
		   "(error -13)", "the backend cannot read the guest's node");
	tap_is_str(unit_read(fx, 0, "/local/domain/5/data/mine"), "x",
		   "dom0 is privileged and can");
	tap_is_int(fake_xen_xs_set_perms(fx, FE, "/tool/secret", p, 2), -EACCES,
		   "a guest cannot change the perms of dom0's node");
	p[0] = (struct ism_xs_perm){ BE, ISM_XS_PERM_NONE };
	tap_is_int(fake_xen_xs_set_perms(fx, FE, "data/mine", p, 1), -EPERM,
		   "an unprivileged owner cannot give its node away");
	p[0] = (struct ism_xs_perm){ FE, ISM_XS_PERM_NONE };
	p[1] = (struct ism_xs_perm){ BE, ISM_XS_PERM_READ };
	tap_is_int(fake_xen_xs_set_perms(fx, FE, "data/mine", p, 2), 0,
		   "the owner shares its node with the backend");
	tap_is_str(unit_read(fx, BE, "/local/domain/5/data/mine"), "x",
		   "the backend can read it now");
	tap_is_int(fake_xen_xs_write(fx, BE, "/local/domain/5/data/mine", "y"),
		   -EACCES, "but not write it");
	tap_is_int(fake_xen_xs_write(fx, FE, "device/x", "1"), -EACCES,
		   "a guest cannot create nodes in its read-only device dir");
}

static void test_paths(struct fake_xen *fx)
{
	char big[5000];

	tap_is_str(unit_read(fx, 0, "/nowhere"), "(error -2)",
		   "reading a missing node is ENOENT");
	tap_is_int(fake_xen_xs_rm(fx, 0, "/tool/none"), 0,
		   "removing a missing node whose parent exists succeeds");
	tap_is_int(fake_xen_xs_rm(fx, 0, "/none/none"), -ENOENT,
		   "removing below a missing parent is ENOENT");
	tap_is_int(fake_xen_xs_rm(fx, 0, "/"), -EINVAL,
		   "the root cannot be removed");
	tap_is_int(fake_xen_xs_write(fx, 0, "/a//b", "1"), -EINVAL,
		   "an empty path component is refused");
	tap_is_int(fake_xen_xs_write(fx, 0, "/a/", "1"), -EINVAL,
		   "a trailing slash is refused");
	tap_is_int(fake_xen_xs_write(fx, 0, "/a b", "1"), -EINVAL,
		   "a space in a path is refused");
	tap_is_int(fake_xen_xs_write(fx, 0, NULL, "1"), -EINVAL,
		   "a NULL path is refused");
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	tap_is_int(fake_xen_xs_write(fx, 0, big, "1"), -E2BIG,
		   "a path over 3072 bytes is refused");
	big[4090] = '\0';
	tap_is_int(fake_xen_xs_write(fx, 0, "/tool/big", big), -E2BIG,
		   "a value over the 4096-byte payload is refused");
	tap_is_str(unit_read(fx, 0, "/tool/big"), "(error -2)",
		   "and the refused write left nothing");
	tap_is_int(fake_xen_xs_write(fx, 0, "/tool/deep/er/node", "d"), 0,
		   "a write creates missing parents");
	tap_is_str(unit_read(fx, 0, "/tool/deep/er"), "",
		   "created parents have an empty value");
	tap_is_int(fake_xen_xs_mkdir(fx, 0, "/tool/deep/er/node"), 0,
		   "mkdir of an existing node succeeds");
	tap_is_str(unit_read(fx, 0, "/tool/deep/er/node"), "d",
		   "and keeps its value");
}

static void test_platform_xs(struct fake_xen *fx, struct ism_platform *p)
{
	char **names = NULL, *val = NULL;
	unsigned int num = 0;
	uint16_t domid = 0;
	size_t len = 0;
	int ok;

	tap_is_int(ops->local_domid(p, &domid), 0, "local_domid works");
	tap_is_int(domid, BE, "and names the platform's domain");
	tap_is_int(ops->xs_write(p, 0, "backend/foo", "1", 1), -EACCES,
		   "the driver domain cannot create nodes in its home itself");
	tap_is_int(fake_xen_device_add(fx, "ism", FE, BE, 0), 0,
		   "the toolstack adds an ism device");
	tap_is_int(ops->xs_write(p, 0, "backend/ism/5/0/state", "2", 1), 0,
		   "the backend writes its state with a relative path");
	tap_is_str(unit_read(fx, 0, "/local/domain/1/backend/ism/5/0/state"),
		   "2", "which lands below /local/domain/1");
	tap_is_str(unit_read(fx, FE, "/local/domain/1/backend/ism/5/0/state"),
		   "2", "the frontend can read the backend's nodes");
	tap_is_int(ops->xs_read(p, 0, "/local/domain/5/device/ism/0/state",
				&val, &len),
		   0, "the backend reads the frontend's state");
	tap_ok(val && len == 1 && !strcmp(val, "1"),
	       "value, length and NUL terminator are right");
	free(val);
	tap_is_int(ops->xs_write(p, 0, "/local/domain/5/device/ism/0/state",
				 "4", 1),
		   -EACCES, "the backend cannot write the frontend's nodes");
	tap_is_int(ops->xs_directory(p, 0, "backend/ism/5/0", &names, &num), 0,
		   "directory lists the backend dir");
	ok = num == 4 && names && !strcmp(names[0], "frontend") &&
	     !strcmp(names[1], "frontend-id") && !strcmp(names[2], "online") &&
	     !strcmp(names[3], "state") && !names[4];
	tap_ok(ok, "children listed in creation order, NULL-terminated");
	free(names);
	tap_is_int(ops->xs_directory(p, 0, "backend/ism/9", &names, &num),
		   -ENOENT, "directory of a missing node is ENOENT");
}

static void test_watches(struct fake_xen *fx, struct ism_platform *p)
{
	struct ism_xs_perm perm[2];
	char *path = NULL, *token = NULL;
	int fd, n, m;

	fd = ops->xs_fd(p);
	tap_ok(fd >= 0, "the platform has a xenstore fd");
	unit_plat_drain(p, NULL, NULL);
	tap_is_int(unit_fd_readable(fd), 0, "no event queued: fd not readable");
	tap_is_int(ops->xs_watch(p, "backend/ism", "be"), 0,
		   "watch a relative path");
	tap_is_int(unit_fd_readable(fd), 1,
		   "the initial event makes it readable");
	tap_is_int(ops->xs_read_watch(p, &path, &token), 0, "read it");
	tap_ok(path && token && !strcmp(path, "backend/ism") &&
		       !strcmp(token, "be"),
	       "the initial event has the path as registered and the token");
	free(path);
	free(token);
	tap_is_int(ops->xs_read_watch(p, &path, &token), -EAGAIN,
		   "then nothing is queued");
	tap_is_int(unit_fd_readable(fd), 0, "and the fd is quiet again");
	tap_is_int(ops->xs_watch(p, "backend/ism", "be"), -EEXIST,
		   "the same watch twice is refused");

	fake_xen_device_add(fx, "ism", FE, BE, 1);
	n = unit_plat_drain(p, "backend/ism/5/1/state", &m);
	tap_ok(n >= 1 && m == 1,
	       "a new device fires the watch with relative paths (%d events)",
	       n);

	tap_is_int(ops->xs_watch(p, "/local/domain/5/device/ism/0", "fe"), 0,
		   "watch the frontend's directory");
	unit_plat_drain(p, NULL, NULL);
	fake_xen_xs_write(fx, FE, "device/ism/0/state", "3");
	n = unit_plat_drain(p, "/local/domain/5/device/ism/0/state", &m);
	tap_ok(n == 1 && m == 1, "a guest write below fires once, absolute");

	tap_is_int(ops->xs_watch(p, "/local/domain/5/data", "data"), 0,
		   "watch the guest's data directory");
	unit_plat_drain(p, NULL, NULL);
	fake_xen_xs_write(fx, FE, "data/hidden", "1");
	tap_is_int(unit_plat_drain(p, NULL, NULL), 0,
		   "no event for a node the watcher cannot read");
	perm[0] = (struct ism_xs_perm){ FE, ISM_XS_PERM_NONE };
	perm[1] = (struct ism_xs_perm){ BE, ISM_XS_PERM_READ };
	fake_xen_xs_set_perms(fx, FE, "data/hidden", perm, 2);
	n = unit_plat_drain(p, "/local/domain/5/data/hidden", &m);
	tap_ok(n == 1 && m == 1, "sharing the node fires the watch");
	fake_xen_xs_write(fx, FE, "data/hidden", "2");
	n = unit_plat_drain(p, "/local/domain/5/data/hidden", &m);
	tap_ok(n == 1 && m == 1, "and now its writes do too");

	tap_is_int(fake_xen_xs_watch(fx, FE, "device/ism/0/state", "st"), 0,
		   "the guest watches its own state node");
	unit_dom_drain(fx, FE, NULL, NULL);
	fake_xen_xs_rm(fx, 0, "/local/domain/5/device/ism/0");
	n = unit_dom_drain(fx, FE, "device/ism/0/state", &m);
	tap_ok(n == 1 && m == 1,
	       "removing a parent fires a watch on the child, relative");
	n = unit_plat_drain(p, "/local/domain/5/device/ism/0", &m);
	tap_ok(n >= 1 && m == 1,
	       "and fires a watch on the removed node itself");

	tap_is_int(ops->xs_unwatch(p, "/local/domain/5/data", "data"), 0,
		   "unwatch");
	fake_xen_xs_write(fx, FE, "data/hidden", "3");
	tap_is_int(unit_plat_drain(p, NULL, NULL), 0,
		   "no events after unwatch");
	tap_is_int(ops->xs_unwatch(p, "/local/domain/5/data", "data"), -ENOENT,
		   "unwatching twice is ENOENT");
	fake_xen_xs_write(fx, FE, "data/hidden", "4");
	fake_xen_xs_write(fx, 0, "/local/domain/1/backend/ism/5/1/online", "0");
	tap_is_int(ops->xs_unwatch(p, "backend/ism", "be"), 0,
		   "unwatch with events queued");
	tap_is_int(unit_plat_drain(p, NULL, NULL), 0,
		   "unwatch drops that watch's queued events");
	ops->xs_unwatch(p, "/local/domain/5/device/ism/0", "fe");
	fake_xen_xs_unwatch(fx, FE, "device/ism/0/state", "st");

	tap_is_int(fake_xen_xs_watch(fx, BE, "@releaseDomain", "rel"), 0,
		   "special watches can be registered");
	tap_is_int(fake_xen_xs_watch(fx, BE, "@other", "x"), -EINVAL,
		   "unknown special watches are refused");
	fake_xen_xs_unwatch(fx, BE, "@releaseDomain", "rel");
	unit_dom_drain(fx, BE, NULL, NULL);
}

static void test_transactions(struct fake_xen *fx, struct ism_platform *p)
{
	const char *node = "backend/ism/5/1/state";
	uint32_t tx = 0, tx2 = 0;
	char *val = NULL;
	size_t len;
	int n, m;

	ops->xs_watch(p, "/local/domain/1/backend/ism/5/1", "tx");
	unit_plat_drain(p, NULL, NULL);
	tap_is_int(ops->xs_transaction_start(p, &tx), 0, "start a transaction");
	tap_ok(tx != ISM_XS_NO_TX, "its id is not ISM_XS_NO_TX");
	tap_is_int(ops->xs_write(p, tx, node, "4", 1), 0, "write in it");
	tap_is_str(unit_read(fx, 0, "/local/domain/1/backend/ism/5/1/state"),
		   "1", "the write is not visible outside before commit");
	tap_is_int(ops->xs_read(p, tx, node, &val, &len), 0,
		   "read inside the transaction");
	tap_is_str(val, "4", "the transaction sees its own write");
	free(val);
	tap_is_int(unit_plat_drain(p, NULL, NULL), 0,
		   "no watch fires before commit");
	tap_is_int(ops->xs_transaction_end(p, tx, false), 0, "commit");
	tap_is_str(unit_read(fx, 0, "/local/domain/1/backend/ism/5/1/state"),
		   "4", "the write is visible after commit");
	n = unit_plat_drain(p, "/local/domain/1/backend/ism/5/1/state", &m);
	tap_ok(n == 1 && m == 1, "the watch fires at commit");
	tap_is_int(ops->xs_transaction_end(p, tx, false), -ENOENT,
		   "a finished transaction cannot be ended again");
	tap_is_int(ops->xs_write(p, tx, node, "5", 1), -ENOENT, "nor used");

	ops->xs_transaction_start(p, &tx);
	ops->xs_write(p, tx, node, "5", 1);
	fake_xen_xs_write(fx, FE, "data/other", "1");
	tap_is_int(ops->xs_transaction_end(p, tx, false), -EAGAIN,
		   "a change by someone else makes commit fail with EAGAIN");
	tap_is_str(unit_read(fx, 0, "/local/domain/1/backend/ism/5/1/state"),
		   "4", "and nothing of the transaction is committed");

	ops->xs_transaction_start(p, &tx);
	ops->xs_transaction_start(p, &tx2);
	ops->xs_write(p, tx, node, "6", 1);
	ops->xs_write(p, tx2, node, "7", 1);
	tap_is_int(ops->xs_transaction_end(p, tx2, false), 0,
		   "the first of two overlapping transactions commits");
	tap_is_int(ops->xs_transaction_end(p, tx, false), -EAGAIN,
		   "the second one conflicts");
	tap_is_str(unit_read(fx, 0, "/local/domain/1/backend/ism/5/1/state"),
		   "7", "the committed one won");

	ops->xs_transaction_start(p, &tx);
	ops->xs_rm(p, tx, "backend/ism/5/1");
	tap_is_int(ops->xs_transaction_end(p, tx, true), 0, "abort");
	tap_is_str(unit_read(fx, 0, "/local/domain/1/backend/ism/5/1/state"),
		   "7", "an aborted removal changed nothing");
	unit_plat_drain(p, NULL, NULL);
	ops->xs_unwatch(p, "/local/domain/1/backend/ism/5/1", "tx");
}

static void test_quotas(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t tx[11];
	char token[16];
	int i, rc = 0, n;

	for (i = 0; i < 128 && !rc; i++) {
		snprintf(token, sizeof(token), "q%d", i);
		rc = ops->xs_watch(p, "backend/ism", token);
	}
	tap_is_int(rc, 0, "an unprivileged domain may hold 128 watches");
	tap_is_int(ops->xs_watch(p, "backend/ism", "one-more"), -E2BIG,
		   "the 129th is refused");
	for (i = 0; i < 128; i++) {
		snprintf(token, sizeof(token), "q%d", i);
		ops->xs_unwatch(p, "backend/ism", token);
	}

	for (i = 0, rc = 0; i < 10 && !rc; i++)
		rc = ops->xs_transaction_start(p, &tx[i]);
	tap_is_int(rc, 0, "and 10 transactions");
	tap_is_int(ops->xs_transaction_start(p, &tx[10]), -ENOSPC,
		   "the 11th is refused");
	for (i = 0; i < 10; i++)
		ops->xs_transaction_end(p, tx[i], true);

	ops->xs_watch(p, "/local/domain/5/data", "flood");
	for (i = 0; i < 4200; i++)
		fake_xen_xs_write(fx, FE, "data/hidden", "x"); /* shared */
	tap_is_int(fake_xen_events_dropped(fx), 4200 + 1 - 4096,
		   "a flood of events is bounded at 4096 queued");
	n = unit_plat_drain(p, NULL, NULL);
	tap_is_int(n, 4096, "and those 4096 can be read");
	ops->xs_unwatch(p, "/local/domain/5/data", "flood");
}

int main(void)
{
	struct fake_xen_usage u;
	struct ism_platform *p = NULL;
	struct fake_xen *fx = NULL;

	tap_plan(102);

	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, BE, 0) ||
	    fake_xen_domain_add(fx, FE, 0) ||
	    fake_xen_platform_open(fx, BE, &p)) {
		tap_diag("cannot set up the fake");
		return 1;
	}
	test_perms(fx);
	test_paths(fx);
	test_platform_xs(fx, p);
	test_watches(fx, p);
	test_transactions(fx, p);
	test_quotas(fx, p);

	fake_xen_usage(fx, BE, &u);
	tap_ok(!u.watches && !u.transactions,
	       "the backend holds no watches or transactions at the end");
	fake_xen_platform_close(p);
	fake_xen_destroy(fx);
	return tap_done();
}
