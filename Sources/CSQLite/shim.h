// The system's SQLite, for the state store. Swift cannot import the SQLITE_TRANSIENT macro (a cast
// of -1 to a destructor pointer): the typed wrappers below pass it, so SQLite copies the bytes
// before the call returns. Every wrapper returns SQLite's code for the caller to check.
#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

static inline int csqlite_bind_text(sqlite3_stmt *statement, int index, const char *text, int bytes) {
    return sqlite3_bind_text(statement, index, text, bytes, SQLITE_TRANSIENT);
}

static inline int csqlite_bind_blob(sqlite3_stmt *statement, int index, const void *blob, int bytes) {
    return sqlite3_bind_blob(statement, index, blob, bytes, SQLITE_TRANSIENT);
}

#endif
