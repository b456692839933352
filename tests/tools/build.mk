# Small programs the shell suites drive: tests/tools/NAME.c -> $(B)/tests/tools/NAME,
# built by make check-prepare.

TEST_TOOLS := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(wildcard tests/tools/*.c))
CHECK_PREPARE += test-tools

.PHONY: test-tools
test-tools: $(TEST_TOOLS)

$(B)/tests/tools/%: $(B)/obj/tests/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)
