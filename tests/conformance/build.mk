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
