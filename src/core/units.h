/* The city's preschool units (förskolor) per district: what a citizen may put in priority order
 * on an application for a preschool place. Proper names; not translated. */
#ifndef MINASIDOR_UNITS_H
#define MINASIDOR_UNITS_H

#include <stddef.h>

struct unit {
    const char *district; /* taxonomy district code */
    const char *name;     /* "Förskolan Ugglan" */
};

/* The units of the districts in districts_csv ("bromma,kista"), in table order; at most max
 * into out. Returns how many were written. */
size_t units_in_districts(const char *districts_csv, const struct unit **out, size_t max);

/* The unit with this name, or NULL. */
const struct unit *unit_find(const char *name);

#endif
