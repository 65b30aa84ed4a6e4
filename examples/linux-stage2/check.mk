# Wiring of examples/linux-stage2 into the top-level build (make check,
# make run-linux-stage2): Debian's arm64 kernel booted at EL1 by an EL2
# hypervisor on a libslat Stage-2 table that changes under it.
#
# Like examples/vmm-stage2, the hypervisor has its own Makefile; every
# output goes under $(LINUX_STAGE2_O) in the build tree, so that the
# source tree may be read-only (make distcheck).

LINUX_STAGE2_O = $(abs_top_builddir)/examples/linux-stage2/build
LINUX_STAGE2_MAKE = $(MAKE) -C $(srcdir)/examples/linux-stage2 \
	O='$(LINUX_STAGE2_O)' LIBSLAT='$(abs_top_srcdir)' \
	VMM='$(abs_top_srcdir)/examples/vmm-stage2'

# One bounded boot-and-churn run: exit 0 passed, 1 failed, 77 skipped (no
# cross compiler, QEMU, fdtput or cpio, or no kernel in the cache that
# scripts/fetch-linux.sh fills), 99 build error.
TESTS += examples/linux-stage2/run-check.sh
AM_TESTS_ENVIRONMENT += LINUX_STAGE2_O='$(LINUX_STAGE2_O)'; export LINUX_STAGE2_O;

# What make dist ships of the example (see examples/vmm-stage2/check.mk
# for why this is a dist-hook and not EXTRA_DIST).
LINUX_STAGE2_DIST = \
	Makefile run-check.sh README.md .gitignore \
	board.h churn.h guest_exit.h \
	churn.c guest_exit.c linux_main.c memtest.c init

dist-hook: dist-linux-stage2
dist-linux-stage2:
	$(MKDIR_P) $(distdir)/examples/linux-stage2
	for f in $(LINUX_STAGE2_DIST); do \
	  cp -fp $(srcdir)/examples/linux-stage2/$$f $(distdir)/examples/linux-stage2/$$f || exit 1; \
	done

# Boot Linux to an interactive busybox shell on this terminal (quit:
# "poweroff -f", or Ctrl-A x).
run-linux-stage2:
	$(LINUX_STAGE2_MAKE) run

clean-linux-stage2:
	-$(LINUX_STAGE2_MAKE) clean

clean-local: clean-linux-stage2

.PHONY: run-linux-stage2 clean-linux-stage2 dist-linux-stage2
