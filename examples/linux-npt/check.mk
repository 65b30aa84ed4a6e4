# Wiring of examples/linux-npt into the top-level build: make check runs
# one bounded boot-and-churn run; make run-linux-npt boots to a shell.
#
# As for vmm-npt, the example has its own freestanding Makefile and every
# output goes under $(LINUX_NPT_O) in the build tree (make distcheck has a
# read-only source tree).  It builds vmm-npt's shared sources itself.
LINUX_NPT_O = $(abs_top_builddir)/examples/linux-npt/build
LINUX_NPT_MAKE = $(MAKE) -C $(srcdir)/examples/linux-npt \
	O='$(LINUX_NPT_O)' LIBSLAT='$(abs_top_srcdir)' CC='$(CC)'

# Linux under QEMU: 0 passed, 1 failed, 77 skipped (no QEMU or no kernel), 99 build error.
TESTS += examples/linux-npt/run-check.sh
AM_TESTS_ENVIRONMENT += LINUX_NPT_O='$(LINUX_NPT_O)'; export LINUX_NPT_O;

EXTRA_DIST += \
	examples/linux-npt/Makefile examples/linux-npt/check.mk \
	examples/linux-npt/run-check.sh examples/linux-npt/README.md \
	examples/linux-npt/bootparam.h examples/linux-npt/churn.h \
	examples/linux-npt/hypercall.h examples/linux-npt/lnpt.h \
	examples/linux-npt/boot_linux.c examples/linux-npt/churn.c \
	examples/linux-npt/main.c examples/linux-npt/pool.c \
	examples/linux-npt/run.c \
	examples/linux-npt/guest/init examples/linux-npt/guest/slat-test.c

# Boot Linux under the hypervisor with a busybox shell on this terminal.
run-linux-npt:
	$(LINUX_NPT_MAKE) run

clean-linux-npt:
	-$(LINUX_NPT_MAKE) clean

clean-local: clean-linux-npt

.PHONY: run-linux-npt clean-linux-npt
