/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sbackend.h - a scripted ism backend for the frontend's unit tests: dom0
 * of a fake Xen, driven step by step from the library's wait hook.  It is
 * not xen-ismd: it does the least a test needs and records what the
 * frontend wrote.
 */
#ifndef ISM_FRONTEND_TESTS_SBACKEND_H
#define ISM_FRONTEND_TESTS_SBACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "fake-xen.h"
#include "ismif.h"

#define SB_REGIONS_MAX 8

struct sb_region {
	uint32_t handle;
	void *addr;
	uint32_t nr_pages;
	struct ism_region_desc d;
};

struct sb {
	struct fake_xen *fx;
	struct ism_platform *p;
	uint16_t fe;
	uint32_t devid;
	char fe_path[128];
	char be_path[128];

	/* The script. */
	const char *versions; /* "1" unless set */
	bool no_initwait; /* stay in Initialising */
	bool refuse; /* on Initialised: write error, go Closed */
	bool mute; /* connected, but never answer requests */
	uint64_t gid;

	/* What happened. */
	unsigned int state;
	struct ism_ctrl_page *ring;
	struct ism_event_page *evt;
	uint32_t port;
	uint32_t req_cons;
	uint32_t nreqs;
	struct ism_req last_req;
	struct sb_region regions[SB_REGIONS_MAX];
	unsigned int nregions;
};

int sb_init(struct sb *sb, struct fake_xen *fx, uint16_t fe, uint32_t devid);
/* The wait hook: one round of backend work; > 0 if it did something. */
int sb_step(void *ctx);
/* Queue a life-cycle event for the frontend and signal it. */
void sb_event(struct sb *sb, const struct ism_evt *evt);
/* Set slot @slot's REGION_UPDATED bit and signal. */
void sb_signal(struct sb *sb, uint32_t slot);
void sb_fini(struct sb *sb);

#endif /* ISM_FRONTEND_TESTS_SBACKEND_H */
