#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden fuzz on a net_pcap port: 2,400 mutants (flipped bytes, cut short,
# grown) of every class of packet the packet path parses, from a fixed seed
# (golden/fuzz.py).  nlvsd receives them all, stops cleanly and still
# forwards a valid SYN afterwards; under `make check-sanitize` it is the
# replay of the fuzz classes against ASan + UBSan.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/golden-lib.sh"

golden_setup
golden_pass fuzz.py run
tap_done
