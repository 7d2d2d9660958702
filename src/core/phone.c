/* Swedish phone numbers. */
#include "phone.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Three-digit area codes (with the trunk 0); other geographic codes have four digits, and
 * Stockholm has 08. */
static const char *const area3[] = {
    "010", "011", "013", "016", "018", "019", "020", "021", "023",
    "026", "031", "033", "035", "036", "040", "042", "044", "046",
    "054", "060", "063", "070", "072", "073", "076", "079", "090",
};

enum phone_error
phone_parse(const char *input, struct phone *out)
{
    char d[32];
    size_t n = 0;
    bool plus = false;
    bool any = false;
    for (const char *p = input; *p; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if (n == sizeof(d) - 1)
                return PHONE_ERR_LENGTH;
            d[n++] = c;
            any = true;
        } else if (c == '+' && !any && !plus) {
            plus = true;
        } else if (c == '(' && p[1] == '0' && p[2] == ')' && (plus || n >= 2)) {
            p += 2; /* "+46 (0)70": the trunk zero written in brackets is dropped */
        } else if (strchr(" -().\t/", c) == NULL) {
            return PHONE_ERR_CHARACTERS;
        }
    }
    d[n] = '\0';
    if (n == 0)
        return plus ? PHONE_ERR_LENGTH : PHONE_ERR_EMPTY;

    /* Reduce to the national significant number (NSN), without country code or trunk 0. */
    const char *nsn;
    if (plus || (n >= 2 && d[0] == '0' && d[1] == '0')) {
        const char *cc = plus ? d : d + 2;
        if (strncmp(cc, "46", 2) != 0)
            return PHONE_ERR_COUNTRY;
        nsn = cc + 2;
        if (*nsn == '0')
            nsn++; /* "+460701234567": a kept trunk zero is a common slip */
    } else if (d[0] == '0') {
        nsn = d + 1;
    } else {
        return PHONE_ERR_PREFIX; /* no area code: we cannot guess one */
    }
    size_t len = strlen(nsn);
    if (len == 0)
        return PHONE_ERR_LENGTH;
    if (*nsn == '0')
        return PHONE_ERR_PREFIX;

    enum phone_kind kind = PHONE_KIND_LANDLINE;
    if (nsn[0] == '7') {
        switch (nsn[1]) {
        case '0':
        case '2':
        case '3':
        case '6':
        case '9':
            kind = PHONE_KIND_MOBILE;
            break;
        case '5':
        case '7':
        case '8':
            kind = PHONE_KIND_SERVICE;
            break;
        default:
            return PHONE_ERR_PREFIX; /* 071 machine-to-machine, 074 paging */
        }
    } else if (strncmp(nsn, "900", 3) == 0 || strncmp(nsn, "939", 3) == 0 ||
               strncmp(nsn, "944", 3) == 0) {
        return PHONE_ERR_PREMIUM;
    } else if (strncmp(nsn, "20", 2) == 0) {
        kind = PHONE_KIND_SERVICE;
    }

    if (kind == PHONE_KIND_MOBILE ? len != 9 : (len < 7 || len > 9))
        return PHONE_ERR_LENGTH;

    snprintf(out->e164, sizeof(out->e164), "+46%s", nsn);
    out->kind = kind;
    return PHONE_OK;
}

void
phone_format_national(const struct phone *p, char *out, size_t out_size)
{
    const char *nsn = p->e164 + 3;
    char national[16];
    snprintf(national, sizeof(national), "0%s", nsn);
    size_t area = 4;
    if (national[1] == '8') {
        area = 2;
    } else {
        for (size_t i = 0; i < sizeof(area3) / sizeof(area3[0]); i++) {
            if (strncmp(national, area3[i], 3) == 0)
                area = 3;
        }
    }
    const char *sub = national + area;
    size_t sl = strlen(sub);
    /* Subscriber groups as written in Sweden: 5 "123 45", 6 "12 34 56", 7 "123 45 67",
     * 8 "123 456 78". */
    static const char *const patterns[] = { "",       "#",        "##",        "###",       "## ##",
                                            "### ##", "## ## ##", "### ## ##", "### ### ##" };
    const char *pat = sl < sizeof(patterns) / sizeof(patterns[0]) ? patterns[sl] : NULL;
    char grouped[24];
    size_t g = 0;
    if (pat == NULL) {
        snprintf(grouped, sizeof(grouped), "%s", sub);
    } else {
        size_t s = 0;
        for (const char *q = pat; *q && g + 1 < sizeof(grouped); q++)
            grouped[g++] = *q == '#' ? sub[s++] : ' ';
        grouped[g] = '\0';
    }
    snprintf(out, out_size, "%.*s-%s", (int)area, national, grouped);
}

const char *
phone_kind_code(enum phone_kind k)
{
    switch (k) {
    case PHONE_KIND_MOBILE:
        return "mobile";
    case PHONE_KIND_LANDLINE:
        return "landline";
    case PHONE_KIND_SERVICE:
        return "service";
    }
    return "unknown";
}

const char *
phone_error_code(enum phone_error e)
{
    switch (e) {
    case PHONE_OK:
        return "ok";
    case PHONE_ERR_EMPTY:
        return "empty";
    case PHONE_ERR_CHARACTERS:
        return "characters";
    case PHONE_ERR_COUNTRY:
        return "country";
    case PHONE_ERR_PREFIX:
        return "prefix";
    case PHONE_ERR_LENGTH:
        return "length";
    case PHONE_ERR_PREMIUM:
        return "premium";
    }
    return "unknown";
}

const char *
phone_error_message(enum phone_error e)
{
    switch (e) {
    case PHONE_OK:
        return N_("Valid");
    case PHONE_ERR_EMPTY:
        return N_("Enter a phone number");
    case PHONE_ERR_CHARACTERS:
        return N_("A phone number has only digits, spaces and dashes");
    case PHONE_ERR_COUNTRY:
        return N_("We can only call Swedish numbers (+46)");
    case PHONE_ERR_PREFIX:
        return N_("Start with the area code, e.g. 08 or 070");
    case PHONE_ERR_LENGTH:
        return N_("The number has too few or too many digits");
    case PHONE_ERR_PREMIUM:
        return N_("Premium-rate numbers cannot be called back");
    }
    return N_("Not a valid phone number");
}
