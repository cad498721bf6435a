#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tunnelling with GUE (ipvsadm -i --tun-type gue --tun-port 6080) through
# nlvsd, without and with UDP checksums, IPv4 and IPv6
# (scripts/netns-dr-lab.sh, user-space decapsulation).
LAB_FWD=gue
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

direct_setup
direct_scenario 4 -i --tun-type gue --tun-port 6080
direct_scenario 6 -i --tun-type gue --tun-port 6080 --tun-csum
direct_done
