/* Luhn mod 10. */
#include "luhn.h"

int
luhn_check_digit(const char *digits, size_t n)
{
    int sum = 0;
    int weight = 2;
    for (size_t i = n; i-- > 0;) {
        if (digits[i] < '0' || digits[i] > '9')
            return -1;
        int p = (digits[i] - '0') * weight;
        sum += p > 9 ? p - 9 : p;
        weight = 3 - weight;
    }
    return (10 - sum % 10) % 10;
}

bool
luhn_valid(const char *digits, size_t n)
{
    if (n < 2 || digits[n - 1] < '0' || digits[n - 1] > '9')
        return false;
    return luhn_check_digit(digits, n - 1) == digits[n - 1] - '0';
}
