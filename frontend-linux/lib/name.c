/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * name.c - the named token rendezvous under ~/data/ism (ismif.h, "Named
 * token rendezvous").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define ISM_LOOKUP_TOKEN "ism-lookup"
#define ISM_TX_RETRIES 16

static int data_path(char *buf, uint16_t domid, const char *name)
{
	int n;

	if (name)
		n = snprintf(buf, ISM_PATH_MAX, "/local/domain/%u/%s/%s", domid,
			     ISM_PATH_DATA_DIR, name);
	else
		n = snprintf(buf, ISM_PATH_MAX, "/local/domain/%u/%s", domid,
			     ISM_PATH_DATA_DIR);
	return n < 0 || n >= ISM_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* ~/data/ism exists, ours alone; and @name is new only if there is room. */
static int prepare_dir(ism_dev *dev, const char *dir, const char *name)
{
	const struct ism_fe_xs_perm own = { dev->domid, ISM_FE_XS_PERM_NONE };
	char **names = NULL;
	unsigned int i, num = 0;
	bool found = false;
	int rc;

	rc = dev->ops->xs_directory(dev->p, ISM_FE_XS_NO_TX, dir, &names, &num);
	if (rc == -ENOENT) {
		rc = dev->ops->xs_write(dev->p, ISM_FE_XS_NO_TX, dir, "");
		if (!rc)
			rc = dev->ops->xs_set_perms(dev->p, ISM_FE_XS_NO_TX,
						    dir, &own, 1);
		return rc;
	}
	if (rc)
		return rc;
	for (i = 0; i < num; i++)
		found |= !strcmp(names[i], name);
	free(names);
	return !found && num >= ISM_RENDEZVOUS_NAME_MAX ? -ENOSPC : 0;
}

int ism__user_name_publish(ism_dev *dev, const char *name, uint64_t token,
			   uint16_t peer_domid)
{
	struct ism_fe_xs_perm perms[2];
	char dir[ISM_PATH_MAX], path[ISM_PATH_MAX];
	char val[ISM_RENDEZVOUS_VALUE_MAX + 1];
	int rc, tries;
	uint32_t tx;

	if (!dev || !ism__name_is_valid(name) || peer_domid > ISM_DOMID_MAX ||
	    peer_domid == dev->domid)
		return -EINVAL;
	rc = ism__rdv_format(val, sizeof(val), dev->gid, dev->devid, token);
	if (!rc)
		rc = data_path(dir, dev->domid, NULL);
	if (!rc)
		rc = data_path(path, dev->domid, name);
	if (!rc)
		rc = prepare_dir(dev, dir, name);
	if (rc)
		return rc;
	perms[0].domid = dev->domid;
	perms[0].perms = ISM_FE_XS_PERM_NONE;
	perms[1].domid = peer_domid;
	perms[1].perms = ISM_FE_XS_PERM_READ;
	rc = -EAGAIN;
	/* Value and permissions appear together: nobody else sees it. */
	for (tries = 0; rc == -EAGAIN && tries < ISM_TX_RETRIES; tries++) {
		rc = dev->ops->xs_transaction_start(dev->p, &tx);
		if (rc)
			return rc;
		rc = dev->ops->xs_write(dev->p, tx, path, val);
		if (!rc)
			rc = dev->ops->xs_set_perms(dev->p, tx, path, perms, 2);
		if (rc) {
			dev->ops->xs_transaction_end(dev->p, tx, true);
			return rc;
		}
		rc = dev->ops->xs_transaction_end(dev->p, tx, false);
	}
	return rc;
}

int ism__user_name_unpublish(ism_dev *dev, const char *name)
{
	char path[ISM_PATH_MAX];
	int rc;

	if (!dev || !ism__name_is_valid(name))
		return -EINVAL;
	rc = data_path(path, dev->domid, name);
	if (!rc)
		rc = dev->ops->xs_rm(dev->p, ISM_FE_XS_NO_TX, path);
	return rc == -ENOENT ? 0 : rc;
}

/* One read: 0 with the token, -EAGAIN if not there (yet), or an error. */
static int lookup_once(ism_dev *dev, const char *path, uint64_t *token_out)
{
	uint64_t gid, token;
	uint32_t devid;
	char *val = NULL;
	size_t len;
	int rc;

	rc = dev->ops->xs_read(dev->p, ISM_FE_XS_NO_TX, path, &val, &len);
	/* A node we may not read is, to us, a node not published yet. */
	if (rc == -ENOENT || rc == -EACCES)
		return -EAGAIN;
	if (rc)
		return rc;
	rc = ism__rdv_parse(val, len, &gid, &devid, &token);
	free(val);
	if (rc)
		return rc;
	if (gid != dev->gid)
		return -EXDEV;
	*token_out = token;
	return 0;
}

int ism__user_name_lookup(ism_dev *dev, const char *name, uint16_t from_domid,
			  int timeout_ms, uint64_t *token_out)
{
	char path[ISM_PATH_MAX];
	uint64_t deadline;
	int rc, rem;

	if (!dev || !token_out || !ism__name_is_valid(name) ||
	    from_domid > ISM_DOMID_MAX || timeout_ms < -1)
		return -EINVAL;
	rc = data_path(path, from_domid, name);
	if (rc)
		return rc;
	rc = lookup_once(dev, path, token_out);
	if (rc != -EAGAIN || !timeout_ms)
		return rc == -EAGAIN ? -ETIMEDOUT : rc;
	deadline = ism__deadline(dev, timeout_ms);
	rc = dev->ops->xs_watch(dev->p, path, ISM_LOOKUP_TOKEN);
	if (rc)
		return rc;
	for (;;) {
		rc = lookup_once(dev, path, token_out);
		if (rc != -EAGAIN)
			break;
		rem = ism__remaining(dev, deadline);
		if (!rem) {
			rc = -ETIMEDOUT;
			break;
		}
		dev->ops->wait(dev->p, rem);
		/* Takes the watch events and notices a closing backend. */
		ism__dev_poll(dev);
	}
	dev->ops->xs_unwatch(dev->p, path, ISM_LOOKUP_TOKEN);
	return rc;
}
