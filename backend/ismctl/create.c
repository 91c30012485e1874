/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create.c - `ismctl create`, `restore` and `migrate`: xl create -p (xl
 * restore -p, xl migrate -p to this host), the `ism` devices, xl unpause;
 * on any failure after xl made the domain, the half-made guest destroyed
 * (a migrated one, the only copy, is left paused instead).
 *
 * Xen 4.17's xl has no hook between creating a domain and unpausing it,
 * ignores configuration keys it does not know and keeps only its own
 * parse of the file (see ismctl(8), create), so the steps are run here,
 * through xl, in the order an administrator would type them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ismctl.h"

/* xl create's options that are passed on unchanged. */
static const char *const ism_ctl_create_pass[] = {
	"-q", "--quiet",
	"-d", "-e",
	"-V", "--vncviewer",
	"-A", "--vncviewer-autopass",
	"-i", "--ignore-global-affinity-masks",
};

/* xl restore's. */
static const char *const ism_ctl_restore_pass[] = {
	"-d", "-e", "-V", "--vncviewer", "-A", "--vncviewer-autopass",
};

/* xl migrate's (the receiver's options are in its command: see below). */
static const char *const ism_ctl_migrate_pass[] = { "--debug" };

/*
 * xl migrate's receiver on this host: `-s ""` makes xl run this command
 * instead of ssh HOST xl migrate-receive; -p leaves the domain paused.
 */
#define ISM_CTL_MIGRATE_RECEIVER "xl migrate-receive -p"

#define ISM_CTL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * How the xl commands that make a domain differ: the options passed on,
 * whether a checkpoint file follows the configuration file, whether
 * KEY=VALUE settings may; and for migrate, that the domain exists before
 * (it is moved, not made) and is never destroyed on failure.
 */
static const struct ism_ctl_verb {
	const char *name;
	const char *const *pass;
	unsigned int npass;
	bool checkpoint;
	bool settings;
	bool moves;
} ism_ctl_verbs[] = {
	{ "create", ism_ctl_create_pass,
	  ISM_CTL_ARRAY_SIZE(ism_ctl_create_pass), false, true, false },
	{ "restore", ism_ctl_restore_pass,
	  ISM_CTL_ARRAY_SIZE(ism_ctl_restore_pass), true, false, false },
	{ "migrate", ism_ctl_migrate_pass,
	  ISM_CTL_ARRAY_SIZE(ism_ctl_migrate_pass), false, false, true },
};

/* Options of any of them that cannot work here, and why. */
static const struct {
	const char *opt;
	const char *why;
} ism_ctl_create_refused[] = {
	{ "-c", "it attaches the console and waits; run xl console after" },
	{ "-F", "it waits for the domain's death" },
	{ "-n", "a dry run creates nothing to add devices to" },
	{ "--dryrun", "a dry run creates nothing to add devices to" },
	{ "-f", "give the configuration file without -f" },
	{ "--defconfig", "give the configuration file without it" },
};

/* The argument vector of one xl run: "xl", the words, NULL. */
struct ism_ctl_argv {
	const char *v[ISM_CTL_CREATE_ARGS_MAX + 8];
	unsigned int n;
};

static void ism_ctl_argv_add(struct ism_ctl_argv *a, const char *word)
{
	if (a->n < ISM_CTL_ARRAY_SIZE(a->v) - 1)
		a->v[a->n++] = word;
	a->v[a->n] = NULL;
}

/* Run xl; 0 if it exited 0, else -EIO with ctl->err saying how it ended. */
static int ism_ctl_xl_run(struct ism_ctl *ctl, const struct ism_ctl_xl *xl,
			  struct ism_ctl_argv *a)
{
	int st = xl->run(xl->priv, a->v);

	if (!st)
		return 0;
	if (st < 0)
		snprintf(ctl->err, sizeof(ctl->err), "cannot run xl %s: %s",
			 a->v[1], strerror(-st));
	else
		snprintf(ctl->err, sizeof(ctl->err),
			 "xl %s failed (exit status %d)", a->v[1], st);
	return -EIO;
}

/*
 * struct ism_ctl_words - the arguments sorted as xl sorts them: the first
 * word that is neither an option nor KEY=VALUE is the configuration file,
 * the next one the checkpoint (restore), the options go to @opts, the
 * KEY=VALUE settings (create) to @settings, and joined by newlines into
 * @extra, the text ism_ctl_xlcfg_read() adds to the file.
 */
struct ism_ctl_words {
	const char *config;
	const char *checkpoint;
	bool paused;
	struct ism_ctl_argv settings;
	char *extra; /* malloc'd; NULL if none */
};

static int ism_ctl_word_refused(struct ism_ctl *ctl,
				const struct ism_ctl_verb *verb,
				const char *arg)
{
	unsigned int j;
	size_t n;

	for (j = 0; j < ISM_CTL_ARRAY_SIZE(ism_ctl_create_refused); j++) {
		n = strlen(ism_ctl_create_refused[j].opt);
		if (!strncmp(arg, ism_ctl_create_refused[j].opt, n) &&
		    (!arg[n] || arg[n] == '='))
			break;
	}
	if (j < ISM_CTL_ARRAY_SIZE(ism_ctl_create_refused))
		snprintf(ctl->err, sizeof(ctl->err),
			 "xl %s option %s is not supported: %s", verb->name,
			 arg, ism_ctl_create_refused[j].why);
	else
		snprintf(ctl->err, sizeof(ctl->err),
			 "unknown xl %s option `%s'", verb->name, arg);
	return -EINVAL;
}

static int ism_ctl_create_args(struct ism_ctl *ctl,
			       const struct ism_ctl_verb *verb,
			       char *const *args, unsigned int nargs,
			       struct ism_ctl_argv *opts,
			       struct ism_ctl_words *w)
{
	const char *want = verb->checkpoint ? "a configuration file and a "
					      "checkpoint file" :
					      "an xl configuration file";
	size_t len = 0;
	unsigned int i, j;
	char *buf;

	memset(w, 0, sizeof(*w));
	if (nargs > ISM_CTL_CREATE_ARGS_MAX) {
		snprintf(ctl->err, sizeof(ctl->err),
			 "more than %u xl arguments", ISM_CTL_CREATE_ARGS_MAX);
		return -EINVAL;
	}
	for (i = 0; i < nargs; i++) {
		if (args[i][0] != '-' && strchr(args[i], '=') &&
		    verb->settings) {
			ism_ctl_argv_add(&w->settings, args[i]);
			len += strlen(args[i]) + 1;
			continue;
		}
		if (args[i][0] != '-' && !w->config) {
			w->config = args[i];
			continue;
		}
		if (args[i][0] != '-' && verb->checkpoint && !w->checkpoint) {
			w->checkpoint = args[i];
			continue;
		}
		if (args[i][0] != '-') {
			snprintf(ctl->err, sizeof(ctl->err),
				 "unexpected argument `%s': want %s", args[i],
				 want);
			return -EINVAL;
		}
		if (!strcmp(args[i], "-p")) {
			w->paused = true;
			continue;
		}
		for (j = 0; j < verb->npass; j++)
			if (!strcmp(args[i], verb->pass[j]))
				break;
		if (j == verb->npass)
			return ism_ctl_word_refused(ctl, verb, args[i]);
		ism_ctl_argv_add(opts, args[i]);
	}
	if (!w->config || (verb->checkpoint && !w->checkpoint)) {
		snprintf(ctl->err, sizeof(ctl->err), "want %s", want);
		return -EINVAL;
	}
	if (!len)
		return 0;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	for (i = 0; i < w->settings.n; i++) {
		if (i)
			strcat(buf, "\n");
		strcat(buf, w->settings.v[i]);
	}
	w->extra = buf;
	return 0;
}

/*
 * Undo a half-made guest: remove its devices (so that no backend directory
 * outlives it) and destroy it.  ctl->err keeps the first failure; what the
 * cleanup did is added to it.
 */
static void ism_ctl_create_undo(struct ism_ctl *ctl,
				const struct ism_ctl_xl *xl,
				const struct ism_ctl_verb *verb,
				const struct ism_ctl_created *made)
{
	struct ism_ctl_argv a = { .n = 0 };
	char domid[8], first[sizeof(ctl->err)], undo[128];
	unsigned int i;

	snprintf(first, sizeof(first), "%s", ctl->err);
	snprintf(domid, sizeof(domid), "%u", made->domid);
	for (i = 0; i < made->num; i++)
		ism_ctl_detach(ctl, domid, made->devids[i], 0);
	if (verb->moves) {
		snprintf(ctl->err, sizeof(ctl->err),
			 "%.380s; domain %s is migrated but left paused "
			 "without its ism devices (ismctl apply, xl unpause)",
			 first, domid);
		return;
	}
	ism_ctl_argv_add(&a, "xl");
	ism_ctl_argv_add(&a, "destroy");
	ism_ctl_argv_add(&a, domid);
	if (ism_ctl_xl_run(ctl, xl, &a))
		snprintf(undo, sizeof(undo),
			 "and %.80s: domain %s is left "
			 "paused",
			 ctl->err, domid);
	else
		snprintf(undo, sizeof(undo), "domain %s was destroyed", domid);
	snprintf(ctl->err, sizeof(ctl->err), "%.380s; %s", first, undo);
}

/*
 * Remove what a migrated domain @old left: xen-ismd removes the devices
 * of a dead domain too, but maybe not before the new domain asks for the
 * same devids.  Whoever comes second finds nothing, which is fine.
 */
static void ism_ctl_create_forget(struct ism_ctl *ctl, uint16_t old)
{
	struct ism_ctl_device *devs = NULL;
	unsigned int num = 0, i;
	char domid[8];

	if (ism_ctl_list(ctl, &devs, &num))
		return;
	snprintf(domid, sizeof(domid), "%u", old);
	for (i = 0; i < num; i++)
		if (devs[i].domid == old)
			ism_ctl_detach(ctl, domid, devs[i].devid, 0);
	free(devs);
	ctl->err[0] = '\0';
	ctl->warn[0] = '\0';
}

/* Whether the user interrupted; if so ctl->err says so. */
static bool ism_ctl_create_stop(struct ism_ctl *ctl,
				const struct ism_ctl_xl *xl)
{
	if (!xl->interrupted || !xl->interrupted(xl->priv))
		return false;
	snprintf(ctl->err, sizeof(ctl->err), "interrupted");
	return true;
}

int ism_ctl_create(struct ism_ctl *ctl, const struct ism_ctl_xl *xl,
		   const char *verb_name, char *const *args, unsigned int nargs,
		   struct ism_ctl_created *out)
{
	struct ism_ctl_created made = { .domid = 0 };
	const struct ism_ctl_verb *verb = NULL;
	struct ism_ctl_spec *specs = NULL;
	struct ism_ctl_argv a = { .n = 0 };
	struct ism_ctl_words w;
	unsigned int num = 0, i;
	char *name = NULL;
	char domid[8];
	uint16_t d = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < ISM_CTL_ARRAY_SIZE(ism_ctl_verbs); i++)
		if (!strcmp(verb_name, ism_ctl_verbs[i].name))
			verb = &ism_ctl_verbs[i];
	if (!verb)
		return -EINVAL;
	ism_ctl_argv_add(&a, "xl");
	ism_ctl_argv_add(&a, verb->name);
	ism_ctl_argv_add(&a, "-p");
	rc = ism_ctl_create_args(ctl, verb, args, nargs, &a, &w);
	if (rc)
		return rc;
	made.paused = w.paused;
	rc = ism_ctl_xlcfg_read(w.config, w.extra, stderr, &name, &specs, &num,
				ctl->err, sizeof(ctl->err));
	if (rc)
		goto out_free;
	if (!name) {
		snprintf(ctl->err, sizeof(ctl->err), "%s has no `name'",
			 w.config);
		rc = -EINVAL;
		goto out_free;
	}
	rc = ism_ctl_domain_lookup(ctl, ISM_XS_NO_TX, name, true, &d);
	if (!rc && !verb->moves) {
		snprintf(ctl->err, sizeof(ctl->err),
			 "domain %u is already named `%s'", d, name);
		rc = -EEXIST;
		goto out_free;
	}
	if (rc && (verb->moves || rc != -ENOENT))
		goto out_free;
	if (num) {
		made.devids = calloc(num, sizeof(*made.devids));
		if (!made.devids) {
			rc = -ENOMEM;
			goto out_free;
		}
	}
	if (verb->moves) {
		snprintf(domid, sizeof(domid), "%u", d);
		ism_ctl_argv_add(&a, "-s");
		ism_ctl_argv_add(&a, "");
		ism_ctl_argv_add(&a, domid);
		ism_ctl_argv_add(&a, ISM_CTL_MIGRATE_RECEIVER);
	} else {
		ism_ctl_argv_add(&a, w.config);
	}
	if (w.checkpoint)
		ism_ctl_argv_add(&a, w.checkpoint);
	for (i = 0; i < w.settings.n; i++)
		ism_ctl_argv_add(&a, w.settings.v[i]);
	ctl->err[0] = '\0';
	rc = ism_ctl_xl_run(ctl, xl, &a);
	if (rc)
		goto out_free;
	rc = ism_ctl_domain_lookup(ctl, ISM_XS_NO_TX, name, true, &made.domid);
	if (!rc && verb->moves && made.domid == d)
		rc = -ENOENT; /* still the old domain: nothing moved */
	if (rc) {
		/* Nothing of ours to undo, and nothing safe to destroy. */
		snprintf(ctl->err, sizeof(ctl->err),
			 "xl %s succeeded but no domain is named `%s'",
			 verb->name, name);
		goto out_free;
	}
	if (verb->moves)
		ism_ctl_create_forget(ctl, d);
	snprintf(domid, sizeof(domid), "%u", made.domid);
	if (ism_ctl_create_stop(ctl, xl)) {
		rc = -EINTR;
		goto out_undo;
	}
	if (num) {
		/* One transaction: on failure, no device was made. */
		rc = ism_ctl_attach(ctl, domid, specs, num, made.devids);
		if (rc)
			goto out_undo;
		made.num = num;
	}
	if (ism_ctl_create_stop(ctl, xl)) {
		rc = -EINTR;
		goto out_undo;
	}
	if (!made.paused) {
		a.n = 0;
		ism_ctl_argv_add(&a, "xl");
		ism_ctl_argv_add(&a, "unpause");
		ism_ctl_argv_add(&a, domid);
		rc = ism_ctl_xl_run(ctl, xl, &a);
		if (rc)
			goto out_undo;
	}
	*out = made;
	made.devids = NULL;
	goto out_free;

out_undo:
	ism_ctl_create_undo(ctl, xl, verb, &made);
out_free:
	free(made.devids);
	free(specs);
	free(name);
	free(w.extra);
	return rc;
}
