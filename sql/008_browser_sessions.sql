-- 008: browser sessions.  Signing in sets an HttpOnly cookie naming the
-- session (its family) and a secret, stored here as a SHA-256 digest; the
-- API accepts the cookie in place of a bearer token.  The session keeps the
-- user's token version it was opened under, so a password reset, disabling
-- or erasure ends it like every token; it ends at expires_at, which use
-- pushes forward.
ALTER TABLE sessions
  ADD COLUMN cookie_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER user_id,
  ADD COLUMN ver INT UNSIGNED NULL AFTER cookie_hash,
  ADD COLUMN expires_at DATETIME(6) NULL AFTER created_at;
