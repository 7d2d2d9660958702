/* The toolkit's SDL side, for src/platform only: creating the toolkit on an SDL renderer. */
#ifndef MINASIDOR_UI_SDL_H
#define MINASIDOR_UI_SDL_H

#include <SDL.h>

#include "err.h"
#include "ui.h"

/* Creates the toolkit drawing with r (a window's renderer, or a software renderer on a surface
 * in headless mode). NULL with err set when a font cannot be loaded. */
struct ui *ui_create(SDL_Renderer *r, const struct ui_config *cfg, struct errbuf *err);

#endif
