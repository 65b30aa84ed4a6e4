# slat_config::clean_tables, walkers that do not snoop the data cache: unit tests.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_clean
TESTS += tests/unit/test_clean
endif
tests_unit_test_clean_SOURCES = tests/unit/test_clean.c
tests_unit_test_clean_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_clean_LDADD = $(UNIT_LDADD)
tests_unit_test_clean_LDFLAGS = $(UNIT_LINK)
