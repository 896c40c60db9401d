/* webpush.c — Web Push: VAPID (RFC 8292) and aes128gcm payload encryption
 * (RFC 8291 over RFC 8188). See webpush.h. */
#include "providers/webpush.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/crypto.h"
#include "core/http_client.h"

/* P-256 --------------------------------------------------------------------- */

/* The public point of priv, uncompressed. */
static bool
pub_from_priv(const unsigned char priv[WEBPUSH_PRIVKEY_LEN], unsigned char pub[WEBPUSH_PUBKEY_LEN])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *d = BN_bin2bn(priv, WEBPUSH_PRIVKEY_LEN, NULL);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	bool ok = false;

	if (g == NULL || d == NULL || p == NULL || BN_is_zero(d) ||
	    BN_cmp(d, EC_GROUP_get0_order(g)) >= 0)
		goto out;
	if (!EC_POINT_mul(g, p, d, NULL, NULL, NULL))
		goto out;
	ok = EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pub,
	    WEBPUSH_PUBKEY_LEN, NULL) == WEBPUSH_PUBKEY_LEN;
out:
	EC_POINT_free(p);
	BN_clear_free(d);
	EC_GROUP_free(g);
	return ok;
}

/* An EVP_PKEY from a public point and, optionally, its private scalar;
 * NULL when the point is not on the curve. */
static EVP_PKEY *
p256_key(const unsigned char pub[WEBPUSH_PUBKEY_LEN], const unsigned char *priv)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	EVP_PKEY *k = NULL;
	BIGNUM *d = NULL;

	if (b == NULL || pub[0] != 0x04)
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, WEBPUSH_PUBKEY_LEN))
		goto out;
	if (priv != NULL) {
		d = BN_secure_new();
		if (d == NULL || BN_bin2bn(priv, WEBPUSH_PRIVKEY_LEN, d) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d))
			goto out;
	}
	params = OSSL_PARAM_BLD_to_param(b);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params == NULL || pc == NULL || EVP_PKEY_fromdata_init(pc) <= 0)
		goto out;
	if (EVP_PKEY_fromdata(pc, &k, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
		k = NULL;
	if (k != NULL) {
		/* fromdata does not check the point; a public-key check does. */
		EVP_PKEY_CTX *cc = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
		if (cc == NULL || EVP_PKEY_public_check(cc) != 1) {
			EVP_PKEY_free(k);
			k = NULL;
		}
		EVP_PKEY_CTX_free(cc);
	}
out:
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	BN_clear_free(d);
	return k;
}

static bool
ecdh(const unsigned char my_priv[WEBPUSH_PRIVKEY_LEN], const unsigned char my_pub[WEBPUSH_PUBKEY_LEN],
    const unsigned char peer_pub[WEBPUSH_PUBKEY_LEN], unsigned char secret[32])
{
	EVP_PKEY *me = p256_key(my_pub, my_priv), *peer = p256_key(peer_pub, NULL);
	EVP_PKEY_CTX *c = me ? EVP_PKEY_CTX_new(me, NULL) : NULL;
	size_t n = 32;
	bool ok = false;

	if (c == NULL || peer == NULL || EVP_PKEY_derive_init(c) <= 0 ||
	    EVP_PKEY_derive_set_peer(c, peer) <= 0)
		goto out;
	ok = EVP_PKEY_derive(c, secret, &n) > 0 && n == 32;
out:
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(me);
	EVP_PKEY_free(peer);
	return ok;
}

/* HKDF-SHA256 (RFC 5869) for outputs of at most 32 bytes: one block. */
static void
hkdf(const unsigned char *salt, size_t saltlen, const unsigned char *ikm, size_t ikmlen,
    const unsigned char *info, size_t infolen, unsigned char *out, size_t outlen)
{
	unsigned char prk[32], t[32], msg[256];

	sec_hmac_sha256(salt, saltlen, ikm, ikmlen, prk);
	memcpy(msg, info, infolen);
	msg[infolen] = 0x01;
	sec_hmac_sha256(prk, sizeof(prk), msg, infolen + 1, t);
	memcpy(out, t, outlen);
	sodium_memzero(t, sizeof(t));
}

/* VAPID keys ---------------------------------------------------------------- */

enum status
webpush_vapid_load(const char *pub_b64, const char *priv_b64, const char *subject,
    struct webpush_vapid *v, char *why, size_t whysz)
{
	unsigned char derived[WEBPUSH_PUBKEY_LEN];
	size_t n = 0;

	memset(v, 0, sizeof(*v));
	if (pub_b64 == NULL || *pub_b64 == '\0' || priv_b64 == NULL || *priv_b64 == '\0') {
		snprintf(why, whysz, "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are not set");
		return ST_UNAVAILABLE;
	}
	if (!sec_b64url_decode(pub_b64, strlen(pub_b64), v->pub, sizeof(v->pub), &n) ||
	    n != WEBPUSH_PUBKEY_LEN || v->pub[0] != 0x04) {
		snprintf(why, whysz, "VAPID_PUBLIC_KEY is not a base64url uncompressed P-256 point (65 bytes)");
		return ST_INVALID;
	}
	if (!sec_b64url_decode(priv_b64, strlen(priv_b64), v->priv, sizeof(v->priv), &n) ||
	    n != WEBPUSH_PRIVKEY_LEN || !pub_from_priv(v->priv, derived)) {
		snprintf(why, whysz, "VAPID_PRIVATE_KEY is not a base64url P-256 private key (32 bytes)");
		goto bad;
	}
	if (memcmp(derived, v->pub, WEBPUSH_PUBKEY_LEN) != 0) {
		snprintf(why, whysz, "VAPID_PRIVATE_KEY does not match VAPID_PUBLIC_KEY");
		goto bad;
	}
	if (subject == NULL || (strncmp(subject, "mailto:", 7) != 0 &&
	    strncmp(subject, "https://", 8) != 0) || strlen(subject) >= sizeof(v->subject)) {
		snprintf(why, whysz, "VAPID_SUBJECT must be a mailto: or https: contact");
		goto bad;
	}
	snprintf(v->subject, sizeof(v->subject), "%s", subject);
	sec_b64url(v->pub, sizeof(v->pub), v->pub_b64, sizeof(v->pub_b64));
	return ST_OK;
bad:
	sodium_memzero(v, sizeof(*v));
	return ST_INVALID;
}

enum status
webpush_vapid_generate(char pub[WEBPUSH_PUBKEY_B64 + 1], char priv[WEBPUSH_PRIVKEY_B64 + 1])
{
	unsigned char d[WEBPUSH_PRIVKEY_LEN], q[WEBPUSH_PUBKEY_LEN];

	/* A random scalar is valid unless ≥ the order (odds ~2^-32): retry. */
	for (int i = 0; i < 16; i++) {
		randombytes_buf(d, sizeof(d));
		if (pub_from_priv(d, q)) {
			sec_b64url(q, sizeof(q), pub, WEBPUSH_PUBKEY_B64 + 1);
			sec_b64url(d, sizeof(d), priv, WEBPUSH_PRIVKEY_B64 + 1);
			sodium_memzero(d, sizeof(d));
			return ST_OK;
		}
	}
	return ST_INTERNAL;
}

/* VAPID JWT ----------------------------------------------------------------- */

/* "scheme://host[:port]" of an absolute URL, or NULL. */
static char *
origin_of(struct arena *a, const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	if (p == NULL)
		return NULL;
	p += 3;
	n = strcspn(p, "/?#");
	if (n == 0)
		return NULL;
	return arena_printf(a, "%.*s", (int)(p - url + n), url);
}

static char *
b64url_arena(struct arena *a, const unsigned char *b, size_t n)
{
	size_t sz = 4 * ((n + 2) / 3) + 1;
	char *s = arena_alloc(a, sz);

	sec_b64url(b, n, s, sz);
	return s;
}

static bool
es256_sign(const struct webpush_vapid *v, const char *msg, unsigned char sig[64])
{
	EVP_PKEY *k = p256_key(v->pub, v->priv);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *p = der;
	size_t derlen = sizeof(der);
	ECDSA_SIG *s = NULL;
	const BIGNUM *r, *ss;
	bool ok = false;

	if (k == NULL || md == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) <= 0 ||
	    EVP_DigestSign(md, der, &derlen, (const unsigned char *)msg, strlen(msg)) <= 0)
		goto out;
	/* JWS wants r || s, 32 bytes each, not DER (RFC 7518 §3.4). */
	if ((s = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(s, &r, &ss);
	ok = BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(ss, sig + 32, 32) == 32;
out:
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return ok;
}

enum status
webpush_vapid_header(struct arena *a, const struct webpush_vapid *v, const char *endpoint,
    long now, char **out, struct err *e)
{
	static const char hdr[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
	char *aud = origin_of(a, endpoint), *claims, *signing, *aud_json;
	unsigned char sig[64];
	json_t *j;

	if (aud == NULL)
		return err_set(e, ST_INVALID, "the push endpoint is not an absolute URL");
	j = json_pack("{s:s, s:I, s:s}", "aud", aud, "exp", (json_int_t)(now + WEBPUSH_JWT_TTL_S),
	    "sub", v->subject);
	if (j == NULL)
		return err_set(e, ST_INTERNAL, "out of memory");
	aud_json = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (aud_json == NULL)
		return err_set(e, ST_INTERNAL, "out of memory");
	claims = arena_strdup(a, aud_json);
	free(aud_json);
	signing = arena_printf(a, "%s.%s",
	    b64url_arena(a, (const unsigned char *)hdr, sizeof(hdr) - 1),
	    b64url_arena(a, (const unsigned char *)claims, strlen(claims)));
	if (!es256_sign(v, signing, sig))
		return err_set(e, ST_INTERNAL, "could not sign the VAPID token");
	*out = arena_printf(a, "vapid t=%s.%s, k=%s", signing, b64url_arena(a, sig, sizeof(sig)),
	    v->pub_b64);
	return ST_OK;
}

/* RFC 8291 encryption ------------------------------------------------------- */

enum status
webpush_encrypt_with(struct arena *a, const unsigned char ua_pub[WEBPUSH_PUBKEY_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const unsigned char as_priv[WEBPUSH_PRIVKEY_LEN],
    const unsigned char salt[WEBPUSH_SALT_LEN], const void *pt, size_t n,
    unsigned char **body, size_t *bodylen, struct err *e)
{
	static const char key_label[] = "WebPush: info";		/* + NUL, §3.4 */
	static const char cek_label[] = "Content-Encoding: aes128gcm";	/* + NUL, RFC 8188 §2.2 */
	static const char nonce_label[] = "Content-Encoding: nonce";	/* + NUL, §2.3 */
	unsigned char as_pub[WEBPUSH_PUBKEY_LEN], secret[32], ikm[32], cek[16], nonce[12];
	unsigned char info[sizeof(key_label) + 2 * WEBPUSH_PUBKEY_LEN];
	unsigned char *out, *p;
	EVP_CIPHER_CTX *c = NULL;
	enum status st = ST_INTERNAL;
	int len = 0;

	if (n > WEBPUSH_MAX_PAYLOAD)
		return err_set(e, ST_TOO_LARGE, "the push payload is %zu bytes; at most %d fit",
		    n, WEBPUSH_MAX_PAYLOAD);
	if (!pub_from_priv(as_priv, as_pub))
		return err_set(e, ST_INTERNAL, "bad ephemeral key");
	if (!ecdh(as_priv, as_pub, ua_pub, secret))
		return err_set(e, ST_INVALID, "the subscription's p256dh key is not a P-256 point");

	/* §3.4: IKM = HKDF(auth, ecdh, "WebPush: info" 0x00 ua_pub as_pub, 32) */
	memcpy(info, key_label, sizeof(key_label));
	memcpy(info + sizeof(key_label), ua_pub, WEBPUSH_PUBKEY_LEN);
	memcpy(info + sizeof(key_label) + WEBPUSH_PUBKEY_LEN, as_pub, WEBPUSH_PUBKEY_LEN);
	hkdf(auth, WEBPUSH_AUTH_LEN, secret, sizeof(secret), info, sizeof(info), ikm, sizeof(ikm));
	/* RFC 8188 §2.2/2.3: CEK and NONCE from the salt. */
	hkdf(salt, WEBPUSH_SALT_LEN, ikm, sizeof(ikm), (const unsigned char *)cek_label,
	    sizeof(cek_label), cek, sizeof(cek));
	hkdf(salt, WEBPUSH_SALT_LEN, ikm, sizeof(ikm), (const unsigned char *)nonce_label,
	    sizeof(nonce_label), nonce, sizeof(nonce));

	/* Header: salt(16) rs(4, big-endian 4096) idlen(1) keyid(65), then one
	 * record: pt 0x02 (last-record delimiter, no padding) + 16-byte tag. */
	*bodylen = WEBPUSH_OVERHEAD + n;
	out = p = arena_alloc(a, *bodylen);
	memcpy(p, salt, WEBPUSH_SALT_LEN);
	p += WEBPUSH_SALT_LEN;
	*p++ = 0; *p++ = 0; *p++ = 0x10; *p++ = 0;
	*p++ = WEBPUSH_PUBKEY_LEN;
	memcpy(p, as_pub, WEBPUSH_PUBKEY_LEN);
	p += WEBPUSH_PUBKEY_LEN;

	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, cek, nonce) != 1 ||
	    (n > 0 && EVP_EncryptUpdate(c, p, &len, pt, (int)n) != 1))
		goto fail;
	p += len;
	if (EVP_EncryptUpdate(c, p, &len, (const unsigned char[]){ 0x02 }, 1) != 1)
		goto fail;
	p += len;
	if (EVP_EncryptFinal_ex(c, p, &len) != 1)
		goto fail;
	p += len;
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, p) != 1)
		goto fail;
	*body = out;
	st = ST_OK;
	goto out;
fail:
	err_set(e, st, "payload encryption failed");
out:
	EVP_CIPHER_CTX_free(c);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(ikm, sizeof(ikm));
	sodium_memzero(cek, sizeof(cek));
	return st;
}

enum status
webpush_encrypt(struct arena *a, const unsigned char ua_pub[WEBPUSH_PUBKEY_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const void *pt, size_t n,
    unsigned char **body, size_t *bodylen, struct err *e)
{
	unsigned char d[WEBPUSH_PRIVKEY_LEN], salt[WEBPUSH_SALT_LEN], q[WEBPUSH_PUBKEY_LEN];
	enum status st;

	/* A fresh key per message (§3.1): retry the ~2^-32 invalid scalars. */
	do
		randombytes_buf(d, sizeof(d));
	while (!pub_from_priv(d, q));
	randombytes_buf(salt, sizeof(salt));
	st = webpush_encrypt_with(a, ua_pub, auth, d, salt, pt, n, body, bodylen, e);
	sodium_memzero(d, sizeof(d));
	return st;
}

/* Sending ------------------------------------------------------------------- */

enum status
webpush_send(struct arena *a, const struct webpush_vapid *v, const struct webpush_message *m,
    long now, long *http_status, int *retry_after_s, struct err *e)
{
	struct http_client_request req = { .method = "POST", .url = m->endpoint };
	struct http_client_response resp = { 0 };
	unsigned char *body;
	size_t bodylen;
	char *authz;
	enum status st;

	*http_status = 0;
	*retry_after_s = 0;
	st = webpush_encrypt(a, m->p256dh, m->auth, m->payload, strlen(m->payload), &body,
	    &bodylen, e);
	if (st != ST_OK)
		return st;
	st = webpush_vapid_header(a, v, m->endpoint, now, &authz, e);
	if (st != ST_OK)
		return st;
	http_client_header(a, &req, "Authorization", authz);
	http_client_header(a, &req, "Content-Encoding", "aes128gcm");
	http_client_header(a, &req, "Content-Type", "application/octet-stream");
	http_client_header(a, &req, "TTL", arena_printf(a, "%d", m->ttl_s));
	http_client_header(a, &req, "Urgency", m->urgency == WEBPUSH_HIGH ? "high" : "normal");
	if (m->topic != NULL)
		http_client_header(a, &req, "Topic", m->topic);
	req.body = (const char *)body;
	req.body_len = bodylen;
	req.max_response = 64 * 1024;
	st = http_client_do(a, &req, &resp, e);
	if (st != ST_OK)
		return st;
	*http_status = resp.status;
	*retry_after_s = resp.retry_after_s;
	return ST_OK;
}
