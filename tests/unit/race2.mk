# Two software mutators and the hardware's accessed/dirty updates at the race
# point of lib/core.h, on a SLAT_FEAT_CONCURRENT table (tests/unit/test_race2.c).
# Its own copy of the library, built with SLAT_TEST_RACE, as test_race has.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_race2
TESTS += tests/unit/test_race2
endif
tests_unit_test_race2_SOURCES = tests/unit/test_race2.c tests/unit/harness.c \
	$(libslat_la_SOURCES) $(libslat_hosted_la_SOURCES)
tests_unit_test_race2_CPPFLAGS = $(UNIT_CPPFLAGS) -DSLAT_TEST_RACE
tests_unit_test_race2_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_race2_LDADD = $(CMOCKA_LIBS) -lpthread
tests_unit_test_race2_LDFLAGS = $(UNIT_LINK) -pthread
