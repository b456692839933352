# Small programs the shell suites drive: tests/tools/NAME.c -> $(B)/tests/tools/NAME,
# built in both trees by make check-prepare (suites prefer the sanitizer build).

TEST_TOOLS := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(wildcard tests/tools/*.c))
CHECK_PREPARE += test-tools test-tools-san

.PHONY: test-tools test-tools-san
test-tools: $(TEST_TOOLS)

test-tools-san:
	$(MAKE) SANITIZE=1 test-tools

$(B)/tests/tools/%: $(B)/obj/tests/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)
