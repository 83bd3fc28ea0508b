// libpq (PostgreSQL's C client): the queue's PostgreSQL backend. PG_DIAG_SQLSTATE is a character macro,
// re-exported as a constant; the notice processor that keeps server notices off stderr is a C function.
#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#include <libpq-fe.h>

static const int clibpq_diag_sqlstate = PG_DIAG_SQLSTATE;
static void clibpq_ignore_notice(void *arg, const char *message) { (void)arg; (void)message; }
static inline void clibpq_silence_notices(PGconn *conn) { PQsetNoticeProcessor(conn, clibpq_ignore_notice, 0); }
#endif
