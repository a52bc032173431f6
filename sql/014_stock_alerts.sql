-- 014: event notices of the shop and the parking sensors (issue 18, item 5).
--
-- A product may have a low-stock threshold (NULL: none).  When a change
-- leaves its stock below the threshold, admins are told once: the flag
-- low_stock_alerted remembers that this crossing was announced, and is
-- cleared when the stock is back at or above the threshold (or the
-- threshold goes), so the next crossing is announced again.  Set and
-- cleared under the product's row lock, in the transaction of the change
-- (catalog.c, catalog_stock_watch).
ALTER TABLE products
  ADD COLUMN low_stock_threshold INT NULL AFTER stock,
  ADD COLUMN low_stock_alerted TINYINT(1) NOT NULL DEFAULT 0 AFTER low_stock_threshold,
  ADD CONSTRAINT ck_products_low_stock CHECK (low_stock_threshold IS NULL OR low_stock_threshold >= 0),
  -- announced only while there is a threshold to be below
  ADD CONSTRAINT ck_products_low_alerted CHECK (low_stock_alerted IN (0, 1)
    AND (low_stock_alerted = 0 OR low_stock_threshold IS NOT NULL));

-- A space whose sensor went silent past sensor_ttl (the TTL sweep of
-- haas-ingestd turned it unknown and told admins): set then, cleared (and
-- admins told it is back) when the sensor reports again.  One notice each
-- way per silence.
ALTER TABLE parking_spaces
  ADD COLUMN sensor_silent_at DATETIME(6) NULL AFTER last_seen_at;
