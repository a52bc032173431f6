-- 006: MQTT ingest: sensor boot ids and how far haas-ingestd has applied
-- its spool.

-- The boot id of the seq series last applied from the space's sensor (NULL
-- until a sensor sends one).  A message with another boot id starts a new
-- series and is accepted whatever its seq: a sensor whose counter restarted
-- after a power cut is heard again.
ALTER TABLE parking_spaces
  ADD COLUMN last_boot VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL
  AFTER last_seq;

-- How far haas-ingestd has applied its spool: the number of the first
-- spooled message not applied yet, per spool generation (a new spool file
-- is a new generation; see src/spool.h).  It is written in the same
-- transaction as the messages, so a message is applied once even when the
-- daemon dies between COMMIT and dropping the message from its spool.
CREATE TABLE ingest_spool (
  gen CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  next_record BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;
