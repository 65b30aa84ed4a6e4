/* SPDX-License-Identifier: MIT */
/* Printing for hosted programs. */

#include <slat/dump.h>
#include <slat/hosted.h>

static void to_file(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, (FILE *)ctx);
}

int slat_dump_file(const struct slat_table *t, slat_gpa_t gpa, uint64_t size,
		   FILE *f)
{
	return slat_dump(t, gpa, size, to_file, f);
}
