/* What speech says of a node of the semantic tree: its name, its role and its state, in the
 * current language ("Fakturor, knapp, två obetalda"; "Kontrast, på, knapp"), and the check that
 * every control the keys reach has something to say. A node that shows personal data says only
 * its caption, its role and that details are read with headphones when the speech goes to the
 * loudspeaker. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui_internal.h"

const char *
ui_role_word(enum ui_role r)
{
    switch (r) {
    case UI_ROLE_SCREEN:
        return C_("ui-role", "screen");
    case UI_ROLE_HEADING:
        return C_("ui-role", "heading");
    case UI_ROLE_TEXT:
        return C_("ui-role", "text");
    case UI_ROLE_BUTTON:
    case UI_ROLE_TILE: /* Översikt's tiles are buttons to the ear */
        return C_("ui-role", "button");
    case UI_ROLE_KEY:
        return C_("ui-role", "key");
    case UI_ROLE_TEXTFIELD:
        return C_("ui-role", "text field");
    case UI_ROLE_LISTITEM:
        return C_("ui-role", "list item");
    case UI_ROLE_DIALOG:
        return C_("ui-role", "dialog");
    case UI_ROLE_QR:
        return C_("ui-role", "image");
    case UI_ROLE_BANNER:
        return C_("ui-role", "message");
    case UI_ROLE_STEP:
        return C_("ui-role", "step");
    case UI_ROLE_TIMELINE:
        return C_("ui-role", "event");
    case UI_ROLE_STATUS:
        return C_("ui-role", "status");
    case UI_ROLE_COUNT:
        break;
    }
    return "";
}

/* The spoken sentence, built part by part with ", " between the parts. */
struct said {
    char *out;
    size_t size, len; /* len: what snprintf would have written (may pass size) */
};

PRINTF(2, 3)
static void
part(struct said *s, const char *fmt, ...)
{
    char piece[UI_LABEL_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(piece, sizeof(piece), fmt, ap);
    va_end(ap);
    if (n <= 0 || piece[0] == '\0')
        return;
    const char *sep = s->len > 0 ? ", " : "";
    /* after a sentence ("Förfallodagen har passerat."): its full stop gives way to the comma,
     * and a question keeps its mark with a space after it */
    size_t have = s->len < s->size ? s->len : (s->size > 0 ? s->size - 1 : 0);
    if (s->len > 0 && s->len == have) {
        static const char *const stops[] = { ".", "\xe1\x8d\xa2" /* ። */ };
        static const char *const asks[] = { "?", "!", "\xd8\x9f" /* ؟ */ };
        for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
            size_t k = strlen(stops[i]);
            if (have > k && memcmp(s->out + have - k, stops[i], k) == 0) { /* not a lone "." */
                s->len -= k;
                s->out[s->len] = '\0';
            }
        }
        for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
            size_t k = strlen(asks[i]);
            if (have >= k && memcmp(s->out + have - k, asks[i], k) == 0)
                sep = " ";
        }
    }
    int w = snprintf(s->out + (s->len < s->size ? s->len : s->size),
                     s->len < s->size ? s->size - s->len : 0, "%s%s", sep, piece);
    s->len += w > 0 ? (size_t)w : 0;
}

/* The value as the ear needs it: some roles carry a code there ("warning", "current"). */
static const char *
value_word(const struct ui_node *n)
{
    switch (n->role) {
    case UI_ROLE_BANNER:
        return strcmp(n->value, "warning") == 0 ? C_("ui-state", "warning") : "";
    case UI_ROLE_STEP:
        return strcmp(n->value, "current") == 0 ? C_("ui-state", "current")
               : strcmp(n->value, "done") == 0  ? C_("ui-state", "done")
                                                : "";
    case UI_ROLE_STATUS:
        return strcmp(n->value, "invalid") == 0 ? C_("ui-state", "error") : n->value;
    case UI_ROLE_TEXTFIELD:
        return n->value[0] != '\0' ? n->value : C_("ui-state", "empty");
    default:
        return n->value;
    }
}

size_t
ui_spoken(const struct ui_node *n, bool personal_ok, char *out, size_t size)
{
    struct said s = { out, size, 0 };
    if (size > 0)
        out[0] = '\0';
    bool masked = n->personal && !personal_ok;
    if (!masked || n->caption)
        part(&s, "%s", n->label);
    /* a toggle's state and a chosen option come straight after the name: "Kontrast, på" */
    if (n->toggle)
        part(&s, "%s",
             (n->state & UI_STATE_CHECKED) ? C_("ui-state", "on") : C_("ui-state", "off"));
    else if ((n->state & UI_STATE_CHECKED) &&
             (n->role == UI_ROLE_BUTTON || n->role == UI_ROLE_TILE || n->role == UI_ROLE_LISTITEM ||
              n->role == UI_ROLE_KEY))
        part(&s, "%s", C_("ui-state", "selected"));
    if (n->role == UI_ROLE_STEP && n->set_size > 0)
        part(&s, C_("ui-role", "step %d of %d"), n->set_pos, n->set_size);
    else if (n->role != UI_ROLE_TEXT || masked || s.len == 0)
        part(&s, "%s", ui_role_word(n->role));
    if (masked)
        part(&s, "%s", _("details are read out only through headphones"));
    else
        part(&s, "%s", value_word(n));
    if (n->role == UI_ROLE_TIMELINE && (n->state & UI_STATE_CHECKED))
        part(&s, "%s", C_("ui-state", "latest"));
    if (n->state & UI_STATE_DISABLED)
        part(&s, "%s", C_("ui-state", "unavailable"));
    if (n->state & UI_STATE_INVALID)
        part(&s, "%s", C_("ui-state", "invalid entry"));
    part(&s, "%s", n->note); /* the screen's words (an error, a hint), never data */
    return s.len;
}

/* --- The speech check ------------------------------------------------------------------------ */

PRINTF(4, 5)
static void
problem(char *out, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out + *used, size - *used, fmt, ap);
    va_end(ap);
    *used += w > 0 ? (size_t)w : 0;
    if (*used >= size)
        *used = size;
}

int
ui_speech_problems(const struct ui *ui, char *out, size_t size)
{
    size_t used = 0;
    int count = 0;
    if (size > 0)
        out[0] = '\0';
    size_t first = ui->shown_has_modal ? ui->shown_modal_first : 0;
    for (size_t i = 0; i < ui->n_shown; i++) {
        const struct ui_node *n = &ui->shown[i];
        if (i < first && n->focusable && (n->state & UI_STATE_FOCUSED)) {
            count++; /* behind the open dialog: keys must not reach it */
            problem(out, size, &used, "focused behind the dialog: %s \"%s\"\n",
                    ui_role_code(n->role), n->label);
        }
        if (!ui_reachable(ui, n))
            continue;
        if (n->label[0] == '\0') {
            count++;
            problem(out, size, &used, "no name to say: a %s at %d,%d\n", ui_role_code(n->role),
                    n->r.x, n->r.y);
        }
        if (ui_role_word(n->role)[0] == '\0') {
            count++;
            problem(out, size, &used, "no role word: %s \"%s\"\n", ui_role_code(n->role), n->label);
        }
        const struct ui_rect r = n->r;
        if (n->scrolled_out)
            continue; /* focusing it scrolls it into view */
        if (r.w <= 0 || r.h <= 0 || r.x >= ui->width || r.y >= ui->height || r.x + r.w <= 0 ||
            r.y + r.h <= 0) {
            count++;
            problem(out, size, &used, "focusable but not visible: %s \"%s\" (%dx%d at %d,%d)\n",
                    ui_role_code(n->role), n->label, r.w, r.h, r.x, r.y);
        }
    }
    return count;
}

#ifdef MINASIDOR_UNIT_TEST
void
ui_test_add_unnamed_button(struct ui *ui)
{
    if (ui->n_shown >= UI_MAX_NODES)
        return;
    struct ui_node *n = &ui->shown[ui->n_shown++];
    memset(n, 0, sizeof(*n));
    n->id = 0x5eec4u; /* any id: nothing refers to it */
    n->role = UI_ROLE_BUTTON;
    n->focusable = true;
    n->r = (struct ui_rect){ 0, 0, ui_mm(ui, 20), ui_mm(ui, 20) };
}
#endif
