/* The headless driver: a script of taps, typing, keys, waits and expectations on the semantic
 * tree, run against the real kiosk. Taps are real pointer events at the node's centre, so they
 * go through hit testing like a finger. Syntax: tests/ui/README.md. */
#include <ctype.h>
#include <fnmatch.h>
#include <sodium.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "i18n.h"
#include "kiosk.h"
#include "luhn.h"
#include "screens.h"
#include "utf8.h"
#include "xalloc.h"

#define LOG_MODULE "script"
#include "log.h"

#define WAIT_DEFAULT_S 15

/* What the kiosk said, sentence by sentence with the samples each made, since the last
 * transcript-clear. In guarded memory: through a headset it holds personal data. */
#define TRANSCRIPT_MAX 256

struct said {
    char text[SPEECH_MODE_SAY_MAX];
    size_t samples;
};

struct run {
    struct kiosk *k;
    const char *name, *dir;
    int line;
    int64_t tap_clock; /* input timestamps: taps look 0.5 s apart, never a double tap */
    struct said *transcript;
    size_t n_said, n_dropped;
};

/* speech_mode's listener: each thing said, into the transcript. */
static void
heard(void *ctx, const char *text, size_t samples)
{
    struct run *r = ctx;
    if (r->n_said == TRANSCRIPT_MAX) {
        r->n_dropped++;
        return;
    }
    struct said *s = &r->transcript[r->n_said++];
    snprintf(s->text, sizeof(s->text), "%s", text);
    s->samples = samples;
}

static void
pause_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void
step(struct run *r)
{
    kiosk_step(r->k, NULL, 0);
}

static void
list_screen(struct run *r)
{
    size_t n;
    const struct ui_node *nodes = ui_nodes(r->k->ui, &n);
    fprintf(stderr, "  on screen (%s):\n", r->k->m->screen < SCREEN_COUNT ? "" : "?");
    for (size_t i = 0; i < n; i++) {
        if (nodes[i].label[0] != '\0')
            fprintf(stderr, "    %s \"%s\"%s%s\n", ui_role_code(nodes[i].role), nodes[i].label,
                    nodes[i].value[0] ? " = " : "", nodes[i].value);
    }
}

static int
fail(struct run *r, const char *what, const char *arg)
{
    fprintf(stderr, "%s:%d: %s: %s\n", r->name, r->line, what, arg);
    list_screen(r);
    return 1;
}

/* The node a finger could tap with this label, waiting up to timeout_s for it. */
static const struct ui_node *
find_tappable(struct run *r, const char *label, int timeout_s)
{
    int64_t until = kiosk_now_ms(r->k) + (int64_t)timeout_s * 1000;
    for (;;) {
        step(r);
        const struct ui_node *n = ui_find_tappable(r->k->ui, label);
        if (n != NULL || kiosk_now_ms(r->k) >= until)
            return n;
        pause_ms(50);
    }
}

static void
feed(struct run *r, struct ui_input *in)
{
    in->t_ms = r->tap_clock;
    kiosk_step(r->k, in, 1);
}

/* A finger on the node with this label, dx_mm, dy_mm off its centre, lifted after hold_ms. */
static int
press(struct run *r, const char *label, double dx_mm, double dy_mm, int64_t hold_ms)
{
    const struct ui_node *n = find_tappable(r, label, 5);
    if (n == NULL)
        return fail(r, "nothing to touch with this label", label);
    if (n->scrolled_out) { /* a person scrolls it into view first */
        ui_scroll_into_view(r->k->ui, n->id);
        n = find_tappable(r, label, 5);
        if (n == NULL || n->scrolled_out)
            return fail(r, "cannot scroll into view", label);
    }
    double ppmm = ui_px_per_mm(r->k->ui);
    int x = n->r.x + n->r.w / 2 + (int)lround(dx_mm * ppmm);
    int y = n->r.y + n->r.h / 2 + (int)lround(dy_mm * ppmm);
    r->tap_clock += 500;
    feed(r, &(struct ui_input){ .kind = UI_IN_DOWN, .x = x, .y = y });
    r->tap_clock += hold_ms;
    feed(r, &(struct ui_input){ .kind = UI_IN_UP, .x = x, .y = y });
    return 0;
}

static int
cmd_tap(struct run *r, const char *label)
{
    return press(r, label, 0, 0, 100);
}

/* "pick-date YYYY-MM-DD": chooses the day in the form's calendar as a person does, paging with
 * Next month (then Previous month) until the day's button (named with its full date) is there. */
static int
cmd_pick_date(struct run *r, const char *iso)
{
    char name[96];
    struct date d;
    if (!date_parse_iso(iso, &d))
        return fail(r, "expected: pick-date YYYY-MM-DD", iso);
    fmt_date(iso, name, sizeof(name));
    for (int turn = 0; turn < 80; turn++) {
        step(r);
        if (ui_find_tappable(r->k->ui, name) != NULL)
            return cmd_tap(r, name);
        const char *page = turn < 30 ? _("Next month") : _("Previous month");
        if (ui_find_tappable(r->k->ui, page) == NULL) {
            if (turn >= 30)
                break;
            turn = 29; /* the last month offered: back from here */
            continue;
        }
        if (cmd_tap(r, page) != 0)
            return 1;
    }
    return fail(r, "the calendar offers no such day", name);
}

static char *trim(char *s);
static int cmd_screenshot(struct run *r, const char *name);

/* "LABEL N...": the label (quotes optional) and the numbers after it, at most max. */
static int
label_and_numbers(char *arg, double *nums, int max)
{
    int n = 0;
    while (n < max) {
        char *sp = strrchr(arg, ' ');
        if (sp == NULL)
            break;
        char *num_end;
        double v = strtod(sp + 1, &num_end);
        if (num_end == sp + 1 || *num_end != '\0')
            break;
        memmove(nums + 1, nums, (size_t)n * sizeof(*nums));
        nums[0] = v;
        n++;
        *sp = '\0';
    }
    return n;
}

/* The last thing the kiosk said aloud contains text, and made sound. */
static int
cmd_expect_spoken(struct run *r, const char *text)
{
    step(r);
    const char *said;
    size_t samples = speech_last(r->k->speech, &said);
    if (r->k->speech == NULL)
        return fail(r, "speech is off or espeak-ng could not start", text);
    if (samples == 0 || strstr(said, text) == NULL)
        return fail(r, "not said", said[0] ? said : "(nothing was said)");
    printf("spoken: %zu samples: %s\n", samples, said);
    return 0;
}

/* "hold LABEL SECONDS": a press that stays down (the clock advanced) and lifts on the node. */
static int
cmd_hold(struct run *r, char *arg)
{
    double s[1];
    if (label_and_numbers(arg, s, 1) != 1)
        return fail(r, "expected: hold LABEL SECONDS", arg);
    return press(r, trim(arg), 0, 0, (int64_t)(s[0] * 1000));
}

/* "tap-at LABEL DX DY": a tap DX, DY millimetres off the node's centre (a finger that misses). */
static int
cmd_tap_at(struct run *r, char *arg)
{
    double d[2];
    if (label_and_numbers(arg, d, 2) != 2)
        return fail(r, "expected: tap-at LABEL DX_MM DY_MM", arg);
    return press(r, trim(arg), d[0], d[1], 100);
}

/* Taps the first node of a role ("listitem"): rows whose labels a script cannot know. */
static int
cmd_tap_first(struct run *r, const char *role)
{
    step(r);
    size_t n;
    const struct ui_node *all = ui_nodes(r->k->ui, &n);
    for (size_t i = 0; i < n; i++) {
        if (all[i].focusable && strcmp(ui_role_code(all[i].role), role) == 0)
            return cmd_tap(r, all[i].label);
    }
    return fail(r, "no node of this role", role);
}

static int
cmd_expect_focus(struct run *r, const char *label)
{
    step(r);
    const struct ui_node *f = ui_focused(r->k->ui);
    if (f == NULL || strncmp(f->label, label, strlen(label)) != 0)
        return fail(r, "the focus is elsewhere", f != NULL ? f->label : "(nothing focused)");
    return 0;
}

static int
cmd_type(struct run *r, const char *text)
{
    size_t len = strlen(text), i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(text + i, len - i, &cp);
        if (n == 0)
            return fail(r, "not UTF-8", text);
        struct ui_input in = { .kind = UI_IN_TEXT };
        memcpy(in.text, text + i, n);
        feed(r, &in);
        i += n;
    }
    return 0;
}

static int
cmd_key(struct run *r, const char *name)
{
    static const struct {
        const char *name;
        enum ui_key key;
    } keys[] = { { "tab", UI_KEY_TAB },
                 { "backtab", UI_KEY_BACKTAB },
                 { "enter", UI_KEY_ENTER },
                 { "escape", UI_KEY_ESCAPE },
                 { "up", UI_KEY_UP },
                 { "down", UI_KEY_DOWN },
                 { "left", UI_KEY_LEFT },
                 { "right", UI_KEY_RIGHT },
                 { "backspace", UI_KEY_BACKSPACE } };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].name, name) == 0) {
            feed(r, &(struct ui_input){ .kind = UI_IN_KEY, .key = keys[i].key });
            return 0;
        }
    }
    return fail(r, "no such key", name);
}

/* The node with this label whose value contains value (any node with the label when value is
 * NULL); prefers the node that has a value (a field, not its caption). */
static const struct ui_node *
find_valued(struct run *r, const char *label, const char *value)
{
    size_t count;
    const struct ui_node *all = ui_nodes(r->k->ui, &count), *any = NULL;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(all[i].label, label, strlen(label)) != 0)
            continue;
        if (value == NULL && strcmp(all[i].label, label) == 0)
            return &all[i];
        if (value != NULL && strstr(all[i].value, value) != NULL)
            return &all[i];
        if (any == NULL || all[i].value[0] != '\0')
            any = &all[i];
    }
    return value == NULL ? any : NULL;
}

/* "LABEL" or "LABEL = VALUE" (the value must contain VALUE), waiting up to timeout_s. */
static int
cmd_expect(struct run *r, char *arg, bool present, int timeout_s)
{
    char *eq = strstr(arg, " = ");
    const char *value = NULL;
    if (eq != NULL) {
        *eq = '\0';
        value = eq + 3;
    }
    int64_t until = kiosk_now_ms(r->k) + (int64_t)timeout_s * 1000;
    const struct ui_node *n;
    for (;;) {
        step(r);
        n = find_valued(r, arg, value);
        if (n != NULL || !present || kiosk_now_ms(r->k) >= until)
            break;
        pause_ms(50);
    }
    if (!present)
        return n == NULL ? 0 : fail(r, "expected this not to be shown", arg);
    if (n == NULL && value != NULL && find_valued(r, arg, NULL) != NULL) {
        char msg[UI_LABEL_MAX * 2 + 32];
        snprintf(msg, sizeof(msg), "\"%s\" is not in \"%s\"", value,
                 find_valued(r, arg, NULL)->value);
        return fail(r, "value differs", msg);
    }
    if (n == NULL)
        return fail(r, timeout_s > 0 ? "did not appear in time" : "not on screen", arg);
    return 0;
}

/* "ROLE LABEL [= VALUE]": a node of this role ("heading") whose label is exactly LABEL, waiting
 * up to timeout_s. A screen's own heading tells it apart from the tile that led there. */
static int
cmd_expect_role(struct run *r, char *arg, int timeout_s)
{
    char *label = arg + strcspn(arg, " ");
    if (*label == '\0')
        return fail(r, "expected: expect-role ROLE LABEL [= VALUE]", arg);
    *label++ = '\0';
    char *eq = strstr(label, " = ");
    const char *value = NULL;
    if (eq != NULL) {
        *eq = '\0';
        value = trim(eq + 3);
    }
    label = trim(label);
    int64_t until = kiosk_now_ms(r->k) + (int64_t)timeout_s * 1000;
    for (;;) {
        step(r);
        size_t count;
        const struct ui_node *all = ui_nodes(r->k->ui, &count);
        for (size_t i = 0; i < count; i++) {
            if (strcmp(ui_role_code(all[i].role), arg) == 0 && strcmp(all[i].label, label) == 0 &&
                (value == NULL || strstr(all[i].value, value) != NULL))
                return 0;
        }
        if (kiosk_now_ms(r->k) >= until)
            break;
        pause_ms(50);
    }
    char msg[UI_LABEL_MAX + 64];
    snprintf(msg, sizeof(msg), "%s \"%s\"", arg, label);
    return fail(r,
                timeout_s > 0 ? "no node of this role and label in time"
                              : "no node of this role and label",
                msg);
}

/* "expect-match GLOB" / "expect-not-match GLOB": a node whose whole label matches the
 * fnmatch(3) pattern ("Personnummer: *-\\*\\*\\*\\*" is the masked number). */
static int
cmd_expect_match(struct run *r, const char *glob, bool present)
{
    step(r);
    size_t count;
    const struct ui_node *all = ui_nodes(r->k->ui, &count);
    bool found = false;
    for (size_t i = 0; i < count && !found; i++)
        found = fnmatch(glob, all[i].label, 0) == 0;
    if (found != present)
        return fail(r, present ? "no label matches" : "a label matches", glob);
    return 0;
}

/* "expect-nth ROLE N GLOB": the Nth node of the role in reading order (1 is the first, "last"
 * the last) reads "label = value" as GLOB (fnmatch) says: a list's order as a person sees it
 * (the overdue invoice first, the paid one last). */
static int
cmd_expect_nth(struct run *r, char *arg)
{
    char *role = arg, *nth = arg + strcspn(arg, " ");
    if (*nth == '\0')
        return fail(r, "expected: expect-nth ROLE N|last GLOB", arg);
    *nth++ = '\0';
    nth += strspn(nth, " ");
    char *glob = nth + strcspn(nth, " ");
    if (*glob == '\0')
        return fail(r, "expected: expect-nth ROLE N|last GLOB", arg);
    *glob++ = '\0';
    glob = trim(glob);
    bool last = strcmp(nth, "last") == 0;
    long want = last ? 0 : strtol(nth, NULL, 10);
    if (!last && want < 1)
        return fail(r, "N is 1 or more, or last", nth);
    step(r);
    size_t count;
    const struct ui_node *all = ui_nodes(r->k->ui, &count), *found = NULL;
    long seen = 0;
    for (size_t i = 0; i < count && (last || seen < want); i++) {
        if (strcmp(ui_role_code(all[i].role), role) == 0) {
            seen++;
            found = &all[i];
        }
    }
    if (found == NULL || (!last && seen < want))
        return fail(r, "not so many nodes of this role", arg);
    char text[2 * UI_LABEL_MAX + 4];
    snprintf(text, sizeof(text), "%s = %s", found->label, found->value);
    if (fnmatch(glob, text, 0) != 0) {
        fprintf(stderr, "  it reads: %s\n", text);
        return fail(r, "the node does not match", glob);
    }
    return 0;
}

/* "expect-checked LABEL" / "expect-unchecked LABEL": the node shows (and says) its checked
 * state: a tapped option, a toggle. */
static int
cmd_expect_checked(struct run *r, const char *label, bool checked)
{
    step(r);
    const struct ui_node *n = find_valued(r, label, NULL);
    if (n == NULL)
        return fail(r, "not on screen", label);
    if (((n->state & UI_STATE_CHECKED) != 0) != checked)
        return fail(r, checked ? "not checked" : "checked", label);
    return 0;
}

/* "expect-side LABEL left|right": the node's centre is in that half of the screen (a mirrored
 * layout puts the header's buttons on the other side). */
static int
cmd_expect_side(struct run *r, char *arg)
{
    char *side = strrchr(arg, ' ');
    if (side == NULL || (strcmp(side + 1, "left") != 0 && strcmp(side + 1, "right") != 0))
        return fail(r, "expected: expect-side LABEL left|right", arg);
    *side++ = '\0';
    const char *label = trim(arg);
    step(r);
    const struct ui_node *n = find_valued(r, label, NULL);
    if (n == NULL)
        return fail(r, "not on screen", label);
    int w, h;
    ui_display(r->k->ui, &w, &h);
    bool left = n->r.x + n->r.w / 2 < w / 2;
    if (left != (strcmp(side, "left") == 0))
        return fail(r, left ? "it is on the left" : "it is on the right", label);
    return 0;
}

/* "tab-to LABEL": presses Tab until the keyboard focus is on the node with this label, as a
 * keyboard user gets to a control; fails after twice as many presses as the screen has
 * controls. */
static int
cmd_tab_to(struct run *r, const char *label)
{
    step(r);
    size_t count, controls = 0;
    const struct ui_node *all = ui_nodes(r->k->ui, &count);
    for (size_t i = 0; i < count; i++)
        controls += all[i].focusable && !all[i].pointer_only;
    for (size_t press = 0; press < 2 * controls + 2; press++) {
        const struct ui_node *f = ui_focused(r->k->ui);
        if (f != NULL && strncmp(f->label, label, strlen(label)) == 0)
            return 0;
        feed(r, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_TAB });
        step(r);
    }
    return fail(r, "Tab does not reach", label);
}

/* "expect-layout-ok": no line of text on screen is clipped by its box, the display or the
 * control it is on, and no two texts overlap; every control is within the reach band of the
 * mount, 15 mm or more and 3 mm from the next; a checked one shows it (ui_layout_problems). */
/* "expect-layout-sweep NAME": the layout check on the screen as it is, for each mount (floor
 * stand 850 mm, low wall mount 700 mm) x orientation x text size x theme, at every scroll
 * position of its content; screenshots NAME-{portrait,landscape}-{standard,contrast}.png (floor
 * stand, normal text). Puts the presentation back after. Prints every problem with the case
 * it was found in. */
static int
cmd_expect_layout_sweep(struct run *r, const char *name)
{
    struct kiosk *k = r->k;
    int w0, h0;
    ui_display(k->ui, &w0, &h0);
    bool landscape0 = w0 > h0, large0 = ui_large_text(k->ui), hc0 = ui_high_contrast(k->ui);
    int mount0 = ui_mount(k->ui);
    static const int mounts[] = { 850, 700 };
    int total = 0, checked = 0;
    char problems[8192];
    for (int mi = 0; mi < 2; mi++) {
        for (int o = 0; o < 2; o++) {
            for (int t = 0; t < 2; t++) {
                for (int c = 0; c < 2; c++) {
                    ui_set_mount(k->ui, mounts[mi]);
                    kiosk_set_orientation(k, o == 1);
                    ui_set_large_text(k->ui, t == 1);
                    ui_set_theme(k->ui, c == 1);
                    ui_scroll_page(k->ui, 0);
                    step(r);
                    if (mi == 0 && t == 0 && name[0] != '\0') {
                        char shot[512];
                        snprintf(shot, sizeof(shot), "%s-%s-%s", name,
                                 o == 1 ? "landscape" : "portrait",
                                 c == 1 ? "contrast" : "standard");
                        if (cmd_screenshot(r, shot) != 0)
                            return 1;
                    }
                    for (int page = 0; page < 20; page++) {
                        int n = ui_layout_problems(k->ui, problems, sizeof(problems));
                        checked++;
                        if (n > 0) {
                            total += n;
                            fprintf(stderr,
                                    "%s:%d: %d layout problem%s (mount %d mm, %s, %s text, %s, "
                                    "scrolled %d):\n%s",
                                    r->name, r->line, n, n == 1 ? "" : "s", mounts[mi],
                                    o == 1 ? "landscape" : "portrait", t == 1 ? "large" : "normal",
                                    c == 1 ? "high contrast" : "standard", page, problems);
                        }
                        if (!ui_scroll_page(k->ui, 1))
                            break;
                        step(r);
                    }
                }
            }
        }
    }
    ui_set_mount(k->ui, mount0);
    kiosk_set_orientation(k, landscape0);
    ui_set_large_text(k->ui, large0);
    ui_set_theme(k->ui, hc0);
    ui_scroll_page(k->ui, 0);
    step(r);
    if (total > 0)
        return fail(r, "the layout is not ok", name);
    printf("layout sweep %s: %d views checked\n", name, checked);
    return 0;
}

/* "expect-layout-sweep-languages NAME": the sweep in every language the kiosk offers (the staff
 * and technician screens, which the language visits do not reach); screenshots in the language
 * the script runs in, and that language again after. */
static int
cmd_expect_layout_sweep_languages(struct run *r, const char *name)
{
    const struct i18n_language *langs[16], *was = i18n_current();
    size_t n = i18n_offered(langs, ARRAY_LEN(langs));
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        i18n_set_language(langs[i]->code);
        ui_set_rtl(r->k->ui, langs[i]->rtl);
        ui_invalidate(r->k->ui);
        rc |= cmd_expect_layout_sweep(r, langs[i] == was ? name : "");
    }
    i18n_set_language(was->code);
    ui_set_rtl(r->k->ui, was->rtl);
    ui_invalidate(r->k->ui);
    step(r);
    return rc;
}

static int
cmd_expect_layout_ok(struct run *r)
{
    step(r);
    char problems[4096];
    int n = ui_layout_problems(r->k->ui, problems, sizeof(problems));
    if (n == 0)
        return 0;
    fprintf(stderr, "%s:%d: %d layout problem%s:\n%s", r->name, r->line, n, n == 1 ? "" : "s",
            problems);
    return fail(r, "the layout is not ok", "see above");
}

/* The speech check on the frame on screen (ui_speech_problems): prints the problems and fails. */
static int
speech_ok(struct run *r)
{
    char problems[4096];
    int n = ui_speech_problems(r->k->ui, problems, sizeof(problems));
    if (n == 0)
        return 0;
    fprintf(stderr, "%s:%d: %d speech problem%s:\n%s", r->name, r->line, n, n == 1 ? "" : "s",
            problems);
    return fail(r, "speech is not ok", "see above");
}

/* "expect-tab-reaches-all": Tab, again and again, puts the focus on every control that the
 * screen has for the keyboard (ui_reachable: in the open dialog if there is one), in at most twice
 * as many presses as there are controls.
 *
 * "expect-speech-ok" (speech true) walks as a listener does, with the keypad's Down: in speech
 * mode the reading cursor (every item, text too, in reading order), else the focus through the
 * controls. Every actionable item must be visited; in speech mode the on-screen keyboard's keys
 * are not (a listener types with the keypad, a keyboard or the letter wheel, which type every
 * character those keys do, and thirty keys in the reading order would bury the form). On every
 * frame of the walk the speech check runs: each control the keys reach has a name and a role word
 * to say and can be seen, and the focus never lands behind an open dialog. */
static int
cmd_expect_tab_reaches_all(struct run *r, bool speech)
{
    step(r);
    if (speech && speech_ok(r) != 0)
        return 1;
    bool reading = speech && r->k->sm.on;
    size_t count;
    const struct ui_node *all = ui_nodes(r->k->ui, &count);
    uint32_t *ids = calloc(count + 1, sizeof(*ids));
    char(*labels)[UI_LABEL_MAX] = calloc(count + 1, sizeof(*labels));
    bool *seen = calloc(count + 1, sizeof(*seen));
    xassert(ids != NULL && labels != NULL && seen != NULL);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (ui_reachable(r->k->ui, &all[i]) && !(reading && all[i].role == UI_ROLE_KEY)) {
            ids[n] = all[i].id;
            snprintf(labels[n], sizeof(labels[n]), "%s", all[i].label);
            n++;
        }
    }
    size_t reached = 0, limit = 2 * (speech ? count : n) + 2;
    bool reported = false; /* the speech check failed and said why */
    for (size_t press = 0; press < limit && reached < n; press++) {
        feed(r, &(struct ui_input){ .kind = UI_IN_KEY, .key = speech ? UI_KEY_DOWN : UI_KEY_TAB });
        step(r);
        if (speech && speech_ok(r) != 0) {
            reported = true;
            break;
        }
        /* this frame's node: read at once */
        const struct ui_node *f = reading ? ui_read_current(r->k->ui) : ui_focused(r->k->ui);
        for (size_t i = 0; f != NULL && i < n; i++) {
            if (ids[i] == f->id && !seen[i]) {
                seen[i] = true;
                reached++;
            }
        }
    }
    const char *how = !speech ? "Tab" : reading ? "Down (reading cursor)" : "Down (focus)";
    int rc = reported ? 1 : 0;
    for (size_t i = 0; !reported && i < n; i++) {
        if (!seen[i]) {
            fprintf(stderr, "%s:%d: %s never reaches \"%s\"\n", r->name, r->line, how, labels[i]);
            rc = 1;
        }
    }
    if (rc != 0 && !reported)
        rc = fail(r, "not every control is reached by", how);
    if (n == 0 && !reported)
        rc = fail(r, "no controls", "");
    if (rc == 0)
        printf("%s: all %zu controls reached by %s\n", speech ? "speech" : "tab", n, how);
    free(ids);
    free(labels);
    free(seen);
    return rc;
}

/* "type-keys TEXT": taps the on-screen keyboard's key for each character (a space is its Space
 * key), as a person without a physical keyboard types; a character it has no key for fails. */
static int
cmd_type_keys(struct run *r, const char *text)
{
    size_t len = strlen(text), i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(text + i, len - i, &cp);
        if (n == 0)
            return fail(r, "not UTF-8", text);
        char ch[8] = { 0 };
        memcpy(ch, text + i, n);
        const char *want = strcmp(ch, " ") == 0 ? _("Space") : ch;
        step(r);
        size_t count;
        const struct ui_node *all = ui_nodes(r->k->ui, &count), *key = NULL;
        for (size_t j = 0; j < count && key == NULL; j++) {
            if (all[j].role == UI_ROLE_KEY && strcmp(all[j].label, want) == 0)
                key = &all[j];
        }
        if (key == NULL)
            return fail(r, "the on-screen keyboard has no key for", ch);
        int x = key->r.x + key->r.w / 2, y = key->r.y + key->r.h / 2;
        r->tap_clock += 500;
        feed(r, &(struct ui_input){ .kind = UI_IN_DOWN, .x = x, .y = y });
        r->tap_clock += 100;
        feed(r, &(struct ui_input){ .kind = UI_IN_UP, .x = x, .y = y });
        i += n;
    }
    return 0;
}

/* Presses a key by its SDL name through SDL's event queue and the platform's keypad table, as
 * the keyboard or a USB keypad would. */
static int
press_key(struct run *r, const char *name)
{
    struct errbuf err = { "" };
    if (!platform_press(r->k->plat, name, &err))
        return fail(r, "cannot press", err.msg);
    struct ui_input in[8];
    bool quit = false;
    int n = platform_wait(r->k->plat, 0, in, 8, &quit);
    r->tap_clock += 500;
    for (int i = 0; i < n; i++)
        in[i].t_ms = r->tap_clock;
    kiosk_step(r->k, in, n);
    return 0;
}

/* "keypad ACTION": the first key the keypad table (settings keypad.*) gives the action. */
static int
cmd_keypad(struct run *r, const char *action)
{
    for (size_t i = 0; i < speech_mode_actions_n; i++) {
        if (strcmp(speech_mode_actions[i].name, action) != 0)
            continue;
        const char *keys = config_get_string(r->k->cfg, speech_mode_actions[i].setting);
        char first[64];
        snprintf(first, sizeof(first), "%.*s", keys != NULL ? (int)strcspn(keys, ",") : 0,
                 keys != NULL ? keys : "");
        if (first[0] == '\0')
            return fail(r, "no key for this action", action);
        return press_key(r, first);
    }
    return fail(r,
                "no such keypad action (up, down, left, right, enter, back, erase, help, "
                "repeat, stop, volume-up, volume-down, rate-up, rate-down)",
                action);
}

/* "keypad-to LABEL": presses Down until the reading cursor is on the node with this label (a
 * control, when a control has it: "DEMO:" is the button, not the banner); fails after twice as
 * many presses as the screen has nodes. */
static int
cmd_keypad_to(struct run *r, const char *label)
{
    step(r);
    size_t count;
    ui_nodes(r->k->ui, &count);
    bool control = ui_find_tappable(r->k->ui, label) != NULL;
    for (size_t press = 0; press < 2 * count + 2; press++) {
        const struct ui_node *at = ui_read_current(r->k->ui);
        if (at != NULL && strncmp(at->label, label, strlen(label)) == 0 &&
            (!control || at->focusable))
            return 0;
        int rc = cmd_keypad(r, "down");
        if (rc != 0)
            return rc;
    }
    return fail(r, "Down never reaches", label);
}

/* "expect-read LABEL": the reading cursor is on this node. */
static int
cmd_expect_read(struct run *r, const char *label)
{
    step(r);
    const struct ui_node *at = ui_read_current(r->k->ui);
    if (at == NULL || strncmp(at->label, label, strlen(label)) != 0)
        return fail(r, "the reading cursor is elsewhere", at != NULL ? at->label : "(nowhere)");
    return 0;
}

static void
transcript_clear(struct run *r)
{
    sodium_memzero(r->transcript, TRANSCRIPT_MAX * sizeof(*r->transcript));
    r->n_said = r->n_dropped = 0;
}

static void
transcript_dump(struct run *r)
{
    for (size_t i = 0; i < r->n_said; i++)
        printf("said %zu: %s\n", r->transcript[i].samples, r->transcript[i].text);
    if (r->n_dropped > 0)
        printf("said: %zu more not kept\n", r->n_dropped);
    fflush(stdout);
}

/* "expect-transcript-has REGEX" / "expect-transcript-lacks REGEX": a sentence said since the
 * last transcript-clear matches the POSIX extended regular expression (or none does). */
static int
cmd_expect_transcript(struct run *r, const char *pattern, bool has)
{
    step(r);
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return fail(r, "not a regular expression", pattern);
    size_t hit = r->n_said;
    for (size_t i = 0; i < r->n_said && hit == r->n_said; i++) {
        if (regexec(&re, r->transcript[i].text, 0, NULL, 0) == 0)
            hit = i;
    }
    regfree(&re);
    if (has == (hit < r->n_said))
        return 0;
    if (r->n_dropped > 0)
        return fail(r, "the transcript is full (transcript-clear more often)", pattern);
    transcript_dump(r);
    return fail(r, has ? "never said" : "said", has ? pattern : r->transcript[hit].text);
}

/* "expect-transcript-lacks-personal": no sentence said since the last transcript-clear holds the
 * value or the label (unless a caption, or shown openly too) of a node on screen that shows
 * personal data (ui_set_personal); fails when
 * the screen has none, so that it cannot pass by finding nothing to check. */
static int
cmd_expect_transcript_lacks_personal(struct run *r)
{
    step(r);
    size_t count, checked = 0;
    const struct ui_node *all = ui_nodes(r->k->ui, &count);
    for (size_t i = 0; i < count; i++) {
        if (!all[i].personal)
            continue;
        checked++;
        /* a caption ("Belopp", a tile's title) is the screen's word, said on purpose, and so is
         * a label that another node shows openly (the "OCR-nummer" above the number, a fact's
         * caption "Inkom" that is also an event's name) */
        bool open = all[i].caption;
        for (size_t j = 0; j < count && !open; j++)
            open = (!all[j].personal || all[j].caption) && strcmp(all[j].label, all[i].label) == 0;
        const char *texts[] = { all[i].value, open ? "" : all[i].label };
        for (size_t t = 0; t < 2; t++) {
            if (strlen(texts[t]) < 4) /* "–", a digit: not what identifies anyone */
                continue;
            for (size_t j = 0; j < r->n_said; j++) {
                if (strstr(r->transcript[j].text, texts[t]) != NULL) {
                    transcript_dump(r);
                    return fail(r, "said what a personal node shows", texts[t]);
                }
            }
        }
    }
    if (checked == 0)
        return fail(r, "no node on screen is marked personal", "");
    printf("transcript: none of %zu personal nodes said\n", checked);
    return 0;
}

/* "expect-transcript-audio": every sentence of the transcript was synthesised (samples > 0).
 * Without espeak-ng there is nothing to check: it says so and passes. */
static int
cmd_expect_transcript_audio(struct run *r)
{
    step(r);
    if (r->k->speech == NULL) {
        printf("skip: transcript audio: espeak-ng could not start (speech.enabled off, or its "
               "voices are missing)\n");
        return 0;
    }
    if (r->n_said == 0)
        return fail(r, "nothing was said", "");
    for (size_t i = 0; i < r->n_said; i++) {
        if (r->transcript[i].samples == 0)
            return fail(r, "said without sound", r->transcript[i].text);
    }
    size_t total = 0;
    for (size_t i = 0; i < r->n_said; i++)
        total += r->transcript[i].samples;
    printf("transcript audio: %zu sentences, %zu samples\n", r->n_said, total);
    return 0;
}

static int
cmd_set(struct run *r, const char *arg)
{
    struct kiosk *k = r->k;
    if (strcmp(arg, "theme high-contrast") == 0 || strcmp(arg, "theme standard") == 0)
        ui_set_theme(k->ui, strcmp(arg, "theme high-contrast") == 0);
    else if (strcmp(arg, "text large") == 0 || strcmp(arg, "text normal") == 0)
        ui_set_large_text(k->ui, strcmp(arg, "text large") == 0);
    else if (strcmp(arg, "orientation landscape") == 0 || strcmp(arg, "orientation portrait") == 0)
        kiosk_set_orientation(k, strcmp(arg, "orientation landscape") == 0);
    else if (strncmp(arg, "mount ", 6) == 0 && atoi(arg + 6) > 0)
        ui_set_mount(k->ui, atoi(arg + 6)); /* display.bottom_edge_mm: 850 floor stand, 700 wall */
    else if (strcmp(arg, "network off") == 0 || strcmp(arg, "network on") == 0)
        kiosk_sync_hold(k, strcmp(arg, "network off") == 0);
#ifdef MINASIDOR_UNIT_TEST
    else if (strcmp(arg, "fixture unnamed-button") == 0) { /* the speech check must fail on it */
        ui_test_add_unnamed_button(k->ui);
        return 0;
    }
#endif
    else if (strcmp(arg, "speech on") == 0)
        speech_mode_start(k);
    else if (strcmp(arg, "speech off") == 0)
        speech_mode_end(k);
    else if (strcmp(arg, "speech-output auto") == 0)
        k->sm.output = SPEECH_OUT_AUTO;
    else if (strcmp(arg, "speech-output headset") == 0)
        k->sm.output = SPEECH_OUT_HEADSET;
    else if (strcmp(arg, "speech-output speaker") == 0)
        k->sm.output = SPEECH_OUT_SPEAKER;
    else if (strcmp(arg, "headset plugged") == 0 || strcmp(arg, "headset unplugged") == 0)
        speech_mode_headset(k, strcmp(arg, "headset plugged") == 0);
    else if (strncmp(arg, "language ", 9) == 0 && i18n_set_language(arg + 9))
        ui_set_rtl(k->ui, i18n_current()->rtl);
    else if (strcmp(arg, "preview-languages on") == 0 ||
             strcmp(arg, "preview-languages off") == 0) {
        /* incomplete catalogues on the chooser too: for the right-to-left layout tests while
         * no right-to-left catalogue is complete, and for translators */
        i18n_set_preview(strcmp(arg, "preview-languages on") == 0);
        ui_set_rtl(k->ui, i18n_current()->rtl);
        ui_invalidate(k->ui);
#ifdef MINASIDOR_UNIT_TEST
    } else if (strncmp(arg, "fail-read ", 10) == 0) {
        /* the store's reads of a kind ("invoice", "case"; "none": all read again) fail from now
         * as a record altered on disk does: for the screens' error state */
        const char *kind = arg + 10;
        if (strcmp(kind, "none") == 0)
            store_test_fail_list = 0;
        for (int i = 0; strcmp(kind, "none") != 0; i++) {
            if (i == STORE_KIND_COUNT)
                return fail(r, "no such kind", kind);
            if (strcmp(store_kind((enum store_kind)i)->name, kind) == 0) {
                store_test_fail_list |= 1u << i;
                break;
            }
        }
#endif
    } else
        return fail(r, "unknown setting", arg);
    step(r);
    return 0;
}

static int
cmd_screenshot(struct run *r, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s.png", r->dir, name);
    step(r);
    struct errbuf err;
    if (!platform_screenshot(r->k->plat, path, &err))
        return fail(r, "screenshot", err.msg);
    printf("screenshot: %s\n", path);
    return 0;
}

static void
cmd_dump(struct run *r)
{
    size_t n;
    const struct ui_node *nodes = ui_nodes(r->k->ui, &n);
    for (size_t i = 0; i < n; i++)
        printf("node %s \"%s\" \"%s\" %d,%d %dx%d%s%s%s%s\n", ui_role_code(nodes[i].role),
               nodes[i].label, nodes[i].value, nodes[i].r.x, nodes[i].r.y, nodes[i].r.w,
               nodes[i].r.h, nodes[i].focusable ? " focusable" : "",
               (nodes[i].state & UI_STATE_FOCUSED) ? " focused" : "",
               (nodes[i].state & UI_STATE_CHECKED) ? " checked" : "",
               nodes[i].personal ? " personal" : "");
}

/* --- For the benchmark (tests/bench/ui_bench.py) ----------------------------------------- */

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Draws the current screen n times in full, as after an expose. */
static void
cmd_redraw(struct run *r, int n)
{
    for (int i = 0; i < n; i++) {
        struct ui_input in = { .kind = UI_IN_EXPOSE };
        kiosk_step(r->k, &in, 1);
    }
}

/* Frame times per screen (median and p99 of the kept samples) and the last
 * identification-to-Översikt time, one line each. */
static void
cmd_report(struct run *r)
{
    const struct kiosk_bench *b = &r->k->bench;
    for (int s = 0; s < SCREEN_COUNT; s++) {
        size_t n = b->n[s] < KIOSK_BENCH_SAMPLES ? b->n[s] : KIOSK_BENCH_SAMPLES;
        if (n == 0)
            continue;
        uint32_t v[KIOSK_BENCH_SAMPLES];
        memcpy(v, b->us[s], n * sizeof(v[0]));
        qsort(v, n, sizeof(v[0]), cmp_u32);
        printf("bench frame %s %zu %u %u\n", screen_impl((enum screen_id)s)->name, n, v[n / 2],
               v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
    }
    printf("bench id-to-overview %lld\n", (long long)b->id_to_overview_us);
    fflush(stdout);
}

/* Resident memory now, in kB. */
static void
cmd_rss(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL && fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    if (f != NULL)
        fclose(f);
    printf("bench rss %ld\n", resident * (sysconf(_SC_PAGESIZE) / 1024));
    fflush(stdout);
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

/* Values that depend on the day the script runs, so that a script stays true next year:
 * {date+N} is today plus N days (YYYY-MM-DD; N may be negative), {day+N} the same day as the
 * kiosk writes it in full in the current language (a date picker's day), and {pnr-age N} a valid
 * personnummer (YYYYMMDDNNNC) of someone N years and a month old. */
static bool
expand(const struct run *r, const char *in, char *out, size_t size)
{
    struct local_time now;
    tz_to_local(time(NULL) + r->k->advanced_ms / 1000, &now);
    size_t o = 0;
    while (*in != '\0') {
        long n = 0;
        int used = 0;
        char piece[96] = "";
        if (sscanf(in, "{date%ld}%n", &n, &used) == 1 && used > 0) {
            date_format_iso(date_add_days(now.date, n), piece);
        } else if (sscanf(in, "{day%ld}%n", &n, &used) == 1 && used > 0) {
            char iso[11];
            date_format_iso(date_add_days(now.date, n), iso);
            fmt_date(iso, piece, sizeof(piece));
        } else if (sscanf(in, "{pnr-age %ld}%n", &n, &used) == 1 && used > 0) {
            struct date b = date_add_days(now.date, -31);
            b.year -= (int)n;
            if (!date_valid(b))
                b.day = 28;
            char digits[12];
            snprintf(digits, sizeof(digits), "%02d%02d%02d238", b.year % 100, b.month, b.day);
            snprintf(piece, sizeof(piece), "%04d%02d%02d238%d", b.year, b.month, b.day,
                     luhn_check_digit(digits, 9));
        } else {
            used = 1;
            piece[0] = *in;
        }
        size_t len = strlen(piece);
        if (o + len + 1 > size)
            return false;
        memcpy(out + o, piece, len);
        o += len;
        in += used;
    }
    out[o] = '\0';
    return true;
}

/* Keeps the kiosk running (its threads, its timers, its memory) until the file PATH exists, for
 * a test that inspects the live process from outside (tests/ui/test_memory.py reads its memory
 * after a logout). Prints "holding PID" once so that the test knows the steps before it are
 * done; gives up after an hour so that a forgotten kiosk does not run for ever. */
static int
cmd_hold_until(struct run *r, const char *path)
{
    printf("holding %ld\n", (long)getpid());
    fflush(stdout);
    for (int i = 0; i < 3600 * 20; i++) {
        if (access(path, F_OK) == 0)
            return 0;
        step(r);
        pause_ms(50);
    }
    return fail(r, "no file after an hour", path);
}

static int script_lines(struct run *r, FILE *script);

int
kiosk_script_run(struct kiosk *k, FILE *script, const char *name, const char *shots_dir)
{
    struct run r = { k, name, shots_dir, 0, kiosk_now_ms(k), NULL, 0, 0 };
    r.transcript = sodium_malloc(TRANSCRIPT_MAX * sizeof(*r.transcript));
    xassert(r.transcript != NULL);
    transcript_clear(&r);
    k->sm.said = heard;
    k->sm.said_ctx = &r;
    int rc = script_lines(&r, script);
    k->sm.said = NULL;
    k->sm.said_ctx = NULL;
    transcript_clear(&r);
    sodium_free(r.transcript);
    return rc;
}

static int
script_lines(struct run *r, FILE *script)
{
    struct kiosk *k = r->k;
    char line[1024];
    /* A script holds what a person would type (phone numbers, free texts): read unbuffered and
     * wipe each line after use, so that the driver leaves no copy of its own in the process
     * that test_memory.py could mistake for the kiosk's. */
    setvbuf(script, NULL, _IONBF, 0);
    step(r);
    while (fgets(line, sizeof(line), script) != NULL) {
        r->line++;
        char *s = trim(line);
        if (s[0] == '\0' || s[0] == '#')
            continue;
        char *arg = s + strcspn(s, " \t");
        if (*arg != '\0')
            *arg++ = '\0';
        char expanded[1024];
        if (!expand(r, trim(arg), expanded, sizeof(expanded)))
            return fail(r, "too long after expanding", arg);
        arg = expanded;
        int rc = 0;
        if (strcmp(s, "tap") == 0)
            rc = cmd_tap(r, arg);
        else if (strcmp(s, "expect-spoken") == 0)
            rc = cmd_expect_spoken(r, arg);
        else if (strcmp(s, "hold") == 0)
            rc = cmd_hold(r, arg);
        else if (strcmp(s, "tap-at") == 0)
            rc = cmd_tap_at(r, arg);
        else if (strcmp(s, "type") == 0)
            rc = cmd_type(r, arg);
        else if (strcmp(s, "key") == 0)
            rc = cmd_key(r, arg);
        else if (strcmp(s, "expect") == 0)
            rc = cmd_expect(r, arg, true, 0);
        else if (strcmp(s, "expect-not") == 0)
            rc = cmd_expect(r, arg, false, 0);
        else if (strcmp(s, "wait") == 0)
            rc = cmd_expect(r, arg, true, WAIT_DEFAULT_S);
        else if (strcmp(s, "advance") == 0) {
            k->advanced_ms += (int64_t)(atof(arg) * 1000);
            step(r);
        } else if (strcmp(s, "sleep") == 0) {
            pause_ms(atoi(arg));
            step(r);
        } else if (strcmp(s, "hold-until") == 0)
            rc = cmd_hold_until(r, arg);
        else if (strcmp(s, "screenshot") == 0)
            rc = cmd_screenshot(r, arg);
        else if (strcmp(s, "set") == 0)
            rc = cmd_set(r, arg);
        else if (strcmp(s, "tap-first") == 0)
            rc = cmd_tap_first(r, arg);
        else if (strcmp(s, "expect-focus") == 0)
            rc = cmd_expect_focus(r, arg);
        else if (strcmp(s, "expect-role") == 0)
            rc = cmd_expect_role(r, arg, 0);
        else if (strcmp(s, "wait-role") == 0)
            rc = cmd_expect_role(r, arg, WAIT_DEFAULT_S);
        else if (strcmp(s, "expect-match") == 0)
            rc = cmd_expect_match(r, arg, true);
        else if (strcmp(s, "expect-not-match") == 0)
            rc = cmd_expect_match(r, arg, false);
        else if (strcmp(s, "expect-nth") == 0)
            rc = cmd_expect_nth(r, arg);
        else if (strcmp(s, "expect-checked") == 0)
            rc = cmd_expect_checked(r, arg, true);
        else if (strcmp(s, "expect-unchecked") == 0)
            rc = cmd_expect_checked(r, arg, false);
        else if (strcmp(s, "expect-side") == 0)
            rc = cmd_expect_side(r, arg);
        else if (strcmp(s, "tab-to") == 0)
            rc = cmd_tab_to(r, arg);
        else if (strcmp(s, "expect-layout-ok") == 0)
            rc = cmd_expect_layout_ok(r);
        else if (strcmp(s, "expect-layout-sweep") == 0)
            rc = cmd_expect_layout_sweep(r, arg);
        else if (strcmp(s, "expect-layout-sweep-languages") == 0)
            rc = cmd_expect_layout_sweep_languages(r, arg);
        else if (strcmp(s, "expect-tab-reaches-all") == 0)
            rc = cmd_expect_tab_reaches_all(r, false);
        else if (strcmp(s, "expect-speech-ok") == 0)
            rc = cmd_expect_tab_reaches_all(r, true);
        else if (strcmp(s, "keypad") == 0)
            rc = cmd_keypad(r, arg);
        else if (strcmp(s, "press") == 0)
            rc = press_key(r, arg);
        else if (strcmp(s, "keypad-to") == 0)
            rc = cmd_keypad_to(r, arg);
        else if (strcmp(s, "expect-read") == 0)
            rc = cmd_expect_read(r, arg);
        else if (strcmp(s, "expect-transcript-has") == 0)
            rc = cmd_expect_transcript(r, arg, true);
        else if (strcmp(s, "expect-transcript-lacks") == 0)
            rc = cmd_expect_transcript(r, arg, false);
        else if (strcmp(s, "expect-transcript-lacks-personal") == 0)
            rc = cmd_expect_transcript_lacks_personal(r);
        else if (strcmp(s, "expect-transcript-audio") == 0)
            rc = cmd_expect_transcript_audio(r);
        else if (strcmp(s, "transcript-clear") == 0)
            transcript_clear(r);
        else if (strcmp(s, "transcript-dump") == 0)
            transcript_dump(r);
        else if (strcmp(s, "pick-date") == 0)
            rc = cmd_pick_date(r, arg);
        else if (strcmp(s, "type-keys") == 0)
            rc = cmd_type_keys(r, arg);
        else if (strcmp(s, "dump") == 0)
            cmd_dump(r);
        else if (strcmp(s, "mark") == 0) {
            printf("bench mark %s\n", arg);
            fflush(stdout);
        } else if (strcmp(s, "redraw") == 0)
            cmd_redraw(r, atoi(arg));
        else if (strcmp(s, "report") == 0)
            cmd_report(r);
        else if (strcmp(s, "rss") == 0)
            cmd_rss();
        else
            rc = fail(r, "unknown command", s);
        sodium_memzero(line, sizeof(line));
        sodium_memzero(expanded, sizeof(expanded));
        if (rc != 0)
            return 1;
    }
    printf("script %s: %d lines, all passed\n", r->name, r->line);
    return 0;
}

void
kiosk_tree_publish(struct kiosk *k, int fd)
{
    uint64_t drawn, skipped;
    ui_frame_counts(k->ui, &drawn, &skipped);
    if (drawn == k->tree_frame) /* an unchanged frame is not drawn: the tree is the same */
        return;
    k->tree_frame = drawn;
    size_t n;
    const struct ui_node *nodes = ui_nodes(k->ui, &n);
    char line[UI_LABEL_MAX * 2 + 96];
    int w, h;
    ui_display(k->ui, &w, &h);
    int len = snprintf(line, sizeof(line), "frame\t%d\t%d\n", w, h);
    bool ok = write(fd, line, (size_t)len) == len;
    for (size_t i = 0; ok && i < n; i++) {
        const struct ui_node *d = &nodes[i];
        len = snprintf(line, sizeof(line), "node\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n",
                       ui_role_code(d->role), d->label, d->value, d->r.x, d->r.y, d->r.w, d->r.h);
        ok = write(fd, line, (size_t)len) == len;
    }
    if (!ok || write(fd, "end\n", 4) != 4) {
        LOG_WARN("the tree reader has gone; no more trees");
        k->tree_fd = -1;
    }
}
