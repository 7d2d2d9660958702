/* The names a kiosk may count its use under and report its health by (PROTOCOL.md §9, POST
 * /v1/status): one fixed vocabulary for the kiosk, which counts only these, and the case store,
 * which refuses any other. A name is chosen from this list, never built from what a person did or
 * typed, so no name, personnummer, case number or id can travel as a counter. */
#ifndef MINASIDOR_USAGE_NAMES_H
#define MINASIDOR_USAGE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Counters without a screen or a language in their name. */
#define USAGE_VISIT              "visit"              /* a session began (someone identified) */
#define USAGE_IDENTIFY_STARTED   "identify.started"   /* an identification was asked for */
#define USAGE_IDENTIFY_OK        "identify.ok"        /* it completed */
#define USAGE_IDENTIFY_FAILED    "identify.failed"    /* the provider refused or failed */
#define USAGE_IDENTIFY_CANCELLED "identify.cancelled" /* the person gave up */
#define USAGE_IDLE_LOGOUT        "idle_logout" /* a session ended when the idle dialog ran out */
/* Speech mode was turned on for a visit, and one use of the physical keypad (a key press that
 * moved or activated something): the keypad helper counts these with store_usage_count. */
#define USAGE_SPEECH_MODE "speech_mode"
#define USAGE_KEYPAD_USE  "keypad_use"

/* Prefixes followed by one word of a fixed list: "screen.overview" (a screen opened),
 * "submit.application" (a form or callback request sent, by kind: application, complaint,
 * choice, callback), "lang.fi" (a language chosen). */
#define USAGE_SCREEN_PREFIX "screen."
#define USAGE_SUBMIT_PREFIX "submit."
#define USAGE_LANG_PREFIX   "lang."

#define USAGE_NAME_MAX 40 /* bytes, with the terminating NUL */

/* True if name is one of the vocabulary's counters. */
bool usage_counter_known(const char *name);

/* The vocabulary, in a stable order (for reports and tests): *n names. */
const char *const *usage_counter_names(size_t *n);

/* True if name is one of the checks `minasidor doctor` runs (src/app/diag.c names them with
 * these words): what a kiosk may list as failing in its health. */
bool usage_check_known(const char *name);

/* True if v is a version a kiosk may report: empty, or one to three numbers of one to three
 * digits separated by dots ("0.1.0"). Nothing longer: a freer text could carry a personnummer
 * or a name. */
bool usage_version_valid(const char *v);

#endif
