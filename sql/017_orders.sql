-- 017: the shop's order create and cancel as stored procedures (issue 15).
--
-- Each is one prepared CALL from orders.c (req_call), in the manner of
-- 015's haas_move: the caller's account, the locks, the checks, the
-- stock, the low-stock marks, the order's rows, the audit row and the
-- notices, in one round trip that runs its own transaction (or joins the
-- caller's: an Idempotency-Key request), so that a product's row is
-- locked for server work only.  They answer {"order": Order} as
-- orders.c's order_json writes it, built from what they did, not read
-- back after the COMMIT.  A refusal whose body names a message of its
-- own carries it as "error" in its details (req_call makes it the
-- message).
--
-- Notices are rows of the change's transaction (012), so the ones an
-- order causes are written here too, by haas_notify, which writes what
-- src/notify.c's notify() writes for a notice to one user or to the
-- admins.  Recipients and webhooks are read as notify.c reads them, by
-- plain (non-locking) reads: a cursor's rows are read when it opens,
-- where an INSERT ... SELECT would share-lock every user row it reads.

-- One notice of kind p_kind with fields p_fields (a JSON object): by
-- e-mail to user p_user or, with p_admins, to every active admin, each
-- as their preference for the kind says (no row: immediate; digest:
-- held for the digest; off: none; no address: skipped), and to every
-- active webhook that takes the kind.  For kinds without flags
-- (notify.c's NKF_*: order.status, stock.low), one user or the admins.
CREATE PROCEDURE haas_notify(IN p_kind VARCHAR(40), IN p_fields LONGTEXT,
                             IN p_user BIGINT UNSIGNED, IN p_admins BOOL)
BEGIN
  DECLARE done BOOL DEFAULT FALSE;
  DECLARE v_k INT;
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_hook BIGINT UNSIGNED;
  DECLARE v_to VARCHAR(2000) CHARACTER SET utf8mb4;
  DECLARE v_mode VARCHAR(16);
  -- The users first (in id order), then the webhooks, as notify.c.
  DECLARE cur CURSOR FOR
    SELECT 1 AS k, u.id AS id, NULL AS hook_id, u.email AS recipient,
           COALESCE(p.mode, 'immediate') AS mode
      FROM users u LEFT JOIN notice_prefs p ON p.user_id = u.id
        AND p.kind = p_kind
      WHERE NOT p_admins AND u.id = p_user
        AND u.status IN ('active', 'pending')
    UNION ALL
    SELECT 1, u.id, NULL, u.email, COALESCE(p.mode, 'immediate')
      FROM users u LEFT JOIN notice_prefs p ON p.user_id = u.id
        AND p.kind = p_kind
      WHERE p_admins AND u.role = 'admin' AND u.status = 'active'
    UNION ALL
    SELECT 2, w.id, w.id, w.url, 'immediate'
      FROM webhooks w
      WHERE w.active = 1 AND w.deleted_at IS NULL
        AND FIND_IN_SET(p_kind, w.kinds)
    ORDER BY k, id;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;

  OPEN cur;
  each_one: LOOP
    SET done = FALSE;
    FETCH cur INTO v_k, v_id, v_hook, v_to, v_mode;
    IF done THEN LEAVE each_one; END IF;
    IF v_mode <> 'off' THEN
      INSERT INTO notices (msg_id, kind, channel, user_id, webhook_id,
          recipient, fields, state, last_error)
        VALUES (LOWER(HEX(RANDOM_BYTES(16))), p_kind,
          IF(v_hook IS NULL, 'email', 'webhook'),
          IF(v_hook IS NULL, v_id, NULL), v_hook, v_to, p_fields,
          CASE WHEN COALESCE(v_to, '') = '' THEN 'skipped'
               WHEN v_mode = 'digest' THEN 'held' ELSE 'pending' END,
          IF(COALESCE(v_to, '') = '', 'no e-mail address', NULL));
    END IF;
  END LOOP;
  CLOSE cur;
END;

-- After a change of product p_product's stock, its row locked: what
-- catalog.c's catalog_stock_watch does.  Back at or above the threshold
-- (or none): the mark goes, so the next crossing is announced again.
-- Below it and not announced yet: marked, and the admins are told.
CREATE PROCEDURE haas_stock_watch(IN p_product BIGINT UNSIGNED)
BEGIN
  DECLARE v_fields LONGTEXT CHARACTER SET utf8mb4;

  UPDATE products SET low_stock_alerted = 0
    WHERE id = p_product AND low_stock_alerted = 1
      AND (low_stock_threshold IS NULL OR stock >= low_stock_threshold);
  UPDATE products SET low_stock_alerted = 1
    WHERE id = p_product AND low_stock_alerted = 0
      AND retired_at IS NULL AND stock < low_stock_threshold;
  IF ROW_COUNT() = 1 THEN
    SET v_fields = (SELECT JSON_OBJECT('product_name', name,
        'product_id', CAST(id AS CHAR), 'stock', CAST(stock AS CHAR),
        'threshold', CAST(low_stock_threshold AS CHAR))
      FROM products WHERE id = p_product);
    CALL haas_notify('stock.low', v_fields, NULL, TRUE);
  END IF;
END;

-- POST /api/orders/create: p_items is [{"product_id": n, "quantity": q}]
-- (orders.c has checked them and added up lines of the same product;
-- they are added up here too).  Products are locked in id order, so
-- concurrent orders cannot deadlock on each other; each line snapshots
-- its product's name and price.  All lines or none.  The first line in
-- id order that fails names its product: PRODUCT_NOT_FOUND (none, or
-- retired: then with its name), INSUFFICIENT_STOCK (never oversold: the
-- UPDATE's condition), FIELD_INVALID (a total past BIGINT; the fields'
-- limits keep it out of reach).
CREATE PROCEDURE haas_order_create(
  IN p_actor BIGINT UNSIGNED, IN p_session VARCHAR(48), IN p_ver BIGINT,
  IN p_items LONGTEXT, IN p_request_id VARCHAR(64), IN p_addr VARCHAR(64))
BEGIN
  DECLARE own BOOL DEFAULT @@in_transaction = 0;
  DECLARE done BOOL DEFAULT FALSE;
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_qty BIGINT;
  DECLARE v_name VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_price BIGINT;
  DECLARE v_live BOOL;
  DECLARE v_err VARCHAR(64);
  DECLARE v_total DECIMAL(65, 0) DEFAULT 0;
  DECLARE v_order BIGINT UNSIGNED;
  DECLARE v_now DATETIME(6);
  DECLARE v_at VARCHAR(32);
  DECLARE v_username VARCHAR(64) CHARACTER SET utf8mb4;
  DECLARE v_uname VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_items LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
  DECLARE cur CURSOR FOR
    SELECT j.id, SUM(j.qty)
      FROM JSON_TABLE(p_items, '$[*]' COLUMNS (
        id BIGINT UNSIGNED PATH '$.product_id',
        qty BIGINT PATH '$.quantity')) j
      GROUP BY j.id ORDER BY j.id;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own THEN ROLLBACK; END IF;
    RESIGNAL;
  END;

  IF own THEN START TRANSACTION; END IF;
  CALL haas_principal(p_actor, p_session, p_ver);

  OPEN cur;
  each_line: LOOP
    SET done = FALSE;
    FETCH cur INTO v_id, v_qty;
    IF done THEN LEAVE each_line; END IF;
    SET v_name = NULL, v_price = NULL, v_live = FALSE, v_err = NULL;
    SELECT name, price, retired_at IS NULL INTO v_name, v_price, v_live
      FROM products WHERE id = v_id FOR UPDATE;
    IF v_live THEN
      -- The row is locked already; the condition (and CHECK stock >= 0)
      -- would keep the invariant even without the lock.
      UPDATE products SET stock = stock - v_qty
        WHERE id = v_id AND stock >= v_qty AND retired_at IS NULL;
      SET v_err = IF(ROW_COUNT() = 0, 'INSUFFICIENT_STOCK', NULL);
    ELSE
      SET v_err = 'PRODUCT_NOT_FOUND';
    END IF;
    -- A refusal names the product, and its name when there is one and
    -- it fits in a SIGNAL's message (else orders.c reads it).
    IF v_err IS NOT NULL THEN
      CALL haas_refuse(v_err, IF(v_name IS NULL
          OR LENGTH(JSON_OBJECT('product_name', v_name)) > 400,
        JSON_OBJECT('product_id', CAST(v_id AS CHAR)),
        JSON_OBJECT('product_id', CAST(v_id AS CHAR),
                    'product_name', v_name)));
    END IF;
    CALL haas_stock_watch(v_id);
    SET v_total = v_total + CAST(v_price AS DECIMAL(65, 0)) * v_qty;
    IF v_total > 9223372036854775807 THEN
      CALL haas_refuse('FIELD_INVALID',
                       JSON_OBJECT('error', 'Order total too large'));
    END IF;
    SET v_items = JSON_ARRAY_APPEND(v_items, '$', JSON_OBJECT(
      'product_id', CAST(v_id AS CHAR), 'name', v_name,
      'unit_price', v_price + 0, 'quantity', v_qty + 0,
      'line_total', v_price * v_qty));
  END LOOP;
  CLOSE cur;

  SET v_now = NOW(6);
  INSERT INTO orders (user_id, total_price, created_at, updated_at)
    VALUES (p_actor, v_total, v_now, v_now);
  SET v_order = LAST_INSERT_ID();
  INSERT INTO order_items (order_id, product_id, name, unit_price, quantity)
    SELECT v_order, j.product_id, j.name, j.unit_price, j.quantity
      FROM JSON_TABLE(v_items, '$[*]' COLUMNS (
        product_id BIGINT UNSIGNED PATH '$.product_id',
        name VARCHAR(200) CHARACTER SET utf8mb4 PATH '$.name',
        unit_price BIGINT PATH '$.unit_price',
        quantity INT PATH '$.quantity')) j;
  INSERT INTO audit_log (actor_id, action, entity, entity_id, details,
      request_id, remote_addr)
    VALUES (p_actor, 'order.create', 'order', CAST(v_order AS CHAR),
      CAST(v_total AS CHAR), p_request_id, p_addr);
  SELECT username, name INTO v_username, v_uname FROM users
    WHERE id = p_actor;
  SET v_at = DATE_FORMAT(v_now, '%Y-%m-%dT%H:%i:%sZ');

  IF own THEN COMMIT; END IF;
  SELECT JSON_OBJECT('order', JSON_OBJECT(
    'order_id', CAST(v_order AS CHAR), 'user_id', CAST(p_actor AS CHAR),
    'status', 'pending', 'total_price', v_total + 0,
    'created_at', v_at, 'updated_at', v_at,
    'customer', JSON_OBJECT('user_id', CAST(p_actor AS CHAR),
                            'username', v_username, 'name', v_uname),
    'items', JSON_QUERY(v_items, '$')));
END;

-- POST /api/orders/{id}/cancel and PATCH /api/orders/{id} to cancelled:
-- the owner cancels while pending, admins (the caller's role as the
-- users row says now, which is what auth.c reads too) until shipped;
-- another user's order is not found.  The order's row is locked first,
-- then its products in id order; the conditional UPDATE succeeds once,
-- so the stock comes back once.  The buyer is told (order.status).
CREATE PROCEDURE haas_order_cancel(
  IN p_actor BIGINT UNSIGNED, IN p_session VARCHAR(48), IN p_ver BIGINT,
  IN p_order BIGINT UNSIGNED, IN p_request_id VARCHAR(64),
  IN p_addr VARCHAR(64))
BEGIN
  DECLARE own BOOL DEFAULT @@in_transaction = 0;
  DECLARE done BOOL DEFAULT FALSE;
  DECLARE v_admin BOOL;
  DECLARE v_owner BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_from VARCHAR(16);
  DECLARE v_total BIGINT;
  DECLARE v_created VARCHAR(32);
  DECLARE v_updated VARCHAR(32);
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_name VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_price BIGINT;
  DECLARE v_qty BIGINT;
  DECLARE v_username VARCHAR(64) CHARACTER SET utf8mb4;
  DECLARE v_uname VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_items LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
  DECLARE cur CURSOR FOR
    SELECT product_id, name, unit_price, quantity FROM order_items
      WHERE order_id = p_order ORDER BY product_id;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own THEN ROLLBACK; END IF;
    RESIGNAL;
  END;

  IF own THEN START TRANSACTION; END IF;
  CALL haas_principal(p_actor, p_session, p_ver);
  SET v_admin = COALESCE((SELECT role = 'admin' FROM users
                          WHERE id = p_actor), FALSE);

  SELECT user_id, status, total_price INTO v_owner, v_from, v_total
    FROM orders WHERE id = p_order FOR UPDATE;
  IF v_owner IS NULL OR (v_owner <> p_actor AND NOT v_admin) THEN
    CALL haas_refuse('ORDER_NOT_FOUND', NULL);
  END IF;
  UPDATE orders SET status = 'cancelled', cancelled_at = UTC_TIMESTAMP(6)
    WHERE id = p_order AND (status = 'pending'
      OR (v_admin AND status = 'paid'));
  IF ROW_COUNT() = 0 THEN
    CALL haas_refuse('ORDER_NOT_CANCELLABLE', JSON_OBJECT('error',
      CONCAT('Order is ', v_from, ' and can no longer be cancelled')));
  END IF;

  OPEN cur;
  each_line: LOOP
    SET done = FALSE;
    FETCH cur INTO v_id, v_name, v_price, v_qty;
    IF done THEN LEAVE each_line; END IF;
    UPDATE products SET stock = stock + v_qty WHERE id = v_id;
    CALL haas_stock_watch(v_id);
    SET v_items = JSON_ARRAY_APPEND(v_items, '$', JSON_OBJECT(
      'product_id', CAST(v_id AS CHAR), 'name', v_name,
      'unit_price', v_price + 0, 'quantity', v_qty + 0,
      'line_total', v_price * v_qty));
  END LOOP;
  CLOSE cur;

  INSERT INTO audit_log (actor_id, action, entity, entity_id, details,
      request_id, remote_addr)
    VALUES (p_actor, 'order.cancel', 'order', CAST(p_order AS CHAR),
      JSON_OBJECT('from', v_from, 'to', 'cancelled'), p_request_id, p_addr);
  -- The total as the app shows it (orders.c money_text): "€1,234.50".
  CALL haas_notify('order.status', JSON_OBJECT(
    'order_id', CAST(p_order AS CHAR), 'status', 'cancelled',
    'previous_status', v_from,
    'total', CONCAT(IF(v_total < 0, '-', ''),
      CONVERT(X'E282AC' USING utf8mb4),
      FORMAT(ABS(v_total) DIV 100, 0, 'en_US'), '.',
      LPAD(ABS(v_total) MOD 100, 2, '0'))), v_owner, FALSE);
  SELECT DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%sZ'),
         DATE_FORMAT(o.updated_at, '%Y-%m-%dT%H:%i:%sZ'), u.username, u.name
    INTO v_created, v_updated, v_username, v_uname
    FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = p_order;

  IF own THEN COMMIT; END IF;
  SELECT JSON_OBJECT('order', JSON_OBJECT(
    'order_id', CAST(p_order AS CHAR), 'user_id', CAST(v_owner AS CHAR),
    'status', 'cancelled', 'total_price', v_total + 0,
    'created_at', v_created, 'updated_at', v_updated,
    'customer', JSON_OBJECT('user_id', CAST(v_owner AS CHAR),
                            'username', v_username, 'name', v_uname),
    'items', JSON_QUERY(v_items, '$')));
END;
