#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden hostile packets on a net_pcap port: truncated and lying headers,
# IP options, lone IPv4 and IPv6 fragments (which net_af_packet would have
# reassembled), TTL 1, odd TCP flags, packets without a connection or a
# service.  Each is counted under its drop reason and nothing comes out for
# it but the ICMP time exceeded a TTL of 1 earns; valid SYNs afterwards are
# still forwarded (golden/hostile.py).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/golden-lib.sh"

golden_setup
golden_pass hostile.py run
tap_done
