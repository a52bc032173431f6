-- 009: the HaaS React app's site (profile haas-react).  A hardware set may
-- carry the id and the name it had in the old HaaS backend (a MongoDB
-- ObjectId such as 672b88e1053d6a26a995a710, and "HW Set1") as aliases: the
-- app has them hard-coded, so on its site a set is named by its old id (as
-- resource_id, and as the key of a project's resources) and shown by its
-- old name.  An old id names one set.
ALTER TABLE resources
  ADD COLUMN old_id VARCHAR(64) NULL AFTER name,
  ADD COLUMN old_name VARCHAR(200) NULL AFTER old_id,
  ADD UNIQUE KEY uq_resources_old_id (old_id);
