/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hash.h - an intrusive hash table keyed by 64-bit integers.
 *
 * The core looks up regions by token, devices by (domid, devid), by devid
 * and by event channel port, all in O(1).  A node is embedded in the object
 * it indexes; container_of() gets the object back.  The table grows by
 * doubling; growth happens before an insert, so an insert that fails
 * (-ENOMEM) leaves the table as it was.
 */
#ifndef ISM_BACKEND_HASH_H
#define ISM_BACKEND_HASH_H

#include <stddef.h>
#include <stdint.h>

#define ism_container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

struct ism_hnode {
	struct ism_hnode *next;
	uint64_t key;
};

struct ism_htable {
	struct ism_hnode **bucket;
	size_t nbucket; /* a power of two */
	size_t count;
};

/* ism__htable_init() - an empty table; -ENOMEM. */
int ism__htable_init(struct ism_htable *t);

/* ism__htable_fini() - free the buckets (the nodes belong to the caller). */
void ism__htable_fini(struct ism_htable *t);

/* ism__htable_insert() - add @n under n->key (keys may repeat; find returns the first); -ENOMEM. */
int ism__htable_insert(struct ism_htable *t, struct ism_hnode *n);

/* ism__htable_remove() - take @n out; it must be in @t. */
void ism__htable_remove(struct ism_htable *t, struct ism_hnode *n);

/* ism__htable_find() - the first node with @key, or NULL. */
struct ism_hnode *ism__htable_find(const struct ism_htable *t, uint64_t key);

#endif /* ISM_BACKEND_HASH_H */
