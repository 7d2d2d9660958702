/* What speech says of a node of the semantic tree: its name, its role and its state, in the
 * current language ("Fakturor, knapp, två obetalda"; "Kontrast, på"). A node that shows
 * personal data says only its role and that details are read with headphones when the speech
 * goes to the loudspeaker. */
#include <stdio.h>

#include "ui.h"

size_t
ui_spoken(const struct ui_node *n, bool personal_ok, char *out, size_t size)
{
    int len;
    if (n->personal && !personal_ok)
        len = snprintf(out, size, "%s", "");
    else if (n->value[0] != '\0')
        len = snprintf(out, size, "%s, %s", n->label, n->value);
    else
        len = snprintf(out, size, "%s", n->label);
    return len < 0 ? 0 : (size_t)len;
}
