# Payload in absent entries (issue 9 item 2). Included from Makefile.am.
if HAVE_CMOCKA
PAYLOAD_TESTS = tests/unit/test_payload
check_PROGRAMS += $(PAYLOAD_TESTS)
TESTS += $(PAYLOAD_TESTS)
endif
tests_unit_test_payload_SOURCES = tests/unit/test_payload.c
tests_unit_test_payload_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_payload_LDADD = $(UNIT_LDADD)
tests_unit_test_payload_LDFLAGS = $(UNIT_LINK)
