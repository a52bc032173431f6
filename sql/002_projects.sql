-- 002: projects, hardware sets (resources), who holds how many units, and
-- the checkout/checkin history.  The invariant
--   available_units + SUM(resource_holdings.units) = total_units
-- is kept by the application in one transaction per request; the CHECK
-- constraints below are the backstop that makes a count going negative or
-- past capacity impossible whatever the code does.

CREATE TABLE projects (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- the user-chosen "project_id" of the contract
  code VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  description VARCHAR(2000) NULL,
  owner_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_projects_code (code),
  KEY ix_projects_owner (owner_id),
  CONSTRAINT fk_projects_owner FOREIGN KEY (owner_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The owner is a member too (inserted with the project).
CREATE TABLE project_members (
  project_id BIGINT UNSIGNED NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  joined_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (project_id, user_id),
  KEY ix_members_user (user_id, project_id),
  CONSTRAINT fk_members_project FOREIGN KEY (project_id) REFERENCES projects (id),
  CONSTRAINT fk_members_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;

-- Signed counts so that arithmetic in UPDATEs can never wrap; the CHECK
-- keeps them in range.
CREATE TABLE resources (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- the "resource_id" of the contract, e.g. HWSet1
  code VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  total_units INT NOT NULL,
  available_units INT NOT NULL,
  retired_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_resources_code (code),
  CONSTRAINT ck_resources_total CHECK (total_units >= 0),
  CONSTRAINT ck_resources_available CHECK (available_units >= 0 AND available_units <= total_units)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A holder is a project or (checkout without project_id) a user: exactly
-- one of the two.  holder names it in one column so that one UNIQUE key
-- covers both kinds (a UNIQUE key over nullable columns would not).
CREATE TABLE resource_holdings (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  resource_id BIGINT UNSIGNED NOT NULL,
  project_id BIGINT UNSIGNED NULL,
  user_id BIGINT UNSIGNED NULL,
  holder VARCHAR(24) AS (IF(project_id IS NULL, CONCAT('u', user_id),
                            CONCAT('p', project_id))) STORED,
  units INT NOT NULL,
  UNIQUE KEY uq_holdings_holder (resource_id, holder),
  KEY ix_holdings_project (project_id),
  KEY ix_holdings_user (user_id),
  CONSTRAINT ck_holdings_units CHECK (units >= 0),
  CONSTRAINT ck_holdings_one_holder CHECK ((project_id IS NULL) <> (user_id IS NULL)),
  CONSTRAINT fk_holdings_resource FOREIGN KEY (resource_id) REFERENCES resources (id),
  CONSTRAINT fk_holdings_project FOREIGN KEY (project_id) REFERENCES projects (id),
  CONSTRAINT fk_holdings_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;

-- History of every checkout and checkin, paged by id per resource and per
-- project (audit_log gets an entry too; this table is indexed for paging).
CREATE TABLE resource_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  actor_id BIGINT UNSIGNED NOT NULL,
  resource_id BIGINT UNSIGNED NOT NULL,
  project_id BIGINT UNSIGNED NULL,
  user_id BIGINT UNSIGNED NULL,
  action ENUM('checkout', 'checkin') NOT NULL,
  units INT NOT NULL,
  available_after INT NOT NULL,
  KEY ix_events_resource (resource_id, id),
  KEY ix_events_project (project_id, id),
  CONSTRAINT ck_events_units CHECK (units > 0),
  CONSTRAINT fk_events_resource FOREIGN KEY (resource_id) REFERENCES resources (id),
  CONSTRAINT fk_events_project FOREIGN KEY (project_id) REFERENCES projects (id)
) ENGINE=InnoDB;

CREATE TRIGGER resource_events_no_update BEFORE UPDATE ON resource_events
  FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'resource_events is append-only';

CREATE TRIGGER resource_events_no_delete BEFORE DELETE ON resource_events
  FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'resource_events is append-only';
