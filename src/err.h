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
	X(NO_CHANGES, 400, "no_changes", "The request names nothing to change") \
	X(UNAUTHORIZED, 401, "unauthorized", "Authentication required") \
	X(TOKEN_INVALID, 401, "token_invalid", "Invalid or expired token") \
	X(FORBIDDEN, 403, "forbidden", "You are not authorized to perform this action") \
	X(CROSS_SITE, 403, "cross_site", "A write carried by the session cookie must come from this site (Origin)") \
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
	X(DB_BUSY, 503, "db_lock_timeout", "Another request is holding this data; please retry") \
	/* nginx's own refusals: nginx/haas.conf.in's $haas_error_json */ \
	X(REQUEST_TIMEOUT, 408, "request_timeout", "Request timed out") \
	X(LENGTH_REQUIRED, 411, "length_required", "Content-Length required") \
	X(URI_TOO_LONG, 414, "uri_too_long", "Request URI too long") \
	X(RATE_LIMITED, 429, "rate_limited", "Too many requests") \
	X(HEADERS_TOO_LARGE, 431, "headers_too_large", "Request headers too large") \
	X(NOT_IMPLEMENTED, 501, "not_implemented", "Not implemented") \
	X(UPSTREAM_DOWN, 502, "upstream_unavailable", "Service unavailable") \
	X(UNAVAILABLE, 503, "service_unavailable", "Service unavailable") \
	X(UPSTREAM_TIMEOUT, 504, "upstream_timeout", "The service did not answer in time") \
	X(HTTP_VERSION, 505, "http_version", "HTTP version not supported") \
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
	X(HOLDS_UNITS, 409, "holds_units", "The account still holds hardware: check it in before the account is deleted") \
	X(ROLE_INVALID, 400, "role_invalid", "Role must be user, operator or admin") \
	X(GRANT_TYPE, 400, "unsupported_grant_type", "grant_type must be password") \
	/* projects and hardware sets */ \
	X(PROJECT_FIELDS, 400, "project_fields_required", "User ID, project name, and project ID are required") \
	X(PROJECT_EXISTS, 409, "project_exists", "ProjectID already exists") \
	X(PROJECT_NOT_FOUND, 404, "project_not_found", "Project not found") \
	X(NOT_PROJECT_MEMBER, 403, "not_project_member", "You are not a member of this project") \
	X(ALREADY_MEMBER, 409, "already_member", "You are already a member of this project") \
	X(NOT_MEMBER, 409, "not_member", "You are not a member of this project") \
	X(OWNER_CANNOT_LEAVE, 409, "owner_cannot_leave", "The project owner cannot leave the project") \
	X(RESOURCE_FIELDS, 400, "resource_fields_required", "Name and total units are required") \
	X(TOTAL_UNITS_INVALID, 400, "total_units_invalid", "Total units must be an integer from 0 to 1000000000") \
	X(RESOURCE_EXISTS, 409, "resource_exists", "Resource already exists") \
	X(RESOURCE_NOT_FOUND, 404, "resource_not_found", "Resource not found") \
	X(RESOURCE_IN_USE, 409, "resource_in_use", "Units of this resource are still checked out") \
	X(CAPACITY_BELOW_HELD, 409, "capacity_below_checked_out", "Total units cannot be less than the units checked out") \
	X(CHECKOUT_FIELDS, 400, "resource_units_required", "Resource ID and units are required") \
	X(UNITS_INVALID, 400, "units_invalid", "Units must be a valid integer") \
	X(INSUFFICIENT_UNITS, 409, "insufficient_units", "Insufficient units available") \
	X(CHECKIN_FAILED, 409, "checkin_failed", "Unable to check in resource") \
	X(ITEMS_INVALID, 400, "items_invalid", "items must be a non-empty array of {resource_id, units}") \
	/* the HaaS React app's site (profile haas-react) */ \
	X(NO_MATCHING_PROJECT, 404, "no_matching_project", "No matching projectID") \
	X(ALREADY_VIEWER, 409, "already_viewer", "User is already a viewer of this project") \
	X(OLD_ID_TAKEN, 409, "old_id_taken", "Another hardware set already has this old id") \
	/* lab PC reservations */ \
	X(DEVICE_ID_REQUIRED, 400, "device_id_required", "device_id required") \
	X(TIMES_REQUIRED, 400, "times_required", "start_time and end_time required") \
	X(CREDENTIAL_REQUIRED, 400, "credential_required", "credential required") \
	X(TIME_INVALID, 400, "time_invalid", "Times must be ISO 8601, such as 2025-06-26T10:00 or 2025-06-26T10:00:00Z") \
	X(TIME_ORDER, 400, "time_order", "end_time must be after start_time") \
	X(RESERVATION_TOO_LONG, 400, "reservation_too_long", "The reservation is longer than allowed") \
	X(RESERVATION_ENDED, 400, "reservation_ended", "The reservation window has already ended") \
	X(DEVICE_ID_INVALID, 400, "device_id_invalid", "device_id must be 1 to 64 letters, digits, dots, colons, hyphens or underscores") \
	X(DEVICE_KEY, 401, "device_key_invalid", "A valid X-Device-Key (or the device's own address) is required") \
	X(RESERVATION_AUTH, 401, "reservation_auth", "A bearer token, an X-Device-Key or the device's own address is required") \
	X(RESERVATION_NOT_FOUND, 404, "reservation_not_found", "not found") \
	X(DEVICE_NOT_FOUND, 404, "device_not_found", "Device not found") \
	X(RESERVATION_MISSING, 404, "reservation_missing", "Reservation not found") \
	X(DEVICE_EXISTS, 409, "device_exists", "Device already exists") \
	X(RESERVATION_OVERLAP, 409, "reservation_overlap", "The window overlaps another reservation of this device") \
	X(RESERVATION_CLOSED, 409, "reservation_closed", "The reservation is already cancelled or has ended") \
	/* devices by address */ \
	X(DEVICE_ADDRESS_INVALID, 400, "device_address_invalid", "address must be an IPv4 or IPv6 address or a network in CIDR notation, such as 10.0.5.21 or 10.0.5.0/24") \
	X(DEVICE_ADDRESS_HOST_BITS, 400, "device_address_host_bits", "The network has address bits set after its prefix") \
	X(DEVICE_ADDRESS_WIDE, 400, "device_address_too_wide", "address cannot be every address (/0): get_reservation_open is the switch for that") \
	X(DEVICE_ADDRESS_TAKEN, 409, "device_address_taken", "Another device is bound to this address or network") \
	X(DEVICE_ADDRESS_OTHER, 401, "device_address_other", "This address is bound to another device") \
	X(DEVICE_ADDRESS_TIE, 401, "device_address_ambiguous", "More than one device is bound to this address with the same prefix; send the device's X-Device-Key") \
	/* shop */ \
	X(PRODUCT_NOT_FOUND, 404, "product_not_found", "Product not found") \
	X(BRAND_NOT_FOUND, 404, "brand_not_found", "Brand not found") \
	X(ORDER_NOT_FOUND, 404, "order_not_found", "Order not found") \
	X(REVIEW_NOT_FOUND, 404, "review_not_found", "Review not found") \
	X(INSUFFICIENT_STOCK, 409, "insufficient_stock", "Insufficient stock") \
	X(ORDER_ITEMS, 400, "order_items_invalid", "Order must contain at least one item") \
	X(ORDER_NOT_CANCELLABLE, 409, "order_not_cancellable", "Order can no longer be cancelled") \
	X(ORDER_TRANSITION, 409, "order_transition", "Order cannot move to that status") \
	X(ORDER_STATUS_INVALID, 400, "order_status_invalid", "status must be paid, shipped, delivered or cancelled") \
	X(PRODUCT_STALE, 409, "product_stale", "Product was changed meanwhile; reload it and retry") \
	X(PRODUCT_KIND_INVALID, 400, "product_kind_invalid", "kind must be phone, laptop, accessory, sound_device or other") \
	X(PRODUCT_STATUS_INVALID, 400, "product_status_invalid", "status must be new or used") \
	X(PRODUCT_SORT_INVALID, 400, "product_sort_invalid", "sort must be price, -price, name, -name, newest, stock or -stock") \
	X(PRODUCT_COMPAT_INVALID, 400, "product_compat_invalid", "Only accessories can name the products they fit") \
	X(BRAND_EXISTS, 409, "brand_exists", "Brand already exists") \
	X(BRAND_IN_USE, 409, "brand_in_use", "Brand still has products") \
	X(STOCK_NEGATIVE, 409, "stock_negative", "Stock cannot go below 0") \
	X(REVIEW_NOT_BOUGHT, 403, "review_not_bought", "Only customers who bought this product can review it") \
	X(REVIEW_EXISTS, 409, "review_exists", "You have already reviewed this product") \
	X(COMMENT_REQUIRED, 400, "comment_required", "A comment on the shop needs its text (comment)") \
	X(COMMENT_NO_RATING, 400, "comment_no_rating", "A comment on the shop has no rating") \
	/* smart parking */ \
	X(SPACE_FIELDS, 400, "space_fields_required", "code, zone and sensor_id are required") \
	X(SENSOR_ID_INVALID, 400, "sensor_id_invalid", "sensor_id must be 1 to 64 letters, digits, dots, hyphens or underscores") \
	X(SENSOR_ID_RESERVED, 400, "sensor_id_reserved", "sensor_id is reserved: it is the ingest daemon's broker account") \
	X(SPACE_STATUS_INVALID, 400, "space_status_invalid", "status must be free, occupied, unknown or out_of_service") \
	X(SPACE_STATUS_STAFF, 400, "space_status_staff", "Staff may set status to out_of_service or unknown only") \
	X(SPACE_NOT_FOUND, 404, "space_not_found", "Parking space not found") \
	X(SPACE_CODE_TAKEN, 409, "space_code_taken", "A parking space with this code already exists") \
	X(SENSOR_TAKEN, 409, "sensor_taken", "This sensor is already bound to another parking space") \
	X(PLATE_INVALID, 400, "plate_invalid", "Plate number must be 2 to 10 letters and digits") \
	X(PLATE_NOT_FOUND, 404, "plate_not_found", "Plate not found") \
	X(PLATE_TAKEN, 409, "plate_taken", "Plate already registered") \
	X(PLATE_DECIDED, 409, "plate_decided", "Plate already decided") \
	X(REGISTRATION_FIELDS, 400, "registration_fields_required", "name, email, password, plate_number and document are required") \
	X(MULTIPART_INVALID, 400, "multipart_invalid", "Invalid multipart/form-data body") \
	X(DOCUMENT_TYPE, 400, "document_type", "File type not allowed: the document must be a JPEG, PNG or PDF") \
	X(DOCUMENT_TOO_LARGE, 413, "document_too_large", "Document too large") \
	X(MULTIPART_REQUIRED, 415, "multipart_required", "Content-Type must be multipart/form-data") \
	X(DECISION_INVALID, 400, "decision_invalid", "status must be approved or rejected") \
	X(REQUEST_STATUS_INVALID, 400, "request_status_invalid", "status must be pending, approved, rejected or expired") \
	X(REQUEST_NOT_FOUND, 404, "request_not_found", "Request not found") \
	X(DOCUMENT_NOT_FOUND, 404, "document_not_found", "Document not found") \
	X(REQUEST_DECIDED, 409, "request_decided", "Request already decided") \
	X(APPLICANT_GONE, 409, "applicant_not_pending", "The applicant's account is no longer waiting for approval") \
	X(DOCUMENT_NAME, 400, "document_name", "File name not allowed") \
	/* notifications: webhooks and the outbox (src/notices.c) */ \
	X(WEBHOOK_NOT_FOUND, 404, "webhook_not_found", "Webhook not found") \
	X(WEBHOOK_URL_INVALID, 400, "webhook_url_invalid", "url must be an https:// address of at most 2000 characters with a host, no user name or password and no #fragment") \
	X(WEBHOOK_KINDS_INVALID, 400, "webhook_kinds_invalid", "kinds must be a non-empty list of notice kinds that webhooks may receive") \
	X(WEBHOOK_INACTIVE, 409, "webhook_inactive", "The webhook is disabled or deleted") \
	X(NOTICE_NOT_FOUND, 404, "notice_not_found", "Notice not found") \
	X(NOTICE_NOT_DEAD, 409, "notice_not_dead", "Only a dead notice can be retried") \
	/* notifications: mailed tokens and preferences */ \
	X(RESET_TOKEN, 400, "reset_token_invalid", "This password reset link is invalid, has expired or was already used: ask for a new one") \
	X(VERIFY_TOKEN, 400, "verify_token_invalid", "This confirmation link is invalid, has expired or was already used") \
	X(EMAIL_VERIFIED, 409, "email_already_verified", "Your e-mail address is already confirmed") \
	X(NO_EMAIL, 409, "no_email", "Your account has no e-mail address") \
	X(MAIL_LIMIT, 429, "mail_limit", "Too many messages asked for: try again within the hour") \
	X(NOTICE_KIND, 400, "notice_kind_invalid", "Unknown kind of notice") \
	X(NOTICE_MODE, 400, "notice_mode_invalid", "mode must be immediate, digest or off") \
	X(NOTICE_ROLE, 400, "notice_kind_not_yours", "This kind of notice is not sent to your role") \
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
/* The row named name (n bytes; "INSUFFICIENT_UNITS" for
 * ERR_INSUFFICIENT_UNITS); ERR__COUNT when there is none. */
enum err err_from_name(const char *name, unsigned long n);
/* Reason phrase for a status line, e.g. "Not Found". */
const char *err_reason(int status);

#endif
