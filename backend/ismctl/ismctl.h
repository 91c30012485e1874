/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ismctl.h - the toolstack side of xen-ism: create, remove and list ism
 * devices in xenstore, as xl does for other PV devices.
 *
 * Everything goes through the xenstore ops of backend/platform.h, so the
 * same code runs on real Xen (backend/xen, xenstore part only) and on the
 * fake Xen of the unit tests.  Functions return 0 or a negative errno and,
 * on failure, leave a message for the user in ctl->err naming the domain
 * and devid.  -EINVAL always means bad input from the user (a spec, a
 * value, a configuration file); a xenstore failure never returns it.
 */
#ifndef ISM_BACKEND_ISMCTL_H
#define ISM_BACKEND_ISMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ism-backend.h" /* struct ism_backend_stats, ism_device_stat */
#include "platform.h"
#include "stats.h" /* the daemon's report: struct ismd_stats_daemon */

/* Longest domain name or id accepted (xl's names are far shorter). */
#define ISM_CTL_DOMAIN_MAX 64u

/* Default time detach waits for the backend to close, in milliseconds. */
#define ISM_CTL_DETACH_TIMEOUT_MS 10000

/* Transactions started again after EAGAIN before giving up. */
#define ISM_CTL_TX_RETRIES 100

/*
 * The daemon's report (backend/daemon/stats.h): how long ismctl waits for
 * it, and the bounds past which it is refused.
 */
#define ISM_CTL_REPORT_TIMEOUT_MS 5000
#define ISM_CTL_REPORT_LINE_MAX 256u /* bytes, without the newline */
#define ISM_CTL_REPORT_LINES_MAX 262144u
#define ISM_CTL_REPORT_BYTES_MAX (4u << 20)

/**
 * struct ism_ctl_spec - one device as `ism = [ "..." ]` or attach give it.
 * @backend: the backend domain, a name or a decimal id; "" for dom0.
 * @devid: the device id, 0 for "the next free one on the host".
 */
struct ism_ctl_spec {
	char backend[ISM_CTL_DOMAIN_MAX + 1];
	uint32_t devid;
};

/**
 * struct ism_ctl - a session: the platform and the last message.
 * @ops, @p: the platform, opened by the caller with xenstore access.
 * @err: why the last call failed, for the user ("" if it did not).
 * @warn: something the user should know although the call succeeded.
 */
struct ism_ctl {
	const struct ism_platform_ops *ops;
	struct ism_platform *p;
	char err[512];
	char warn[512];
};

/**
 * ism_ctl_spec_parse() - parse "key=value,key=value" into *@spec.
 * @text: the spec; "" gives every default.  Blanks around items are
 *	allowed, empty items (",,") are not.
 *
 * Keys: backend=<domain> and devid=<1..2147483647>.  Return: 0, or -EINVAL
 * with @err (@errlen bytes) naming the key or value at fault: an unknown
 * key, a key given twice, an item without '=', a bad value.
 */
int ism_ctl_spec_parse(const char *text, struct ism_ctl_spec *spec, char *err,
		       size_t errlen);

/**
 * ism_ctl_devid_parse() - parse a devid given on the command line.
 * Return: 0, or -EINVAL unless @text is 1 .. ISM_DEVID_MAX in decimal.
 */
int ism_ctl_devid_parse(const char *text, uint32_t *devid_out);

/**
 * ism_ctl_domain_lookup() - the domid of @domain, a name or decimal id,
 * from /local/domain/<id>/name, so that it works in any domain that can
 * read the names (no libxl).
 * @tx: the transaction to read in, or ISM_XS_NO_TX.
 * @must_exist: for a numeric @domain, fail unless /local/domain/<id> is
 *	there (names always must exist).
 *
 * Return: 0; -EINVAL for a malformed @domain; -ENOENT if no domain has
 * that name or id; -ENOTUNIQ if several have the name; xenstore errors.
 */
int ism_ctl_domain_lookup(struct ism_ctl *ctl, uint32_t tx, const char *domain,
			  bool must_exist, uint16_t *domid_out);

/**
 * ism_ctl_attach() - create @num devices of @domain, in one transaction.
 * @specs: the devices; a devid of 0 takes the next free one on the host.
 * @devids_out: if not NULL, the devid of each device (@num entries).
 *
 * Creates, for each device, the frontend directory
 * /local/domain/<fe>/device/ism/<devid> (owner fe, readable by be) with
 * backend, backend-id and state = 1, and the backend directory
 * /local/domain/<be>/backend/ism/<fe>/<devid> (owner be, readable by fe)
 * with frontend, frontend-id, online = 1 and state = 1, exactly as
 * xenstore-schema/ism-nodes.txt says.  The transaction is retried on
 * EAGAIN.  Return: 0; -ENOENT for an unknown domain; -EEXIST for a devid
 * already in use on the host; -ENOSPC when no devid is free; -EINVAL for a
 * bad spec; xenstore errors.
 */
int ism_ctl_attach(struct ism_ctl *ctl, const char *domain,
		   const struct ism_ctl_spec *specs, unsigned int num,
		   uint32_t *devids_out);

/**
 * ism_ctl_detach() - remove device @devid of @domain.
 * @timeout_ms: how long to wait for the backend to close (state 6) after
 *	writing online = 0; 0 removes at once (force).
 *
 * The backend directory is found under the backend domains' own
 * directories, never through the frontend's (guest-writable) "backend"
 * node.  A numeric @domain may name a domain that is gone, to clean up
 * what it left.  If the backend does not close in time the device is
 * removed anyway and ctl->warn says so.  Return: 0; -ENOENT if @domain has
 * no such device; xenstore errors.
 */
int ism_ctl_detach(struct ism_ctl *ctl, const char *domain, uint32_t devid,
		   int timeout_ms);

/*
 * struct ism_ctl_device - one row of `ismctl list`.  A state is 0 when its
 * node is missing; @backend_found is false for a frontend directory with no
 * backend directory (then @backend is what the frontend claims).
 */
struct ism_ctl_device {
	uint16_t domid;
	uint32_t devid;
	uint16_t backend;
	bool backend_found;
	bool frontend_found;
	int frontend_state;
	int backend_state;
	int online; /* -1 if the node is missing */
	char name[ISM_CTL_DOMAIN_MAX + 1]; /* "" if unknown */
	char backend_name[ISM_CTL_DOMAIN_MAX + 1];
	char error[257]; /* the backend's error node, or "" */
	bool daemon_found; /* the daemon's report has a line for it */
	struct ism_device_stat daemon; /* that line, if @daemon_found */
};

/**
 * ism_ctl_list() - every ism device of the host, by domid then devid.
 * @devs_out: a malloc'd array of *@num_out devices; free() it.
 */
int ism_ctl_list(struct ism_ctl *ctl, struct ism_ctl_device **devs_out,
		 unsigned int *num_out);

/* ism_ctl_device_cmp() - qsort order of devices: by domid, then devid. */
int ism_ctl_device_cmp(const void *a, const void *b);

struct ism_ctl_report;

/**
 * ism_ctl_list_print() - print @num devices as a table, then a line of the
 * daemon's totals and a line of its own cost; or, if @json, as
 * {"devices": [...], "totals": {...}}, the cost's keys in "totals".
 * @report: the daemon's report, whose totals and cost are printed (its
 *	devices are not: join them to @devs first); NULL if it was not read
 *	(no lines; JSON null).  A report without the daemon's cost (an older
 *	daemon) has no cost line; in JSON those keys are null.
 *
 * The columns and totals are tables in list.c: a new one is one entry.
 */
void ism_ctl_list_print(FILE *out, const struct ism_ctl_device *devs,
			unsigned int num, const struct ism_ctl_report *report,
			bool json);

/**
 * ism_ctl_list_run() - `ismctl list`: the devices in xenstore, joined with
 * the report of the xen-ismd listening on @socket_path, printed to @out.
 * @notes: where the note that the daemon is not running goes.
 *
 * A daemon that is not running (no socket, or nothing listens on it) is no
 * error: the daemon's columns are empty and a note says so.  A report that
 * cannot be read or is malformed is one: the xenstore devices are printed
 * anyway, and ctl->err says what is wrong.  Return: 0; xenstore errors
 * (nothing printed); errors of the report (see ism_ctl_report_read()).
 */
int ism_ctl_list_run(struct ism_ctl *ctl, const char *socket_path, bool json,
		     FILE *out, FILE *notes);

/**
 * struct ism_ctl_report - what xen-ismd reports on its stats socket.
 * @total: its totals.
 * @grants_found: the report has the grant pool (its fields in @total;
 *	older daemons do not send it).
 * @daemon_found: the report has the daemon's own cost (older daemons
 *	do not send it).
 * @daemon: that cost, if @daemon_found: wake-ups, CPU time, uptime.
 * @devs: its devices, by domid then devid (malloc'd; NULL if none).
 * @num: how many.
 */
struct ism_ctl_report {
	struct ism_backend_stats total;
	bool grants_found;
	bool daemon_found;
	struct ismd_stats_daemon daemon;
	struct ism_device_stat *devs;
	unsigned int num;
};

/**
 * ism_ctl_report_parse() - parse the @len bytes of a report at @buf.
 *
 * Strict: the first line is "xen-ismd 1"; one `total' line, at most one
 * `daemon' line, at most one `grants' line and any number of `device' lines, each with every field a
 * number in range (extra fields at the end are skipped), no device twice;
 * then `end', the last line.
 * Lines of other kinds are skipped.  Every line ends in a newline and is at
 * most ISM_CTL_REPORT_LINE_MAX bytes; at most ISM_CTL_REPORT_LINES_MAX
 * lines.  Return: 0 (free *@r with ism_ctl_report_free()); -EBADMSG with
 * @err (@errlen bytes) naming the line and what is wrong; -ENOMEM.  *@r
 * holds nothing on failure.
 */
int ism_ctl_report_parse(const char *buf, size_t len, struct ism_ctl_report *r,
			 char *err, size_t errlen);

/**
 * ism_ctl_report_read() - connect to @path, read the report to the end
 * (waiting at most @timeout_ms between reads) and parse it.
 *
 * Return: 0; -ENOENT (no socket) or -ECONNREFUSED (nothing listens): the
 * daemon is not running; -ETIMEDOUT; -EBADMSG (malformed, or more than
 * ISM_CTL_REPORT_BYTES_MAX bytes); other errors of connect() or read().
 * @err says which, naming @path.
 */
int ism_ctl_report_read(const char *path, int timeout_ms,
			struct ism_ctl_report *r, char *err, size_t errlen);

void ism_ctl_report_free(struct ism_ctl_report *r);

/**
 * ism_ctl_report_join() - set the daemon's line of each of the *@num
 * devices at *@devs (sorted) that @r has, and add a row for each device of
 * @r that they lack (the daemon still serves a device whose directories
 * are gone), keeping the order.  Return: 0, or -ENOMEM (nothing changed).
 */
int ism_ctl_report_join(struct ism_ctl_device **devs, unsigned int *num,
			const struct ism_ctl_report *r);

/* ism_ctl_state_name() - "Connected" for 4; "-" for 0; "?" if unknown. */
const char *ism_ctl_state_name(int state);

/* Largest xl domain configuration file read, in bytes. */
#define ISM_CTL_XLCFG_MAX (1u << 20)

/**
 * ism_ctl_xlcfg_read() - read the `ism = [ ... ]` list and the name of an
 * xl domain configuration file with libxlutil.
 * @extra: NULL, or lines added after the file's, as xl create's trailing
 *	KEY=VALUE arguments are (one per line; a later setting wins).
 * @report: where libxlutil prints syntax errors (stderr for the user).
 * @name_out: the `name`, malloc'd, or NULL if the file has none.
 * @specs_out: malloc'd array of *@num_out specs (NULL and 0 if the file
 *	has no `ism` list).
 *
 * Return: 0, or -EINVAL with @err naming the file and the entry at fault:
 * unreadable file (or larger than ISM_CTL_XLCFG_MAX), syntax error, `ism`
 * not a list, an entry that is not a string, a bad spec; -ENOMEM.
 */
int ism_ctl_xlcfg_read(const char *file, const char *extra, FILE *report,
		       char **name_out, struct ism_ctl_spec **specs_out,
		       unsigned int *num_out, char *err, size_t errlen);

/**
 * struct ism_ctl_xl - how `ismctl create` runs xl.
 * @run: run xl with @argv (argv[0] is "xl", NULL-terminated), wait for it
 *	and return its exit status (0 .. 255), or a negative errno if it
 *	could not be run.  xl's messages go to the user.
 * @interrupted: whether the user asked to stop (a signal came); checked
 *	after each step, so that a half-made guest is destroyed.
 */
struct ism_ctl_xl {
	int (*run)(void *priv, const char *const *argv);
	bool (*interrupted)(void *priv);
	void *priv;
};

/* How many arguments `ismctl create` and `ismctl restore` pass to xl. */
#define ISM_CTL_CREATE_ARGS_MAX 64u

/**
 * struct ism_ctl_created - what ism_ctl_create() made.
 * @domid: the new domain.
 * @paused: it was left paused (-p).
 * @devids: the devid of each of its @num ism devices (malloc'd; free()).
 */
struct ism_ctl_created {
	uint16_t domid;
	bool paused;
	uint32_t *devids;
	unsigned int num;
};

/**
 * ism_ctl_create() - `ismctl create`, `restore` and `migrate`: a guest with
 * its ism devices, in one step that either completes or leaves nothing
 * behind.
 * @verb: "create" (xl create), "restore" (xl restore) or "migrate" (xl
 *	migrate of the file's domain to this host: `xl migrate -p -s ""
 *	DOMID "xl migrate-receive -p"`, options --debug).
 * @args, @nargs: the xl command's arguments: options, the configuration
 *	file (the first other word; for create, one without '='), for
 *	restore the checkpoint file after it, for create KEY=VALUE settings.
 *	-p leaves the guest paused; the options xl has for the command and
 *	ismctl can pass on are (create) -q, -d, -e, -V, -A, -i, (restore)
 *	-d, -e, -V, -A, and their long forms; -c, -F, -n and -f are refused
 *	(they would block, make nothing or name another file).
 *
 * Reads the file (plus the KEY=VALUE settings) first, so that a bad `ism`
 * entry creates nothing; refuses a name that a domain already has; runs
 * `xl create -p` (`xl restore -p CONFIG CHECKPOINT`), adds every `ism`
 * device in one transaction, then runs `xl unpause` unless -p.  If any
 * step after xl made the domain fails, or the user interrupts, the devices
 * are removed and `xl destroy` destroys the new domain (a migrated one is
 * left paused, since it is the only copy).  Return: 0 with
 * *@out filled; -EINVAL (bad usage or config, with nothing created);
 * -EEXIST (the name is taken; for migrate, -ENOENT: no such domain); -EIO (xl failed or could not be run),
 * -EINTR (interrupted), or what ism_ctl_attach() returns.  ctl->err says
 * what failed and whether the domain was destroyed.
 */
int ism_ctl_create(struct ism_ctl *ctl, const struct ism_ctl_xl *xl,
		   const char *verb, char *const *args, unsigned int nargs,
		   struct ism_ctl_created *out);

#endif /* ISM_BACKEND_ISMCTL_H */
