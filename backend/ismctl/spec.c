/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec.c - the "key=value,..." device spec of `ismctl attach` and of an xl
 * configuration's `ism = [ ... ]`, and the xl file itself (libxlutil).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxlutil.h>

#include "ismctl.h"
#include "ismif.h"

#define ISM_CTL_BLANKS " \t"

int ism_ctl_devid_parse(const char *text, uint32_t *devid_out)
{
	unsigned long long v = 0;
	const char *s;

	/* Decimal without sign or leading zeros, as the protocol writes it. */
	if (!text || !*text || *text == '0' || strlen(text) > 10)
		return -EINVAL;
	for (s = text; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (v > ISM_DEVID_MAX)
		return -EINVAL;
	*devid_out = (uint32_t)v;
	return 0;
}

/* A domain as a spec or the command line may name it: not "", no '/'. */
static bool ism_ctl_domain_valid(const char *s, size_t len)
{
	size_t i;

	if (!len || len > ISM_CTL_DOMAIN_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '/' || s[i] == ',' ||
		    s[i] == '=')
			return false;
	}
	return true;
}

/* Parse one "key=value" item of @len bytes at @item into @spec. */
static int ism_ctl_item_parse(const char *item, size_t len,
			      struct ism_ctl_spec *spec, unsigned int *seen,
			      char *err, size_t errlen)
{
	const char *eq = memchr(item, '=', len);
	char key[32], val[ISM_CTL_DOMAIN_MAX + 16];
	size_t klen, vlen;

	if (!eq) {
		snprintf(err, errlen, "`%.*s' is not key=value", (int)len,
			 item);
		return -EINVAL;
	}
	klen = (size_t)(eq - item);
	vlen = len - klen - 1;
	if (klen >= sizeof(key) || vlen >= sizeof(val)) {
		snprintf(err, errlen, "`%.*s' is too long", (int)len, item);
		return -EINVAL;
	}
	memcpy(key, item, klen);
	key[klen] = '\0';
	memcpy(val, eq + 1, vlen);
	val[vlen] = '\0';

	if (!strcmp(key, "backend")) {
		if (*seen & 1u)
			goto err_twice;
		*seen |= 1u;
		if (!ism_ctl_domain_valid(val, vlen)) {
			snprintf(err, errlen,
				 "bad value `%s' for backend: want a domain "
				 "name or id",
				 val);
			return -EINVAL;
		}
		memcpy(spec->backend, val, vlen + 1);
		return 0;
	}
	if (!strcmp(key, "devid")) {
		if (*seen & 2u)
			goto err_twice;
		*seen |= 2u;
		if (ism_ctl_devid_parse(val, &spec->devid)) {
			snprintf(err, errlen,
				 "bad value `%s' for devid: want a number "
				 "from 1 to %u",
				 val, ISM_DEVID_MAX);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown key `%s' (known: backend, devid)", key);
	return -EINVAL;

err_twice:
	snprintf(err, errlen, "key `%s' is given twice", key);
	return -EINVAL;
}

int ism_ctl_spec_parse(const char *text, struct ism_ctl_spec *spec, char *err,
		       size_t errlen)
{
	struct ism_ctl_spec out = { .devid = 0 };
	unsigned int seen = 0;
	const char *s, *end;
	size_t len;
	int rc;

	if (!text || !spec)
		return -EINVAL;
	s = text + strspn(text, ISM_CTL_BLANKS);
	if (!*s)
		goto out;
	for (;;) {
		s += strspn(s, ISM_CTL_BLANKS);
		end = strchrnul(s, ',');
		len = (size_t)(end - s);
		while (len && strchr(ISM_CTL_BLANKS, s[len - 1]))
			len--;
		if (!len) {
			snprintf(err, errlen, "empty item in `%s'", text);
			return -EINVAL;
		}
		rc = ism_ctl_item_parse(s, len, &out, &seen, err, errlen);
		if (rc)
			return rc;
		if (!*end)
			break;
		s = end + 1;
	}
out:
	*spec = out;
	return 0;
}

/*
 * The text xl parses: the file, then each KEY=VALUE of @extra on a line of
 * its own, as `xl create CONFIG KEY=VALUE...' appends them.  Return: 0 with
 * a malloc'd *@text of *@len bytes; -EINVAL (unreadable, too large); -ENOMEM.
 */
static int ism_ctl_xlcfg_text(const char *file, const char *extra, char **text,
			      size_t *len, char *err, size_t errlen)
{
	size_t extra_len = extra ? strlen(extra) : 0, n;
	char *buf = NULL;
	FILE *f;
	int rc;

	f = fopen(file, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read it: %s", file,
			 strerror(errno));
		return -EINVAL;
	}
	buf = malloc(ISM_CTL_XLCFG_MAX + extra_len + 3);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", file);
		rc = -ENOMEM;
		goto out_close;
	}
	n = fread(buf, 1, ISM_CTL_XLCFG_MAX + 1, f);
	if (ferror(f) || n > ISM_CTL_XLCFG_MAX) {
		snprintf(err, errlen, "%s: cannot read it: %s", file,
			 ferror(f) ? strerror(EIO) : "larger than 1 MiB");
		free(buf);
		rc = -EINVAL;
		goto out_close;
	}
	if (extra_len)
		n += (size_t)sprintf(buf + n, "\n%s\n", extra);
	*text = buf;
	*len = n;
	rc = 0;
out_close:
	fclose(f);
	return rc;
}

int ism_ctl_xlcfg_read(const char *file, const char *extra, FILE *report,
		       char **name_out, struct ism_ctl_spec **specs_out,
		       unsigned int *num_out, char *err, size_t errlen)
{
	struct ism_ctl_spec *specs = NULL;
	XLU_ConfigList *list = NULL;
	const char *name = NULL, *item;
	char *name_copy = NULL, *text, why[256];
	XLU_Config *cfg;
	int n = 0, i, r, rc;
	size_t len;

	if (!file || !name_out || !specs_out || !num_out)
		return -EINVAL;
	rc = ism_ctl_xlcfg_text(file, extra, &text, &len, err, errlen);
	if (rc)
		return rc;
	cfg = xlu_cfg_init(report, file);
	if (!cfg) {
		snprintf(err, errlen, "%s: out of memory", file);
		free(text);
		return -ENOMEM;
	}
	r = xlu_cfg_readdata(cfg, text, (int)len);
	free(text);
	if (r) {
		snprintf(err, errlen, "%s: cannot read it: %s", file,
			 r == EINVAL ? "syntax error" : strerror(r));
		rc = -EINVAL;
		goto out_destroy;
	}
	r = xlu_cfg_get_string(cfg, "name", &name, 1);
	if (r && r != ESRCH) {
		snprintf(err, errlen, "%s: `name' is not a string", file);
		rc = -EINVAL;
		goto out_destroy;
	}
	r = xlu_cfg_get_list(cfg, "ism", &list, &n, 1);
	if (r == ESRCH) {
		n = 0;
	} else if (r) {
		snprintf(err, errlen, "%s: `ism' is not a list of strings",
			 file);
		rc = -EINVAL;
		goto out_destroy;
	}
	if (n) {
		specs = calloc((size_t)n, sizeof(*specs));
		if (!specs) {
			rc = -ENOMEM;
			snprintf(err, errlen, "%s: out of memory", file);
			goto out_destroy;
		}
	}
	for (i = 0; i < n; i++) {
		item = xlu_cfg_get_listitem(list, i);
		if (!item) {
			snprintf(err, errlen,
				 "%s: ism entry %d is not a string", file,
				 i + 1);
			rc = -EINVAL;
			goto out_free_specs;
		}
		rc = ism_ctl_spec_parse(item, &specs[i], why, sizeof(why));
		if (rc) {
			snprintf(err, errlen, "%s: ism entry %d: %s", file,
				 i + 1, why);
			goto out_free_specs;
		}
	}
	if (name) {
		name_copy = strdup(name);
		if (!name_copy) {
			rc = -ENOMEM;
			snprintf(err, errlen, "%s: out of memory", file);
			goto out_free_specs;
		}
	}
	*name_out = name_copy;
	*specs_out = specs;
	*num_out = (unsigned int)n;
	rc = 0;
	goto out_destroy;

out_free_specs:
	free(specs);
out_destroy:
	xlu_cfg_destroy(cfg);
	return rc;
}
