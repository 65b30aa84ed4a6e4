# Several threads on one SLAT_FEAT_CONCURRENT table against a model
# (tests/unit/test_stress.c); under valgrind with the other unit tests.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_stress
TESTS += tests/unit/test_stress
endif
tests_unit_test_stress_SOURCES = tests/unit/test_stress.c
tests_unit_test_stress_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_stress_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_stress_LDADD = $(UNIT_LDADD) -lpthread
tests_unit_test_stress_LDFLAGS = $(UNIT_LINK) -pthread
