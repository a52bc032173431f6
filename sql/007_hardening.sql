-- 007: sessions that end their access tokens, plates that are permits only
-- once staff approved them, registrations that expire and may be repeated.

-- One row per sign-in (a refresh-token family).  Access tokens name their
-- session (the fam claim); revoking it ends them at once: the router's one
-- query per request reads revoked_at with the user's row.
CREATE TABLE sessions (
  family VARCHAR(48) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  revoked_at DATETIME(6) NULL,
  KEY ix_sessions_user (user_id, revoked_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

INSERT INTO sessions (family, user_id, created_at, revoked_at)
  SELECT family, MIN(user_id), MIN(created_at),
         IF(SUM(revoked_at IS NULL) = 0, MAX(revoked_at), NULL)
  FROM refresh_tokens GROUP BY family;

-- Plates: anyone may ask for a plate, many may ask for the same one, and
-- only one approved plate of a number exists (live_plate is UNIQUE and NULL
-- unless approved).  Plates that exist now were permits: they stay approved
-- (the old UNIQUE on plate_number means no two clash).
ALTER TABLE plates
  ADD COLUMN status ENUM('pending', 'approved', 'rejected') NOT NULL DEFAULT 'pending' AFTER plate_number,
  ADD COLUMN reason VARCHAR(500) NULL AFTER status,
  ADD COLUMN decided_at DATETIME(6) NULL AFTER reason,
  ADD COLUMN decided_by BIGINT UNSIGNED NULL AFTER decided_at,
  ADD COLUMN live_plate VARCHAR(10) CHARACTER SET ascii COLLATE ascii_bin
    AS (IF(status = 'approved', plate_number, NULL)) PERSISTENT,
  DROP INDEX uq_plates_number,
  ADD UNIQUE KEY uq_plates_user_number (user_id, plate_number),
  ADD UNIQUE KEY uq_plates_live (live_plate),
  ADD KEY ix_plates_number (plate_number, status),
  ADD CONSTRAINT ck_plates_decision CHECK ((status = 'pending') = (decided_at IS NULL));

UPDATE plates p LEFT JOIN registration_requests q
    ON q.user_id = p.user_id AND q.plate_number = p.plate_number
    AND q.status = 'approved'
  SET p.status = 'approved', p.decided_at = COALESCE(q.decided_at, p.created_at),
      p.decided_by = q.decided_by;

-- Registrations: many may wait for one plate (no squatting by applying
-- first); approval is unique through the plates above.  A pending request
-- expires after registration_ttl_days; expiry and rejection erase the
-- pending account, so the applicant may apply again with the same email.
-- The applicant's name and email are kept on the request for staff.
ALTER TABLE registration_requests
  DROP INDEX uq_requests_pending_plate,
  DROP COLUMN pending_plate,
  MODIFY status ENUM('pending', 'approved', 'rejected', 'expired') NOT NULL DEFAULT 'pending',
  ADD COLUMN name VARCHAR(200) NULL AFTER plate_number,
  ADD COLUMN email VARCHAR(254) NULL AFTER name,
  -- set when the document must go now (its account was erased);
  -- haas-ingestd deletes it and sets document_deleted_at
  ADD COLUMN document_purge_at DATETIME(6) NULL AFTER document_deleted_at,
  ADD KEY ix_requests_plate (plate_number, status),
  ADD KEY ix_requests_pending (status, submitted_at);

UPDATE registration_requests q JOIN users u ON u.id = q.user_id
  SET q.name = u.name, q.email = u.email;

-- Applicants rejected before this migration had their pending account
-- disabled; now rejection erases it, so they may apply again.
UPDATE users u
  JOIN registration_requests q ON q.user_id = u.id AND q.status = 'rejected'
  LEFT JOIN registration_requests ok ON ok.user_id = u.id
    AND ok.status = 'approved'
  SET u.username = NULL, u.email = NULL, u.name = NULL, u.password_hash = '!',
      u.status = 'deleted', u.token_version = u.token_version + 1,
      u.deleted_at = UTC_TIMESTAMP(6)
  WHERE u.status = 'disabled' AND ok.id IS NULL;

-- Disabling or erasing an account cancels the windows it has not used yet.
ALTER TABLE reservations
  MODIFY cancel_reason ENUM('replaced', 'cancelled', 'kicked', 'retired',
    'account_disabled', 'account_erased') NULL;
