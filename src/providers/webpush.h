/* webpush.h — Web Push to a browser's push service: VAPID authorisation
 * (RFC 8292: an ES256 JWT plus the server's P-256 public key) and the
 * payload encryption of RFC 8291 in the aes128gcm content coding of
 * RFC 8188 (one record). OpenSSL does the P-256, ECDSA, HKDF and AES-GCM;
 * core/http_client does the POST. Nothing here logs: endpoints carry a
 * capability token and keys are secrets. */
#ifndef PROVIDERS_WEBPUSH_H
#define PROVIDERS_WEBPUSH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

#define WEBPUSH_PUBKEY_LEN 65		/* uncompressed P-256 point, 0x04 || X || Y */
#define WEBPUSH_PRIVKEY_LEN 32
#define WEBPUSH_AUTH_LEN 16
#define WEBPUSH_SALT_LEN 16
/* RFC 8291 §4: a push message is at most 4096 octets of body; the
 * header (86) + delimiter (1) + tag (16) leave 3993 for the plaintext. */
#define WEBPUSH_MAX_BODY 4096
#define WEBPUSH_OVERHEAD (16 + 4 + 1 + WEBPUSH_PUBKEY_LEN + 1 + 16)
#define WEBPUSH_MAX_PAYLOAD (WEBPUSH_MAX_BODY - WEBPUSH_OVERHEAD)
/* RFC 8292 §2: exp no more than 24 hours ahead; we use 12. */
#define WEBPUSH_JWT_TTL_S (12 * 3600)
/* base64url text lengths of the keys (unpadded) */
#define WEBPUSH_PUBKEY_B64 87
#define WEBPUSH_PRIVKEY_B64 43

struct webpush_vapid {
	unsigned char pub[WEBPUSH_PUBKEY_LEN];
	unsigned char priv[WEBPUSH_PRIVKEY_LEN];
	char pub_b64[WEBPUSH_PUBKEY_B64 + 1];
	char subject[256];	/* mailto: or https: contact */
};

/* Checks and loads the configured pair (base64url raw keys as browsers use
 * them); the private key must match the public one. why gets a reason that
 * never shows a key. */
enum status webpush_vapid_load(const char *pub_b64, const char *priv_b64,
    const char *subject, struct webpush_vapid *v, char *why, size_t whysz) MUST_USE;

/* A fresh pair as base64url text (for `receptionist vapid-keys`). */
enum status webpush_vapid_generate(char pub[WEBPUSH_PUBKEY_B64 + 1],
    char priv[WEBPUSH_PRIVKEY_B64 + 1]) MUST_USE;

/* "vapid t=<jwt>, k=<key>" for endpoint (aud = its origin), valid from now
 * for WEBPUSH_JWT_TTL_S. */
enum status webpush_vapid_header(struct arena *a, const struct webpush_vapid *v,
    const char *endpoint, long now, char **out, struct err *e) MUST_USE;

/* Encrypts pt for the subscription (ua_pub = p256dh, auth) with a fresh
 * ephemeral key and salt; *body is arena-owned. ST_TOO_LARGE past
 * WEBPUSH_MAX_PAYLOAD. */
enum status webpush_encrypt(struct arena *a, const unsigned char ua_pub[WEBPUSH_PUBKEY_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const void *pt, size_t n,
    unsigned char **body, size_t *bodylen, struct err *e) MUST_USE;

/* The same with a given application-server key and salt: the test hook
 * that reproduces RFC 8291 Appendix A. Never for real sends. */
enum status webpush_encrypt_with(struct arena *a, const unsigned char ua_pub[WEBPUSH_PUBKEY_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const unsigned char as_priv[WEBPUSH_PRIVKEY_LEN],
    const unsigned char salt[WEBPUSH_SALT_LEN], const void *pt, size_t n,
    unsigned char **body, size_t *bodylen, struct err *e) MUST_USE;

/* Urgency (RFC 8030 §5.3). */
enum webpush_urgency { WEBPUSH_NORMAL, WEBPUSH_HIGH };

struct webpush_message {
	const char *endpoint;
	unsigned char p256dh[WEBPUSH_PUBKEY_LEN];
	unsigned char auth[WEBPUSH_AUTH_LEN];
	const char *payload;		/* JSON text */
	int ttl_s;
	enum webpush_urgency urgency;
	const char *topic;		/* NULL or ≤ 32 base64url characters */
};

/* Encrypts and POSTs; *http_status gets the push service's answer (201 is
 * success, 404/410 mean the subscription is gone, 429/5xx are worth a
 * retry). ST_OK whenever a response arrived. */
enum status webpush_send(struct arena *a, const struct webpush_vapid *v,
    const struct webpush_message *m, long now, long *http_status, int *retry_after_s,
    struct err *e) MUST_USE;

#endif
