-- 018: reservation create and staff decisions as stored procedures
-- (issue 15), in the manner of 015: one prepared CALL each, running its
-- own transaction when none is open (joining the caller's otherwise),
-- answering one row, one column, a JSON object, refusing with
-- haas_refuse.  The contended rows (a device, a registration request, a
-- plate) are locked for server work only.
--
-- A refusal whose details do not fit a SIGNAL's MESSAGE_TEXT (512
-- characters: a reservation's list of conflicting windows) is answered
-- instead: {"refused": "NAME", ...details}, after the procedure has
-- written nothing (req.c's req_call turns it into the same error as the
-- SIGNAL would, and a caller's transaction is rolled back as for any
-- refusal).

-- The caller's account and role: 015's haas_principal_role.  A notice:
-- 017's haas_notify.

-- /set-reservation (devices.c): the device row is the lock every
-- reservation change of the device takes, so of two overlapping windows
-- exactly one is written.  The caller's own pending reservation of the
-- device is replaced by the new one, so it is no conflict; it is
-- cancelled only once the new window is known to fit, so a refusal has
-- written nothing.  A refusal lists the conflicting windows (times as
-- their owners sent them and as UTC instants; never a credential or an
-- owner) and the earliest start at or after the asked one where a window
-- as long fits (devices.c's next_free, walked here over the same rows).  p_start and p_end are the parsed instants (UTC) of
-- p_start_time and p_end_time, which are kept byte for byte.  Answers
-- {"reservation_id", "replaced"}.
CREATE PROCEDURE haas_reserve(
  IN p_actor BIGINT UNSIGNED, IN p_session VARCHAR(48), IN p_ver BIGINT,
  IN p_device VARCHAR(64), IN p_start_time VARCHAR(64),
  IN p_end_time VARCHAR(64), IN p_start DATETIME(6), IN p_end DATETIME(6),
  IN p_credential VARCHAR(255), IN p_request_id VARCHAR(64),
  IN p_addr VARCHAR(64))
body: BEGIN
  DECLARE own BOOL DEFAULT @@in_transaction = 0;
  DECLARE done BOOL DEFAULT FALSE;
  DECLARE v_pk BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_now DATETIME(6);
  DECLARE v_conflicts LONGTEXT;
  DECLARE v_free DATETIME(6);
  DECLARE v_s DATETIME(6);
  DECLARE v_e DATETIME(6);
  DECLARE v_replaced BOOL;
  DECLARE v_id BIGINT UNSIGNED;
  -- The live windows from the asked start on, but the caller's pending
  -- one, in order: the gaps between them.
  DECLARE chain CURSOR FOR
    SELECT start_at, end_at FROM reservations
    WHERE device_pk = v_pk AND cancelled_at IS NULL AND end_at > p_start
      AND NOT (user_id = p_actor AND end_at > v_now)
    ORDER BY start_at;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own THEN ROLLBACK; END IF;
    RESIGNAL;
  END;

  -- Before the transaction: it reads nothing the lock protects, and a
  -- read inside would fix the transaction's snapshot before the wait.
  CALL haas_principal(p_actor, p_session, p_ver);
  IF own THEN START TRANSACTION; END IF;
  SELECT id INTO v_pk FROM devices
    WHERE device_id = p_device AND status = 'active' FOR UPDATE;
  IF v_pk IS NULL THEN
    CALL haas_refuse('DEVICE_NOT_FOUND', NULL);
  END IF;
  SET v_now = UTC_TIMESTAMP(6);

  -- Half-open windows: one may start exactly when another ends.  A
  -- locking read, so it sees the latest committed rows.
  SELECT JSON_ARRAYAGG(JSON_OBJECT('start_time', start_time,
        'end_time', end_time,
        'start', DATE_FORMAT(start_at, '%Y-%m-%dT%H:%i:%sZ'),
        'end', DATE_FORMAT(end_at, '%Y-%m-%dT%H:%i:%sZ'))
      ORDER BY start_at)
    INTO v_conflicts
    FROM reservations
    WHERE device_pk = v_pk AND cancelled_at IS NULL
      AND start_at < p_end AND end_at > p_start
      AND NOT (user_id = p_actor AND end_at > v_now)
    FOR UPDATE;
  IF v_conflicts IS NOT NULL THEN
    SET v_free = p_start, done = FALSE;
    OPEN chain;
    gaps: LOOP
      FETCH chain INTO v_s, v_e;
      IF done THEN LEAVE gaps; END IF;
      IF v_s >= v_free + INTERVAL TIMESTAMPDIFF(MICROSECOND, p_start, p_end)
           MICROSECOND THEN
        LEAVE gaps;
      END IF;
      IF v_e > v_free THEN SET v_free = v_e; END IF;
    END LOOP;
    CLOSE chain;
    IF own THEN ROLLBACK; END IF;
    SELECT JSON_OBJECT('refused', 'RESERVATION_OVERLAP',
      'conflicts', JSON_QUERY(v_conflicts, '$'),
      'next_free_start', DATE_FORMAT(v_free, '%Y-%m-%dT%H:%i:%sZ'));
    LEAVE body;
  END IF;

  UPDATE reservations SET cancelled_at = UTC_TIMESTAMP(6),
      cancelled_by = p_actor, cancel_reason = 'replaced'
    WHERE device_pk = v_pk AND user_id = p_actor AND cancelled_at IS NULL
      AND end_at > v_now;
  SET v_replaced = ROW_COUNT() > 0;
  INSERT INTO reservations (device_pk, user_id, start_time, end_time,
      start_at, end_at, credential)
    VALUES (v_pk, p_actor, p_start_time, p_end_time, p_start, p_end,
      p_credential);
  SET v_id = LAST_INSERT_ID();
  -- Never the credential: the audit log is readable by every admin.
  INSERT INTO audit_log (actor_id, action, entity, entity_id, details,
      request_id, remote_addr)
    VALUES (p_actor, IF(v_replaced, 'reservation.replace',
        'reservation.create'), 'reservation', v_id,
      JSON_COMPACT(JSON_OBJECT('device_id', p_device,
        'start_time', p_start_time, 'end_time', p_end_time)),
      p_request_id, p_addr);
  IF own THEN COMMIT; END IF;
  SELECT JSON_OBJECT('reservation_id', v_id + 0, 'replaced', v_replaced + 0);
END;

-- The pending requests older than p_ttl_days expire, their pending
-- accounts erased; p_any is true when one did.  A copy of registration.c's
-- Q_EXPIRE (with ERASE_PENDING), which the reads of registrations run: a
-- change of the rule changes both.
CREATE PROCEDURE haas_registrations_expire(IN p_ttl_days INT,
                                           OUT p_any BOOL)
BEGIN
  UPDATE registration_requests q JOIN users u
      ON u.id = q.user_id AND u.status = 'pending'
    SET q.status = 'expired', q.decided_at = UTC_TIMESTAMP(6),
      u.username = NULL, u.email = NULL, u.name = NULL,
      u.password_hash = '!', u.status = 'deleted',
      u.token_version = u.token_version + 1,
      u.deleted_at = UTC_TIMESTAMP(6)
    WHERE q.status = 'pending'
      AND q.submitted_at < UTC_TIMESTAMP(6) - INTERVAL p_ttl_days DAY;
  SET p_any = ROW_COUNT() > 0;
END;

-- Once plate is a permit (plates row p_keep), the other pending claims
-- of the number are answered (parking.c, registration.c).
CREATE PROCEDURE haas_plate_rivals_reject(IN p_actor BIGINT UNSIGNED,
                                          IN p_plate VARCHAR(10),
                                          IN p_keep BIGINT UNSIGNED)
BEGIN
  UPDATE plates SET status = 'rejected',
      reason = 'The plate was approved for another driver',
      decided_at = UTC_TIMESTAMP(6), decided_by = p_actor
    WHERE plate_number = p_plate AND id <> p_keep AND status = 'pending';
END;

-- A registration request as staff read it (registration.c's
-- request_json): ids as strings, times to the second in UTC, who decided
-- by name, the document while it is kept.
CREATE FUNCTION haas_request_json(p_id BIGINT UNSIGNED) RETURNS LONGTEXT
  READS SQL DATA
  RETURN (SELECT JSON_OBJECT('request_id', CAST(q.id AS CHAR),
      'user_id', CAST(q.user_id AS CHAR), 'name', q.name, 'email', q.email,
      'plate_number', q.plate_number, 'status', q.status,
      'reason', q.reason,
      'submitted_at', DATE_FORMAT(q.submitted_at, '%Y-%m-%dT%H:%i:%sZ'),
      'decided_at', DATE_FORMAT(q.decided_at, '%Y-%m-%dT%H:%i:%sZ'),
      'decided_by', CAST(q.decided_by AS CHAR),
      'decided_by_username', d.username, 'decided_by_name', d.name,
      'document', JSON_QUERY(IF(q.document_name IS NOT NULL
          AND q.document_deleted_at IS NULL, JSON_OBJECT(
            'type', q.document_type, 'bytes', q.document_bytes), NULL), '$'))
    FROM registration_requests q JOIN users u ON u.id = q.user_id
      LEFT JOIN users d ON d.id = q.decided_by
    WHERE q.id = p_id);

-- PUT /api/requests/{id} (registration.c): a request is decided once.
-- Approving activates the pending account and makes its plate a permit
-- (the other claims of the number answered); rejecting erases the
-- pending account, so the applicant may apply again.  The applicant is
-- told (registration.decided) in the same transaction and before a
-- rejection erases the account: the notice keeps the request's own
-- address.  Requests past their time expire first, so an expired one
-- reads decided.  Answers {"expired": whether others expired on the way,
-- "request": the request as decided}.
CREATE PROCEDURE haas_registration_decide(
  IN p_actor BIGINT UNSIGNED, IN p_session VARCHAR(48), IN p_ver BIGINT,
  IN p_role INT, IN p_id BIGINT UNSIGNED, IN p_approve BOOL,
  IN p_reason VARCHAR(500), IN p_ttl_days INT,
  IN p_request_id VARCHAR(64), IN p_addr VARCHAR(64))
BEGIN
  DECLARE own BOOL DEFAULT @@in_transaction = 0;
  DECLARE v_expired BOOL DEFAULT FALSE;
  DECLARE v_uid BIGINT UNSIGNED;
  DECLARE v_plate VARCHAR(10);
  DECLARE v_status VARCHAR(16);
  DECLARE v_name VARCHAR(200);
  DECLARE v_email VARCHAR(254);
  DECLARE v_plate_id BIGINT UNSIGNED;
  DECLARE v_taken BOOL DEFAULT FALSE;
  DECLARE v_out LONGTEXT;
  DECLARE v_found BOOL DEFAULT TRUE;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_found = FALSE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own THEN ROLLBACK; END IF;
    RESIGNAL;
  END;

  CALL haas_principal_role(p_actor, p_session, p_ver, p_role);
  IF own THEN START TRANSACTION; END IF;
  CALL haas_registrations_expire(p_ttl_days, v_expired);
  SELECT user_id, plate_number, status, name, email
    INTO v_uid, v_plate, v_status, v_name, v_email
    FROM registration_requests WHERE id = p_id FOR UPDATE;
  IF NOT v_found THEN
    CALL haas_refuse('REQUEST_NOT_FOUND', NULL);
  END IF;
  IF v_status <> 'pending' THEN
    CALL haas_refuse('REQUEST_DECIDED', NULL);
  END IF;

  CALL haas_notify('registration.decided',
    JSON_OBJECT('name', COALESCE(v_name, ''), 'plate_number', v_plate,
      'decision', IF(p_approve, 'approved', 'rejected'),
      'reason', COALESCE(p_reason, ''),
      'reason_line', IF(p_reason IS NULL, '',
        CONCAT('Reason: ', p_reason, CHAR(10 USING utf8mb4))),
      'next_line', IF(p_approve, 'Your account is active: sign in with'
        ' your e-mail address and password.',
        'You may apply again with a new registration.')), v_uid, v_email);

  -- An admin disabled or erased the applicant meanwhile: not pending.
  IF p_approve THEN
    UPDATE users SET status = 'active'
      WHERE id = v_uid AND status = 'pending';
  ELSE
    -- ERASE_PENDING, as in haas_registrations_expire
    UPDATE users u SET u.username = NULL, u.email = NULL, u.name = NULL,
        u.password_hash = '!', u.status = 'deleted',
        u.token_version = u.token_version + 1,
        u.deleted_at = UTC_TIMESTAMP(6)
      WHERE u.id = v_uid AND u.status = 'pending';
  END IF;
  IF ROW_COUNT() <> 1 THEN
    CALL haas_refuse('APPLICANT_GONE', NULL);
  END IF;

  -- Approved at once: the registration was the check.  live_plate is
  -- UNIQUE, so a plate that is a permit already is a duplicate.
  IF p_approve THEN
    BEGIN
      DECLARE CONTINUE HANDLER FOR 1062 SET v_taken = TRUE;
      INSERT INTO plates (user_id, plate_number, status, decided_at,
          decided_by)
        VALUES (v_uid, v_plate, 'approved', UTC_TIMESTAMP(6), p_actor);
    END;
    IF v_taken THEN
      CALL haas_refuse('PLATE_TAKEN', NULL);
    END IF;
    SET v_plate_id = LAST_INSERT_ID();
    CALL haas_plate_rivals_reject(p_actor, v_plate, v_plate_id);
  END IF;

  UPDATE registration_requests SET
      status = IF(p_approve, 'approved', 'rejected'), reason = p_reason,
      decided_at = UTC_TIMESTAMP(6), decided_by = p_actor
    WHERE id = p_id AND status = 'pending';
  INSERT INTO audit_log (actor_id, action, entity, entity_id, details,
      request_id, remote_addr)
    VALUES (p_actor, IF(p_approve, 'registration.approve',
        'registration.reject'), 'registration_request', p_id,
      JSON_COMPACT(JSON_OBJECT('plate_number', v_plate,
        'reason', p_reason)),
      p_request_id, p_addr);
  SET v_out = haas_request_json(p_id);
  IF own THEN COMMIT; END IF;
  SELECT JSON_OBJECT('expired', v_expired + 0,
                     'request', JSON_QUERY(v_out, '$'));
END;

-- A plate as staff read it (parking.c's plate_json_staff): its owner and
-- who decided it, by name.
CREATE FUNCTION haas_plate_json(p_id BIGINT UNSIGNED) RETURNS LONGTEXT
  READS SQL DATA
  RETURN (SELECT JSON_OBJECT('plate_id', CAST(p.id AS CHAR),
      'plate_number', p.plate_number, 'user_id', CAST(p.user_id AS CHAR),
      'created_at', DATE_FORMAT(p.created_at, '%Y-%m-%dT%H:%i:%sZ'),
      'status', p.status, 'reason', p.reason,
      'decided_at', DATE_FORMAT(p.decided_at, '%Y-%m-%dT%H:%i:%sZ'),
      'decided_by', CAST(p.decided_by AS CHAR),
      'owner', JSON_OBJECT('user_id', CAST(p.user_id AS CHAR),
        'username', o.username, 'name', o.name, 'email', o.email,
        'status', o.status),
      'decided_by_username', d.username, 'decided_by_name', d.name)
    FROM plates p JOIN users o ON o.id = p.user_id
      LEFT JOIN users d ON d.id = p.decided_by
    WHERE p.id = p_id);

-- PUT /api/plates/{id} (parking.c): a pending claim is decided once;
-- approving makes it the number's one permit (live_plate is UNIQUE) and
-- answers the other claims.  Answers {"plate": the plate as decided}.
CREATE PROCEDURE haas_plate_decide(
  IN p_actor BIGINT UNSIGNED, IN p_session VARCHAR(48), IN p_ver BIGINT,
  IN p_role INT, IN p_id BIGINT UNSIGNED, IN p_approve BOOL,
  IN p_reason VARCHAR(500), IN p_request_id VARCHAR(64),
  IN p_addr VARCHAR(64))
BEGIN
  DECLARE own BOOL DEFAULT @@in_transaction = 0;
  DECLARE v_plate VARCHAR(10);
  DECLARE v_status VARCHAR(16);
  DECLARE v_taken BOOL DEFAULT FALSE;
  DECLARE v_out LONGTEXT;
  DECLARE v_found BOOL DEFAULT TRUE;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_found = FALSE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own THEN ROLLBACK; END IF;
    RESIGNAL;
  END;

  CALL haas_principal_role(p_actor, p_session, p_ver, p_role);
  IF own THEN START TRANSACTION; END IF;
  SELECT plate_number, status INTO v_plate, v_status
    FROM plates WHERE id = p_id FOR UPDATE;
  IF NOT v_found THEN
    CALL haas_refuse('PLATE_NOT_FOUND', NULL);
  END IF;
  IF v_status <> 'pending' THEN
    CALL haas_refuse('PLATE_DECIDED', NULL);
  END IF;
  BEGIN
    DECLARE CONTINUE HANDLER FOR 1062 SET v_taken = TRUE;
    UPDATE plates SET status = IF(p_approve, 'approved', 'rejected'),
        reason = p_reason, decided_at = UTC_TIMESTAMP(6),
        decided_by = p_actor
      WHERE id = p_id AND status = 'pending';
  END;
  IF v_taken THEN
    CALL haas_refuse('PLATE_TAKEN', NULL);
  END IF;
  IF p_approve THEN
    CALL haas_plate_rivals_reject(p_actor, v_plate, p_id);
  END IF;
  INSERT INTO audit_log (actor_id, action, entity, entity_id, details,
      request_id, remote_addr)
    VALUES (p_actor, IF(p_approve, 'plate.approve', 'plate.reject'),
      'plate', p_id, JSON_COMPACT(JSON_OBJECT('plate_number', v_plate,
        'reason', p_reason)),
      p_request_id, p_addr);
  SET v_out = haas_plate_json(p_id);
  IF own THEN COMMIT; END IF;
  SELECT JSON_OBJECT('plate', JSON_QUERY(v_out, '$'));
END;
