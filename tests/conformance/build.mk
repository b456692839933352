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

# The SPF and ARC suite runners read YAML with libyaml (the pieces they share are in
# suite_yaml.c); they are also built with the sanitizers, and tests/conformance/spf-suite
# and arc-suite run that build.

SPF_SUITE := $(B)/tests/conformance/spf_suite
ARC_SUITE := $(B)/tests/conformance/arc_suite
SUITE_YAML_OBJ := $(B)/obj/tests/conformance/suite_yaml.o
ALL_TARGETS += $(SPF_SUITE) $(ARC_SUITE)
CHECK_PREPARE += yaml-suites-san

# The ARC runner's signing half is its own file.
$(ARC_SUITE): $(B)/obj/tests/conformance/arc_sign_suite.o

$(SPF_SUITE) $(ARC_SUITE): $(B)/tests/conformance/%: $(B)/obj/tests/conformance/%.o $(SUITE_YAML_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $< $(filter %arc_sign_suite.o,$^) $(SUITE_YAML_OBJ) $(LIB) $(LIBS) -lyaml

.PHONY: yaml-suites-san
yaml-suites-san:
	$(MAKE) SANITIZE=1 build/san/tests/conformance/spf_suite build/san/tests/conformance/arc_suite
