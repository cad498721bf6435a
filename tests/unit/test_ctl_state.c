// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file: snapshot + append-only journal.  A "kill" here is a real
 * SIGKILL of a forked child that changed the table, so nothing after the
 * last ACKed change runs in the process that wrote the files.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctl/ctl_priv.h"
#include "ctl/nlvs_ctl.h"

static char dir[64], path[128], jpath[160];

static struct nlvs_svc_conf svc4(uint32_t addr, uint16_t port, const char *sched)
{
	struct nlvs_svc_conf c;

	memset(&c, 0, sizeof(c));
	c.key.af = AF_INET;
	c.key.protocol = IPPROTO_TCP;
	c.key.addr.ip = htonl(addr);
	c.key.port = htons(port);
	snprintf(c.sched_name, sizeof(c.sched_name), "%s", sched);
	c.flags_mask = 0xffffffff;
	c.netmask = htonl(0xffffff00);
	return c;
}

static struct nlvs_dest_conf dest4(uint32_t addr, uint16_t port, int weight)
{
	struct nlvs_dest_conf d;

	memset(&d, 0, sizeof(d));
	d.addr.ip = htonl(addr);
	d.port = htons(port);
	d.fwd = NLVS_FWD_DROUTE;
	d.weight = weight;
	return d;
}

/* Everything the state file must keep, as text, for comparisons. */
static char *table_dump(void)
{
	struct nlvs_daemon_conf dc;
	struct nlvs_dest_info di;
	struct nlvs_svc_info si;
	struct nlvs_timeouts t;
	char rec[NLVS_REC_MAX];
	size_t c = 0, dcur, len;
	unsigned int i;
	char *s = NULL;
	FILE *f = open_memstream(&s, &len);

	assert_non_null(f);
	nlvs_ctl_timeout_get(&t);
	nlvs_ctl_rec_timeouts(rec, sizeof(rec), &t);
	fputs(rec, f);
	for (i = 0; i < 2; i++) {
		if (nlvs_ctl_daemon_get(i, &dc) == 0) {
			nlvs_ctl_rec_daemon(rec, sizeof(rec), &dc);
			fputs(rec, f);
		}
	}
	while (nlvs_ctl_svc_walk(&c, &si)) {
		nlvs_ctl_rec_svc(rec, sizeof(rec), "service", &si.conf);
		fputs(rec, f);
		fprintf(f, "  dests=%u\n", si.num_dests);
		dcur = 0;
		while (nlvs_ctl_dest_walk(&si.conf.key, &dcur, &di) == 1) {
			nlvs_ctl_rec_dest(rec, sizeof(rec), "  dest", &si.conf.key, &di.conf, 1);
			fputs(rec, f);
		}
	}
	fclose(f);
	return s;
}

static const char *dir_file(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int file_exists(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0;
}

static off_t file_size(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? sb.st_size : -1;
}

static void file_write(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nlvs-ctl-state.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/ipvs.state", dir);
	snprintf(jpath, sizeof(jpath), "%s.journal", path);
	return nlvs_ctl_init();
}

static int teardown(void **state)
{
	struct dirent *de;
	char p[512];
	DIR *d;

	(void)state;
	nlvs_ctl_state_close();
	nlvs_ctl_fini();
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return 0;
}

/* A configuration touching every kind of record. */
static int build_config(void)
{
	struct nlvs_svc_conf a = svc4(0x0a000001, 80, "wlc"), f, v6;
	struct nlvs_daemon_conf dc;
	struct nlvs_timeouts t = { 1000, 0, 77 };
	struct nlvs_dest_conf d;
	int ret = 0, i;

	a.flags = NLVS_SVC_F_PERSISTENT | NLVS_SVC_F_SCHED1;
	a.timeout = 600;
	ret |= nlvs_ctl_svc_add(&a);
	for (i = 1; i <= 5; i++)
		ret |= nlvs_ctl_dest_add(&a.key, &(struct nlvs_dest_conf){
			.addr.ip = htonl(0xc0a80100 + i), .port = htons(80),
			.fwd = NLVS_FWD_MASQ, .weight = i, .u_thresh = 10 * i, .l_thresh = i });
	d = dest4(0xc0a80103, 80, 9);
	ret |= nlvs_ctl_dest_edit(&a.key, &d);
	d = dest4(0xc0a80102, 80, 0);
	ret |= nlvs_ctl_dest_del(&a.key, &d);

	f = svc4(0, 0, "sh");
	f.key.fwmark = 42;
	ret |= nlvs_ctl_svc_add(&f);
	/* (same family: a mixed-family dest would keep the daemon below out) */
	memset(&d, 0, sizeof(d));
	d.af = AF_INET;
	inet_pton(AF_INET, "192.168.2.7", &d.addr);
	d.fwd = NLVS_FWD_TUNNEL;
	d.weight = 2;
	d.tun_type = NLVS_TUN_GUE;
	d.tun_port = htons(6080);
	d.tun_flags = 2;
	ret |= nlvs_ctl_dest_add(&f.key, &d);

	memset(&v6, 0, sizeof(v6));
	v6.key.af = AF_INET6;
	v6.key.protocol = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8::53", &v6.key.addr);
	v6.key.port = htons(53);
	strcpy(v6.sched_name, "rr");
	strcpy(v6.pe_name, "sip");
	v6.netmask = 64;
	v6.flags_mask = 0xffffffff;
	ret |= nlvs_ctl_svc_add(&v6);
	strcpy(v6.sched_name, "none");
	ret |= nlvs_ctl_svc_edit(&v6);

	a = svc4(0x0a000002, 443, "rr");
	ret |= nlvs_ctl_svc_add(&a);
	ret |= nlvs_ctl_svc_del(&a.key);

	memset(&dc, 0, sizeof(dc));
	dc.state = NLVS_DAEMON_BACKUP;
	strcpy(dc.mcast_ifn, "lo");
	dc.syncid = 9;
	dc.mcast_af = AF_INET;
	dc.mcast_group.ip = htonl(0xef010101);
	dc.sync_maxlen = 1400;
	ret |= nlvs_ctl_daemon_add(&dc);
	ret |= nlvs_ctl_timeout_set(&t);
	return ret;
}

/* Runs @fn in a child that opens the state, then dies by SIGKILL. */
static void run_killed(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (nlvs_ctl_init() < 0 || nlvs_ctl_state_open(path) < 0 || fn() != 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void reload(void)
{
	nlvs_ctl_state_close();
	nlvs_ctl_fini();
	assert_int_equal(nlvs_ctl_init(), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 0);
	assert_int_equal(nlvs_ctl_state_open(path), 0);
}

static void test_save_and_load(void **state)
{
	struct nlvs_svc_key k = svc4(0x0a000001, 80, "").key;
	char *before, *after;

	(void)state;
	/* an absent file is an empty table */
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 0);
	assert_int_equal(build_config(), 0);
	before = table_dump();
	/* counters are not persisted */
	nlvs_ctl_svc_find(&k)->stats.conns = 123;
	nlvs_ctl_dest_at(nlvs_ctl_svc_find(&k), 0)->stats.inbytes = 456;

	reload();
	after = table_dump();
	assert_string_equal(before, after);
	/* spot checks on what the dump shows */
	assert_non_null(strstr(after, "pe=sip"));
	assert_non_null(strstr(after, "netmask=255.255.255.0"));
	assert_non_null(strstr(after, "tuntype=1 tunport=6080 tunflags=2"));
	assert_non_null(strstr(after, "timeouts tcp=1000 tcpfin=120 udp=77"));
	assert_int_equal(nlvs_ctl_svc_count(), 3);
	assert_int_equal(nlvs_ctl_svc_find(&k)->stats.conns, 0);
	assert_int_equal(nlvs_ctl_dest_at(nlvs_ctl_svc_find(&k), 0)->stats.inbytes, 0);
	/* dest order survives: newest first, the edit kept in place */
	assert_int_equal(ntohl(nlvs_ctl_dest_at(nlvs_ctl_svc_find(&k), 0)->conf.addr.ip),
			 0xc0a80105);
	assert_int_equal(nlvs_ctl_dest_at(nlvs_ctl_svc_find(&k), 2)->conf.weight, 9);

	/* close compacted: a snapshot and a journal holding only its header */
	nlvs_ctl_state_close();
	assert_true(file_exists(path));
	assert_true(file_size(jpath) < 64);
	free(before);
	free(after);
}

static void test_killed_replays_journal(void **state)
{
	char *expect, *got;

	(void)state;
	/* what the child builds, built here with no state file */
	assert_int_equal(build_config(), 0);
	expect = table_dump();
	nlvs_ctl_fini();
	assert_int_equal(nlvs_ctl_init(), 0);

	run_killed(build_config);
	assert_false(file_exists(path));	/* no snapshot: all in the journal */
	assert_true(file_size(jpath) > 0);
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	got = table_dump();
	assert_string_equal(expect, got);
	free(expect);
	free(got);
}

static int flush_and_one(void)
{
	struct nlvs_svc_conf a = svc4(0x0a0000ff, 8080, "lc");

	if (nlvs_ctl_flush() < 0)
		return -1;
	return nlvs_ctl_svc_add(&a);
}

static void test_journal_after_snapshot(void **state)
{
	struct nlvs_svc_key k = svc4(0x0a0000ff, 8080, "").key;
	struct nlvs_daemon_conf dc;

	(void)state;
	/* snapshot from a clean close, then a killed session on top of it */
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(build_config(), 0);
	nlvs_ctl_state_close();
	nlvs_ctl_fini();
	assert_int_equal(nlvs_ctl_init(), 0);
	run_killed(flush_and_one);

	assert_int_equal(nlvs_ctl_state_open(path), 0);
	/* flush removed the services of the snapshot, not daemons/timeouts */
	assert_int_equal(nlvs_ctl_svc_count(), 1);
	assert_int_equal(nlvs_ctl_svc_get(&k, NULL), 0);
	assert_int_equal(nlvs_ctl_daemon_get(1, &dc), 0);
	assert_int_equal(dc.syncid, 9);
	assert_int_equal(dc.sync_maxlen, 1400);
	assert_int_equal(dc.mcast_group.ip, htonl(0xef010101));
}

static int add_second(void)
{
	struct nlvs_svc_conf b = svc4(0x0a000003, 80, "rr");

	return nlvs_ctl_svc_add(&b);
}

static void test_torn_last_line(void **state)
{
	struct nlvs_svc_key k1 = svc4(0x0a000001, 80, "").key;
	struct nlvs_svc_key k2 = svc4(0x0a000002, 80, "").key;
	struct nlvs_svc_key k3 = svc4(0x0a000003, 80, "").key;

	(void)state;
	file_write(jpath, "epoch 0\n"
		   "service-add af=2 proto=6 addr=10.0.0.1 port=80 sched=rr pe= flags=0x2 "
		   "timeout=0 netmask=255.255.255.255\n"
		   "service-add af=2 proto=6 addr=10.0.0.2 port=80 sched=rr pe= fl");
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 1);
	assert_int_equal(nlvs_ctl_svc_get(&k1, NULL), 0);
	assert_int_equal(nlvs_ctl_svc_get(&k2, NULL), -ESRCH);

	/* the torn piece was cut: a later record is not glued to it */
	nlvs_ctl_state_close();
	nlvs_ctl_fini();
	file_write(jpath, "epoch 1\n"
		   "service-add af=2 proto=6 addr=10.0.0.2 port=80 sched=rr pe= fl");
	assert_int_equal(nlvs_ctl_init(), 0);
	run_killed(add_second);
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 2);
	assert_int_equal(nlvs_ctl_svc_get(&k1, NULL), 0);
	assert_int_equal(nlvs_ctl_svc_get(&k2, NULL), -ESRCH);
	assert_int_equal(nlvs_ctl_svc_get(&k3, NULL), 0);
}

static void test_bad_records_skipped(void **state)
{
	struct nlvs_svc_conf a = svc4(0x0a000001, 80, "");
	struct nlvs_svc_info si;
	struct nlvs_dest_info di;
	size_t c = 0;

	(void)state;
	file_write(path, "# comment\n"
		   "epoch 4\n"
		   "\n"
		   "bogus-verb x=1\n"
		   "service-add af=2 proto=6 addr=10.0.0.1 port=80 sched=wlc pe= flags=0x2 "
		   "timeout=0 netmask=255.255.255.255\n"
		   "service-add af=2 proto=6 addr=10.0.0.999 port=80 sched=rr\n"
		   "service-add af=2 proto=6 addr=10.0.0.5 port=99999 sched=rr pe= flags=0 "
		   "timeout=0 netmask=0\n"
		   "dest-add af=2 proto=6 addr=10.0.0.1 port=80 daf=2 daddr=1.2.3.4 dport=80\n"
		   "dest-add af=2 proto=6 addr=10.0.0.1 port=80 daf=2 daddr=224.0.0.1 dport=80 "
		   "fwd=0 weight=1 uthresh=0 lthresh=0 tuntype=0 tunport=0 tunflags=0\n"
		   "dest-add af=2 proto=6 addr=10.0.0.1 port=80 daf=2 daddr=1.2.3.4 dport=80 "
		   "fwd=3 weight=-1 uthresh=0 lthresh=0 tuntype=0 tunport=0 tunflags=0\n"
		   "dest-add af=2 proto=6 addr=10.0.0.1 port=80 daf=2 daddr=1.2.3.4 dport=80 "
		   "fwd=3 weight=4 uthresh=0 lthresh=0 tuntype=0 tunport=0 tunflags=0\n"
		   "service-add af=2 proto=6 addr=10.0.0.7 port=80 sched=bogus pe= flags=0x2 "
		   "timeout=0 netmask=255.255.255.255\n"
		   "service-add af=2 proto=6 addr=10.0.0.8 port=80 sched=%6ec pe= flags=0x2 "
		   "timeout=0 netmask=255.255.255.255\n");
	file_write(jpath, "epoch 4\n"
		   "timeouts tcp=5 tcpfin=x udp=5\n"
		   "timeouts tcp=9999999999 tcpfin=1 udp=5\n");
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	/* 10.0.0.1 with its one good dest; a scheduler unknown at load keeps
	 * its service (without a scheduler); %-escapes decode */
	assert_int_equal(nlvs_ctl_svc_count(), 3);
	assert_int_equal(nlvs_ctl_svc_get(&a.key, &si), 0);
	assert_int_equal(si.num_dests, 1);
	assert_int_equal(nlvs_ctl_dest_walk(&a.key, &c, &di), 1);
	assert_int_equal(di.conf.weight, 4);
	a.key.addr.ip = htonl(0x0a000007);
	assert_int_equal(nlvs_ctl_svc_get(&a.key, &si), 0);
	assert_string_equal(si.conf.sched_name, "bogus");
	assert_null(nlvs_ctl_svc_find(&a.key)->sched);
	a.key.addr.ip = htonl(0x0a000008);
	assert_int_equal(nlvs_ctl_svc_get(&a.key, &si), 0);
	assert_string_equal(si.conf.sched_name, "nc");
}

static void test_stale_journal_ignored(void **state)
{
	struct nlvs_svc_key k = svc4(0x0a000001, 80, "").key;

	(void)state;
	/* a crash between the snapshot's rename and the journal's truncation */
	file_write(path, "epoch 3\n"
		   "service-add af=2 proto=6 addr=10.0.0.1 port=80 sched=rr pe= flags=0x2 "
		   "timeout=0 netmask=255.255.255.255\n");
	file_write(jpath, "epoch 2\n"
		   "service-del af=2 proto=6 addr=10.0.0.1 port=80\n");
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(nlvs_ctl_svc_get(&k, NULL), 0);
	/* and both rewritten with seals, the journal holding only its header */
	assert_true(file_size(jpath) < 64);
	assert_int_equal(nlvs_ctl_state_open(path), -EBUSY);
}

static int build_big(void)
{
	struct nlvs_svc_conf a = svc4(0, 80, "wlc");
	unsigned int i, j;
	int ret = 0;

	for (i = 0; i < 3000; i++) {
		a.key.addr.ip = htonl(0x0a000000 + i);
		ret |= nlvs_ctl_svc_add(&a);
		for (j = 0; j < 3; j++) {
			struct nlvs_dest_conf d = dest4(0xc0a80000 + j, 80, (int)j);

			ret |= nlvs_ctl_dest_add(&a.key, &d);
		}
		if (i % 10 == 0) {
			struct nlvs_dest_conf d = dest4(0xc0a80001, 80, 0);

			ret |= nlvs_ctl_dest_del(&a.key, &d);
		}
		if (i % 7 == 0 && i) {
			a.key.addr.ip = htonl(0x0a000000 + i - 1);
			ret |= nlvs_ctl_svc_del(&a.key);
		}
	}
	return ret;
}

static int build_big_wait(void)
{
	int ret = build_big();

	/* the compaction runs in a child: let it finish */
	nlvs_ctl_state_poll(1);
	return ret;
}

static void test_compaction(void **state)
{
	char *expect, *got;

	(void)state;
	assert_int_equal(build_big(), 0);
	expect = table_dump();
	nlvs_ctl_fini();
	assert_int_equal(nlvs_ctl_init(), 0);

	/* ~14,000 records: the journal passes 1 MiB and compacts on its own */
	run_killed(build_big_wait);
	assert_true(file_exists(path));
	assert_true(file_size(jpath) < (1 << 20));
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	got = table_dump();
	assert_string_equal(expect, got);
	free(got);

	/* and once more through a clean close */
	reload();
	got = table_dump();
	assert_string_equal(expect, got);
	free(got);
	free(expect);
}

/* Killed whatever the compaction child was doing: nothing is lost. */
static void test_compaction_killed(void **state)
{
	char *expect, *got;

	(void)state;
	assert_int_equal(build_big(), 0);
	expect = table_dump();
	nlvs_ctl_fini();
	assert_int_equal(nlvs_ctl_init(), 0);
	run_killed(build_big);
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	got = table_dump();
	assert_string_equal(expect, got);
	free(got);
	free(expect);
}

/* The pid of this process's (only) child, 0 if none. */
static pid_t child_of_self(void)
{
	char p[64];
	long pid = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

/* Compaction runs aside: with its child stopped, changes go on and are ACKed,
 * and all of them survive. */
static void test_compaction_aside(void **state)
{
	struct nlvs_svc_conf a = svc4(0x0b000000, 80, "rr");
	unsigned int i;
	char *expect, *got;
	pid_t child = 0;

	(void)state;
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	for (i = 0; i < 40000 && !child; i++) {
		a.key.addr.ip = htonl(0x0b000000 + i);
		assert_int_equal(nlvs_ctl_svc_add(&a), 0);
		child = child_of_self();
	}
	assert_true(child > 0);
	kill(child, SIGSTOP);
	assert_int_equal(nlvs_ctl_state_poll(0), 1);
	for (i = 0; i < 100; i++) {
		a.key.addr.ip = htonl(0x0c000000 + i);
		assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	}
	/* still in progress: every change above was made meanwhile */
	assert_int_equal(nlvs_ctl_state_poll(0), 1);
	kill(child, SIGCONT);
	assert_int_equal(nlvs_ctl_state_poll(1), 0);
	expect = table_dump();
	reload();
	got = table_dump();
	assert_string_equal(expect, got);
	free(got);
	free(expect);
}

static void test_seal(void **state)
{
	char line[NLVS_REC_MAX + NLVS_SEAL_LEN + 1], copy[sizeof(line)];
	int n;

	(void)state;
	n = nlvs_ctl_rec_seal(line, sizeof(line), "flush\n", 6, 7);
	assert_int_equal(n, 6 + NLVS_SEAL_LEN);
	assert_memory_equal(line, "flush ~", 7);
	assert_int_equal(line[n - 1], '\n');
	line[n - 1] = '\0';
	strcpy(copy, line);
	assert_int_equal(nlvs_ctl_rec_unseal(copy, 7), 0);
	assert_string_equal(copy, "flush");
	/* another line number, a changed byte, no seal */
	strcpy(copy, line);
	assert_int_equal(nlvs_ctl_rec_unseal(copy, 8), -EBADMSG);
	strcpy(copy, line);
	copy[1] ^= 1;
	assert_int_equal(nlvs_ctl_rec_unseal(copy, 7), -EBADMSG);
	strcpy(copy, line);
	copy[n - 2] = copy[n - 2] == '0' ? '1' : '0';
	assert_int_equal(nlvs_ctl_rec_unseal(copy, 7), -EBADMSG);
	strcpy(copy, "flush");
	assert_int_equal(nlvs_ctl_rec_unseal(copy, 7), -EBADMSG);
	/* the IEEE CRC-32 check value */
	assert_int_equal(nlvs_ctl_crc32(0, "123456789", 9), 0xcbf43926);
	/* one record a line, and it must fit */
	assert_int_equal(nlvs_ctl_rec_seal(line, sizeof(line), "a\nb\n", 4, 1), -EMSGSIZE);
	assert_int_equal(nlvs_ctl_rec_seal(line, 12, "flush\n", 6, 1), -EMSGSIZE);
}

static char *file_slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void file_put(const char *p, const char *buf, size_t len)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int add_range(unsigned int base, unsigned int n)
{
	struct nlvs_svc_conf a = svc4(0, 80, "rr");
	unsigned int i;

	for (i = 0; i < n; i++) {
		a.key.addr.ip = htonl(base + i);
		if (nlvs_ctl_svc_add(&a) < 0)
			return -1;
	}
	return 0;
}

static int add_200(void)
{
	return add_range(0x0d000000, 200);
}

/* 300 services in the snapshot, 200 in the journal (a killed daemon). */
static void build_300_200(void)
{
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(add_range(0x0a000000, 300), 0);
	nlvs_ctl_state_close();
	nlvs_ctl_fini();
	assert_int_equal(nlvs_ctl_init(), 0);
	run_killed(add_200);
}

/* @edit damages the files; the open must fail and leave them as they were. */
static void expect_refused(void (*edit)(void))
{
	char *s0, *j0, *s1, *j1;
	size_t sl0, jl0, sl1, jl1;

	edit();
	s0 = file_slurp(path, &sl0);
	j0 = file_slurp(jpath, &jl0);
	assert_int_equal(nlvs_ctl_state_open(path), -EBADMSG);
	s1 = file_slurp(path, &sl1);
	j1 = file_slurp(jpath, &jl1);
	assert_int_equal(sl0, sl1);
	assert_int_equal(jl0, jl1);
	assert_memory_equal(s0, s1, sl0);
	assert_memory_equal(j0, j1, jl0);
	free(s0);
	free(j0);
	free(s1);
	free(j1);
	nlvs_ctl_fini();
	assert_int_equal(nlvs_ctl_init(), 0);
}

static char *saved_s, *saved_j;
static size_t saved_sl, saved_jl;

static void edit_epoch_byte(void)
{
	char *e = strstr(saved_s, "epoch=");
	char *s = malloc(saved_sl);

	assert_non_null(e);
	memcpy(s, saved_s, saved_sl);
	s[e - saved_s + 6] ^= 0x01;	/* "epoch=1" -> "epoch=0" */
	file_put(path, s, saved_sl);
	free(s);
}

static void edit_random_snapshot(void)
{
	char buf[4096];
	unsigned int i, x = 12345;

	for (i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (char)(x >> 16);
	}
	file_put(path, buf, sizeof(buf));
}

static void edit_journal_middle(void)
{
	char *j = malloc(saved_jl), *p;

	memcpy(j, saved_j, saved_jl);
	p = strstr(j, "addr=13.0.0.100 ");
	assert_non_null(p);
	p[5] = '4';			/* 13.0.0.100 -> 14.0.0.100 */
	file_put(jpath, j, saved_jl);
	free(j);
}

static void edit_snapshot_cut(void)
{
	file_put(path, saved_s, saved_sl / 2);
}

static void edit_snapshot_empty(void)
{
	file_put(path, "", 0);
}

static void test_damage_refused(void **state)
{
	struct nlvs_svc_key k = svc4(0x0d000000 + 199, 80, "").key;

	(void)state;
	build_300_200();
	saved_s = file_slurp(path, &saved_sl);
	saved_j = file_slurp(jpath, &saved_jl);

	expect_refused(edit_epoch_byte);
	expect_refused(edit_random_snapshot);
	expect_refused(edit_snapshot_cut);
	file_put(path, saved_s, saved_sl);
	expect_refused(edit_journal_middle);
	file_put(jpath, saved_j, saved_jl);
	expect_refused(edit_snapshot_empty);
	/* no snapshot at all, and a journal that needs one */
	unlink(path);
	assert_int_equal(nlvs_ctl_state_open(path), -EBADMSG);
	assert_false(file_exists(path));
	assert_int_equal(file_size(jpath), (off_t)saved_jl);
	nlvs_ctl_fini();
	assert_int_equal(nlvs_ctl_init(), 0);

	/* the files put back: all 500 */
	file_put(path, saved_s, saved_sl);
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 500);
	assert_int_equal(nlvs_ctl_svc_get(&k, NULL), 0);
	free(saved_s);
	free(saved_j);
}

static void test_damage_recovered(void **state)
{
	struct nlvs_svc_key k = svc4(0x0d000000 + 100, 80, "").key;
	char p[200];

	(void)state;
	build_300_200();
	saved_s = file_slurp(path, &saved_sl);
	saved_j = file_slurp(jpath, &saved_jl);
	edit_journal_middle();
	nlvs_ctl_state_recover_set(1);
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	nlvs_ctl_state_recover_set(0);
	/* every record but the damaged one */
	assert_int_equal(nlvs_ctl_svc_count(), 499);
	assert_int_equal(nlvs_ctl_svc_get(&k, NULL), -ESRCH);
	snprintf(p, sizeof(p), "%s.damaged", jpath);
	assert_true(file_exists(p));
	snprintf(p, sizeof(p), "%s.damaged", path);
	assert_true(file_exists(p));
	/* and a sound state afterwards */
	reload();
	assert_int_equal(nlvs_ctl_svc_count(), 499);
	free(saved_s);
	free(saved_j);
}

/* A child whose writes to files past @limit bytes fail (EFBIG). */
static int add_until_full(void)
{
	struct nlvs_svc_conf a = svc4(0x0e000000, 80, "rr");
	struct rlimit rl;
	unsigned int i, acked = 0;
	int ret = 0;
	FILE *f;

	signal(SIGXFSZ, SIG_IGN);
	rl.rlim_cur = rl.rlim_max = 4096;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return -1;
	for (i = 0; i < 200; i++) {
		a.key.addr.ip = htonl(0x0e000000 + i);
		ret = nlvs_ctl_svc_add(&a);
		if (ret == 0)
			acked++;
		else if (ret != -EFBIG)
			return -1;
		/* refused means not made */
		else if (nlvs_ctl_svc_get(&a.key, NULL) != -ESRCH)
			return -1;
	}
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	f = fopen(dir_file("acked"), "w");
	if (!f)
		return -1;
	fprintf(f, "%u\n", acked);
	fclose(f);
	return acked > 0 && acked < 200 ? 0 : -1;
}

static void test_full_disk(void **state)
{
	unsigned int acked = 0;
	FILE *f;

	(void)state;
	run_killed(add_until_full);
	f = fopen(dir_file("acked"), "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%u", &acked), 1);
	fclose(f);
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(nlvs_ctl_svc_count(), acked);
}

/* state-sync on: the same records, each flushed before the change. */
static int add_synced(void)
{
	nlvs_ctl_state_sync_set(1);
	return add_range(0x0f000000, 20);
}

static void test_sync(void **state)
{
	(void)state;
	run_killed(add_synced);
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 20);
}

static void test_open_twice(void **state)
{
	(void)state;
	assert_int_equal(nlvs_ctl_state_open(path), 0);
	assert_int_equal(nlvs_ctl_state_open(path), -EBUSY);
	nlvs_ctl_state_close();
	snprintf(jpath, sizeof(jpath), "%s/nodir/x", dir);
	assert_int_equal(nlvs_ctl_state_open(jpath), -ENOENT);
	snprintf(jpath, sizeof(jpath), "%s.journal", path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_save_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_replays_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_after_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_last_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_records_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_journal_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_aside, setup, teardown),
		cmocka_unit_test(test_seal),
		cmocka_unit_test_setup_teardown(test_damage_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_recovered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
