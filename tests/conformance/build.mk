# Drivers for the conformance runners in tests/conformance/ (built by make check-prepare):
# tests/conformance/NAME.c -> $(B)/tests/conformance/NAME, linked with libmxguard.

CONF_DRIVERS += $(B)/tests/conformance/dkim-vectors
CONF_DRIVERS += $(B)/tests/conformance/psl_suite
CHECK_PREPARE += $(CONF_DRIVERS)

$(B)/tests/conformance/%: $(B)/obj/tests/conformance/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(B)/obj/tests/conformance/dkim-vectors.o: tests/conformance/dkim_vectors.c
	@mkdir -p $(@D)
	$(CC) $(MXG_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The SPF suite runner needs libyaml; it is also built with the sanitizers, and
# tests/conformance/spf-suite runs that build.

SPF_SUITE := $(B)/tests/conformance/spf_suite
ALL_TARGETS += $(SPF_SUITE)
CHECK_PREPARE += spf-suite-san

$(SPF_SUITE): $(B)/obj/tests/conformance/spf_suite.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS) -lyaml

.PHONY: spf-suite-san
spf-suite-san:
	$(MAKE) SANITIZE=1 build/san/tests/conformance/spf_suite
