// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl.c - the control channel of ism-bench (see ctl.h): the choice of
 * transport, and what both share: commands, results, barriers, aborts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "ctl.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

int bench_ctl_open(struct bench_ctl *c, enum bench_role role,
		   enum bench_control mode, uint32_t devid, int timeout_ms)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->role = role;
	c->epfd = -1;
	if (mode == BENCH_CONTROL_ISM) {
		snprintf(c->raw_why, sizeof(c->raw_why), "needs --control=xen");
		return bench_ctl_ism_open(c, devid, timeout_ms);
	}
	rc = bench_ctl_xen_open(c);
	if (!rc || mode == BENCH_CONTROL_XEN ||
	    (rc != -EACCES && rc != -EPERM && rc != -ENOENT))
		return rc;
	fprintf(stderr,
		"ism-bench: %s: the control channel goes over xen-ism "
		"(--control=ism)\n",
		c->raw_why);
	return bench_ctl_ism_open(c, devid, timeout_ms);
}

int bench_ctl_listen(struct bench_ctl *c, bool tcp)
{
	return c->ops->listen(c, tcp);
}

int bench_ctl_connect(struct bench_ctl *c, uint16_t peer)
{
	return c->ops->connect(c, peer);
}

void bench_ctl_close(struct bench_ctl *c)
{
	if (c->ops)
		c->ops->close(c);
}

void bench_ctl_kick(struct bench_ctl *c)
{
	c->ops->kick(c);
}

int bench_ctl_wait(struct bench_ctl *c)
{
	return c->ops->wait(c);
}

void bench_ctl_abort(struct bench_ctl *c, int rc)
{
	if (!c->page)
		return;
	STORE(c->page->abort[c->role], rc ? rc : -EIO);
	bench_ctl_kick(c);
}

int bench_ctl_barrier(struct bench_ctl *c)
{
	int rc;

	STORE(c->page->step[c->role], ++c->step);
	bench_ctl_kick(c);
	while ((int32_t)(LOAD(c->page->step[!c->role]) - c->step) < 0) {
		rc = bench_ctl_wait(c);
		if (rc)
			return rc;
	}
	return 0;
}

int bench_ctl_swap(struct bench_ctl *c, uint64_t mine, uint64_t *theirs)
{
	int rc;

	unsigned int slot = (c->step + 1) & 1;

	c->page->xfer[c->role][slot] = mine;
	rc = bench_ctl_barrier(c);
	if (!rc && theirs)
		*theirs = c->page->xfer[!c->role][slot];
	return rc;
}

int bench_ctl_call(struct bench_ctl *c, enum bench_op op, const uint64_t *arg,
		   unsigned int nargs)
{
	unsigned int i;

	if (nargs > BENCH_MAX_ARGS)
		return -EINVAL;
	for (i = 0; i < BENCH_MAX_ARGS; i++)
		c->page->arg[i] = i < nargs ? arg[i] : 0;
	c->page->cmd_op = op;
	STORE(c->page->cmd_seq, ++c->seq);
	bench_ctl_kick(c);
	return 0;
}

int bench_ctl_result(struct bench_ctl *c, uint64_t *val)
{
	unsigned int i;
	int rc;

	while (LOAD(c->page->done_seq) != c->seq) {
		rc = bench_ctl_wait(c);
		if (rc)
			return rc;
	}
	if (val)
		for (i = 0; i < BENCH_MAX_ARGS; i++)
			val[i] = c->page->val[i];
	return c->page->done_status;
}

int bench_ctl_next(struct bench_ctl *c, enum bench_op *op, uint64_t *arg)
{
	unsigned int i;
	int rc;

	while (LOAD(c->page->cmd_seq) == c->seq) {
		rc = bench_ctl_wait(c);
		if (rc)
			return rc;
	}
	c->seq = c->page->cmd_seq;
	*op = (enum bench_op)c->page->cmd_op;
	for (i = 0; i < BENCH_MAX_ARGS; i++)
		arg[i] = c->page->arg[i];
	return 0;
}

void bench_ctl_done(struct bench_ctl *c, int status, const uint64_t *val)
{
	unsigned int i;

	for (i = 0; i < BENCH_MAX_ARGS; i++)
		c->page->val[i] = val ? val[i] : 0;
	c->page->done_status = status;
	STORE(c->page->done_seq, c->seq);
	bench_ctl_kick(c);
}
