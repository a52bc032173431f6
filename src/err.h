/* err: the one error table.  Every failure a handler can return is a row:
 * enum name, HTTP status, stable machine code, and the human sentence that
 * becomes {"error": ...}.  Contract strings live here and nowhere else. */
#ifndef HAAS_ERR_H
#define HAAS_ERR_H

#define ERR_TABLE(X) \
	X(OK, 200, "ok", "OK") \
	/* request layer */ \
	X(BAD_REQUEST, 400, "bad_request", "Bad request") \
	X(BAD_JSON, 400, "bad_json", "Request body is not valid JSON") \
	X(JSON_NOT_OBJECT, 400, "json_not_object", "Request body must be a JSON object") \
	X(JSON_TOO_DEEP, 400, "json_too_deep", "Request body is nested too deeply") \
	X(JSON_TRAILING, 400, "json_trailing", "Request body has data after the JSON value") \
	X(BAD_UTF8, 400, "bad_utf8", "Request contains invalid UTF-8") \
	X(BODY_TRUNCATED, 400, "body_truncated", "Request body is shorter than its Content-Length") \
	X(EMPTY_BODY, 400, "empty_body", "Request body is required") \
	X(FIELD_MISSING, 400, "field_missing", "A required field is missing") \
	X(FIELD_INVALID, 400, "field_invalid", "A field has the wrong type or is out of range") \
	X(BAD_QUERY, 400, "bad_query", "Invalid query parameter") \
	X(BAD_FORM, 400, "bad_form", "Invalid form body") \
	X(BAD_PATH, 400, "bad_path", "Invalid path") \
	X(UNAUTHORIZED, 401, "unauthorized", "Authentication required") \
	X(TOKEN_INVALID, 401, "token_invalid", "Invalid or expired token") \
	X(FORBIDDEN, 403, "forbidden", "You are not authorized to perform this action") \
	X(NOT_FOUND, 404, "not_found", "Not found") \
	X(METHOD_NOT_ALLOWED, 405, "method_not_allowed", "Method not allowed") \
	X(CONFLICT, 409, "conflict", "The request conflicts with the current state") \
	X(DUPLICATE, 409, "duplicate", "Already exists") \
	X(TOO_LARGE, 413, "too_large", "Request body too large") \
	X(MEDIA_TYPE, 415, "unsupported_media_type", "Unsupported content type") \
	X(IDEMPOTENCY_MISMATCH, 422, "idempotency_mismatch", "Idempotency-Key was already used with a different request") \
	X(INTERNAL, 500, "internal", "Internal server error") \
	X(DB_DOWN, 503, "db_unavailable", "database unavailable") \
	X(DB_RETRY, 503, "db_busy", "database busy, please retry") \
	/* accounts */ \
	X(SIGNUP_REQUIRED, 400, "credentials_required", "Username and password are required") \
	X(USER_EXISTS, 409, "user_exists", "User already exists") \
	X(BAD_CREDENTIALS, 401, "invalid_credentials", "Invalid credentials") \
	X(ACCOUNT_PENDING, 403, "account_pending", "Account pending approval") \
	X(ACCOUNT_DISABLED, 403, "account_disabled", "Account disabled") \
	X(REGISTER_REQUIRED, 400, "register_required", "Email, password and name are required") \
	X(LOGIN_REQUIRED, 400, "login_required", "Email and password are required") \
	X(EMAIL_INVALID, 400, "email_invalid", "Invalid email address") \
	X(USERNAME_INVALID, 400, "username_invalid", "Username must be 3 to 64 letters, digits, dots, hyphens or underscores") \
	X(PASSWORD_WEAK, 400, "password_weak", "Password is too weak") \
	X(PASSWORD_MISMATCH, 400, "password_mismatch", "New password and confirmation do not match") \
	X(PASSWORD_FIELDS, 400, "password_fields_required", "currentPassword, newPassword and confirmPassword are required") \
	X(CURRENT_PASSWORD, 401, "current_password_wrong", "Current password is incorrect") \
	X(EMAIL_TAKEN, 409, "email_taken", "Email is already taken") \
	X(USERNAME_TAKEN, 409, "username_taken", "Username is already taken") \
	X(EMAIL_REGISTERED, 409, "email_registered", "Email already registered") \
	X(REFRESH_INVALID, 401, "refresh_invalid", "Invalid or expired refresh token") \
	X(USER_NOT_FOUND, 404, "user_not_found", "User not found") \
	X(LAST_ADMIN, 409, "last_admin", "The last admin cannot be removed or demoted") \
	X(ROLE_INVALID, 400, "role_invalid", "Role must be user, operator or admin") \
	X(GRANT_TYPE, 400, "unsupported_grant_type", "grant_type must be password") \
	/* projects and hardware sets */ \
	/* lab PC reservations */ \
	/* shop */ \
	/* smart parking */ \
	/* end of table: every row above ends in a backslash */

enum err {
#define ERR_ENUM(name, status, code, msg) ERR_##name,
	ERR_TABLE(ERR_ENUM)
#undef ERR_ENUM
	ERR__COUNT
};

/* HTTP status of e (500 for values outside the table). */
int err_status(enum err e);
/* Stable machine code, e.g. "user_exists". */
const char *err_code(enum err e);
/* Human sentence for {"error": ...}. */
const char *err_message(enum err e);
/* Reason phrase for a status line, e.g. "Not Found". */
const char *err_reason(int status);

#endif
