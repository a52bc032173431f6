-- 006: MQTT ingest: how far haas-ingestd has applied its spool.

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
