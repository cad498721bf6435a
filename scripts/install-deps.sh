#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian 12 packages nlvs needs to build and to run its tests.
# Idempotent; run as root (or through sudo).
set -euo pipefail

build_deps=(
	build-essential autoconf automake libtool pkg-config
	libdpdk-dev libmnl-dev libnl-3-dev libnl-genl-3-dev linux-libc-dev
	libcmocka-dev mandoc libmicrohttpd-dev libjansson-dev libsystemd-dev
)
# The real tools nlvs must stay compatible with, a real kernel IPVS to
# record the goldens from (user-mode-linux; qemu with Debian's kernel package
# where UML does not boot: tests/integration/oracle/), and the peers of the
# netns tests.
test_deps=(
	ipvsadm keepalived user-mode-linux kmod qemu-system-x86 busybox-static strace
	iproute2 ethtool procps util-linux psmisc
	curl socat iperf3 python3 python3-scapy tcpdump iputils-ping
	traceroute dnsmasq-base netcat-openbsd strace python3-pyroute2
	prometheus dpdk
)
# make bench: dpdk-testpmd (the I/O floor baseline) is in dpdk-dev, perf for
# profiling, gnuplot draws doc/performance.svg from the benchmark's output
# (make bench-chart).
bench_deps=(dpdk-dev linux-perf valgrind gnuplot-nox)
# make check-package: the Debian package built and checked from the tree.
test_deps+=(debhelper dpkg-dev lintian fakeroot systemd)

if [ "$(id -u)" != 0 ]; then
	exec sudo "$0" "$@"
fi

# The kernel the qemu oracle boots where user-mode-linux cannot (Debian's
# linux-image package of the UML kernel's version, extracted into
# /var/cache/nlvs-oracle, never installed): fetched now so that no test
# downloads anything.
oracle_kernel()
{
	sh "$(dirname "$0")/../tests/integration/oracle/oracle-kernel.sh" > /dev/null ||
		echo "install-deps: warning: no kernel for the qemu oracle (see above)" >&2
}

missing=()
for p in "${build_deps[@]}" "${test_deps[@]}" "${bench_deps[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all packages present"
	oracle_kernel
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# Installing keepalived or prometheus must not start a system service (a
# keepalived could touch the host's IPVS or addresses, a prometheus would
# take a port): forbid service starts during the install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f "$policy"' EXIT
apt-get install -y -q --no-install-recommends "${missing[@]}"
oracle_kernel
