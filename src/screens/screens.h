/* The kiosk's screens: one file each, each defining one `const struct screen_impl` (STYLE.md);
 * the router in app/ knows only this table. A screen reads the model, declares its widgets and
 * asks the app for anything else through model->act. What a screen holds while it is shown
 * (typed text, answers, page positions) is its per-visit state, never a file-scope static: the
 * router allocates state_size bytes in guarded memory, zeroed, before enter, passes them to
 * every call, and wipes and frees them after leave (cage's view impl, with its own data). */
#ifndef MINASIDOR_SCREENS_H
#define MINASIDOR_SCREENS_H

#include "model.h"
#include "taxonomy.h"
#include "ui.h"

struct screen_impl {
    const char *name; /* for usage counters and the headless driver: "overview" */
    /* What Hjälp says of this screen (a msgid, translated when spoken or shown): what it is for,
     * what can be done here, and how to get a person. */
    const char *help;
    size_t state_size; /* the per-visit state; 0: the screen holds nothing */
    /* Each may be NULL but build. state is the visit's (NULL when state_size is 0). */
    void (*enter)(struct model *m, void *state);
    void (*build)(struct ui *ui, struct model *m, void *state);
    /* The screen is left: undoes what it did to the model (the router wipes the state). */
    void (*leave)(struct model *m, void *state);
};

const struct screen_impl *screen_impl(enum screen_id id);

/* chrome.c: what every screen has. The title at the top; the action bar low in the reach band
 * (Back, Help, Log out, language, contrast and text size); below the content, the data's age;
 * the offline banner; the Help and idle dialogs over everything. Sets the content area (within
 * the reach band's top) and returns. */
void chrome_begin(struct ui *ui, struct model *m, const char *title, bool can_go_back);
void chrome_end(struct ui *ui, struct model *m);
/* A screen that shows a receipt (the callback, a form) drops it when it is left. */
void chrome_leave_receipt(struct model *m, void *state);
/* receipt.c: a receipt's headline by delivery (received: the screen's own words for it), its
 * status and its one reference. */
void receipt_head(struct ui *ui, const struct model_receipt *r, const char *received);
/* A dialog over the screen (scrim, frame, its heading): only its controls take input until the
 * caller's ui_modal_end. */
void chrome_dialog_begin(struct ui *ui, const char *title, double height_mm);

/* help.c: the Hjälp dialog over the screen shown (while model.help_open): what this screen is for
 * (its screen_impl's help) and how to reach a person (the staff at the desk, a callback). Its
 * Stäng clears help_open; its Ring upp mig goes to the callback. The chrome calls it. */
void help_dialog(struct ui *ui, struct model *m);

/* format.c: dates, times and money as the current language writes them. */
void fmt_date(const char *iso, char *out, size_t size);           /* "fredag 4 december 2026" */
void fmt_date_short(const char *iso, char *out, size_t size);     /* "4 december 2026" */
void fmt_month_year(int year, int month, char *out, size_t size); /* "december 2026" */
void fmt_time(int64_t utc, char *out, size_t size);               /* "4 december 2026 kl. 10.30" */
void fmt_money(long long ore, char *out, size_t size);
/* The translated label of a taxonomy code ("Förskola"); the code itself if unknown, "–" if NULL. */
const char *fmt_tax(enum tax_dimension dim, const char *code);
/* An invoice's state as of the model's clock, and its word ("Betald", "Obetald", "Förfallen"). */
enum invoice_state {
    INVOICE_PAID,
    INVOICE_UNPAID,
    INVOICE_OVERDUE,
};
enum invoice_state invoice_state(const struct model *m, size_t row);
const char *invoice_state_label(enum invoice_state st);
/* lists.c: a status's icon and tone (a case's by its status code), and the error state of a list
 * the store could not read (true when l failed: it drew the error and its next step). */
void case_status_look(const char *code, enum ui_icon *icon, enum ui_tone *tone);
void invoice_status_look(enum invoice_state st, enum ui_icon *icon, enum ui_tone *tone);
bool list_failed(struct ui *ui, struct model *m, const struct model_records *l);
/* "uppdaterad för 5 minuter sedan" */
void fmt_age(int64_t then, int64_t now, char *out, size_t size);

#endif
