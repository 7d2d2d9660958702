/* Fuzz what the kiosk reads from the network: pull pages, push results, error bodies, and the
 * Signature-Input header casestore reads. Every change of an accepted page is valid or set
 * aside with a reason. */
#include "fuzz_util.h"
#include "httpsig.h"
#include "protocol.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct errbuf err;
    struct proto_page page;
    if (proto_pull_parse(text, size, &page, &err)) {
        for (size_t i = 0; i < page.n; i++) {
            const struct store_change *c = &page.changes[i];
            if (c->set_aside != NULL) {
                FUZZ_ASSERT(strncmp(c->set_aside, "change ", 7) == 0);
                continue;
            }
            if (c->kind_name != NULL) { /* the delete of a kind not stored here */
                FUZZ_ASSERT(c->tombstone && c->id != NULL);
                continue;
            }
            const struct store_kind_def *d = store_kind(c->kind);
            FUZZ_ASSERT(d != NULL && c->id != NULL);
            for (size_t f = 0; !c->tombstone && f < d->n_fields; f++)
                FUZZ_ASSERT(!d->fields[f].required || c->values[f].set);
        }
        proto_page_finish(&page);
    }
    struct proto_push_response r;
    if (proto_push_parse(text, size, &r, &err)) {
        FUZZ_ASSERT(r.n <= PROTO_MAX_PUSH);
        proto_push_finish(&r);
    }
    char code[32];
    int64_t t;
    proto_error_parse(text, size, code, &t);
    char uuid[37];
    if (proto_sequence_error_parse(text, size, &t, uuid))
        FUZZ_ASSERT(t >= 1 && (uuid[0] == '\0' || strlen(uuid) == 36));
    char *s = fuzz_cstr(data, size);
    struct httpsig_params p;
    if (httpsig_parse_input(s, &p, &err))
        FUZZ_ASSERT(strlen(p.nonce) >= 16 && p.keyid[0] != '\0');
    free(s);
    return 0;
}
