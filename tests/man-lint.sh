#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every man page is clean under mandoc -Tlint at warning level (style notes
# about manuals not installed on the build host are not warnings).
pages=(man/nlvsd.8 man/nlvsd.conf.5 man/nlvs-exec.1 man/nlvsctl.8)
echo "1..${#pages[@]}"
i=0
for p in "${pages[@]}"; do
	i=$((i + 1))
	if ! command -v mandoc >/dev/null; then
		echo "ok $i - $p # SKIP mandoc not installed"
		continue
	fi
	if out=$(mandoc -Tlint -W warning "$top_srcdir/$p" 2>&1) && [ -s "$top_srcdir/$p" ]; then
		echo "ok $i - $p"
	else
		echo "not ok $i - $p"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
