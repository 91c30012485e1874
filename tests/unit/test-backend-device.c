/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-device.c - the xenbus state machine of a device: connect,
 * version negotiation, every malformed frontend value closing the device
 * with an error node, close and reset, online, duplicate devids, removal,
 * and the backend's own shutdown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "frontend.h"

TAP_MAIN;

#define G 5

static void open_one(struct fw *w, struct fe *f)
{
	if (fw_open(w, NULL) || fw_guest(w, G) || fe_create(w, G, 4097, f)) {
		tap_diag("setup failed");
		exit(1);
	}
}

static const char *be_node(struct fe *f, const char *field)
{
	static char buf[128];
	char path[160], *val;

	snprintf(path, sizeof(path), "%s/%s", f->be_path, field);
	if (fake_xen_xs_read(f->w->fx, f->domid, path, &val))
		return "(missing)";
	snprintf(buf, sizeof(buf), "%s", val);
	free(val);
	return buf;
}

static void test_connect(void)
{
	struct ism_backend_stats st;
	struct ism_device_stat *list;
	unsigned int n;
	struct fw w;
	struct fe f;

	open_one(&w, &f);
	tap_is_int(fe_be_state(&f), ISM_XBS_INITWAIT,
		   "connect: new device goes to InitWait");
	tap_is_str(be_node(&f, ISM_FIELD_VERSIONS), ISM_PROTOCOL_VERSION,
		   "  versions");
	tap_is_str(be_node(&f, ISM_FIELD_GID), "5e1f0c2a9b7d4433",
		   "  gid as 16 hex digits");
	tap_is_str(be_node(&f, ISM_FIELD_REGION_SIZE), "1048576",
		   "  region-size");
	tap_is_str(be_node(&f, ISM_FIELD_MAX_REGIONS), "256", "  max-regions");
	tap_is_str(be_node(&f, ISM_FIELD_FEATURE_FAST_PATH), "1",
		   "  feature-fast-path");
	tap_is_int(fe_connect(&f), 0, "connect: handshake completes");
	tap_is_int(fe_be_state(&f), ISM_XBS_CONNECTED, "  backend Connected");
	ism_backend_get_stats(w.be, &st);
	tap_ok(st.devices == 1 && st.connected == 1, "  stats: 1 connected");
	tap_ok(!ism_backend_list_devices(w.be, &list, &n) && n == 1 &&
		       list[0].domid == G && list[0].devid == 4097 &&
		       list[0].state == ISM_XBS_CONNECTED,
	       "  list_devices names it, Connected");
	free(list);
	tap_is_int(fe_close(&f), 0, "close: frontend Closing -> Closed");
	tap_is_int(fe_be_state(&f), ISM_XBS_CLOSED, "  backend Closed");
	ism_backend_get_stats(w.be, &st);
	tap_is_int(st.connected, 0, "  no device connected");
	tap_is_int(fe_set_state(&f, ISM_XBS_INITIALISING), 0,
		   "reset: frontend Initialising");
	tap_is_int(fe_be_state(&f), ISM_XBS_INITWAIT, "  backend InitWait");
	tap_is_int(fe_connect(&f), 0, "  and connects again");
	fw_stop(&w);
	tap_is_int(fe_be_state(&f), ISM_XBS_CLOSED,
		   "backend_free closes the device (Closed)");
	tap_ok(fw_be_clean(&w), "  and holds nothing");
	fake_xen_platform_close(w.p);
	fake_xen_destroy(w.fx);
}

static void test_version(void)
{
	struct fw w;
	struct fe f;

	open_one(&w, &f);
	fe_setup(&f);
	fe_write(&f, ISM_FIELD_RING_REF, "8");
	fe_write(&f, ISM_FIELD_EVENT_PAGE_REF, "9");
	fe_write(&f, ISM_FIELD_EVENT_CHANNEL, "1");
	fe_write(&f, ISM_FIELD_VERSION, "2");
	fe_set_state(&f, ISM_XBS_INITIALISED);
	tap_is_int(fe_be_state(&f), ISM_XBS_CLOSED,
		   "version_negotiation: version 2 closes the device");
	tap_ok(strstr(fe_be_error(&f), ISM_FIELD_VERSION) != NULL,
	       "  error node names the version: \"%s\"", fe_be_error(&f));
	fe_write(&f, ISM_FIELD_VERSION, "1");
	fe_set_state(&f, ISM_XBS_INITIALISING);
	tap_is_int(fe_be_state(&f), ISM_XBS_INITWAIT,
		   "  reset: back to InitWait");
	tap_is_str(fe_be_error(&f), "", "  error node removed");
	fe_set_state(&f, ISM_XBS_INITIALISED);
	tap_is_int(fe_be_state(&f), ISM_XBS_CONNECTED, "  version 1 connects");
	fw_close(&w);
}

/* Connect with @field set to @value; expect Closed and an error. */
static void bad_value(const char *field, const char *value, const char *why)
{
	char v[16];
	struct fw w;
	struct fe f;
	bool missing = !value;

	open_one(&w, &f);
	fe_setup(&f);
	snprintf(v, sizeof(v), "%u", f.ring_gref);
	fe_write(&f, ISM_FIELD_RING_REF, v);
	snprintf(v, sizeof(v), "%u", f.evt_gref);
	fe_write(&f, ISM_FIELD_EVENT_PAGE_REF, v);
	snprintf(v, sizeof(v), "%u", f.port);
	fe_write(&f, ISM_FIELD_EVENT_CHANNEL, v);
	fe_write(&f, ISM_FIELD_VERSION, "1");
	if (missing) {
		char path[160];

		snprintf(path, sizeof(path), "%s/%s", f.fe_path, field);
		fake_xen_xs_rm(w.fx, G, path);
	} else {
		fe_write(&f, field, value);
	}
	fe_set_state(&f, ISM_XBS_INITIALISED);
	tap_ok(fe_be_state(&f) == ISM_XBS_CLOSED &&
		       strstr(fe_be_error(&f), field),
	       "bad_value %s = %s%s%s (%s): Closed, error \"%s\"", field,
	       missing ? "" : "\"", missing ? "(missing)" : value,
	       missing ? "" : "\"", why, fe_be_error(&f));
	fw_stop(&w);
	tap_ok(fw_be_clean(&w), "  nothing held after it");
	fake_xen_platform_close(w.p);
	fake_xen_destroy(w.fx);
}

static void test_bad_values(void)
{
	bad_value(ISM_FIELD_RING_REF, "7", "reserved grant");
	bad_value(ISM_FIELD_RING_REF, "abc", "not a number");
	bad_value(ISM_FIELD_RING_REF, "", "empty");
	bad_value(ISM_FIELD_RING_REF, "08", "leading zero");
	bad_value(ISM_FIELD_RING_REF, "4294967296", "above 2^32 - 1");
	bad_value(ISM_FIELD_RING_REF, "1000", "not granted");
	bad_value(ISM_FIELD_RING_REF, NULL, "missing");
	bad_value(ISM_FIELD_EVENT_PAGE_REF, "-9", "signed");
	bad_value(ISM_FIELD_EVENT_PAGE_REF, "8", "the ring's grant");
	bad_value(ISM_FIELD_EVENT_CHANNEL, "0", "port 0");
	bad_value(ISM_FIELD_EVENT_CHANNEL, "131072", "above the FIFO ABI");
	bad_value(ISM_FIELD_EVENT_CHANNEL, "1000", "not an unbound port");
	bad_value(ISM_FIELD_VERSION, " 1", "space");
	bad_value(ISM_FIELD_VERSION, NULL, "missing");
}

static void test_bad_state(void)
{
	struct fw w;
	struct fe f;

	open_one(&w, &f);
	fe_connect(&f);
	fe_write(&f, ISM_FIELD_STATE, "9");
	tap_is_int(fe_be_state(&f), ISM_XBS_CLOSED,
		   "bad_state: frontend state 9 closes a connected device");
	tap_ok(strstr(fe_be_error(&f), ISM_FIELD_STATE) != NULL,
	       "  error node: \"%s\"", fe_be_error(&f));
	fw_close(&w);
}

static void test_online(void)
{
	struct ism_backend_stats st;
	struct fake_xen_usage u;
	char path[160];
	struct fw w;
	struct fe f;

	open_one(&w, &f);
	fe_connect(&f);
	snprintf(path, sizeof(path), "%s/%s", f.be_path, ISM_FIELD_ONLINE);
	fake_xen_xs_write(w.fx, 0, path, "0");
	fw_pump(&w);
	tap_is_int(fe_be_state(&f), ISM_XBS_CLOSED,
		   "online = 0 closes the device");
	fake_xen_xs_rm(w.fx, 0, f.be_path);
	fake_xen_xs_rm(w.fx, 0, f.fe_path);
	fw_pump(&w);
	ism_backend_get_stats(w.be, &st);
	tap_is_int(st.devices, 0, "removing the directories drops the device");
	fake_xen_usage(w.fx, FW_BE, &u);
	tap_ok(!u.maps && !u.ports && !u.grants && u.watches == 2,
	       "  its mappings, port and watch are gone (%u watches left)",
	       u.watches);
	fw_close(&w);
}

static void test_duplicate_devid(void)
{
	struct fw w;
	struct fe a, b;

	open_one(&w, &a);
	fe_connect(&a);
	fw_guest(&w, 7);
	fe_create(&w, 7, 4097, &b);
	tap_is_int(fe_be_state(&b), ISM_XBS_CLOSED,
		   "duplicate devid: the second device is refused (Closed)");
	tap_ok(strstr(fe_be_error(&b), "4097") != NULL, "  error node: \"%s\"",
	       fe_be_error(&b));
	tap_is_int(fe_be_state(&a), ISM_XBS_CONNECTED,
		   "  the first device stays Connected");
	fw_close(&w);
}

static void test_max_devices(void)
{
	struct ism_backend_limits lim;
	struct fw w;
	struct fe a, b;

	ism_backend_limits_default(&lim);
	lim.gid = 1;
	lim.max_devices = 1;
	fw_open(&w, &lim);
	fw_guest(&w, G);
	fe_create(&w, G, 1, &a);
	fe_create(&w, G, 2, &b);
	tap_ok(fe_be_state(&a) == ISM_XBS_INITWAIT &&
		       fe_be_state(&b) == ISM_XBS_INITIALISING,
	       "max_devices = 1: a second device is not taken on");
	fw_close(&w);
}

static void test_log_cap(void)
{
	struct fw w;
	struct fe f;
	int i;

	open_one(&w, &f);
	/* 20 ms apart: within the budget of frontend events (one per 20 ms). */
	for (i = 0; i < 40; i++) {
		fake_xen_clock_advance(w.fx, 20);
		fe_connect(&f);
		fake_xen_clock_advance(w.fx, 20);
		fe_close(&f);
		fake_xen_clock_advance(w.fx, 20);
		fe_set_state(&f, ISM_XBS_INITIALISING);
	}
	tap_is_int(fe_be_state(&f), ISM_XBS_INITWAIT,
		   "40 connect/close cycles work");
	tap_is_int(w.nlog, 16,
		   "log_cap: a device logs a burst of 16 messages, then drops");
	fake_xen_clock_advance(w.fx, 9999 - 40 * 3 * 20);
	fe_connect(&f);
	tap_is_int(w.nlog, 16, "  none within the next 10 s");
	fake_xen_clock_advance(w.fx, 1);
	fe_close(&f);
	tap_is_int(w.nlog, 17, "  one after 10 s");
	tap_ok(strstr(w.last_log, "dom5 dev4097: (106 messages dropped) ") !=
		       NULL,
	       "  naming domid and devid, with what was dropped: \"%s\"",
	       w.last_log);
	fake_xen_clock_advance(w.fx, 60000);
	for (i = 0; i < 4; i++) {
		fe_set_state(&f, ISM_XBS_INITIALISING);
		fe_connect(&f);
	}
	tap_is_int(w.nlog, 17 + 6, "  a minute later: 6 more");
	fw_kill(&w, G);
	tap_ok(w.nlog == 17 + 7 && strstr(w.last_log, "domain gone"),
	       "  its domain's death is logged all the same: \"%s\"",
	       w.last_log);
	fw_close(&w);
}

/*
 * A connected frontend rewrites its state node (Initialised and Connected,
 * no-ops for a Connected backend) in a loop: each batch of watch events
 * serves its device once, and beyond its budget its events wait for the
 * reclaim pass, while another guest's device connects as usual.
 */
static void test_flap(void)
{
	unsigned long reads;
	char path[128];
	struct fe a, b;
	struct fw w;
	int i;

	open_one(&w, &a);
	if (fw_guest(&w, G + 1) || fe_create(&w, G + 1, 4098, &b) ||
	    fe_connect(&a)) {
		tap_diag("setup failed");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s", a.fe_path, ISM_FIELD_STATE);
	for (i = 0; i < 1000; i++)
		fake_xen_xs_write(w.fx, G, path, i % 2 ? "4" : "3");
	fake_xen_calls_reset(w.fx);
	fw_pump(&w);
	reads = fake_xen_calls(w.fx, FAKE_XEN_OP_XS_READ);
	tap_ok(reads <= 8,
	       "flap: 1000 writes of A's state node in one batch: %lu "
	       "xenstore reads (A's device served once)",
	       reads);
	tap_is_int(fe_connect(&b), 0, "  B's device connects meanwhile");
	fake_xen_calls_reset(w.fx);
	for (i = 0; i < 1000; i++)
		fe_set_state(&a,
			     i % 2 ? ISM_XBS_CONNECTED : ISM_XBS_INITIALISED);
	reads = fake_xen_calls(w.fx, FAKE_XEN_OP_XS_READ);
	tap_ok(reads <= 64 * 8,
	       "  1000 writes, a batch each: %lu reads (64 events served, "
	       "the rest wait)",
	       reads);
	tap_is_int(ism_backend_tick(w.be, 0), 1000,
		   "  the reclaim pass is due in a second");
	fake_xen_clock_advance(w.fx, 1000);
	fake_xen_calls_reset(w.fx);
	ism_backend_tick(w.be, 1000);
	reads = fake_xen_calls(w.fx, FAKE_XEN_OP_XS_READ);
	tap_ok(reads > 0 && reads <= 8 && fe_be_state(&a) == ISM_XBS_CONNECTED,
	       "  which serves A's device once (%lu reads): still Connected",
	       reads);
	tap_is_int(ism_backend_tick(w.be, 1001), -1, "  and nothing is left");
	fw_close(&w);
}

int main(void)
{
	tap_plan(73);
	test_connect();
	test_version();
	test_bad_values();
	test_bad_state();
	test_online();
	test_duplicate_devid();
	test_max_devices();
	test_log_cap();
	test_flap();
	return tap_done();
}
