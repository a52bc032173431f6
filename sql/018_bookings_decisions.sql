-- 018: reservation create as a stored procedure (issue 15), in the
-- manner of 015: one prepared CALL, running its own transaction when none
-- is open (joining the caller's otherwise), answering one row, one
-- column, a JSON object, refusing with haas_refuse.  The contended row (a
-- device) is locked for server work only.
--
-- A refusal whose details do not fit a SIGNAL's MESSAGE_TEXT (512
-- characters: a reservation's list of conflicting windows) is answered
-- instead: {"refused": "NAME", ...details}, after the procedure has
-- written nothing (req.c's req_call turns it into the same error as the
-- SIGNAL would, and a caller's transaction is rolled back as for any
-- refusal).

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
