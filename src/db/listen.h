/* listen.h — a thread holding one dedicated connection that LISTENs on a
 * few channels and calls back on each notification. It reconnects with
 * backoff; after a reconnect it calls on_reconnect, because notifications
 * sent while it was away are lost and callers must assume anything changed. */
#ifndef DB_LISTEN_H
#define DB_LISTEN_H

struct db_listener;

typedef void (*db_notify_fn)(const char *channel, const char *payload, void *ud);
typedef void (*db_reconnect_fn)(void *ud);

/* channels: NULL-terminated identifiers. */
struct db_listener *db_listen_start(const char *conninfo, const char *const *channels,
    db_notify_fn on_notify, db_reconnect_fn on_reconnect, void *ud);
void db_listen_stop(struct db_listener *l);

#endif
