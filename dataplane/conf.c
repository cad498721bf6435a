// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlvs_conf.h"

int nlvs_conf_split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -1;
		if (*p == '"') {
			words[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
			*p++ = '\0';
			continue;
		}
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

static int set_string(char **dst, int argc, char **argv, const char **why)
{
	if (argc != 2) {
		*why = "expects exactly one argument";
		return -1;
	}
	free(*dst);
	*dst = strdup(argv[1]);
	return *dst ? 0 : -1;
}

static int kw_eal(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	int i;

	if (c->eal_argc) {
		*why = "given twice";
		return -1;
	}
	if (argc + 1 > NLVS_CONF_MAX_ARGS) {
		*why = "too many arguments";
		return -1;
	}
	c->eal_argv[c->eal_argc++] = strdup("nlvsd");
	for (i = 1; i < argc; i++)
		c->eal_argv[c->eal_argc++] = strdup(argv[i]);
	return 0;
}

static int kw_socket(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	return set_string(&c->control_socket, argc, argv, why);
}

static int kw_state(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	return set_string(&c->state_file, argc, argv, why);
}

static int kw_log(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc == 2 && !strcmp(argv[1], "info"))
		c->verbosity = 0;
	else if (argc == 2 && !strcmp(argv[1], "debug"))
		c->verbosity = 1;
	else {
		*why = "expects info or debug";
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*parse)(struct nlvs_conf *c, int argc, char **argv, const char **why);
} keywords[] = {
	{ "eal", kw_eal },
	{ "control-socket", kw_socket },
	{ "state-file", kw_state },
	{ "log-level", kw_log },
};

int nlvs_conf_load(struct nlvs_conf *conf, const char *path, int must_exist,
		   char *err, size_t errlen)
{
	char line[4096], *words[NLVS_CONF_MAX_ARGS];
	unsigned int lineno = 0, i;
	int argc, rc = -1;
	FILE *f;

	memset(conf, 0, sizeof(*conf));
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	conf->path = strdup(path);
	while (fgets(line, sizeof(line), f)) {
		const char *why = NULL;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			goto out;
		}
		argc = nlvs_conf_split(line, words, NLVS_CONF_MAX_ARGS);
		if (argc < 0) {
			snprintf(err, errlen, "%s:%u: unterminated quote or too many words",
				 path, lineno);
			goto out;
		}
		if (argc == 0)
			continue;
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (!strcmp(words[0], keywords[i].name))
				break;
		if (i == sizeof(keywords) / sizeof(keywords[0])) {
			snprintf(err, errlen, "%s:%u: unknown directive '%s'", path, lineno,
				 words[0]);
			goto out;
		}
		if (keywords[i].parse(conf, argc, words, &why) < 0) {
			snprintf(err, errlen, "%s:%u: %s: %s", path, lineno, words[0],
				 why ? why : strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	fclose(f);
	if (rc < 0)
		nlvs_conf_free(conf);
	return rc;
}

void nlvs_conf_free(struct nlvs_conf *conf)
{
	int i;

	for (i = 0; i < conf->eal_argc; i++)
		free(conf->eal_argv[i]);
	free(conf->path);
	free(conf->control_socket);
	free(conf->state_file);
	memset(conf, 0, sizeof(*conf));
}
