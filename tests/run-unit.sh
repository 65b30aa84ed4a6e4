#!/bin/sh
# Runs one unit-test program; under valgrind memcheck when configure found it.
# Any memory error or leak fails the test (exit 99), as a failed assertion does.
if [ -n "$VALGRIND" ]; then
	exec $VALGRIND --quiet --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		"$@"
fi
exec "$@"
