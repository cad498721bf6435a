// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPVS configuration survives a restart of nlvsd: keepalived never
 * re-reads the table, so whatever was ACKed must come back, and a damaged
 * file must never make records vanish silently.
 *
 * Rewriting the whole state on each change would make "ipvsadm -R" of 10,000
 * services with 10 dests each (110,000 changes) quadratic.  Instead:
 *  - <path> is a snapshot, replaced atomically (write <path>.tmp, fsync,
 *    rename, fsync the directory);
 *  - <path>.journal gets one record per change, appended with a single
 *    write() (O_APPEND) *before* the change is made: if the write fails (a
 *    full file system) the change is refused with its errno and the journal
 *    cut back.  With "state-sync on" each record is also fdatasync'ed;
 *    without, a killed daemon still loses nothing (page cache) and only a
 *    power cut can lose the last records;
 *  - compaction (journal past max(1 MiB, 2 x snapshot)) renames the journal
 *    to <path>.journal.<epoch>, starts a new one at epoch + 1 and forks a
 *    child that writes the snapshot of the table as it was at the fork, with
 *    epoch + 1; requests go on meanwhile.  When the child succeeds the
 *    renamed journals are removed; when it fails they stay and still count.
 *    At start-up (if needed) and at close the compaction runs in place.
 *
 * Every line is sealed with a CRC-32 of its number and text (ctl_record.c).
 * A snapshot starts with "nlvs-state 2 snapshot epoch=E" and ends with
 * "end records=N"; a journal starts with "nlvs-state 2 journal epoch=E".
 * Loading applies the snapshot (epoch E, 0 without one), then the journals
 * in epoch order: those below E are already in the snapshot, then epochs E,
 * E+1, ... must follow without a gap.  Anything else -- a bad seal, a
 * snapshot without its end, a gap -- stops the start with a message naming
 * the file and line, and neither file is touched.  The only damage taken in
 * stride is a torn last journal line (no newline): its write never finished,
 * so it was never acknowledged.  Files written before the seals (first line
 * not "nlvs-state") are still read, if they are plain text.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl_priv.h"
#include "base/nlvs_log.h"

#define JOURNAL_MIN_COMPACT	(1 << 20)
/* After a failed compaction, wait this long before the next try. */
#define COMPACT_RETRY_S		10

static struct {
	char *path, *jpath, *tpath, *dir, *jname;
	int jfd;		/* -1: not journaling */
	int loading;
	int sync;		/* fdatasync each record */
	uint64_t epoch;		/* the journal's */
	uint64_t jseq;		/* line number of the next record */
	off_t jsize, snap_size;
	int jdirty;		/* a failed write may have left bytes past jsize */
	int jlegacy;		/* the journal has no seals (written before them) */
	pid_t child;		/* compaction in progress */
	uint64_t child_epoch;
	struct timespec child_start;
	time_t compact_after;	/* no new compaction before */
	int compact_due;
	size_t dropped;		/* lines a recovery could not prove intact */
	int recover;
} st = { .jfd = -1 };

static int state_compact_sync(void);
static void state_compact_start(void);

int nlvs_ctl_journal_on(void)
{
	return st.jfd >= 0 && !st.loading;
}

void nlvs_ctl_state_sync_set(int on)
{
	st.sync = !!on;
}

void nlvs_ctl_state_recover_set(int on)
{
	st.recover = !!on;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int compact_wanted(void)
{
	return st.jsize > JOURNAL_MIN_COMPACT && st.jsize > 2 * st.snap_size;
}

int nlvs_ctl_journal_append(const char *rec, int len)
{
	char line[LINE_MAX_SEALED];
	int n, ret;

	if (!nlvs_ctl_journal_on())
		return 0;
	if (len <= 0 || len >= NLVS_REC_MAX - 1)
		return -EINVAL;
	nlvs_ctl_state_poll(0);
	/* Everything journaled so far is in the table now: a snapshot taken
	 * here is complete. */
	if (st.compact_due && !st.child)
		state_compact_start();
	n = nlvs_ctl_rec_seal(line, sizeof(line), rec, (size_t)len, st.jseq);
	if (n < 0)
		return n;
	if (st.jdirty) {
		if (ftruncate(st.jfd, st.jsize) < 0)
			return -errno;
		st.jdirty = 0;
	}
	ret = write_all(st.jfd, line, (size_t)n);
	if (!ret && st.sync && fdatasync(st.jfd) < 0)
		ret = -errno;
	if (ret) {
		/* Not acknowledged: cut the record back so that no partial or
		 * unacknowledged line stays in the journal. */
		if (ftruncate(st.jfd, st.jsize) < 0)
			st.jdirty = 1;
		errno = -ret;
		nlvs_log_warn("%s: journal write failed, change refused", st.jpath);
		return ret;
	}
	st.jsize += n;
	st.jseq++;
	if (compact_wanted())
		st.compact_due = 1;
	return 0;
}

/* Seals and writes the header of a new file. */
static int header_write(int fd, const char *kind, uint64_t epoch, off_t *size)
{
	char line[LINE_MAX_SEALED];
	int n;

	n = snprintf(line, sizeof(line), STATE_MAGIC "%s epoch=%" PRIu64 "\n", kind, epoch);
	n = nlvs_ctl_rec_seal(line, sizeof(line), line, (size_t)n, 0);
	if (n < 0)
		return n;
	if (size)
		*size = n;
	return write_all(fd, line, (size_t)n);
}

/* Empties the journal and starts it at st.epoch. */
static int journal_restart(void)
{
	if (ftruncate(st.jfd, 0) < 0)
		return -errno;
	st.jsize = 0;
	st.jseq = 1;
	st.jdirty = 0;
	return header_write(st.jfd, "journal", st.epoch, &st.jsize);
}

/* The epochs of the journals renamed aside by compactions, ascending. */
static int old_journals(uint64_t **out, size_t *n)
{
	size_t len = strlen(st.jname), cap = 0;
	struct dirent *de;
	uint64_t *v = NULL, e, *nv;
	DIR *d;
	size_t i, j;

	*out = NULL;
	*n = 0;
	d = opendir(st.dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, st.jname, len) || de->d_name[len] != '.' ||
		    nlvs_state_epoch_parse(de->d_name + len + 1, &e) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[(*n)++] = e;
	}
	closedir(d);
	for (i = 1; i < *n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			e = v[j];
			v[j] = v[j - 1];
			v[j - 1] = e;
		}
	*out = v;
	return 0;
}

static char *old_journal_path(uint64_t epoch)
{
	char *p;

	if (asprintf(&p, "%s.%" PRIu64, st.jpath, epoch) < 0)
		return NULL;
	return p;
}

static void old_journals_remove(uint64_t below)
{
	uint64_t *v;
	size_t n, i;
	char *p;

	if (old_journals(&v, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (v[i] >= below)
			continue;
		p = old_journal_path(v[i]);
		if (p && unlink(p) < 0 && errno != ENOENT)
			nlvs_log_warn("%s: cannot remove", p);
		free(p);
	}
	free(v);
}

static void dir_sync(void)
{
	int fd = open(st.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int snapshot_write_svc(FILE *f, struct nlvs_svc *svc, uint64_t *seq)
{
	char rec[LINE_MAX_SEALED];
	uint32_t i;
	int n;

	n = nlvs_ctl_rec_svc(rec, NLVS_REC_MAX, "service-add", &svc->conf);
	n = nlvs_ctl_rec_seal(rec, sizeof(rec), rec, (size_t)n, (*seq)++);
	if (n > 0)
		fwrite(rec, 1, (size_t)n, f);
	/* Oldest first: replaying re-adds them at the head in the same order. */
	for (i = 0; i < svc->num_dests; i++) {
		n = nlvs_ctl_rec_dest(rec, NLVS_REC_MAX, "dest-add", &svc->conf.key,
				      &svc->dests[i]->conf, 1);
		n = nlvs_ctl_rec_seal(rec, sizeof(rec), rec, (size_t)n, (*seq)++);
		if (n > 0)
			fwrite(rec, 1, (size_t)n, f);
	}
	return ferror(f) ? -1 : 0;
}

/* Writes the table as snapshot @epoch: <path>.tmp, fsync, rename, fsync dir. */
static int snapshot_write(uint64_t epoch, off_t *size)
{
	struct nlvs_daemon_conf dc;
	struct nlvs_timeouts t;
	char rec[LINE_MAX_SEALED];
	struct nlvs_svc *svc;
	size_t cursor = 0;
	uint64_t seq = 1;
	unsigned int i;
	FILE *f;
	int fd, n, ret;

	/* a new inode: a dying writer of an older .tmp cannot touch it */
	unlink(st.tpath);
	fd = open(st.tpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ret = header_write(fd, "snapshot", epoch, NULL);
	if (ret < 0) {
		close(fd);
		goto out_unlink;
	}
	f = fdopen(fd, "a");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	nlvs_ctl_timeout_get(&t);
	n = nlvs_ctl_rec_timeouts(rec, NLVS_REC_MAX, &t);
	n = nlvs_ctl_rec_seal(rec, sizeof(rec), rec, (size_t)n, seq++);
	fwrite(rec, 1, (size_t)n, f);
	for (i = 0; i < 2; i++) {
		if (nlvs_ctl_daemon_asked(i, &dc) == 0) {
			n = nlvs_ctl_rec_daemon(rec, NLVS_REC_MAX, &dc);
			n = nlvs_ctl_rec_seal(rec, sizeof(rec), rec, (size_t)n, seq++);
			fwrite(rec, 1, (size_t)n, f);
		}
	}
	while ((svc = nlvs_ctl_svc_next(&cursor)))
		if (snapshot_write_svc(f, svc, &seq) < 0)
			break;
	n = snprintf(rec, NLVS_REC_MAX, "end records=%" PRIu64 "\n", seq - 1);
	n = nlvs_ctl_rec_seal(rec, sizeof(rec), rec, (size_t)n, seq);
	fwrite(rec, 1, (size_t)n, f);
	if (fflush(f) || ferror(f) || fsync(fd) < 0) {
		ret = errno ? -errno : -EIO;
		fclose(f);
		goto out_unlink;
	}
	if (size)
		*size = ftello(f);
	if (fclose(f)) {
		ret = -errno;
		goto out_unlink;
	}
	if (rename(st.tpath, st.path) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	/* make the rename itself durable */
	dir_sync();
	return 0;

out_unlink:
	unlink(st.tpath);
	return ret ? ret : -EIO;
}

/* In place: snapshot at epoch + 1, then the journal restarts there. */
static int state_compact_sync(void)
{
	uint64_t epoch = st.epoch + 1;
	int ret;

	nlvs_ctl_state_poll(1);
	ret = snapshot_write(epoch, &st.snap_size);
	if (ret < 0) {
		errno = -ret;
		nlvs_log_warn("%s: cannot write the snapshot, journal kept", st.path);
		return ret;
	}
	/* A crash from here on leaves a journal older than the snapshot: it is
	 * then known to be in it and skipped. */
	st.epoch = epoch;
	ret = journal_restart();
	if (ret < 0) {
		errno = -ret;
		nlvs_log_warn("%s: cannot restart the journal", st.jpath);
		return ret;
	}
	old_journals_remove(epoch);
	return 0;
}

/*
 * Aside: the journal is renamed <jpath>.<epoch> and a new one started at
 * epoch + 1, then a child writes the snapshot of the table as it is now with
 * epoch + 1.  The control thread only pays for a rename and a fork.
 */
static void state_compact_start(void)
{
	uint64_t epoch = st.epoch + 1;
	struct timespec now, done;
	int fd, ret;
	off_t size;
	char *old;
	pid_t pid, parent = getpid();

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < st.compact_after)
		return;
	st.compact_after = now.tv_sec + COMPACT_RETRY_S;
	old = old_journal_path(st.epoch);
	if (!old)
		return;
	if (rename(st.jpath, old) < 0) {
		nlvs_log_warn("%s: cannot rename the journal for compaction", st.jpath);
		goto out;
	}
	fd = open(st.jpath, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	ret = fd < 0 ? -errno : header_write(fd, "journal", epoch, &size);
	if (ret < 0) {
		/* back as it was: the old journal stays the journal */
		if (fd >= 0)
			close(fd);
		unlink(st.jpath);
		if (rename(old, st.jpath) < 0)
			nlvs_log_warn("%s: cannot rename back to %s", old, st.jpath);
		errno = -ret;
		nlvs_log_warn("%s: cannot start a new journal, compaction postponed", st.jpath);
		goto out;
	}
	/* Records synced into the new journal must not lose its name; without
	 * state-sync nothing is synced and the child syncs the directory. */
	if (st.sync)
		dir_sync();
	close(st.jfd);
	st.jfd = fd;
	st.epoch = epoch;
	st.jseq = 1;
	st.jsize = size;
	st.jdirty = 0;
	st.compact_due = 0;

	pid = fork();
	if (pid == 0) {
		/* The child dies with nlvsd: a restarted one must never meet it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(2);
		dir_sync();	/* the rotation above */
		_exit(snapshot_write(epoch, NULL) < 0 ? 1 : 0);
	}
	if (pid < 0) {
		/* the renamed journal still counts; the next compaction folds it */
		nlvs_log_warn("%s: cannot fork the compaction", st.path);
		goto out;
	}
	st.child = pid;
	st.child_epoch = epoch;
	st.child_start = now;
	clock_gettime(CLOCK_MONOTONIC, &done);
	nlvs_log_info("%s: compaction to epoch %" PRIu64 " started aside (pid %d); requests "
		      "waited %.2f ms for it", st.path, epoch, (int)pid,
		      (double)(done.tv_sec - now.tv_sec) * 1e3 +
		      (double)(done.tv_nsec - now.tv_nsec) / 1e6);
out:
	free(old);
}

int nlvs_ctl_state_poll(int wait)
{
	struct timespec now;
	struct stat sb;
	int status;
	pid_t pid;

	if (!st.child)
		return 0;
	do {
		pid = waitpid(st.child, &status, wait ? 0 : WNOHANG);
	} while (pid < 0 && errno == EINTR);
	if (pid == 0)
		return 1;
	st.child = 0;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		nlvs_log_warnx("%s: compaction failed (status 0x%x); the journals stay and "
			       "still count", st.path, pid < 0 ? -1 : status);
		return 0;
	}
	old_journals_remove(st.child_epoch);
	if (stat(st.path, &sb) == 0)
		st.snap_size = sb.st_size;
	clock_gettime(CLOCK_MONOTONIC, &now);
	st.compact_after = 0;
	nlvs_log_info("%s: compacted to epoch %" PRIu64 " in %ld ms, aside", st.path,
		      st.child_epoch, (long)((now.tv_sec - st.child_start.tv_sec) * 1000 +
					     (now.tv_nsec - st.child_start.tv_nsec) / 1000000));
	return 0;
}

static void state_free(void)
{
	if (st.child) {
		kill(st.child, SIGKILL);
		nlvs_ctl_state_poll(1);
	}
	if (st.jfd >= 0)
		close(st.jfd);
	st.jfd = -1;
	free(st.path);
	free(st.jpath);
	free(st.tpath);
	free(st.dir);
	st.path = st.jpath = st.tpath = st.dir = st.jname = NULL;
	st.loading = 0;
	st.jlegacy = 0;
	st.compact_due = 0;
	st.compact_after = 0;
	st.dropped = 0;
}

/* A recovery keeps the damaged files for the operator as <file>.damaged. */
static int damaged_keep(void)
{
	char *s = NULL, *j = NULL;
	int ret = -ENOMEM;

	if (asprintf(&s, "%s.damaged", st.path) < 0 || asprintf(&j, "%s.damaged", st.jpath) < 0)
		goto out;
	if ((rename(st.path, s) < 0 && errno != ENOENT) || rename(st.jpath, j) < 0) {
		ret = -errno;
		goto out;
	}
	close(st.jfd);
	st.jfd = open(st.jpath, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	ret = st.jfd < 0 ? -errno : journal_restart();
	if (!ret)
		nlvs_log_warnx("%s: damaged files kept as %s and %s", st.path, s, j);
out:
	free(s);
	free(j);
	return ret;
}

/* Loads and applies the snapshot; sets *epoch (0 without one). */
static int snapshot_load(uint64_t *epoch, int *legacy)
{
	struct nlvs_state_file f;
	int fd, ret;

	*epoch = 0;
	st.snap_size = 0;
	fd = open(st.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = nlvs_state_file_load(&f, fd, st.path, 1);
	f.recover = st.recover;
	close(fd);
	if (!ret && !f.len)
		ret = nlvs_state_file_damaged(&f, 1, "empty snapshot");
	/* every line checked before anything is applied */
	if (!ret)
		ret = nlvs_state_file_run(&f, 0);
	if (!ret && f.legacy && !f.has_epoch)
		ret = nlvs_state_file_damaged(&f, 1, "no epoch line");
	if (!ret) {
		nlvs_state_file_run(&f, 1);
		st.dropped += f.dropped;
		st.snap_size = (off_t)f.len;
		*epoch = f.epoch;
		*legacy = f.legacy;
	}
	free(f.buf);
	return ret;
}

/*
 * Applies journal @name (@fd) if it follows: *next is the epoch it must
 * have.  *fold is set when the state must be compacted after loading.
 */
static int journal_load(int fd, const char *name, uint64_t snap_epoch, int snap_legacy,
			uint64_t *next, int *fold, size_t *good)
{
	struct nlvs_state_file f;
	int ret;

	ret = nlvs_state_file_load(&f, fd, name, 0);
	f.recover = st.recover;
	*good = 0;
	if (ret || !f.len)
		goto out;
	ret = nlvs_state_file_run(&f, 0);
	if (ret)
		goto out;
	if (f.legacy && !f.has_epoch) {
		/* written by hand?  The records count; fold them into a snapshot. */
		*fold = 1;
	} else if (f.legacy || snap_legacy) {
		/* the rule before the seals: another epoch is already folded */
		if (f.epoch != snap_epoch) {
			nlvs_log_info("%s: epoch %" PRIu64 " is not the snapshot's %" PRIu64
				      ": already in the snapshot, skipped", name, f.epoch,
				      snap_epoch);
			*fold = 1;
			goto out;
		}
		*next = f.epoch + 1;
	} else if (!f.has_epoch) {
		goto out;	/* a header whose write was cut: empty */
	} else if (f.epoch < *next) {
		nlvs_log_info("%s: epoch %" PRIu64 " is older than %" PRIu64 ": already in the "
			      "snapshot, skipped", name, f.epoch, *next);
		*fold = 1;
		goto out;
	} else if (f.epoch > *next && st.recover) {
		nlvs_log_warnx("%s: journal of epoch %" PRIu64 " where %" PRIu64 " was expected: "
			       "what came between is lost; recovering what this one holds", name,
			       f.epoch, *next);
		st.dropped++;
		*next = f.epoch + 1;
	} else if (f.epoch > *next) {
		nlvs_log_warnx("%s: journal of epoch %" PRIu64 " where %" PRIu64 " was expected: "
			       "a journal or the snapshot %s is missing or old; nlvsd does not "
			       "start so that no acknowledged change is lost (see RECOVERY in "
			       "nlvsd(8))", name, f.epoch, *next, st.path);
		ret = -EBADMSG;
		goto out;
	} else {
		*next = f.epoch + 1;
	}
	if (f.legacy)
		*fold = 1;
	nlvs_state_file_run(&f, 1);
	st.dropped += f.dropped;
	*good = f.good;
	st.jseq = f.records + 1;
	st.jlegacy = f.legacy;
out:
	free(f.buf);
	return ret;
}

static int state_paths(const char *path)
{
	size_t len = strlen(path);
	char *d;

	st.path = strdup(path);
	d = strdup(path);
	if (!st.path || !d || asprintf(&st.jpath, "%s.journal", path) < 0 ||
	    asprintf(&st.tpath, "%s.tmp", path) < 0) {
		free(d);
		return -ENOMEM;
	}
	st.dir = strdup(dirname(d));
	free(d);
	if (!st.dir)
		return -ENOMEM;
	st.jname = strrchr(st.jpath, '/') ? strrchr(st.jpath, '/') + 1 : st.jpath;
	(void)len;
	return 0;
}

int nlvs_ctl_state_open(const char *path)
{
	uint64_t snap_epoch, next, *olds = NULL;
	int ret, fold = 0, legacy = 0, fd;
	size_t nolds = 0, i, good = 0;
	struct stat sb;
	char *p;

	if (st.path)
		return -EBUSY;
	st.jpath = st.tpath = st.dir = NULL;
	ret = state_paths(path);
	if (ret < 0)
		goto err;
	if (stat(st.dir, &sb) < 0) {
		ret = -errno;
		goto err;
	}
	st.loading = 1;
	st.dropped = 0;
	ret = snapshot_load(&snap_epoch, &legacy);
	if (ret < 0)
		goto err;
	next = snap_epoch;
	ret = old_journals(&olds, &nolds);
	if (ret < 0)
		goto err;
	for (i = 0; i < nolds; i++) {
		p = old_journal_path(olds[i]);
		fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
		if (fd < 0) {
			ret = p ? -errno : -ENOMEM;
			free(p);
			goto err;
		}
		ret = journal_load(fd, p, snap_epoch, legacy, &next, &fold, &good);
		close(fd);
		free(p);
		if (ret < 0)
			goto err;
		fold = 1;
	}
	/* Not created until everything before it proved sound. */
	st.jfd = open(st.jpath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (st.jfd < 0) {
		ret = -errno;
		goto err;
	}
	st.jseq = 1;
	ret = journal_load(st.jfd, st.jpath, snap_epoch, legacy, &next, &fold, &good);
	if (ret < 0)
		goto err;
	st.loading = 0;
	st.epoch = next ? next - 1 : 0;
	if (good == 0) {
		/* empty, already folded, or a cut header: start it afresh */
		st.epoch = next;
		ret = journal_restart();
	} else {
		/* Cut a torn last line, or the next record would be glued to it. */
		if (fstat(st.jfd, &sb) == 0 && (off_t)good < sb.st_size &&
		    ftruncate(st.jfd, (off_t)good) < 0)
			ret = -errno;
		st.jsize = (off_t)good;
	}
	if (ret < 0)
		goto err;
	if (st.dropped) {
		nlvs_log_warnx("%s: recovery dropped %zu damaged lines; the table holds every "
			       "record whose checksum held", path, st.dropped);
		ret = damaged_keep();
		if (ret < 0)
			goto err;
	}
	nlvs_log_info("%s: %zu services loaded", path, nlvs_ctl_svc_count());
	free(olds);
	if (fold || legacy || st.dropped || compact_wanted()) {
		/* Sealed lines must never be appended to a file without seals. */
		ret = state_compact_sync();
		if (ret < 0 && (legacy || st.jlegacy))
			goto err;
	}
	return 0;

err:
	free(olds);
	errno = -ret;
	nlvs_log_warn("%s: cannot load the IPVS state", path);
	state_free();
	return ret;
}

void nlvs_ctl_state_close(void)
{
	if (!st.path)
		return;
	nlvs_ctl_state_poll(1);
	if (st.jfd >= 0)
		state_compact_sync();
	state_free();
}
