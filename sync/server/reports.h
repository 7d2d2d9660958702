/* What kiosks report they set aside (POST /v1/report, sync/PROTOCOL.md §9): records a kiosk
 * could not use, by kind and id, for the city's administrator to repair. Kept beside the sync
 * data in the store (table device_reports); the back ends implement these (storage_backend.h). */
#ifndef CASESTORE_REPORTS_H
#define CASESTORE_REPORTS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "storage.h"

#define CS_REPORTS_PER_DEVICE 1000 /* the newest are kept */

/* Stores entries [{"kind", "id", "reason"}...] (validated by the caller) from a device at now:
 * one row per device, kind and id, its reason and first and last time reported. */
enum cs_result cs_report_store(struct cs_storage *st, const char *device_id, const json_t *entries,
                               int64_t now);

/* One line per reported record, newest first: device, kind, id, reason (no personal data). */
void cs_report_list(struct cs_storage *st, FILE *out);

#endif
