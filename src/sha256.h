/* sha256: FIPS 180-4 SHA-256, used to store refresh tokens, device keys and
 * idempotency fingerprints as digests (never the secrets themselves), and
 * HMAC-SHA256 to sign webhooks. */
#ifndef HAAS_SHA256_H
#define HAAS_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* An incremental hash (files hashed as they stream): init, any number of
 * updates, one final. */
struct sha256_ctx {
	uint32_t h[8];
	unsigned char buf[64];
	size_t used;
	uint64_t len;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
void sha256_final(struct sha256_ctx *c, unsigned char out[32]);

void sha256(const void *data, size_t n, unsigned char out[32]);
/* HMAC-SHA256 (RFC 2104) of msg under key: webhook signatures. */
void hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
		 unsigned char out[32]);

#endif
