/* A pull page's changes as JSON text. */
#include "page.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "storage.h"
#include "submission.h"

#define LOG_MODULE "casestore"
#include "log.h"

/* The text may pass the budget by the change that is then taken off again. */
#define PAGE_TEXT_MAX (2 * (size_t)CS_PAGE_BYTES + 16)

void
cs_page_init(struct cs_page *p, bool unchecked)
{
    memset(p, 0, sizeof(*p));
    buf_init(&p->text, PAGE_TEXT_MAX);
    p->unchecked = unchecked;
    (void)!buf_append_char(&p->text, '[');
}

void
cs_page_finish(struct cs_page *p)
{
    buf_finish(&p->text);
}

/* ,"key":"value" (the value escaped); false if it is not valid UTF-8 or does not fit. */
static bool
member(struct buf *b, const char *key, const char *value)
{
    return buf_append_str(b, key) && json_append_string(b, value, false);
}

static void
cut(struct cs_page *p, size_t start)
{
    p->text.len = start;
    p->text.data[start] = '\0';
}

/* Keeps the change just written after `start` if the page has room for it: "[", the changes
 * with their commas and "]" within the budget, as the compact JSON of the array would be. */
static enum cs_page_add
keep(struct cs_page *p, size_t start, bool written, const char *kind, const char *id)
{
    if (!written) {
        cut(p, start);
        LOG_ERR("%s %s: its kind, id, citizen or parent is not valid text: skipped", kind, id);
        return CS_PAGE_SKIPPED;
    }
    size_t size = p->text.len - start - (p->n > 0 ? 1 : 0); /* without its comma */
    if (size + 2 > CS_PAGE_BYTES) {
        cut(p, start);
        LOG_ERR("%s %s is larger than a page (%zu bytes): skipped", kind, id, size);
        return CS_PAGE_SKIPPED;
    }
    if (p->text.len + 1 > CS_PAGE_BYTES) {
        cut(p, start);
        return CS_PAGE_FULL;
    }
    p->n++;
    return CS_PAGE_ADDED;
}

enum cs_page_add
cs_page_add_delete(struct cs_page *p, const char *kind, const char *id)
{
    size_t start = p->text.len;
    bool ok = (p->n == 0 || buf_append_char(&p->text, ',')) &&
              member(&p->text, "{\"kind\":", kind) && member(&p->text, ",\"id\":", id) &&
              buf_append_str(&p->text, ",\"op\":\"delete\"}");
    return keep(p, start, ok, kind, id);
}

enum cs_page_add
cs_page_add_upsert(struct cs_page *p, const char *kind, const char *id, const char *citizen,
                   const char *parent, const char *fields)
{
    /* Parsed as the kiosk will parse it (duplicate members refused), so the stored text can go
     * as it is; a record with a member twice goes as jansson reads it (the last one wins). */
    size_t len = strlen(fields);
    if (len + 2 > CS_PAGE_BYTES) {
        LOG_ERR("%s %s is larger than a page (%zu bytes): skipped", kind, id, len);
        return CS_PAGE_SKIPPED;
    }
    json_error_t jerr;
    json_t *parsed = json_loadb(fields, len, JSON_REJECT_DUPLICATES, &jerr);
    char *redone = NULL;
    if (parsed == NULL && json_error_code(&jerr) == json_error_duplicate_key) {
        parsed = json_loadb(fields, len, 0, &jerr);
        redone = parsed != NULL ? json_dumps(parsed, JSON_COMPACT) : NULL;
        if (redone == NULL) {
            json_decref(parsed);
            parsed = NULL;
        }
    }
    if (parsed == NULL) {
        LOG_ERR("%s %s: its stored fields are not JSON (at byte %d): skipped", kind, id,
                jerr.position);
        return CS_PAGE_SKIPPED;
    }
    struct errbuf why;
    bool publishable =
        p->unchecked || submission_record_check(kind, id, citizen, parent, parsed, &why);
    json_decref(parsed);
    if (!publishable) {
        LOG_ERR("%s %s cannot be published (%s): skipped", kind, id, why.msg);
        free(redone);
        return CS_PAGE_SKIPPED;
    }
    size_t start = p->text.len;
    bool ok = (p->n == 0 || buf_append_char(&p->text, ',')) &&
              member(&p->text, "{\"kind\":", kind) && member(&p->text, ",\"id\":", id) &&
              buf_append_str(&p->text, ",\"op\":\"upsert\",\"fields\":") &&
              buf_append_str(&p->text, redone != NULL ? redone : fields) &&
              (citizen == NULL || member(&p->text, ",\"citizen\":", citizen)) &&
              (parent == NULL || member(&p->text, ",\"parent\":", parent)) &&
              buf_append_char(&p->text, '}');
    free(redone);
    return keep(p, start, ok, kind, id);
}

void
cs_page_close(struct cs_page *p)
{
    (void)!buf_append_char(&p->text, ']');
}
