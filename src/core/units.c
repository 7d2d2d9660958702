/* The preschool unit register. */
#include "units.h"

#include <stdbool.h>
#include <string.h>

#include "macros.h"

static const struct unit units[] = {
    { "bromma", "Förskolan Ugglan" },
    { "bromma", "Förskolan Solrosen" },
    { "bromma", "Förskolan Ekorren" },
    { "bromma", "Förskolan Äppelgården" },
    { "bromma", "Förskolan Tallkotten" },
    { "bromma", "Förskolan Nyckelpigan" },
    { "hasselby_vallingby", "Förskolan Blåklockan" },
    { "hasselby_vallingby", "Förskolan Sjöstjärnan" },
    { "hasselby_vallingby", "Förskolan Lärkan" },
    { "hasselby_vallingby", "Förskolan Humlan" },
    { "kista", "Förskolan Regnbågen" },
    { "kista", "Förskolan Kometen" },
    { "kista", "Förskolan Myran" },
    { "spanga_tensta", "Förskolan Vinden" },
    { "spanga_tensta", "Förskolan Fjärilen" },
    { "rinkeby", "Förskolan Stjärnan" },
    { "rinkeby", "Förskolan Pärlan" },
    { "enskede_arsta", "Förskolan Skogsgläntan" },
    { "enskede_arsta", "Förskolan Lönnen" },
    { "farsta", "Förskolan Vitsippan" },
    { "farsta", "Förskolan Kotten" },
    { "hagersten", "Förskolan Måsen" },
    { "hagersten", "Förskolan Linden" },
    { "katarina_sofia", "Förskolan Vitabergen" },
    { "katarina_sofia", "Förskolan Masten" },
    { "kungsholmen", "Förskolan Kronan" },
    { "kungsholmen", "Förskolan Strandbacken" },
    { "liljeholmen", "Förskolan Tornet" },
    { "liljeholmen", "Förskolan Båten" },
    { "maria_gamla_stan", "Förskolan Mariaberget" },
    { "maria_gamla_stan", "Förskolan Skeppet" },
    { "norrmalm", "Förskolan Observatoriet" },
    { "norrmalm", "Förskolan Vasaparken" },
    { "skarpnack", "Förskolan Trädgården" },
    { "skarpnack", "Förskolan Ängen" },
    { "skarholmen", "Förskolan Sätraskogen" },
    { "skarholmen", "Förskolan Bredäng" },
    { "vantor", "Förskolan Rågsved" },
    { "vantor", "Förskolan Hagsätra" },
    { "alvsjo", "Förskolan Solberga" },
    { "alvsjo", "Förskolan Långbro" },
    { "ostermalm", "Förskolan Humlegården" },
    { "ostermalm", "Förskolan Gärdet" },
};

/* Whether code is one of the comma-separated entries of csv. */
static bool
listed(const char *csv, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = csv; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, code, n) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

size_t
units_in_districts(const char *districts_csv, const struct unit **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(units) && n < max; i++) {
        if (listed(districts_csv, units[i].district))
            out[n++] = &units[i];
    }
    return n;
}

const struct unit *
unit_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < ARRAY_LEN(units); i++) {
        if (strcmp(units[i].name, name) == 0)
            return &units[i];
    }
    return NULL;
}
