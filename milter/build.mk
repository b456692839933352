# mxguard-milter: the libmilter filter (milter/*.c) linked with libmxguard.

MILTER := $(B)/mxguard-milter
MILTER_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard milter/*.c))
ALL_TARGETS += $(MILTER)
INSTALL_TARGETS += install-milter

$(MILTER): $(MILTER_OBJ) $(LIB)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $(MILTER_OBJ) $(LIB) $(LIBS) -lmilter

.PHONY: install-milter
install-milter: $(MILTER)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(MILTER) $(DESTDIR)$(SBINDIR)/mxguard-milter
	$(MXG_SED_PATHS) docs/mxguard-milter.8 >$(DESTDIR)$(MANDIR)/man8/mxguard-milter.8
	$(MXG_SED_PATHS) docs/mxguard-milter.conf.5 >$(DESTDIR)$(MANDIR)/man5/mxguard-milter.conf.5

# Unit tests of the milter's pure parts link the objects they test (the configuration holds
# the signing settings, whose start-up check builds a resolver as the runtime does).
MILTER_SIGN_OBJ := $(B)/obj/milter/milter_sign_config.o $(B)/obj/milter/milter_sign.o \
	$(B)/obj/milter/milter_runtime.o \
	$(B)/obj/milter/milter_metrics.o
$(B)/tests/unit/test_milter_config: $(B)/obj/milter/milter_config.o $(B)/obj/milter/milter_sign_config.o
$(B)/tests/unit/test_milter_authres: $(B)/obj/milter/milter_authres.o
$(B)/tests/unit/test_milter_seal: $(B)/obj/milter/milter_seal.o $(B)/obj/milter/milter_config.o \
	$(MILTER_SIGN_OBJ)
$(B)/tests/unit/test_milter_sign: $(B)/obj/milter/milter_config.o $(MILTER_SIGN_OBJ)
$(B)/tests/unit/test_milter_settings: $(B)/obj/milter/milter_settings.o \
	$(B)/obj/milter/milter_reload.o $(B)/obj/milter/milter_config.o $(B)/obj/milter/milter_seal.o \
	$(MILTER_SIGN_OBJ)

$(B)/tests/unit/test_milter_%: $(B)/obj/tests/unit/test_milter_%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LIBS) -lcmocka -lmilter

# The Postfix benchmarks (not part of make check; docs/performance.md): against the no-op
# milters and OpenDKIM+OpenDMARC, alternated over BENCH_ROUNDS rounds; one against two Postfix
# instances, with few sessions (latency-bound) and with many (CPU-bound); and the filters'
# instructions per message under callgrind, which the load leaves alone.
BENCH_ROUNDS ?= 2
BENCH_MILTER_MULTI := -c "none none-x2 noop-nd noop-nd-x2 mxguard mxguard-x2" -t inet -n 600
.PHONY: bench-milter bench-milter-multi bench-milter-profile
bench-milter: $(MILTER)
	bench/milter/run -r $(BENCH_ROUNDS)
bench-milter-multi: $(MILTER)
	bench/milter/run -r $(BENCH_ROUNDS) $(BENCH_MILTER_MULTI) -s 2
	bench/milter/run -r $(BENCH_ROUNDS) $(BENCH_MILTER_MULTI) -s 10
bench-milter-profile: $(MILTER)
	bench/milter/run -p -c "noop-nd mxguard" -t inet -n 200 -s 4

# Debian's Sendmail unpacked into build/sendmail-root for the milter-sendmail suite (its package
# conflicts with postfix, so it is not installed); fetched before the suites enter their namespace.
.PHONY: sendmail-root
sendmail-root:
	scripts/fetch-sendmail
CHECK_PREPARE += sendmail-root
