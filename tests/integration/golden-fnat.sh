#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden FULLNAT packets through the real forwarding code on a net_pcap port
# (no NIC, no namespaces): a TCP connection (SYN, data, FINs) and a UDP
# exchange through a VIP, IPv4 and IPv6, must come out rewritten packet by
# packet (addresses, ports, TTL - 1, valid checksums, sequence numbers and
# payload untouched), and an ICMP port unreachable from the real server must
# come out translated, outer and quoted headers.  Two passes: the first
# learns the local ports nlvsd hands out, the second replays the same
# opening packets followed by the rest of the flows (golden/fnat.py).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/golden-lib.sh"

golden_setup
golden_pass fnat.py pass1 && golden_pass fnat.py pass2 pass1
tap_done
