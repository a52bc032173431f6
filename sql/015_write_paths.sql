-- 015: faster write paths (issue 15).
--
-- One append-only log.  A checkout or checkin used to be written twice:
-- to resource_events (the history pages) and to audit_log.  audit_log now
-- carries the set and the project a movement is about, indexed, and the
-- history endpoints read it; resource_events goes.  Its rows were written
-- one for one with the audit rows of the same set and action, in the same
-- order, so the k-th event of a set and action is the k-th audit row of
-- that set and action: that is how the project is carried over.
ALTER TABLE audit_log
  ADD COLUMN resource_id BIGINT UNSIGNED NULL,
  ADD COLUMN project_id BIGINT UNSIGNED NULL,
  ADD KEY ix_audit_resource (resource_id, id),
  ADD KEY ix_audit_project (project_id, id);

DROP TRIGGER audit_log_no_update;

UPDATE audit_log a
  JOIN (SELECT id, ROW_NUMBER() OVER (PARTITION BY entity_id, action ORDER BY id) AS k
        FROM audit_log
        WHERE action IN ('resource.checkout', 'resource.checkin')) an ON an.id = a.id
  JOIN resources r ON r.code = a.entity_id
  JOIN (SELECT resource_id, project_id,
               CONCAT('resource.', action) AS action,
               ROW_NUMBER() OVER (PARTITION BY resource_id, action ORDER BY id) AS k
        FROM resource_events) e
    ON e.resource_id = r.id AND e.action = a.action AND e.k = an.k
  SET a.resource_id = e.resource_id, a.project_id = e.project_id;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';

DROP TABLE resource_events;

-- Write paths as stored procedures.  Each is one prepared CALL from
-- haasd (db_call): it checks, writes and logs in one round trip, so the
-- rows it locks are held for server work only.  Called with no
-- transaction open it runs its own and commits before it answers; inside
-- one (an Idempotency-Key request) it joins it and leaves the commit to
-- the caller.  It answers one row, one column: a JSON object.  A refusal
-- is SIGNAL SQLSTATE '45000' with MESSAGE_TEXT 'haas:NAME' or
-- 'haas:NAME:{details}', NAME a row of src/err.h's table; db.c maps it
-- to that error and the details join the error body.  (A procedure's
-- local variable is a string to MariaDB's JSON functions: numbers go in
-- as v + 0.)
--
-- Reads before a procedure's first UPDATE are SELECT ... INTO: a plain
-- consistent read, as a separate SELECT would be.  SET v = (SELECT ...)
-- and IF EXISTS (SELECT ...) share-lock the rows they read, and two
-- transactions that share-locked a set's row and then both UPDATE it
-- deadlock (seen under load on one hot set).
--
-- The first three parameters of each are the caller: its user id, and
-- while the request's bearer token has not been checked against the
-- database yet, the token's session and version (else NULL): the
-- account must still be active, the token's version current and its
-- session not ended, exactly as auth.c's Q_PRINCIPAL checks it.

CREATE PROCEDURE haas_refuse(IN p_err VARCHAR(64), IN p_details LONGTEXT)
BEGIN
  DECLARE msg VARCHAR(1000) DEFAULT CONCAT('haas:', p_err,
    IF(p_details IS NULL, '', CONCAT(':', p_details)));
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;
END;

-- The caller with a role of at least p_role (1 user, 2 operator, 3 admin:
-- src/req.h's enum role, the order of users.role's ENUM, so role + 0
-- compares), while its token is unchecked (p_session set): a staff route
-- with ROUTE_AUTH_LATE leaves the token's role to its procedure as it
-- leaves the account.  TOKEN_INVALID before FORBIDDEN, as the router
-- checks them.
CREATE PROCEDURE haas_principal_role(IN p_user BIGINT UNSIGNED,
                                     IN p_session VARCHAR(48), IN p_ver BIGINT,
                                     IN p_role INT)
BEGIN
  DECLARE v_role INT DEFAULT NULL;

  IF p_session IS NOT NULL THEN
    SELECT MAX(u.role + 0) INTO v_role FROM users u
      JOIN sessions s ON s.family = p_session AND s.user_id = u.id
        AND s.revoked_at IS NULL
      WHERE u.id = p_user AND u.deleted_at IS NULL
        AND u.token_version = p_ver AND u.status = 'active';
    IF v_role IS NULL THEN
      CALL haas_refuse('TOKEN_INVALID', NULL);
    END IF;
    IF v_role < p_role THEN
      CALL haas_refuse('FORBIDDEN', NULL);
    END IF;
  END IF;
END;

CREATE PROCEDURE haas_principal(IN p_user BIGINT UNSIGNED,
                                IN p_session VARCHAR(48), IN p_ver BIGINT)
BEGIN
  CALL haas_principal_role(p_user, p_session, p_ver, 1);
END;

-- One line of a move (haas_move): the set's guard, the holding, the log
-- row; appends {resource_id, units, available_units, due_at} to p_out.
CREATE PROCEDURE haas_move_line(
  IN p_actor BIGINT UNSIGNED, IN p_checkin BOOL, IN p_project VARCHAR(64),
  IN p_project_id BIGINT UNSIGNED, IN p_holder VARCHAR(24),
  IN p_due_at DATETIME(6), IN p_due_days INT, IN p_id BIGINT UNSIGNED,
  IN p_code VARCHAR(64), IN p_name VARCHAR(64), IN p_units BIGINT,
  IN p_request_id VARCHAR(64), IN p_addr VARCHAR(64), INOUT p_out LONGTEXT)
BEGIN
  DECLARE v_ok BOOL;
  DECLARE v_avail BIGINT;
  DECLARE v_due VARCHAR(32) DEFAULT NULL;

  IF p_checkin THEN
    -- The set's row first, as checkout does, so both lock in the same
    -- order; the holder's count is the real guard.
    UPDATE resources SET available_units = available_units + p_units
      WHERE id = p_id AND available_units + p_units <= total_units;
    SET v_ok = ROW_COUNT() = 1;
    IF v_ok THEN
      UPDATE resource_holdings SET units = units - p_units,
          due_at = IF(units = 0, NULL, due_at)
        WHERE resource_id = p_id AND holder = p_holder AND units >= p_units;
      SET v_ok = ROW_COUNT() = 1;
    END IF;
    IF NOT v_ok THEN
      CALL haas_refuse('CHECKIN_FAILED', JSON_OBJECT('resource_id', p_name,
        'units', p_units + 0, 'held_units', (SELECT COALESCE(SUM(units), 0)
          FROM resource_holdings WHERE resource_id = p_id
            AND holder = p_holder LOCK IN SHARE MODE)));
    END IF;
  ELSE
    -- The oversell guard: no row changes unless enough is available.
    UPDATE resources SET available_units = available_units - p_units
      WHERE id = p_id AND retired_at IS NULL AND available_units >= p_units;
    IF ROW_COUNT() <> 1 THEN
      CALL haas_refuse('INSUFFICIENT_UNITS', JSON_OBJECT(
        'resource_id', p_name, 'units', p_units + 0,
        'available_units', (SELECT available_units FROM resources
          WHERE id = p_id LOCK IN SHARE MODE)));
    END IF;
    -- The due date: the one asked for, else days from now, else the
    -- set's loan length from now, else none.  A holding keeps the
    -- earliest due date of what it holds (and its borrower); units
    -- changes last (MariaDB assigns left to right).
    INSERT INTO resource_holdings (resource_id, project_id, user_id,
        units, due_at, borrowed_by)
      VALUES (p_id, p_project_id, IF(p_project_id IS NULL, p_actor, NULL),
        p_units, COALESCE(p_due_at, UTC_TIMESTAMP(6) + INTERVAL
          COALESCE(p_due_days, (SELECT loan_days FROM resources
            WHERE id = p_id)) DAY), p_actor)
      ON DUPLICATE KEY UPDATE
        borrowed_by = IF(units = 0 OR due_at IS NULL
          OR VALUES(due_at) < due_at, VALUES(borrowed_by), borrowed_by),
        due_at = IF(units = 0 OR due_at IS NULL
          OR VALUES(due_at) < due_at, VALUES(due_at), due_at),
        units = units + VALUES(units);
    SELECT DATE_FORMAT(due_at, '%Y-%m-%dT%H:%i:%sZ') INTO v_due
      FROM resource_holdings WHERE resource_id = p_id AND holder = p_holder;
  END IF;
  SELECT available_units INTO v_avail FROM resources WHERE id = p_id;
  INSERT INTO audit_log (actor_id, action, entity, entity_id, details,
      request_id, remote_addr, resource_id, project_id)
    VALUES (p_actor, IF(p_checkin, 'resource.checkin', 'resource.checkout'),
      'resource', p_code, IF(p_checkin,
        JSON_OBJECT('project_id', p_project, 'units', p_units + 0,
                    'available_units', v_avail + 0),
        JSON_OBJECT('project_id', p_project, 'units', p_units + 0,
                    'available_units', v_avail + 0, 'due_at', v_due)),
      p_request_id, p_addr, p_id, p_project_id);
  SET p_out = JSON_ARRAY_APPEND(p_out, '$', JSON_OBJECT(
    'resource_id', p_name, 'units', p_units + 0,
    'available_units', v_avail + 0, 'due_at', v_due));
END;

-- Checkout and checkin, in every form (resources.c, move): p_lines is
-- [{"name": ..., "units": n}, ...] as the request named the sets (on the
-- HaaS site, p_alias: a set's old id names it too, and wins).  Lines of
-- the same set are added up; sets are locked in id order, so concurrent
-- moves cannot deadlock on each other.  All lines or none.  Answers
-- {"lines": [{resource_id, units, available_units, due_at}]} in id order.
-- One line, the common case, is resolved with plain lookups; JSON_TABLE
-- (which costs a temporary table) only for several.
CREATE PROCEDURE haas_move(
  IN p_actor BIGINT UNSIGNED, IN p_session VARCHAR(48), IN p_ver BIGINT,
  IN p_checkin BOOL, IN p_alias BOOL, IN p_project VARCHAR(64),
  IN p_due_at DATETIME(6), IN p_due_days INT, IN p_lines LONGTEXT,
  IN p_request_id VARCHAR(64), IN p_addr VARCHAR(64))
BEGIN
  DECLARE own BOOL DEFAULT @@in_transaction = 0;
  DECLARE done BOOL DEFAULT FALSE;
  DECLARE v_single BOOL DEFAULT JSON_LENGTH(p_lines) = 1;
  DECLARE v_project BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_member BOOL DEFAULT FALSE;
  DECLARE v_holder VARCHAR(24);
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_code VARCHAR(64);
  DECLARE v_units BIGINT;
  DECLARE v_first INT;
  DECLARE v_name VARCHAR(64);
  DECLARE v_missing VARCHAR(64);
  DECLARE v_out LONGTEXT DEFAULT '[]';
  DECLARE cur CURSOR FOR
    SELECT r.id, r.code, SUM(j.units), MIN(j.n)
    FROM JSON_TABLE(p_lines, '$[*]' COLUMNS (n FOR ORDINALITY,
           name VARCHAR(64) PATH '$.name', units BIGINT PATH '$.units')) j
    JOIN resources r ON r.retired_at IS NULL AND r.code = IF(p_alias,
      COALESCE((SELECT a.code FROM resources a WHERE a.old_id = j.name),
               j.name), j.name)
    GROUP BY r.id, r.code ORDER BY r.id;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own THEN ROLLBACK; END IF;
    RESIGNAL;
  END;

  IF own THEN START TRANSACTION; END IF;
  CALL haas_principal(p_actor, p_session, p_ver);

  -- The first set named that is not there (or retired), as named.
  IF v_single THEN
    SET v_name = JSON_VALUE(p_lines, '$[0].name');
    SET v_units = JSON_VALUE(p_lines, '$[0].units');
    SET v_code = v_name;
    IF p_alias THEN
      SELECT code INTO v_code FROM resources WHERE old_id = v_name;
    END IF;
    SELECT id INTO v_id FROM resources WHERE code = v_code
      AND retired_at IS NULL;
    IF v_id IS NULL THEN
      SET v_missing = v_name;
    END IF;
  ELSE
    SELECT j.name INTO v_missing
      FROM JSON_TABLE(p_lines, '$[*]' COLUMNS (n FOR ORDINALITY,
             name VARCHAR(64) PATH '$.name')) j
      LEFT JOIN resources r ON r.retired_at IS NULL AND r.code = IF(p_alias,
        COALESCE((SELECT a.code FROM resources a WHERE a.old_id = j.name),
                 j.name), j.name)
      WHERE r.id IS NULL ORDER BY j.n LIMIT 1;
  END IF;
  SET done = FALSE;
  IF v_missing IS NOT NULL THEN
    CALL haas_refuse('RESOURCE_NOT_FOUND',
                     JSON_OBJECT('resource_id', v_missing));
  END IF;

  -- The project, and whether the caller is a member (the membership row
  -- share-locked, so that a concurrent leave waits for us).
  IF p_project IS NOT NULL THEN
    SELECT p.id, m.user_id IS NOT NULL INTO v_project, v_member
      FROM projects p LEFT JOIN project_members m ON m.project_id = p.id
        AND m.user_id = p_actor
      WHERE p.code = p_project LOCK IN SHARE MODE;
    IF v_project IS NULL THEN
      CALL haas_refuse('PROJECT_NOT_FOUND', NULL);
    END IF;
    IF NOT v_member THEN
      CALL haas_refuse('NOT_PROJECT_MEMBER', NULL);
    END IF;
    SET done = FALSE;
  END IF;
  SET v_holder = IF(v_project IS NULL, CONCAT('u', p_actor),
                    CONCAT('p', v_project));

  IF v_single THEN
    CALL haas_move_line(p_actor, p_checkin, p_project, v_project, v_holder,
      p_due_at, p_due_days, v_id, v_code, v_name, v_units, p_request_id,
      p_addr, v_out);
  ELSE
    OPEN cur;
    each_line: LOOP
      FETCH cur INTO v_id, v_code, v_units, v_first;
      IF done THEN LEAVE each_line; END IF;
      SET v_name = JSON_VALUE(p_lines,
                              CONCAT('$[', v_first - 1, '].name'));
      CALL haas_move_line(p_actor, p_checkin, p_project, v_project,
        v_holder, p_due_at, p_due_days, v_id, v_code, v_name, v_units,
        p_request_id, p_addr, v_out);
    END LOOP;
    CLOSE cur;
  END IF;

  IF own THEN COMMIT; END IF;
  SELECT JSON_OBJECT('lines', JSON_QUERY(v_out, '$'));
END;
