# The core's invalidation policy (lib/inval.h): unit tests.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_inval
TESTS += tests/unit/test_inval
endif
tests_unit_test_inval_SOURCES = tests/unit/test_inval.c
tests_unit_test_inval_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_inval_LDADD = $(UNIT_LDADD)
# -static: the test calls the core's internal functions, which libslat.so hides.
tests_unit_test_inval_LDFLAGS = $(UNIT_LINK) -static
