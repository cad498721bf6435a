#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden direct routing and tunnelling packets through the real forwarding
# code on a net_pcap port (no NIC, no namespaces): a client's SYN to -g and
# -i (ipip, gue, gre, with and without checksums) real servers, IPv4 and
# IPv6 and IPv6 in IPv4, must come out exactly as the kernel builds them
# (golden/direct.py).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/golden-lib.sh"

golden_setup
golden_pass direct.py pass1
tap_done
