# The Unbound dynlib module (mxguard.so), built against the Unbound source tree that
# scripts/build-unbound prepares, plus the unit tests that need that tree's headers.
# Not in `make all`: the tree is built by check-prepare (or `make unbound-module`).

UNBOUND_TOP := build/unbound-src
UNBOUND_SRC := $(UNBOUND_TOP)/tree
UNBOUND_STAMP := $(UNBOUND_TOP)/stamp
MOD_B := build/out/unbound-module
MODULE_SO := $(MOD_B)/mxguard.so
MODULE_SRC := $(wildcard unbound-module/*.c)
MODULE_OBJ := $(patsubst unbound-module/%.c,$(MOD_B)/%.o,$(MODULE_SRC))
MODULE_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -fPIC $(WARN) -Icommon/include -Iunbound-module \
	-I$(MOD_B) -isystem $(UNBOUND_SRC)
MODULE_LIB := build/out/libmxguard.a
# Unit tests of the module's pure parts: compiled against Unbound's headers, linked without it.
MODULE_TEST_SRC := $(wildcard tests/unit-unbound/test_*.c)
MODULE_TESTS := $(foreach t,build/out build/san,\
	$(patsubst tests/unit-unbound/%.c,$(t)/tests/unit/%,$(MODULE_TEST_SRC)))
MODULE_TEST_DEPS := unbound-module/module_convert.c unbound-module/module_config.c \
	unbound-module/module_verdict_cache.c unbound-module/module_stats.c \
	unbound-module/module_watch.c

# The offline check of the module's file: the module's own parser, without Unbound, so it is
# part of `make all`; installed with the module.
CHECKCONF := $(B)/mxguard-unbound-checkconf
ALL_TARGETS += $(CHECKCONF)

$(CHECKCONF): unbound-module/checkconf/main.c unbound-module/module_config.c \
		unbound-module/module_config.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_CFLAGS) $(CFLAGS) -Iunbound-module $(MXG_LDFLAGS) $(LDFLAGS) -o $@ \
		unbound-module/checkconf/main.c unbound-module/module_config.c $(LIB) $(LIBS)

CHECK_PREPARE += unbound-module
# Not in INSTALL_TARGETS: `make install` never builds Unbound; `make install-unbound-module` does.

.PHONY: unbound-build unbound-module install-unbound-module
unbound-build: $(UNBOUND_STAMP)
unbound-module: $(MODULE_SO) $(MODULE_TESTS)

# The script reconfigures a tree built with other flags, and touches the stamp when it has
# nothing to do, so a changed script reaches trees built before it.
$(UNBOUND_STAMP): scripts/build-unbound
	scripts/build-unbound

# The Unbound version the module is built for, compiled in and installed next to it, and
# whether that tree's config has discard-timeout (Unbound 1.19.2, and Debian's backports).
$(MOD_B)/unbound_build.h: $(UNBOUND_STAMP) unbound-module/build.mk
	@mkdir -p $(@D)
	{ printf '#define MODULE_UNBOUND_BUILD "%s"\n' "$$(cat $<)"; \
	  if grep -q 'int discard_timeout;' $(UNBOUND_SRC)/util/config_file.h; then \
		echo '#define MODULE_UNBOUND_HAS_DISCARD_TIMEOUT 1'; fi; } >$@

$(MOD_B)/%.o: unbound-module/%.c $(MOD_B)/unbound_build.h | $(UNBOUND_STAMP)
	@mkdir -p $(@D)
	$(CC) $(MODULE_CFLAGS) $(CFLAGS) -include $(MOD_B)/unbound_build.h -MMD -MP -c -o $@ $<

ifneq ($(B),build/out)
$(MODULE_LIB):
	$(MAKE) SANITIZE=0 build/out/libmxguard.a
endif

# -z nodelete: Unbound closes and reopens the library on reload; the module keeps its last
# valid configuration across that (module.c).
$(MODULE_SO): $(MODULE_OBJ) $(MODULE_LIB) unbound-module/exports.map
	$(CC) -shared $(LDFLAGS) -o $@ $(MODULE_OBJ) $(MODULE_LIB) \
		-Wl,--version-script=unbound-module/exports.map -Wl,-z,nodelete -lpthread
	@if nm -u $@ | grep -q ' ub_ctx'; then echo "mxguard.so must not need libunbound" >&2; rm -f $@; exit 1; fi
	@if nm -u $@ | grep ' mxg_'; then echo "mxguard.so: core symbols missing from libmxguard" >&2; rm -f $@; exit 1; fi

build/out/tests/unit/test_%: tests/unit-unbound/test_%.c $(MODULE_TEST_DEPS) $(MODULE_LIB) | $(UNBOUND_STAMP)
	@mkdir -p $(@D)
	$(CC) $(MODULE_CFLAGS) $(CFLAGS) -o $@ $< $(MODULE_TEST_DEPS) $(MODULE_LIB) -lcmocka -lpthread

build/san/tests/unit/test_%: tests/unit-unbound/test_%.c $(MODULE_TEST_DEPS) | $(UNBOUND_STAMP)
	@mkdir -p $(@D)
	$(MAKE) SANITIZE=1 build/san/libmxguard.a
	$(CC) $(MODULE_CFLAGS) $(CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all -o $@ $< $(MODULE_TEST_DEPS) build/san/libmxguard.a -lcmocka -lpthread

install-unbound-module: $(MODULE_SO) $(CHECKCONF)
	install -d $(DESTDIR)$(LIBDIR)/mxguard $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(CHECKCONF) $(DESTDIR)$(SBINDIR)/mxguard-unbound-checkconf
	$(MXG_SED_PATHS) docs/mxguard-unbound-checkconf.8 >$(DESTDIR)$(MANDIR)/man8/mxguard-unbound-checkconf.8
	install -m 0644 $(MODULE_SO) $(DESTDIR)$(LIBDIR)/mxguard/mxguard.so
	{ echo "mxguard.so was built against $$(cat $(UNBOUND_STAMP))."; \
	  echo "Load it only into an unbound built from that same source tree (see mxguard-unbound.conf(5))."; } \
		>$(DESTDIR)$(LIBDIR)/mxguard/mxguard.so.unbound-version
	$(MXG_SED_PATHS) docs/mxguard-unbound.conf.5 >$(DESTDIR)$(MANDIR)/man5/mxguard-unbound.conf.5

-include $(wildcard $(MOD_B)/*.d)
