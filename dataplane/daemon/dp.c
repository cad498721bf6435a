// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dataplane as the daemon sees it: EAL, workers, ports, published
 * tables, the periodic tick and counters.  Runs on the main lcore, which is
 * the control thread; workers run on the other lcores.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "net/nlvs_net.h"
#include "ctl/nlvs_ctl.h"
#include "lb/nlvs_laddr.h"
#include "lb/nlvs_lb.h"
#include "daemon_priv.h"
#include "nlvs_dp.h"
#include "base/nlvs_log.h"

static int eal_up, launched;
static uint64_t last_link_poll;
static volatile sig_atomic_t stats_wanted;

NLVS_CTL_TEXT_SNAP(stats_text, nlvs_dp_stats_write)	/* "nlvs_stats": nlvsctl stats */
NLVS_CTL_TEXT_SNAP(ports_text, nlvs_host_ports_write)	/* "nlvs_ports": ports, links, twins */
NLVS_CTL_TEXT_SNAP(addrs_text, nlvs_addrs_write)
NLVS_CTL_TEXT_SNAP(routes_text, nlvs_routes_write)
NLVS_CTL_TEXT_SNAP(neigh_text, nlvs_neigh_write)

static void on_sigusr1(int sig)
{
	stats_wanted = 1;
}

static void apply_settings(const struct nlvs_conf *conf)
{
	nlvs_dp.idle_adaptive = conf->idle_backoff == NLVS_IDLE_ADAPTIVE;
	nlvs_dp.idle_max_us = conf->idle_sleep_us;
	nlvs_dp.ip_forward = conf->ip_forward;
	nlvs_dp.host_rate = conf->host_rate;
	nlvs_dp.vip_neigh_kernel = conf->vip_neigh_kernel;
	nlvs_dp.snat_rules = conf->nsnat;
}

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
	nlvs_dp.hz = rte_get_tsc_hz();
	nlvs_dp.lb_input = nlvs_lb_input_burst;
	apply_settings(conf);
	rc = nlvs_workers_create(conf);
	if (rc < 0)
		goto fail;
	rc = nlvs_ports_start(conf);
	if (rc < 0)
		goto fail;
	rc = nlvs_host_start(conf);
	if (rc < 0)
		goto fail;
	rc = nlvs_addrs_init(conf);
	if (rc < 0)
		goto fail;
	rc = nlvs_routes_config_publish(conf);
	if (rc < 0)
		goto fail;
	rc = nlvs_lb_init(conf);
	if (rc < 0)
		goto fail;
	nlvs_ports_flow_steer(conf, nlvs_laddr_owner_mask(nlvs_dp.nworkers));
	rc = nlvs_workers_launch();
	launched = 1;
	if (rc < 0)
		goto fail;
	nlvs_addrs_announce();
	signal(SIGUSR1, on_sigusr1);
	nlvs_ctl_text_source_set("nlvs_stats", stats_text);
	nlvs_ctl_text_source_set("nlvs_ports", ports_text);
	nlvs_ctl_text_source_set("nlvs_addrs", addrs_text);
	nlvs_ctl_text_source_set("nlvs_routes", routes_text);
	nlvs_ctl_text_source_set("nlvs_neigh", neigh_text);
	nlvs_log_info("dataplane running: %u worker%s, %u port%s, idle back-off %s (max %u us)",
		      nlvs_dp.nworkers, nlvs_dp.nworkers == 1 ? "" : "s", nlvs_dp.nports,
		      nlvs_dp.nports == 1 ? "" : "s", nlvs_dp.idle_adaptive ? "adaptive" : "off",
		      nlvs_dp.idle_max_us);
	return 0;
fail:
	nlvs_dp_stop();
	return rc;
}

/* Ports, workers and EAL need a restart; addresses, routes and knobs not. */
static int conf_needs_restart(const struct nlvs_conf *conf)
{
	unsigned int i;

	if (conf->workers && conf->workers != nlvs_dp.nworkers)
		return 1;
	if (conf->nports != nlvs_dp.nports)
		return 1;
	for (i = 0; i < conf->nports; i++)
		if (strcmp(conf->ports[i].name, nlvs_dp.ports[i].name) ||
		    strcmp(conf->ports[i].twin, nlvs_dp.ports[i].twin))
			return 1;
	return 0;
}

int nlvs_dp_reload(const struct nlvs_conf *conf)
{
	int rc;

	if (!eal_up)
		return 0;
	if (conf_needs_restart(conf)) {
		nlvs_log_warnx("reload: ports and workers change only with a restart");
		return -EBUSY;
	}
	rc = nlvs_lb_reload(conf);
	if (rc < 0)
		return rc;
	rc = nlvs_routes_config_publish(conf);
	if (rc < 0)
		return rc;
	rc = nlvs_addrs_init(conf);
	if (rc < 0)
		return rc;
	apply_settings(conf);
	nlvs_addrs_announce();
	return 0;
}

static void stats_log(void)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	nlvs_dp_stats_write(f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		nlvs_log_info("stats: %s", line);
	free(buf);
}

void nlvs_dp_tick(void)
{
	uint64_t now;

	if (!eal_up || !launched)
		return;
	now = rte_get_tsc_cycles();
	if (now - last_link_poll > nlvs_dp.hz) {
		last_link_poll = now;
		nlvs_ports_link_poll();
	}
	nlvs_lb_tick();
	if (stats_wanted) {
		stats_wanted = 0;
		stats_log();
	}
}

void nlvs_dp_reclaim(void)
{
	if (eal_up && launched)
		nlvs_lb_reclaim();
}

void nlvs_dp_stats_write(FILE *f)
{
	struct nlvs_worker_stats sum;
	unsigned int i, r, nb_used, nb_size;

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < nlvs_dp.nworkers; i++) {
		const struct nlvs_worker_stats *s = &nlvs_dp.workers[i]->st;

		fprintf(f, "worker.%u.lcore %u\nworker.%u.rx %" PRIu64 "\nworker.%u.tx %" PRIu64
			"\nworker.%u.handoff_in %" PRIu64 "\nworker.%u.handoff_out %" PRIu64
			"\nworker.%u.sleeps %" PRIu64 "\nworker.%u.busy_tsc %" PRIu64 "\n", i,
			nlvs_dp.workers[i]->lcore, i, s->rx, i, s->tx, i, s->handoff_in, i,
			s->handoff_out, i, s->sleeps, i, s->busy_tsc);
		nlvs_neigh_stats(nlvs_dp.workers[i]->neigh, &nb_used, &nb_size);
		fprintf(f, "worker.%u.neigh_entries %u\nworker.%u.neigh_size %u\n", i, nb_used, i,
			nb_size);
		sum.rx += s->rx;
		sum.tx += s->tx;
		sum.ctl_tx += s->ctl_tx;
		sum.arp_replies += s->arp_replies;
		sum.nd_adverts += s->nd_adverts;
		sum.echo_replies += s->echo_replies;
		sum.icmp_errors += s->icmp_errors;
		sum.neigh_requests += s->neigh_requests;
		sum.neigh_msgs_lost += s->neigh_msgs_lost;
		sum.neigh_evicted += s->neigh_evicted;
		sum.neigh_full += s->neigh_full;
		sum.neigh_offlink += s->neigh_offlink;
		sum.neigh_reclaimed += s->neigh_reclaimed;
		for (r = 0; r < NLVS_DROP_MAX; r++)
			sum.drops[r] += s->drops[r];
	}
	fprintf(f, "rx %" PRIu64 "\ntx %" PRIu64 "\nctl_tx %" PRIu64 "\narp_replies %" PRIu64
		"\nnd_adverts %" PRIu64 "\necho_replies %" PRIu64 "\nicmp_errors %" PRIu64
		"\nneigh_requests %" PRIu64 "\nneigh_msgs_lost %" PRIu64 "\n",
		sum.rx, sum.tx, sum.ctl_tx, sum.arp_replies, sum.nd_adverts, sum.echo_replies,
		sum.icmp_errors, sum.neigh_requests, sum.neigh_msgs_lost);
	fprintf(f, "neigh_evicted %" PRIu64 "\nneigh_full %" PRIu64 "\nneigh_offlink %" PRIu64
		"\nneigh_reclaimed %" PRIu64 "\n", sum.neigh_evicted, sum.neigh_full,
		sum.neigh_offlink, sum.neigh_reclaimed);
	nlvs_host_drops_add(sum.drops);
	for (r = 0; r < NLVS_DROP_MAX; r++)
		fprintf(f, "drop.%s %" PRIu64 "\n", nlvs_drop_name(r), sum.drops[r]);
	nlvs_host_stats_write(f);
	nlvs_ports_stats_write(f);
}

void nlvs_dp_stop(void)
{
	if (!eal_up)
		return;
	nlvs_ctl_text_source_set("nlvs_stats", NULL);
	nlvs_ctl_text_source_set("nlvs_ports", NULL);
	nlvs_ctl_text_source_set("nlvs_addrs", NULL);
	nlvs_ctl_text_source_set("nlvs_routes", NULL);
	nlvs_ctl_text_source_set("nlvs_neigh", NULL);
	nlvs_dp.quit = 1;
	if (launched)
		rte_eal_mp_wait_lcore();
	launched = 0;
	nlvs_host_stop();
	nlvs_lb_fini();
	nlvs_ports_flow_flush();
	nlvs_ports_stop();
	nlvs_host_fini();
	nlvs_routes_fini();
	nlvs_addrs_fini();
	nlvs_workers_destroy();
	rte_eal_cleanup();
	eal_up = 0;
}
