# orchestration_session: PGXS build.
#   make && sudo make install          build and install into the server of $(PG_CONFIG)
#   make installcheck                  regression + isolation suites against a running server
#   make WERROR=1                      warnings are errors (the test command and CI)
#   make prove_installcheck TAP=1      TAP tests (test/t/*.pl), each in its own cluster; not as root
#                                      (tools/run-tap.sh runs them, also as root)
#   tools/test-all.sh                  everything (see README)

EXTENSION   = orchestration_session
MODULE_big  = orchestration_session
OBJS        = src/orchestration_session.o \
              src/json_valid.o \
              src/json_fast.o \
              src/utf8_valid.o \
              src/json_fmgr.o \
              src/json_status.o \
              src/json_check_trigger.o \
              src/ids.o \
              src/args.o \
              src/spi_plans.o \
              src/session.o \
              src/session_lock.o \
              src/family.o \
              src/history_guard.o \
              src/maintenance.o \
              src/fanin.o
DATA        = orchestration_session--1.0.sql orchestration_session--1.1.sql \
              orchestration_session--1.2.sql \
              orchestration_session--1.0--1.1.sql orchestration_session--1.1--1.2.sql
PGFILEDESC  = "orchestration_session - orchestration sessions with C JSON validation and lifecycle"

REGRESS      = schema json_functions ids lifecycle lifecycle_errors maintenance guards history attack_surface orm privileges rls rls_views upstream_views reports search_path seeds fanin
REGRESS_OPTS = --inputdir=. --encoding=UTF8 --load-extension=$(EXTENSION)

ISOLATION      = finish_race transition_chain abandon_race history_race schema_rename lock_order repeatable_read finish_timing direct_sql_lock_order
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation --encoding=UTF8 --load-extension=$(EXTENSION)

# TAP tests (test/t/*.pl) only with TAP=1: they initdb their own clusters,
# which fails as root, and the plain `make installcheck` runs as root inside
# pg_virtualenv (tools/test-all.sh).  tools/run-tap.sh passes TAP=1.
ifdef TAP
TAP_TESTS   = 1
PROVE_TESTS = test/t/*.pl
endif

PG_CONFIG ?= pg_config
# Warnings for everyone; errors only where we ask for them (WERROR=1: the
# test command and CI), so a newer compiler's new warning never breaks a
# user's build.
WARNING_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ifdef WERROR
WARNING_CFLAGS += -Werror
endif
# Only the fmgr entry points and the module magic are exported (src/pg_compat.h
# marks them); every other symbol stays inside the library, so it cannot clash
# with another loaded module.
PG_CFLAGS += $(WARNING_CFLAGS) -fvisibility=hidden

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The TAP tests alone (PGXS runs them only at the end of installcheck).
# PROVE_FLAGS is reset by Makefile.global, so it is set after the include;
# override it on the command line (PROVE_FLAGS=--verbose).
.PHONY: prove_installcheck
ifdef TAP
PROVE_FLAGS = --timer
prove_installcheck:
	$(prove_installcheck)
else
prove_installcheck:
	@echo 'TAP tests run only with TAP=1 (and not as root): make prove_installcheck TAP=1, or tools/run-tap.sh' >&2; exit 2
endif

# The libpq client that plays an application (test/libpq_client.c).
LIBPQ_CFLAGS = -I$(shell $(PG_CONFIG) --includedir) -O2 $(WARNING_CFLAGS)
LIBPQ_LIBS   = -L$(shell $(PG_CONFIG) --libdir) -lpq
test/libpq_client: test/libpq_client.c
	$(CC) $(LIBPQ_CFLAGS) -o $@ $< $(LIBPQ_LIBS)

.PHONY: libpq-check
libpq-check: test/libpq_client
	test/libpq_client

# JSON validation benchmarks: the engine harness (in memory), then the same
# corpus in the database, in a throwaway cluster (see BENCHMARKS.md).
.PHONY: bench-json
bench-json:
	$(MAKE) -C test/json bench
	LANG=C.UTF-8 pg_virtualenv -t bench/json/db_bench.sh bench/json/corpus

# make print-REGRESS, print-ISOLATION: the suite lists, for the test scripts.
print-%:
	@echo $($*)

# PGXS tracks no header dependencies: every object is rebuilt when a header changes.
$(OBJS): $(wildcard src/*.h)
