/* Statistics without personal data and fleet health (PROTOCOL.md §9, POST /v1/status): what a
 * kiosk may send, and the two commands that read it, `casestore report usage` and
 * `casestore fleet`. */
#ifndef CASESTORE_FLEET_H
#define CASESTORE_FLEET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "storage.h"

#define CS_USAGE_MAX_ENTRIES 5000    /* per request (the kiosk's PROTO_MAX_USAGE) */
#define CS_USAGE_MAX_COUNT   1000000 /* per entry: more than a kiosk can count in a day */
#define CS_USAGE_MAX_AGE_D   400     /* a day older than this (server's clock) is refused */
#define CS_USAGE_SUPPRESS    5       /* reports show counts below this as "<5" */

/* Checks a status request strictly: members, the counter vocabulary (usage_names.h), days,
 * counts, the health's check names. On success *batch, *usage (borrowed from req) and *health
 * are filled. On failure err names the member and its index, never a value. */
bool cs_status_check(const json_t *req, int64_t now, int64_t *batch, const json_t **usage,
                     struct cs_health *health, struct errbuf *err);

enum cs_format { CS_FORMAT_TABLE, CS_FORMAT_CSV, CS_FORMAT_JSON };

/* `casestore report usage`: the counts per day, site and counter in [from, to] (YYYY-MM-DD or
 * NULL) for site (or all), counts below CS_USAGE_SUPPRESS shown as "<5" (JSON: null with
 * "suppressed": true). No totals: a total beside a suppressed cell would give it away. Returns
 * the exit code (0, 1 on failure, 2 for a bad date). */
int cs_report_usage(struct cs_storage *st, const char *from, const char *to, const char *site,
                    enum cs_format format, FILE *out);

/* `casestore fleet`: every device with its site, version, last seen, last sync, outbox age and
 * state: ok, failing (the checks), silent (not seen for silent_after_s, or never since it
 * enrolled that long ago), new (enrolled, not seen yet), revoked. Returns 1 if any device is
 * failing or silent, else 0. */
int cs_fleet(struct cs_storage *st, int64_t now, int64_t silent_after_s, bool as_json, FILE *out);

/* "30m", "24h", "2d", "90s" or plain seconds; false if it is none of these. */
bool cs_duration_parse(const char *s, int64_t *seconds);

#endif
