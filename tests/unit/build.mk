# cmocka unit tests of the core: tests/unit/test_NAME.c -> $(B)/tests/unit/test_NAME.
# Built in both trees; make check runs each build's binaries.

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_TESTS += $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(MXG_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS) -lcmocka
