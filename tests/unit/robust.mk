# Misuse and corruption tests (issue 11, items 4 and 5), and the C++98
# header check. Included from Makefile.am.
if HAVE_CMOCKA
ROBUST_TESTS = tests/unit/test_misuse
check_PROGRAMS += $(ROBUST_TESTS)
TESTS += $(ROBUST_TESTS)
endif
tests_unit_test_misuse_SOURCES = tests/unit/test_misuse.c
tests_unit_test_misuse_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_misuse_LDADD = $(UNIT_LDADD)
tests_unit_test_misuse_LDFLAGS = $(UNIT_LINK)

# The headers in the strictest dialects libslat supports: C++98 and C99,
# pedantic, with -Wcast-qual, warnings as errors. The flags go after the
# project's own (-std=gnu11 for C), so the later -std wins.
HEADER_TESTS = tests/unit/test_cxx98 tests/unit/test_headers_c
check_PROGRAMS += $(HEADER_TESTS)
TESTS += $(HEADER_TESTS)
STRICT_WARN = -pedantic-errors -Wall -Wextra -Wcast-qual -Werror
tests_unit_test_cxx98_SOURCES = tests/unit/test_cxx98.cc
tests_unit_test_cxx98_CPPFLAGS = $(AM_CPPFLAGS)
tests_unit_test_cxx98_CXXFLAGS = -std=c++98 $(STRICT_WARN)
tests_unit_test_cxx98_LDADD = libslat-hosted.la libslat.la
tests_unit_test_cxx98_LDFLAGS = $(UNIT_LINK)
tests_unit_test_headers_c_SOURCES = tests/unit/test_headers_c.c
tests_unit_test_headers_c_CPPFLAGS = $(AM_CPPFLAGS)
tests_unit_test_headers_c_CFLAGS = $(AM_CFLAGS) -std=c99 $(STRICT_WARN)
tests_unit_test_headers_c_LDADD = libslat-hosted.la libslat.la
tests_unit_test_headers_c_LDFLAGS = $(UNIT_LINK)

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_corrupt
TESTS += tests/unit/test_corrupt
endif
tests_unit_test_corrupt_SOURCES = tests/unit/test_corrupt.c
tests_unit_test_corrupt_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_corrupt_LDADD = $(UNIT_LDADD)
tests_unit_test_corrupt_LDFLAGS = $(UNIT_LINK)
