# drainit: a container init that drains before it kills.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
VERSION = 0.1.0

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror
CPPFLAGS += -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -MMD -MP
# Hardening, always: stack protector and clash protection, position
# independent code, full RELRO, no executable stack; FORTIFY_SOURCE except
# under sanitizers (they replace the same functions). The dynamic build is
# a PIE; the static one is a plain static executable.
HARDEN = -fstack-protector-strong -fstack-clash-protection -fPIE
HARDEN_LD = -Wl,-z,relro,-z,now -Wl,-z,noexecstack
# make check SANITIZE=address,undefined
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
else
CPPFLAGS += -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2
endif
ALL_CFLAGS = -std=gnu11 $(WARN) $(HARDEN) $(CFLAGS)
LDLIBS = -lcap
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

B = build
SRC = $(wildcard init/*.c)
OBJ = $(SRC:init/%.c=$(B)/obj/%.o)
LIBOBJ = $(filter-out $(B)/obj/main.o,$(OBJ))
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_OBJ = $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%.o)
HELPERS = $(patsubst tests/helpers/%.c,$(B)/helpers/%,$(wildcard tests/helpers/*.c))
PRELOADS = $(patsubst tests/preload/%.c,$(B)/helpers/%.so,$(wildcard tests/preload/*.c))

all: $(B)/drainit

$(B)/drainit: $(OBJ)
	$(CC) -pie $(HARDEN_LD) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

$(B)/obj/%.o: init/%.c | $(B)/obj
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The static build: musl, stripped, libcap.a linked in; what images and the
# release ship (docs/release.md). libcap.a is built for musl from Debian's
# libcap2 source package (tests/release/libcap.sh); the kernel headers musl
# lacks come from Debian's linux-libc-dev, through a folder of links.
# `make static` builds it for this machine as build/drainit-static;
# `make musl MARCH=arm64` cross-builds build/musl-arm64/drainit.
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
MARCH ?= $(HOST_ARCH)
MUSL_CC_amd64 = musl-gcc
MUSL_CC_arm64 = aarch64-linux-musl-gcc
TRIPLET_amd64 = x86_64-linux-gnu
TRIPLET_arm64 = aarch64-linux-gnu
M = $(B)/musl-$(MARCH)
MUSL_OBJ = $(SRC:init/%.c=$(M)/obj/%.o)
# -Os and a section per function and object, so that the linker drops
# what is never called; no unwind tables (C has no exceptions, and the
# release binary is stripped: 10 KiB less); no build path in the output.
# musl has no FORTIFY_SOURCE; the rest of the hardening is the same.
MUSL_CFLAGS = -std=gnu11 $(WARN) -Os -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fstack-protector-strong -fstack-clash-protection -ffile-prefix-map=$(CURDIR)=.
MUSL_CPPFLAGS = -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -MMD -MP -I$(M)/libcap/include -isystem $(M)/kernel

static: $(B)/drainit-static
$(B)/drainit-static: FORCE
	@tests/deps.sh static
	@$(MAKE) --no-print-directory musl MARCH=$(HOST_ARCH)
	cp $(B)/musl-$(HOST_ARCH)/drainit $@.tmp && mv $@.tmp $@

musl: $(M)/drainit
$(M)/drainit: $(MUSL_OBJ) $(M)/libcap/libcap.a
	$(MUSL_CC_$(MARCH)) -static -Wl,--gc-sections $(HARDEN_LD) -o $@ $(MUSL_OBJ) $(M)/libcap/libcap.a
	$(TRIPLET_$(MARCH))-strip --remove-section=.comment $@

$(M)/obj/%.o: init/%.c | $(M)/obj $(M)/libcap/libcap.a
	$(MUSL_CC_$(MARCH)) $(MUSL_CPPFLAGS) $(MUSL_CFLAGS) -c -o $@ $<

$(M)/libcap/libcap.a: tests/release/libcap.sh | $(M)/kernel
	tests/release/libcap.sh $(MARCH) $(M)/libcap

$(M)/kernel:
	@test -d /usr/include/$(TRIPLET_$(MARCH))/asm || { echo "drainit: no kernel headers for $(MARCH) (linux-libc-dev:$(MARCH))" >&2; exit 1; }
	mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$(TRIPLET_$(MARCH))/asm $@/asm

$(B)/unit/%.o: tests/unit/%.c | $(B)/unit
	$(CC) $(CPPFLAGS) -Iinit $(ALL_CFLAGS) -c -o $@ $<

$(B)/unit-tests: $(UNIT_OBJ) $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(B)/helpers/%: tests/helpers/%.c tests/helpers/signame.h tests/helpers/httpsrv.h | $(B)/helpers
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -lutil

# LD_PRELOAD shims the tests put under drainit (an allocation log); never
# sanitized, since they load into programs that are not.
$(B)/helpers/%.so: tests/preload/%.c | $(B)/helpers
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) -O2 -fPIC -shared -o $@ $<

$(B)/obj $(B)/unit $(B)/helpers $(M)/obj:
	mkdir -p $@

# check and demo first install missing Debian packages (as root), then
# build in a second make so that pkg-config sees what was installed.
check:
	@tests/deps.sh check
	@$(MAKE) --no-print-directory all $(B)/unit-tests $(HELPERS) $(PRELOADS)
	tests/run.sh

# The integration tests with drainit under valgrind's memcheck; fails on any
# memory error or leak in a log (tests/valgrind/run.sh). A normal build: no
# sanitizers, which valgrind cannot run under.
check-valgrind:
	@tests/deps.sh valgrind
	@$(MAKE) --no-print-directory all $(HELPERS) $(PRELOADS)
	tests/valgrind/run.sh

demo:
	@tests/deps.sh build
	@$(MAKE) --no-print-directory all $(HELPERS)
	tests/demo.sh

# Benchmarks, measured rather than asserted, side by side with tini,
# tini-static, dumb-init and catatonit in one run (docs/benchmarks.md), then
# readiness latency per condition (docs/benchmarks-readiness.md), then what
# one readiness probe costs, exec through podman against --ready-http.
bench:
	@tests/deps.sh peers container
	@$(MAKE) --no-print-directory all static $(HELPERS) $(B)/helpers/readyapp $(B)/helpers/freeport
	CC="$(CC)" tests/bench/peers.sh $(BENCH_ARGS)
	CC="$(CC)" tests/bench/ready-latency.sh $(BENCH_ARGS)
	tests/bench/probe-cost.sh $(BENCH_ARGS)

# A rolling termination under constant load, for drainit, tini, dumb-init
# and no init, each with the app as entrypoint and behind a bash script:
# requests sent and lost per pod stop (tests/e2e, README).
e2e:
	@tests/deps.sh peers
	@$(MAKE) --no-print-directory all $(HELPERS)
	tests/e2e/run.sh $(E2E_ARGS)

# Dockerfile.example built and run by a real container engine (podman),
# stopped with podman stop; base images built locally with debootstrap.
check-container:
	@tests/deps.sh container
	@$(MAKE) --no-print-directory release
	tests/container/run.sh

# make e2e's rolling termination with the real parts: podman containers of
# the image Dockerfile.example builds, exec probes through the engine, and
# HAProxy with an endpoints controller (tests/e2e/engine.sh, docs/e2e.md).
e2e-engine:
	@tests/deps.sh container e2e-engine
	@$(MAKE) --no-print-directory release
	tests/e2e/engine.sh $(E2E_ENGINE_ARGS)

# cppcheck and clang-tidy over init/, both silent (tests/lint/run.sh,
# init/.clang-tidy).
lint:
	@tests/deps.sh lint
	tests/lint/run.sh

# Every parser under libFuzzer (clang), FUZZ_SECONDS each; the seed
# corpora and the crashes turned into regression inputs are in tests/fuzz.
FUZZ_SECONDS ?= 60
fuzz:
	@tests/deps.sh fuzz
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# The release: dist/ with the static musl binaries for amd64 and arm64, a
# .deb of each, the image to COPY from and SHA256SUMS (docs/release.md).
release:
	@tests/deps.sh release
	tests/release/release.sh

# The release checked as shipped: its artefacts (tests/release/check.sh:
# static, hardened, lintian, the .debs installed and removed, arm64 under
# qemu-user), two builds byte for byte (tests/release/reproducible.sh), and
# the whole integration suite against the musl amd64 binary.
check-release: release
	@tests/deps.sh check
	@$(MAKE) --no-print-directory all $(HELPERS) $(PRELOADS)
	tests/release/check.sh
	tests/release/reproducible.sh
	DRAINIT=$(CURDIR)/dist/drainit-$(VERSION)-linux-amd64 tests/integration/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(B)/drainit $(DESTDIR)$(BINDIR)/drainit
	install -m 644 docs/drainit.8 $(DESTDIR)$(MANDIR)/man8/drainit.8

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/drainit $(DESTDIR)$(MANDIR)/man8/drainit.8

clean:
	rm -rf $(B) dist

.PHONY: all static musl release check-release FORCE check check-valgrind demo bench e2e e2e-engine check-container fuzz lint install uninstall clean
-include $(OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(MUSL_OBJ:.o=.d)
FORCE:
