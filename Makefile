# mvs: build, test and install. `make check` works as the first command on a fresh Debian 12 machine:
# missing build dependencies are installed by scripts/bootstrap (as root, or through sudo).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

VERSION := 0.1.0
PKGS := grpc libprotobuf-c msgpack libxxhash yaml-0.1 libmicrohttpd

# `make check`, `make demo` and `make deps` install what the build and the tests need first
# (scripts/bootstrap, at parse time, once); any other goal only says what is missing.
BOOTSTRAP_GOALS := check check-asan check-valgrind demo bench deps
DEPS_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && command -v protoc-c >/dev/null && echo ok)
ifneq ($(filter $(BOOTSTRAP_GOALS),$(MAKECMDGOALS)),)
ifneq ($(filter deps,$(MAKECMDGOALS))$(DEPS_OK),ok)
$(info mvs: running scripts/bootstrap)
BOOTSTRAP_STATUS := $(shell sh scripts/bootstrap >&2; echo $$?)
ifneq ($(BOOTSTRAP_STATUS),0)
$(error scripts/bootstrap failed; install the packages it names and run make again)
endif
endif
else ifneq ($(filter-out clean uninstall,$(or $(MAKECMDGOALS),all)),)
ifneq ($(DEPS_OK),ok)
$(error build dependencies missing: run `make deps` (as root, or with sudo), or install the packages scripts/bootstrap names)
endif
endif

# SAN=1 builds everything with AddressSanitizer + UndefinedBehaviorSanitizer into build/asan.
ifeq ($(SAN),1)
O := build/asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
O := build
SANFLAGS :=
endif
BIN := $(if $(filter 1,$(SAN)),$(O)/bin,bin)

CC ?= cc
# Short build lines; `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif
CFLAGS ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra $(CFLAGS) $(SANFLAGS) \
	-DMVS_VERSION='"$(VERSION)"' -Ilib -I$(O)/gen $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := -Wl,--as-needed $(LDFLAGS) $(SANFLAGS)
LIBS := $(PKG_LIBS) -lpthread -lm

PROTOS := $(wildcard proto/*.proto)
GEN_C := $(patsubst proto/%.proto,$(O)/gen/%.pb-c.c,$(PROTOS))
GEN_H := $(GEN_C:.c=.h)
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(patsubst lib/%.c,$(O)/obj/lib/%.o,$(LIB_SRC)) $(patsubst $(O)/gen/%.c,$(O)/obj/gen/%.o,$(GEN_C))
LIBMVS := $(O)/libmvs.a

TOOLS := $(patsubst cmd/%/,%,$(sort $(dir $(wildcard cmd/*/main.c))))
TOOL_BINS := $(addprefix $(BIN)/,$(TOOLS))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRC))
# Helper programs that shell tests and benchmarks call (not run as tests themselves).
TOOL_SRC := $(wildcard tests/tools/*.c)
TESTTOOL_BINS := $(patsubst tests/tools/%.c,$(O)/tests/tools/%,$(TOOL_SRC))
MAN_PAGES := $(wildcard man/*.[1-8])

.PHONY: all deps check check-valgrind check-asan test-deps fuzz demo bench install uninstall clean
.DEFAULT_GOAL := all
.SECONDARY: $(GEN_C) $(GEN_H)

all: $(TOOL_BINS) $(LIBMVS) $(UNIT_BINS) $(TESTTOOL_BINS)

# The build and test dependencies (scripts/bootstrap ran at parse time).
deps:
	@echo "mvs: build and test dependencies are installed"

$(O)/gen/%.pb-c.c $(O)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(O)/gen
	$(call say,PROTOC,$<)
	$(Q)protoc-c --proto_path=proto --c_out=$(O)/gen $<

$(O)/obj/gen/%.o: $(O)/gen/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-unused-parameter -c -o $@ $<

$(O)/obj/lib/%.o: lib/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBMVS): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/obj/cmd/%.o: cmd/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# One link rule per tool: bin/mvs-x from cmd/mvs-x/*.c and the library.
define tool_rule
$(BIN)/$(1): $(patsubst cmd/%.c,$(O)/obj/cmd/%.o,$(wildcard cmd/$(1)/*.c)) $(LIBMVS)
	@mkdir -p $$(dir $$@)
	$$(call say,LD,$$@)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(LIBMVS) $$(LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(O)/tests/%: tests/unit/%.c $(LIBMVS) $(GEN_H)
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -Itests/unit -o $@ $< $(LIBMVS) $(LIBS)

$(O)/tests/tools/%: tests/tools/%.c $(LIBMVS) $(GEN_H)
	@mkdir -p $(dir $@)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBMVS) $(LIBS)

# Node packages for the test servers and the official SDK client, pinned by tests/package-lock.json.
tests/node_modules/.package-lock.json: tests/package-lock.json
	@command -v npm >/dev/null || sh scripts/bootstrap
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-deps: tests/node_modules/.package-lock.json

check: all test-deps
	MVS_BIN=$(abspath $(BIN)) MVS_TESTBIN=$(abspath $(O)/tests) tests/run $(TESTS)

# Memcheck of the unit tests and the shell tests with few tool runs (about 12 minutes).
check-valgrind: all test-deps
	MVS_BIN=$(abspath $(BIN)) MVS_TESTBIN=$(abspath $(O)/tests) tests/tools/valgrind-check $(TESTS)

check-asan:
	$(MAKE) SAN=1 check

# Coverage-guided fuzzing of the stream reader and the config reader (clang's libFuzzer).
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -C tests/fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) run

demo: all test-deps
	MVS_BIN=$(abspath $(BIN)) tests/demo.sh

bench: all test-deps
	MVS_BIN=$(abspath $(BIN)) bench/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/
	for page in $(MAN_PAGES); do \
		section=$${page##*.}; install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$section/; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS))
	for page in $(MAN_PAGES); do \
		section=$${page##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$section/$${page##*/}; done

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
