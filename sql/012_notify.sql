-- 012: notifications (issue 18).  One transactional outbox: every notice,
-- to a user by e-mail or to a webhook, is a row written in the same
-- transaction as the change that causes it (src/notify.c), and
-- haas-notifyd delivers it (src/notifyd.c).  A rolled-back change leaves no
-- row; a committed one cannot lose its notice.

-- Receivers of signed HTTPS POSTs, configured by admins.  The secret signs
-- (HMAC-SHA256) and so is kept as such; the API shows it once.
CREATE TABLE webhooks (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  url VARCHAR(2000) NOT NULL,
  secret VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- the notice kinds it receives, comma-separated (notify.c's names)
  kinds VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_by BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  deleted_at DATETIME(6) NULL,
  CONSTRAINT ck_webhooks_url CHECK (url LIKE 'https://%')
) ENGINE=InnoDB;

-- The outbox.  msg_id is the notice's stable id: the e-mail's Message-ID
-- and the webhook's X-Haas-Message-Id, the same on every retry, so a
-- receiver de-duplicates by it.  fields are the template's fields.
--   pending    to be delivered (from next_at; a lease claims it)
--   held       waits for the recipient's daily digest
--   digested   went out inside digest_id
--   sent       delivered
--   dead       failed max attempts times; admins may retry it
--   skipped    nobody to deliver to (no address); kept for admins
CREATE TABLE notices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  msg_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  channel ENUM('email', 'webhook') NOT NULL,
  user_id BIGINT UNSIGNED NULL,
  webhook_id BIGINT UNSIGNED NULL,
  -- the address it goes to, as it was when the notice was written
  recipient VARCHAR(2000) NULL,
  fields LONGTEXT NOT NULL CHECK (JSON_VALID(fields)),
  state ENUM('pending', 'held', 'digested', 'sent', 'dead', 'skipped') NOT NULL DEFAULT 'pending',
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  next_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- a sender working on it until then; a killed sender's lease runs out
  -- and the notice is sent again, under the same msg_id
  lease_until DATETIME(6) NULL,
  digest_id BIGINT UNSIGNED NULL,
  last_error VARCHAR(500) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  sent_at DATETIME(6) NULL,
  UNIQUE KEY uq_notices_msg (msg_id),
  KEY ix_notices_due (state, next_at),
  KEY ix_notices_user (user_id, state, id),
  KEY ix_notices_kind (kind, id),
  KEY ix_notices_webhook (webhook_id, id),
  CONSTRAINT fk_notices_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT fk_notices_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id),
  CONSTRAINT ck_notices_target CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL))
) ENGINE=InnoDB;

-- Every delivery attempt, for admins.
CREATE TABLE notice_attempts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  notice_id BIGINT UNSIGNED NOT NULL,
  at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ok TINYINT(1) NOT NULL,
  -- the SMTP reply or HTTP status (0: none, the connection failed)
  code INT NOT NULL DEFAULT 0,
  error VARCHAR(500) NULL,
  ms INT UNSIGNED NOT NULL DEFAULT 0,
  KEY ix_attempts_notice (notice_id, id),
  CONSTRAINT fk_attempts_notice FOREIGN KEY (notice_id) REFERENCES notices (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Events that are notified once (a reservation about to start, a loan due):
-- the first transaction to insert the key writes the notices; any later
-- one finds it and writes nothing.
CREATE TABLE notice_events (
  event_key VARCHAR(191) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

-- How each user wants each kind (no row: immediate).
CREATE TABLE notice_prefs (
  user_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  mode ENUM('immediate', 'digest', 'off') NOT NULL,
  PRIMARY KEY (user_id, kind),
  CONSTRAINT fk_prefs_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Single-use tokens mailed to their owner: a password reset, an address to
-- verify.  Only the SHA-256 of the token is kept.
CREATE TABLE user_tokens (
  token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  purpose ENUM('reset', 'verify') NOT NULL,
  -- verify: the address it proves (a later change of address voids it)
  email VARCHAR(254) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at DATETIME(6) NOT NULL,
  used_at DATETIME(6) NULL,
  KEY ix_tokens_user (user_id, purpose, created_at),
  CONSTRAINT fk_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- A verified address.  Accounts staff created, and admins, count as
-- verified; self sign-ups until they follow the mailed link.
ALTER TABLE users
  ADD COLUMN email_verified TINYINT(1) NOT NULL DEFAULT 0 AFTER email;
UPDATE users SET email_verified = 1 WHERE role = 'admin' AND email IS NOT NULL;
