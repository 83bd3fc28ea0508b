// rename(2) that never replaces an existing target: renameat2(RENAME_NOREPLACE) on Linux (a syscall, since the
// glibc wrapper needs _GNU_SOURCE), renamex_np(RENAME_EXCL) on macOS.
#ifndef CRENAME_SHIM_H
#define CRENAME_SHIM_H
#include <errno.h>
#include <stdio.h>
#if defined(__linux__)
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
/// 0, or -1 with errno: EEXIST when `to` exists; ENOSYS or EINVAL when the kernel or file system cannot do it.
static inline int crename_noreplace(const char *from, const char *to) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
#else
    errno = ENOSYS;
    return -1;
#endif
}
#elif defined(__APPLE__)
/// 0, or -1 with errno: EEXIST when `to` exists; ENOTSUP when the file system cannot do it.
static inline int crename_noreplace(const char *from, const char *to) {
    return renamex_np(from, to, RENAME_EXCL);
}
#else
/// Not available here: the caller falls back to a check and rename(2).
static inline int crename_noreplace(const char *from, const char *to) {
    (void)from; (void)to;
    errno = ENOSYS;
    return -1;
}
#endif
#endif
