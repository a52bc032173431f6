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
-- A procedure's every statement costs the server its own setup (tables
-- opened, expressions resolved), so they are kept few: lines are walked
-- as JSON rather than through a cursor (whose rows go to a temporary
-- table), and a product's low-stock mark is set in the UPDATE that
-- changes its stock, from the row read under the lock just before.
--
-- Notices are rows of the change's transaction (012), so the ones an
-- order causes are written here too, by haas_notify, which writes what
-- src/notify.c's notify() writes for a notice to one user or to the
-- admins.  Recipients and webhooks are read as notify.c reads them, by
-- plain (non-locking) reads: a cursor's rows are read when it opens,
-- where an INSERT ... SELECT would share-lock every row it reads.

-- One notice of kind p_kind with fields p_fields (a JSON object): by
-- e-mail to user p_user (an active or pending account; at p_email instead
-- of its address when given) or, with p_user NULL, to every active admin,
-- each as their preference for the kind says (no row: immediate; digest:
-- held for the digest; off: none; no address: skipped), and to every
-- active webhook that takes the kind (at most 64, as notify.c).  For
-- kinds without flags (notify.c's NKF_*): order.status, stock.low,
-- registration.decided (018).
CREATE PROCEDURE haas_notify(IN p_kind VARCHAR(40), IN p_fields LONGTEXT,
                             IN p_user BIGINT UNSIGNED,
                             IN p_email VARCHAR(254))
BEGIN
  DECLARE done BOOL DEFAULT FALSE;
  DECLARE v_k INT;
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_hook BIGINT UNSIGNED;
  DECLARE v_to VARCHAR(2000) CHARACTER SET utf8mb4;
  DECLARE v_mode VARCHAR(16);
  -- The admins (in id order), then the webhooks, as notify.c.
  DECLARE cur CURSOR FOR
    SELECT 1 AS k, u.id AS id, NULL AS hook_id, u.email AS recipient,
           COALESCE(p.mode, 'immediate') AS mode
      FROM users u LEFT JOIN notice_prefs p ON p.user_id = u.id
        AND p.kind = p_kind
      WHERE p_user IS NULL AND u.role = 'admin' AND u.status = 'active'
    UNION ALL
    SELECT * FROM (SELECT 2, w.id, w.id AS hook_id, w.url, 'immediate'
      FROM webhooks w
      WHERE w.active = 1 AND w.deleted_at IS NULL
        AND FIND_IN_SET(p_kind, w.kinds)
      ORDER BY w.id LIMIT 64) hooks
    ORDER BY k, id;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;

  IF p_user IS NOT NULL THEN
    SELECT COALESCE(p_email, u.email), COALESCE(p.mode, 'immediate')
      INTO v_to, v_mode
      FROM users u LEFT JOIN notice_prefs p ON p.user_id = u.id
        AND p.kind = p_kind
      WHERE u.id = p_user AND u.status IN ('active', 'pending');
    IF v_mode <> 'off' THEN
      INSERT INTO notices (msg_id, kind, channel, user_id, recipient,
          fields, state, last_error)
        VALUES (LOWER(HEX(RANDOM_BYTES(16))), p_kind, 'email', p_user,
          v_to, p_fields, CASE WHEN COALESCE(v_to, '') = '' THEN 'skipped'
            WHEN v_mode = 'digest' THEN 'held' ELSE 'pending' END,
          IF(COALESCE(v_to, '') = '', 'no e-mail address', NULL));
    END IF;
  END IF;
  -- Most of the time no admin is to be told and no webhook is there.
  IF p_user IS NULL OR EXISTS (SELECT 1 FROM webhooks w
      WHERE w.active = 1 AND w.deleted_at IS NULL
        AND FIND_IN_SET(p_kind, w.kinds)) THEN
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
  END IF;
END;

-- POST /api/orders/create: p_items is [{"product_id": n, "quantity": q}]
-- in product id order, one line per product (orders.c's items_read adds
-- up lines of the same product), so concurrent orders lock products in
-- the same order and cannot deadlock on each other.  Each line snapshots
-- its product's name and price.  All lines or none.  The first line that
-- fails names its product: PRODUCT_NOT_FOUND (none, or retired: then
-- with its name), INSUFFICIENT_STOCK (never oversold), FIELD_INVALID (a
-- total past BIGINT; the fields' limits keep it out of reach).
--
-- The low-stock mark (014) is catalog.c's catalog_stock_watch in one
-- expression: marked while the stock is below the threshold (a live
-- product's, to be marked; a marked one stays so), cleared otherwise; a
-- product newly marked is announced to the admins (stock.low).
CREATE PROCEDURE haas_order_create(
  IN p_actor BIGINT UNSIGNED, IN p_session VARCHAR(48), IN p_ver BIGINT,
  IN p_items LONGTEXT, IN p_request_id VARCHAR(64), IN p_addr VARCHAR(64))
BEGIN
  DECLARE own BOOL DEFAULT @@in_transaction = 0;
  DECLARE i INT DEFAULT 0;
  DECLARE n INT DEFAULT JSON_LENGTH(p_items);
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_qty BIGINT;
  DECLARE v_name VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_price BIGINT;
  DECLARE v_live BOOL;
  DECLARE v_stock BIGINT;
  DECLARE v_threshold BIGINT;
  DECLARE v_alerted BOOL;
  DECLARE v_total DECIMAL(65, 0) DEFAULT 0;
  DECLARE v_order BIGINT UNSIGNED;
  DECLARE v_now DATETIME(6);
  DECLARE v_items LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    IF own THEN ROLLBACK; END IF;
    RESIGNAL;
  END;

  IF own THEN START TRANSACTION; END IF;
  CALL haas_principal(p_actor, p_session, p_ver);

  WHILE i < n DO
    SET v_id = JSON_VALUE(p_items, CONCAT('$[', i, '].product_id')),
        v_qty = JSON_VALUE(p_items, CONCAT('$[', i, '].quantity')),
        v_name = NULL, v_live = FALSE, i = i + 1;
    SELECT name, price, retired_at IS NULL, stock, low_stock_threshold,
           low_stock_alerted
      INTO v_name, v_price, v_live, v_stock, v_threshold, v_alerted
      FROM products WHERE id = v_id FOR UPDATE;
    -- A refusal names the product, and its name when there is one and
    -- it fits in a SIGNAL's message (else orders.c reads it).
    IF NOT v_live OR v_stock < v_qty THEN
      CALL haas_refuse(IF(v_live, 'INSUFFICIENT_STOCK', 'PRODUCT_NOT_FOUND'),
        IF(v_name IS NULL
            OR LENGTH(JSON_OBJECT('product_name', v_name)) > 400,
          JSON_OBJECT('product_id', CAST(v_id AS CHAR)),
          JSON_OBJECT('product_id', CAST(v_id AS CHAR),
                      'product_name', v_name)));
    END IF;
    -- Checked on the locked row; CHECK (stock >= 0) would refuse it
    -- anyway.  MariaDB assigns left to right: the mark sees the new
    -- stock.
    UPDATE products SET stock = stock - v_qty,
        low_stock_alerted = COALESCE(stock < low_stock_threshold
          AND (low_stock_alerted = 1 OR retired_at IS NULL), 0)
      WHERE id = v_id;
    IF NOT v_alerted AND v_stock - v_qty < v_threshold THEN
      CALL haas_notify('stock.low', JSON_OBJECT('product_name', v_name,
        'product_id', CAST(v_id AS CHAR),
        'stock', CAST(v_stock - v_qty AS CHAR),
        'threshold', CAST(v_threshold AS CHAR)), NULL, NULL);
    END IF;
    SET v_total = v_total + CAST(v_price AS DECIMAL(65, 0)) * v_qty;
    IF v_total > 9223372036854775807 THEN
      CALL haas_refuse('FIELD_INVALID',
                       JSON_OBJECT('error', 'Order total too large'));
    END IF;
    SET v_items = JSON_ARRAY_APPEND(v_items, '$', JSON_OBJECT(
      'product_id', CAST(v_id AS CHAR), 'name', v_name,
      'unit_price', v_price + 0, 'quantity', v_qty + 0,
      'line_total', v_price * v_qty));
  END WHILE;

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

  IF own THEN COMMIT; END IF;
  SELECT JSON_OBJECT('order', JSON_OBJECT(
    'order_id', CAST(v_order AS CHAR), 'user_id', CAST(p_actor AS CHAR),
    'status', 'pending', 'total_price', v_total + 0,
    'created_at', DATE_FORMAT(v_now, '%Y-%m-%dT%H:%i:%sZ'),
    'updated_at', DATE_FORMAT(v_now, '%Y-%m-%dT%H:%i:%sZ'),
    'customer', JSON_OBJECT('user_id', CAST(p_actor AS CHAR),
                            'username', u.username, 'name', u.name),
    'items', JSON_QUERY(v_items, '$')))
    FROM users u WHERE u.id = p_actor;
END;

-- POST /api/orders/{id}/cancel and PATCH /api/orders/{id} to cancelled:
-- the owner cancels while pending, admins (the caller's role as the
-- users row says now, which is what auth.c reads too) until shipped;
-- another user's order is not found.  The order's row is locked first,
-- then its products in id order; the conditional UPDATE succeeds once,
-- so the stock comes back once, with the low-stock mark as in
-- haas_order_create.  The buyer is told (order.status).
CREATE PROCEDURE haas_order_cancel(
  IN p_actor BIGINT UNSIGNED, IN p_session VARCHAR(48), IN p_ver BIGINT,
  IN p_order BIGINT UNSIGNED, IN p_request_id VARCHAR(64),
  IN p_addr VARCHAR(64))
BEGIN
  DECLARE own BOOL DEFAULT @@in_transaction = 0;
  DECLARE i INT DEFAULT 0;
  DECLARE v_admin BOOL;
  DECLARE v_owner BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_from VARCHAR(16);
  DECLARE v_total BIGINT;
  DECLARE v_id BIGINT UNSIGNED;
  DECLARE v_qty BIGINT;
  DECLARE v_name VARCHAR(200) CHARACTER SET utf8mb4;
  DECLARE v_live BOOL;
  DECLARE v_stock BIGINT;
  DECLARE v_threshold BIGINT;
  DECLARE v_alerted BOOL;
  DECLARE v_items LONGTEXT CHARACTER SET utf8mb4;
  DECLARE v_order LONGTEXT CHARACTER SET utf8mb4;
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

  -- The lines, for the restock and the reply, in product id order.
  SET v_items = (SELECT JSON_ARRAYAGG(JSON_OBJECT(
      'product_id', CAST(product_id AS CHAR), 'name', name,
      'unit_price', unit_price, 'quantity', quantity,
      'line_total', unit_price * quantity) ORDER BY product_id)
    FROM order_items WHERE order_id = p_order);
  WHILE i < JSON_LENGTH(v_items) DO
    SET v_id = JSON_VALUE(v_items, CONCAT('$[', i, '].product_id')),
        v_qty = JSON_VALUE(v_items, CONCAT('$[', i, '].quantity')),
        i = i + 1;
    SELECT name, retired_at IS NULL, stock, low_stock_threshold,
           low_stock_alerted
      INTO v_name, v_live, v_stock, v_threshold, v_alerted
      FROM products WHERE id = v_id FOR UPDATE;
    UPDATE products SET stock = stock + v_qty,
        low_stock_alerted = COALESCE(stock < low_stock_threshold
          AND (low_stock_alerted = 1 OR retired_at IS NULL), 0)
      WHERE id = v_id;
    IF NOT v_alerted AND v_live AND v_stock + v_qty < v_threshold THEN
      CALL haas_notify('stock.low', JSON_OBJECT('product_name', v_name,
        'product_id', CAST(v_id AS CHAR),
        'stock', CAST(v_stock + v_qty AS CHAR),
        'threshold', CAST(v_threshold AS CHAR)), NULL, NULL);
    END IF;
  END WHILE;

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
      LPAD(ABS(v_total) MOD 100, 2, '0'))), v_owner, NULL);
  -- The order as it now is, under its lock.
  SET v_order = (SELECT JSON_OBJECT(
      'order_id', CAST(o.id AS CHAR), 'user_id', CAST(o.user_id AS CHAR),
      'status', o.status, 'total_price', o.total_price,
      'created_at', DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%sZ'),
      'updated_at', DATE_FORMAT(o.updated_at, '%Y-%m-%dT%H:%i:%sZ'),
      'customer', JSON_OBJECT('user_id', CAST(o.user_id AS CHAR),
                              'username', u.username, 'name', u.name),
      'items', JSON_QUERY(COALESCE(v_items, '[]'), '$'))
    FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = p_order);

  IF own THEN COMMIT; END IF;
  SELECT JSON_OBJECT('order', JSON_QUERY(v_order, '$'));
END;
