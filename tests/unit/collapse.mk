# slat_collapse() and the iTLB-multihit policy: unit tests.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_collapse
TESTS += tests/unit/test_collapse
endif
tests_unit_test_collapse_SOURCES = tests/unit/test_collapse.c
tests_unit_test_collapse_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_collapse_LDADD = $(UNIT_LDADD)
tests_unit_test_collapse_LDFLAGS = $(UNIT_LINK)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_multihit
TESTS += tests/unit/test_multihit
endif
tests_unit_test_multihit_SOURCES = tests/unit/test_multihit.c
tests_unit_test_multihit_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_multihit_LDADD = $(UNIT_LDADD)
tests_unit_test_multihit_LDFLAGS = $(UNIT_LINK)
