# mxguard-policyd: the Postfix policy daemon. Everything but main goes into a small
# archive that the policyd unit tests (tests/unit/test_policyd_*.c) link as well.

POLICYD := $(B)/mxguard-policyd
POLICYD_LIB := $(B)/libpolicyd.a
POLICYD_SRC := $(filter-out postfix-policy/policyd_main.c,$(wildcard postfix-policy/*.c))
POLICYD_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(POLICYD_SRC))

ALL_TARGETS += $(POLICYD)
INSTALL_TARGETS += install-policyd

$(POLICYD_LIB): $(POLICYD_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^


$(POLICYD): $(B)/obj/postfix-policy/policyd_main.o $(POLICYD_LIB) $(LIB)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $< $(POLICYD_LIB) $(LIB) $(LIBS)

$(B)/tests/unit/test_policyd_%: $(B)/obj/tests/unit/test_policyd_%.o $(POLICYD_LIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $< $(POLICYD_LIB) $(LIB) $(LIBS) -lcmocka

$(B)/obj/tests/unit/test_policyd_%.o: CFLAGS += -Ipostfix-policy

.PHONY: install-policyd
install-policyd: $(POLICYD)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(POLICYD) $(DESTDIR)$(SBINDIR)/mxguard-policyd
	$(MXG_SED_PATHS) docs/mxguard-policyd.8 >$(DESTDIR)$(MANDIR)/man8/mxguard-policyd.8
	$(MXG_SED_PATHS) docs/mxguard-policyd.conf.5 >$(DESTDIR)$(MANDIR)/man5/mxguard-policyd.conf.5

# The parsers' fuzz harness (tests/fuzz/fuzz_policyd.c) links the archive too.
build/fuzz/fuzz_policyd: build/fuzz/obj/tests/fuzz/fuzz_policyd.o $(POLICYD_LIB) $(LIB)
	$(CC) $(SANFLAGS) -fsanitize=fuzzer -o $@ $< $(POLICYD_LIB) $(LIB) $(LIBS)

build/fuzz/obj/tests/fuzz/fuzz_policyd.o: CFLAGS += -Ipostfix-policy
