# ocspbox: one static binary from our code, SQLite, mbedTLS, civetweb and
# cJSON, each fetched from Debian's source packages by third_party/fetch.sh
# and compiled here with our configuration (none assumes the host: CC may
# be a cross compiler).
#   make               build/ocspbox, statically linked
#   make SAN=asan      build/asan/ocspbox with ASan+UBSan (clang, dynamic)
#   make SAN=tsan      build/tsan/ocspbox with TSan
#   make build/dyn/ocspbox  the same as build/ocspbox, linked dynamically
#                      (for tests that preload libfaketime)
#   make test          every test (installs what is missing first)
#   make fuzz          the libFuzzer targets, in build/fuzz/
#   make format        clang-format our sources in place

SAN ?=
# make ARCH=amd64, arm64 or armhf: the binary make dist ships for that Debian
# architecture, in build/ARCH/, from any of them (Debian's cross
# compilers: scripts/deps.sh dist), without -g; the rest of the build is
# the same as build/ocspbox's.
# Only from make's command line: ARCH in the environment is often another
# tool's (a kernel build's ARCH=x86_64, say).
ifneq ($(origin ARCH),command line)
ARCH :=
endif
TRIPLET_amd64 := x86_64-linux-gnu
TRIPLET_arm64 := aarch64-linux-gnu
TRIPLET_armhf := arm-linux-gnueabihf
ifneq ($(ARCH),)
ifeq ($(TRIPLET_$(ARCH)),)
$(error ARCH must be amd64, arm64 or armhf)
endif
ifneq ($(SAN),)
$(error ARCH and SAN do not go together)
endif
CC := $(TRIPLET_$(ARCH))-gcc
AR := $(TRIPLET_$(ARCH))-ar
OPT := -O2
endif
ifeq ($(SAN),)
CC ?= cc
BUILD := build$(ARCH:%=/%)
SANFLAGS :=
LDSTATIC := -static
else ifeq ($(SAN),asan)
CC := clang
BUILD := build/asan
SANFLAGS := -DOB_TEST_HOOKS -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
LDSTATIC :=
else ifeq ($(SAN),tsan)
CC := clang
BUILD := build/tsan
SANFLAGS := -DOB_TEST_HOOKS -fsanitize=thread -fno-omit-frame-pointer
LDSTATIC :=
else
$(error SAN must be empty, asan or tsan)
endif

TP := build/third_party
CIVETWEB := $(TP)/civetweb
SQLITE := $(TP)/sqlite3/amalgamation
MBEDTLS := $(TP)/mbedtls

# Every file that includes an SQLite or mbedTLS header finds ours first,
# whatever /usr/include holds, and mbedTLS's headers our configuration.
TP_CPPFLAGS := -I$(SQLITE) -I$(MBEDTLS)/include -Ithird_party/mbedtls \
	-DMBEDTLS_CONFIG_FILE='"ocspbox_config.h"'
ifneq ($(MBEDTLS_BENCH),)
TP_CPPFLAGS += -DOCSPBOX_MBEDTLS_BENCH='"$(abspath $(MBEDTLS_BENCH))"'
endif
ifneq ($(DEBIAN_LIBS),)
TP_CPPFLAGS := # bench/own.sh: see DEBIAN_LIBS below
endif

GEN := build/gen
# 64-bit file offsets and time_t on 32-bit ARM (armhf) too, in every
# file, ours and not: certificates valid past 2038 are common.
LFS := -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
CPPFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(LFS) \
	-Isrc $(TP_CPPFLAGS)
OPT ?= -O2 -g
# Size (issue 16: the stripped binary at most 2 MB): each function and
# object in a section of its own, so that the link drops what nothing
# calls (--gc-sections); and no unwind tables, which C needs only for
# pthread_cancel and backtraces, neither of which ocspbox uses (a
# quarter of a megabyte). Paths inside the binary relative to the tree,
# wherever it was built (reproducible builds).
# Not in the sanitizer builds: their reports unwind with those tables.
ifeq ($(SAN),)
SIZEFLAGS := -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -ffile-prefix-map=$(CURDIR)/=
LDSIZE := -Wl,--gc-sections
else
SIZEFLAGS := -ffile-prefix-map=$(CURDIR)/=
LDSIZE :=
endif
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith
CFLAGS_OURS := $(OPT) $(SIZEFLAGS) $(WARN) $(SANFLAGS) -fstack-protector-strong \
	-D_FORTIFY_SOURCE=2
# civetweb is not ours: no -Werror, and only the features we use: no SSL,
# CGI, Lua or file serving. (NO_FILESYSTEMS would also need our own logging
# hooks compiled into civetweb; without document_root or log files set,
# civetweb opens no file anyway.)
# STOP_FLAG_NEEDS_LOCK: civetweb's stop flag is otherwise a plain int
# written by mg_stop and read by workers, a data race TSan reports.
CIVETWEB_DEFS := -DNO_SSL -DNO_CGI -DNO_FILES -DNO_CACHING -DUSE_IPV6 \
	-DSTOP_FLAG_NEEDS_LOCK
CFLAGS_TP := $(OPT) $(SIZEFLAGS) $(LFS) $(SANFLAGS) -w -D_GNU_SOURCE $(CIVETWEB_DEFS) \
	-I$(CIVETWEB)/include

# SQLite as ocspbox uses it (https://sqlite.org/compile.html), in
# bench/own.sh's order, which measures each choice:
# - THREADSAFE=2: connections without a mutex of their own; store.c opens
#   one per thread and never shares it (Debian's is 1, serialized);
# - DEFAULT_MEMSTATUS=0: no global count of memory, whose mutex every
#   allocation of every thread would take (Debian's counts);
# - lookaside, SQLite's default, left on: small allocations from a
#   per-connection pool (Debian's build omits it);
# - the rest of SQLite's recommended options: DQS=0 (our SQL quotes
#   strings with ', names with "), LIKE_DOESNT_MATCH_BLOBS,
#   MAX_EXPR_DEPTH=0, USE_ALLOCA, and without what ocspbox does not call:
#   deprecated interfaces, shared cache, column declared types, progress
#   callbacks, extension loading (so no dlopen), the JSON functions. None
#   of these needs a regenerated parser, which the amalgamation has built
#   in; nothing is enabled that SQLite leaves off (Debian's FTS, R*Tree,
#   sessions, SECURE_DELETE and more).
# And what SQLite's configure finds in any Linux C library, which the
# amalgamation alone cannot know: usleep (without it a busy timeout
# sleeps in whole seconds, and one under a second not at all),
# fdatasync, the thread-safe localtime_r and gmtime_r, and the rest; and
# USE_PREAD, which configure leaves off: a page read is one pread, not
# an lseek and a read (at a million certificates a random lookup reads
# about two pages the connection's cache does not hold).
# What third_party/sqlite3/omit.opt leaves out of SQLite's grammar
# (the amalgamation is generated without it too).
SQLITE_OMIT := $(shell grep '^-D' third_party/sqlite3/omit.opt)
SQLITE_OPTS := -DSQLITE_THREADSAFE=2 -DSQLITE_DEFAULT_MEMSTATUS=0 \
	-DUSE_PREAD \
	-DSQLITE_DQS=0 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS \
	-DSQLITE_MAX_EXPR_DEPTH=0 -DSQLITE_USE_ALLOCA \
	-DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_SHARED_CACHE \
	-DSQLITE_OMIT_DECLTYPE -DSQLITE_OMIT_PROGRESS_CALLBACK \
	-DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_JSON \
	-DHAVE_USLEEP=1 -DHAVE_FDATASYNC=1 -DHAVE_LOCALTIME_R=1 \
	-DHAVE_GMTIME_R=1 -DHAVE_ISNAN=1 -DHAVE_STRCHRNUL=1 -DHAVE_STDINT_H=1 \
	-DHAVE_INTTYPES_H=1 $(SQLITE_OMIT)
# SQLite for size (issue 16): -Os makes it 270 KiB smaller, and costs
# about 5% of bench/micro's lookups (147-158k/s against 157-159k/s at
# -O2, in runs that drift more than that), nothing measurable through
# HTTP. Our code and civetweb stay at -O2: at -Os a cached GET was 15%
# slower (42-45k against 46-54k req/s, wrk, alternating runs), for 49 KB.
SQLITE_OPT := -Os
# Not ours either: the compiler's default warnings only (none today),
# but a function used undeclared, as a C library without it would leave
# it, is an error; hardened as Debian builds them.
CFLAGS_LIB := $(OPT) $(SIZEFLAGS) $(LFS) $(SANFLAGS) -Werror=implicit-function-declaration \
	-fstack-protector-strong -D_FORTIFY_SOURCE=2
# mbedTLS's files that crypto and X.509 need (the others, TLS first, are
# not compiled at all).
MBEDTLS_FILES := aes asn1parse asn1write base64 bignum constant_time \
	ctr_drbg ecdsa ecp ecp_curves entropy entropy_poll error hmac_drbg md \
	oid pem pk pk_wrap pkparse pkwrite platform_util rsa rsa_internal \
	sha1 sha256 sha512 threading x509 x509_crl x509_crt
MBEDTLS_SRCS := $(MBEDTLS_FILES:%=$(MBEDTLS)/library/%.c)
TP_LIBS := $(BUILD)/libsqlite3.a $(BUILD)/libmbedtls.a
LIBS := $(TP_LIBS) -lpthread -lm
# make bench only (bench/own.sh), each in a BUILD of its own:
# DEBIAN_LIBS=1 compiles our code against Debian's SQLite and mbedTLS
# (libsqlite3-dev, libmbedtls-dev) and links their static archives, as
# ocspbox was built before (not their shared libraries, which -l would
# take for a dynamic link);
# SQLITE_BENCH (-D and -U flags after SQLITE_OPTS) and MBEDTLS_BENCH (a
# header, included at the end of our mbedTLS configuration) change one
# choice at a time.
ifneq ($(DEBIAN_LIBS),)
TP_LIBS :=
LIBS := -l:libsqlite3.a -l:libmbedtls.a -l:libmbedx509.a -l:libmbedcrypto.a \
	-lpthread -lm -ldl
endif

SRCS := $(wildcard src/*.c)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
LIBOBJS := $(LIBSRCS:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/migrations.o \
	$(BUILD)/obj/web.o $(BUILD)/obj/version.o
CJSON := $(TP)/cjson
CWOBJ := $(BUILD)/obj/civetweb.o $(BUILD)/obj/cjson.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)

.PHONY: all test unit fuzz deps clean format format-check
all: $(BUILD)/ocspbox

deps:
	@sh scripts/deps.sh test

# One stamp for every source: two targets of one plain rule would run
# the fetch twice under make -j.
TP_OURS := $(wildcard third_party/*/*.patch third_party/*/*.inl third_party/*/*.opt)
$(TP)/fetched: third_party/fetch.sh $(TP_OURS)
	@sh third_party/fetch.sh $(TP)
	@touch $@
$(CIVETWEB)/src/civetweb.c $(CJSON)/cJSON.c $(SQLITE)/sqlite3.c \
    $(MBEDTLS_SRCS): $(TP)/fetched

$(GEN)/migrations.c: scripts/embed-schema.sh $(wildcard schema/*.sql)
	@mkdir -p $(@D)
	sh scripts/embed-schema.sh schema > $@.tmp && mv $@.tmp $@

$(GEN)/web.c: scripts/embed-web.sh $(wildcard web/*)
	@mkdir -p $(@D)
	sh scripts/embed-web.sh web > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/web.o: $(GEN)/web.c $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_OURS) -c -o $@ $<

# The version (scripts/version.sh: VERSION, and the commit in a git
# checkout), rewritten only when it changes: a new commit recompiles
# this one file and relinks.
$(GEN)/version.c: FORCE
	@mkdir -p $(@D)
	@v=$$(sh scripts/version.sh) && \
	    printf '%s\n' '/* Made by the Makefile (scripts/version.sh). */' \
	    '#include "ob.h"' "const char ob_version[] = \"$$v\";" >$@.tmp && \
	    if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

.PHONY: FORCE
FORCE:

$(BUILD)/obj/version.o: $(GEN)/version.c src/ob.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_OURS) -c -o $@ $<

$(BUILD)/obj/migrations.o: $(GEN)/migrations.c src/codec.h src/ob.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_OURS) -c -o $@ $<

$(BUILD)/obj/civetweb.o: $(CIVETWEB)/src/civetweb.c $(TP)/fetched Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TP) -c -o $@ $<

# cJSON is not ours either: its own flags, no -Werror.
$(BUILD)/obj/cjson.o: $(CJSON)/cJSON.c Makefile
	@mkdir -p $(@D)
	$(CC) $(OPT) $(SIZEFLAGS) $(LFS) $(SANFLAGS) -w -c -o $@ $<

$(BUILD)/obj/sqlite3.o: $(SQLITE)/sqlite3.c Makefile third_party/sqlite3/omit.opt
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_LIB) $(SQLITE_OPT) $(SQLITE_OPTS) $(SQLITE_BENCH) \
	    -c -o $@ $<

$(BUILD)/libsqlite3.a: $(BUILD)/obj/sqlite3.o
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/mbedtls/%.o: $(MBEDTLS)/library/%.c \
    third_party/mbedtls/ocspbox_config.h $(MBEDTLS_BENCH) Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_LIB) $(TP_CPPFLAGS) -c -o $@ $<

# Crypto and X.509 only, in one archive: the link takes what is used.
$(BUILD)/libmbedtls.a: $(MBEDTLS_FILES:%=$(BUILD)/obj/mbedtls/%.o)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) $(TP)/fetched \
    third_party/mbedtls/ocspbox_config.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(CIVETWEB)/include -I$(CJSON) $(CFLAGS_OURS) \
	    -c -o $@ $<

$(BUILD)/libocspbox.a: $(LIBOBJS) $(CWOBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/ocspbox: $(BUILD)/obj/main.o $(BUILD)/libocspbox.a $(TP_LIBS)
	$(CC) $(SANFLAGS) $(LDSTATIC) $(LDSIZE) -o $@ $(BUILD)/obj/main.o \
	    $(BUILD)/libocspbox.a $(LIBS) 2>$(BUILD)/link.log || \
	    { cat $(BUILD)/link.log; exit 1; }
	@grep -v -e 'statically linked applications requires' \
	    -e 'in function' $(BUILD)/link.log || true

# The same objects linked dynamically, for the tests that preload
# libfaketime into the server (LD_PRELOAD cannot reach into a static
# binary). Not shipped.
ifeq ($(SAN),)
build/dyn/ocspbox: build/obj/main.o build/libocspbox.a $(TP_LIBS)
	@mkdir -p $(@D)
	$(CC) -o $@ build/obj/main.o build/libocspbox.a $(LIBS)
endif

$(BUILD)/obj/harness.o: tests/unit/harness.c tests/unit/harness.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_OURS) -c -o $@ $<

# Unit tests link dynamically: they need no static binary, and ASan
# cannot be static.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/obj/harness.o $(BUILD)/libocspbox.a \
    $(TP_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit -I$(CJSON) $(CFLAGS_OURS) -o $@ $< \
	    $(BUILD)/obj/harness.o $(BUILD)/libocspbox.a $(LIBS)

# The gate's request scanner is static inside civetweb.c: its unit test
# and fuzz target compile the patched civetweb.c into themselves, with
# civetweb's flags, instead of linking libocspbox.a.
$(BUILD)/tests/test_gate: tests/unit/test_gate.c $(BUILD)/obj/harness.o \
    $(TP)/fetched
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TP) -I$(CIVETWEB)/src -Itests/unit -o $@ $< \
	    $(BUILD)/obj/harness.o -lpthread -ldl -lm

unit: $(UNIT_BINS)

# libFuzzer targets always use clang with ASan+UBSan.
FUZZFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined $(CPPFLAGS)
# The fuzzed parsers live in the pure modules: no I/O, no civetweb.
PURE_SRCS := src/util.c src/buf.c src/schema.c src/schema_lex.c src/index.c \
	src/ocsp_req.c src/der.c src/ocsp_get.c src/ocsp_resp.c src/crl.c
# Their mbedTLS is ours too, compiled with their sanitizers and with
# coverage, so that libFuzzer sees into the parsers it calls.
FUZZ_MBEDTLS := build/fuzz/libmbedtls.a
build/fuzz/obj/mbedtls/%.o: $(MBEDTLS)/library/%.c \
    third_party/mbedtls/ocspbox_config.h Makefile
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	    -fno-sanitize-recover=undefined \
	    -Werror=implicit-function-declaration $(TP_CPPFLAGS) -c -o $@ $<
$(FUZZ_MBEDTLS): $(MBEDTLS_FILES:%=build/fuzz/obj/mbedtls/%.o)
	rm -f $@
	$(AR) rcs $@ $^
build/fuzz/%: tests/fuzz/%.c $(PURE_SRCS) src/ob.h src/codec.h src/schema_int.h \
    $(FUZZ_MBEDTLS)
	@mkdir -p $(@D)
	clang $(FUZZFLAGS) -o $@ $< $(PURE_SRCS) $(FUZZ_MBEDTLS) -lpthread

# One checker of ocsp_req_parse's contract, included by the fuzz target
# and the unit test: either rebuilds when it changes.
build/fuzz/fuzz_ocsp_req $(BUILD)/tests/test_ocsp_req: \
    tests/fuzz/ocsp_req_check.h
$(BUILD)/tests/test_store $(BUILD)/tests/test_follow: \
    tests/unit/store_fixture.h

build/fuzz/fuzz_gate: tests/fuzz/fuzz_gate.c src/http_head.c src/codec.h \
    src/ob.h $(TP)/fetched
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -w -D_GNU_SOURCE $(CIVETWEB_DEFS) \
	    -I$(CIVETWEB)/include -I$(CIVETWEB)/src -Isrc -o $@ $< \
	    src/http_head.c

# The admin API's bodies: our parser over cJSON (not ours: no -Werror);
# respcert.c for the responder states the issuer document names.
build/fuzz/fuzz_api_json: tests/fuzz/fuzz_api_json.c src/api_json.c \
    $(PURE_SRCS) src/respcert.c $(wildcard src/*.h) $(TP)/fetched \
    $(FUZZ_MBEDTLS)
	@mkdir -p $(@D)
	clang $(FUZZFLAGS) -I$(CJSON) -o $@ $< src/api_json.c src/respcert.c \
	    $(PURE_SRCS) $(CJSON)/cJSON.c $(FUZZ_MBEDTLS) -lpthread

fuzz: $(FUZZ_BINS)

test: deps
	@$(MAKE) --no-print-directory all unit build/dyn/ocspbox
	@$(MAKE) --no-print-directory SAN=asan all unit
	@$(MAKE) --no-print-directory SAN=tsan all build/tsan/tests/test_cache \
	    build/tsan/tests/test_responder build/tsan/tests/test_follow
	@$(MAKE) --no-print-directory fuzz
	@MAKE="$(MAKE)" sh scripts/dist.sh >/dev/null
	@sh tests/run.sh

FORMAT_FILES = $(wildcard src/*.c src/*.h tests/unit/*.c tests/unit/*.h \
	tests/fuzz/*.c bench/*.c)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build

# Throughput beside nginx and openssl ocsp (bench/run.sh), and of our
# builds of SQLite and mbedTLS beside Debian's (bench/own.sh), then the
# scale run of a million certificates (bench/scale.sh); not part of make
# test.
$(BUILD)/bench/micro.o: bench/micro.c $(wildcard src/*.h) $(TP)/fetched
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_OURS) -c -o $@ $<

$(BUILD)/bench/micro: $(BUILD)/bench/micro.o $(BUILD)/libocspbox.a $(TP_LIBS)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/libocspbox.a $(LIBS)

bench: all build/bench/micro
	@sh scripts/deps.sh bench
	@sh bench/run.sh
	@sh bench/scale.sh

# The scale run alone (bench/scale.sh): a million certificates.
bench-scale: all build/bench/micro
	@sh scripts/deps.sh bench
	@sh bench/scale.sh
.PHONY: bench bench-scale

# Release files in build/dist/ (scripts/dist.sh): static binaries for
# amd64, arm64 and armhf, .debs for amd64 and arm64, SHA256SUMS.
dist:
	@sh scripts/deps.sh dist
	@MAKE="$(MAKE)" sh scripts/dist.sh
.PHONY: dist

# Builds, then sets up a demo issuer in demo/ and shows it.
demo: deps-build
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

deps-build:
	@sh scripts/deps.sh build
.PHONY: demo deps-build
