# SPDX-License-Identifier: GPL-2.0-or-later
# systemd/: nlvsd.service, the keepalived drop-in that runs keepalived
# under nlvs-exec (the Debian package nlvs-keepalived ships it), and the
# helper reserving the hugepages nlvsd.conf asks for.
systemdunit_DATA = systemd/nlvsd.service
keepaliveddropindir = $(systemdsystemunitdir)/keepalived.service.d
keepaliveddropin_DATA = systemd/nlvs.conf
pkglibexec_SCRIPTS = systemd/nlvsd-hugepages
systemdunitdir = $(systemdsystemunitdir)
EXTRA_DIST += systemd/nlvsd.service.in systemd/keepalived-nlvs.conf.in systemd/nlvsd-hugepages.sh
CLEANFILES += systemd/nlvsd.service systemd/nlvs.conf systemd/nlvsd-hugepages

systemd_edit = $(SED) -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@pkglibexecdir[@]|$(pkglibexecdir)|g'

systemd/nlvsd.service: $(srcdir)/systemd/nlvsd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(systemd_edit) $(srcdir)/systemd/nlvsd.service.in > $@
systemd/nlvs.conf: $(srcdir)/systemd/keepalived-nlvs.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(systemd_edit) $(srcdir)/systemd/keepalived-nlvs.conf.in > $@
systemd/nlvsd-hugepages: $(srcdir)/systemd/nlvsd-hugepages.sh Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && cp $(srcdir)/systemd/nlvsd-hugepages.sh $@ && chmod +x $@
