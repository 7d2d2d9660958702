/* The case taxonomy tables. */
#include "taxonomy.h"

#include <string.h>

#include "macros.h"

static const struct tax_entry mains[CASE_MAIN_COUNT] = {
    [CASE_MAIN_ALDREOMSORG] = { "aldreomsorg", "Äldreomsorg", NC_("case-main", "Elderly care") },
    [CASE_MAIN_FORSKOLA] = { "forskola", "Förskola", NC_("case-main", "Preschool") },
    [CASE_MAIN_UTBILDNING] = { "utbildning", "Utbildning", NC_("case-main", "Education") },
    [CASE_MAIN_EKONOMISKT_BISTAND] = { "ekonomiskt_bistand", "Ekonomiskt bistånd",
                                       NC_("case-main", "Income support") },
    [CASE_MAIN_FARDTJANST] = { "fardtjanst", "Färdtjänst", NC_("case-main", "Mobility service") },
    [CASE_MAIN_OVRIGT] = { "ovrigt", "Övrigt", NC_("case-main", "Other") },
};

static const struct tax_entry types[CASE_TYPE_COUNT] = {
    [CASE_TYPE_KOSTATUS] = { "kostatus", "Köstatus", NC_("case-type", "Queue status") },
    [CASE_TYPE_ANSOKAN] = { "ansokan", "Ansökan", NC_("case-type", "Application") },
    [CASE_TYPE_BOENDE] = { "boende", "Boende", NC_("case-type", "Housing") },
    [CASE_TYPE_HEMTJANST] = { "hemtjanst", "Hemtjänst", NC_("case-type", "Home care") },
    [CASE_TYPE_FARDTJANST] = { "fardtjanst", "Färdtjänst", NC_("case-type", "Mobility service") },
    [CASE_TYPE_RIKSFARDTJANST] = { "riksfardtjanst", "Riksfärdtjänst",
                                   NC_("case-type", "National mobility service") },
    [CASE_TYPE_FAKTURAFRAGA] = { "fakturafraga", "Fakturafråga",
                                 NC_("case-type", "Invoice question") },
    [CASE_TYPE_FIXAREN] = { "fixaren", "Fixaren", NC_("case-type", "Handyman service") },
    [CASE_TYPE_TRYGGHETSLARM] = { "trygghetslarm", "Trygghetslarm",
                                  NC_("case-type", "Personal safety alarm") },
    [CASE_TYPE_GOD_MAN] = { "god_man", "God man", NC_("case-type", "Legal guardian") },
    [CASE_TYPE_DAGVERKSAMHET] = { "dagverksamhet", "Dagverksamhet",
                                  NC_("case-type", "Day care activities") },
    [CASE_TYPE_PERSONLIG_ASSISTANS] = { "personlig_assistans", "Personlig assistans",
                                        NC_("case-type", "Personal assistance") },
    [CASE_TYPE_LANDSTINGSFRAGA] = { "landstingsfraga", "Landstingsfråga",
                                    NC_("case-type", "Question for the region") },
    [CASE_TYPE_FORSKOLEPLATS] = { "forskoleplats", "Förskoleplats",
                                  NC_("case-type", "Preschool place") },
    [CASE_TYPE_SKOLVAL] = { "skolval", "Skolval", NC_("case-type", "School choice") },
    [CASE_TYPE_UTOKAD_OMSORGSTID] = { "utokad_omsorgstid", "Utökad omsorgstid",
                                      NC_("case-type", "Extended care hours") },
    [CASE_TYPE_INKOMSTANMALAN] = { "inkomstanmalan", "Inkomstanmälan",
                                   NC_("case-type", "Income declaration") },
    [CASE_TYPE_EKONOMISKT_BISTAND] = { "ekonomiskt_bistand", "Ekonomiskt bistånd",
                                       NC_("case-type", "Income support") },
    [CASE_TYPE_ATERRINGNING] = { "aterringning", "Återuppringning",
                                 NC_("case-type", "Callback request") },
    [CASE_TYPE_OVRIGT] = { "ovrigt", "Övrigt", NC_("case-type", "Other") },
};

static const struct tax_entry classes[CASE_CLASS_COUNT] = {
    [CASE_CLASS_INFORMATION] = { "information", "Information och vägledning",
                                 NC_("case-class", "Information and guidance") },
    [CASE_CLASS_NY_ANSOKAN] = { "ny_ansokan", "Ny ansökan / nytt ärende",
                                NC_("case-class", "New application or case") },
    [CASE_CLASS_STATUS] = { "status", "Status på befintligt ärende",
                            NC_("case-class", "Status of an existing case") },
    [CASE_CLASS_SYNPUNKT] = { "synpunkt", "Synpunkter och klagomål",
                              NC_("case-class", "Feedback and complaints") },
};

static const struct tax_entry statuses[CASE_STATUS_COUNT] = {
    [CASE_STATUS_INKOMMEN] = { "inkommen", "Inkommen", NC_("case-status", "Received") },
    [CASE_STATUS_HANDLAGGS] = { "handlaggs", "Handläggs", NC_("case-status", "Being processed") },
    [CASE_STATUS_KOMPLETTERING] = { "komplettering", "Komplettering begärd",
                                    NC_("case-status", "More information requested") },
    [CASE_STATUS_BESLUTAT] = { "beslutat", "Beslut fattat", NC_("case-status", "Decided") },
    [CASE_STATUS_AVSLUTAT] = { "avslutat", "Avslutat", NC_("case-status", "Closed") },
};

/* District names are proper names and are not translated. */
static const struct tax_entry districts[DISTRICT_COUNT] = {
    [DISTRICT_BROMMA] = { "bromma", "Bromma", "Bromma" },
    [DISTRICT_ENSKEDE_ARSTA] = { "enskede_arsta", "Enskede-Årsta", "Enskede-Årsta" },
    [DISTRICT_FARSTA] = { "farsta", "Farsta", "Farsta" },
    [DISTRICT_HAGERSTEN] = { "hagersten", "Hägersten", "Hägersten" },
    [DISTRICT_HASSELBY_VALLINGBY] = { "hasselby_vallingby", "Hässelby-Vällingby",
                                      "Hässelby-Vällingby" },
    [DISTRICT_KATARINA_SOFIA] = { "katarina_sofia", "Katarina-Sofia", "Katarina-Sofia" },
    [DISTRICT_KISTA] = { "kista", "Kista", "Kista" },
    [DISTRICT_KUNGSHOLMEN] = { "kungsholmen", "Kungsholmen", "Kungsholmen" },
    [DISTRICT_LILJEHOLMEN] = { "liljeholmen", "Liljeholmen", "Liljeholmen" },
    [DISTRICT_MARIA_GAMLA_STAN] = { "maria_gamla_stan", "Maria-Gamla stan", "Maria-Gamla stan" },
    [DISTRICT_NORRMALM] = { "norrmalm", "Norrmalm", "Norrmalm" },
    [DISTRICT_RINKEBY] = { "rinkeby", "Rinkeby", "Rinkeby" },
    [DISTRICT_SKARPNACK] = { "skarpnack", "Skarpnäck", "Skarpnäck" },
    [DISTRICT_SKARHOLMEN] = { "skarholmen", "Skärholmen", "Skärholmen" },
    [DISTRICT_SPANGA_TENSTA] = { "spanga_tensta", "Spånga-Tensta", "Spånga-Tensta" },
    [DISTRICT_VANTOR] = { "vantor", "Vantör", "Vantör" },
    [DISTRICT_ALVSJO] = { "alvsjo", "Älvsjö", "Älvsjö" },
    [DISTRICT_OSTERMALM] = { "ostermalm", "Östermalm", "Östermalm" },
};

static const struct {
    const char *code;
    const struct tax_entry *entries;
    size_t count;
} dims[TAX_DIMENSION_COUNT] = {
    [TAX_MAIN] = { "main", mains, CASE_MAIN_COUNT },
    [TAX_TYPE] = { "type", types, CASE_TYPE_COUNT },
    [TAX_CLASS] = { "class", classes, CASE_CLASS_COUNT },
    [TAX_STATUS] = { "status", statuses, CASE_STATUS_COUNT },
    [TAX_DISTRICT] = { "district", districts, DISTRICT_COUNT },
};

#define M(x)     (1u << CASE_MAIN_##x)
#define ANY_MAIN ((1u << CASE_MAIN_COUNT) - 1)

/* Which huvudkategorier each ärendetyp may stand under. */
static const unsigned type_mains[CASE_TYPE_COUNT] = {
    [CASE_TYPE_KOSTATUS] = M(FORSKOLA) | M(UTBILDNING),
    [CASE_TYPE_ANSOKAN] = ANY_MAIN,
    [CASE_TYPE_BOENDE] = M(ALDREOMSORG) | M(OVRIGT),
    [CASE_TYPE_HEMTJANST] = M(ALDREOMSORG),
    [CASE_TYPE_FARDTJANST] = M(FARDTJANST),
    [CASE_TYPE_RIKSFARDTJANST] = M(FARDTJANST),
    [CASE_TYPE_FAKTURAFRAGA] = ANY_MAIN,
    [CASE_TYPE_FIXAREN] = M(ALDREOMSORG),
    [CASE_TYPE_TRYGGHETSLARM] = M(ALDREOMSORG),
    [CASE_TYPE_GOD_MAN] = M(ALDREOMSORG) | M(OVRIGT),
    [CASE_TYPE_DAGVERKSAMHET] = M(ALDREOMSORG),
    [CASE_TYPE_PERSONLIG_ASSISTANS] = M(OVRIGT),
    [CASE_TYPE_LANDSTINGSFRAGA] = M(ALDREOMSORG) | M(OVRIGT),
    [CASE_TYPE_FORSKOLEPLATS] = M(FORSKOLA),
    [CASE_TYPE_SKOLVAL] = M(UTBILDNING),
    [CASE_TYPE_UTOKAD_OMSORGSTID] = M(FORSKOLA),
    [CASE_TYPE_INKOMSTANMALAN] = M(FORSKOLA) | M(EKONOMISKT_BISTAND),
    [CASE_TYPE_EKONOMISKT_BISTAND] = M(EKONOMISKT_BISTAND),
    [CASE_TYPE_ATERRINGNING] = ANY_MAIN,
    [CASE_TYPE_OVRIGT] = ANY_MAIN,
};

size_t
taxonomy_count(enum tax_dimension dim)
{
    return dim < TAX_DIMENSION_COUNT ? dims[dim].count : 0;
}

const struct tax_entry *
taxonomy_entry(enum tax_dimension dim, size_t index)
{
    if (dim >= TAX_DIMENSION_COUNT || index >= dims[dim].count)
        return NULL;
    return &dims[dim].entries[index];
}

int
taxonomy_find(enum tax_dimension dim, const char *code)
{
    for (size_t i = 0; i < taxonomy_count(dim); i++) {
        if (strcmp(dims[dim].entries[i].code, code) == 0)
            return (int)i;
    }
    return -1;
}

const char *
taxonomy_context(enum tax_dimension dim)
{
    static const char *const ctx[TAX_DIMENSION_COUNT] = {
        [TAX_MAIN] = "case-main",     [TAX_TYPE] = "case-type",    [TAX_CLASS] = "case-class",
        [TAX_STATUS] = "case-status", [TAX_DISTRICT] = "district",
    };
    return dim < TAX_DIMENSION_COUNT ? ctx[dim] : "";
}

const char *
taxonomy_dimension_code(enum tax_dimension dim)
{
    return dim < TAX_DIMENSION_COUNT ? dims[dim].code : "unknown";
}

bool
taxonomy_type_allowed(enum case_main main, enum case_type type)
{
    if (main >= CASE_MAIN_COUNT || type >= CASE_TYPE_COUNT)
        return false;
    return (type_mains[type] & (1u << main)) != 0;
}
