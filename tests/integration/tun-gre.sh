#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tunnelling with GRE (ipvsadm -i --tun-type gre) through nlvsd, with the
# GRE checksum (checked by the decapsulator) and without, IPv4 and IPv6
# (scripts/netns-dr-lab.sh, user-space decapsulation).
LAB_FWD=gre
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

direct_setup
direct_scenario 4 -i --tun-type gre --tun-csum
direct_scenario 6 -i --tun-type gre
direct_done
