/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * genl.h - a small generic netlink client for ism-smc: resolve a family,
 * send a request, and walk the answers' attributes.  No libnl.
 */
#ifndef ISM_SMC_GENL_H
#define ISM_SMC_GENL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct ism_genl {
	int fd;
	uint16_t family;
	uint32_t seq;
};

/* Called for each answer of a dump: its attributes, after genlmsghdr. */
typedef int (*ism_genl_msg_fn)(const struct nlattr *attrs, size_t len,
			       void *arg);

int ism_genl_open(struct ism_genl *g, const char *family);
void ism_genl_close(struct ism_genl *g);
/*
 * Send @cmd with one attribute (@attr of @alen octets; none if @attr is
 * 0); with @fn, as a dump whose answers go to @fn.  Return: 0, or -errno
 * (the kernel's answer, or the socket's error).
 */
int ism_genl_request(struct ism_genl *g, uint8_t cmd, uint16_t attr,
		     const void *val, size_t alen, ism_genl_msg_fn fn,
		     void *arg);

/*
 * Index the attributes in [@attrs, @attrs + @len) by type into @tb
 * (@max + 1 entries; later duplicates win, unknown types are skipped).
 * Return: 0, or -EBADMSG if an attribute overruns the buffer.
 */
int ism_genl_parse(const struct nlattr *attrs, size_t len,
		   const struct nlattr **tb, unsigned int max);
/*
 * The attributes nested in top-level attribute @type (at most 31) of a
 * message's attributes [@attrs, @attrs + @len), indexed into @tb as
 * ism_genl_parse() does.  Return: 1, 0 if the message has no @type, or
 * -EBADMSG.
 */
int ism_genl_nest(const struct nlattr *attrs, size_t len, unsigned int type,
		  const struct nlattr **tb, unsigned int max);
/* An attribute's payload and its length. */
const void *ism_genl_data(const struct nlattr *a);
size_t ism_genl_len(const struct nlattr *a);

#endif /* ISM_SMC_GENL_H */
