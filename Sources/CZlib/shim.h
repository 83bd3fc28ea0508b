// zlib: deflateInit2 is a macro; this forwards it.
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

static inline int czlib_deflate_init2(z_stream *s, int level, int windowBits, int memLevel) {
    return deflateInit2(s, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
static inline int czlib_inflate_init2(z_stream *s, int windowBits) { return inflateInit2(s, windowBits); }
#endif
