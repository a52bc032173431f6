-- 005: smart parking: sensors, spaces, occupancy history, plates and
-- registration requests with their identity documents.

-- A sensor is a broker account (user name = sensor_id); it outlives the
-- spaces it was bound to, so rebinding it needs no new password.
CREATE TABLE parking_sensors (
  sensor_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

-- Retired spaces keep their rows (history points at them) but free their
-- code and sensor: the live_* columns are NULL once retired_at is set, and
-- UNIQUE ignores NULLs.
CREATE TABLE parking_spaces (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(32) NOT NULL,
  zone VARCHAR(64) NOT NULL,
  sensor_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status ENUM('free', 'occupied', 'unknown', 'out_of_service') NOT NULL DEFAULT 'unknown',
  -- the highest seq applied from the sensor; older or equal ones are ignored
  last_seq BIGINT NULL,
  last_seen_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  retired_at DATETIME(6) NULL,
  live_code VARCHAR(32) AS (IF(retired_at IS NULL, code, NULL)) PERSISTENT,
  live_sensor VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
    AS (IF(retired_at IS NULL, sensor_id, NULL)) PERSISTENT,
  UNIQUE KEY uq_spaces_code (live_code),
  UNIQUE KEY uq_spaces_sensor (live_sensor),
  KEY ix_spaces_zone (zone, status),
  KEY ix_spaces_seen (status, last_seen_at),
  CONSTRAINT fk_spaces_sensor FOREIGN KEY (sensor_id) REFERENCES parking_sensors (sensor_id),
  CONSTRAINT ck_spaces_code CHECK (CHAR_LENGTH(code) > 0),
  CONSTRAINT ck_spaces_zone CHECK (CHAR_LENGTH(zone) > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per status change; the cursor is the id (newest first).
CREATE TABLE parking_history (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  space_id BIGINT UNSIGNED NOT NULL,
  status ENUM('free', 'occupied', 'unknown', 'out_of_service') NOT NULL,
  at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- sensor: a status message; ttl: silence; will: last will; staff: an admin
  source ENUM('sensor', 'ttl', 'will', 'staff') NOT NULL,
  seq BIGINT NULL,
  KEY ix_history_space (space_id, id),
  KEY ix_history_at (space_id, at),
  CONSTRAINT fk_history_space FOREIGN KEY (space_id) REFERENCES parking_spaces (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Plates are stored normalized (A-Z, 0-9, 2 to 10), unique across users.
CREATE TABLE plates (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  plate_number VARCHAR(10) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_plates_number (plate_number),
  KEY ix_plates_user (user_id, id),
  CONSTRAINT fk_plates_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT ck_plates_shape CHECK (plate_number REGEXP '^[A-Z0-9]{2,10}$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A driver's registration: the pending account, the plate to register on
-- approval, and the identity document under a random file name.
CREATE TABLE registration_requests (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  plate_number VARCHAR(10) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status ENUM('pending', 'approved', 'rejected') NOT NULL DEFAULT 'pending',
  reason VARCHAR(500) NULL,
  document_name VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
  document_type VARCHAR(32) NULL,
  document_bytes BIGINT UNSIGNED NULL,
  submitted_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  decided_at DATETIME(6) NULL,
  decided_by BIGINT UNSIGNED NULL,
  document_deleted_at DATETIME(6) NULL,
  -- a pending plate is reserved: no two open requests for one plate
  pending_plate VARCHAR(10) CHARACTER SET ascii COLLATE ascii_bin
    AS (IF(status = 'pending', plate_number, NULL)) PERSISTENT,
  UNIQUE KEY uq_requests_pending_plate (pending_plate),
  UNIQUE KEY uq_requests_document (document_name),
  KEY ix_requests_status (status, id),
  KEY ix_requests_decided (decided_at),
  CONSTRAINT fk_requests_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT ck_requests_decision CHECK ((status = 'pending') = (decided_at IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
