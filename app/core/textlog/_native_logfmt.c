/* The logfmt block path of fast_logfmt.py in C: a block of whole logfmt lines that share their
 * keys turned into NDJSON, byte for byte what fast_logfmt's line pattern and %-template give
 * (tests compare the two on random lines), with the GIL released while lines are read and
 * records written.
 *
 *   translate(block, n, literals, kinds, pieces, time_group, times, tails, floats) -> bytes | None
 *
 * Every rule about what the keys are stays in Python (fast_logfmt._Schema, from the first line):
 * `literals` is each pair's text before its value (b"time=", b" level=", ...), `kinds` each
 * value's kind ("quoted", "int", "float", "bool", "text", or the time as an ISO text "iso" /
 * "iso-quoted", which is three groups: second, fraction, zone), `pieces` the record's bytes
 * between its values (the time's lead first: the whole time, or head, fraction, tail for an ISO
 * one; then every group), `time_group` the group holding the time (-1: none; a quoted, text or ISO
 * value, as fast_logfmt chooses it: another kind is a ValueError).
 *
 * `times` maps a time's raw bytes (ISO: its second and zone) to RFC 3339 bytes (ISO: the head up
 * to the second), `tails` (ISO only, else None) the same key to what follows the fraction; both
 * asked once per run of equal keys; `floats` maps a decimal's text to the bytes orjson writes for
 * it, asked only for those this file does not write itself. Whatever they raise is raised.
 *
 * None: the block does not qualify: not `n` lines, no final newline, a backslash, a control byte
 * but "\n", a byte >= 0x80, or a line that is not the pairs in order each of its kind. The value
 * matchers follow fast_logfmt._KINDS and _ISO step by step, backtracking where they would (only
 * the ISO time has choices that can matter): change both together. Numbers are written as orjson
 * writes int(text) / float(text): an int as it is (but "-0" is "0"), a decimal of at most 15
 * significant digits, no exponent, 0 or at least 0.001 and below 1e15, as its digits without
 * trailing zeros (one kept); any other float through `floats`. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_native_json.h"

typedef struct { Py_ssize_t at, len; } Span; /* len < 0: a float written through `floats` (-len - 1) */
typedef struct { const char *text; Py_ssize_t len; } Text;

enum { QUOTED, INT, FLOAT, BOOL, TEXT, ISO, ISO_QUOTED };
static const char *KIND_NAMES[] = {"quoted", "int", "float", "bool", "text", "iso", "iso-quoted"};

typedef struct {
    const char *lit;
    Py_ssize_t lit_len;
    int kind, group;
} Pair;

typedef struct {
    const unsigned char *src;
    Py_ssize_t size, lines, odd; /* odd: floats written through `floats` */
    Pair *pairs;
    int npairs, width; /* width: groups per line */
    Span *groups;      /* width per line */
} Block;

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_space(unsigned char c) { return c == ' ' || (c >= 9 && c <= 13); } /* bytes-pattern \s */

static Py_ssize_t digits(const unsigned char *l, Py_ssize_t n, Py_ssize_t p) {
    while (p < n && is_digit(l[p])) p++;
    return p;
}

/* _NUMBER, "-?(?:0|[1-9]\d{0,17})", at p: the offset after it, or -1 */
static Py_ssize_t number(const unsigned char *l, Py_ssize_t n, Py_ssize_t p) {
    if (p < n && l[p] == '-') p++;
    if (p < n && l[p] == '0') return p + 1;
    if (p >= n || !is_digit(l[p])) return -1;
    Py_ssize_t q = digits(l, n, p), most = p + 18;
    return q < most ? q : most;
}

/* "[eE][+-]?\d+" at p: the offset after it, or -1 */
static Py_ssize_t exponent(const unsigned char *l, Py_ssize_t n, Py_ssize_t p) {
    if (p >= n || (l[p] != 'e' && l[p] != 'E')) return -1;
    p++;
    if (p < n && (l[p] == '+' || l[p] == '-')) p++;
    Py_ssize_t q = digits(l, n, p);
    return q > p ? q : -1;
}

/* "\.\d+" at p: the offset after it, or -1 */
static Py_ssize_t fraction(const unsigned char *l, Py_ssize_t n, Py_ssize_t p) {
    if (p >= n || l[p] != '.') return -1;
    Py_ssize_t q = digits(l, n, p + 1);
    return q > p + 1 ? q : -1;
}

static int at_end(const unsigned char *l, Py_ssize_t n, Py_ssize_t p) { return p == n || l[p] == ' '; } /* (?= |$) */

/* text's look-ahead "(?!(?:NUMBER(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false)(?= |$))": 1 when the
 * value is such a word (then it is no text) */
static int typed_word(const unsigned char *l, Py_ssize_t n, Py_ssize_t p) {
    Py_ssize_t q = number(l, n, p);
    if (q >= 0) {
        Py_ssize_t f = fraction(l, n, q);
        if (f >= 0) q = f;
        Py_ssize_t e = exponent(l, n, q);
        if (e >= 0) q = e;
        if (at_end(l, n, q)) return 1;
    }
    if (n - p >= 4 && memcmp(l + p, "true", 4) == 0 && at_end(l, n, p + 4)) return 1;
    return n - p >= 5 && memcmp(l + p, "false", 5) == 0 && at_end(l, n, p + 5);
}

/* A float orjson writes as its digits (see the top): its length without trailing zeros, else -1 */
static Py_ssize_t plain_float(const unsigned char *s, Py_ssize_t len) {
    Py_ssize_t point = s[0] == '-';
    while (point < len && s[point] != '.') point++;
    if (point == len) return -1; /* an exponent without a fraction */
    Py_ssize_t end = point + 1;
    while (end < len && is_digit(s[end])) end++;
    if (end != len) return -1; /* an exponent */
    return plain_decimal(s, len, point);
}

static int match_from(Block *b, const unsigned char *l, Py_ssize_t n, Py_ssize_t base, int i, Py_ssize_t p, Span *g);

/* _ISO "(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)([.,]\d{1,9})?([Zz]|[+-]\d\d:?\d\d)?" quoted, or
 * _ISO_BARE (a "T", no space), then the rest of the line from pair i + 1: each choice of fraction
 * and zone in the regex's order */
static int match_iso(Block *b, const unsigned char *l, Py_ssize_t n, Py_ssize_t base, int i, Py_ssize_t p,
                     Span *g, int quoted) {
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    if (quoted) {
        if (p >= n || l[p] != '"') return 0;
        p++;
    }
    if (n - p < 19) return 0;
    for (int k = 0; k < 19; k++) {
        unsigned char c = l[p + k], s = (unsigned char)shape[k];
        if (s == 'd' ? !is_digit(c) : s == 'T' ? (c != 'T' && (c != ' ' || !quoted)) : c != s) return 0;
    }
    int sec = b->pairs[i].group;
    g[sec] = (Span){base + p, 19};
    Py_ssize_t r = p + 19, most = 0;
    if (r < n && (l[r] == '.' || l[r] == ',')) {
        Py_ssize_t d = digits(l, n, r + 1) - r - 1;
        most = d > 9 ? 9 : d;
    }
    for (Py_ssize_t f = most; f >= 0; f--) { /* the fraction's digits, greedy; then none */
        Py_ssize_t z = f ? r + 1 + f : r, zones[3], nz = 0;
        if (z < n && (l[z] == 'Z' || l[z] == 'z')) {
            zones[nz++] = 1;
        } else if (z + 2 < n && (l[z] == '+' || l[z] == '-') && is_digit(l[z + 1]) && is_digit(l[z + 2])) {
            if (z + 5 < n && l[z + 3] == ':' && is_digit(l[z + 4]) && is_digit(l[z + 5])) zones[nz++] = 6;
            if (z + 4 < n && is_digit(l[z + 3]) && is_digit(l[z + 4])) zones[nz++] = 5;
        }
        zones[nz++] = 0;
        for (Py_ssize_t k = 0; k < nz; k++) {
            Py_ssize_t e = z + zones[k];
            if (quoted) {
                if (e >= n || l[e] != '"') continue;
            }
            g[sec + 1] = (Span){base + r, f ? f + 1 : 0};
            g[sec + 2] = (Span){base + z, zones[k]};
            if (match_from(b, l, n, base, i + 1, quoted ? e + 1 : e, g)) return 1;
        }
    }
    return 0;
}

/* "^" + the pairs from i on + "$" over line[p, n); the groups into g (offsets from the block) */
static int match_from(Block *b, const unsigned char *l, Py_ssize_t n, Py_ssize_t base, int i, Py_ssize_t p, Span *g) {
    for (; i < b->npairs; i++) {
        const Pair *pr = &b->pairs[i];
        if (n - p < pr->lit_len || memcmp(l + p, pr->lit, (size_t)pr->lit_len) != 0) return 0;
        p += pr->lit_len;
        Span *s = &g[pr->group];
        Py_ssize_t q;
        switch (pr->kind) {
        case QUOTED: { /* "([^"\n]*)" */
            if (p >= n || l[p] != '"') return 0;
            const unsigned char *close = memchr(l + p + 1, '"', (size_t)(n - p - 1));
            if (!close) return 0;
            q = close - l;
            *s = (Span){base + p + 1, q - p - 1};
            p = q + 1;
            break;
        }
        case INT: /* (NUMBER)(?= |$) */
            q = number(l, n, p);
            if (q < 0 || !at_end(l, n, q)) return 0;
            *s = q - p == 2 && l[p] == '-' && l[p + 1] == '0' ? (Span){base + p + 1, 1} : (Span){base + p, q - p};
            p = q;
            break;
        case FLOAT: { /* (NUMBER(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+))(?= |$) */
            q = number(l, n, p);
            if (q < 0) return 0;
            Py_ssize_t f = fraction(l, n, q);
            if (f >= 0) {
                Py_ssize_t e = exponent(l, n, f);
                q = e >= 0 ? e : f;
            } else {
                q = exponent(l, n, q);
                if (q < 0) return 0;
            }
            if (!at_end(l, n, q)) return 0;
            Py_ssize_t plain = plain_float(l + p, q - p);
            *s = (Span){base + p, plain >= 0 ? plain : -(q - p) - 1};
            p = q;
            break;
        }
        case BOOL: /* (true|false)(?= |$) */
            if (n - p >= 4 && memcmp(l + p, "true", 4) == 0) q = p + 4;
            else if (n - p >= 5 && memcmp(l + p, "false", 5) == 0) q = p + 5;
            else return 0;
            if (!at_end(l, n, q)) return 0;
            *s = (Span){base + p, q - p};
            p = q;
            break;
        case TEXT: /* ((?!typed word)[^\s"]*) */
            if (typed_word(l, n, p)) return 0;
            q = p;
            while (q < n && !is_space(l[q]) && l[q] != '"') q++;
            *s = (Span){base + p, q - p};
            p = q;
            break;
        default: /* ISO, ISO_QUOTED: the rest of the line is matched from there */
            return match_iso(b, l, n, base, i, p, g, pr->kind == ISO_QUOTED);
        }
    }
    return p == n;
}

/* No backslash, no control byte but "\n", ASCII */
static int plain_bytes(const unsigned char *p, const unsigned char *end) {
    for (; p < end; p++)
        if (*p == '\\' || *p >= 0x80 || (*p < 32 && *p != '\n')) return 0;
    return 1;
}

/* Every line matched, no backslash or control byte but "\n", ASCII: 1; else 0. Runs without the GIL. */
static int read_lines(Block *b) {
    const unsigned char *s = b->src, *end = s + b->size;
    const unsigned char *p = s;
    for (; end - p >= 8; p += 8) { /* 8 bytes at a time; a word that may hold one is looked at bytewise */
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t ones = 0x0101010101010101u, highs = ones * 0x80, slash = w ^ (ones * '\\');
        if (((w | ((w - ones * 32) & ~w) | ((slash - ones) & ~slash)) & highs) && !plain_bytes(p, p + 8)) return 0;
    }
    if (!plain_bytes(p, end)) return 0;
    Py_ssize_t i = 0;
    for (const unsigned char *p = s; p < end; i++) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!match_from(b, p, nl - p, p - s, 0, 0, b->groups + i * b->width)) return 0;
        p = nl + 1;
    }
    return 1;
}

/* ---- the Python side: lookups, then writing --------------------------------------------------- */

/* mapping[key] as bytes kept alive in `keep` */
static int look_up(PyObject *mapping, PyObject *key, PyObject *keep, Text *out) {
    PyObject *value = PyObject_GetItem(mapping, key);
    if (!value) return -1;
    int added = PyList_Append(keep, value);
    Py_DECREF(value);
    if (added < 0) return -1;
    if (!PyBytes_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "the time and float mappings must give bytes");
        return -1;
    }
    *out = (Text){PyBytes_AS_STRING(value), PyBytes_GET_SIZE(value)};
    return 0;
}

static PyObject *key_of(const char *src, Span a, Span b) {
    PyObject *key = PyBytes_FromStringAndSize(NULL, a.len + b.len);
    if (key) {
        memcpy(PyBytes_AS_STRING(key), src + a.at, (size_t)a.len);
        memcpy(PyBytes_AS_STRING(key) + a.len, src + b.at, (size_t)b.len);
    }
    return key;
}

static int same(const unsigned char *src, Span a, Span b) {
    return a.len == b.len && memcmp(src + a.at, src + b.at, (size_t)a.len) == 0;
}

static PyObject *translate(PyObject *self, PyObject *args) {
    PyObject *data, *literals, *kinds, *pieces, *times, *tails, *floats;
    Py_ssize_t n;
    int time_group;
    if (!PyArg_ParseTuple(args, "SnO!O!O!iOOO:translate", &data, &n, &PyTuple_Type, &literals, &PyTuple_Type,
                          &kinds, &PyTuple_Type, &pieces, &time_group, &times, &tails, &floats))
        return NULL;
    char *buf;
    Py_ssize_t size;
    if (PyBytes_AsStringAndSize(data, &buf, &size) < 0) return NULL;
    const unsigned char *src = (const unsigned char *)buf;
    Block b = {src, size, 0, 0, NULL, (int)PyTuple_GET_SIZE(literals), 0, NULL};
    if (b.npairs == 0 || PyTuple_GET_SIZE(kinds) != b.npairs) {
        PyErr_SetString(PyExc_ValueError, "one kind for each literal");
        return NULL;
    }
    Text *lead = NULL, *odd = NULL; /* per line: the time, or head and tail; the `floats` values */
    Py_ssize_t *piece_len = NULL;
    const char **piece = NULL;
    PyObject *keep = PyList_New(0), *out = NULL;
    b.pairs = PyMem_RawMalloc(sizeof(Pair) * (size_t)b.npairs);
    if (!keep || !b.pairs) { PyErr_NoMemory(); goto done; }
    int iso = 0;
    for (int i = 0; i < b.npairs; i++) {
        PyObject *lit = PyTuple_GET_ITEM(literals, i), *kind = PyTuple_GET_ITEM(kinds, i);
        const char *name = PyUnicode_Check(kind) ? PyUnicode_AsUTF8(kind) : NULL;
        int k = 0;
        while (name && k <= ISO_QUOTED && strcmp(name, KIND_NAMES[k]) != 0) k++;
        if (!PyBytes_Check(lit) || !name || k > ISO_QUOTED) {
            PyErr_SetString(PyExc_ValueError, "literals are bytes, kinds one of fast_logfmt's");
            goto done;
        }
        if (k >= ISO && b.width != time_group) {
            PyErr_SetString(PyExc_ValueError, "an ISO value is the time group");
            goto done;
        }
        if ((k == INT || k == FLOAT || k == BOOL) && b.width == time_group) { /* a float may have no span */
            PyErr_SetString(PyExc_ValueError, "the time group is a quoted, text or ISO value");
            goto done;
        }
        iso |= k >= ISO;
        b.pairs[i] = (Pair){PyBytes_AS_STRING(lit), PyBytes_GET_SIZE(lit), k, b.width};
        b.width += k >= ISO ? 3 : 1;
    }
    int lead_n = time_group < 0 ? 0 : iso ? 3 : 1;
    Py_ssize_t slots = PyTuple_GET_SIZE(pieces) - 1, fixed = 0;
    if (slots != lead_n + b.width || time_group >= b.width || iso != (tails != Py_None)) {
        PyErr_SetString(PyExc_ValueError, "the pieces, time group and tails do not fit the pairs");
        goto done;
    }
    piece = PyMem_RawMalloc(sizeof(char *) * (size_t)(slots + 1));
    piece_len = PyMem_RawMalloc(sizeof(Py_ssize_t) * (size_t)(slots + 1));
    if (!piece || !piece_len) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t j = 0; j <= slots; j++) {
        PyObject *p = PyTuple_GET_ITEM(pieces, j);
        if (!PyBytes_Check(p)) { PyErr_SetString(PyExc_ValueError, "pieces are bytes"); goto done; }
        piece[j] = PyBytes_AS_STRING(p);
        piece_len[j] = PyBytes_GET_SIZE(p);
        fixed += piece_len[j];
    }
    if (size == 0 || src[size - 1] != '\n') { out = Py_NewRef(Py_None); goto done; }
    for (const unsigned char *p = src, *end = src + size; (p = memchr(p, '\n', (size_t)(end - p))); p++) b.lines++;
    if (b.lines != n) { out = Py_NewRef(Py_None); goto done; }
    b.groups = PyMem_RawMalloc(sizeof(Span) * (size_t)(b.lines * b.width));
    lead = PyMem_RawMalloc(sizeof(Text) * (size_t)(b.lines * 2));
    if (!b.groups || !lead) { PyErr_NoMemory(); goto done; }
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = read_lines(&b);
    Py_END_ALLOW_THREADS
    if (!ok) { out = Py_NewRef(Py_None); goto done; }

    /* the times, once per run of equal keys; the floats orjson is asked to write */
    Py_ssize_t total = size + b.lines * fixed;
    if (time_group >= 0) {
        int zone = iso ? time_group + 2 : time_group;
        for (Py_ssize_t i = 0; i < b.lines; i++) {
            const Span *g = b.groups + i * b.width;
            Text *t = lead + 2 * i;
            if (i && same(src, g[time_group], g[time_group - b.width]) && same(src, g[zone], g[zone - b.width])) {
                t[0] = t[-2];
                t[1] = t[-1];
            } else {
                Span none = {0, 0};
                PyObject *key = key_of(buf, g[time_group], iso ? g[zone] : none);
                if (!key) goto done;
                t[1] = (Text){NULL, 0};
                int failed = look_up(times, key, keep, &t[0]) < 0 || (iso && look_up(tails, key, keep, &t[1]) < 0);
                Py_DECREF(key);
                if (failed) goto done;
            }
            total += t[0].len + (iso ? t[1].len + g[time_group + 1].len : 0);
        }
    }
    for (Py_ssize_t j = 0; j < b.lines * b.width; j++) b.odd += b.groups[j].len < 0;
    if (b.odd) {
        odd = PyMem_RawMalloc(sizeof(Text) * (size_t)b.odd);
        if (!odd) { PyErr_NoMemory(); goto done; }
        Py_ssize_t k = 0;
        for (Py_ssize_t j = 0; j < b.lines * b.width; j++) {
            Span s = b.groups[j];
            if (s.len >= 0) continue;
            PyObject *key = PyBytes_FromStringAndSize(buf + s.at, -s.len - 1);
            if (!key) goto done;
            int failed = look_up(floats, key, keep, &odd[k]) < 0;
            Py_DECREF(key);
            if (failed) goto done;
            total += odd[k++].len;
        }
    }
    out = PyBytes_FromStringAndSize(NULL, total);
    if (!out) goto done;
    char *o = PyBytes_AS_STRING(out);
    Py_BEGIN_ALLOW_THREADS
    const Text *next_odd = odd;
    for (Py_ssize_t i = 0; i < b.lines; i++) {
        const Span *g = b.groups + i * b.width;
        const Text *t = lead + 2 * i;
        o = put(o, piece[0], piece_len[0]);
        Py_ssize_t j = 1;
        if (lead_n) {
            o = put(o, t[0].text, t[0].len);
            o = put(o, piece[j], piece_len[j]);
            j++;
        }
        if (lead_n == 3) {
            Span f = g[time_group + 1];
            if (f.len) {
                *o++ = '.'; /* a "," before the fraction is "." in RFC 3339 */
                o = put(o, buf + f.at + 1, f.len - 1);
            }
            o = put(o, piece[j], piece_len[j]);
            o = put(o, t[1].text, t[1].len);
            o = put(o, piece[j + 1], piece_len[j + 1]);
            j += 2;
        }
        for (int k = 0; k < b.width; k++, j++) {
            Span s = g[k];
            if (s.len >= 0) {
                o = put(o, buf + s.at, s.len);
            } else {
                o = put(o, next_odd->text, next_odd->len);
                next_odd++;
            }
            o = put(o, piece[j], piece_len[j]);
        }
    }
    Py_END_ALLOW_THREADS
    _PyBytes_Resize(&out, o - PyBytes_AS_STRING(out));
done:
    PyMem_RawFree(b.pairs);
    PyMem_RawFree(b.groups);
    PyMem_RawFree(lead);
    PyMem_RawFree(odd);
    PyMem_RawFree(piece);
    PyMem_RawFree(piece_len);
    Py_XDECREF(keep);
    if (PyErr_Occurred()) Py_CLEAR(out);
    return out;
}

static PyMethodDef methods[] = {
    {"translate", translate, METH_VARARGS,
     "A block of logfmt lines of one schema as NDJSON (None: it does not qualify); see _native_logfmt.c."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native_logfmt",
                                    "fast_logfmt.py's block path in C (see _native_logfmt.c).", -1, methods};

PyMODINIT_FUNC PyInit__native_logfmt(void) { return PyModule_Create(&module); }
