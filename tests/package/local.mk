# SPDX-License-Identifier: GPL-2.0-or-later
# `make check-package` (see tests/local.mk): a TAP script run by hand, not
# by `make check`, whose own build takes minutes.
PACKAGE_CHECK = tests/package/check-package.sh
EXTRA_DIST += $(PACKAGE_CHECK) tests/package/lab-stage.sh \
	debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/nlvs.install debian/nlvs-keepalived.install \
	debian/nlvs-keepalived.postinst debian/nlvs-keepalived.postrm

check-package:
	$(MAKE) $(AM_MAKEFLAGS) dist-gzip
	$(AM_V_at)top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(SHELL) $(abs_top_srcdir)/$(PACKAGE_CHECK) '$(abs_top_builddir)/$(distdir).tar.gz'
.PHONY: check-package
