/* Fuzz the INI configuration parser. */
#include "config.h"
#include "fuzz_util.h"

static const struct config_key schema[] = {
    { "store.path", CONFIG_STRING, "/x", 0, 0, "" },
    { "sync.interval_s", CONFIG_INT, "30", 5, 3600, "" },
    { "ui.large_text", CONFIG_BOOL, "false", 0, 0, "" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config *cfg = config_create(schema, sizeof(schema) / sizeof(schema[0]));
    struct errbuf err;
    if (config_load_buffer(cfg, "fuzz.conf", (const char *)data, size, &err)) {
        long v = config_get_int(cfg, "sync.interval_s");
        FUZZ_ASSERT(v >= 5 && v <= 3600);
        (void)config_get_bool(cfg, "ui.large_text");
        FUZZ_ASSERT(config_get_string(cfg, "store.path") != NULL);
    } else {
        FUZZ_ASSERT(err.msg[0] != '\0');
    }
    config_destroy(cfg);
    return 0;
}
