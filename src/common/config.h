/* Settings from an INI-style file, then the environment, then the command line; each later
 * source overrides the earlier. Keys are declared in a schema so that a typo is an error, not a
 * silently ignored line. Errors read "path:line: key: message"; nothing here aborts on input. */
#ifndef MINASIDOR_CONFIG_H
#define MINASIDOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "macros.h"

enum config_type {
    CONFIG_STRING,
    CONFIG_INT,
    CONFIG_BOOL,
};

struct config_key {
    const char *name; /* "section.key", lower case ASCII */
    enum config_type type;
    const char *default_value; /* NULL: unset until a source sets it */
    long min, max;             /* for CONFIG_INT */
    const char *help;          /* one line, for `--help` and `doctor` */
};

struct config;

/* Largest file the loader reads: a config file is small, a larger one is a mistake. */
#define CONFIG_MAX_FILE_BYTES (256 * 1024)

/* The schema must outlive the config. Defaults are applied (and must be valid). */
struct config *config_create(const struct config_key *schema, size_t n_keys);
void config_destroy(struct config *cfg);

/* Reads a file. A missing file is an error, and so is anything but a regular file (or
 * /dev/null, read as empty), a file that group or others may write, or one owned by neither root
 * nor the effective user (the settings hold trust anchors); the message names the fix. On error
 * nothing from the file is applied. */
bool config_load_file(struct config *cfg, const char *path, struct errbuf *err) WARN_UNUSED;

/* Parses text as if it were the file `name` (the fuzz target and the tests use this). */
bool config_load_buffer(struct config *cfg, const char *name, const char *data, size_t len,
                        struct errbuf *err) WARN_UNUSED;

/* Applies PREFIX_SECTION_KEY variables (e.g. MINASIDOR_STORE_PATH for store.path). */
bool config_load_env(struct config *cfg, const char *prefix, struct errbuf *err) WARN_UNUSED;

/* Applies one "section.key=value" assignment, e.g. from `--set`. origin names the source. */
bool config_set(struct config *cfg, const char *assignment, const char *origin,
                struct errbuf *err) WARN_UNUSED;

/* Values; borrowed until the next change. Asking for an undeclared key is a programmer error. */
const char *config_get_string(const struct config *cfg, const char *name); /* NULL if unset */
long config_get_int(const struct config *cfg, const char *name);
bool config_get_bool(const struct config *cfg, const char *name);

/* Where the value came from: "default", "path:line", "env NAME" or the origin given to
 * config_set. */
const char *config_origin(const struct config *cfg, const char *name);

/* The schema, for listing keys. */
const struct config_key *config_schema(const struct config *cfg, size_t *n_keys);

#endif
