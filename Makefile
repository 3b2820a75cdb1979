# SPDX-License-Identifier: MIT
# hvguest - one non-recursive GNU Makefile.
#
# Everything is discovered from the tree, so adding a program, a library module, a unit test, an
# end-to-end test or a fuzz target needs no edit here:
#   lib/*.c                      -> $(O)/libhvguest.a
#   src/<prog>/*.c               -> $(O)/bin/<prog>   (main.c holds main(); the rest also goes
#                                   into $(O)/src/<prog>/lib<prog>.a for tests and fuzzers)
#   tests/unit/test-*.c          -> $(O)/tests/test-*
#   fuzz/fuzz-*.c                -> $(O)/fuzz/replay-*   (gcc, replays fuzz/corpus/<target>/)
#                                   $(O)/fuzz/fuzz-*     (make fuzz CC=clang, libFuzzer)
#   mk/*.mk                      -> included: per-area rules (install, bench, packaging, ...)

PREFIX     ?= /usr/local
bindir     ?= $(PREFIX)/bin
sbindir    ?= $(PREFIX)/sbin
mandir     ?= $(PREFIX)/share/man
sysconfdir ?= /etc
DESTDIR    ?=

CC       ?= cc
SANITIZE ?=
FUZZ_SECONDS ?= 30

ifeq ($(SANITIZE),)
O ?= build/default
else
O ?= build/$(subst $(comma),-,$(SANITIZE))
endif
comma := ,

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0)

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wcast-qual -Wundef -Wvla -Wno-unused-parameter
ifeq ($(CI),true)
WARN += -Werror
endif

CPPFLAGS_ALL := -D_GNU_SOURCE -DHVGUEST_VERSION='"$(VERSION)"' -Ilib -include lib/banned.h
CFLAGS ?= -O2 -g
CFLAGS_ALL := -std=gnu17 $(WARN) -fstack-protector-strong -fPIE -MMD -MP $(CFLAGS)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now $(LDFLAGS)
ifeq ($(SANITIZE),)
CPPFLAGS_ALL += -D_FORTIFY_SOURCE=2
else
CFLAGS_ALL += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS_ALL += -fsanitize=$(SANITIZE)
endif
LDLIBS ?=

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
LIB_A    := $(O)/libhvguest.a

PROGS    := $(notdir $(patsubst %/main.c,%,$(wildcard src/*/main.c)))
SRC_DIRS := $(addprefix src/,$(PROGS))
SRC_INC  := $(addprefix -I,$(SRC_DIRS))
BINS     := $(addprefix $(O)/bin/,$(PROGS))
PROG_ARS := $(foreach p,$(PROGS),$(O)/src/$(p)/lib$(p).a)

TEST_SRC  := $(wildcard tests/unit/test-*.c)
TEST_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(TEST_SRC))
TAP_OBJ   := $(O)/tests/lib/tap.o

FUZZ_SRC     := $(wildcard fuzz/fuzz-*.c)
FUZZ_TARGETS := $(patsubst fuzz/fuzz-%.c,%,$(FUZZ_SRC))
REPLAY_BINS  := $(addprefix $(O)/fuzz/replay-,$(FUZZ_TARGETS))
FUZZ_BINS    := $(addprefix build/fuzz/fuzz-,$(FUZZ_TARGETS))

# Per-program extra libraries, e.g. "LDLIBS_hv-sim := -lfuse3" in a mk/ fragment; tests and
# fuzzers named after the program get them too.

.PHONY: all check check-unit check-e2e valgrind fuzz fuzz-replay lint install clean setup \
	demo bench update-golden tests
.DEFAULT_GOAL := all

# Per-area fragments: install rules, bench, packaging, extra libraries (LDLIBS_<prog>).
-include mk/*.mk

all: $(BINS)

# -- objects -------------------------------------------------------------------------------
$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(CFLAGS_ALL) -I$(<D) -Itests/lib $(SRC_INC) -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

define prog_rules
$(1)_OBJ := $$(patsubst %.c,$(O)/%.o,$$(wildcard src/$(1)/*.c))
$(1)_MOD := $$(filter-out $(O)/src/$(1)/main.o,$$($(1)_OBJ))
$(O)/src/$(1)/lib$(1).a: $$($(1)_MOD)
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR) rcs $$@ $$^
$(O)/bin/$(1): $(O)/src/$(1)/main.o $(O)/src/$(1)/lib$(1).a $(LIB_A)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_ALL) $$(LDFLAGS_ALL) -o $$@ $$^ $$(LDLIBS_$(1)) $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rules,$(p))))

# A unit test or fuzz target named after a program (tests/unit/test-<prog>-*.c,
# fuzz/fuzz-<prog>-*.c) links that program's archive; all link libhvguest.a.  So a test only
# needs its own program to compile, and programs under construction do not break others.
archives_for = $(foreach p,$(PROGS),$(if $(filter $(p)%,$(1)),$(O)/src/$(p)/lib$(p).a))
link_archives = -Wl,--start-group $(call archives_for,$(1)) $(LIB_A) -Wl,--end-group

define test_rules
$(O)/tests/test-$(1): $(O)/tests/unit/test-$(1).o $(TAP_OBJ) $(call archives_for,$(1)) $(LIB_A)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_ALL) $$(LDFLAGS_ALL) -o $$@ $$< $(TAP_OBJ) $$(call link_archives,$(1)) \
		$$(foreach p,$(PROGS),$$(if $$(filter $$(p)%,$(1)),$$(LDLIBS_$$(p)))) $$(LDLIBS)
endef
$(foreach t,$(patsubst tests/unit/test-%.c,%,$(TEST_SRC)),$(eval $(call test_rules,$(t))))

define replay_rules
$(O)/fuzz/replay-$(1): $(O)/fuzz/fuzz-$(1).o $(O)/fuzz/replay.o $(TAP_OBJ) $(call archives_for,$(1)) $(LIB_A)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_ALL) $$(LDFLAGS_ALL) -o $$@ $$< $(O)/fuzz/replay.o $(TAP_OBJ) \
		$$(call link_archives,$(1)) \
		$$(foreach p,$(PROGS),$$(if $$(filter $$(p)%,$(1)),$$(LDLIBS_$$(p)))) $$(LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call replay_rules,$(t))))

tests: $(BINS) $(TEST_BINS) $(REPLAY_BINS)

# -- tests ---------------------------------------------------------------------------------
# make check: install what is missing (as root), build, run every test once.
check: setup-if-needed
	@$(MAKE) --no-print-directory tests
	O=$(O) SANITIZE=$(SANITIZE) tests/run

check-unit: tests
	O=$(O) SANITIZE=$(SANITIZE) tests/run unit

check-e2e: tests
	O=$(O) SANITIZE=$(SANITIZE) tests/run e2e

fuzz-replay: tests
	O=$(O) tests/run fuzz

valgrind: tests
	O=$(O) VALGRIND=1 tests/run unit

update-golden: tests
	O=$(O) UPDATE_GOLDEN=1 tests/run e2e

setup:
	scripts/setup

.PHONY: setup-if-needed
setup-if-needed:
	@scripts/setup --if-needed

# -- fuzzing (clang + libFuzzer) -----------------------------------------------------------
FUZZ_CFLAGS := -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz_srcs = $(LIB_SRC) $(foreach p,$(PROGS),$(if $(filter $(p)%,$(1)),\
	$(filter-out %/main.c,$(wildcard src/$(p)/*.c))))
define fuzz_rules
build/fuzz/fuzz-$(1): fuzz/fuzz-$(1).c $(call fuzz_srcs,$(1))
	@mkdir -p $$(@D)
	clang $$(CPPFLAGS_ALL) $$(FUZZ_CFLAGS) -Itests/lib $$(SRC_INC) -o $$@ $$^ \
		$$(foreach p,$(PROGS),$$(if $$(filter $$(p)%,$(1)),$$(LDLIBS_$$(p))))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rules,$(t))))

fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t build/fuzz/new-$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
		build/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=fuzz/ \
			-print_final_stats=0 build/fuzz/new-$$t fuzz/corpus/$$t \
			> build/fuzz/$$t.log 2>&1 || { tail -40 build/fuzz/$$t.log; exit 1; }; \
		tail -1 build/fuzz/$$t.log; \
	done

# -- lint ----------------------------------------------------------------------------------
C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
lint: lint-shell
	clang-format --dry-run -Werror $(C_FILES)
	scripts/checksrc $(C_FILES)
	cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 -D_GNU_SOURCE \
		--suppress=missingIncludeSystem --suppress=unusedFunction --suppress=unmatchedSuppression \
		-Ilib $(SRC_INC) lib src
	@if ls man/*.[1-8] >/dev/null 2>&1; then mandoc -Tlint -Wwarning man/*.[1-8]; fi

# -- demo, bench ---------------------------------------------------------------------------
demo: setup-if-needed
	@$(MAKE) --no-print-directory all
	O=$(O) scripts/demo

bench: setup-if-needed
	@$(MAKE) --no-print-directory all
	O=$(O) scripts/bench

# -- install (details per area in mk/*.mk) -------------------------------------------------
clean:
	rm -rf build

-include $(shell find $(O) -name '*.d' 2>/dev/null)
