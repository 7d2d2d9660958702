/* The case taxonomy tables. */
#include "taxonomy.h"

#include <string.h>

#include "macros.h"

static const struct tax_entry mains[CASE_MAIN_COUNT] = {
    [CASE_MAIN_ALDREOMSORG] = { "aldreomsorg", "Äldreomsorg", N_("Elderly care") },
    [CASE_MAIN_FORSKOLA] = { "forskola", "Förskola", N_("Preschool") },
    [CASE_MAIN_UTBILDNING] = { "utbildning", "Utbildning", N_("Education") },
    [CASE_MAIN_EKONOMISKT_BISTAND] = { "ekonomiskt_bistand", "Ekonomiskt bistånd",
                                       N_("Income support") },
    [CASE_MAIN_FARDTJANST] = { "fardtjanst", "Färdtjänst", N_("Mobility service") },
    [CASE_MAIN_OVRIGT] = { "ovrigt", "Övrigt", N_("Other") },
};

static const struct tax_entry types[CASE_TYPE_COUNT] = {
    [CASE_TYPE_KOSTATUS] = { "kostatus", "Köstatus", N_("Queue status") },
    [CASE_TYPE_ANSOKAN] = { "ansokan", "Ansökan", N_("Application") },
    [CASE_TYPE_BOENDE] = { "boende", "Boende", N_("Housing") },
    [CASE_TYPE_HEMTJANST] = { "hemtjanst", "Hemtjänst", N_("Home care") },
    [CASE_TYPE_FARDTJANST] = { "fardtjanst", "Färdtjänst", N_("Mobility service") },
    [CASE_TYPE_RIKSFARDTJANST] = { "riksfardtjanst", "Riksfärdtjänst",
                                   N_("National mobility service") },
    [CASE_TYPE_FAKTURAFRAGA] = { "fakturafraga", "Fakturafråga", N_("Invoice question") },
    [CASE_TYPE_FIXAREN] = { "fixaren", "Fixaren", N_("Handyman service") },
    [CASE_TYPE_TRYGGHETSLARM] = { "trygghetslarm", "Trygghetslarm", N_("Personal safety alarm") },
    [CASE_TYPE_GOD_MAN] = { "god_man", "God man", N_("Legal guardian") },
    [CASE_TYPE_DAGVERKSAMHET] = { "dagverksamhet", "Dagverksamhet", N_("Day care activities") },
    [CASE_TYPE_PERSONLIG_ASSISTANS] = { "personlig_assistans", "Personlig assistans",
                                        N_("Personal assistance") },
    [CASE_TYPE_LANDSTINGSFRAGA] = { "landstingsfraga", "Landstingsfråga",
                                    N_("Question for the region") },
    [CASE_TYPE_FORSKOLEPLATS] = { "forskoleplats", "Förskoleplats", N_("Preschool place") },
    [CASE_TYPE_SKOLVAL] = { "skolval", "Skolval", N_("School choice") },
    [CASE_TYPE_UTOKAD_OMSORGSTID] = { "utokad_omsorgstid", "Utökad omsorgstid",
                                      N_("Extended care hours") },
    [CASE_TYPE_INKOMSTANMALAN] = { "inkomstanmalan", "Inkomstanmälan", N_("Income declaration") },
    [CASE_TYPE_EKONOMISKT_BISTAND] = { "ekonomiskt_bistand", "Ekonomiskt bistånd",
                                       N_("Income support") },
    [CASE_TYPE_ATERRINGNING] = { "aterringning", "Återuppringning", N_("Callback request") },
    [CASE_TYPE_OVRIGT] = { "ovrigt", "Övrigt", N_("Other") },
};

static const struct tax_entry classes[CASE_CLASS_COUNT] = {
    [CASE_CLASS_INFORMATION] = { "information", "Information och vägledning",
                                 N_("Information and guidance") },
    [CASE_CLASS_NY_ANSOKAN] = { "ny_ansokan", "Ny ansökan / nytt ärende",
                                N_("New application or case") },
    [CASE_CLASS_STATUS] = { "status", "Status på befintligt ärende",
                            N_("Status of an existing case") },
    [CASE_CLASS_SYNPUNKT] = { "synpunkt", "Synpunkter och klagomål",
                              N_("Feedback and complaints") },
};

static const struct tax_entry statuses[CASE_STATUS_COUNT] = {
    [CASE_STATUS_INKOMMEN] = { "inkommen", "Inkommen", N_("Received") },
    [CASE_STATUS_HANDLAGGS] = { "handlaggs", "Handläggs", N_("Being processed") },
    [CASE_STATUS_KOMPLETTERING] = { "komplettering", "Komplettering begärd",
                                    N_("More information requested") },
    [CASE_STATUS_BESLUTAT] = { "beslutat", "Beslut fattat", N_("Decided") },
    [CASE_STATUS_AVSLUTAT] = { "avslutat", "Avslutat", N_("Closed") },
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
