"""The Flask + PyMySQL peer of haas, for bench/compare.

It answers the four benchmarked operations (GET /api/users/me, POST
/api/resources/checkout and /checkin, POST /api/orders/create) by sending
MariaDB the statements haas sends for them, in the same order and with the
same transactions, after the same bearer check: an HS256 token signed with
haas's key, its typ, iss and exp checked, and the user row loaded on every
request as haas's Q_PRINCIPAL does (src/auth.c).  Replies carry the keys
haas's do, so bench/*.lua work against both.  Only what the benchmark sends
is implemented: one set per move and no project_id or due date (400
otherwise).

The SQL of each operation is one dict below (AUTH, ME, MOVE, ORDER), written
with haas's "?" placeholders and copied from src/*.c; the functions after
them only run them.  The write paths are haas's stored procedures, called
as haas calls them (the token's signature checked here, its account and
session by the procedure), each refusal SIGNALled as 'haas:NAME[:{json}]'
and answered as haas answers it.

Configuration, from the environment (bench/compare sets it):
  PEER_DB_SOCKET         MariaDB's unix socket
  PEER_DB_NAME           database (haas)
  PEER_DB_USER           account (haas)
  PEER_DB_PASSWORD_FILE  its password (the stack's secrets/db.txt)
  PEER_JWT_KEY_FILE      haas's jwt_secret_key_file (secrets/jwt.key)
  PEER_JWT_ISSUER        haas's jwt_issuer (haas)
  PEER_LOCK_WAIT         haas's db_lock_wait_timeout (5)
"""
import datetime
import json
import os
import random
import time

import jwt
import pymysql
from flask import Flask, request

# ---------------------------------------------------------------- SQL

# The bearer check of every request (src/auth.c Q_PRINCIPAL).
AUTH = {
    "principal":
        "SELECT u.role, u.token_version, u.status,"
        " s.user_id = u.id AND s.revoked_at IS NULL"
        " FROM users u LEFT JOIN sessions s ON s.family = ?"
        " WHERE u.id = ? AND u.deleted_at IS NULL",
}

# GET /api/users/me (src/users.c users_me: Q_GET with PROFILE_COLS).
ME = {
    "get":
        "SELECT id, username, email, name, role, status, created_at,"
        " updated_at, email_verified FROM users"
        " WHERE id = ? AND status <> 'deleted'",
}

# POST /api/resources/checkout and /checkin (src/resources.c move): one
# stored procedure, sql/015_write_paths.sql, which also checks the token's
# account and session (the route is ROUTE_AUTH_LATE: no AUTH["principal"]).
MOVE = {
    "call": "CALL haas_move(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
}

# POST /api/orders/create (src/orders.c orders_create): one stored
# procedure, sql/017_orders.sql, token check included; it answers the order.
ORDER = {
    "call": "CALL haas_order_create(?, ?, ?, ?, ?, ?)",
}

# What db.c does on every connection and on a failed transaction.
SESSION = {
    "init": "SET time_zone = '+00:00', sql_mode = "
            "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,"
            "ERROR_FOR_DIVISION_BY_ZERO'",
    "lock_wait": "SET SESSION innodb_lock_wait_timeout = ?,"
                 " lock_wait_timeout = ?",
}


def _pymysql_text(sql):
    """haas's "?" placeholders as PyMySQL's "%s" (no statement has a %)."""
    if sql is None:
        return None
    assert "%" not in sql, sql
    return sql.replace("?", "%s")


for _d in (AUTH, ME, MOVE, ORDER, SESSION):
    for _k in _d:
        _d[_k] = _pymysql_text(_d[_k])

# ---------------------------------------------------------------- errors

# Rows of src/err.h the peer can answer with.
ERRORS = {
    "bad_json": (400, "Request body is not valid JSON"),
    "field_invalid": (400, "A field has the wrong type or is out of range"),
    "resource_units_required": (400, "Resource ID and units are required"),
    "units_invalid": (400, "Units must be a valid integer"),
    "order_items_invalid": (400, "Order must contain at least one item"),
    "unauthorized": (401, "Authentication required"),
    "token_invalid": (401, "Invalid or expired token"),
    "forbidden": (403, "You are not authorized to perform this action"),
    "user_not_found": (404, "User not found"),
    "resource_not_found": (404, "Resource not found"),
    "product_not_found": (404, "Product not found"),
    "order_not_found": (404, "Order not found"),
    "project_not_found": (404, "Project not found"),
    "not_project_member": (403, "You are not a member of this project"),
    "conflict": (409, "The request conflicts with the current state"),
    "insufficient_units": (409, "Insufficient units available"),
    "checkin_failed": (409, "Unable to check in resource"),
    "insufficient_stock": (409, "Insufficient stock"),
    "internal": (500, "Internal server error"),
    "db_unavailable": (503, "database unavailable"),
    "db_busy": (503, "database busy, please retry"),
    "db_lock_timeout": (503, "Another request is holding this data;"
                             " please retry"),
}

# The error-table rows (src/err.h names) the procedures refuse with.
SIGNALS = {
    "TOKEN_INVALID": "token_invalid",
    "RESOURCE_NOT_FOUND": "resource_not_found",
    "PROJECT_NOT_FOUND": "project_not_found",
    "NOT_PROJECT_MEMBER": "not_project_member",
    "INSUFFICIENT_UNITS": "insufficient_units",
    "CHECKIN_FAILED": "checkin_failed",
    "PRODUCT_NOT_FOUND": "product_not_found",
    "INSUFFICIENT_STOCK": "insufficient_stock",
    "FIELD_INVALID": "field_invalid",
}
ER_SIGNAL = 1644

# MariaDB error numbers db.c's map_error sorts.
ER_DUP_ENTRY = (1062, 1586)
ER_RETRY = (1213, 1020)          # deadlock; a stale snapshot
ER_LOCK_WAIT_TIMEOUT = 1205
ER_CONFLICT = (4025, 1452, 1451, 1264)
TXN_ATTEMPTS = 6                 # src/req.h REQ_TXN_ATTEMPTS


class ApiError(Exception):
    def __init__(self, code, message=None, **extra):
        super().__init__(code)
        self.status, default = ERRORS[code]
        self.body = {"error": message or default, "code": code}
        self.body.update(extra)


# ---------------------------------------------------------------- app

app = Flask(__name__)
app.json.sort_keys = False


def _read_secret(path):
    """A secret file as haas's config reads it: trailing newlines dropped."""
    with open(path, "rb") as f:
        return f.read().rstrip(b"\r\n")


CONFIG = {
    "socket": os.environ.get("PEER_DB_SOCKET", ""),
    "db": os.environ.get("PEER_DB_NAME", "haas"),
    "user": os.environ.get("PEER_DB_USER", "haas"),
    "password_file": os.environ.get("PEER_DB_PASSWORD_FILE", ""),
    "jwt_key_file": os.environ.get("PEER_JWT_KEY_FILE", ""),
    "issuer": os.environ.get("PEER_JWT_ISSUER", "haas"),
    "lock_wait": int(os.environ.get("PEER_LOCK_WAIT", "5")),
}
JWT_KEY = _read_secret(CONFIG["jwt_key_file"]) if CONFIG["jwt_key_file"] \
    else b""

# One connection per worker process, made on its first request (after
# gunicorn's fork), as each haasd worker holds one.
_conn = None


def db():
    global _conn
    if _conn is None:
        conn = pymysql.connect(
            unix_socket=CONFIG["socket"], user=CONFIG["user"],
            password=_read_secret(CONFIG["password_file"]).decode(),
            database=CONFIG["db"], charset="utf8mb4", autocommit=True,
            init_command=SESSION["init"], connect_timeout=2,
            read_timeout=30, write_timeout=30)
        with conn.cursor() as cur:
            cur.execute(SESSION["lock_wait"],
                        (CONFIG["lock_wait"], CONFIG["lock_wait"]))
        _conn = conn
    return _conn


def db_drop():
    global _conn
    if _conn is not None:
        try:
            _conn.close()
        except Exception:
            pass
    _conn = None


def query(cur, sql, args=()):
    """Runs sql; MariaDB's errors become haas's (db.c map_error)."""
    try:
        return cur.execute(sql, args)
    except pymysql.err.MySQLError as e:
        num = e.args[0] if e.args else 0
        if num in ER_RETRY:
            raise Retry() from e
        if num == ER_LOCK_WAIT_TIMEOUT:
            raise ApiError("db_lock_timeout") from e
        if num in ER_CONFLICT or num in ER_DUP_ENTRY:
            raise Conflict() from e
        if isinstance(e, (pymysql.err.OperationalError,
                          pymysql.err.InterfaceError)) and num >= 2000:
            db_drop()
            raise ApiError("db_unavailable") from e
        raise


class Retry(Exception):
    """Deadlock or stale snapshot: the whole transaction goes again."""


class Conflict(Exception):
    """A CHECK constraint, foreign key or unique key refused a row."""


def row(cur, sql, args=()):
    query(cur, sql, args)
    return cur.fetchone()


def call(sql, args):
    """A stored procedure as req_call runs it: its one JSON answer; a
    deadlock (its own transaction rolled back) runs it again; a SIGNAL
    'haas:NAME[:{details}]' is that error with those details."""
    for attempt in range(TXN_ATTEMPTS):
        if attempt:
            time.sleep((1000 * attempt + random.randrange(65536) % 4000)
                       / 1e6)
        cur = db().cursor()
        try:
            try:
                query(cur, sql, args)
            except pymysql.err.MySQLError as e:
                raise refusal(e) from e
            answer = cur.fetchone()
            while cur.nextset():
                pass
            return json.loads(answer[0])
        except Retry:
            continue
        finally:
            cur.close()
    raise ApiError("db_busy")


def refusal(e):
    """A procedure's SIGNAL as haas's error, or e itself."""
    num, msg = (e.args + (0, ""))[:2]
    if num != ER_SIGNAL or not msg.startswith("haas:"):
        return e
    name, _, details = msg[5:].partition(":")
    extra = json.loads(details) if details else {}
    message = extra.pop("error", None)
    return ApiError(SIGNALS[name], message, **extra)


def json_time(v):
    """A DATETIME as haas writes it (req.c json_time)."""
    if v is None:
        return None
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(v)


def reply(body, status=200):
    """body as haas writes it: compact JSON, no newline."""
    return app.response_class(json.dumps(body, separators=(",", ":")),
                              status=status, mimetype="application/json")


@app.errorhandler(ApiError)
def api_error(e):
    return reply(e.body, e.status)


@app.errorhandler(Retry)
def retry_outside_txn(_e):
    return api_error(ApiError("db_busy"))


@app.errorhandler(Conflict)
def conflict(_e):
    return api_error(ApiError("conflict"))


@app.errorhandler(pymysql.err.MySQLError)
def db_error(e):
    db_drop()
    app.logger.error("db: %s", e)
    return api_error(ApiError("db_unavailable"
                              if isinstance(e, pymysql.err.OperationalError)
                              else "internal"))


@app.errorhandler(404)
def not_found(_e):
    return reply({"error": "Not found", "code": "not_found"}, 404)


@app.errorhandler(500)
def internal(_e):
    return reply({"error": ERRORS["internal"][1], "code": "internal"}, 500)


@app.errorhandler(405)
def not_allowed(_e):
    return reply({"error": "Method not allowed",
                  "code": "method_not_allowed"}, 405)


# ---------------------------------------------------------------- auth

class User:
    def __init__(self, uid, role):
        self.id = uid
        self.role = role


ROLES = ("user", "operator", "admin")


def token_claims():
    """The bearer token's signature, expiry and claims, as haas's
    auth_verify_token checks them; the account is left to the procedure
    (ROUTE_AUTH_LATE).  Returns (user id, session, version)."""
    h = request.headers.get("Authorization")
    if h is None:
        raise ApiError("unauthorized")
    h = h.lstrip(" ")
    if h[:7].lower() != "bearer ":
        raise ApiError("token_invalid")
    token = h[7:].lstrip(" ")
    if len(token) > 4096:
        raise ApiError("token_invalid")
    try:
        c = jwt.decode(token, JWT_KEY, algorithms=["HS256"],
                       issuer=CONFIG["issuer"],
                       options={"require": ["exp", "sub", "typ", "iss",
                                            "jti", "fam"]})
        sub = int(c["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        raise ApiError("token_invalid") from None
    if c["typ"] != "access" or sub < 1 or not isinstance(c["fam"], str) \
            or len(c["fam"]) >= 48 or c["exp"] <= time.time():
        raise ApiError("token_invalid")
    return sub, c["fam"], c.get("ver", 0)


def authenticate():
    """The caller of a ROLE_USER route, as haas's bearer_authenticate and
    load_principal find it; raises ApiError otherwise."""
    sub, fam, ver = token_claims()
    with db().cursor() as cur:
        r = row(cur, AUTH["principal"], (fam, sub))
    if r is None or r[1] != ver or r[2] != "active" or r[3] != 1:
        raise ApiError("token_invalid")
    if r[0] not in ROLES:
        raise ApiError("forbidden")
    return User(sub, r[0])


def body_object():
    b = request.get_json(silent=True)
    if not isinstance(b, dict):
        raise ApiError("bad_json")
    return b


def int_field(v, lo, hi, code="field_invalid"):
    """An integer or a string of one (body.c read_int), within lo..hi."""
    if isinstance(v, bool):
        raise ApiError(code)
    if isinstance(v, str):
        try:
            v = int(v, 10)
        except ValueError:
            raise ApiError(code) from None
    if not isinstance(v, int) or not lo <= v <= hi:
        raise ApiError(code)
    return v


# ---------------------------------------------------------------- me

@app.get("/api/users/me")
def users_me():
    user = authenticate()
    with db().cursor() as cur:
        r = row(cur, ME["get"], (user.id,))
    if r is None:
        raise ApiError("user_not_found")
    return reply({
        "user_id": str(r[0]), "username": r[1], "email": r[2],
        "email_verified": r[8] != 0, "name": r[3], "role": r[4],
        "status": r[5], "disabled": r[5] == "disabled",
        "created_at": json_time(r[6]), "updated_at": json_time(r[7]),
    })


# ---------------------------------------------------------------- moves

UNITS_MAX = 1000000000


def move_read():
    """{resource_id, units}: the one-set, personal form (move_line)."""
    b = body_object()
    for k in ("project_id", "items", "due_at", "due_days"):
        if b.get(k) not in (None, ""):
            raise ApiError("field_invalid", "The peer takes only"
                           " resource_id and units", field=k)
    name = b.get("resource_id")
    if name is not None and not isinstance(name, str):
        raise ApiError("field_invalid", field="resource_id")
    name = (name or "").strip()
    if not name:
        raise ApiError("resource_units_required", field="resource_id")
    if len(name) > 64:
        raise ApiError("field_invalid", field="resource_id")
    if b.get("units") is None:
        raise ApiError("resource_units_required", field="units")
    units = int_field(b["units"], 1, UNITS_MAX, "units_invalid")
    return name, units


def move(checkin):
    """haas_move as resources.c's move calls it: one set, personal."""
    sub, fam, ver = token_claims()
    name, units = move_read()
    lines = json.dumps([{"name": name, "units": units}],
                       separators=(",", ":"))
    out = call(MOVE["call"], (sub, fam, ver, int(checkin), 0, None, None,
                              None, lines, request.headers.get("X-Request-Id"),
                              request.headers.get("X-Real-IP")))
    line = out["lines"][0]
    body = {"message": "Resource checked %s successfully"
                       % ("in" if checkin else "out"),
            "project_id": None, "resource_id": name,
            "available_units": line["available_units"]}
    if not checkin:
        body["due_at"] = line["due_at"]
    return reply(body)


@app.post("/api/resources/checkout")
def resources_checkout():
    return move(False)


@app.post("/api/resources/checkin")
def resources_checkin():
    return move(True)


# ---------------------------------------------------------------- orders

MAX_LINES = 100
MAX_QUANTITY = 10000


def items_read():
    """items[], sorted by product id, repeats added up (items_read)."""
    items = body_object().get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_LINES:
        raise ApiError("order_items_invalid")
    lines = {}
    for it in items:
        if not isinstance(it, dict):
            raise ApiError("order_items_invalid", "Each item must be an"
                           " object with product_id and quantity")
        pid = int_field(it.get("product_id"), 1, 2**63 - 1)
        qty = int_field(it.get("quantity"), 1, MAX_QUANTITY)
        lines[pid] = lines.get(pid, 0) + qty
    return sorted(lines.items())


@app.post("/api/orders/create")
def orders_create():
    sub, fam, ver = token_claims()
    lines = items_read()
    items = json.dumps([{"product_id": p, "quantity": q} for p, q in lines],
                       separators=(", ", ": "))
    out = call(ORDER["call"], (sub, fam, ver, items,
                               request.headers.get("X-Request-Id"),
                               request.headers.get("X-Real-IP")))
    return reply({"message": "Order created successfully",
                  "order": out["order"]}, 201)
