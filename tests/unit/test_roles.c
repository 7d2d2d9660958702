/* Signed role lists: only a valid signature, for this site, not expired, grants a role. */
#include <sodium.h>

#include "roles.h"
#include "test.h"

static unsigned char pk[32], sk[64];
static const char doc[] = "{\"site\":\"bromma-mbk\",\"issued_at\":1795000000,\"expires_at\":"
                          "1796000000,\"roles\":[{\"pnr\":\"198211059954\",\"role\":\"staff\","
                          "\"staff_id\":\"staff-17\"},{\"pnr\":\"199012119948\",\"role\":"
                          "\"technician\",\"staff_id\":\"tech-3\"}]}";

static enum role
lookup(const char *d, const unsigned char *sig, size_t sig_len, const char *site, const char *pnr,
       int64_t now, char *why_out)
{
    char id[40];
    struct errbuf why;
    enum role r = roles_lookup(pk, d, strlen(d), sig, sig_len, site, pnr, now, id, &why);
    if (why_out != NULL)
        snprintf(why_out, 256, "%s", why.msg);
    return r;
}

TEST(a_signed_list_grants_the_listed_roles)
{
    CHECK(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
    unsigned char sig[64];
    crypto_sign_detached(sig, NULL, (const unsigned char *)doc, strlen(doc), sk);
    CHECK_INT(ROLE_STAFF, lookup(doc, sig, 64, "bromma-mbk", "198211059954", 1795500000, NULL));
    CHECK_INT(ROLE_TECHNICIAN,
              lookup(doc, sig, 64, "bromma-mbk", "199012119948", 1795500000, NULL));
    char why[256];
    CHECK_INT(ROLE_CITIZEN, lookup(doc, sig, 64, "bromma-mbk", "191212121212", 1795500000, why));
    CHECK_STR("not in the role list", why);
    char id[40];
    struct errbuf e;
    roles_lookup(pk, doc, strlen(doc), sig, 64, "bromma-mbk", "198211059954", 1795500000, id, &e);
    CHECK_STR("staff-17", id);
}

TEST(anything_wrong_with_the_list_grants_nothing)
{
    unsigned char sig[64];
    crypto_sign_detached(sig, NULL, (const unsigned char *)doc, strlen(doc), sk);
    char why[256];
    char tampered[sizeof(doc)];
    memcpy(tampered, doc, sizeof(doc));
    tampered[strlen(doc) - 20] ^= 1;
    CHECK_INT(ROLE_CITIZEN,
              lookup(tampered, sig, 64, "bromma-mbk", "198211059954", 1795500000, why));
    CHECK_STR("the role list is not signed by the case store", why);
    CHECK_INT(ROLE_CITIZEN, lookup(doc, NULL, 0, "bromma-mbk", "198211059954", 1795500000, why));
    unsigned char opk[32], osk[64], osig[64];
    crypto_sign_keypair(opk, osk);
    crypto_sign_detached(osig, NULL, (const unsigned char *)doc, strlen(doc), osk);
    CHECK_INT(ROLE_CITIZEN, lookup(doc, osig, 64, "bromma-mbk", "198211059954", 1795500000, why));
    CHECK_INT(ROLE_CITIZEN, lookup(doc, sig, 64, "kista-mbk", "198211059954", 1795500000, why));
    CHECK_STR("the role list is for another site", why);
    CHECK_INT(ROLE_CITIZEN, lookup(doc, sig, 64, "bromma-mbk", "198211059954", 1796000000, why));
    CHECK_STR("the role list has expired", why);
    const char bad[] = "{\"site\":\"bromma-mbk\"}";
    crypto_sign_detached(sig, NULL, (const unsigned char *)bad, strlen(bad), sk);
    CHECK_INT(ROLE_CITIZEN, lookup(bad, sig, 64, "bromma-mbk", "198211059954", 1, why));
    CHECK_STR("the role list is malformed", why);
}

int
main(void)
{
    RUN(a_signed_list_grants_the_listed_roles);
    RUN(anything_wrong_with_the_list_grants_nothing);
    return test_done();
}
