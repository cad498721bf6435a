/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the control API: what the ctl_*.c files share beyond the tables
 * (nlvs_ctl_table.h, which the engines read too).
 */
#ifndef NLVS_CTL_PRIV_H
#define NLVS_CTL_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "nlvs_ctl.h"
#include "nlvs_ctl_table.h"

/* Shared between the ctl_*.c files. */
void nlvs_ctl_changed(void);
/* a change of @svc (and @d), told to the watcher (nlvs_ctl_table.h) */
void nlvs_ctl_note(enum nlvs_ctl_what what, struct nlvs_svc *svc, struct nlvs_dest *d);
void nlvs_ctl_svc_key_norm(struct nlvs_svc_key *out, const struct nlvs_svc_key *in);
int nlvs_ctl_af_valid(unsigned int af);
void nlvs_ctl_addr_norm(uint16_t af, union nlvs_addr *out, const union nlvs_addr *in);
/** 1 if ipv6_addr_type() would call @a multicast. */
int nlvs_ctl_ip6_multicast(const struct in6_addr *a);
/** Any sync daemon running (the kernel's ipvs->sync_state != 0). */
int nlvs_ctl_daemon_any(void);
/** The request a running daemon was started with (before the defaults). */
int nlvs_ctl_daemon_asked(unsigned int idx, struct nlvs_daemon_conf *out);
/** Number of dests whose family differs from their service's. */
unsigned long nlvs_ctl_mixed_dests(void);
void nlvs_ctl_dests_free(struct nlvs_svc *svc);
void nlvs_ctl_config_reset(void);

/* The state file loader applies records with the scheduler check relaxed: a
 * saved service must not vanish because its scheduler cannot be found. */
int nlvs_ctl_svc_add_loaded(const struct nlvs_svc_conf *conf);
int nlvs_ctl_svc_edit_loaded(const struct nlvs_svc_conf *conf);

/* Records (ctl_record.c): one text line each, also the snapshot's format. */
#define NLVS_REC_MAX	640
int nlvs_ctl_rec_svc(char *buf, size_t max, const char *verb,
		     const struct nlvs_svc_conf *conf);
int nlvs_ctl_rec_svc_key(char *buf, size_t max, const char *verb,
			 const struct nlvs_svc_key *key);
int nlvs_ctl_rec_dest(char *buf, size_t max, const char *verb, const struct nlvs_svc_key *key,
		      const struct nlvs_dest_conf *conf, int full);
int nlvs_ctl_rec_daemon(char *buf, size_t max, const struct nlvs_daemon_conf *conf);
int nlvs_ctl_rec_timeouts(char *buf, size_t max, const struct nlvs_timeouts *t);
/* Seals of the state files' lines: " ~" and 8 hex digits of a CRC-32. */
#define NLVS_SEAL_LEN	10
uint32_t nlvs_ctl_crc32(uint32_t crc, const void *buf, size_t len);
/** Seal record @rec (@len bytes, a final '\n' optional) as line @seq of its
 *  file into @out (may be @rec; @max bytes): "<rec> ~<crc>\n".  Returns the
 *  length, or -EMSGSIZE (empty, several lines, too long). */
int nlvs_ctl_rec_seal(char *out, size_t max, const char *rec, size_t len, uint64_t seq);
/** Check the NUL-terminated sealed line @line (no '\n') as line @seq and cut
 *  its seal off: 0, or -EBADMSG if the seal is absent or does not match. */
int nlvs_ctl_rec_unseal(char *line, uint64_t seq);
/* State files (ctl_state_file.c), read whole. */
#define STATE_MAGIC		"nlvs-state 2 "
#define LINE_MAX_SEALED		(NLVS_REC_MAX + NLVS_SEAL_LEN + 1)
struct nlvs_state_file {
	const char *name;
	char *buf;
	size_t len;
	int snapshot;		/* else a journal */
	int legacy;		/* written before the seals */
	int has_epoch;		/* legacy journals may lack it */
	uint64_t epoch;
	size_t good;		/* length of the complete lines */
	size_t records;
	int recover;		/* drop unprovable lines instead of failing */
	size_t dropped;		/* lines dropped by a recovery */
};
/** Read the file open on @fd and parse its header: 0, or -EBADMSG (logged,
 *  naming @name) when it is no state file of the @snapshot kind. */
int nlvs_state_file_load(struct nlvs_state_file *f, int fd, const char *name, int snapshot);
/** Check every line after the header (@apply 0), or apply them (1). */
int nlvs_state_file_run(struct nlvs_state_file *f, int apply);
/** Log that @f is damaged at @lineno for @why; returns -EBADMSG. */
int nlvs_state_file_damaged(const struct nlvs_state_file *f, unsigned int lineno,
			    const char *why);
int nlvs_state_epoch_parse(const char *s, uint64_t *epoch);

/** Parse and apply one record (modified in place); 0 or -errno, with the
 *  reason logged against @file:@line. */
int nlvs_ctl_rec_apply(char *line, const char *file, unsigned int lineno);

/* The journal (ctl_state.c).  nlvs_ctl_journal_on() is cheap: callers test
 * it before formatting a record.  A change is journaled *before* it is made:
 * nlvs_ctl_journal_append() returns 0 once the record is written (and
 * synced if so configured), else -errno and the caller changes nothing. */
int nlvs_ctl_journal_on(void);
int nlvs_ctl_journal_append(const char *rec, int len);

#endif /* NLVS_CTL_PRIV_H */
