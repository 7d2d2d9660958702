/* Shared between the toolkit's files; not for screens. */
#ifndef MINASIDOR_UI_INTERNAL_H
#define MINASIDOR_UI_INTERNAL_H

#include <SDL.h>
#include <SDL_ttf.h>

#include "ui.h"

#define UI_MAX_COMMANDS   4096
#define UI_TEXT_CACHE     1024
#define UI_FONT_FACES     UI_FACE_COUNT
#define UI_MAX_TEXT_LINES 1024

enum ui_cmd_kind {
    UI_CMD_FILL,
    UI_CMD_FRAME,
    UI_CMD_TEXTURE,
    UI_CMD_QR,
};

struct ui_text_entry; /* text.c */

struct ui_cmd {
    enum ui_cmd_kind kind;
    struct ui_rect r;
    struct ui_color c;
    int thickness;
    struct ui_text_entry *tex; /* UI_CMD_TEXTURE */
    struct ui_rect clip;       /* drawn only inside this (w 0: the whole display) */
    const unsigned char *qr;   /* UI_CMD_QR: copied into the frame's qr buffer */
    int qr_size;
};

/* One line of text a frame drew, for the layout check (ui_layout_problems): the box its
 * ui_text call was given and the rectangle its shaped words ink. */
struct ui_text_line {
    struct ui_rect box, ink;
    uint32_t text; /* which ui_text call of the frame */
    bool modal;    /* drawn inside an open dialog */
    char what[48]; /* the text's start, for the report (may be personal: wiped with the frame) */
};

/* A check mark a frame drew on a checked control (ui_check_mark), for the layout check. */
struct ui_mark {
    struct ui_rect r;
    enum ui_part part; /* the part of the control it marks */
};
#define UI_MAX_MARKS 64

struct ui_fonts {
    const void *data[UI_FONT_FACES];
    size_t len[UI_FONT_FACES];
    /* opened per (face, pixel size) on demand */
    struct {
        int face, px;
        TTF_Font *font;
    } open[48];
    int n_open;
};

struct ui {
    SDL_Renderer *renderer;
    struct ui_config cfg;
    int width, height;
    double px_per_mm;
    const struct ui_theme *theme;
    bool high_contrast, large_text, rtl;

    /* this frame */
    int64_t now_ms;
    struct ui_cmd cmds[UI_MAX_COMMANDS];
    size_t n_cmds;
    struct ui_node nodes[UI_MAX_NODES];
    size_t n_nodes;
    unsigned char *qr_buf;
    size_t qr_len, qr_cap;
    uint32_t keys[8];
    int n_keys;
    int modal_depth;
    size_t modal_first; /* first node inside the open dialog */
    bool has_modal;
    bool personal; /* ui_set_personal */
    struct ui_text_line lines[UI_MAX_TEXT_LINES];
    size_t n_lines;
    uint32_t n_texts;
    struct ui_mark marks[UI_MAX_MARKS];
    size_t n_marks;

    /* the frame on screen: the tree input is tested against */
    struct ui_node shown[UI_MAX_NODES];
    size_t n_shown;
    size_t shown_modal_first;
    bool shown_has_modal;
    struct ui_text_line shown_lines[UI_MAX_TEXT_LINES];
    size_t n_shown_lines;
    struct ui_mark shown_marks[UI_MAX_MARKS];
    size_t n_shown_marks;
    uint64_t shown_hash;
    bool drawn_once;
    uint64_t frames_drawn, frames_skipped;

    /* the scroll view (ui_scroll_begin/end) */
    bool scrolling;         /* between begin and end: commands are clipped to view */
    struct ui_rect view;    /* what is seen of the content */
    struct ui_rect bar;     /* the Scroll up / Scroll down row below it (h 0: none) */
    int scroll_y;           /* pixels of content above the view */
    int scroll_max;         /* of the last frame */
    bool scroll_overflowed; /* the last frame's content did not fit: the row is there */
    uint32_t scroll_want;   /* a node to scroll into view next frame (0: none) */
    uint32_t scroll_focus;  /* the focus the view was last brought to */
    int scroll_bottom;      /* the lowest band taken in the view this frame */

    /* layout */
    struct ui_rect area;
    int cursor_y;
    int cols, col_index, row_h, row_y;

    /* interaction */
    bool stale;
    uint32_t pressed_id, clicked_id, long_id, focus_id, last_click_id;
    int down_x, down_y;
    int64_t down_ms, last_click_ms;
    bool dragging, escape;
    char pending_text[64];
    int pending_backspace;
    uint32_t read_id;  /* the reading cursor's node (speech mode), 0: before the first */
    size_t read_index; /* where it was in the tree, when its node goes */
    size_t content_first, shown_content_first; /* the first node after the header (ui_content) */

    struct ui_fonts fonts;
    struct ui_text_entry *cache; /* UI_TEXT_CACHE entries */
    uint64_t cache_clock;
};

void ui_cmd_push(struct ui *ui, const struct ui_cmd *c);
TTF_Font *ui_font(struct ui *ui, int face, int px);
void ui_text_cache_free(struct ui *ui);
void ui_draw_commands(struct ui *ui);
/* Draws a check mark (✓) filling the square r, for a checked control of this part; the layout
 * check looks for it on every checked control. */
void ui_check_mark(struct ui *ui, struct ui_rect r, struct ui_color c, enum ui_part part);

#endif
