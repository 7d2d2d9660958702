/* Fuzz what the kiosk reads from the network: pull pages, push results, error bodies, and the
 * Signature-Input header casestore reads. Every change of an accepted page is valid or set
 * aside with a reason, and a page the quick reader takes is read exactly as jansson's path
 * reads it. */
#include "fuzz_util.h"
#include "httpsig.h"
#include "protocol.h"

static bool
same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
check_quick_reader(const char *text, size_t size)
{
    struct proto_page quick, slow;
    struct errbuf err;
    if (!proto_pull_parse_quick(text, size, &quick))
        return;
    FUZZ_ASSERT(proto_pull_parse_json(text, size, &slow, &err));
    FUZZ_ASSERT(quick.reset == slow.reset && quick.more == slow.more);
    FUZZ_ASSERT(same_text(quick.cursor, slow.cursor));
    FUZZ_ASSERT(quick.position == slow.position && quick.head == slow.head);
    FUZZ_ASSERT(quick.server_time == slow.server_time);
    FUZZ_ASSERT(quick.n == slow.n && quick.set_aside == 0 && slow.set_aside == 0);
    for (size_t i = 0; i < quick.n; i++) {
        const struct store_change *a = &quick.changes[i], *b = &slow.changes[i];
        FUZZ_ASSERT(a->kind == b->kind && a->tombstone == b->tombstone);
        FUZZ_ASSERT(same_text(a->id, b->id) && same_text(a->citizen, b->citizen));
        FUZZ_ASSERT(same_text(a->parent, b->parent));
        FUZZ_ASSERT(a->set_aside == NULL && b->set_aside == NULL);
        FUZZ_ASSERT(a->kind_name == NULL && b->kind_name == NULL);
        for (size_t f = 0; f < STORE_MAX_FIELDS; f++) {
            FUZZ_ASSERT(a->values[f].set == b->values[f].set);
            FUZZ_ASSERT(same_text(a->values[f].text, b->values[f].text));
            FUZZ_ASSERT(!a->values[f].set || a->values[f].num == b->values[f].num);
        }
    }
    proto_page_finish(&quick);
    proto_page_finish(&slow);
}

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
    check_quick_reader(text, size);
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
