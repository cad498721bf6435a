// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlvsd: the nlvs daemon.  The main thread (DPDK's main lcore when the
 * dataplane runs) is the control thread: one epoll loop over the netlink
 * server, signals and the dataplane tick.  Packet workers run on the other
 * lcores and never block on anything here.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "ctl/nlvs_conf.h"
#include "ctl/nlvs_ctl.h"
#include "net/nlvs_kmirror.h"
#include "nlvs_dp.h"
#include "base/nlvs_log.h"
#include "base/nlvs_time.h"
#include "nls_server.h"
#include "ctl_call.h"
#include "metrics.h"
#include "telemetry.h"
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#define TICK_NS	(10 * 1000 * 1000)	/* dataplane housekeeping period */

struct nlvsd {
	struct nlvs_conf conf;
	const char *conf_path;
	int conf_must_exist;
	char *socket_path;
	char *state_path;
	int dp_running;
	int epfd, sigfd, tickfd, callfd;
	int mirrorfd;			/* the kernel mirror's rtnetlink socket, -1 = none */
	struct nls_server *srv;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: nlvsd [-dnrvV] [-f file] [-s socket]\n"
		"  -d         stay in the foreground, log to stderr\n"
		"  -n         check the configuration and exit\n"
		"  -r         recover a damaged state file: keep what its checksums prove\n"
		"  -f file    configuration (default %s)\n"
		"  -s socket  control socket (default %s)\n"
		"  -v         more verbose logging\n"
		"  -V         print the version and exit\n",
		NLVS_CONF_DEFAULT, NLVS_SOCKET_DEFAULT);
}

/* Two daemons with different sockets must not share a state file, so unless
 * the configuration names one, a non-default socket keeps its state beside
 * itself. */
static char *state_path_for(const struct nlvs_conf *conf, const char *sock)
{
	char *p;

	if (conf->state_file)
		return strdup(conf->state_file);
	if (!strcmp(sock, NLVS_SOCKET_DEFAULT))
		return strdup(NLVS_STATE_DEFAULT);
	if (asprintf(&p, "%s.state", sock) < 0)
		return NULL;
	return p;
}

static int mkdir_parent(const char *path)
{
	char *dir = strdup(path), *slash;
	int rc = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_parent(dir) == 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
			rc = -errno;
	}
	free(dir);
	return rc;
}

/* Clients, ports and hugepage files all take descriptors: use what the hard
 * limit allows (systemd's default soft limit is 1024) rather than run out. */
static void nofile_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		nlvs_log_warn("cannot raise the descriptor limit");
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int setup_tick(struct nlvsd *d)
{
	struct itimerspec its = {
		.it_interval = { 0, TICK_NS },
		.it_value = { 0, TICK_NS },
	};

	d->tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->tickfd < 0 || timerfd_settime(d->tickfd, 0, &its, NULL) < 0)
		return -errno;
	return epoll_add(d->epfd, d->tickfd) < 0 ? -errno : 0;
}

static void reload(struct nlvsd *d)
{
	struct nlvs_conf conf;
	char err[512];

	if (nlvs_conf_load(&conf, d->conf_path, d->conf_must_exist, err, sizeof(err)) < 0) {
		nlvs_log_warnx("reload: %s; keeping the running configuration", err);
		return;
	}
	if (conf.eal_argc != d->conf.eal_argc)
		nlvs_log_warnx("reload: eal arguments change only on restart");
	if (memcmp(&conf.metrics, &d->conf.metrics, sizeof(conf.metrics)))
		nlvs_log_warnx("reload: metrics-listen changes only on restart");
	nlvs_log_set_verbosity(conf.verbosity);
	nlvs_ctl_state_sync_set(conf.state_sync);
	if (d->dp_running && nlvs_dp_reload(&conf) < 0) {
		nlvs_log_warnx("reload: dataplane refused the new configuration; keeping the old");
		nlvs_conf_free(&conf);
		return;
	}
	nlvs_conf_free(&d->conf);
	d->conf = conf;
	nlvs_log_info("configuration reloaded from %s", d->conf_path);
}

/* Returns 1 to keep running, 0 to stop. */
static int handle_signal(struct nlvsd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(d);
			break;
		case SIGCHLD:
			nlvs_ctl_state_poll(0);
			break;
		case SIGTERM:
		case SIGINT:
			nlvs_log_info("signal %u, shutting down", si.ssi_signo);
			return 0;
		}
	}
	return 1;
}

/*
 * After serving the control socket, nlvsd looks for the next request for
 * this long before it sleeps.  ipvsadm -R and keepalived's start send
 * their requests back to back, each a few tens of microseconds after the
 * last answer, and waking a sleeping thread costs about as much (far more
 * in a virtual machine): the next request finds nlvsd awake.  150 us
 * measured better than 50 (a shim request's own calls take 40-60 us in a
 * VM) and than 300.  Idle, and after timer ticks, nlvsd sleeps at once
 * (doc/performance.md).
 */
#define NLVSD_CTL_LINGER_NS 150000

static void run(struct nlvsd *d)
{
	struct epoll_event evs[8];
	int srvfd = nls_server_fd(d->srv);
	uint64_t ticks, linger_until = 0;
	int i, n;

	for (;;) {
		n = epoll_wait(d->epfd, evs, 8, linger_until ? 0 : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			nlvs_fatal("epoll_wait");
		}
		if (!n) {
			if (nlvs_mono_ns() >= linger_until)
				linger_until = 0;
			continue;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == d->sigfd) {
				if (!handle_signal(d))
					return;
			} else if (fd == srvfd) {
				nls_server_dispatch(d->srv);
				nlvs_dp_reclaim();
				linger_until = nlvs_mono_ns() + NLVSD_CTL_LINGER_NS;
			} else if (fd == d->callfd) {
				nlvs_ctl_call_run();
			} else if (fd == d->mirrorfd) {
				nlvs_kmirror_read();
			} else if (fd == d->tickfd) {
				if (read(d->tickfd, &ticks, sizeof(ticks)) > 0) {
					nlvs_dp_tick();
					nlvs_kmirror_tick();
				}
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct nlvsd d = { .conf_path = NLVS_CONF_DEFAULT, .epfd = -1, .sigfd = -1, .tickfd = -1,
			  .callfd = -1, .mirrorfd = -1 };
	int foreground = 0, check_only = 0, verbose = 0, ch, rc;
	const char *sock_opt = NULL;
	char err[512];
	sigset_t set;

	while ((ch = getopt(argc, argv, "dnrf:s:vVh")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'r':
			nlvs_ctl_state_recover_set(1);
			break;
		case 'f':
			d.conf_path = optarg;
			d.conf_must_exist = 1;
			break;
		case 's':
			sock_opt = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("nlvsd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	if (nlvs_conf_load(&d.conf, d.conf_path, d.conf_must_exist, err, sizeof(err)) < 0) {
		fprintf(stderr, "nlvsd: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("configuration OK%s\n", d.conf.path ? "" : " (no file: control plane only)");
		nlvs_conf_free(&d.conf);
		return 0;
	}

	nlvs_log_init("nlvsd", foreground, verbose ? verbose : d.conf.verbosity);
	d.socket_path = strdup(sock_opt ? sock_opt :
			       d.conf.control_socket ? d.conf.control_socket : NLVS_SOCKET_DEFAULT);
	d.state_path = state_path_for(&d.conf, d.socket_path);
	if (!d.socket_path || !d.state_path)
		nlvs_fatalx("out of memory");

	if (!foreground && daemon(0, 0) < 0)
		nlvs_fatal("daemon");

	/* Signals are read from a signalfd in the loop; block them first so that
	 * EAL's threads inherit the mask and never take them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	nofile_raise();
	if (nlvs_ctl_init() < 0)
		nlvs_fatalx("cannot initialise the service table");
	if (mkdir_parent(d.state_path) < 0)
		nlvs_log_warn("cannot create the directory of %s", d.state_path);
	nlvs_ctl_state_sync_set(d.conf.state_sync);
	rc = nlvs_ctl_state_open(d.state_path);
	if (rc == -EBADMSG)
		nlvs_fatalx("state file %s or its journal is damaged (see above); not starting. "
			    "Both are left as they are: see RECOVERY in nlvsd(8)", d.state_path);
	if (rc < 0) {
		errno = -rc;
		nlvs_fatal("state file %s", d.state_path);
	}

	if (d.conf.eal_argc) {
		rc = nlvs_dp_start(&d.conf);
		if (rc < 0)
			nlvs_fatalx("dataplane start-up failed");
		d.dp_running = 1;
	} else {
		nlvs_log_info("no eal directive: control plane only, no ports");
	}

	d.srv = nls_server_open(d.socket_path);
	if (!d.srv)
		nlvs_fatal("control socket %s", d.socket_path);

	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	d.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d.epfd < 0 || d.sigfd < 0 || epoll_add(d.epfd, d.sigfd) < 0 ||
	    epoll_add(d.epfd, nls_server_fd(d.srv)) < 0)
		nlvs_fatal("event loop set-up");
	/* Without a dataplane there is nothing periodic to do: stay asleep. */
	if (d.dp_running && setup_tick(&d) < 0)
		nlvs_fatal("timerfd");
	/* Helper threads (metrics, telemetry) read state through this loop. */
	d.callfd = nlvs_ctl_call_open();
	if (d.callfd < 0 || epoll_add(d.epfd, d.callfd) < 0)
		nlvs_fatal("call queue");
	if (d.dp_running)
		nlvs_telemetry_register();
	if (d.conf.metrics.af) {
		rc = nlvs_metrics_start(&d.conf.metrics);
		if (rc < 0) {
			errno = -rc;
			nlvs_fatal("metrics-listen: cannot serve on port %u", d.conf.metrics.port);
		}
	}
	/* the kernel's addresses and routes on the twins: read on this thread,
	 * published to the workers like the configuration's */
	if (d.dp_running && !d.conf.kernel_mirror_off) {
		d.mirrorfd = nlvs_kmirror_start();
		if (d.mirrorfd < 0 || epoll_add(d.epfd, d.mirrorfd) < 0)
			nlvs_fatalx("kernel mirror: cannot listen to rtnetlink");
	}

	nlvs_log_info("nlvsd %s ready on %s (state %s)", PACKAGE_VERSION, d.socket_path,
		      d.state_path);
#ifdef HAVE_SYSTEMD
	/* the control socket accepts and the ports are up (Type=notify) */
	sd_notify(0, "READY=1");
#endif
	run(&d);
#ifdef HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif

	nlvs_ctl_call_close();
	nlvs_metrics_stop();
	nls_server_close(d.srv);
	nlvs_kmirror_stop();
	if (d.dp_running)
		nlvs_dp_stop();
	nlvs_ctl_state_close();
	nlvs_ctl_fini();
	nlvs_conf_free(&d.conf);
	free(d.socket_path);
	free(d.state_path);
	return 0;
}
