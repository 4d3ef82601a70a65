# cagetest: `make run` and `make check` are all anyone types.
PREFIX ?= /usr/local
DATADIR ?= $(PREFIX)/share/cagetest
LIBEXECDIR ?= $(PREFIX)/libexec/cagetest
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libseccomp libcjson libxml-2.0

CFLAGS ?= -O2 -g
WARN := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wpointer-arith -Wundef -Wvla -Wimplicit-fallthrough -Wnull-dereference \
	-Wold-style-definition -Wmissing-declarations -Wredundant-decls
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CPPFLAGS += -D_GNU_SOURCE -DDATADIR='"$(DATADIR)"'
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
LDLIBS += $(PKG_LIBS) -lm
LDFLAGS += -pie -Wl,-z,relro,-z,now

# make SANITIZE=address,undefined check
ifneq ($(SANITIZE),)
BUILD ?= build-san
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
HARDEN := -fstack-protector-strong -fPIE
endif
BUILD ?= build

ALL_CFLAGS = $(WARN) $(HARDEN) $(CFLAGS) $(PKG_CFLAGS)

LIB_SRC := $(wildcard lib/*.c probes/*.c platforms/*.c reports/*.c) \
	$(filter-out runner/main.c runner/suid_helper.c runner/agent_bin.c,$(wildcard runner/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIVE_SRC := $(wildcard tests/live/test_*.c)
LIVE_BIN := $(LIVE_SRC:tests/live/%.c=$(BUILD)/tests/%)
# live tests against sandboxes installed from npm (make check-peers)
PEERS_SRC := $(wildcard tests/peers/test_*.c)
PEERS_BIN := $(PEERS_SRC:tests/peers/%.c=$(BUILD)/tests/%)
HEADERS := $(wildcard */*.h)

.PHONY: bench all run check check-unit stress check-docs check-seatbelt check-peers docs deps install clean valgrind fuzz
all: $(BUILD)/cagetest $(BUILD)/cagetest-agent $(BUILD)/cagetest-suid

$(BUILD)/obj/%.o: %.c $(HEADERS) | deps-quiet
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libcagetest.a: $(LIB_OBJ)
	@rm -f $@
	@$(AR) rcs $@ $^

$(BUILD)/cagetest: $(BUILD)/obj/runner/main.o $(BUILD)/libcagetest.a
	@echo "  LD $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/cagetest-agent: $(BUILD)/obj/runner/agent_bin.o $(BUILD)/libcagetest.a
	@echo "  LD $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,--as-needed $^ $(shell $(PKG_CONFIG) --libs libcjson) -o $@

# The setuid helper links nothing: it is planted setuid-root during a run.
$(BUILD)/cagetest-suid: runner/suid_helper.c
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $< -o $@

$(BUILD)/tests/%: tests/*/%.c tests/testutil.h $(BUILD)/libcagetest.a
	@mkdir -p $(dir $@)
	@echo "  TEST $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -Wno-missing-declarations \
		-DSRCDIR='"$(CURDIR)"' -DBUILDDIR='"$(CURDIR)/$(BUILD)"' $(LDFLAGS) $< $(BUILD)/libcagetest.a \
		$(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null) -o $@

# The LD_PRELOAD shims live tests run the agent under: the lying one
# (tests/wrappers/lieshim.c, test_live_lies) and the slow machine
# (tests/wrappers/slowshim.c, test_live_stable). Never sanitized: they are
# preloaded into /bin/sh too; so one place whatever the BUILD, where
# tests/wrappers/shim.sh finds them.
SHIMS := build/lieshim.so build/slowshim.so
build/%shim.so: tests/wrappers/%shim.c
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -D_GNU_SOURCE $(WARN) -O2 -g -fPIC -shared $< -o $@

# Missing Debian packages are installed (or named) by ci/install-deps.sh.
deps:
	@ci/install-deps.sh
deps-quiet:
	@ci/install-deps.sh --quiet

# RUN_ARGS: more `cagetest run` options (make run RUN_ARGS="-b landlock,bwrap").
RUN_ARGS ?= -b landlock -m all
run: deps all
	@ci/run-battery.sh $(BUILD)/cagetest out $(RUN_ARGS)

# LOAD=N: N workers of tests/load.sh keep the cores busy meanwhile (check or stress).
LOAD ?= 0
check: deps all $(SHIMS) $(UNIT_BIN) $(LIVE_BIN) check-docs
	@BUILD=$(BUILD) LOAD=$(LOAD) tests/run-tests.sh $(UNIT_BIN) $(LIVE_BIN)

# docs/probes.md is generated from the registry; check fails when it is stale.
docs: $(BUILD)/cagetest
	$(BUILD)/cagetest list probes --markdown > docs/probes.md
check-docs: $(BUILD)/cagetest
	@$(BUILD)/cagetest list probes --markdown | cmp -s - docs/probes.md || \
		{ echo "docs/probes.md is stale: run 'make docs'"; exit 1; }

# The portable subset, for macOS (CI): the Seatbelt generator and its tests,
# live there with sandbox-exec. Needs a C compiler, pkg-config, cJSON, cmocka
# and libxml2 (brew); nothing Debian, nothing Linux-only.
PORTABLE_SRC := lib/util.c reports/model.c runner/suite.c platforms/registry.c platforms/none.c platforms/seatbelt.c
check-seatbelt:
	@mkdir -p $(BUILD)/tests
	@echo "  TEST $(BUILD)/tests/test_seatbelt-portable"
	@$(CC) $(CPPFLAGS) -DCAGETEST_PORTABLE -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 $(CFLAGS) \
		$(shell $(PKG_CONFIG) --cflags libcjson cmocka libxml-2.0) -DSRCDIR='"$(CURDIR)"' \
		-DBUILDDIR='"$(CURDIR)/$(BUILD)"' tests/unit/test_seatbelt.c $(PORTABLE_SRC) \
		$(shell $(PKG_CONFIG) --libs libcjson cmocka libxml-2.0) -o $(BUILD)/tests/test_seatbelt-portable
	@BUILD=$(BUILD) tests/run-tests.sh $(BUILD)/tests/test_seatbelt-portable

# codex and srt from npm, two pinned versions of each side by side in peers/
# (ignored by git), then live tests on their real verdicts; reports and the
# version diffs are kept in peers/reports/. Skips when npm is out of reach.
check-peers: deps all $(PEERS_BIN)
	@ci/install-peers.sh; rc=$$?; \
	if [ $$rc = 77 ]; then echo "check-peers: skipped: npm is out of reach"; exit 0; fi; \
	[ $$rc = 0 ] && BUILD=$(BUILD) tests/run-tests.sh $(PEERS_BIN)

# Every test N times; lists any test whose result changed between rounds.
# make stress N=5 LOAD=2: the same with both cores kept busy throughout.
N ?= 5
stress: deps all $(SHIMS) $(UNIT_BIN) $(LIVE_BIN)
	@BUILD=$(BUILD) LOAD=$(LOAD) tests/run-tests.sh --repeat $(N) $(UNIT_BIN) $(LIVE_BIN)

check-unit: all $(UNIT_BIN)
	@BUILD=$(BUILD) tests/run-tests.sh $(UNIT_BIN)

# The harness against the spawn floor of landlock and bwrap (README: Speed).
bench: all
	$(BUILD)/cagetest bench -m workspace-write

# Unit tests (not the live ones, whose children run sandboxed) under valgrind.
valgrind: $(UNIT_BIN)
	@for t in $(filter-out %/test_cli,$(UNIT_BIN)); do \
		valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite $$t >/dev/null || \
		{ echo "valgrind: $$t"; exit 1; }; echo "valgrind clean: $$t"; done

# libFuzzer targets, one per parser, built with clang; each runs FUZZ_SECONDS
# from its seed corpus in tests/fuzz/corpus/NAME (new finds go to build-fuzz/).
FUZZ_SECONDS ?= 30
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
build-fuzz/lib.a: $(LIB_SRC) $(HEADERS)
	@mkdir -p build-fuzz/obj
	@for f in $(LIB_SRC); do o=build-fuzz/obj/$$(echo $$f | tr / _).o; \
		clang $(CPPFLAGS) -std=gnu11 -Wall -Werror $(FUZZ_FLAGS) $(PKG_CFLAGS) -c $$f -o $$o || exit 1; done
	@rm -f $@ && ar rcs $@ build-fuzz/obj/*.o
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/lib.a
	clang $(CPPFLAGS) -std=gnu11 -Wall -Werror -g -O1 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) $< build-fuzz/lib.a $(LDLIBS) -o $@
fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_BIN); do n=$${t#build-fuzz/fuzz_}; mkdir -p build-fuzz/corpus-$$n; \
		echo "fuzz $$n for $(FUZZ_SECONDS)s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=build-fuzz/crash-$$n- build-fuzz/corpus-$$n tests/fuzz/corpus/$$n \
			2>build-fuzz/$$n.log || { tail -30 build-fuzz/$$n.log; exit 1; }; \
		grep -E "^Done|stat::number_of_executed_units" build-fuzz/$$n.log | tail -1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/suites $(DESTDIR)$(DATADIR)/platforms/adapters \
		$(DESTDIR)$(DATADIR)/platforms/baselines \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0755 $(BUILD)/cagetest $(DESTDIR)$(PREFIX)/bin/cagetest
	install -m 0755 $(BUILD)/cagetest-agent $(DESTDIR)$(PREFIX)/bin/cagetest-agent
	install -m 0755 $(BUILD)/cagetest-suid $(DESTDIR)$(PREFIX)/bin/cagetest-suid
	install -m 0644 suites/*.json $(DESTDIR)$(DATADIR)/suites/
	install -m 0644 platforms/adapters/*.json $(DESTDIR)$(DATADIR)/platforms/adapters/
	install -m 0644 platforms/baselines/*.json $(DESTDIR)$(DATADIR)/platforms/baselines/
	install -m 0644 docs/cagetest-junit.xsd $(DESTDIR)$(DATADIR)/
	install -m 0644 docs/cagetest.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 docs/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf build build-san build-fuzz out
