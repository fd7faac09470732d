# residency: one Makefile. `make` builds build/residency; `make check` runs every
# test, plain and under AddressSanitizer + UndefinedBehaviorSanitizer.
# Sources are found by wildcard: a new module file needs no edit here.

CC       ?= cc
BUILD    ?= build
PKGS     := libpq libcurl jansson libmaxminddb libcares ldns libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 -Wshadow
OPT      ?= -O2 -g
# Where the bundled data (data/, policies/, deps/geoip/) is found at run time;
# RESIDENCY_DATADIR in the environment overrides it.
DATADIR  ?= $(CURDIR)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iscanner -I$(BUILD)/gen \
	    -DRESIDENCY_DATADIR='"$(DATADIR)"'
CFLAGS   += -std=c11 -pthread $(WARN) $(OPT) $(PKG_CFLAGS) $(SAN)
LDLIBS   := $(PKG_LIBS) -lm -pthread

LIB_SRC  := $(sort $(shell find scanner -name '*.c' ! -name main.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o
SCHEMA   := $(sort $(wildcard schema/[0-9]*.sql))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_LIB := $(sort $(wildcard tests/lib/*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_REG := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-regress/%)

ASAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps check unit-tests check-plain check-asan tests demo screenshot bench fuzz fuzz-campaign format lint clean

all: $(BUILD)/residency

deps:
	@scripts/deps.sh

$(BUILD)/residency: $(BUILD)/main.o $(BUILD)/libresidency.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libresidency.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/main.o: scanner/main.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/migrations.c: $(SCHEMA) scripts/embed-sql.sh
	@mkdir -p $(dir $@)
	scripts/embed-sql.sh $@ $(SCHEMA)

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(TEST_LIB) $(BUILD)/libresidency.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(CHECK_CFLAGS) -o $@ $< $(TEST_LIB) \
		$(BUILD)/libresidency.a $(CHECK_LIBS) $(LDLIBS)

# Every fuzz target is also built as a plain program that replays its corpus
# and regression inputs under the sanitizers, so crashes once found stay fixed.
$(BUILD)/fuzz-regress/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libresidency.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/libresidency.a $(LDLIBS)

tests: $(BUILD)/residency $(TEST_BIN) $(FUZZ_REG)

check: check-plain check-asan

check-plain:
	@$(MAKE) --no-print-directory BUILD=build tests
	@scripts/test.sh build

check-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" SAN="$(ASAN)" tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		scripts/test.sh build-asan

demo:
	@scripts/demo.sh

# The HTML report of the story's "before" scan rendered by headless Chromium:
# build/report-before.html and build/report-before.png (not part of check).
screenshot:
	@scripts/screenshot.sh

$(BUILD)/bench/%: bench/%.c $(BUILD)/libresidency.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libresidency.a $(LDLIBS)

bench: all $(BENCH_BIN)
	@scripts/bench.sh

# libFuzzer builds (clang): `make fuzz` runs each target briefly (FUZZ_SECONDS),
# FUZZ_JOBS targets at a time. `make fuzz-campaign` is the documented campaign of
# docs/TESTING.md: every target for 10 minutes, two at a time (about an hour).
FUZZ_SECONDS ?= 20
FUZZ_JOBS ?= 1
fuzz:
	@FUZZ_JOBS=$(FUZZ_JOBS) scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-campaign:
	@FUZZ_JOBS=2 scripts/fuzz.sh 600

format:
	clang-format -i $$(find scanner tests -name '*.[ch]')

# cppcheck, then the layering of scanner/ (scripts/layering.sh: no stage
# includes a higher one, libpq in store/ only) and a test that it catches a
# planted violation.
lint:
	scripts/layering.sh
	scripts/layering-test.sh
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 --inline-suppr -Iscanner --suppress=missingIncludeSystem scanner tests

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
