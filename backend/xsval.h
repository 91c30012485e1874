/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xsval.h - parsers of values and paths a guest or the store hands us.
 *
 * Everything here reads untrusted bytes: a xenstore value (@s, @len: the
 * value may hold NULs, which are refused) or a watch path.  Each parser
 * accepts exactly the form ismif.h defines and returns 0 with the result
 * in *@out, or -EINVAL leaving *@out untouched.  No parser allocates.
 */
#ifndef ISM_BACKEND_XSVAL_H
#define ISM_BACKEND_XSVAL_H

#include <stddef.h>
#include <stdint.h>

/* A decimal number lo .. hi without sign, spaces or leading zeros. */
int ism__xsval_uint(const char *s, size_t len, uint64_t lo, uint64_t hi,
		    uint64_t *out);

/* A xenbus state, ISM_XBS_INITIALISING .. ISM_XBS_CLOSED. */
int ism__xsval_state(const char *s, size_t len, int *out);

/* A grant reference: ISM_GREF_MIN .. 2^32 - 1. */
int ism__xsval_gref(const char *s, size_t len, uint32_t *out);

/* An event channel port: 1 .. ISM_EVTCHN_MAX. */
int ism__xsval_evtchn(const char *s, size_t len, uint32_t *out);

/* A domain id: 0 .. ISM_DOMID_MAX. */
int ism__xsval_domid(const char *s, size_t len, uint16_t *out);

/* The frontend's version: one the backend speaks (only 1 so far). */
int ism__xsval_version(const char *s, size_t len, uint32_t *out);

/*
 * ism__xsval_be_path() - split a watch path "backend/ism[/D[/V[/...]]]"
 * (relative to the backend's home).  *@depth_out is 0 for the directory,
 * 1 for "backend/ism/D", 2 for "backend/ism/D/V" and anything below;
 * *@domid_out and *@devid_out are set as far as the path goes.  -EINVAL
 * for any other path, a bad domid or a devid outside 1 .. ISM_DEVID_MAX.
 */
int ism__xsval_be_path(const char *path, unsigned int *depth_out,
		       uint16_t *domid_out, uint32_t *devid_out);

/*
 * ism__xsval_fe_path() - split "/local/domain/D/device/ism/V[/...]"; -EINVAL
 * for anything else.
 */
int ism__xsval_fe_path(const char *path, uint16_t *domid_out,
		       uint32_t *devid_out);

#endif /* ISM_BACKEND_XSVAL_H */
