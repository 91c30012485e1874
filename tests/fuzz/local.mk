# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fuzz targets of the backend core: the control ring (request decoder and
# handlers), the parsers of xenstore values and paths, and the device
# state machine fed with hostile node values, and the restore of a
# daemon's saved state, damaged.
#
#  - Every build replays the committed corpora (tests/fuzz/corpus/<name>)
#    as TAP tests: replay.c calls the target on each file.
#  - ./configure CC=clang --enable-fuzzing builds the libFuzzer programs
#    tests/fuzz/fuzz-<name>; `make fuzz FUZZ_SECONDS=600` runs each in turn
#    on a scratch copy of its corpus (tests/fuzz/work/<name>).

ISM_FUZZ_CPPFLAGS = $(ISM_UNIT_CPPFLAGS) -I$(top_srcdir)/tests/unit
ISM_FUZZ_NAMES = request xsval device state

ISM_FUZZ_REPLAYS = tests/fuzz/replay-request tests/fuzz/replay-xsval \
	tests/fuzz/replay-device tests/fuzz/replay-state
check_PROGRAMS += $(ISM_FUZZ_REPLAYS)
TESTS += $(ISM_FUZZ_REPLAYS)
EXTRA_DIST += tests/fuzz/corpus

tests_fuzz_replay_request_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz-request.c
tests_fuzz_replay_request_CPPFLAGS = $(ISM_FUZZ_CPPFLAGS) \
	-DISM_FUZZ_TARGET='"request"'
tests_fuzz_replay_request_LDADD = $(ISM_CORE_LDADD)

tests_fuzz_replay_xsval_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-xsval.c
tests_fuzz_replay_xsval_CPPFLAGS = $(ISM_FUZZ_CPPFLAGS) \
	-DISM_FUZZ_TARGET='"xsval"'
tests_fuzz_replay_xsval_LDADD = backend/libismbackend.la

tests_fuzz_replay_device_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz-device.c
tests_fuzz_replay_device_CPPFLAGS = $(ISM_FUZZ_CPPFLAGS) \
	-DISM_FUZZ_TARGET='"device"'
tests_fuzz_replay_device_LDADD = $(ISM_CORE_LDADD)

tests_fuzz_replay_state_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-state.c
tests_fuzz_replay_state_CPPFLAGS = $(ISM_FUZZ_CPPFLAGS) \
	-DISM_FUZZ_TARGET='"state"'
tests_fuzz_replay_state_LDADD = $(ISM_CORE_LDADD)

if ISM_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-request tests/fuzz/fuzz-xsval \
	tests/fuzz/fuzz-device tests/fuzz/fuzz-state

tests_fuzz_fuzz_request_SOURCES = tests/fuzz/fuzz-request.c
tests_fuzz_fuzz_request_CPPFLAGS = $(ISM_FUZZ_CPPFLAGS)
tests_fuzz_fuzz_request_LDFLAGS = $(AM_LDFLAGS) $(ISM_FUZZ_LDFLAGS)
tests_fuzz_fuzz_request_LDADD = $(ISM_CORE_LDADD)

tests_fuzz_fuzz_xsval_SOURCES = tests/fuzz/fuzz-xsval.c
tests_fuzz_fuzz_xsval_CPPFLAGS = $(ISM_FUZZ_CPPFLAGS)
tests_fuzz_fuzz_xsval_LDFLAGS = $(AM_LDFLAGS) $(ISM_FUZZ_LDFLAGS)
tests_fuzz_fuzz_xsval_LDADD = backend/libismbackend.la

tests_fuzz_fuzz_device_SOURCES = tests/fuzz/fuzz-device.c
tests_fuzz_fuzz_device_CPPFLAGS = $(ISM_FUZZ_CPPFLAGS)
tests_fuzz_fuzz_device_LDFLAGS = $(AM_LDFLAGS) $(ISM_FUZZ_LDFLAGS)
tests_fuzz_fuzz_device_LDADD = $(ISM_CORE_LDADD)

tests_fuzz_fuzz_state_SOURCES = tests/fuzz/fuzz-state.c
tests_fuzz_fuzz_state_CPPFLAGS = $(ISM_FUZZ_CPPFLAGS)
tests_fuzz_fuzz_state_LDFLAGS = $(AM_LDFLAGS) $(ISM_FUZZ_LDFLAGS)
tests_fuzz_fuzz_state_LDADD = $(ISM_CORE_LDADD)
endif

FUZZ_SECONDS = 60
fuzz: all
	@for n in $(ISM_FUZZ_NAMES); do \
	  test -x tests/fuzz/fuzz-$$n || { echo "fuzz: configure CC=clang --enable-fuzzing first"; exit 1; }; \
	  mkdir -p tests/fuzz/work/$$n; \
	  cp $(abs_top_srcdir)/tests/fuzz/corpus/$$n/* tests/fuzz/work/$$n/; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	  tests/fuzz/fuzz-$$n -max_total_time=$(FUZZ_SECONDS) -jobs=1 \
	    -artifact_prefix=tests/fuzz/work/$$n- tests/fuzz/work/$$n || exit 1; \
	done

clean-fuzz:
	rm -rf tests/fuzz/work

PHONY_TARGETS += fuzz clean-fuzz
