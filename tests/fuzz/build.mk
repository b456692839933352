# libFuzzer harnesses, one per parser: tests/fuzz/fuzz_NAME.c -> build/fuzz/fuzz_NAME,
# built by clang with ASan+UBSan in their own tree (build/fuzz).
#   make fuzz [FUZZ_SECONDS=600]   fuzz every harness for that long each
#   make check                     replays each corpus plus a short bounded run

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 600
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

CHECK_PREPARE += fuzz-build

.PHONY: fuzz-build fuzzers fuzz
fuzz-build:
	$(MAKE) CC=clang B=build/fuzz SANFLAGS='$(FUZZ_FLAGS)' fuzzers

# Only meaningful with B=build/fuzz (see fuzz-build).
fuzzers: $(FUZZERS)

build/fuzz/fuzz_%: build/fuzz/obj/tests/fuzz/fuzz_%.o $(LIB)
	$(CC) $(SANFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(LIBS)

fuzz: fuzz-build
	tests/fuzz/run --seconds $(FUZZ_SECONDS)

# Harnesses of the daemons' parsers link the one adapter object they test.
build/fuzz/fuzz_milter_config: build/fuzz/obj/tests/fuzz/fuzz_milter_config.o \
		build/fuzz/obj/milter/milter_config.o build/fuzz/obj/milter/milter_sign_config.o $(LIB)
	$(CC) $(SANFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(LIB) $(LIBS)
build/fuzz/obj/tests/fuzz/fuzz_milter_config.o: CFLAGS += -Imilter

build/fuzz/fuzz_module_config: build/fuzz/obj/tests/fuzz/fuzz_module_config.o \
		build/fuzz/obj/unbound-module/module_config.o $(LIB)
	$(CC) $(SANFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(LIB) $(LIBS)
build/fuzz/obj/tests/fuzz/fuzz_module_config.o: CFLAGS += -Iunbound-module

# The module's answer conversion reads Unbound's structs: it needs the Unbound tree's headers
# (scripts/build-unbound, also a check-prepare step), but links no Unbound code.
build/fuzz/fuzz_module_convert: build/fuzz/obj/tests/fuzz/fuzz_module_convert.o \
		build/fuzz/obj/unbound-module/module_convert.o $(LIB)
	$(CC) $(SANFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(LIB) $(LIBS)
build/fuzz/obj/tests/fuzz/fuzz_module_convert.o build/fuzz/obj/unbound-module/module_convert.o: \
		CFLAGS += -Iunbound-module -isystem $(UNBOUND_SRC)
build/fuzz/obj/tests/fuzz/fuzz_module_convert.o build/fuzz/obj/unbound-module/module_convert.o: \
		| $(UNBOUND_STAMP)
