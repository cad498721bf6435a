// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPVS configuration survives a restart of nlvsd: keepalived never
 * re-reads the table, so whatever was ACKed must come back.
 *
 * Rewriting the whole state on each change would make "ipvsadm -R" of 10,000
 * services with 10 dests each (110,000 changes) quadratic.  Instead:
 *  - <path> is a snapshot, replaced atomically (write <path>.tmp, fsync,
 *    rename, fsync the directory);
 *  - <path>.journal gets one record per successful change, appended with a
 *    single write() (O_APPEND) before the change is ACKed, so a killed
 *    daemon loses nothing it confirmed.  No fsync per record: a crash of the
 *    process leaves the data in the page cache; only a power cut can tear
 *    the final line, and a line without its newline is ignored;
 *  - compaction (journal past max(1 MiB, 2 x snapshot), and at close) writes
 *    a new snapshot and empties the journal.
 * Both files start with "epoch N".  A compaction gives the snapshot epoch N+1
 * and only then empties the journal and starts it with "epoch N+1", so a
 * crash between the rename and the truncation leaves a journal whose epoch
 * does not match: it is already in the snapshot and is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_priv.h"
#include "base/nlvs_log.h"

#define JOURNAL_MIN_COMPACT	(1 << 20)

static struct {
	char *path, *jpath, *tpath;
	int jfd;		/* -1: not journaling */
	int loading;
	uint64_t epoch;
	off_t jsize, snap_size;
} st = { .jfd = -1 };

static void state_compact(void);

int nlvs_ctl_journal_on(void)
{
	return st.jfd >= 0 && !st.loading;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void nlvs_ctl_journal_append(const char *rec, int len)
{
	ssize_t n;

	if (!nlvs_ctl_journal_on() || len <= 0)
		return;
	do {
		n = write(st.jfd, rec, (size_t)len);
	} while (n < 0 && errno == EINTR);
	if (n != len) {
		nlvs_log_warn("%s: journal write failed", st.jpath);
		/* end a partial line so the next record starts clean */
		if (n > 0 && write_all(st.jfd, "\n", 1) == 0)
			st.jsize += 1;
		if (n < 0)
			n = 0;
	}
	st.jsize += n;
	if (st.jsize > JOURNAL_MIN_COMPACT && st.jsize > 2 * st.snap_size)
		state_compact();
}

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

static int epoch_parse(const char *line, uint64_t *epoch)
{
	char *end;

	if (strncmp(line, "epoch ", 6))
		return -1;
	errno = 0;
	*epoch = strtoull(line + 6, &end, 10);
	return errno || end == line + 6 || (*end && *end != '\n') ? -1 : 0;
}

/*
 * Applies every complete line of @buf.  @want_epoch: NULL for the snapshot
 * (its epoch line is stored in st.epoch); else the journal is applied only if
 * its epoch line matches.  Returns the length of the complete lines.
 */
static size_t records_apply(char *buf, size_t len, const char *file, const uint64_t *want)
{
	unsigned int lineno = 0;
	size_t off = 0;
	uint64_t epoch;

	while (off < len) {
		char *line = buf + off, *nl = memchr(line, '\n', len - off);

		if (!nl) {
			nlvs_log_warnx("%s:%u: incomplete last line ignored", file, lineno + 1);
			break;
		}
		*nl = '\0';
		off = (size_t)(nl - buf) + 1;
		lineno++;
		if (epoch_parse(line, &epoch) == 0) {
			if (!want) {
				st.epoch = epoch;
			} else if (epoch != *want) {
				nlvs_log_warnx("%s:%u: unexpected epoch, rest skipped", file,
					       lineno);
				return off;
			}
			continue;
		}
		if (!line[0] || line[0] == '#')
			continue;
		nlvs_ctl_rec_apply(line, file, lineno);
	}
	return off;
}

static int snapshot_load(void)
{
	size_t len;
	char *buf;
	int fd;

	st.epoch = 0;
	st.snap_size = 0;
	fd = open(st.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	buf = file_read(fd, &len);
	close(fd);
	if (!buf)
		return -ENOMEM;
	st.snap_size = (off_t)len;
	records_apply(buf, len, st.path, NULL);
	free(buf);
	return 0;
}

/* Empties the journal and starts it with the current epoch. */
static int journal_restart(void)
{
	char line[40];
	int len;

	if (ftruncate(st.jfd, 0) < 0)
		return -errno;
	len = snprintf(line, sizeof(line), "epoch %" PRIu64 "\n", st.epoch);
	if (write_all(st.jfd, line, (size_t)len) < 0)
		return -errno;
	st.jsize = len;
	return 0;
}

static int journal_load(int *headless)
{
	size_t len, good;
	uint64_t epoch = 0;
	char *buf;

	st.jfd = open(st.jpath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (st.jfd < 0)
		return -errno;
	buf = file_read(st.jfd, &len);
	if (!buf)
		return -ENOMEM;
	if (len == 0 || (epoch_parse(buf, &epoch) == 0 && epoch != st.epoch)) {
		if (len)
			nlvs_log_info("%s: epoch %" PRIu64 " is not the snapshot's %" PRIu64
				      ": already in the snapshot, skipped", st.jpath, epoch,
				      st.epoch);
		free(buf);
		return journal_restart();
	}
	/* Without an epoch line (written by hand?) the records still count, but
	 * the caller must fold them into a snapshot before the journal restarts. */
	*headless = epoch_parse(buf, &epoch) < 0;
	good = records_apply(buf, len, st.jpath, &st.epoch);
	free(buf);
	/* Cut a torn last line, or the next record would be glued to it. */
	if (good < len && ftruncate(st.jfd, (off_t)good) < 0)
		return -errno;
	st.jsize = (off_t)good;
	return 0;
}

static int snapshot_write_svc(FILE *f, struct nlvs_svc *svc)
{
	char rec[NLVS_REC_MAX];
	uint32_t i;

	nlvs_ctl_rec_svc(rec, sizeof(rec), "service-add", &svc->conf);
	fputs(rec, f);
	/* Oldest first: replaying re-adds them at the head in the same order. */
	for (i = 0; i < svc->num_dests; i++) {
		nlvs_ctl_rec_dest(rec, sizeof(rec), "dest-add", &svc->conf.key,
				  &svc->dests[i]->conf, 1);
		fputs(rec, f);
	}
	return ferror(f) ? -1 : 0;
}

static int snapshot_write(uint64_t epoch)
{
	struct nlvs_daemon_conf dc;
	struct nlvs_timeouts t;
	char rec[NLVS_REC_MAX];
	struct nlvs_svc *svc;
	size_t cursor = 0;
	unsigned int i;
	char *dir;
	FILE *f;
	int fd, ret = -EIO;

	fd = open(st.tpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	fprintf(f, "# nlvsd IPVS state, written by nlvsd; see also %s\n", st.jpath);
	fprintf(f, "epoch %" PRIu64 "\n", epoch);
	nlvs_ctl_timeout_get(&t);
	nlvs_ctl_rec_timeouts(rec, sizeof(rec), &t);
	fputs(rec, f);
	for (i = 0; i < 2; i++) {
		if (nlvs_ctl_daemon_asked(i, &dc) == 0) {
			nlvs_ctl_rec_daemon(rec, sizeof(rec), &dc);
			fputs(rec, f);
		}
	}
	while ((svc = nlvs_ctl_svc_next(&cursor)))
		if (snapshot_write_svc(f, svc) < 0)
			break;
	if (fflush(f) || ferror(f) || fsync(fd) < 0) {
		ret = -errno;
		fclose(f);
		goto out_unlink;
	}
	st.snap_size = ftello(f);
	if (fclose(f)) {
		ret = -errno;
		goto out_unlink;
	}
	if (rename(st.tpath, st.path) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	/* make the rename itself durable */
	dir = strdup(st.path);
	if (dir) {
		fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		free(dir);
	}
	return 0;

out_unlink:
	unlink(st.tpath);
	return ret ? ret : -EIO;
}

static void state_compact(void)
{
	int ret;

	ret = snapshot_write(st.epoch + 1);
	if (ret < 0) {
		errno = -ret;
		nlvs_log_warn("%s: cannot write the snapshot, journal kept", st.path);
		return;
	}
	st.epoch++;
	ret = journal_restart();
	if (ret < 0) {
		errno = -ret;
		nlvs_log_warn("%s: cannot restart the journal", st.jpath);
	}
}

static void state_free(void)
{
	if (st.jfd >= 0)
		close(st.jfd);
	st.jfd = -1;
	free(st.path);
	free(st.jpath);
	free(st.tpath);
	st.path = st.jpath = st.tpath = NULL;
	st.loading = 0;
}

int nlvs_ctl_state_open(const char *path)
{
	size_t len = strlen(path);
	int ret = -ENOMEM, headless = 0;

	if (st.path)
		return -EBUSY;
	st.path = strdup(path);
	st.jpath = malloc(len + sizeof(".journal"));
	st.tpath = malloc(len + sizeof(".tmp"));
	if (!st.path || !st.jpath || !st.tpath)
		goto err;
	memcpy(st.jpath, path, len);
	memcpy(st.jpath + len, ".journal", sizeof(".journal"));
	memcpy(st.tpath, path, len);
	memcpy(st.tpath + len, ".tmp", sizeof(".tmp"));

	st.loading = 1;
	ret = snapshot_load();
	if (ret < 0)
		goto err;
	ret = journal_load(&headless);
	if (ret < 0)
		goto err;
	st.loading = 0;
	nlvs_log_info("%s: %zu services loaded", path, nlvs_ctl_svc_count());
	if (headless || (st.jsize > JOURNAL_MIN_COMPACT && st.jsize > 2 * st.snap_size))
		state_compact();
	return 0;

err:
	errno = -ret;
	nlvs_log_warn("%s: cannot load the IPVS state", path);
	state_free();
	return ret;
}

void nlvs_ctl_state_close(void)
{
	if (!st.path)
		return;
	if (st.jfd >= 0)
		state_compact();
	state_free();
}
