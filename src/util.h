/* util: allocation wrappers that abort on OOM, a growable string buffer,
 * strict number parsing, randomness and small string helpers. */
#ifndef HAAS_UTIL_H
#define HAAS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocators: never return NULL; they abort the process on OOM. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NUL-terminated byte string; zero-initialise, release with
 * buf_release().  s is NULL until something is added. */
struct buf {
	char *s;
	size_t len;
	size_t cap;
};
void buf_add(struct buf *b, const void *data, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_release(struct buf *b);

/* Parses the whole of s as a base-10 integer in [min, max].  Leading '+'
 * and whitespace are rejected.  Returns 0 on success, -1 otherwise. */
int parse_ll(const char *s, long long min, long long max, long long *out);

/* Fills buf with n bytes from the kernel CSPRNG; aborts if unavailable. */
void random_bytes(void *buf, size_t n);

/* Writes 2n lowercase hex digits and a NUL into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* Random token of n bytes, URL-safe base64 without padding.  Caller frees. */
char *random_token(size_t n);

/* Base64url without padding.  Caller frees the result. */
char *base64url_encode(const unsigned char *in, size_t n);

/* Decodes base64url (padding optional) into a new buffer with a trailing
 * NUL; *outlen gets the decoded length.  NULL on invalid input. */
unsigned char *base64url_decode(const char *in, size_t n, size_t *outlen);

/* Constant-time comparison of two equal-length buffers. */
bool ct_equal(const void *a, const void *b, size_t n);

/* True when s[0..n) is well-formed UTF-8 with no NUL byte. */
bool utf8_valid(const char *s, size_t n);

/* Writes all n bytes to fd, resuming after EINTR and short writes.
 * Returns 0, or -1 with errno set. */
int write_all(int fd, const void *data, size_t n);

/* Lower-case copy of an ASCII string, in place. */
void ascii_lower(char *s);

/* SHA-256 of data, as 64 hex digits plus NUL in out. */
void sha256_hex(const void *data, size_t n, char out[65]);

#endif
