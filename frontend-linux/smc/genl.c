// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * genl.c - a small generic netlink client (see genl.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "genl.h"

#define ISM_GENL_BUF 32768

const void *ism_genl_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

size_t ism_genl_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

int ism_genl_parse(const struct nlattr *attrs, size_t len,
		   const struct nlattr **tb, unsigned int max)
{
	const char *p = (const char *)attrs;
	const struct nlattr *a;
	unsigned int type;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len >= NLA_HDRLEN) {
		a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -EBADMSG;
		type = a->nla_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		p += NLA_ALIGN(a->nla_len);
		len -= (size_t)NLA_ALIGN(a->nla_len);
	}
	return 0;
}

int ism_genl_nest(const struct nlattr *attrs, size_t len, unsigned int type,
		  const struct nlattr **tb, unsigned int max)
{
	const struct nlattr *top[32];

	if (type >= 32 || ism_genl_parse(attrs, len, top, type))
		return -EBADMSG;
	if (!top[type])
		return 0;
	if (ism_genl_parse(ism_genl_data(top[type]), ism_genl_len(top[type]),
			   tb, max))
		return -EBADMSG;
	return 1;
}

/* One request: header, genl header, at most one attribute. */
static int genl_send(struct ism_genl *g, uint16_t type, uint16_t flags,
		     uint8_t cmd, uint16_t attr, const void *val, size_t alen)
{
	char buf[NLMSG_SPACE(GENL_HDRLEN) + NLA_HDRLEN + NLA_ALIGN(256)];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct genlmsghdr *gh = NLMSG_DATA(nh);
	struct nlattr *a = (struct nlattr *)((char *)gh + GENL_HDRLEN);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (alen > 256)
		return -EINVAL;
	memset(buf, 0, sizeof(buf));
	nh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | flags;
	nh->nlmsg_seq = ++g->seq;
	gh->cmd = cmd;
	gh->version = 1;
	if (attr) {
		a->nla_type = attr;
		a->nla_len = NLA_HDRLEN + alen;
		memcpy((char *)a + NLA_HDRLEN, val, alen);
		nh->nlmsg_len += NLA_ALIGN(a->nla_len);
	}
	if (sendto(g->fd, buf, nh->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/*
 * Read answers to the last request until its ACK, error or the end of a
 * dump; hand each data message's attributes to @fn.
 */
static int genl_recv(struct ism_genl *g, ism_genl_msg_fn fn, void *arg)
{
	static char buf[ISM_GENL_BUF];
	struct nlmsghdr *nh;
	struct nlmsgerr *err;
	ssize_t n;
	size_t left;
	int rc;

	for (;;) {
		n = recv(g->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		left = n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_seq != g->seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
					return -EBADMSG;
				err = NLMSG_DATA(nh);
				return err->error;
			}
			if (nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				return -EBADMSG;
			if (!fn)
				continue;
			rc = fn((const struct nlattr *)((char *)NLMSG_DATA(nh) +
							GENL_HDRLEN),
				nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), arg);
			if (rc)
				return rc;
		}
	}
}

int ism_genl_request(struct ism_genl *g, uint8_t cmd, uint16_t attr,
		     const void *val, size_t alen, ism_genl_msg_fn fn,
		     void *arg)
{
	int rc;

	rc = genl_send(g, g->family, fn ? NLM_F_DUMP : NLM_F_ACK, cmd, attr,
		       val, alen);
	return rc ? rc : genl_recv(g, fn, arg);
}

static int family_id(const struct nlattr *attrs, size_t len, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlattr *id;

	if (ism_genl_parse(attrs, len, tb, CTRL_ATTR_MAX))
		return -EBADMSG;
	id = tb[CTRL_ATTR_FAMILY_ID];
	if (!id || ism_genl_len(id) < sizeof(uint16_t))
		return -EBADMSG;
	memcpy(arg, ism_genl_data(id), sizeof(uint16_t));
	return 0;
}

int ism_genl_open(struct ism_genl *g, const char *family)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int rc;

	memset(g, 0, sizeof(*g));
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (g->fd < 0)
		return -errno;
	if (bind(g->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto out_close;
	}
	rc = genl_send(g, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY,
		       CTRL_ATTR_FAMILY_NAME, family, strlen(family) + 1);
	if (!rc)
		rc = genl_recv(g, family_id, &g->family);
	if (!rc && !g->family)
		rc = -ENOENT;
	if (!rc)
		return 0;
out_close:
	close(g->fd);
	g->fd = -1;
	return rc;
}

void ism_genl_close(struct ism_genl *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}
