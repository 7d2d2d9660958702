/* BankID RP v6, sans-IO. The recommended user messages are BankID's own texts (RFA codes,
 * REFERENCE.md §1), Swedish and English as BankID publishes them. */
#include "bankid.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "xalloc.h"

static const struct bankid_message
    rfa1 = { "RFA1", "Starta BankID-appen", N_("Start the BankID app") },
    rfa3 = { "RFA3", "Åtgärden avbruten. Försök igen.", N_("Cancelled. Please try again.") },
    rfa4 = { "RFA4",
             "En identifiering eller underskrift för det här personnumret är redan påbörjad.",
             N_("An identification for this personal identity number is already in progress.") },
    rfa5 = { "RFA5", "Internt tekniskt fel. Försök igen.",
             N_("Internal error. Please try again.") },
    rfa6 = { "RFA6", "Åtgärden avbruten.", N_("Action cancelled.") },
    rfa8 = { "RFA8",
             "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
             "internetanslutning. Försök sedan igen.",
             N_("The BankID app is not responding. Check that it is started and that you have an "
                "internet connection, then try again.") },
    rfa9 = { "RFA9",
             "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
             N_("Enter your security code in the BankID app and choose Identify.") },
    rfa15 = { "RFA15", "Söker efter BankID…", N_("Looking for BankID…") },
    rfa16 = { "RFA16", "Ditt BankID är för gammalt eller spärrat.",
              N_("Your BankID is too old or blocked.") },
    rfa17b = { "RFA17B",
               "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.",
               N_("The QR code could not be read. Start the BankID app and scan the QR code.") },
    rfa21 = { "RFA21", "Identifiering eller underskrift pågår.",
              N_("Identification or signing in progress.") },
    rfa22 = { "RFA22", "Okänt fel. Försök igen.", N_("Unknown error. Please try again.") },
    rfa23 = { "RFA23", "Fotografera och läs av din ID-handling med BankID-appen.",
              N_("Photograph and scan your identity document with the BankID app.") },
    done = { "", "Klart", N_("Done") };

static const struct {
    const char *hint;
    const struct bankid_message *msg;
} pending_hints[] = {
    { "outstandingTransaction", &rfa1 }, { "noClient", &rfa1 },      { "started", &rfa15 },
    { "userSign", &rfa9 },               { "userMrtd", &rfa23 },     { "userCallConfirm", &rfa21 },
}, failed_hints[] = {
    { "expiredTransaction", &rfa8 },     { "certificateErr", &rfa16 }, { "userCancel", &rfa6 },
    { "cancelled", &rfa3 },              { "startFailed", &rfa17b },   { "userDeclinedCall", &rfa6 },
    { "notSupportedByUserApp", &rfa22 }, { "transactionRiskBlocked", &rfa22 },
};

char *
bankid_auth_request(const char *end_user_ip, const char *user_visible_text)
{
    size_t len = strlen(user_visible_text);
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(cap);
    sodium_bin2base64(b64, cap, (const unsigned char *)user_visible_text, len,
                      sodium_base64_VARIANT_ORIGINAL);
    json_t *o = json_pack("{s:s, s:s, s:s}", "endUserIp", end_user_ip, "userVisibleData", b64,
                          "userVisibleDataFormat", "simpleMarkdownV1");
    free(b64);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

char *
bankid_order_request(const char *order_ref)
{
    json_t *o = json_pack("{s:s}", "orderRef", order_ref);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static bool
copy_field(const json_t *o, const char *key, bool required, char *out, size_t size,
           struct errbuf *err)
{
    const char *v = NULL;
    if (!json_get_str(o, key, required, size - 1, &v, err))
        return false;
    snprintf(out, size, "%s", v ? v : "");
    return true;
}

bool
bankid_parse_auth(const char *body, size_t len, struct bankid_auth_response *out,
                  struct errbuf *err)
{
    memset(out, 0, sizeof(*out));
    json_t *o = json_parse_capped(body, len, 65536, err);
    bool ok = o != NULL &&
              copy_field(o, "orderRef", true, out->order_ref, sizeof(out->order_ref), err) &&
              copy_field(o, "autoStartToken", false, out->auto_start_token,
                         sizeof(out->auto_start_token), err) &&
              copy_field(o, "qrStartToken", true, out->qr_start_token, sizeof(out->qr_start_token),
                         err) &&
              copy_field(o, "qrStartSecret", true, out->qr_start_secret,
                         sizeof(out->qr_start_secret), err);
    json_decref(o);
    return ok;
}

static bool
all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

bool
bankid_parse_collect(const char *body, size_t len, struct bankid_collect *out, struct errbuf *err)
{
    memset(out, 0, sizeof(*out));
    json_t *o = json_parse_capped(body, len, 65536, err);
    const char *status = NULL;
    bool ok = o != NULL && json_get_str(o, "status", true, 16, &status, err) &&
              copy_field(o, "hintCode", false, out->hint_code, sizeof(out->hint_code), err);
    if (ok && strcmp(status, "pending") == 0) {
        out->state = BANKID_PENDING;
    } else if (ok && strcmp(status, "failed") == 0) {
        out->state = BANKID_FAILED;
    } else if (ok && strcmp(status, "complete") == 0) {
        out->state = BANKID_COMPLETE;
        json_t *user = json_object_get(json_object_get(o, "completionData"), "user");
        ok = copy_field(user, "personalNumber", true, out->user.personal_number,
                        sizeof(out->user.personal_number), err) &&
             copy_field(user, "givenName", true, out->user.given_name, sizeof(out->user.given_name),
                        err) &&
             copy_field(user, "surname", true, out->user.surname, sizeof(out->user.surname), err) &&
             copy_field(user, "name", false, out->user.name, sizeof(out->user.name), err);
        if (ok && !all_digits(out->user.personal_number, 12)) {
            err_set(err, "completionData.user.personalNumber: not 12 digits");
            ok = false;
        }
        if (!ok)
            err_prefix(err, "completionData.user");
    } else if (ok) {
        err_set(err, "status: expected pending, failed or complete");
        ok = false;
    }
    json_decref(o);
    if (!ok)
        sodium_memzero(&out->user, sizeof(out->user));
    return ok;
}

const struct bankid_message *
bankid_message_for(const struct bankid_collect *c)
{
    if (c->state == BANKID_COMPLETE)
        return &done;
    if (c->state == BANKID_PENDING) {
        for (size_t i = 0; i < ARRAY_LEN(pending_hints); i++) {
            if (strcmp(c->hint_code, pending_hints[i].hint) == 0)
                return pending_hints[i].msg;
        }
        return &rfa21;
    }
    for (size_t i = 0; i < ARRAY_LEN(failed_hints); i++) {
        if (strcmp(c->hint_code, failed_hints[i].hint) == 0)
            return failed_hints[i].msg;
    }
    return &rfa22;
}

const struct bankid_message *
bankid_message_for_error(const char *error_code)
{
    if (error_code != NULL && strcmp(error_code, "alreadyInProgress") == 0)
        return &rfa4;
    if (error_code != NULL && strcmp(error_code, "canceled") == 0)
        return &rfa3;
    return &rfa5; /* requestTimeout, maintenance, internalError, tooManyRequests, unknown */
}

bool
bankid_restart_on(const char *hint_code)
{
    return strcmp(hint_code, "startFailed") == 0;
}
