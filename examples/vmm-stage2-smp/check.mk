# Wiring of examples/vmm-stage2-smp into the top-level build (make check,
# make run-vmm-stage2-smp): ../vmm-stage2's hypervisor on two host CPUs,
# CPU 1 changing the stage-2 table while the guest runs on CPU 0.
#
# Like examples/vmm-stage2, the VMM has its own Makefile; every output goes
# under $(VMM_STAGE2_SMP_O) in the build tree, so that the source tree may
# be read-only (make distcheck).

VMM_STAGE2_SMP_O = $(abs_top_builddir)/examples/vmm-stage2-smp/build
VMM_STAGE2_SMP_MAKE = $(MAKE) -C $(srcdir)/examples/vmm-stage2-smp \
	O='$(VMM_STAGE2_SMP_O)' LIBSLAT='$(abs_top_srcdir)' \
	VMM='$(abs_top_srcdir)/examples/vmm-stage2'

# One run with two CPUs, and the scratch build without CPU 1's invalidations
# that must fail: exit 0 both as expected, 1 not, 77 skipped (no cross
# compiler or QEMU), 99 build error.
TESTS += examples/vmm-stage2-smp/run-check.sh
AM_TESTS_ENVIRONMENT += VMM_STAGE2_SMP_O='$(VMM_STAGE2_SMP_O)'; export VMM_STAGE2_SMP_O;

# What make dist ships of the example (see examples/vmm-stage2/check.mk for
# why this is a dist-hook and not EXTRA_DIST).
VMM_STAGE2_SMP_DIST = \
	Makefile run-check.sh README.md .gitignore \
	churn.h pages.h smp.h smp_protocol.h table_mode.h \
	checks.c churn.c guest_smp.c smp.c smp_main.c table_mode.c cpu1_entry.S

dist-hook: dist-vmm-stage2-smp
dist-vmm-stage2-smp:
	$(MKDIR_P) $(distdir)/examples/vmm-stage2-smp
	for f in $(VMM_STAGE2_SMP_DIST); do \
	  cp -fp $(srcdir)/examples/vmm-stage2-smp/$$f $(distdir)/examples/vmm-stage2-smp/$$f || exit 1; \
	done

# Boot it in QEMU with the console on this terminal (quit: Ctrl-A x).
run-vmm-stage2-smp:
	$(VMM_STAGE2_SMP_MAKE) run

clean-vmm-stage2-smp:
	-$(VMM_STAGE2_SMP_MAKE) clean

clean-local: clean-vmm-stage2-smp

.PHONY: run-vmm-stage2-smp clean-vmm-stage2-smp dist-vmm-stage2-smp
