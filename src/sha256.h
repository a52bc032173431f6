/* sha256: FIPS 180-4 SHA-256, used to store refresh tokens, device keys and
 * idempotency fingerprints as digests (never the secrets themselves). */
#ifndef HAAS_SHA256_H
#define HAAS_SHA256_H

#include <stddef.h>

void sha256(const void *data, size_t n, unsigned char out[32]);

#endif
