/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-rendezvous.c - named token rendezvous: names, values (hostile ones
 * too), and publish/lookup on the fake's xenstore with its permissions:
 * guest 5 publishes for guest 7; guest 8 must not see it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "sbackend.h"
#include "platform-fake.h"
#include "../lib/private.h"

TAP_MAIN;

#define A 5
#define B 7
#define C 8

static struct fake_xen *fx;
static ism_dev *dev_a;
static struct sb sb_b;
static int published_late;

static int open_dev(struct sb *sb, uint16_t dom, uint32_t devid,
		    ism_fake_hook_fn hook, ism_dev **dev_out)
{
	const struct ism_fe_ops *ops;
	struct ism_fe_platform *p;

	if (sb_init(sb, fx, dom, devid) ||
	    ism_fake_platform_open(fx, dom, &ops, &p))
		return -1;
	ism_fake_platform_set_hook(p, hook, sb);
	return ism__dev_open_on(ops, p, devid, 1000, dev_out);
}

/* B's hook: the first time B waits, A publishes "late". */
static int hook_b(void *ctx)
{
	if (!published_late && dev_a) {
		published_late = 1;
		ism_name_publish(dev_a, "late", 0xabcdefull, B);
		return 1;
	}
	return sb_step(ctx);
}

static int parse(const char *s)
{
	uint64_t g, t;
	uint32_t d;

	return ism__rdv_parse(s, strlen(s), &g, &d, &t);
}

int main(void)
{
	char buf[64], name[80], *val = NULL;
	struct ism_xs_perm *perms = NULL;
	const struct ism_xs_perm *pp;
	struct sb sb_a;
	unsigned int num = 0, i;
	ism_dev *dev_b = NULL;
	uint64_t g, t, tok = 0;
	uint32_t d;
	int rc;

	tap_plan(33);

	/* Names and values, no Xen needed. */
	tap_ok(ism__name_is_valid("chat_1-x"), "a good name");
	tap_ok(!ism__name_is_valid(""), "empty name refused");
	tap_ok(!ism__name_is_valid("a/b") && !ism__name_is_valid("a b") &&
		       !ism__name_is_valid(".."),
	       "names with / space or dots refused");
	memset(name, 'n', 65);
	name[65] = '\0';
	tap_ok(!ism__name_is_valid(name), "65 characters refused");
	name[64] = '\0';
	tap_ok(ism__name_is_valid(name), "64 characters accepted");
	tap_is_int(ism__rdv_format(buf, sizeof(buf), 0x5e1f0c2a9b7d4433ull,
				   4097, 0x8c1d2e3f4a5b6c7dull),
		   0, "format");
	tap_is_str(buf, "5e1f0c2a9b7d4433:4097:8c1d2e3f4a5b6c7d",
		   "the value of the protocol's example");
	tap_ok(!ism__rdv_parse(buf, strlen(buf), &g, &d, &t) &&
		       g == 0x5e1f0c2a9b7d4433ull && d == 4097 &&
		       t == 0x8c1d2e3f4a5b6c7dull,
	       "parse it back");
	tap_is_int(parse("5E1F0C2A9B7D4433:4097:8c1d2e3f4a5b6c7d"), -EPROTO,
		   "uppercase gid refused");
	tap_is_int(parse("5e1f0c2a9b7d4433:04097:8c1d2e3f4a5b6c7d"), -EPROTO,
		   "devid with a leading zero refused");
	tap_is_int(parse("5e1f0c2a9b7d4433:0:8c1d2e3f4a5b6c7d"), -EPROTO,
		   "devid 0 refused");
	tap_is_int(parse("5e1f0c2a9b7d4433:4097:0000000000000000"), -EPROTO,
		   "token 0 refused");
	tap_is_int(parse("5e1f0c2a9b7d4433:4097:8c1d2e3f4a5b6c7d0"), -EPROTO,
		   "a trailing digit refused");
	tap_is_int(parse("5e1f0c2a9b7d4433::8c1d2e3f4a5b6c7d"), -EPROTO,
		   "empty devid refused");
	tap_is_int(parse("5e1f0c2a9b7d4433:4097"), -EPROTO,
		   "missing token refused");
	tap_is_int(ism__rdv_parse("5e1f0c2a9b7d4433:4097:8c1d2e3f4a5b6c7d", 24,
				  &g, &d, &t),
		   -EPROTO, "a truncated value refused");

	/* On the fake: A = 5 (device 4097), B = 7 (4098), C = 8. */
	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, A, 0) ||
	    fake_xen_domain_add(fx, B, 0) || fake_xen_domain_add(fx, C, 0) ||
	    open_dev(&sb_a, A, 4097, sb_step, &dev_a) ||
	    open_dev(&sb_b, B, 4098, hook_b, &dev_b)) {
		tap_diag("cannot set up two connected guests");
		return 1;
	}
	tap_is_int(ism_name_publish(dev_a, "chat", 0x8c1d2e3f4a5b6c7dull, B), 0,
		   "A publishes chat for B");
	fake_xen_xs_read(fx, A, "data/ism/chat", &val);
	tap_is_str(val, "5e1f0c2a9b7d4433:4097:8c1d2e3f4a5b6c7d",
		   "the node holds gid:devid:token");
	free(val);
	val = NULL;
	fake_xen_xs_get_perms(fx, 0, "/local/domain/5/data/ism/chat", &perms,
			      &num);
	pp = perms;
	tap_ok(num == 2 && pp[0].domid == A && pp[0].perms == 0 &&
		       pp[1].domid == B && pp[1].perms == ISM_XS_PERM_READ,
	       "its permissions are exactly (n5,r7)");
	free(perms);
	fake_xen_xs_get_perms(fx, 0, "/local/domain/5/data/ism", &perms, &num);
	tap_ok(num == 1 && perms[0].domid == A && perms[0].perms == 0,
	       "data/ism is (n5)");
	free(perms);
	tap_is_int(fake_xen_xs_read(fx, C, "/local/domain/5/data/ism/chat",
				    &val),
		   -EACCES, "guest 8 cannot read it");
	tap_is_int(ism_name_lookup(dev_b, "chat", A, 0, &tok), 0,
		   "B looks it up");
	tap_is_int(tok, 0x8c1d2e3f4a5b6c7dull, "and gets the token");

	/* Waiting: B waits, A publishes meanwhile. */
	tap_is_int(ism_name_lookup(dev_b, "late", A, 5000, &tok), 0,
		   "a lookup waits for the name to appear");
	tap_is_int(tok, 0xabcdefull, "the late token");
	tap_is_int(ism_name_lookup(dev_b, "never", A, 700, &tok), -ETIMEDOUT,
		   "a name that never comes: -ETIMEDOUT");

	/* Hostile or foreign values. */
	fake_xen_xs_write(fx, A, "data/ism/bad", "zz:1:2");
	{
		struct ism_xs_perm pr[2] = { { A, 0 },
					     { B, ISM_XS_PERM_READ } };

		fake_xen_xs_set_perms(fx, A, "data/ism/bad", pr, 2);
		fake_xen_xs_write(fx, A, "data/ism/far",
				  "1111111111111111:9:2222222222222222");
		fake_xen_xs_set_perms(fx, A, "data/ism/far", pr, 2);
	}
	tap_is_int(ism_name_lookup(dev_b, "bad", A, 0, &tok), -EPROTO,
		   "a malformed value: -EPROTO");
	tap_is_int(ism_name_lookup(dev_b, "far", A, 0, &tok), -EXDEV,
		   "another host's gid: -EXDEV");
	tap_is_int(ism_name_lookup(dev_b, "a/b", A, 0, &tok), -EINVAL,
		   "a bad name: -EINVAL");

	tap_is_int(ism_name_unpublish(dev_a, "chat"), 0, "unpublish");
	tap_is_int(ism_name_lookup(dev_b, "chat", A, 0, &tok), -ETIMEDOUT,
		   "gone for B");

	/* The 64-name limit. */
	for (i = 0, rc = 0; !rc && i < 70; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		rc = ism_name_publish(dev_a, name, 1, B);
	}
	tap_is_int(rc, -ENOSPC, "a 65th name is refused");
	tap_is_int(ism_name_publish(dev_a, "n3", 2, B), 0,
		   "an existing name can still be rewritten");

	ism_dev_close(dev_b);
	ism_dev_close(dev_a);
	sb_fini(&sb_b);
	sb_fini(&sb_a);
	fake_xen_destroy(fx);
	return tap_done();
}
