/* The forms of Ansök / Lämna synpunkt as data: each a classification and a few questions, one
 * per wizard step. wizard.c asks, validates and reviews them; adding a form is adding a row. */
#ifndef MINASIDOR_FORMS_H
#define MINASIDOR_FORMS_H

#include <stdbool.h>
#include <stddef.h>

#include "taxonomy.h"

enum question_kind {
    Q_CHOICE, /* one of the options (buttons) */
    Q_MULTI,  /* any of the options, at least one unless optional */
    Q_UNITS,  /* preschool units of the kiosk's districts, 1..max in priority order */
    Q_DATE,   /* YYYY-MM-DD, min..max days from today */
    Q_TEXT,   /* free text, at most max characters */
    Q_PNR,    /* a child's personnummer, min..max years old */
    Q_MONEY,  /* kronor, min..max */
    Q_NUMBER, /* a whole number, min..max */
};

struct form_option {
    const char *code;  /* what the payload carries */
    const char *label; /* msgid */
};

#define FORM_MAX_OPTIONS 8

struct question {
    const char *key; /* payload key */
    enum question_kind kind;
    const char *step;  /* msgid: the step indicator's word, "Förskolor" */
    const char *label; /* msgid: the question */
    const char *hint;  /* msgid or NULL */
    bool optional;
    size_t n_options;
    struct form_option options[FORM_MAX_OPTIONS];
    long min, max;           /* see question_kind */
    const char *range_error; /* msgid: said when a value is outside min..max */
};

#define FORM_MAX_QUESTIONS 5

struct form {
    const char *id;    /* "forskoleplats": the headless driver and tests name forms by it */
    const char *title; /* msgid */
    const char *intro; /* msgid */
    const char *kind;  /* "application", "complaint" or "choice" */
    enum case_main main;
    enum case_type type;
    enum case_class klass;
    const char *main_from; /* key of the answer that gives the huvudkategori, or NULL */
    size_t n;
    struct question q[FORM_MAX_QUESTIONS];
    bool staff_only; /* choices ("val"): registered by staff on a citizen's behalf */
};

extern const struct form forms[];
extern const size_t n_forms;

/* The form that makes submissions of this kind and ärendetyp code; n_forms if none. */
size_t form_find(const char *kind, const char *type_code);

/* Staff mode's choices, as data the screen shows and the app checks: why a staff member needs
 * a citizen's data, and the identity documents staff may check. */
extern const struct form_option staff_reasons[], identity_documents[];
extern const size_t n_staff_reasons, n_identity_documents;

/* The entry of list with this code, or NULL (code may be NULL). */
const struct form_option *form_option_find(const struct form_option *list, size_t n,
                                           const char *code);

#endif
