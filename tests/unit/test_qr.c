/* The animated QR: REFERENCE.md §1 test vectors, and a matrix a camera can read. */
#include <sodium.h>

#include "qr.h"
#include "test.h"

static const char token[] = "67df3917-fa0d-44e5-b327-edcc928297f8";
static const char secret[] = "d28db9a7-4cde-429e-a983-359be676944c";

TEST(qr_content_reproduces_the_reference_vectors)
{
    CHECK(sodium_init() >= 0);
    static const char *const want[] = {
        "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0."
        "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8",
        "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.1."
        "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2",
        "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.2."
        "a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3",
    };
    for (int t = 0; t < 3; t++) {
        char out[160];
        CHECK(qr_bankid_data(token, secret, t, out, sizeof(out)));
        CHECK_STR(want[t], out);
    }
}

TEST(qr_content_refuses_what_cannot_be_right)
{
    char out[160];
    CHECK(!qr_bankid_data("", secret, 0, out, sizeof(out)));
    CHECK(!qr_bankid_data(token, "", 0, out, sizeof(out)));
    CHECK(!qr_bankid_data(token, secret, -1, out, sizeof(out)));
    CHECK(!qr_bankid_data(token, secret, 0, out, 20));
    char a[160], b[160];
    CHECK(qr_bankid_data(token, secret, 30, a, sizeof(a)));
    CHECK(qr_bankid_data(token, "another-secret", 30, b, sizeof(b)));
    CHECK(strcmp(a, b) != 0);
}

static bool
finder_at(const struct qr_matrix *m, int x0, int y0)
{
    /* A finder pattern: a dark 7x7 ring, a light ring inside it, a dark 3x3 centre. */
    for (int y = 0; y < 7; y++) {
        for (int x = 0; x < 7; x++) {
            bool ring = x == 0 || y == 0 || x == 6 || y == 6;
            bool centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
            if (m->modules[(y0 + y) * m->size + x0 + x] != (ring || centre))
                return false;
        }
    }
    return true;
}

TEST(qr_matrix_has_its_quiet_zone_and_finder_patterns)
{
    char data[160];
    CHECK(qr_bankid_data(token, secret, 12, data, sizeof(data)));
    struct qr_matrix m;
    CHECK(qr_encode(data, &m));
    int inner = m.size - 2 * QR_QUIET_ZONE;
    CHECK_MSG(inner >= 21 && (inner - 17) % 4 == 0, "%d modules is not a QR size", inner);
    for (int i = 0; i < m.size; i++) {
        for (int q = 0; q < QR_QUIET_ZONE; q++) {
            CHECK(m.modules[q * m.size + i] == 0);
            CHECK(m.modules[(m.size - 1 - q) * m.size + i] == 0);
            CHECK(m.modules[i * m.size + q] == 0);
            CHECK(m.modules[i * m.size + m.size - 1 - q] == 0);
        }
    }
    int q = QR_QUIET_ZONE;
    CHECK(finder_at(&m, q, q));
    CHECK(finder_at(&m, m.size - q - 7, q));
    CHECK(finder_at(&m, q, m.size - q - 7));
    CHECK(!finder_at(&m, m.size - q - 7, m.size - q - 7));
    qr_matrix_free(&m);
}

int
main(void)
{
    RUN(qr_content_reproduces_the_reference_vectors);
    RUN(qr_content_refuses_what_cannot_be_right);
    RUN(qr_matrix_has_its_quiet_zone_and_finder_patterns);
    return test_done();
}
