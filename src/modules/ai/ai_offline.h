/* ai_offline.h — the built-in offline receptionist: a deterministic
 * provider behind llm.h that needs no model and no key. It reads the
 * conversation (messages, earlier tool calls and their results) the way a
 * model would, detects what the customer wants, fills the booking's slots
 * across turns (service, day and time in the tenant's zone, contact), and
 * answers with the same tool calls a model would make (get_services,
 * check_availability, book_appointment, …) and short replies in the
 * tenant's tone. The engine executes those calls and applies every
 * guardrail to them exactly as to a real model's.
 *
 * It is the default when no provider key is configured and the last link of
 * every fallback chain (the engine hands it to llm_for_tenant). What it
 * knows of the tenant comes from the request: tenant_timezone and now_utc, and three lines of the
 * static prompt ("Business name: …", "Country: …", "Tone: …"). */
#ifndef AI_OFFLINE_H
#define AI_OFFLINE_H

#include <stdint.h>

#include "core/arena.h"
#include "providers/llm.h"

/* A provider whose complete() is thread-safe and keeps no state between
 * calls. Allocated in a (free() is then a no-op); with a NULL arena, a
 * process-wide instance. */
struct llm_provider *ai_offline_new(struct arena *a);

/* Streams replies word by word with this pause between words (0: at
 * once). For tests and benchmarks of streaming and client disconnects;
 * process-wide. */
void ai_offline_set_stream_delay_ms(int ms);

/* Today's local date (tz.h day number) and minute of day at now_utc in
 * zone. 0, or -1 for an unknown zone. */
int ai_offline_local_now(struct arena *a, const char *zone, int64_t now_utc, int32_t *day,
    int *minute);

/* The offline model's name in responses and usage records. */
#define AI_OFFLINE_MODEL "offline-receptionist-1"

#endif
