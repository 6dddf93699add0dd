/* What the C block paths share (one home): writing a piece of a record, and orjson's rule for a
 * decimal it writes as its own digits. Included by _native_logfmt.c and batching/_native_csv.c. */
#ifndef AXIOM_DROP_NATIVE_JSON_H
#define AXIOM_DROP_NATIVE_JSON_H
#include <Python.h>
#include <string.h>

/* memcpy of the short pieces and values inline (two overlapping fixed-size copies), not a call */
static inline char *put(char *o, const void *from, Py_ssize_t len) {
    const char *s = from;
    if (len >= 8 && len <= 16) {
        memcpy(o, s, 8);
        memcpy(o + len - 8, s + len - 8, 8);
    } else if (len >= 4 && len < 8) {
        memcpy(o, s, 4);
        memcpy(o + len - 4, s + len - 4, 4);
    } else if (len < 4) {
        for (Py_ssize_t k = 0; k < len; k++) o[k] = s[k];
    } else {
        memcpy(o, s, (size_t)len);
    }
    return o + len;
}

/* A decimal "-?digits.digits" (its point at `point`, nothing after the fraction) that orjson writes
 * as its digits without trailing zeros (one kept): at most 15 significant digits, and 0 or at
 * least 0.001 (tested against orjson in both modules' tests). Its written length, else -1. */
static inline Py_ssize_t plain_decimal(const unsigned char *s, Py_ssize_t len, Py_ssize_t point) {
    Py_ssize_t i = s[0] == '-', last = len, whole = point - i;
    if (whole > 15) return -1;
    while (last > point + 1 && s[last - 1] == '0') last--;
    Py_ssize_t kept = last - point - 1;
    if (whole == 1 && s[i] == '0') { /* 0.xxx: at most two zeros after the point */
        Py_ssize_t z = 0;
        while (z < kept && s[point + 1 + z] == '0') z++;
        if (kept && (z > 2 || kept - z > 15)) return -1;
    } else if (whole + kept > 15) {
        return -1;
    }
    return kept ? last : point + 2;
}
#endif
