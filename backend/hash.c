/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hash.c - intrusive chained hash table (see hash.h).
 *
 * Keys are mixed with the splitmix64 finaliser, so that sequential keys
 * (devids, ports) spread as well as random ones (tokens).
 */
#include <errno.h>
#include <stdlib.h>

#include "hash.h"

#define ISM_HTABLE_MIN 64u

static size_t ism_hash_mix(uint64_t key, size_t nbucket)
{
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9ull;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebull;
	key ^= key >> 31;
	return (size_t)key & (nbucket - 1);
}

int ism__htable_init(struct ism_htable *t)
{
	t->bucket = calloc(ISM_HTABLE_MIN, sizeof(*t->bucket));
	if (!t->bucket)
		return -ENOMEM;
	t->nbucket = ISM_HTABLE_MIN;
	t->count = 0;
	return 0;
}

void ism__htable_fini(struct ism_htable *t)
{
	free(t->bucket);
	t->bucket = NULL;
	t->nbucket = 0;
	t->count = 0;
}

static int ism_htable_grow(struct ism_htable *t)
{
	size_t n = t->nbucket * 2, i, b;
	struct ism_hnode **nb, *node, *next;

	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	for (i = 0; i < t->nbucket; i++) {
		for (node = t->bucket[i]; node; node = next) {
			next = node->next;
			b = ism_hash_mix(node->key, n);
			node->next = nb[b];
			nb[b] = node;
		}
	}
	free(t->bucket);
	t->bucket = nb;
	t->nbucket = n;
	return 0;
}

int ism__htable_insert(struct ism_htable *t, struct ism_hnode *n)
{
	size_t b;
	int rc;

	if (t->count >= t->nbucket) {
		rc = ism_htable_grow(t);
		if (rc)
			return rc;
	}
	b = ism_hash_mix(n->key, t->nbucket);
	n->next = t->bucket[b];
	t->bucket[b] = n;
	t->count++;
	return 0;
}

void ism__htable_remove(struct ism_htable *t, struct ism_hnode *n)
{
	struct ism_hnode **pp = &t->bucket[ism_hash_mix(n->key, t->nbucket)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
	}
}

struct ism_hnode *ism__htable_find(const struct ism_htable *t, uint64_t key)
{
	struct ism_hnode *n = t->bucket[ism_hash_mix(key, t->nbucket)];

	while (n && n->key != key)
		n = n->next;
	return n;
}
