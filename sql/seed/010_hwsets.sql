-- The HaaS demo's two hardware sets, 100 units each; existing sets (and
-- their counts) are left alone, so loading this again changes nothing.
INSERT IGNORE INTO resources (code, name, total_units, available_units)
VALUES ('HWSet1', 'HWSet1', 100, 100), ('HWSet2', 'HWSet2', 100, 100);
