# SPDX-License-Identifier: GPL-2.0-or-later
#
# The ism command, over libxenism.

bin_PROGRAMS += ism
ism_SOURCES = frontend-linux/cli/ism.c frontend-linux/cli/parse.c \
	frontend-linux/cli/parse.h
ism_CPPFLAGS = $(ISM_FE_CPPFLAGS)
ism_LDADD = frontend-linux/lib/libxenism.la

# The parsers, tested alone.
check_PROGRAMS += frontend-linux/tests/test-cli-parse
TESTS += frontend-linux/tests/test-cli-parse
frontend_linux_tests_test_cli_parse_SOURCES = \
	frontend-linux/tests/test-cli-parse.c frontend-linux/cli/parse.c
frontend_linux_tests_test_cli_parse_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
