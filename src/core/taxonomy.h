/* How every contact and case is classified (DOMAIN.md): huvudkategori, ärendetyp, ärendeklass,
 * case status and stadsdel. Each entry has a stable ASCII code for the wire and the database, the
 * Swedish name the city uses, and an English msgid for translation. */
#ifndef MINASIDOR_TAXONOMY_H
#define MINASIDOR_TAXONOMY_H

#include <stdbool.h>
#include <stddef.h>

enum tax_dimension {
    TAX_MAIN,     /* huvudkategori */
    TAX_TYPE,     /* ärendetyp */
    TAX_CLASS,    /* ärendeklass */
    TAX_STATUS,   /* case status */
    TAX_DISTRICT, /* stadsdel */
    TAX_DIMENSION_COUNT,
};

enum case_main {
    CASE_MAIN_ALDREOMSORG,
    CASE_MAIN_FORSKOLA,
    CASE_MAIN_UTBILDNING,
    CASE_MAIN_EKONOMISKT_BISTAND,
    CASE_MAIN_FARDTJANST,
    CASE_MAIN_OVRIGT,
    CASE_MAIN_COUNT,
};

enum case_type {
    CASE_TYPE_KOSTATUS,
    CASE_TYPE_ANSOKAN,
    CASE_TYPE_BOENDE,
    CASE_TYPE_HEMTJANST,
    CASE_TYPE_FARDTJANST,
    CASE_TYPE_RIKSFARDTJANST,
    CASE_TYPE_FAKTURAFRAGA,
    CASE_TYPE_FIXAREN,
    CASE_TYPE_TRYGGHETSLARM,
    CASE_TYPE_GOD_MAN,
    CASE_TYPE_DAGVERKSAMHET,
    CASE_TYPE_PERSONLIG_ASSISTANS,
    CASE_TYPE_LANDSTINGSFRAGA,
    CASE_TYPE_FORSKOLEPLATS,
    CASE_TYPE_SKOLVAL,
    CASE_TYPE_UTOKAD_OMSORGSTID,
    CASE_TYPE_INKOMSTANMALAN,
    CASE_TYPE_EKONOMISKT_BISTAND,
    CASE_TYPE_ATERRINGNING,
    CASE_TYPE_OVRIGT,
    CASE_TYPE_COUNT,
};

enum case_class {
    CASE_CLASS_INFORMATION, /* Information och vägledning */
    CASE_CLASS_NY_ANSOKAN,  /* Ny ansökan / nytt ärende */
    CASE_CLASS_STATUS,      /* Status på befintligt ärende */
    CASE_CLASS_SYNPUNKT,    /* Synpunkter och klagomål */
    CASE_CLASS_COUNT,
};

enum case_status {
    CASE_STATUS_INKOMMEN,
    CASE_STATUS_HANDLAGGS,
    CASE_STATUS_KOMPLETTERING,
    CASE_STATUS_BESLUTAT,
    CASE_STATUS_AVSLUTAT,
    CASE_STATUS_COUNT,
};

enum district {
    DISTRICT_BROMMA,
    DISTRICT_ENSKEDE_ARSTA,
    DISTRICT_FARSTA,
    DISTRICT_HAGERSTEN,
    DISTRICT_HASSELBY_VALLINGBY,
    DISTRICT_KATARINA_SOFIA,
    DISTRICT_KISTA,
    DISTRICT_KUNGSHOLMEN,
    DISTRICT_LILJEHOLMEN,
    DISTRICT_MARIA_GAMLA_STAN,
    DISTRICT_NORRMALM,
    DISTRICT_RINKEBY,
    DISTRICT_SKARPNACK,
    DISTRICT_SKARHOLMEN,
    DISTRICT_SPANGA_TENSTA,
    DISTRICT_VANTOR,
    DISTRICT_ALVSJO,
    DISTRICT_OSTERMALM,
    DISTRICT_COUNT,
};

struct tax_entry {
    const char *code;    /* stable: "fakturafraga" */
    const char *name_sv; /* "Fakturafråga" */
    const char *label;   /* English msgid, in the context taxonomy_context: "Invoice question" */
};

/* Entries of a dimension, indexed by its enum. */
size_t taxonomy_count(enum tax_dimension dim);
const struct tax_entry *taxonomy_entry(enum tax_dimension dim, size_t index);

/* The index of a code, or -1 when the dimension has no such code. */
int taxonomy_find(enum tax_dimension dim, const char *code);

/* The message context of a dimension's labels ("case-status"): a coded value is shown as
 * C_(taxonomy_context(dim), entry->label), so the same English word in two dimensions can be
 * translated apart, and the code itself never goes through gettext. */
const char *taxonomy_context(enum tax_dimension dim);

/* "main", "type", "class", "status", "district". */
const char *taxonomy_dimension_code(enum tax_dimension dim);

/* Whether an ärendetyp belongs under a huvudkategori (a submission must be consistent). */
bool taxonomy_type_allowed(enum case_main main, enum case_type type);

#endif
