# Allocators that do not zero (SLAT_FEAT_ALLOC_UNZEROED, issue 8). Included from Makefile.am.
if HAVE_CMOCKA
UNZEROED_TESTS = tests/unit/test_unzeroed
check_PROGRAMS += $(UNZEROED_TESTS)
TESTS += $(UNZEROED_TESTS)
endif
tests_unit_test_unzeroed_SOURCES = tests/unit/test_unzeroed.c
tests_unit_test_unzeroed_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_unzeroed_LDADD = $(UNIT_LDADD)
tests_unit_test_unzeroed_LDFLAGS = $(UNIT_LINK)
