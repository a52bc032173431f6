-- 011: devices by address (the MSMP lock agent, issue 12).  An admin may
-- bind a device to an address or a network; /get-reservation and verify
-- from an address inside it count as that device without a key, as a lab
-- PC on the lab's network would.
--
-- The binding is kept as its canonical text (address, what the API shows)
-- and as the lowest and highest address it holds, lower-case hex of one
-- length per family (8 digits for IPv4, 32 for IPv6), so "does it contain
-- this address" is two comparisons within one family, and the most
-- specific binding is the one with the longest prefix.  devices.c computes
-- them (devices_net_parse); these constraints are the backstop.
ALTER TABLE devices
  ADD COLUMN address VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER location,
  ADD COLUMN net_lo VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER address,
  ADD COLUMN net_hi VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER net_lo,
  ADD COLUMN net_prefix TINYINT UNSIGNED NULL AFTER net_hi,
  -- Two networks of one prefix length that share an address are the same
  -- network: two devices bound to it would tie for every address in it,
  -- so binding the second is refused (409 device_address_taken).  The
  -- key's leading net_lo also serves the containment lookup.
  ADD UNIQUE KEY uq_devices_net (net_lo, net_prefix),
  ADD CONSTRAINT ck_devices_net CHECK (
    (address IS NULL AND net_lo IS NULL AND net_hi IS NULL AND net_prefix IS NULL)
    OR (address IS NOT NULL AND LENGTH(net_lo) IN (8, 32)
        AND LENGTH(net_hi) = LENGTH(net_lo) AND net_lo <= net_hi
        AND net_prefix BETWEEN 1 AND LENGTH(net_lo) * 4)),
  -- A retired device lets its address go (another may be bound to it).
  ADD CONSTRAINT ck_devices_net_active CHECK (status = 'active' OR address IS NULL);
