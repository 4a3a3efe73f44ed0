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

# A stripped, fully static, hardened binary (libcap.a included) for images:
# the release build.
static: $(B)/drainit-static
$(B)/drainit-static: $(OBJ)
	$(CC) -static $(HARDEN_LD) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)
	strip $@

$(B)/unit/%.o: tests/unit/%.c | $(B)/unit
	$(CC) $(CPPFLAGS) -Iinit $(ALL_CFLAGS) -c -o $@ $<

$(B)/unit-tests: $(UNIT_OBJ) $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(B)/helpers/%: tests/helpers/%.c tests/helpers/signame.h | $(B)/helpers
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -lutil

# LD_PRELOAD shims the tests put under drainit (an allocation log); never
# sanitized, since they load into programs that are not.
$(B)/helpers/%.so: tests/preload/%.c | $(B)/helpers
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) -O2 -fPIC -shared -o $@ $<

$(B)/obj $(B)/unit $(B)/helpers:
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
# readiness latency per condition (docs/benchmarks-readiness.md).
bench:
	@tests/deps.sh peers
	@$(MAKE) --no-print-directory all static $(HELPERS) $(B)/helpers/readyapp $(B)/helpers/freeport
	CC="$(CC)" tests/bench/peers.sh $(BENCH_ARGS)
	CC="$(CC)" tests/bench/ready-latency.sh $(BENCH_ARGS)

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
	tests/container/run.sh

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

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(B)/drainit $(DESTDIR)$(BINDIR)/drainit
	install -m 644 docs/drainit.8 $(DESTDIR)$(MANDIR)/man8/drainit.8

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/drainit $(DESTDIR)$(MANDIR)/man8/drainit.8

clean:
	rm -rf $(B)

.PHONY: all static check check-valgrind demo bench e2e check-container fuzz lint install uninstall clean
-include $(OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
