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
