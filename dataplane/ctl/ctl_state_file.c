// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading the state files (ctl_state.c): the header, the seal of every line,
 * the end of a snapshot, and the files written before the seals.  A file is
 * checked whole (nlvs_state_file_run(f, 0)) before any of it is applied.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_priv.h"
#include "base/nlvs_log.h"

/* Reads a whole file; *len excludes the NUL added at the end. */
static char *file_read(int fd, size_t *len)
{
	struct stat sb;
	size_t n = 0;
	char *buf;

	if (fstat(fd, &sb) < 0)
		return NULL;
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf)
		return NULL;
	while (n < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)sb.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int nlvs_state_epoch_parse(const char *s, uint64_t *epoch)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*epoch = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* " ~" and 8 hex digits at the end: a sealed line. */
static int looks_sealed(const char *line, size_t len)
{
	size_t i;

	if (len < NLVS_SEAL_LEN || line[len - NLVS_SEAL_LEN] != ' ' ||
	    line[len - NLVS_SEAL_LEN + 1] != '~')
		return 0;
	for (i = len - 8; i < len; i++)
		if (!isxdigit((unsigned char)line[i]))
			return 0;
	return 1;
}

/* A pre-seal file is plain printable text, nothing else. */
static int legacy_text(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < ' ' && c != '\n' && c != '\t') || c >= 0x7f)
			return 0;
	}
	return 1;
}


int nlvs_state_file_damaged(const struct nlvs_state_file *f, unsigned int lineno,
			    const char *why)
{
	nlvs_log_warnx("%s:%u: %s: the file is damaged; nlvsd does not start so that no "
		       "acknowledged change is lost, and leaves the state files as they are "
		       "(see RECOVERY in nlvsd(8))", f->name, lineno, why);
	return -EBADMSG;
}

/* Reads the header of @f: its kind and epoch, or that it is a legacy file. */
static int header_parse(struct nlvs_state_file *f)
{
	const char *kind = f->snapshot ? "snapshot" : "journal";
	char *nl = memchr(f->buf, '\n', f->len), *p;
	char line[128];
	size_t n;

	if (strncmp(f->buf, STATE_MAGIC, f->len < strlen(STATE_MAGIC) ? f->len :
		    strlen(STATE_MAGIC))) {
		if (!legacy_text(f->buf, f->len))
			return nlvs_state_file_damaged(f, 1, "not a state file of nlvsd");
		f->legacy = 1;
		return 0;
	}
	if (!nl) {
		/* a journal whose header write was cut: nothing in it */
		if (!f->snapshot)
			return 0;
		return nlvs_state_file_damaged(f, 1, "truncated header");
	}
	n = (size_t)(nl - f->buf);
	if (n >= sizeof(line))
		return nlvs_state_file_damaged(f, 1, "bad header");
	memcpy(line, f->buf, n);
	line[n] = '\0';
	if (nlvs_ctl_rec_unseal(line, 0) < 0)
		return nlvs_state_file_damaged(f, 1, "header checksum mismatch");
	p = line + strlen(STATE_MAGIC);
	if (strncmp(p, kind, strlen(kind)) || strncmp(p + strlen(kind), " epoch=", 7) ||
	    nlvs_state_epoch_parse(p + strlen(kind) + 7, &f->epoch) < 0)
		return nlvs_state_file_damaged(f, 1, "bad header");
	f->has_epoch = 1;
	return 0;
}

/*
 * Checks (@apply 0) or applies (@apply 1) the lines of @f after its header.
 * A recovery (f->recover) drops the lines it cannot prove instead of failing.
 */
int nlvs_state_file_run(struct nlvs_state_file *f, int apply)
{
	unsigned int lineno = 0;
	size_t off = 0, records = 0;
	uint64_t seq = 0, want;
	int ended = 0;

	while (off < f->len) {
		char *line = f->buf + off, *nl = memchr(line, '\n', f->len - off);
		char copy[LINE_MAX_SEALED];
		size_t n;

		if (!nl) {
			if (f->snapshot && !f->legacy)
				return nlvs_state_file_damaged(f, lineno + 1, "truncated");
			if (apply)
				nlvs_log_warnx("%s:%u: incomplete last line ignored (its write never "
					       "finished, so it was never acknowledged)", f->name,
					       lineno + 1);
			break;
		}
		n = (size_t)(nl - line);
		off += n + 1;
		lineno++;
		if (n >= sizeof(copy)) {
			if (!f->legacy && !f->recover)
				return nlvs_state_file_damaged(f, lineno, "line too long");
			if (apply && !f->legacy)
				f->dropped++;
			continue;
		}
		memcpy(copy, line, n);
		copy[n] = '\0';
		if (f->legacy) {
			uint64_t e;

			/* a sealed file whose header was damaged, not an old file */
			if (looks_sealed(copy, n))
				return nlvs_state_file_damaged(f, lineno, "sealed line in a file without a valid "
					       "header");

			if (!strncmp(copy, "epoch ", 6) && nlvs_state_epoch_parse(copy + 6, &e) == 0) {
				if (lineno == 1 || !f->has_epoch) {
					f->epoch = e;
					f->has_epoch = 1;
				} else if (e != f->epoch && !f->snapshot) {
					if (apply)
						nlvs_log_warnx("%s:%u: unexpected epoch, rest skipped",
							       f->name, lineno);
					break;
				}
				continue;
			}
			if (!copy[0] || copy[0] == '#')
				continue;
			if (f->snapshot && !f->has_epoch)
				return nlvs_state_file_damaged(f, lineno, "no epoch line before the records");
			if (apply)
				nlvs_ctl_rec_apply(copy, f->name, lineno);
			records++;
			continue;
		}
		if (lineno == 1)
			continue;	/* the header, checked already */
		if (ended)
			return nlvs_state_file_damaged(f, lineno, "data after the end");
		want = ++seq;
		if (nlvs_ctl_rec_unseal(copy, want) < 0) {
			if (!f->recover)
				return nlvs_state_file_damaged(f, lineno, "checksum mismatch");
			/* a lost line shifts the numbers of the ones after it */
			for (want = seq + 1; want < seq + 16; want++)
				if (nlvs_ctl_rec_unseal(copy, want) == 0)
					break;
			if (want == seq + 16) {
				if (apply) {
					nlvs_log_warnx("%s:%u: damaged line dropped", f->name, lineno);
					f->dropped++;
				}
				continue;
			}
			if (apply) {
				nlvs_log_warnx("%s:%u: %" PRIu64 " lines missing before this one",
					       f->name, lineno, want - seq);
				f->dropped += want - seq;
			}
			seq = want;
		}
		if (f->snapshot && !strncmp(copy, "end records=", 12)) {
			uint64_t count;

			if (nlvs_state_epoch_parse(copy + 12, &count) < 0 || count != records) {
				if (!f->recover)
					return nlvs_state_file_damaged(f, lineno, "record count mismatch");
			}
			ended = 1;
			continue;
		}
		if (apply)
			nlvs_ctl_rec_apply(copy, f->name, lineno);
		records++;
	}
	if (f->snapshot && !f->legacy && !ended && !f->recover)
		return nlvs_state_file_damaged(f, lineno, "no end line: truncated");
	f->good = off;
	f->records = records;
	return 0;
}

int nlvs_state_file_load(struct nlvs_state_file *f, int fd, const char *name, int snapshot)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->snapshot = snapshot;
	f->buf = file_read(fd, &f->len);
	if (!f->buf)
		return -ENOMEM;
	if (!f->len)
		return 0;
	return header_parse(f);
}
