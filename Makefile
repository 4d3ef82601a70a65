# cagetest: `make run` and `make check` are all anyone types.
PREFIX ?= /usr/local
# cagetest finds its data beside its own bin/ (../share/cagetest), wherever
# the tree is put: nothing of PREFIX is built into the binary.
DATADIR = $(PREFIX)/share/cagetest
LIBEXECDIR ?= $(PREFIX)/libexec/cagetest
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libseccomp libcjson libxml-2.0

CFLAGS ?= -O2 -g
WARN := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wpointer-arith -Wundef -Wvla -Wimplicit-fallthrough -Wnull-dereference \
	-Wold-style-definition -Wmissing-declarations -Wredundant-decls
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CPPFLAGS += -D_GNU_SOURCE
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
LDLIBS += $(PKG_LIBS) -lm
LDFLAGS += -pie -Wl,-z,relro,-z,now

# make dist: build/dist/cagetest, one static file (README: One file for any
# container). DIST=1 is its inner build: every object again, in build/dist-obj,
# against static cJSON and libxml2 built from the Debian sources of the
# installed versions (ci/dist-libs.sh, cached in DIST_CACHE) and Debian's
# libseccomp.a and libc.a, linked static-pie and stripped.
DIST_CACHE ?= /var/tmp/cagetest-dist
ifeq ($(DIST),1)
BUILD := build/dist-obj
PKG_CFLAGS = -I$(DIST_LIBS)/include -I$(DIST_LIBS)/include/libxml2 $(shell $(PKG_CONFIG) --cflags libseccomp)
PKG_LIBS = $(DIST_LIBS)/lib/libxml2.a $(DIST_LIBS)/lib/libcjson.a \
	$(shell $(PKG_CONFIG) --variable=libdir libseccomp)/libseccomp.a
LDFLAGS := -static-pie -s -Wl,-z,relro,-z,now -Wl,--gc-sections
# glibc warns that getpwnam/getpwuid in a static binary need its NSS
# libraries: true for LDAP or sss users, not for /etc/passwd, which static
# glibc reads itself (README); that warning, and only it, is dropped.
LD_FILTER = 2>&1 | sed '/: in function /{N;/in statically linked applications requires/d;}' >&2; test -x $@
endif

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
# the Seatbelt generator's portable build (check-seatbelt, below); defined
# here because check's prerequisites are expanded where check is read
SEATBELT_PORTABLE := $(BUILD)/tests/test_seatbelt-portable
# live tests against sandboxes installed from npm (make check-peers)
PEERS_SRC := $(wildcard tests/peers/test_*.c)
PEERS_BIN := $(PEERS_SRC:tests/peers/%.c=$(BUILD)/tests/%)
HEADERS := $(wildcard */*.h)

.PHONY: dist bench all run check containers check-containers check-unit stress check-docs check-seatbelt check-peers docs deps install clean valgrind fuzz
all: $(BUILD)/cagetest $(BUILD)/cagetest-agent $(BUILD)/cagetest-suid

$(BUILD)/obj/%.o: %.c $(HEADERS) | deps-quiet
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libcagetest.a: $(LIB_OBJ)
	@rm -f $@
	@$(AR) rcs $@ $^

# Built into cagetest (lib/datadir.h): the shipped data files (a data dir
# on disk overrides them) and the setuid helper it plants.
EMBED_DATA := $(wildcard suites/*.json platforms/adapters/*.json platforms/baselines/*.json)
$(BUILD)/gen/builtin.c: ci/embed.sh $(EMBED_DATA) $(BUILD)/cagetest-suid
	@mkdir -p $(dir $@)
	@echo "  GEN $@"
	@ci/embed.sh $@ $(EMBED_DATA) cagetest-suid=$(BUILD)/cagetest-suid
$(BUILD)/obj/gen/builtin.o: $(BUILD)/gen/builtin.c lib/datadir.h
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CPPFLAGS) -I. $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/cagetest: $(BUILD)/obj/runner/main.o $(BUILD)/obj/gen/builtin.o $(BUILD)/libcagetest.a
	@echo "  LD $@"
	@rm -f $@; $(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@ $(LD_FILTER)

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

dist: deps-quiet
	@+libs=$$(ci/dist-libs.sh $(DIST_CACHE)) && $(MAKE) --no-print-directory DIST=1 DIST_LIBS="$$libs" build/dist/cagetest
ifeq ($(DIST),1)
# one file: no cagetest-agent beside it (the runner runs itself as the agent)
build/dist/cagetest: $(BUILD)/cagetest
	@mkdir -p $(dir $@)
	@cp $< $@.tmp && mv $@.tmp $@
	@echo "  DIST $@: $$(stat -c %s $@) bytes, $$(file -b $@ 2>/dev/null | cut -d, -f1-2)"
endif

# One-mechanism sandboxes the live tests drive as adapters (tests/wrappers/confine.c):
# a seccomp socket(AF_UNIX) denial alone, Landlock alone.
CONFINE := build/confine
$(CONFINE): tests/wrappers/confine.c
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -D_GNU_SOURCE $(WARN) -O2 -g $< $(shell $(PKG_CONFIG) --cflags --libs libseccomp) -o $@

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
check: deps all $(SHIMS) $(CONFINE) $(UNIT_BIN) $(SEATBELT_PORTABLE) $(LIVE_BIN) check-docs
	@BUILD=$(BUILD) LOAD=$(LOAD) tests/run-tests.sh $(UNIT_BIN) $(SEATBELT_PORTABLE) $(LIVE_BIN)

# make containers (root; minutes, not part of check): build/dist/cagetest
# with every backend, product and mode in each runtime configuration of
# ci/containers/runtimes.json, and the docker, podman and gvisor adapters on
# the host; reports in out/containers/, merged into out/containers.{json,html,md},
# the configuration x backend table in out/containers-table.md.
containers: dist
	@ci/containers/matrix.sh

# build/dist/cagetest inside Docker, Podman, gVisor, systemd-nspawn and LXC
# (ci/containers/run.sh; images cached in /var/tmp/cagetest-images): part of
# make check with 12 probes, alone here with every probe (the verdicts of the
# README's table). Runtimes that cannot start are skipped with why.
check-containers: deps all $(BUILD)/tests/test_live_containers
	@CAGETEST_CONTAINERS_FULL=1 BUILD=$(BUILD) tests/run-tests.sh $(BUILD)/tests/test_live_containers

# docs/probes.md is generated from the registry; check fails when it is stale.
docs: $(BUILD)/cagetest
	$(BUILD)/cagetest list probes --markdown > docs/probes.md
check-docs: $(BUILD)/cagetest
	@$(BUILD)/cagetest list probes --markdown | cmp -s - docs/probes.md || \
		{ echo "docs/probes.md is stale: run 'make docs'"; exit 1; }

# The portable subset, for macOS (CI): the Seatbelt generator and its tests,
# live there with sandbox-exec. Needs a C compiler, pkg-config, cJSON, cmocka
# and libxml2 (brew); nothing Debian, nothing Linux-only. `make check` builds
# and runs it too, so what the macOS job links cannot break unseen here.
PORTABLE_SRC := lib/util.c lib/path.c lib/policy.c lib/jparse.c lib/datadir.c runner/suite.c platforms/registry.c platforms/none.c platforms/seatbelt.c
$(SEATBELT_PORTABLE): tests/unit/test_seatbelt.c tests/testutil.h $(PORTABLE_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  TEST $@"
	@$(CC) $(CPPFLAGS) -DCAGETEST_PORTABLE -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 $(CFLAGS) \
		$(shell $(PKG_CONFIG) --cflags libcjson cmocka libxml-2.0) -DSRCDIR='"$(CURDIR)"' \
		-DBUILDDIR='"$(CURDIR)/$(BUILD)"' tests/unit/test_seatbelt.c $(PORTABLE_SRC) \
		$(shell $(PKG_CONFIG) --libs libcjson cmocka libxml-2.0) -o $@
check-seatbelt: $(SEATBELT_PORTABLE)
	@BUILD=$(BUILD) tests/run-tests.sh $(SEATBELT_PORTABLE)

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
stress: deps all $(SHIMS) $(CONFINE) $(UNIT_BIN) $(LIVE_BIN)
	@BUILD=$(BUILD) LOAD=$(LOAD) tests/run-tests.sh --repeat $(N) $(UNIT_BIN) $(LIVE_BIN)

check-unit: all $(UNIT_BIN)
	@BUILD=$(BUILD) tests/run-tests.sh $(UNIT_BIN)

# The harness against the spawn floor of landlock and bwrap, then `merge` of
# fleets of 200 and 1000 hosts against its bounds (README: Speed, Fleets).
bench: all
	$(BUILD)/cagetest bench -m workspace-write
	$(BUILD)/cagetest bench --fleet 200,1000

# Unit tests (not the live ones, whose children run sandboxed) under valgrind.
valgrind: $(UNIT_BIN)
	@for t in $(filter-out %/test_cli,$(UNIT_BIN)); do \
		valgrind -q --error-exitcode=9 --suppressions=tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite $$t >/dev/null || \
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
	install -m 0644 suites/*.json $(DESTDIR)$(DATADIR)/suites/
	install -m 0644 platforms/adapters/*.json $(DESTDIR)$(DATADIR)/platforms/adapters/
	install -m 0644 platforms/baselines/*.json $(DESTDIR)$(DATADIR)/platforms/baselines/
	install -m 0644 docs/cagetest-junit.xsd $(DESTDIR)$(DATADIR)/
	install -m 0644 docs/cagetest.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 docs/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf build build-san build-fuzz out
