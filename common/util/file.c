/* Whole small files read with a size bound (see file.h). */
#include "mxguard/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

char *mxg_file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		int saved = errno;
		mxg_fail(err, errlen, "%s: %s", path, strerror(saved));
		errno = saved;
		return NULL;
	}
	char *buf = max < (size_t)-1 ? malloc(max + 1) : NULL;
	*len = buf != NULL ? fread(buf, 1, max + 1, f) : 0;
	int bad = buf == NULL ? ENOMEM : ferror(f) ? errno : 0;
	fclose(f);
	if (bad != 0 || *len > max) {
		if (bad != 0)
			mxg_fail(err, errlen, "%s: %s", path, strerror(bad));
		else
			mxg_fail(err, errlen, "%s: larger than %zu bytes", path, max);
		free(buf);
		errno = bad != 0 ? bad : EFBIG; /* never a stale ENOENT: the file is there */
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}
