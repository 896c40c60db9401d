/* ids.h — identifiers: UUID text checks, random UUIDs and request ids. */
#ifndef CORE_IDS_H
#define CORE_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define UUID_STR_LEN 36
#define REQUEST_ID_MAX 64

/* True for the canonical 8-4-4-4-12 hex form (either case). */
bool id_is_uuid(const char *s);
/* A random (v4) UUID in lower case; out must hold UUID_STR_LEN + 1. */
void id_uuid_v4(char out[UUID_STR_LEN + 1]);
/* A request id accepted from a client: 1..64 of [A-Za-z0-9._-]. */
bool id_request_id_ok(const char *s, size_t n);
/* A fresh request id (26 chars of base32 randomness). */
void id_request_id(char out[REQUEST_ID_MAX + 1]);

#endif
