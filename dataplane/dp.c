// SPDX-License-Identifier: GPL-2.0-or-later
/* Placeholder until the packet path lands: EAL start-up only. */
#include <errno.h>

#include <rte_eal.h>

#include "nlvs_dp.h"
#include "nlvs_log.h"

static int eal_up;

int nlvs_dp_start(const struct nlvs_conf *conf)
{
	char *argv[NLVS_CONF_MAX_ARGS + 1];
	int i, rc;

	for (i = 0; i < conf->eal_argc; i++)
		argv[i] = conf->eal_argv[i];
	argv[i] = NULL;
	rc = rte_eal_init(conf->eal_argc, argv);
	if (rc < 0) {
		nlvs_log_warnx("EAL initialisation failed: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	eal_up = 1;
	return 0;
}

int nlvs_dp_reload(const struct nlvs_conf *conf)
{
	return 0;
}

void nlvs_dp_tick(void)
{
}

void nlvs_dp_stop(void)
{
	if (eal_up)
		rte_eal_cleanup();
	eal_up = 0;
}
