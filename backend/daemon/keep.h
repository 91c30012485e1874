/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file: what xen-ismd keeps for the next xen-ismd, so that a
 * restart (SIGTERM and a start, a crash, kill -9) loses no device and no
 * region.  The core makes the state (ism_backend_save_fn); this writes it
 * atomically and reads it back.
 */
#ifndef ISMD_KEEP_H
#define ISMD_KEEP_H

#include <stddef.h>

/* The largest state file read back: far beyond what the core makes. */
#define ISMD_KEEP_MAX (64u << 20)

/*
 * ismd_keep_write() - the save callback (@arg is the path): write @buf to
 * PATH.new (mode 0600, its directory made 0700 if missing) and rename it
 * over PATH.  0 or -errno.
 */
int ismd_keep_write(void *arg, const void *buf, size_t len);

/*
 * ismd_keep_read() - read PATH whole into a malloc'd *@buf_out of
 * *@len_out bytes.  -ENOENT if there is none, -EFBIG beyond ISMD_KEEP_MAX.
 */
int ismd_keep_read(const char *path, void **buf_out, size_t *len_out);

/* ismd_dir_make() - make the directory of @path (one level) if missing. */
void ismd_dir_make(const char *path, unsigned int mode);

/* ismd_keep_remove() - remove PATH (nothing to keep any more). */
void ismd_keep_remove(const char *path);

#endif /* ISMD_KEEP_H */
