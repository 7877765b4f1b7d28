# mvs: build, test and install. `make check` works as the first command on a fresh Debian 12 machine:
# missing build dependencies are installed by scripts/bootstrap (as root, or through sudo).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

VERSION := 0.1.0
PKGS := grpc libprotobuf-c msgpack libxxhash yaml-0.1 libmicrohttpd jansson

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
else ifneq ($(filter-out clean uninstall image,$(or $(MAKECMDGOALS),all)),)
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
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra $(CFLAGS) $(SANFLAGS) -DMVS_VERSION='"$(VERSION)"' -MMD -MP
ALL_LDFLAGS := -Wl,--as-needed $(LDFLAGS) $(SANFLAGS)

# The code's folders (docs/ARCHITECTURE.md). Each is compiled with the include paths of only the
# folders it may use and the packages it may link, so a wrong #include fails the build; and
# scripts/check-layout checks the system library headers and include cycles before anything builds.
#   lib/common    libc only: messages, exit codes, UTF-8, Milvus type table, shell words
#   lib/stream    the stream format: schema, rows, values, JSON, header, codec, field mapping
#   lib/milvus    the gRPC client, the generated protos, schema mapping to and from Milvus
#   lib/transfer  the export and import engines: pages, batches, shards and filter expressions
#   lib/migrate   migration.yaml, the pipeline runner, the REST server
#   cmd/common    what the tools' main.c share: usage, output files, secrets, connection options
FOLDERS := common stream milvus transfer migrate cli
DIR_common := lib/common
DIR_stream := lib/stream
DIR_milvus := lib/milvus
DIR_transfer := lib/transfer
DIR_migrate := lib/migrate
DIR_cli := cmd/common
USES_common :=
USES_stream := common
USES_milvus := common stream
USES_transfer := common stream milvus
USES_migrate := common
USES_cli := common stream milvus
PKGS_common :=
PKGS_stream := msgpack libxxhash
PKGS_milvus := grpc libprotobuf-c
PKGS_transfer := grpc libprotobuf-c msgpack
PKGS_migrate := yaml-0.1 libmicrohttpd jansson
PKGS_cli :=
# Folders whose code includes the generated protobuf-c headers.
GEN_USERS := milvus transfer cli

# What each tool links: its folders (in link order) and, through them, its packages. mvs-cat, mvs-diff and
# mvs-map link neither gRPC nor protobuf-c.
LINK_mvs-cat := cli stream common
LINK_mvs-map := cli stream common
LINK_mvs-diff := cli stream common
LINK_mvs-export := cli transfer milvus stream common
LINK_mvs-import := cli transfer milvus stream common
LINK_mvs-migrate := cli migrate common

# Include paths and compile flags of a folder (or of a tool through what it links).
folder_incs = $(foreach f,$(1) $(USES_$(1)),-I$(DIR_$(f))) $(if $(filter $(1) $(USES_$(1)),$(GEN_USERS) milvus),-I$(O)/gen)
pkg_cflags = $(if $(strip $(1)),$(shell pkg-config --cflags $(1) 2>/dev/null))
pkg_libs = $(if $(strip $(1)),$(shell pkg-config --libs $(1) 2>/dev/null))
link_pkgs = $(sort $(foreach f,$(1),$(PKGS_$(f)) $(foreach u,$(USES_$(f)),$(PKGS_$(u)))))
# A tool's link line: the packages of exactly the folders it links.
tool_pkgs = $(sort $(foreach f,$(LINK_$(1)),$(PKGS_$(f))))

PROTOS := $(wildcard proto/*.proto)
GEN_C := $(patsubst proto/%.proto,$(O)/gen/%.pb-c.c,$(PROTOS))
GEN_H := $(GEN_C:.c=.h)
folder_objs = $(patsubst %.c,$(O)/obj/%.o,$(wildcard $(DIR_$(1))/*.c)) \
	$(if $(filter milvus,$(1)),$(patsubst $(O)/gen/%.c,$(O)/obj/gen/%.o,$(GEN_C)))
folder_lib = $(O)/libmvs-$(1).a
ALL_INCS := $(foreach f,$(FOLDERS),-I$(DIR_$(f))) -I$(O)/gen
ALL_PKGS := $(sort $(foreach f,$(FOLDERS),$(PKGS_$(f))))
# The whole library in one archive, for the unit tests, the test tools and the benchmarks.
LIBMVS := $(O)/libmvs.a
LIBMVS_OBJS := $(foreach f,$(FOLDERS),$(call folder_objs,$(f)))
LIBS := $(call pkg_libs,$(ALL_PKGS)) -lpthread -lm
ALL_CFLAGS := $(BASE_CFLAGS) $(ALL_INCS) $(call pkg_cflags,$(ALL_PKGS))

TOOLS := $(patsubst cmd/%/,%,$(filter-out cmd/common/,$(sort $(dir $(wildcard cmd/*/main.c)))))
TOOL_BINS := $(addprefix $(BIN)/,$(TOOLS))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRC))
# Helper programs that shell tests and benchmarks call (not run as tests themselves).
TOOL_SRC := $(wildcard tests/tools/*.c)
TESTTOOL_BINS := $(patsubst tests/tools/%.c,$(O)/tests/tools/%,$(TOOL_SRC))
MAN_PAGES := $(wildcard man/*.[1-8])
LAYOUT_OK := $(O)/layout.ok
# scripts/check-layout's rules: 'DIR=USED_DIRS :PACKAGES' per folder and per tool.
LAYOUT_RULES := $(foreach f,$(FOLDERS),'$(DIR_$(f))=$(foreach u,$(USES_$(f)),$(DIR_$(u))) :$(PKGS_$(f))') \
	$(foreach t,$(TOOLS),'cmd/$(t)=$(foreach u,$(LINK_$(t)),$(DIR_$(u))) :')

.PHONY: all layout deps check check-valgrind check-asan test-deps fuzz demo bench install uninstall clean image
.DEFAULT_GOAL := all
.SECONDARY: $(GEN_C) $(GEN_H)

all: $(TOOL_BINS) $(LIBMVS) $(UNIT_BINS) $(TESTTOOL_BINS)

# The build and test dependencies (scripts/bootstrap ran at parse time).
deps:
	@echo "mvs: build and test dependencies are installed"

# The folder rules alone (the build checks them before compiling anything).
layout:
	sh scripts/check-layout $(LAYOUT_RULES)

$(LAYOUT_OK): scripts/check-layout $(wildcard lib/*/*.[ch] cmd/*/*.[ch])
	@mkdir -p $(dir $@)
	$(call say,LAYOUT,scripts/check-layout)
	$(Q)sh scripts/check-layout $(LAYOUT_RULES) && touch $@

$(O)/gen/%.pb-c.c $(O)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(O)/gen
	$(call say,PROTOC,$<)
	$(Q)protoc-c --proto_path=proto --c_out=$(O)/gen $<

$(O)/obj/gen/%.o: $(O)/gen/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(call pkg_cflags,libprotobuf-c) -I$(O)/gen -Wno-unused-parameter -c -o $@ $<

# One compile rule and one archive per folder.
define folder_rule
$(O)/obj/$(DIR_$(1))/%.o: $(DIR_$(1))/%.c $(if $(filter $(1) $(USES_$(1)),$(GEN_USERS) milvus),$(GEN_H)) | $(LAYOUT_OK)
	@mkdir -p $$(dir $$@)
	$$(call say,CC,$$@)
	$$(Q)$$(CC) $$(BASE_CFLAGS) $$(call folder_incs,$(1)) $$(call pkg_cflags,$$(call link_pkgs,$(1))) -c -o $$@ $$<

$(call folder_lib,$(1)): $(call folder_objs,$(1))
	@mkdir -p $$(dir $$@)
	$$(call say,AR,$$@)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach f,$(FOLDERS),$(eval $(call folder_rule,$(f))))

$(LIBMVS): $(LIBMVS_OBJS)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# One rule per tool: bin/mvs-x from cmd/mvs-x/*.c, compiled with the include paths of the folders it
# links and linked with those folders' archives and packages only.
define tool_rule
$(O)/obj/cmd/$(1)/%.o: cmd/$(1)/%.c $(if $(filter milvus,$(LINK_$(1))),$(GEN_H)) | $(LAYOUT_OK)
	@mkdir -p $$(dir $$@)
	$$(call say,CC,$$@)
	$$(Q)$$(CC) $$(BASE_CFLAGS) $(foreach f,$(LINK_$(1)),-I$(DIR_$(f))) $(if $(filter milvus,$(LINK_$(1))),-I$(O)/gen) \
		$$(call pkg_cflags,$$(call link_pkgs,$(LINK_$(1)))) -c -o $$@ $$<

$(BIN)/$(1): $(patsubst cmd/%.c,$(O)/obj/cmd/%.o,$(wildcard cmd/$(1)/*.c)) $(foreach f,$(LINK_$(1)),$(call folder_lib,$(f)))
	@mkdir -p $$(dir $$@)
	$$(call say,LD,$$@)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(filter %.a,$$^) \
		$$(call pkg_libs,$$(call tool_pkgs,$(1))) -lpthread -lm
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

# The container image (Dockerfile), tagged mvs:$(VERSION) and mvs:latest. It builds inside docker, so
# it needs docker, not the build packages; where debian:12-slim cannot be pulled, scripts/debian-base
# builds that base from Debian's packages first. The build stage is kept as mvs-build:$(VERSION), the
# next build's cache; the images these tags leave behind (labelled mvs.stage) are removed.
image:
	@command -v docker >/dev/null || { echo "make image: docker is not installed (Debian: apt-get install docker.io)" >&2; exit 1; }
	base=$$(sh scripts/debian-base) && \
	set -- --build-arg BASE=$$base --build-arg VERSION=$(VERSION) \
		--build-arg SOURCE="$$(git config --get remote.origin.url 2>/dev/null | sed 's,//[^/@]*@,//,')" \
		--build-arg REVISION="$$(git rev-parse HEAD 2>/dev/null)" && \
	docker build "$$@" --target build -t mvs-build:$(VERSION) . && \
	docker build "$$@" -t mvs:$(VERSION) -t mvs:latest . && \
	docker image prune -f --filter label=mvs.stage >/dev/null

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS))
	for page in $(MAN_PAGES); do \
		section=$${page##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$section/$${page##*/}; done

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
