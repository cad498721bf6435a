// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hsiphash as the kernel computes it on 64-bit hosts.  mh derives its
 * Maglev permutations and lookups from it with fixed keys, so matching the
 * kernel bit for bit is what lets a flow land on the same real server here
 * and on a kernel IPVS node.  Input words are read little-endian, as the
 * kernel does on x86 and arm64.
 */
#include <stdint.h>
#include <string.h>

#include "sched_priv.h"

static inline uint64_t rol64(uint64_t w, unsigned int s)
{
	return (w << s) | (w >> (64 - s));
}

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rol64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rol64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rol64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rol64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rol64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rol64(s->v2, 32);
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

uint32_t nlvs_hsiphash(const void *data, size_t len, const struct nlvs_hsiphash_key *key)
{
	const uint8_t *p = data;
	struct sip_state s = {
		.v0 = 0x736f6d6570736575ULL ^ key->key[0],
		.v1 = 0x646f72616e646f6dULL ^ key->key[1],
		.v2 = 0x6c7967656e657261ULL ^ key->key[0],
		.v3 = 0x7465646279746573ULL ^ key->key[1],
	};
	uint64_t b = (uint64_t)len << 56, m;
	size_t left = len & 7, i;

	/* one compression round per word, three finalisation rounds: 1-3 */
	for (i = 0; i + 8 <= len; i += 8) {
		m = load_le(p + i, 8);
		s.v3 ^= m;
		sip_round(&s);
		s.v0 ^= m;
	}
	b |= load_le(p + i, left);
	s.v3 ^= b;
	sip_round(&s);
	s.v0 ^= b;
	s.v2 ^= 0xff;
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	return (uint32_t)((s.v0 ^ s.v1) ^ (s.v2 ^ s.v3));
}
