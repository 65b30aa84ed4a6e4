# Issue 8, W5 and W6: the linear map, slat_translate_perms(), the harvest scan.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_fastread
TESTS += tests/unit/test_fastread
endif
tests_unit_test_fastread_SOURCES = tests/unit/test_fastread.c
tests_unit_test_fastread_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_fastread_LDADD = $(UNIT_LDADD)
tests_unit_test_fastread_LDFLAGS = $(UNIT_LINK)
