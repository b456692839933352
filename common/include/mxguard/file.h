/* Whole small files (configuration, baselines) read into memory with a size bound. */
#ifndef MXGUARD_FILE_H
#define MXGUARD_FILE_H

#include <stddef.h>

/* Reads the file at path, at most max bytes, into a heap buffer with a NUL after *len bytes.
 * NULL with "path: reason" in err when it cannot be opened (errno then tells why: ENOENT for a
 * missing file), cannot be read, or holds more than max bytes. */
char *mxg_file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
