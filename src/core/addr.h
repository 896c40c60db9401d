/* addr.h — the one check of the addresses we write to: an e-mail address and
 * an E.164 phone number. Every input that stores or sends to one (sign-up,
 * invitations, the portal, the receptionist, the admin API) uses these, so
 * an address accepted in one place is never refused in another. */
#ifndef CORE_ADDR_H
#define CORE_ADDR_H

#include <stdbool.h>

/* One '@' after a local part of 1..64 bytes; a dotted domain with no empty
 * label and a last label of two or more; no spaces, controls or the
 * characters that end an address in a header (<>()[],;:\"); 3..254 bytes.
 * Deliberately narrower than RFC 5321: quoted local parts are refused. */
bool addr_email_ok(const char *s);

/* E.164: '+', a non-zero digit, 7 … 15 digits in all (+14155550123). */
bool addr_e164_ok(const char *s);

#endif
