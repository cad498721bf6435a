/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nlvsd.conf: one directive per line, words separated by blanks, '#' starts a
 * comment, double quotes group words.  See nlvsd.conf(5).
 */
#ifndef NLVS_CONF_H
#define NLVS_CONF_H

#include <stddef.h>

#define NLVS_CONF_DEFAULT	NLVS_SYSCONFDIR "/nlvs/nlvsd.conf"
#define NLVS_SOCKET_DEFAULT	NLVS_RUNDIR "/ipvs.sock"
#define NLVS_STATE_DEFAULT	NLVS_STATEDIR "/ipvs.state"
#define NLVS_CONF_MAX_ARGS	64

struct nlvs_conf {
	char *path;			/* file it came from, NULL = none */
	int eal_argc;			/* 0 = no "eal" line: control plane only */
	char *eal_argv[NLVS_CONF_MAX_ARGS];
	char *control_socket;		/* NULL = default or -s */
	char *state_file;		/* NULL = derived from the socket path */
	int verbosity;			/* log-level: 0 info, 1 debug */
};

/** Parse @path into @conf.  A missing file is an error only if @must_exist.
 *  On error returns -1 and writes "file:line: message" into @err. */
int nlvs_conf_load(struct nlvs_conf *conf, const char *path, int must_exist,
		   char *err, size_t errlen);
void nlvs_conf_free(struct nlvs_conf *conf);

/** Split a line into words (blanks separate, "..." groups, # comments).
 *  Returns the word count, or -1 on an unterminated quote.  Words point
 *  into @line, which is modified. */
int nlvs_conf_split(char *line, char **words, int max);

#endif /* NLVS_CONF_H */
