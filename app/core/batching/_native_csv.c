/* Typed CSV's fast path (typed_fast.plain_cells + typed_csv._by_template) in C: a quote-free block
 * whose rows are all the header's width turned into NDJSON, byte for byte what the Python path
 * gives (tests compare the two on random blocks), with the GIL released while the block is read
 * and the records written.
 *
 *   ndjson(block, rows, delimiter, quote, keys, codes, kinds, null, texts, cells) -> bytes | None
 *
 * `delimiter` and `quote` are bytes values (quote -1: none), `keys` each column's JSON key
 * (orjson's), `codes` its kind as 0 text, 1 number, 2 decimal comma, 3 boolean; `kinds` the
 * csv_types kind objects handed back to the callbacks. Every rule about values stays in Python:
 * a typed column is written here only in the shapes whose output is plain to prove (and tested):
 *  - a number column whose cells are all JSON numbers as written (csv_types.json_as_written, the
 *    decimal comma read as a point): the cells themselves, as json_texts returns them;
 *  - a boolean column whose cells are all true/false in any case: the lower-case words;
 *  - any other typed column goes whole to `texts(list of str, kind)` (csv_types.json_texts, as the
 *    Python path calls it, an empty cell as its "0" placeholder).
 * A row holding an empty cell is written cell by cell, as orjson writes typed_csv._row's dict: an
 * empty cell left out or null; a typed cell written here when it is an integer csv_types._INT
 * reads (no "+", "-0" as "0"), a decimal of the shape -?(0|[1-9]\d{0,14})[.,]\d{1,15} that orjson
 * writes as its digits (plain_decimal, _native_json.h), or a boolean word; any other through `cells[column]`, a
 * mapping from the cell's bytes to orjson.dumps(convert(cell, kind)). Whatever they raise is raised.
 *
 * None: the block does not qualify (typed_fast.plain_cells: no final newline, the quote, a byte a
 * JSON string escapes (0x7f too) but the delimiter, invalid UTF-8, not `rows` rows of the width),
 * or it is one this file leaves to Python (one column with an empty cell: the Python path types
 * such a column differently). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../textlog/_native_json.h"

enum { TEXT, NUMBER, DECIMAL_COMMA, BOOLEAN };
enum { PLAIN, DELIM, LINE, BAD, HIGH };           /* byte classes while reading */
enum { AS_WRITTEN, WORDS, DELEGATED, VERBATIM };  /* how a column's cells are written in a whole row */

typedef struct { Py_ssize_t at, len; } Span;
typedef struct { const char *text; Py_ssize_t len; } Text;

typedef struct {
    const char *key;
    Py_ssize_t key_len;
    int code, mode, empty; /* empty: some cell of it is */
    Text *texts;           /* DELEGATED: json_texts' answer, row by row */
} Column;

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* The length of the valid UTF-8 character at s (a byte >= 0x80), else 0: what a strict decode
 * accepts (no overlong form, no surrogate, nothing past U+10FFFF) */
static Py_ssize_t utf8_char(const unsigned char *s, Py_ssize_t n) {
    unsigned char c = s[0];
    if (c < 0xC2) return 0;
    if (c < 0xE0) return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c < 0xF5) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* The block's cells into `cells` (rows × width, row after row), each row's "has an empty cell"
 * into `holes`, each column's into cols[k].empty: 1; 0 when it does not qualify. No GIL. */
static int read_cells(const unsigned char *s, Py_ssize_t size, const unsigned char *cls, int width, Py_ssize_t rows,
                      Span *cells, unsigned char *holes, Column *cols) {
    Py_ssize_t row = 0, start = 0, i = 0;
    int col = 0;
    Span *out = cells;
    while (i < size) {
        while (i < size && cls[s[i]] == PLAIN) i++;
        if (i == size) break;
        switch (cls[s[i]]) {
        case DELIM:
        case LINE: {
            int line = cls[s[i]] == LINE;
            if (row == rows || line != (col == width - 1)) return 0;
            Py_ssize_t len = i - start;
            *out++ = (Span){start, len};
            if (!len) {
                holes[row] = 1;
                cols[col].empty = 1;
            }
            start = ++i;
            if (line) {
                row++;
                col = 0;
            } else {
                col++;
            }
            break;
        }
        case HIGH: {
            Py_ssize_t n = utf8_char(s + i, size - i);
            if (!n) return 0;
            i += n;
            break;
        }
        default:
            return 0;
        }
    }
    return row == rows && start == size;
}

/* csv_types._JSON_ONE, "-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?(?:[eE][+-]?[0-9]{1,2})?", over
 * the whole cell (`point`: the byte read as "." besides it; a decimal comma column's "," ) */
static int json_number(const unsigned char *s, Py_ssize_t n, unsigned char point) {
    Py_ssize_t p = 0, q;
    if (p < n && s[p] == '-') p++;
    if (p < n && s[p] == '0') {
        p++;
    } else {
        for (q = p; q < n && is_digit(s[q]); q++) {}
        if (q == p || q - p > 15) return 0;
        p = q;
    }
    if (p < n && (s[p] == '.' || s[p] == point)) {
        for (q = ++p; q < n && is_digit(s[q]); q++) {}
        if (q == p || q - p > 15) return 0;
        p = q;
    }
    if (p < n && (s[p] == 'e' || s[p] == 'E')) {
        p++;
        if (p < n && (s[p] == '+' || s[p] == '-')) p++;
        for (q = p; q < n && is_digit(s[q]); q++) {}
        if (q == p || q - p > 2) return 0;
        p = q;
    }
    return p == n;
}

/* "true" or "false" in any case (what str.lower() makes true/false of an ASCII cell): 4 or 5, else 0 */
static int bool_word(const unsigned char *s, Py_ssize_t n) {
    if (n == 4 && (s[0] | 32) == 't' && (s[1] | 32) == 'r' && (s[2] | 32) == 'u' && (s[3] | 32) == 'e') return 4;
    if (n == 5 && (s[0] | 32) == 'f' && (s[1] | 32) == 'a' && (s[2] | 32) == 'l' && (s[3] | 32) == 's' &&
        (s[4] | 32) == 'e')
        return 5;
    return 0;
}

/* csv_types._INT, "[+-]?(?:0|[1-9][0-9]{0,14})", over the whole cell: 1, else 0 */
static int int_cell(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t p = n && (s[0] == '+' || s[0] == '-');
    if (p == n) return 0;
    if (s[p] == '0') return n == p + 1;
    if (n - p > 15) return 0;
    for (; p < n; p++)
        if (!is_digit(s[p])) return 0;
    return 1;
}

/* The decimal's point when the cell is "-?(0|[1-9]\d{0,14})[.,]\d{1,15}" (`comma`: "," may be the
 * point), else -1 */
static Py_ssize_t decimal_point(const unsigned char *s, Py_ssize_t n, int comma) {
    Py_ssize_t p = n && s[0] == '-', q;
    if (p < n && s[p] == '0') {
        q = p + 1;
    } else {
        for (q = p; q < n && is_digit(s[q]); q++) {}
        if (q == p || q - p > 15) return -1;
    }
    if (q >= n || !(s[q] == '.' || (comma && s[q] == ','))) return -1;
    Py_ssize_t f = q + 1, e = f;
    while (e < n && is_digit(s[e])) e++;
    return e == n && e > f && e - f <= 15 ? q : -1;
}

/* A typed cell of a row with an empty cell, when written here: its length (out != NULL: written
 * there), else -1 (the `cells` mapping writes it) */
static Py_ssize_t typed_cell(const unsigned char *s, Py_ssize_t n, int code, char *out) {
    if (code == BOOLEAN) {
        int w = bool_word(s, n);
        if (!w) return -1;
        if (out) memcpy(out, w == 4 ? "true" : "false", (size_t)w);
        return w;
    }
    if (int_cell(s, n)) {
        Py_ssize_t from = s[0] == '+';
        if (n == 2 && s[0] == '-' && s[1] == '0') from = 1; /* int("-0") is 0 */
        if (out) memcpy(out, s + from, (size_t)(n - from));
        return n - from;
    }
    Py_ssize_t point = decimal_point(s, n, code == DECIMAL_COMMA);
    if (point < 0) return -1;
    Py_ssize_t len = plain_decimal(s, n, point);  /* _native_json.h */
    if (len >= 0 && out) { /* the digits up to the last kept one ("1.000": "1.0"), the point a "." */
        memcpy(out, s, (size_t)len);
        out[point] = '.';
    }
    return len;
}

/* The shapes the column's whole rows are written in (no GIL) */
static int column_mode(const unsigned char *s, const Span *cells, Py_ssize_t rows, int width, int k, int code) {
    if (code == TEXT) return VERBATIM;
    for (Py_ssize_t i = 0; i < rows; i++) {
        Span c = cells[i * width + k];
        if (!c.len) continue; /* its row is written cell by cell; the "0" placeholder is as written */
        int ok = code == BOOLEAN ? bool_word(s + c.at, c.len)
                                 : json_number(s + c.at, c.len, code == DECIMAL_COMMA ? ',' : '.');
        if (!ok) return DELEGATED;
    }
    return code == BOOLEAN ? WORDS : AS_WRITTEN;
}

/* json_texts(column, kind) for a DELEGATED column (GIL held): its answers into col->texts */
static int delegate(PyObject *texts, PyObject *kind, const char *src, const Span *cells, Py_ssize_t rows, int width,
                    int k, Column *col, PyObject *keep) {
    PyObject *values = PyList_New(rows);
    if (!values) return -1;
    for (Py_ssize_t i = 0; i < rows; i++) {
        Span c = cells[i * width + k];
        PyObject *v = c.len ? PyUnicode_DecodeUTF8(src + c.at, c.len, "strict") : PyUnicode_FromString("0");
        if (!v) {
            Py_DECREF(values);
            return -1;
        }
        PyList_SET_ITEM(values, i, v);
    }
    PyObject *out = PyObject_CallFunctionObjArgs(texts, values, kind, NULL);
    Py_DECREF(values);
    if (!out) return -1;
    int added = PyList_Append(keep, out);
    Py_DECREF(out);
    if (added < 0) return -1;
    if (!PyList_Check(out) || PyList_GET_SIZE(out) != rows) {
        PyErr_SetString(PyExc_TypeError, "texts() must give a list of one str per row");
        return -1;
    }
    col->texts = PyMem_RawMalloc(sizeof(Text) * (size_t)(rows ? rows : 1));
    if (!col->texts) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < rows; i++) {
        PyObject *t = PyList_GET_ITEM(out, i);
        Py_ssize_t len;
        const char *text = PyUnicode_Check(t) ? PyUnicode_AsUTF8AndSize(t, &len) : NULL;
        if (!text) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "texts() must give str");
            return -1;
        }
        col->texts[i] = (Text){text, len};
    }
    return 0;
}

/* mapping[cell] as bytes kept alive in `keep` */
static int look_up(PyObject *mapping, const char *at, Py_ssize_t len, PyObject *keep, Text *out) {
    PyObject *key = PyBytes_FromStringAndSize(at, len);
    if (!key) return -1;
    PyObject *value = PyObject_GetItem(mapping, key);
    Py_DECREF(key);
    if (!value) return -1;
    int added = PyList_Append(keep, value);
    Py_DECREF(value);
    if (added < 0) return -1;
    if (!PyBytes_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "the cells mappings must give bytes");
        return -1;
    }
    *out = (Text){PyBytes_AS_STRING(value), PyBytes_GET_SIZE(value)};
    return 0;
}

typedef struct {
    const char *src;
    Py_ssize_t rows;
    int width, null;
    const Span *cells;
    const unsigned char *holes;
    const Column *cols;
    const Text *odd; /* the mapped cells of the rows with an empty cell, in order */
} Writer;

static char *whole_row(const Writer *w, Py_ssize_t i, char *o) {
    const Span *c = w->cells + i * w->width;
    *o++ = '{';
    for (int k = 0; k < w->width; k++) {
        const Column *col = &w->cols[k];
        if (k) *o++ = ',';
        o = put(o, col->key, col->key_len);
        *o++ = ':';
        const char *v = w->src + c[k].at;
        switch (col->mode) {
        case VERBATIM:
            *o++ = '"';
            o = put(o, v, c[k].len);
            *o++ = '"';
            break;
        case AS_WRITTEN: {
            char *at = o;
            o = put(o, v, c[k].len);
            if (col->code == DECIMAL_COMMA)
                for (; at < o; at++)
                    if (*at == ',') *at = '.';
            break;
        }
        case WORDS:
            o = (v[0] | 32) == 't' ? put(o, "true", 4) : put(o, "false", 5);
            break;
        default:
            o = put(o, col->texts[i].text, col->texts[i].len);
        }
    }
    *o++ = '}';
    *o++ = '\n';
    return o;
}

static char *row_with_holes(const Writer *w, Py_ssize_t i, char *o, const Text **odd) {
    const Span *c = w->cells + i * w->width;
    int first = 1;
    *o++ = '{';
    for (int k = 0; k < w->width; k++) {
        const Column *col = &w->cols[k];
        if (!c[k].len && !w->null) continue;
        if (!first) *o++ = ',';
        first = 0;
        o = put(o, col->key, col->key_len);
        *o++ = ':';
        const unsigned char *v = (const unsigned char *)w->src + c[k].at;
        if (!c[k].len) {
            o = put(o, "null", 4);
        } else if (col->code == TEXT) {
            *o++ = '"';
            o = put(o, v, c[k].len);
            *o++ = '"';
        } else {
            Py_ssize_t len = typed_cell(v, c[k].len, col->code, o);
            if (len >= 0) {
                o += len;
            } else {
                o = put(o, (*odd)->text, (*odd)->len);
                (*odd)++;
            }
        }
    }
    *o++ = '}';
    *o++ = '\n';
    return o;
}

static PyObject *ndjson(PyObject *self, PyObject *args) {
    PyObject *data, *keys, *codes, *kinds, *texts, *mappings;
    Py_ssize_t rows;
    int delimiter, quote, null;
    if (!PyArg_ParseTuple(args, "SniiO!O!O!pOO!:ndjson", &data, &rows, &delimiter, &quote, &PyTuple_Type, &keys,
                          &PyTuple_Type, &codes, &PyTuple_Type, &kinds, &null, &texts, &PyTuple_Type, &mappings))
        return NULL;
    Py_ssize_t width = PyTuple_GET_SIZE(keys);
    if (width < 1 || width > INT_MAX || PyTuple_GET_SIZE(codes) != width || PyTuple_GET_SIZE(kinds) != width ||
        PyTuple_GET_SIZE(mappings) != width || delimiter < 0 || delimiter > 255 || quote < -1 || quote > 255 ||
        rows < 1) {
        PyErr_SetString(PyExc_ValueError, "one key, code, kind and mapping a column; a delimiter byte; rows >= 1");
        return NULL;
    }
    const char *src = PyBytes_AS_STRING(data);
    const unsigned char *s = (const unsigned char *)src;
    Py_ssize_t size = PyBytes_GET_SIZE(data);
    Column *cols = PyMem_RawCalloc((size_t)width, sizeof(Column));
    Span *cells = NULL;
    unsigned char *holes = NULL;
    Text *odd = NULL;
    PyObject *keep = PyList_New(0), *out = NULL;
    if (!cols || !keep) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t fixed = 2; /* a whole row's bytes besides its values: braces, keys, ":" and "," */
    for (Py_ssize_t k = 0; k < width; k++) {
        PyObject *key = PyTuple_GET_ITEM(keys, k);
        long code = PyLong_Check(PyTuple_GET_ITEM(codes, k)) ? PyLong_AsLong(PyTuple_GET_ITEM(codes, k)) : -1;
        if (!PyBytes_Check(key) || code < TEXT || code > BOOLEAN) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "keys are bytes, codes 0-3");
            goto done;
        }
        cols[k] = (Column){PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key), (int)code, 0, 0, NULL};
        fixed += cols[k].key_len + 2;
    }
    if (size == 0 || s[size - 1] != '\n' || delimiter == '\n' || rows > size) {
        out = Py_NewRef(Py_None);
        goto done;
    }
    unsigned char cls[256];
    for (int b = 0; b < 256; b++) /* what a JSON string escapes, 0x7f too; UTF-8 checked */
        cls[b] = b < 0x20 || b == '"' || b == '\\' || b == 0x7f ? BAD : b >= 0x80 ? HIGH : PLAIN;
    cls[delimiter] = DELIM;
    cls['\n'] = LINE;
    if (quote >= 0) cls[quote] = BAD;
    cells = PyMem_RawMalloc(sizeof(Span) * (size_t)(rows * width));
    holes = PyMem_RawCalloc((size_t)rows, 1);
    if (!cells || !holes) {
        PyErr_NoMemory();
        goto done;
    }
    int ok, holed = 0;
    Py_BEGIN_ALLOW_THREADS
    ok = read_cells(s, size, cls, (int)width, rows, cells, holes, cols);
    for (Py_ssize_t k = 0; ok && k < width; k++) {
        cols[k].mode = column_mode(s, cells, rows, (int)width, (int)k, cols[k].code);
        holed |= cols[k].empty;
    }
    Py_END_ALLOW_THREADS
    if (!ok || (holed && width == 1)) {
        out = Py_NewRef(Py_None);
        goto done;
    }

    /* the Python side: delegated columns, then the typed cells of rows with holes not written here */
    Py_ssize_t bound = size + rows * (fixed + 7 * width), n_odd = 0;
    for (Py_ssize_t k = 0; k < width; k++) {
        if (cols[k].mode != DELEGATED) continue;
        if (delegate(texts, PyTuple_GET_ITEM(kinds, k), src, cells, rows, (int)width, (int)k, &cols[k], keep) < 0)
            goto done;
        for (Py_ssize_t i = 0; i < rows; i++) bound += cols[k].texts[i].len;
    }
    if (holed) {
        Py_ssize_t cap = 16;
        odd = PyMem_RawMalloc(sizeof(Text) * (size_t)cap);
        if (!odd) {
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t i = 0; i < rows; i++) {
            if (!holes[i]) continue;
            for (Py_ssize_t k = 0; k < width; k++) {
                Span c = cells[i * width + k];
                if (!c.len || cols[k].code == TEXT || typed_cell(s + c.at, c.len, cols[k].code, NULL) >= 0) continue;
                if (n_odd == cap) {
                    Text *more = PyMem_RawRealloc(odd, sizeof(Text) * (size_t)(cap *= 2));
                    if (!more) {
                        PyErr_NoMemory();
                        goto done;
                    }
                    odd = more;
                }
                if (look_up(PyTuple_GET_ITEM(mappings, k), src + c.at, c.len, keep, &odd[n_odd]) < 0) goto done;
                bound += odd[n_odd++].len;
            }
        }
    }
    out = PyBytes_FromStringAndSize(NULL, bound);
    if (!out) goto done;
    char *o = PyBytes_AS_STRING(out);
    Writer w = {src, rows, (int)width, null, cells, holes, cols, odd};
    Py_BEGIN_ALLOW_THREADS
    const Text *next = odd;
    for (Py_ssize_t i = 0; i < rows; i++) o = holes[i] ? row_with_holes(&w, i, o, &next) : whole_row(&w, i, o);
    Py_END_ALLOW_THREADS
    _PyBytes_Resize(&out, o - PyBytes_AS_STRING(out));
done:
    if (cols)
        for (Py_ssize_t k = 0; k < width; k++) PyMem_RawFree(cols[k].texts);
    PyMem_RawFree(cols);
    PyMem_RawFree(cells);
    PyMem_RawFree(holes);
    PyMem_RawFree(odd);
    Py_XDECREF(keep);
    if (PyErr_Occurred()) Py_CLEAR(out);
    return out;
}

static PyMethodDef methods[] = {
    {"ndjson", ndjson, METH_VARARGS,
     "A quote-free CSV block of the header's width as typed NDJSON (None: it does not qualify); see _native_csv.c."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native_csv",
                                    "Typed CSV's fast path in C (see _native_csv.c).", -1, methods};

PyMODINIT_FUNC PyInit__native_csv(void) { return PyModule_Create(&module); }
