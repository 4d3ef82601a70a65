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
	$(filter-out runner/main.c runner/suid_helper.c,$(wildcard runner/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIVE_SRC := $(wildcard tests/live/test_*.c)
LIVE_BIN := $(LIVE_SRC:tests/live/%.c=$(BUILD)/tests/%)
# live tests against sandboxes installed from npm (make check-peers)
PEERS_SRC := $(wildcard tests/peers/test_*.c)
PEERS_BIN := $(PEERS_SRC:tests/peers/%.c=$(BUILD)/tests/%)
HEADERS := $(wildcard */*.h)

.PHONY: all run check check-unit check-docs check-peers docs deps install clean
all: $(BUILD)/cagetest $(BUILD)/cagetest-suid

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

# Missing Debian packages are installed (or named) by ci/install-deps.sh.
deps:
	@ci/install-deps.sh
deps-quiet:
	@ci/install-deps.sh --quiet

run: deps all
	@mkdir -p out
	$(BUILD)/cagetest run -b landlock -m all --json out/cagetest.json --junit out/cagetest.junit.xml; \
	rc=$$?; echo "reports in out/ (exit $$rc)"; exit $$rc

check: deps all $(UNIT_BIN) $(LIVE_BIN) check-docs
	@BUILD=$(BUILD) tests/run-tests.sh $(UNIT_BIN) $(LIVE_BIN)

# docs/probes.md is generated from the registry; check fails when it is stale.
docs: $(BUILD)/cagetest
	$(BUILD)/cagetest list probes --markdown > docs/probes.md
check-docs: $(BUILD)/cagetest
	@$(BUILD)/cagetest list probes --markdown | cmp -s - docs/probes.md || \
		{ echo "docs/probes.md is stale: run 'make docs'"; exit 1; }

# codex and srt from npm into peers/ (ignored by git), then live tests on their real verdicts.
check-peers: deps all $(PEERS_BIN)
	@ci/install-peers.sh
	@PATH="$(CURDIR)/peers/node_modules/.bin:$$PATH" BUILD=$(BUILD) tests/run-tests.sh $(PEERS_BIN)

check-unit: all $(UNIT_BIN)
	@BUILD=$(BUILD) tests/run-tests.sh $(UNIT_BIN)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/suites $(DESTDIR)$(DATADIR)/platforms/adapters \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0755 $(BUILD)/cagetest $(DESTDIR)$(PREFIX)/bin/cagetest
	install -m 0755 $(BUILD)/cagetest-suid $(DESTDIR)$(PREFIX)/bin/cagetest-suid
	install -m 0644 suites/*.json $(DESTDIR)$(DATADIR)/suites/
	install -m 0644 platforms/adapters/*.json $(DESTDIR)$(DATADIR)/platforms/adapters/
	install -m 0644 docs/cagetest.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 docs/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf build build-san out
