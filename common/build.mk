# libmxguard (the checks) and the mxguard command. common/util holds the code that knows
# nothing of mail or DNS (strings, hashing and the hash table, clocks, configuration files,
# logging, addresses, daemons); common/src the mail and DNS logic built on it. Both go into
# the one archive.

LIB := $(B)/libmxguard.a
LIB_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard common/util/*.c common/src/*.c))
CLI := $(B)/mxguard
CLI_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard common/cli/*.c))

ALL_TARGETS += $(LIB) $(CLI)
INSTALL_TARGETS += install-common

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(CLI): $(CLI_OBJ) $(LIB)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LIBS)

.PHONY: install-common
install-common: $(CLI)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/mxguard
	$(MXG_SED_PATHS) docs/mxguard.1 >$(DESTDIR)$(MANDIR)/man1/mxguard.1
	install -m 0644 docs/findings.md docs/dmarc.md README.md $(DESTDIR)$(DOCDIR)/

# The SPF provider table: compiled-in path, and installed there by install-spf-data.
# The path is recorded in a stamp rewritten only when it changes, so that
# `make install PREFIX=/usr` after a plain `make` rebuilds what the new path goes into.
PATHS_STAMP := $(B)/paths.stamp
$(B)/obj/common/src/spf_providers.o: MXG_CFLAGS += -DMXG_DATADIR='"$(DATADIR)"'
$(B)/obj/common/src/spf_providers.o: $(PATHS_STAMP)

.PHONY: mxg-paths-force
$(PATHS_STAMP): mxg-paths-force
	@mkdir -p $(@D)
	@echo 'DATADIR=$(DATADIR)' | cmp -s - $@ 2>/dev/null || echo 'DATADIR=$(DATADIR)' >$@
INSTALL_TARGETS += install-spf-data

.PHONY: install-spf-data
install-spf-data:
	install -d $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	install -m 0644 data/spf-providers.tsv $(DESTDIR)$(DATADIR)/
	install -m 0644 docs/spf-providers.md $(DESTDIR)$(DOCDIR)/

# Received DMARC reports (report_read.h): libzip unpacks .zip attachments (libxml2 and zlib
# are in PKGS).
REPORT_PKGS := libzip
MXG_CFLAGS += $(shell pkg-config --cflags $(REPORT_PKGS) 2>/dev/null)
LIBS += $(shell pkg-config --libs $(REPORT_PKGS) 2>/dev/null)
