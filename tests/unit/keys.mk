# Host memory keys (SME C-bit, MKTME/TDX KeyIDs): unit tests only, no
# emulator here implements them.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_keys
TESTS += tests/unit/test_keys
endif
tests_unit_test_keys_SOURCES = tests/unit/test_keys.c
tests_unit_test_keys_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_keys_LDADD = $(UNIT_LDADD)
tests_unit_test_keys_LDFLAGS = $(UNIT_LINK)
