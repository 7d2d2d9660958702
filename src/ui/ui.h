/* The kiosk's UI toolkit (DESIGN.md §8), in the spirit of microui: each frame the screen declares
 * its widgets; every widget leaves a semantic node (role, label, value, state, bounds) and draw
 * commands. The node tree from the frame on screen is what input is tested against, what
 * Tab/arrows/Enter walk, and what the headless driver and the tests read. Nothing here includes
 * SDL: the renderer and the event source are behind ui_sdl.h, for the platform layer only.
 *
 * Layout is in millimetres from the configured display; widgets take bands from a cursor that
 * runs down the content area; right to left mirrors every band (and the text within it) when the
 * current language is written that way. */
#ifndef MINASIDOR_UI_H
#define MINASIDOR_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A node's label holds a whole paragraph as speech reads it (a screen's help in Hjälp's dialog,
 * in Ukrainian or Tigrinya twice as many bytes as letters), not its first line. */
#define UI_LABEL_MAX 512
#define UI_MAX_NODES 512

struct ui;

struct ui_rect {
    int x, y, w, h;
};

enum ui_role {
    UI_ROLE_SCREEN,
    UI_ROLE_HEADING,
    UI_ROLE_TEXT,
    UI_ROLE_BUTTON,
    UI_ROLE_TILE,
    UI_ROLE_KEY, /* on-screen keyboard */
    UI_ROLE_TEXTFIELD,
    UI_ROLE_LISTITEM,
    UI_ROLE_DIALOG,
    UI_ROLE_QR,
    UI_ROLE_BANNER,
    UI_ROLE_STEP,
    UI_ROLE_TIMELINE,
    UI_ROLE_STATUS,
    UI_ROLE_COUNT,
};

const char *ui_role_code(enum ui_role r); /* "button" */

enum ui_state {
    UI_STATE_FOCUSED = 1u << 0,
    UI_STATE_PRESSED = 1u << 1,
    UI_STATE_DISABLED = 1u << 2,
    UI_STATE_CHECKED = 1u << 3, /* selected option, current step */
    UI_STATE_INVALID = 1u << 4, /* a field whose value failed validation */
};

struct ui_node {
    uint32_t id;
    enum ui_role role;
    char label[UI_LABEL_MAX];
    char value[UI_LABEL_MAX];
    unsigned state;
    struct ui_rect r;
    bool focusable;
    bool keeps_focus;  /* tapping it does not move the focus (keyboard keys) */
    bool pointer_only; /* not in the keyboard's focus order (the technician's corner) */
    bool personal;     /* shows personal data (name, personnummer, amount, case contents): spoken
                        * only through a headset (speech.output), never the loudspeaker */
    bool caption;      /* the label is the widget's caption ("Belopp", a tile's title, a field's
                        * question), not the data: said even when the node is personal */
    bool toggle;       /* a button that is on or off (Kontrast): checked is said "på" / "av" */
    bool scrolled_out; /* in a scroll view but not wholly in view: a finger cannot hit it (keys
                        * that focus it scroll it into view); the checks skip it */
    short set_pos, set_size; /* one of a set (a wizard's steps): "steg 2 av 4"; 0 when not */
    char note[UI_LABEL_MAX]; /* said last: a text field's error, else its hint */
};

/* Input, from the platform (finger, mouse, keyboard) or the headless driver. */
enum ui_input_kind {
    UI_IN_DOWN,
    UI_IN_MOVE,
    UI_IN_UP,
    UI_IN_KEY,
    UI_IN_TEXT,
    UI_IN_EXPOSE, /* the window's contents were lost: draw the frame again */
};

enum ui_key {
    UI_KEY_TAB,
    UI_KEY_BACKTAB,
    UI_KEY_ENTER,
    UI_KEY_ESCAPE,
    UI_KEY_UP,
    UI_KEY_DOWN,
    UI_KEY_LEFT,
    UI_KEY_RIGHT,
    UI_KEY_BACKSPACE,
    UI_KEY_PAGEUP,
    UI_KEY_PAGEDOWN,
    /* The keypad's speech keys (EZ Access): the toolkit ignores them; the app's speech mode
     * (app/speech_mode.c) takes them before the toolkit sees input. */
    UI_KEY_HELP,
    UI_KEY_REPEAT,
    UI_KEY_STOP,
    UI_KEY_VOLUME_UP,
    UI_KEY_VOLUME_DOWN,
    UI_KEY_RATE_UP,
    UI_KEY_RATE_DOWN,
    UI_KEY_COUNT,
};

struct ui_input {
    enum ui_input_kind kind;
    int x, y;
    enum ui_key key;
    char text[16]; /* UI_IN_TEXT: UTF-8 */
    /* UI_IN_TEXT: the character is also a key (key) when no text field has the focus: "?" is
     * Help, "+" louder, on any keyboard layout (the keypad table, settings keypad.*). */
    bool key_too;
    int64_t t_ms;
};

struct ui_color {
    unsigned char r, g, b, a;
};

/* The parts widgets are drawn from, each styled by state (STYLE.md, after LVGL): one table per
 * theme, part × state, so that every combination is data a test can check. */
enum ui_part {
    UI_PART_BUTTON,  /* a button on the page; an option (checked: the chosen one) */
    UI_PART_PRIMARY, /* the main action (checked: a touch-test target that was hit) */
    UI_PART_HEADER,  /* a control in the header band: back, log out, language, contrast, size */
    UI_PART_TILE,    /* Översikt's tiles and the rows of a list */
    UI_PART_KEY,     /* a key of the on-screen keyboard */
    UI_PART_FIELD,   /* a text field */
    UI_PART_STEP,    /* a wizard's step (checked: the current one) */
    UI_PART_COUNT,
};

enum ui_look {
    UI_LOOK_NORMAL,
    UI_LOOK_PRESSED,  /* a finger is on it */
    UI_LOOK_FOCUSED,  /* the keyboard focus: the normal look plus the ring */
    UI_LOOK_CHECKED,  /* the chosen option, the current language, a toggle that is on */
    UI_LOOK_DISABLED, /* cannot be used now */
    UI_LOOK_COUNT,
};

struct ui_style {
    struct ui_color bg;     /* the fill */
    struct ui_color fg;     /* the label */
    struct ui_color border; /* the frame */
    struct ui_color ring;   /* UI_LOOK_FOCUSED: the focus ring, drawn just outside the frame */
    int border_tenths_mm;   /* the frame's width; a checked option's is wider */
};

/* A theme is data (STYLE.md, after LVGL): the palette the screens draw with, and the style of
 * every widget part in every state. */
struct ui_theme {
    const char *code; /* "standard", "high-contrast" */
    struct ui_color bg, fg, muted, header_bg, header_fg;
    struct ui_color button_bg, button_fg, button_pressed, primary_bg, primary_fg;
    struct ui_color tile_bg, tile_fg, border, focus;
    struct ui_color field_bg, field_fg, invalid;
    struct ui_color banner_info_bg, banner_info_fg, banner_warn_bg, banner_warn_fg;
    struct ui_color ok, overdue, dialog_bg, scrim;
    struct ui_color staff_bg, staff_fg; /* the frame and band of staff and technician modes */
    struct ui_style style[UI_PART_COUNT][UI_LOOK_COUNT];
    struct ui_color surround[UI_PART_COUNT]; /* what each part sits on (its contrast partner) */
};

const struct ui_theme *ui_theme_standard(void);
const struct ui_theme *ui_theme_high_contrast(void);
/* WCAG 2 contrast ratio of two colours (1 to 21). */
double ui_contrast_ratio(struct ui_color a, struct ui_color b);
/* The style of a part in the state a widget's node has (UI_STATE_* bits): pressed wins over
 * checked, disabled over both; the focus ring comes from UI_LOOK_FOCUSED. */
const struct ui_style *ui_style_for(const struct ui_theme *t, enum ui_part part, unsigned state);

/* The embedded font faces (assets/); text.c picks one per run of text by its script. */
enum ui_face {
    UI_FACE_SANS,
    UI_FACE_SANS_BOLD,
    UI_FACE_ARABIC,
    UI_FACE_ARABIC_BOLD,
    UI_FACE_ETHIOPIC,
    UI_FACE_ETHIOPIC_BOLD,
    UI_FACE_ICONS, /* the status icons (ui_icon): a subset of Noto Sans Symbols 2 */
    UI_FACE_COUNT
};

struct ui_config {
    int width_px, height_px; /* the display */
    double diagonal_in;      /* its size, for millimetres */
    int bottom_edge_mm; /* the height of its bottom edge above the floor (display.bottom_edge_mm);
                         * 0 or less: not known, the reach band not applied */
    int drag_mm;        /* movement that turns a press into a drag (no click) */
    int long_press_ms;
    int double_tap_ms;                /* a second tap on the same control within this is ignored */
    const void *fonts[UI_FACE_COUNT]; /* by enum ui_face */
    size_t font_lens[UI_FACE_COUNT];
};

/* The toolkit needs a renderer: see ui_sdl.h. */
void ui_destroy(struct ui *ui);

/* Presentation the citizen chooses on every screen. */
void ui_set_theme(struct ui *ui, bool high_contrast);
void ui_set_large_text(struct ui *ui, bool large);
void ui_set_rtl(struct ui *ui, bool rtl);
bool ui_high_contrast(const struct ui *ui);
bool ui_large_text(const struct ui *ui);
const struct ui_theme *ui_theme(const struct ui *ui);
/* Changes the display size (orientation); the next frame lays out afresh. */
void ui_set_display(struct ui *ui, int width_px, int height_px);
void ui_display(const struct ui *ui, int *width_px, int *height_px);
double ui_px_per_mm(const struct ui *ui);

/* --- Reach -------------------------------------------------------------------------------- */

/* Unobstructed forward reach, standing or seated (EN 301 549 8.3.3.1): everything a citizen
 * operates lies between these heights above the floor. */
#define UI_REACH_LOW_MM  380
#define UI_REACH_HIGH_MM 1220
/* Touch targets: at least this wide and high, this far apart (STYLE.md). */
#define UI_MIN_TARGET_MM 15.0
#define UI_MIN_GAP_MM    3.0

/* A display as mounted: its size, where its edges are above the floor and how much of it lies in
 * the reach band. One computation for the kiosk's layout and the doctor's display check. */
struct ui_reach {
    double width_mm, height_mm; /* the panel, from its diagonal and pixels */
    double bottom_mm, top_mm;   /* its bottom and top edge above the floor */
    double low_mm, high_mm;     /* the part of it within reach (low == high: none) */
    double within_mm;           /* high - low */
};
void ui_reach_of(double diagonal_in, int width_px, int height_px, int bottom_edge_mm,
                 struct ui_reach *out);
/* The mount (display.bottom_edge_mm); changes take effect on the next frame. */
void ui_set_mount(struct ui *ui, int bottom_edge_mm);
int ui_mount(const struct ui *ui);
/* The rows of the display (pixels from the top) within reach: top <= y < bottom; the whole
 * display when the mount is not known. */
void ui_reach_rows(const struct ui *ui, int *top, int *bottom);
/* The height above the floor (mm) of a row of the display (pixels from the top). */
double ui_floor_mm(const struct ui *ui, int y);

/* Input in; true when it may change what is shown. */
bool ui_feed(struct ui *ui, const struct ui_input *in);
/* Marks the frame stale (the model changed). */
void ui_invalidate(struct ui *ui);
bool ui_stale(const struct ui *ui);

/* One frame: begin, declare the widgets, end. */
void ui_begin(struct ui *ui, int64_t now_ms);
void ui_end(struct ui *ui);
/* Draws the frame if it differs from the one on screen; true when something was drawn. */
bool ui_render(struct ui *ui);
/* Frames drawn and skipped as unchanged since creation (for the benchmark). */
void ui_frame_counts(const struct ui *ui, uint64_t *drawn, uint64_t *skipped);

/* Drops every cached text texture and wipes the strings they were made from (a session ended). */
void ui_forget_text(struct ui *ui);

/* The semantic tree of the last frame. */
const struct ui_node *ui_nodes(const struct ui *ui, size_t *n);
/* The first node with this label (exact, then prefix), optionally of a role (-1: any). */
const struct ui_node *ui_find(const struct ui *ui, const char *label, int role);
/* The same for a node a finger could tap now: focusable, enabled, not behind an open dialog. */
const struct ui_node *ui_find_tappable(const struct ui *ui, const char *label);
/* Keys can reach the node now: focusable, not pointer-only, enabled, not behind an open dialog
 * (n is a node of ui_nodes). */
bool ui_reachable(const struct ui *ui, const struct ui_node *n);
/* The focused node, or NULL. */
const struct ui_node *ui_focused(const struct ui *ui);
/* True when the focus is on a text field: typed characters go into it. */
bool ui_typing(const struct ui *ui);

/* The reading cursor (speech mode): Up and Down move through every item a person can read or
 * operate (headings, texts, statuses, buttons, fields...), not only the controls, in reading
 * order (the order of the semantic tree, which is the logical order in right-to-left languages
 * too); only a dialog's items while one is open; not the on-screen keyboard's keys (text is
 * typed or chosen with the letter wheel) nor pointer-only zones. Landing on a control focuses
 * it, so Enter operates it; landing on text takes the focus away. Returns the node reached
 * (borrowed until the next frame), NULL when the screen has nothing to read. */
const struct ui_node *ui_read_move(struct ui *ui, int dir);
/* The node under the reading cursor (or, when it has none, the focused node), or NULL. */
const struct ui_node *ui_read_current(const struct ui *ui);
/* Moves the reading cursor onto the item of this role at this place (x, y) on screen, as the
 * cursor's own item was before Enter replaced it (a button relabelled in place: "Visa de sista
 * siffrorna" becomes "Dölj de sista siffrorna"), and returns it; NULL when there is none. */
const struct ui_node *ui_read_at(struct ui *ui, enum ui_role role, struct ui_rect r);
/* Puts the reading cursor before the first item of the content and takes the focus away (a new
 * screen): Down reads the content, Up the header's controls (from the last one). */
void ui_read_reset(struct ui *ui);
/* The screen's content begins with the next node (after the header): where the reading cursor
 * starts. */
void ui_content(struct ui *ui);

/* --- Layout -------------------------------------------------------------------------------- */

int ui_mm(const struct ui *ui, double mm);
/* The region widgets go into, and the cursor at its top. */
void ui_area(struct ui *ui, struct ui_rect r);
struct ui_rect ui_area_rect(const struct ui *ui);
/* A full-width band of h pixels at the cursor (mirrored when RTL), with the gap after it. */
struct ui_rect ui_take(struct ui *ui, int h);
/* The next n widgets share one row (each 1/n of the width, gaps between). */
void ui_columns(struct ui *ui, int n);
void ui_gap(struct ui *ui, double mm);
/* Space left below the cursor. */
int ui_remaining(const struct ui *ui);
/* Mirrors a rectangle laid out left to right when the language is RTL. */
struct ui_rect ui_mirror(const struct ui *ui, struct ui_rect r);

/* --- Scrolling ---------------------------------------------------------------------------- */

/* The area scrolls: what is declared until ui_scroll_end and does not fit the area is reached
 * with Scroll up / Scroll down (a row at the area's foot, only while the content overflows; a
 * frame later when that changes), drawn clipped to the view. A node not wholly in view is
 * scrolled_out; a line of text not wholly in view is drawn clipped and not in the layout check.
 * A control the keys focus (Tab, the reading cursor) is scrolled into view. */
void ui_scroll_begin(struct ui *ui);
void ui_scroll_end(struct ui *ui);
/* A new screen starts at the top. */
void ui_scroll_reset(struct ui *ui);
/* The next frame scrolls the node (an id of the frame on screen) into view. */
void ui_scroll_into_view(struct ui *ui, uint32_t id);
/* Scrolls the view to the top (dir 0) or a view's height down (dir 1, for checking every part
 * of the content); false when it is already at the end. */
bool ui_scroll_page(struct ui *ui, int dir);

/* --- Text ---------------------------------------------------------------------------------- */

enum ui_text_style {
    UI_TEXT_BODY,
    UI_TEXT_BOLD,
    UI_TEXT_SMALL,
    UI_TEXT_H1,
    UI_TEXT_H2,
    UI_TEXT_HUGE, /* OCR numbers and queue positions */
    UI_TEXT_STYLE_COUNT,
};

enum ui_align {
    UI_ALIGN_START, /* left in LTR, right in RTL */
    UI_ALIGN_CENTER,
    UI_ALIGN_END,
};

/* Lays out and draws text wrapped into r (top aligned); returns the height used. */
int ui_text(struct ui *ui, struct ui_rect r, const char *text, enum ui_text_style style,
            struct ui_color color, enum ui_align align);
/* The height text would take at width w. */
int ui_text_height(struct ui *ui, int w, const char *text, enum ui_text_style style);
int ui_line_height(struct ui *ui, enum ui_text_style style);
/* The width text takes on one line (its longest line where it has '\n'). */
int ui_text_width(struct ui *ui, const char *text, enum ui_text_style style);

/* The layout check over the frame on screen: every line of text fits the box it was given,
 * lies on the display and inside the control it is drawn on (the smallest button, tile, row,
 * key, field, banner, step or dialog under its centre), and overlaps no other text. Writes one
 * line per problem into out (cut at size); returns the number of problems. */
int ui_layout_problems(const struct ui *ui, char *out, size_t size);

/* --- Drawing ------------------------------------------------------------------------------- */

void ui_fill(struct ui *ui, struct ui_rect r, struct ui_color c);
void ui_frame(struct ui *ui, struct ui_rect r, int thickness, struct ui_color c);

/* --- Nodes and interaction ----------------------------------------------------------------- */

/* Adds a semantic node; returns its id (stable across frames for the same role+label+key). */
uint32_t ui_node(struct ui *ui, enum ui_role role, const char *label, const char *value,
                 unsigned state, struct ui_rect r, bool focusable);
/* What speech says of a node, in the current language: its name, a checked state, its role, its
 * value, other states and its note ("Fakturor, knapp, 2. …"; "Kontrast, på, knapp";
 * "Ditt telefonnummer, textfält, tomt, felaktigt ifyllt, Skriv ett telefonnummer"). A personal
 * node with personal_ok false (speech through the loudspeaker) says its caption if it has one,
 * its role and that the details are read only through headphones: never its data. The length
 * (as snprintf); out is always terminated. */
size_t ui_spoken(const struct ui_node *n, bool personal_ok, char *out, size_t size);
/* The role's word in the current language ("knapp"); a tile is a button to the ear. */
const char *ui_role_word(enum ui_role r);
/* The speech check over the frame on screen: every control the keys reach (focusable, not
 * pointer-only, enabled, not behind an open dialog) has a name and a role word to say, and a
 * size on the display; the focus is not behind an open dialog. One line per problem into out
 * (cut at size); returns the number of problems. */
int ui_speech_problems(const struct ui *ui, char *out, size_t size);
/* Nodes declared while on show personal data (struct ui_node.personal); screens turn it on around
 * a person's details and off after them. ui_begin turns it off. */
void ui_set_personal(struct ui *ui, bool on);
/* Disambiguates nodes with the same label (e.g. list rows): mixed into the next ids. */
void ui_push_key(struct ui *ui, uint32_t key);
void ui_pop_key(struct ui *ui);
/* True once when the node was clicked (tap, click or Enter) since the last frame. */
bool ui_clicked(struct ui *ui, uint32_t id);
bool ui_long_pressed(struct ui *ui, uint32_t id);
bool ui_pressed(const struct ui *ui, uint32_t id);
/* Where the last press went down (pixels), for the technician's touch test. */
void ui_last_press(const struct ui *ui, int *x, int *y);
bool ui_has_focus(const struct ui *ui, uint32_t id);
void ui_focus(struct ui *ui, uint32_t id);
/* Escape was pressed since the last frame (consumes it). */
bool ui_escape(struct ui *ui);
/* While a dialog is open only its nodes take input. */
void ui_modal_begin(struct ui *ui);
void ui_modal_end(struct ui *ui);

/* --- Widgets ------------------------------------------------------------------------------- */

enum ui_button_kind {
    UI_BUTTON_NORMAL,
    UI_BUTTON_PRIMARY,
    UI_BUTTON_QUIET, /* header controls */
};

void ui_heading(struct ui *ui, const char *text, int level);
void ui_paragraph(struct ui *ui, const char *text, enum ui_text_style style);
/* A label and its value on one row (wrapping when narrow): "Förfallodag" 1 december. */
void ui_pair(struct ui *ui, const char *label, const char *value);
/* A pair with a button beside it that acts on it (a review's "Ändra: Förskolor"); true when
 * the button was tapped. The pair follows ui_set_personal, the button never does. */
bool ui_pair_button(struct ui *ui, const char *label, const char *value, const char *button);
bool ui_button(struct ui *ui, const char *label, enum ui_button_kind kind);
bool ui_button_in(struct ui *ui, struct ui_rect r, const char *label, enum ui_button_kind kind,
                  bool checked);
/* A button that shows a short label and is named in full (for speech and the driver): a date
 * picker's day "14" is "måndag 14 december 2026". */
bool ui_button_named_in(struct ui *ui, struct ui_rect r, const char *label, const char *name,
                        enum ui_button_kind kind, bool checked);
/* A button drawn disabled (and doing nothing) when enabled is false: Scroll up at the top. */
bool ui_button_if(struct ui *ui, struct ui_rect r, const char *label, enum ui_button_kind kind,
                  bool enabled);
/* A button that is on or off (Kontrast, one of several answers that may all be chosen): looks
 * like ui_button_in, and speech says its state as on or off. */
bool ui_toggle_in(struct ui *ui, struct ui_rect r, const char *label, enum ui_button_kind kind,
                  bool on);
/* A large tile for Översikt: title, a big value, a detail line. */
/* An invisible zone that answers only a long press (input.long_press_ms) of a finger or mouse:
 * not focusable by keys, not drawn. True once when it was held long enough. */
bool ui_hold_zone(struct ui *ui, struct ui_rect r, const char *label);
bool ui_tile(struct ui *ui, const char *title, const char *value, const char *detail);
/* A row of a list: a title and a detail line, the whole row a button. */
bool ui_list_item(struct ui *ui, const char *title, const char *detail, const char *badge);
/* Large previous/next controls for a list of n_items shown per_page at a time. */
void ui_pager(struct ui *ui, int *page, int n_items, int per_page);
void ui_banner(struct ui *ui, const char *text, bool warning);
/* Steps of a wizard, the current one marked. */
void ui_steps(struct ui *ui, const char *const *labels, int n, int current);
/* One entry of a status timeline. */
void ui_timeline_entry(struct ui *ui, const char *when, const char *what, const char *note,
                       bool last);
/* A QR code of size×size modules (1 = dark), side mm wide, centred. */
void ui_qr(struct ui *ui, const unsigned char *modules, int size, double side_mm,
           const char *label);

/* --- Status: icon + word + colour (never colour alone) ------------------------------------ */

/* The status icons (assets/icons: a subset of Noto Sans Symbols 2, drawn like text with SDL_ttf
 * in the colour asked for, so they scale with Större text and follow the theme). */
enum ui_icon {
    UI_ICON_DONE,     /* ✔ paid, decided, done */
    UI_ICON_WARNING,  /* ⚠ overdue, something asked of the person */
    UI_ICON_WAITING,  /* ⏳ to pay, being processed */
    UI_ICON_ERROR,    /* ✖ could not be read */
    UI_ICON_INFO,     /* 🛈 nothing here yet */
    UI_ICON_CALENDAR, /* 🗓 a visit */
    UI_ICON_COUNT,
};

/* The colour a status is drawn in: the theme's text, ok or overdue colour. */
enum ui_tone {
    UI_TONE_PLAIN,
    UI_TONE_OK,
    UI_TONE_OVERDUE,
};

/* Draws an icon's glyph centred in r (its height is the icon's size). */
void ui_icon(struct ui *ui, struct ui_rect r, enum ui_icon icon, struct ui_color c);
struct ui_color ui_tone_color(const struct ui *ui, enum ui_tone tone);
/* A status as a line of its own: icon, then the word, both in the tone's colour; one status
 * node (label: the word). */
void ui_status(struct ui *ui, enum ui_icon icon, enum ui_tone tone, const char *word,
               enum ui_text_style style);

/* A label and a status on one row, like ui_pair: "Status   ⚠ Förfallen". */
void ui_status_pair(struct ui *ui, const char *label, enum ui_icon icon, enum ui_tone tone,
                    const char *word);

/* One row of a list. A row that opens a detail is a button (the whole row, with a ›); one
 * without a detail (a queue place, a payout, a visit) is text, not focusable, drawn without a
 * button's fill and frame. The status (icon + word) and the figure stand at the end side. */
struct ui_row {
    const char *title;
    const char *detail;
    const char *figure; /* an amount or a position, in bold; NULL: none */
    const char *status; /* the status word; NULL: none */
    enum ui_icon icon;
    enum ui_tone tone;
    bool opens; /* a detail screen: a button */
};
bool ui_row(struct ui *ui, const struct ui_row *row);

/* An empty or failed state: an icon, a heading-sized sentence and what to do, in a band of its
 * own (an error in the overdue tone). */
void ui_state_panel(struct ui *ui, enum ui_icon icon, enum ui_tone tone, const char *headline,
                    const char *text);

/* What is wrong with the question just above, in the invalid colour (a status node, "invalid"). */
void ui_error_note(struct ui *ui, const char *text);

/* A text field the screen owns. The text may be personal: ui_field_clear wipes it. */
enum ui_keyboard_kind {
    UI_KEYBOARD_TEXT,    /* Swedish letters, capitals, marks; Arabic and Persian */
    UI_KEYBOARD_NUMERIC, /* personnummer, phone numbers, amounts */
};

struct ui_field {
    char text[256];
    const char *label;
    const char *hint;  /* shown under the field, e.g. "ÅÅÅÅMMDD-NNNN" */
    const char *error; /* validation message, or NULL */
    enum ui_keyboard_kind keyboard;
    size_t max_len;
    bool kb_shift, kb_marks; /* the text keyboard's page: capitals (one), the marks */
    bool kb_latin;           /* a right-to-left language's field on the Latin letters */
};

void ui_field_clear(struct ui_field *f);
/* Draws the field; tapping it focuses it; typing goes to the focused field. True when its text
 * changed this frame. */
bool ui_field(struct ui *ui, struct ui_field *f);
/* The on-screen keyboard for the focused field (draws nothing when no field has focus). */
void ui_keyboard(struct ui *ui, struct ui_field *f);

#ifdef MINASIDOR_UNIT_TEST
/* Tests only: text as one line would draw it, left to right, as a string (each run shaped right
 * to left reversed, as HarfBuzz lays it out), in an interface of direction rtl; for comparing
 * with FriBidi's own reordering. Caller frees. */
char *ui_text_visual(const char *text, bool rtl);
/* Tests only: the frame on screen gets a focusable button with no name, 20 mm square at the top
 * left (until the next frame is built): the fixture the speech check must fail on. */
void ui_test_add_unnamed_button(struct ui *ui);
#endif

#endif
