/* The kiosk's settings: the schema of every key, and loading them in order (file, environment,
 * command line). */
#ifndef MINASIDOR_SETTINGS_H
#define MINASIDOR_SETTINGS_H

#include <stddef.h>

#include "config.h"

#define SETTINGS_DEFAULT_PATH "/etc/minasidor/minasidor.conf"

/* Loads settings: `path` (must exist) or else the default path if it exists, then MINASIDOR_*
 * variables, then the "key=value" assignments. NULL with err set on any error. */
struct config *settings_load(const char *path, const char *const *sets, size_t n_sets,
                             struct errbuf *err);

/* The settings of this run, for subcommands; borrowed. */
const struct config *settings_current(void);
void settings_set_current(const struct config *cfg);

#endif
