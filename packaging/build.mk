# Debian packages (packaging/debian): `make deb` copies the sources the build needs into
# build/deb/src, adds packaging/debian as its debian/, and runs dpkg-buildpackage there; the
# .deb files land in build/deb. mxguard.so is compiled against the Unbound tree that
# scripts/build-unbound prepares here (unbound-build), as for install-unbound-module.

DEB_TOP := build/deb
DEB_SRC := $(DEB_TOP)/src
DEB_SOURCES := Makefile README.md common milter postfix-policy unbound-module deploy docs data scripts

.PHONY: deb
deb: unbound-build
	rm -rf $(DEB_TOP)
	mkdir -p $(DEB_SRC)
	tar -cf - $(DEB_SOURCES) | tar -xf - -C $(DEB_SRC)
	cp -R packaging/debian $(DEB_SRC)/debian
	cd $(DEB_SRC) && MXG_UNBOUND_TOP=$(CURDIR)/$(UNBOUND_TOP) \
		dpkg-buildpackage -b -us -uc -j$$(nproc) >../build.log 2>&1 || \
		{ tail -n 40 ../build.log >&2; exit 1; }
	ls $(DEB_TOP)/*.deb
