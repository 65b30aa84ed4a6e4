# slat-map: a picture of a guest's address space (include/slat/map_svg.h).
# The drawing and the reader of slat_dump() text live in the hosted library;
# the command is installed: it draws dumps that embedders' own hypervisors
# write with slat_dump_file(), away from this source tree.
libslat_hosted_la_SOURCES += lib/hosted/runs.c lib/hosted/map_page.h \
	lib/hosted/map_svg.c lib/hosted/map_overview.c lib/hosted/map_views.c
slatinclude_HEADERS += include/slat/map_svg.h

bin_PROGRAMS = tools/slat-map/slat-map
tools_slat_map_slat_map_SOURCES = tools/slat-map/slat-map.c
tools_slat_map_slat_map_LDADD = libslat-hosted.la libslat.la
man1_MANS = tools/slat-map/slat-map.1
EXTRA_DIST += $(man1_MANS)

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_map
TESTS += tests/unit/test_map
endif
tests_unit_test_map_SOURCES = tests/unit/test_map.c
tests_unit_test_map_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_map_LDADD = $(UNIT_LDADD)
tests_unit_test_map_LDFLAGS = $(UNIT_LINK)

# The page in a real browser: headless Chromium loads it from file://
# (SKIP, exit 77, without chromium). Keeps tests/map/slat-map-demo.png and
# tests/map/slat-map-overview.png in the build directory. Before it, the
# command line: a dump read back draws the page of the live table.
TESTS += tests/map/cli.sh tests/map/browser.sh
EXTRA_DIST += tests/map/cli.sh tests/map/browser.sh tests/map/probe.html
CLEANFILES = tests/map/*.html tests/map/*.png tests/map/*.dom tests/map/cli.* \
	tests/map/chromium.log slat-map-demo.html

map: tools/slat-map/slat-map
	./tools/slat-map/slat-map --demo -o slat-map-demo.html
	@echo "slat-map: wrote slat-map-demo.html"
.PHONY: map
