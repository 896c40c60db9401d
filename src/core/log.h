/* log.h — structured logs: one JSON object per line on stderr. Fields are
 * given as a jansson object the logger takes ownership of. The logger masks
 * e-mail addresses, phone numbers, tokens and Authorization/cookie values
 * in the message and in every string field (log_redact) before the line is
 * written; log_mask_* stay for callers that want the masked form of one
 * known value. */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <jansson.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
int log_parse_level(const char *s, enum log_level *out);
int log_enabled(enum log_level lvl);

/* Writes {"ts","level","msg", ...fields}; steals the reference to fields
 * (which may be NULL). */
void log_emit(enum log_level lvl, const char *msg, json_t *fields);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "jane.doe@example.com" → "j***@e***.com"; "+15551234567" → "+1*******567". */
void log_mask_email(const char *in, char *out, size_t outsz);
void log_mask_phone(const char *in, char *out, size_t outsz);

/* The redactor every line passes: in with e-mail addresses and phone
 * numbers masked (as log_mask_*), our tokens (rk_…, st_…, 43-character
 * base64url), "Bearer …" and Authorization/Cookie/Set-Cookie values replaced
 * by "[redacted]". Returns a malloc'd copy, or NULL when nothing needed
 * masking (the common case, which allocates nothing). */
char *log_redact(const char *in);

#endif
