// OpenSSL libcrypto, MD5 only. The low-level MD5 API is deprecated in OpenSSL 3 but its plain
// state struct is what lets a running checksum be saved and resumed (a tar appended across runs).
#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/md5.h>

static inline int copenssl_md5_init(MD5_CTX *c) { return MD5_Init(c); }
static inline int copenssl_md5_update(MD5_CTX *c, const void *data, size_t len) { return MD5_Update(c, data, len); }
static inline int copenssl_md5_final(unsigned char *md, MD5_CTX *c) { return MD5_Final(md, c); }
#endif
