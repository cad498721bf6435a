#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Direct routing (ipvsadm -g) through nlvsd, IPv4 and IPv6: the real servers
# hold the VIP on lo (arp_ignore/arp_announce) and answer the client through
# a router nlvsd is not on (scripts/netns-dr-lab.sh).
LAB_FWD=dr
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

direct_setup
direct_scenario 4 -g
direct_scenario 6 -g
direct_done
