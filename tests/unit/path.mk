# Issue 8: the one-page paths of map, unmap and protect against the range walk.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_path
TESTS += tests/unit/test_path
endif
tests_unit_test_path_SOURCES = tests/unit/test_path.c
tests_unit_test_path_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_path_LDADD = $(UNIT_LDADD)
tests_unit_test_path_LDFLAGS = $(UNIT_LINK)
