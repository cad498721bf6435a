// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A standalone driver for fuzz_nlmsg.c so that `make check` needs no
 * libFuzzer: replays every seed of the corpus, then a bounded number of
 * inputs made by a simple deterministic mutator (bit flips, interesting
 * values, length fields, insertions, deletions, truncation, splicing),
 * reporting in TAP.  A crash or abort fails the test.
 * Usage: fuzz_driver [CORPUS_DIR [ITERATIONS [SEED]]]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_SEEDS	256
#define FUZZ_MAX_LEN	4096

struct seed {
	uint8_t *data;
	size_t len;
};

static struct seed seeds[FUZZ_MAX_SEEDS];
static size_t nseeds;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* By name, bytewise: readdir's order depends on the file system (ext4's
 * hash order, tmpfs's creation order, ...), and with it which seed each
 * mutation starts from. */
static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int load_seeds(const char *dir)
{
	struct dirent **names;
	char path[4096 + 512];
	FILE *f;
	int i, n = scandir(dir, &names, NULL, name_cmp);

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct seed *s = &seeds[nseeds];

		if (names[i]->d_name[0] == '.' || nseeds >= FUZZ_MAX_SEEDS)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		s->data = malloc(FUZZ_MAX_LEN);
		if (s->data) {
			s->len = fread(s->data, 1, FUZZ_MAX_LEN, f);
			nseeds++;
		}
		fclose(f);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}

static size_t mutate(uint8_t *buf, size_t len)
{
	static const uint8_t interesting[] = { 0, 1, 2, 3, 4, 0x7f, 0x80, 0xfe, 0xff, 0x10, 0x14 };
	unsigned int i, n = 1 + rnd() % 4;
	size_t pos, k;

	for (i = 0; i < n; i++) {
		pos = len ? rnd() % len : 0;
		switch (rnd() % 8) {
		case 0:
			if (len)
				buf[pos] ^= 1u << (rnd() % 8);
			break;
		case 1:
			if (len)
				buf[pos] = interesting[rnd() % sizeof(interesting)];
			break;
		case 2:
			/* A 16-bit length or type field, aligned like attributes. */
			pos &= ~(size_t)3;
			if (pos + 2 <= len) {
				uint16_t v = rnd() % 3 ? rnd() % 64 : rnd();

				memcpy(buf + pos, &v, 2);
			}
			break;
		case 3:
			/* nlmsg_len of the first message. */
			if (len >= 4) {
				uint32_t v = rnd() % 2 ? len - rnd() % 8 : rnd() % (len + 32);

				memcpy(buf, &v, 4);
			}
			break;
		case 4:
			if (len < FUZZ_MAX_LEN) {
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = rnd();
				len++;
			}
			break;
		case 5:
			if (len) {
				memmove(buf + pos, buf + pos + 1, len - pos - 1);
				len--;
			}
			break;
		case 6:
			len = pos;
			break;
		default: {
			/* Append part of another seed (several messages per datagram). */
			const struct seed *s = &seeds[rnd() % nseeds];

			k = s->len ? rnd() % s->len + 1 : 0;
			if (len + k > FUZZ_MAX_LEN)
				k = FUZZ_MAX_LEN - len;
			memcpy(buf + len, s->data, k);
			len += k;
			break;
		}
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	unsigned long iters = 20000, i;
	uint8_t buf[FUZZ_MAX_LEN];
	size_t len;

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus", top ? top : ".");
	if (argc > 2)
		iters = strtoul(argv[2], NULL, 0);
	if (argc > 3)
		rng = strtoull(argv[3], NULL, 0) | 1;

	printf("1..2\n");
	if (load_seeds(dir) < 0 || nseeds == 0) {
		printf("not ok 1 - no seeds in %s\nnot ok 2 - mutations # SKIP no seeds\n", dir);
		return 1;
	}
	for (i = 0; i < nseeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
	printf("ok 1 - replayed %zu seeds from %s\n", nseeds, dir);
	fflush(stdout);

	for (i = 0; i < iters; i++) {
		const struct seed *s = &seeds[rnd() % nseeds];

		memcpy(buf, s->data, s->len);
		len = mutate(buf, s->len);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("ok 2 - %lu mutated inputs\n", iters);
	return 0;
}
