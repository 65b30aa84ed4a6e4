# No-access mappings that keep their target (issue 9 item 1). Included
# from Makefile.am.
if HAVE_CMOCKA
NOACCESS_TESTS = tests/unit/test_noaccess
check_PROGRAMS += $(NOACCESS_TESTS)
TESTS += $(NOACCESS_TESTS)
endif
tests_unit_test_noaccess_SOURCES = tests/unit/test_noaccess.c
tests_unit_test_noaccess_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_noaccess_LDADD = $(UNIT_LDADD)
tests_unit_test_noaccess_LDFLAGS = $(UNIT_LINK)
