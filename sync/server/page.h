/* A pull page's changes, written as JSON text as they are chosen (PROTOCOL.md §5): an upsert
 * carries its stored fields as stored once they have been parsed and checked, so a page costs
 * one parse per record and no re-serialisation. Shared by every storage back end's cs_pull. */
#ifndef CASESTORE_PAGE_H
#define CASESTORE_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct cs_page {
    struct buf text; /* "[change,change,...]" once cs_page_close has run */
    size_t n;        /* changes on the page */
    bool unchecked;  /* cs_storage_publish_unchecked */
};

enum cs_page_add {
    CS_PAGE_ADDED,
    CS_PAGE_SKIPPED, /* cannot be published (logged by kind and id): the cursor moves past it */
    CS_PAGE_FULL,    /* over the budget: this change starts the next page */
};

void cs_page_init(struct cs_page *p, bool unchecked);
void cs_page_finish(struct cs_page *p);

/* A tombstone. */
enum cs_page_add cs_page_add_delete(struct cs_page *p, const char *kind, const char *id);

/* An upsert of a record as stored: fields is its stored JSON text; citizen and parent may be
 * NULL. Checked as every kiosk must be able to take it (submission_record_check) unless the page
 * is unchecked; text that is not JSON, or a change larger than a page alone, is skipped either
 * way. */
enum cs_page_add cs_page_add_upsert(struct cs_page *p, const char *kind, const char *id,
                                    const char *citizen, const char *parent, const char *fields);

/* Ends the array: the text is then the page's "changes". */
void cs_page_close(struct cs_page *p);

#endif
