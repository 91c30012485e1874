/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * request.c - the request decoder: is a request, already copied out of
 * the shared ring, well-formed?  An unknown opcode is -EOPNOTSUPP; any
 * reserved octet (of the header or of the opcode's payload) that is not 0
 * is -EINVAL.  Field values are checked by the handler of each opcode.
 */
#include <errno.h>
#include <stdbool.h>

#include "core.h"

static bool ism_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++) {
		if (c[i])
			return false;
	}
	return true;
}

#define ISM_ZERO(field) ism_zero(&(field), sizeof(field))

int ism__req_check(const struct ism_req *req)
{
	const int op = req->op;
	bool ok;

	switch (op) {
	case ISM_OP_INFO:
		ok = ISM_ZERO(req->u);
		break;
	case ISM_OP_ALLOC:
		ok = ISM_ZERO(req->u.alloc.reserved);
		break;
	case ISM_OP_ATTACH:
		ok = !req->u.attach.reserved0 &&
		     ISM_ZERO(req->u.attach.reserved);
		break;
	case ISM_OP_FREE:
	case ISM_OP_DETACH:
	case ISM_OP_QUERY:
	case ISM_OP_NOTIFY:
		ok = !req->u.slot.reserved0 && ISM_ZERO(req->u.slot.reserved);
		break;
	case ISM_OP_SET_PERM:
		ok = ISM_ZERO(req->u.set_perm.reserved);
		break;
	case ISM_OP_FASTPATH_OFFER:
	case ISM_OP_FASTPATH_ACCEPT:
		ok = !req->u.fastpath.reserved0 &&
		     ISM_ZERO(req->u.fastpath.reserved);
		break;
	case ISM_OP_PEER:
		ok = !req->u.peer.reserved0 && ISM_ZERO(req->u.peer.reserved);
		break;
	case ISM_OP_SIGNAL:
		ok = ISM_ZERO(req->u.signal.reserved);
		break;
	default:
		return -EOPNOTSUPP;
	}
	return ok && ISM_ZERO(req->reserved0) ? 0 : -EINVAL;
}
