# SLAT_FEAT_CONCURRENT, piece by piece (issue 8 item 1). Included from
# Makefile.am. Static: the test reaches the range lock's internals.
if HAVE_CMOCKA
CONCURRENT_CORE_TESTS = tests/unit/test_concurrent_core
check_PROGRAMS += $(CONCURRENT_CORE_TESTS)
TESTS += $(CONCURRENT_CORE_TESTS)
endif
tests_unit_test_concurrent_core_SOURCES = tests/unit/test_concurrent_core.c
tests_unit_test_concurrent_core_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_concurrent_core_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_concurrent_core_LDADD = $(UNIT_LDADD) -lpthread
tests_unit_test_concurrent_core_LDFLAGS = $(UNIT_LINK) -static
