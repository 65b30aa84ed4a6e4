# Manual pages (section 3, and the overview libslat(7)) and the installed
# HTML API documentation.
# Included from Makefile.am. Each function group has one page written in
# man(7) roff; every other function of the group has a one-line .so link
# page, so that `man slat_unmap` finds slat_map(3). tests/man-check.sh
# fails when a public function of include/slat/ has no page.

dist_man_MANS = \
	man/man3/slat_accessed.3 \
	man/man3/slat_attrs_make.3 \
	man/man3/slat_collapse.3 \
	man/man3/slat_dirty_harvest.3 \
	man/man3/slat_dump.3 \
	man/man3/slat_dump_file.3 \
	man/man3/slat_dump_parse.3 \
	man/man3/slat_ept_caps.3 \
	man/man3/slat_ept_caps_mktme.3 \
	man/man3/slat_ept_eptp.3 \
	man/man3/slat_ept_fault.3 \
	man/man3/slat_ept_fault_ctl.3 \
	man/man3/slat_ept_flush.3 \
	man/man3/slat_ept_invept.3 \
	man/man3/slat_ept_pml_drain.3 \
	man/man3/slat_errname.3 \
	man/man3/slat_exec_fault.3 \
	man/man3/slat_fault_kind_str.3 \
	man/man3/slat_for_each.3 \
	man/man3/slat_format_name.3 \
	man/man3/slat_gather_done.3 \
	man/man3/slat_gather_empty.3 \
	man/man3/slat_gather_flags.3 \
	man/man3/slat_gather_init.3 \
	man/man3/slat_gather_nranges.3 \
	man/man3/slat_gather_pages.3 \
	man/man3/slat_gather_range.3 \
	man/man3/slat_gather_table.3 \
	man/man3/slat_gpa.3 \
	man/man3/slat_hpa.3 \
	man/man3/slat_hw_access.3 \
	man/man3/slat_map.3 \
	man/man3/slat_map_html.3 \
	man/man3/slat_map_html_table.3 \
	man/man3/slat_multihit_affected.3 \
	man/man3/slat_npt_caps.3 \
	man/man3/slat_npt_caps_sme.3 \
	man/man3/slat_npt_fault.3 \
	man/man3/slat_npt_flush.3 \
	man/man3/slat_npt_ncr3.3 \
	man/man3/slat_payload_get.3 \
	man/man3/slat_payload_set.3 \
	man/man3/slat_pool_allocator.3 \
	man/man3/slat_pool_allocator_unzeroed.3 \
	man/man3/slat_pool_fail_after.3 \
	man/man3/slat_pool_fini.3 \
	man/man3/slat_pool_linear_offset.3 \
	man/man3/slat_pool_init.3 \
	man/man3/slat_wait_yield.3 \
	man/man3/slat_problem_str.3 \
	man/man3/slat_prot_perms.3 \
	man/man3/slat_protect.3 \
	man/man3/slat_runs_free.3 \
	man/man3/slat_runs_from_table.3 \
	man/man3/slat_runs_read.3 \
	man/man3/slat_split.3 \
	man/man3/slat_stage2_caps.3 \
	man/man3/slat_stage2_exec.3 \
	man/man3/slat_stage2_fault.3 \
	man/man3/slat_stage2_flush.3 \
	man/man3/slat_stage2_vtcr.3 \
	man/man3/slat_stage2_vttbr.3 \
	man/man3/slat_strerror.3 \
	man/man3/slat_table_destroy.3 \
	man/man3/slat_table_format.3 \
	man/man3/slat_table_init.3 \
	man/man3/slat_table_leaf_levels.3 \
	man/man3/slat_table_level_shift.3 \
	man/man3/slat_table_levels.3 \
	man/man3/slat_table_pages.3 \
	man/man3/slat_table_payload_bits.3 \
	man/man3/slat_table_root.3 \
	man/man3/slat_table_sw_positions.3 \
	man/man3/slat_translate.3 \
	man/man3/slat_translate_perms.3 \
	man/man3/slat_unmap.3 \
	man/man3/slat_validate.3 \
	man/man3/slat_version.3 \
	man/man3/slat_version_number.3 \
	man/man7/libslat.7

TESTS += tests/man-check.sh
EXTRA_DIST += tests/man-check.sh
# The example programs are built with this build's flags, so that they link
# in sanitizer and coverage builds too (and run under the sanitizers there).
AM_TESTS_ENVIRONMENT += \
	SLAT_EXAMPLE_CFLAGS='$(CFLAGS)'; export SLAT_EXAMPLE_CFLAGS; \
	SLAT_EXAMPLE_LDFLAGS='$(LDFLAGS)'; export SLAT_EXAMPLE_LDFLAGS;

# The Doxygen HTML goes to $(docdir)/html when doxygen is available.
slat_htmldir = $(docdir)/html
if HAVE_DOXYGEN
docs/html/index.html: docs/Doxyfile $(slatinclude_HEADERS) $(srcdir)/README.md
	$(AM_V_GEN)$(DOXYGEN) docs/Doxyfile

all-local: docs/html/index.html

install-data-local: docs/html/index.html
	@$(NORMAL_INSTALL)
	cd docs/html && find . -type d | while read -r d; do \
		$(MKDIR_P) "$(DESTDIR)$(slat_htmldir)/$$d" || exit 1; done
	cd docs/html && find . -type f | while read -r f; do \
		$(INSTALL_DATA) "$$f" "$(DESTDIR)$(slat_htmldir)/$$f" || exit 1; done

uninstall-local:
	@$(NORMAL_UNINSTALL)
	rm -rf "$(DESTDIR)$(slat_htmldir)"
endif

# Doxygen's log is written next to docs/html by every run.
clean-local: clean-slat-html
clean-slat-html:
	rm -f docs/doxygen-warnings.log
.PHONY: clean-slat-html
