// libarchive: cast macros re-exported as constants, and a typed archive_set_error.
#ifndef CARCHIVE_SHIM_H
#define CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

static const unsigned int carchive_ifreg = AE_IFREG;
static const unsigned int carchive_ifdir = AE_IFDIR;
static const unsigned int carchive_iflnk = AE_IFLNK;
static const unsigned int carchive_ifmt = AE_IFMT;

static inline void carchive_set_error(struct archive *a, int err, const char *message) {
    archive_set_error(a, err, "%s", message);
}
#endif
