/* Speech mode: the keypad's keys, the reading cursor, and what is said when (speech_mode.h). */
#include "speech_mode.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "macros.h"
#include "kiosk.h"
#include "screens.h"
#include "usage_names.h"
#include "utf8.h"

#define LOG_MODULE "speech"
#include "log.h"

const struct speech_mode_action speech_mode_actions[] = {
    { "up", "keypad.up", UI_KEY_UP },
    { "down", "keypad.down", UI_KEY_DOWN },
    { "left", "keypad.left", UI_KEY_LEFT },
    { "right", "keypad.right", UI_KEY_RIGHT },
    { "enter", "keypad.enter", UI_KEY_ENTER },
    { "back", "keypad.back", UI_KEY_ESCAPE },
    { "erase", "keypad.erase", UI_KEY_BACKSPACE },
    { "help", "keypad.help", UI_KEY_HELP },
    { "repeat", "keypad.repeat", UI_KEY_REPEAT },
    { "stop", "keypad.stop", UI_KEY_STOP },
    { "volume-up", "keypad.volume_up", UI_KEY_VOLUME_UP },
    { "volume-down", "keypad.volume_down", UI_KEY_VOLUME_DOWN },
    { "rate-up", "keypad.rate_up", UI_KEY_RATE_UP },
    { "rate-down", "keypad.rate_down", UI_KEY_RATE_DOWN },
};
const size_t speech_mode_actions_n = ARRAY_LEN(speech_mode_actions);

/* The letter wheel: a text field's characters for a keypad without letters, digits first
 * (personnummer and phone numbers are the fields most typed). */
static const char *const wheel_chars[] = {
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f", "g",
    "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x",
    "y", "z", "å", "ä", "ö", "é", "ü", " ", ",", ".", "?", "!", "-", "+", "@",
};
#define WHEEL_N ((int)ARRAY_LEN(wheel_chars))

#define RATE_STEP   20
#define VOLUME_STEP 20

static void
reset_visit(struct kiosk *k)
{
    struct speech_mode *sm = &k->sm;
    sm->on = false;
    sm->rate_wpm = (int)config_get_int(k->cfg, "speech.rate_wpm");
    sm->volume = (int)config_get_int(k->cfg, "speech.volume");
    sm->announced = false;
    sm->screen_said = -1;
    sm->lang_said = NULL;
    sm->n_watched = 0;
    sm->wheel = -1;
    sm->reread = false;
    sm->dialog = 0;
    sm->help_keys = false;
    sm->keypad_counted = false;
    if (sm->pending != NULL)
        sodium_memzero(sm->pending, SPEECH_MODE_SAY_MAX);
    if (sm->last != NULL)
        sodium_memzero(sm->last, SPEECH_MODE_SAY_MAX);
}

/* msgid as the catalogue of language code has it (the current language is put back). */
static void
in_language(const char *code, const char *msgid, char *out, size_t size)
{
    const char *was = i18n_current()->code;
    i18n_set_language(code);
    snprintf(out, size, "%s", _(msgid));
    i18n_set_language(was);
}

void
speech_mode_init(struct kiosk *k)
{
    struct speech_mode *sm = &k->sm;
    const char *out = config_get_string(k->cfg, "speech.output");
    sm->output = out != NULL && strcmp(out, "headset") == 0   ? SPEECH_OUT_HEADSET
                 : out != NULL && strcmp(out, "speaker") == 0 ? SPEECH_OUT_SPEAKER
                                                              : SPEECH_OUT_AUTO;
    sm->time_factor = (int)config_get_int(k->cfg, "speech.time_factor");
    /* what is said may be personal (through a headset): guarded memory, wiped at logout */
    sm->pending = sodium_malloc(SPEECH_MODE_SAY_MAX);
    sm->last = sodium_malloc(SPEECH_MODE_SAY_MAX);
    xassert(sm->pending != NULL && sm->last != NULL);
    reset_visit(k);
}

void
speech_mode_finish(struct kiosk *k)
{
    struct speech_mode *sm = &k->sm;
    if (sm->pending != NULL)
        sodium_free(sm->pending);
    if (sm->last != NULL)
        sodium_free(sm->last);
    sm->pending = sm->last = NULL;
}

bool
speech_mode_private(const struct kiosk *k)
{
    return k->sm.output == SPEECH_OUT_HEADSET || (k->sm.output == SPEECH_OUT_AUTO && k->sm.headset);
}

int
speech_mode_time_factor(const struct kiosk *k)
{
    return k->sm.on && k->sm.time_factor > 1 ? k->sm.time_factor : 1;
}

/* The synthesiser starts when first needed, not before the first frame. */
static struct speech *
synthesiser(struct kiosk *k)
{
    struct errbuf err = { "" };
    if (k->speech == NULL && !k->speech_failed && config_get_bool(k->cfg, "speech.enabled") &&
        (k->speech = speech_open(k->plat_headset ? k->headset_name : NULL, &err)) == NULL) {
        k->speech_failed = true;
        LOG_WARN("no speech: %s", err.msg);
    }
    return k->speech;
}

/* Adds a sentence to what this step says. */
static void
add(struct kiosk *k, const char *text)
{
    char *p = k->sm.pending;
    size_t have = strlen(p);
    if (text == NULL || text[0] == '\0' || have + 2 >= SPEECH_MODE_SAY_MAX)
        return;
    snprintf(p + have, SPEECH_MODE_SAY_MAX - have, "%s%s", have > 0 ? " " : "", text);
}

/* The languages' names in the current language: the chooser shows each in its own script
 * (العربية, ትግርኛ), which another language's voice would spell out letter by letter; speech says
 * the name the voice can say ("Arabiska"). By i18n/languages.tsv's codes. */
static const struct {
    const char *code, *name;
} language_names[] = {
    { "sv", NC_("language", "Swedish") },  { "en", NC_("language", "English") },
    { "fi", NC_("language", "Finnish") },  { "ar", NC_("language", "Arabic") },
    { "fa", NC_("language", "Persian") },  { "so", NC_("language", "Somali") },
    { "ti", NC_("language", "Tigrinya") }, { "uk", NC_("language", "Ukrainian") },
};

/* A language chooser's button (its label is a language's own name): the name in the current
 * language, or NULL for any other node. */
static const char *
language_name(const struct ui_node *n)
{
    if (n->role != UI_ROLE_BUTTON)
        return NULL;
    for (size_t i = 0; i < i18n_table_len; i++) {
        if (strcmp(n->label, i18n_table[i].native) != 0)
            continue;
        for (size_t j = 0; j < ARRAY_LEN(language_names); j++) {
            if (strcmp(language_names[j].code, i18n_table[i].code) == 0)
                return C_("language", language_names[j].name);
        }
    }
    return NULL;
}

/* A node as speech says it, into what this step says: personal data only through a headset. */
static void
add_node(struct kiosk *k, const struct ui_node *n)
{
    char said[UI_LABEL_MAX * 3];
    const char *lang = language_name(n);
    struct ui_node renamed;
    if (lang != NULL) {
        renamed = *n;
        snprintf(renamed.label, sizeof(renamed.label), "%s", lang);
        n = &renamed;
    }
    size_t len = ui_spoken(n, speech_mode_private(k), said, sizeof(said));
    if (len > 0) {
        /* a sentence each: espeak-ng pauses between them */
        if (len + 1 < sizeof(said) && strchr(".!?:", said[len - 1]) == NULL)
            memcpy(said + len, ".", 2);
        add(k, said);
    }
    sodium_memzero(said, sizeof(said));
}

/* The voice for the current language (i18n/languages.tsv), or NULL. */
static const char *
voice(void)
{
    return i18n_current()->voice;
}

/* A language without a voice: what there is to say is not said with another language's
 * pronunciation; instead, in Swedish and in English, that speech is offered in those. */
static void
say_voiceless(struct kiosk *k)
{
    static const char *const codes[] = { "sv", "en" };
    struct speech *s = synthesiser(k);
    for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
        char text[256];
        in_language(codes[i],
                    N_("Speech is not available in this language. Choose Swedish or English: the "
                       "screen changes to that language too."),
                    text, sizeof(text));
        size_t samples = 0;
        const char *said;
        bool ok = i == 0 ? speech_say(s, codes[i], text) : speech_say_more(s, codes[i], text);
        if (ok)
            samples = speech_last(s, &said);
        if (k->sm.said != NULL)
            k->sm.said(k->sm.said_ctx, text, samples);
    }
}

static void
say(struct kiosk *k, const char *text)
{
    struct speech *s = synthesiser(k);
    size_t samples = 0;
    const char *v = voice();
    if (v == NULL) {
        if (k->sm.on)
            say_voiceless(k);
        return;
    }
    if (s != NULL) {
        speech_set_rate(s, k->sm.rate_wpm);
        speech_set_volume(s, k->sm.volume);
        const char *said;
        if (speech_say(s, v, text))
            samples = speech_last(s, &said);
    }
    if (k->sm.said != NULL)
        k->sm.said(k->sm.said_ctx, text, samples);
    if (text != k->sm.last)
        snprintf(k->sm.last, SPEECH_MODE_SAY_MAX, "%s", text);
}

static void
flush(struct kiosk *k)
{
    if (k->sm.pending[0] == '\0')
        return;
    say(k, k->sm.pending);
    sodium_memzero(k->sm.pending, SPEECH_MODE_SAY_MAX);
}

void
speech_mode_say_now(struct kiosk *k, const char *text, bool personal)
{
    if (personal && !speech_mode_private(k))
        return;
    sodium_memzero(k->sm.pending, SPEECH_MODE_SAY_MAX);
    say(k, text);
}

void
speech_mode_start(struct kiosk *k)
{
    struct speech_mode *sm = &k->sm;
    if (sm->on)
        return;
    sm->on = true;
    sm->screen_said = -1; /* the screen's title follows the announcement */
    in_language("sv", N_("Speech in Swedish"), sm->in_sv, sizeof(sm->in_sv));
    in_language("en", N_("Speech in English"), sm->in_en, sizeof(sm->in_en));
    kiosk_count(k, USAGE_SPEECH_MODE);
    add(k, _("Speech on. Up and Down move through the screen, Enter chooses, Back goes back, "
             "Help tells you about this screen."));
    if (voice() == NULL)
        LOG_INFO("speech mode in a language without a voice");
}

void
speech_mode_headset(struct kiosk *k, bool plugged)
{
    k->sm.headset = plugged;
    if (plugged)
        speech_mode_start(k); /* said with the screen's title, after the frame */
}

void
speech_mode_end(struct kiosk *k)
{
    speech_forget(k->speech);
    reset_visit(k);
}

/* A typed character said back: through the loudspeaker never a digit (personnummer, phone
 * numbers) nor anything typed into a personal field, only that something was typed. */
static void
echo(struct kiosk *k, const char *ch)
{
    const struct ui_node *f = ui_focused(k->ui);
    bool digit = ch[0] >= '0' && ch[0] <= '9';
    if (!speech_mode_private(k) && (digit || (f != NULL && f->personal)))
        add(k, digit ? _("digit") : _("character"));
    else if (strcmp(ch, " ") == 0)
        add(k, _("Space"));
    else
        add(k, ch);
}

static bool dialog_open(struct kiosk *k);

/* The reading cursor reached a node: say it (and how to type, on a text field). */
static void
reached(struct kiosk *k, const struct ui_node *n)
{
    k->sm.wheel = -1;
    if (n == NULL)
        return;
    add_node(k, n);
    if (n->role == UI_ROLE_TEXTFIELD)
        add(k, _("Type, or choose a character with Left and Right and type it with Enter."));
}

bool
speech_mode_input(struct kiosk *k, struct ui_input *in)
{
    struct speech_mode *sm = &k->sm;
    bool typing = ui_typing(k->ui);
    if (in->kind == UI_IN_TEXT && in->key_too && !typing) {
        in->kind = UI_IN_KEY;
        in->key_too = false;
        memset(in->text, 0, sizeof(in->text));
    }
    if (in->kind != UI_IN_KEY && in->kind != UI_IN_TEXT && in->kind != UI_IN_DOWN)
        return false;
    if (sm->on)
        speech_stop(k->speech); /* the next key interrupts */
    if (in->kind == UI_IN_KEY && !sm->keypad_counted) {
        sm->keypad_counted = true;
        kiosk_count(k, USAGE_KEYPAD_USE);
    }
    if (in->kind == UI_IN_TEXT) {
        if (sm->on && typing)
            echo(k, in->text);
        return false;
    }
    if (in->kind != UI_IN_KEY)
        return false;
    switch (in->key) {
    case UI_KEY_HELP: {
        speech_mode_start(k);
        /* Help is Hjälp: its dialog opens (what this screen is for, how to reach a person, Ring
         * upp mig) and is read as it appears, the keys after it; over an open dialog, the
         * screen's help is said. */
        if (!k->m->help_open && !k->m->idle_warning && !dialog_open(k)) {
            k->m->help_open = true;
            sm->help_keys = true;
            ui_invalidate(k->ui);
            return true;
        }
        const char *help = screen_impl(k->m->screen)->help;
        if (help != NULL)
            add(k, _(help));
        add(k, _("Up and Down move through the screen, Enter chooses, Back goes back."));
        return true;
    }
    case UI_KEY_REPEAT:
        if (sm->on && sm->last[0] != '\0')
            add(k, sm->last);
        return true;
    case UI_KEY_STOP:
        speech_stop(k->speech);
        return true;
    case UI_KEY_VOLUME_UP:
    case UI_KEY_VOLUME_DOWN:
        sm->volume += in->key == UI_KEY_VOLUME_UP ? VOLUME_STEP : -VOLUME_STEP;
        sm->volume = sm->volume < SPEECH_VOLUME_MIN   ? SPEECH_VOLUME_MIN
                     : sm->volume > SPEECH_VOLUME_MAX ? SPEECH_VOLUME_MAX
                                                      : sm->volume;
        if (sm->on)
            add(k, in->key == UI_KEY_VOLUME_UP ? _("Louder") : _("Softer"));
        return true;
    case UI_KEY_RATE_UP:
    case UI_KEY_RATE_DOWN:
        sm->rate_wpm += in->key == UI_KEY_RATE_UP ? RATE_STEP : -RATE_STEP;
        sm->rate_wpm = sm->rate_wpm < SPEECH_RATE_MIN   ? SPEECH_RATE_MIN
                       : sm->rate_wpm > SPEECH_RATE_MAX ? SPEECH_RATE_MAX
                                                        : sm->rate_wpm;
        if (sm->on)
            add(k, in->key == UI_KEY_RATE_UP ? _("Faster") : _("Slower"));
        return true;
    case UI_KEY_ENTER:
        /* Someone who cannot see the start screen presses Enter with nothing chosen: speech. */
        if (!sm->on && k->m->screen == SCREEN_START && ui_focused(k->ui) == NULL) {
            speech_mode_start(k);
            return true;
        }
        /* what Enter changed (a choice chosen, a toggle on) is said on the next frame */
        sm->reread = sm->on && !typing;
        if (sm->reread) {
            const struct ui_node *at = ui_read_current(k->ui);
            sm->reread_role = at != NULL ? at->role : UI_ROLE_TEXT;
            sm->reread_at = at != NULL ? at->r : (struct ui_rect){ -1, -1, 0, 0 };
        }
        if (sm->on && typing && sm->wheel >= 0) { /* the letter wheel's character, typed */
            int64_t t = in->t_ms;
            memset(in, 0, sizeof(*in));
            in->t_ms = t;
            in->kind = UI_IN_TEXT;
            snprintf(in->text, sizeof(in->text), "%s", wheel_chars[sm->wheel]);
            echo(k, in->text);
        }
        return false;
    case UI_KEY_TAB:
    case UI_KEY_BACKTAB: /* a PC keyboard's way through the controls: said as well */
        if (!sm->on)
            return false;
        ui_feed(k->ui, in);
        reached(k, ui_focused(k->ui));
        return true;
    case UI_KEY_UP:
    case UI_KEY_DOWN:
        if (!sm->on)
            return false;
        reached(k, ui_read_move(k->ui, in->key == UI_KEY_DOWN ? 1 : -1));
        return true;
    case UI_KEY_LEFT:
    case UI_KEY_RIGHT:
        if (!sm->on)
            return false;
        if (typing) { /* the letter wheel turns */
            int step = in->key == UI_KEY_RIGHT ? 1 : -1;
            sm->wheel = sm->wheel < 0 ? (step > 0 ? 0 : WHEEL_N - 1)
                                      : (sm->wheel + step + WHEEL_N) % WHEEL_N;
            echo(k, wheel_chars[sm->wheel]);
        } else {
            reached(k, ui_read_move(k->ui, in->key == UI_KEY_RIGHT ? 1 : -1));
        }
        return true;
    case UI_KEY_BACKSPACE:
        if (sm->on && typing)
            add(k, _("Deleted"));
        return false;
    default:
        return false;
    }
}

static uint32_t
hash_text(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Nodes whose change matters to someone waiting: banners (identification's messages), statuses
 * (an error beside its question, a page), a receipt's "Status"; and, said when they change but
 * not on arrival (the title stands for them then), headings below the screen's title (a
 * receipt's headline, which follows delivery; a form's next question) and a form's current step. */
static bool
watched(const struct ui_node *n)
{
    return n->role == UI_ROLE_BANNER || n->role == UI_ROLE_STATUS ||
           (n->role == UI_ROLE_TEXT && strcmp(n->label, _("Status")) == 0);
}

static bool
dialog_open(struct kiosk *k)
{
    size_t n;
    const struct ui_node *all = ui_nodes(k->ui, &n);
    for (size_t i = 0; i < n; i++)
        if (all[i].role == UI_ROLE_DIALOG)
            return true;
    return false;
}

/* A dialog has appeared: its title and what it says (its headings and texts, not its controls,
 * which the reading cursor reaches), then the control it gave the focus, which Enter operates.
 * The idle dialog is said by the kiosk itself. */
static void
say_dialog(struct kiosk *k, const struct ui_node *all, size_t count, size_t d)
{
    add_node(k, &all[d]);
    for (size_t i = d + 1; i < count; i++) {
        bool title =
            i == d + 1 && all[i].role == UI_ROLE_HEADING && strcmp(all[i].label, all[d].label) == 0;
        if (!title && !all[i].focusable &&
            (all[i].role == UI_ROLE_HEADING || all[i].role == UI_ROLE_TEXT))
            add_node(k, &all[i]);
    }
    /* (a screen's arrival takes the focus away; the dialog gives it to its first control again) */
    const struct ui_node *f = ui_focused(k->ui);
    for (size_t i = d + 1; i < count && (f == NULL || f < &all[d]); i++)
        f = all[i].focusable ? &all[i] : NULL;
    if (f != NULL && f > &all[d] && f < all + count)
        add_node(k, f);
}

static bool
watched_change(const struct ui_node *n)
{
    return n->role == UI_ROLE_HEADING ||
           (n->role == UI_ROLE_STEP && (n->state & UI_STATE_CHECKED) != 0);
}

void
speech_mode_frame(struct kiosk *k)
{
    struct speech_mode *sm = &k->sm;
    if (!sm->on) {
        flush(k);
        return;
    }
    size_t count_nodes;
    const struct ui_node *all = ui_nodes(k->ui, &count_nodes);
    bool moved = sm->screen_said != (int)k->m->screen;
    bool arrived = moved || sm->lang_said != i18n_current();
    if (moved) { /* a new screen reads from its content; a new language stays where it was */
        ui_read_reset(k->ui);
        sm->wheel = -1;
    }
    size_t dialog = count_nodes; /* the open dialog's node; what follows it is its content */
    for (size_t i = 0; i < count_nodes && dialog == count_nodes; i++)
        if (all[i].role == UI_ROLE_DIALOG)
            dialog = i;
    uint32_t dialog_h = dialog < count_nodes ? hash_text(all[dialog].label) | 1u : 0;
    bool dialog_new = dialog_h != sm->dialog && dialog_h != 0 && !k->m->idle_warning;
    if (sm->reread && !arrived && !dialog_new) {
        const struct ui_node *n = ui_read_current(k->ui);
        if (n == NULL) /* Enter replaced it (relabelled in place): the cursor stays on its place */
            n = ui_read_at(k->ui, sm->reread_role, sm->reread_at);
        if (n != NULL)
            add_node(k, n);
    }
    sm->reread = false;
    const struct ui_node *title = NULL;
    for (size_t i = 0; i < count_nodes && title == NULL; i++)
        if (all[i].role == UI_ROLE_HEADING)
            title = &all[i];
    if (arrived) {
        sm->screen_said = (int)k->m->screen;
        sm->lang_said = i18n_current();
        if (title != NULL)
            add_node(k, title);
    }
    if (dialog_new) {
        say_dialog(k, all, count_nodes, dialog);
        if (sm->help_keys)
            add(k, _("Up and Down move through the screen, Enter chooses, Back goes back."));
    }
    if (sm->dialog != 0 && dialog_h == 0 && !arrived) {
        /* the dialog closed (Back, Stäng): the cursor is where it was, and that is said */
        const struct ui_node *n = ui_read_current(k->ui);
        if (n != NULL)
            n = ui_read_at(k->ui, n->role, n->r);
        if (n != NULL)
            add_node(k, n);
    }
    sm->dialog = dialog_h;
    sm->help_keys = false;
    uint32_t now[ARRAY_LEN(sm->watched)];
    size_t n_now = 0;
    for (size_t i = 0; i < count_nodes && n_now < ARRAY_LEN(now); i++) {
        bool change_only = watched_change(&all[i]) && i < dialog;
        if ((!watched(&all[i]) && !change_only) || &all[i] == title)
            continue;
        char said[UI_LABEL_MAX * 3];
        ui_spoken(&all[i], true, said, sizeof(said));
        uint32_t h = hash_text(said);
        sodium_memzero(said, sizeof(said));
        bool seen = false;
        for (size_t j = 0; j < sm->n_watched && !arrived; j++)
            seen |= sm->watched[j] == h;
        if (!seen && !(arrived && change_only))
            add_node(k, &all[i]);
        now[n_now++] = h;
    }
    memcpy(sm->watched, now, n_now * sizeof(now[0]));
    sm->n_watched = n_now;
    flush(k);
}
