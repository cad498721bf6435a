#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tunnelling (ipvsadm -i, --tun-type ipip) through nlvsd: IPv4 in IPv4,
# IPv6 in IPv6 and across families (IPv6 in IPv4, IPv4 in IPv6) to real
# servers that answer the client themselves (scripts/netns-dr-lab.sh,
# user-space decapsulation).
LAB_FWD=ipip
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

direct_setup
direct_scenario 4 -i
direct_scenario 6 -i --tun-type ipip
direct_cross 6 -i
direct_cross 4 -i --tun-type ipip
direct_done
