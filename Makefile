# mxguard: top-level build (GNU make). Each folder adds its part in a build.mk fragment;
# this file holds the shared flags, the pattern rules and the top-level targets.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/mxguard
DATADIR ?= $(PREFIX)/share/mxguard
SYSCONFDIR ?= /etc

# Installed files name the paths they were installed with: this rewrites the defaults
# written in the man pages, examples and units (longest paths first).
MXG_SED_PATHS = sed -e 's|/usr/local/share/doc/mxguard|$(DOCDIR)|g' \
	-e 's|/usr/local/share/mxguard|$(DATADIR)|g' -e 's|/usr/local/lib/mxguard|$(LIBDIR)/mxguard|g' \
	-e 's|/usr/local/sbin|$(SBINDIR)|g' -e 's|/usr/local/bin|$(BINDIR)|g' \
	-e 's|/etc/mxguard|$(SYSCONFDIR)/mxguard|g'

CC ?= cc
SANITIZE ?= 0

# Two build trees: the normal one, and one built with ASan+UBSan for the tests.
ifeq ($(SANITIZE),1)
B := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B := build/out
SANFLAGS :=
endif

PKGS := libunbound libssl libcrypto libpsl ldns sqlite3 libpq libxml-2.0 zlib libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror
MXG_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -fPIC $(WARN) -Icommon/include $(PKG_CFLAGS) $(SANFLAGS)
MXG_LDFLAGS := $(SANFLAGS) -Wl,--as-needed
LIBS := $(PKG_LIBS) -lpthread

# Filled in by the fragments.
ALL_TARGETS :=
UNIT_TESTS :=
CHECK_PREPARE :=
INSTALL_TARGETS :=

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(MXG_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

include $(sort $(wildcard */build.mk */*/build.mk))

.PHONY: all deps check unit sanitize install demo clean distclean fuzz bench soak
all: $(ALL_TARGETS)

deps:
	scripts/install-deps

# The README's test command: dependencies, both builds, then every suite,
# run inside a network namespace that has only loopback.
check: deps
	$(MAKE) all unit
	$(MAKE) SANITIZE=1 unit
	$(MAKE) check-prepare
	tests/run-all

check-prepare: $(CHECK_PREPARE)

unit: $(UNIT_TESTS)

sanitize:
	$(MAKE) SANITIZE=1 all unit

demo: deps
	$(MAKE) all demo-prepare
	scripts/demo

# The mail programs, man pages, examples and units. The Unbound module is built against an
# Unbound source tree (scripts/build-unbound), so it has its own target: install-unbound-module.
install: all $(INSTALL_TARGETS)

clean:
	rm -rf build/out build/san

distclean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
