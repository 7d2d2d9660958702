/* What casestore takes from a kiosk and what it gives back to every kiosk of a district
 * (PROTOCOL.md §5 and §6): the schema of a pushed submission, the content digest that tells a
 * retry from a reused uuid, and the check every record passes before it goes into a page. */
#ifndef CASESTORE_SUBMISSION_H
#define CASESTORE_SUBMISSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define SUBMISSION_TEXT_MAX   2000 /* characters of a free-text answer */
#define SUBMISSION_NAME_MAX   200  /* characters of a name, a choice, an element of a list */
#define SUBMISSION_CODE_MAX   64   /* bytes of an id or a code (staff_id, citizen, site) */
#define SUBMISSION_ANSWERS    40   /* members of a payload */
#define SUBMISSION_LIST_MAX   20   /* elements of a list answer */
#define SUBMISSION_DIGEST_HEX 65

/* The item's content digest: SHA-256 (hex) over its canonical JSON (compact, sorted keys)
 * without its "seq" member, so that a renumbered retry has the same digest. False only if the
 * item cannot be serialised. */
bool submission_digest(const json_t *item, char out[static SUBMISSION_DIGEST_HEX]);

/* True if s is a uuid as a kiosk writes it (36 characters: hex digits and four dashes). */
bool submission_uuid_ok(const char *s);

/* Checks a pushed item against the schema of its kind: kind, taxonomy codes, citizen,
 * created_at, a flat payload (strings, integers, lists of strings; bounded) and a registered_by
 * exactly as PROTOCOL.md §6 describes. device_site is the site casestore enrolled the device
 * for. False with the reason in plain words in err. On success *payload and *registered_by are
 * new objects rebuilt from the validated members only (caller json_decref's): what casestore
 * stores and republishes, never the device's JSON as it came. */
bool submission_validate(const json_t *item, const char *device_site, json_t **payload,
                         json_t **registered_by, struct errbuf *err);

/* The city's own rules for a valid item (payload as submission_validate rebuilt it): a
 * förskoleplats must start at least 90 days after now. False with the reason in err. */
bool submission_city_rules(const json_t *item, const json_t *payload, int64_t now,
                           struct errbuf *err);

/* What a kiosk takes in a change (sync/client/protocol.c): ids, and a text field's bytes. */
#define SUBMISSION_WIRE_ID_MAX   200
#define SUBMISSION_WIRE_TEXT_MAX (64 * 1024)

/* Checks a record as casestore would publish it in a page, so that no kiosk refuses it: a kind
 * of src/store/schema.c, an id (and the citizen and parent its kind needs) of at most
 * SUBMISSION_WIRE_ID_MAX bytes, its required fields present, every known field of its type and
 * a known text at most SUBMISSION_WIRE_TEXT_MAX bytes, unknown fields plain values (a case may
 * carry a registered_by as §6 describes), nothing nested deeper. citizen and parent may be
 * NULL. False with the reason (which names no value) in err. */
bool submission_record_check(const char *kind, const char *id, const char *citizen,
                             const char *parent, const json_t *fields, struct errbuf *err);

#endif
