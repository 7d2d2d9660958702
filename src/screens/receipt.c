/* The top of a receipt (a form's, a callback's): a headline that says where the submission is
 * (waiting on this kiosk, received by the city, not accepted), and one reference to read aloud:
 * the city's case number once there is one, the kiosk's own reference until then. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"

void
receipt_head(struct ui *ui, const struct model_receipt *r, const char *received)
{
    if (r->rejected) {
        ui_heading(ui, _("The city could not accept it"), 1);
        ui_banner(ui,
                  _("Nothing is lost. Please ask the staff at the desk: they can see why and help "
                    "you send it again."),
                  true);
    } else if (r->delivered) {
        ui_heading(ui, received, 1);
    } else {
        ui_heading(ui, _("Saved on this kiosk, not sent yet"), 1);
        ui_paragraph(ui,
                     _("It goes to the city by itself as soon as the connection works. You do "
                       "not need to wait here."),
                     UI_TEXT_BODY);
    }
    const char *status =
        r->rejected ? _("Not accepted by the city; please ask the staff")
        : r->delivered
            ? _("Received by the city")
            : _("Queued on this kiosk; it is sent as soon as the case store can be reached");
    ui_pair(ui, _("Status"), status);
    if (r->rejected && r->reason[0] != '\0')
        ui_pair(ui, _("Reason"), r->reason);
    ui_set_personal(ui, true);
    if (r->case_number[0] != '\0') {
        ui_pair(ui, _("Case number"), r->case_number);
    } else {
        /* "3F2A 91C0": capitals in two groups of four, said one by one */
        char ref[sizeof(r->reference) + 8];
        size_t n = 0;
        for (size_t i = 0; r->reference[i] != '\0' && n + 2 < sizeof(ref); i++) {
            if (i > 0 && i % 4 == 0)
                ref[n++] = ' ';
            ref[n++] = (char)toupper((unsigned char)r->reference[i]);
        }
        ref[n] = '\0';
        ui_pair(ui, _("Reference"), ref);
    }
    ui_set_personal(ui, false);
}
