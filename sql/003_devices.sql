-- 003: lab PC reservations (the MSMP seed): devices with their lock-agent
-- keys, and reservations of a device for a time window.

-- A device's key is shown once; only its SHA-256 digest is kept.  Retired
-- devices keep their row (and their device_id) so old reservations and
-- audit entries still point at something.
CREATE TABLE devices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  device_id VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  location VARCHAR(200) NULL,
  key_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  status ENUM('active', 'retired') NOT NULL DEFAULT 'active',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  retired_at DATETIME(6) NULL,
  UNIQUE KEY uq_devices_device_id (device_id),
  CONSTRAINT ck_devices_key CHECK (status = 'retired' OR key_hash IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Times are kept twice: the strings exactly as the client sent them (the
-- lock agent compares them with its own clock, so they are echoed byte for
-- byte) and the parsed UTC instants the rules use.  A reservation is live
-- while cancelled_at is NULL; the no-overlap rule between live reservations
-- of one device is enforced by locking the device row (see devices.c),
-- since MariaDB has no exclusion constraint.
CREATE TABLE reservations (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  device_pk BIGINT UNSIGNED NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  start_time VARCHAR(64) NOT NULL,
  end_time VARCHAR(64) NOT NULL,
  start_at DATETIME(6) NOT NULL,
  end_at DATETIME(6) NOT NULL,
  -- the unlock credential, compared byte for byte (binary collation)
  credential VARCHAR(255) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  cancelled_at DATETIME(6) NULL,
  cancelled_by BIGINT UNSIGNED NULL,
  cancel_reason ENUM('replaced', 'cancelled', 'kicked', 'retired') NULL,
  KEY ix_res_device_window (device_pk, cancelled_at, start_at, end_at),
  KEY ix_res_user (user_id, id),
  CONSTRAINT fk_res_device FOREIGN KEY (device_pk) REFERENCES devices (id),
  CONSTRAINT fk_res_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT ck_res_window CHECK (end_at > start_at),
  CONSTRAINT ck_res_cancel CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
