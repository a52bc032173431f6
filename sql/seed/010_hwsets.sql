-- The HaaS demo's two hardware sets, 100 units each; existing sets (and
-- their counts) are left alone, so loading this again changes nothing.
INSERT IGNORE INTO resources (code, name, total_units, available_units)
VALUES ('HWSet1', 'HWSet1', 100, 100), ('HWSet2', 'HWSet2', 100, 100);

-- Their ids and names in the old HaaS backend, which the HaaS React app has
-- hard-coded (sql/009_site_haas.sql), unless a set already has an old id or
-- another set holds it (IGNORE: the unique key).
UPDATE IGNORE resources SET old_id = '672b88e1053d6a26a995a710',
  old_name = 'HW Set1' WHERE code = 'HWSet1' AND old_id IS NULL;
UPDATE IGNORE resources SET old_id = '672b88e5053d6a26a995a711',
  old_name = 'HW Set2' WHERE code = 'HWSet2' AND old_id IS NULL;
