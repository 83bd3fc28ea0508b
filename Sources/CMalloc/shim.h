// The C library's allocator knobs (glibc's mallopt is not part of Swift's Glibc module).
#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
/// Caps glibc's per-thread heaps ("arenas") at `count`; returns 1 on success, 0 when glibc refused.
static inline int cmalloc_limit_arenas(int count) {
#ifdef M_ARENA_MAX
    return mallopt(M_ARENA_MAX, count);
#else
    return 0;
#endif
}
#else
/// Not glibc: nothing to cap.
static inline int cmalloc_limit_arenas(int count) { (void)count; return 0; }
#endif
#endif
