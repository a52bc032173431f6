/* registration: drivers register with an identity document (multipart),
 * staff list requests, view documents (through nginx X-Accel-Redirect)
 * and approve or reject each request once. */
#ifndef HAAS_REGISTRATION_H
#define HAAS_REGISTRATION_H

#include "openapi.h"
#include "router.h"

extern const struct route registration_routes[];
/* RegistrationRequest... for /api/openapi.json. */
extern const struct schema_def registration_schemas[];

struct config;

/* Deletes a stored document (a name from registration_requests) from
 * upload_dir; a missing file is fine, other failures are logged. */
void registration_document_delete(const struct config *cfg,
				  const char *name);

#endif
