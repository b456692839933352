# Deployment files: example configurations, hardened systemd units and the system user.
# The units are written with this build's SBINDIR and SYSCONFDIR, the examples with its paths.

UNITDIR ?= $(LIBDIR)/systemd/system
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
EXAMPLEDIR := $(DOCDIR)/examples
DEPLOY_EXAMPLES := $(wildcard deploy/examples/*)
DEPLOY_UNITS := mxguard-milter.service mxguard-policyd.service mxguard-report.service \
	mxguard-report.timer

INSTALL_TARGETS += install-deploy

.PHONY: install-deploy
install-deploy:
	install -d $(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	for f in $(DEPLOY_EXAMPLES); do \
		$(MXG_SED_PATHS) $$f >$(DESTDIR)$(EXAMPLEDIR)/$${f##*/} || exit 1; \
	done
	install -m 0644 docs/guide-resolver.md docs/guide-postfix.md docs/guide-sendmail.md \
		$(DESTDIR)$(DOCDIR)/
	for u in $(DEPLOY_UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
			-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' deploy/systemd/$$u \
			>$(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	chmod 0644 $(DESTDIR)$(EXAMPLEDIR)/* $(DESTDIR)$(UNITDIR)/mxguard-*.service \
		$(DESTDIR)$(UNITDIR)/mxguard-*.timer
	install -m 0644 deploy/systemd/mxguard.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/mxguard.conf

# What scripts/demo runs besides `make all`: the milter, the Unbound build and mxguard.so.
# The demo suite runs it too, so make check prepares the same.
.PHONY: demo-prepare
demo-prepare: $(B)/mxguard-milter unbound-module
CHECK_PREPARE += demo-prepare
