/* fast_events.py's Events.translate in C: a region of Python logging ("time - logger - LEVEL -
 * message") or log4j/logback ("time [thread] LEVEL logger - message") events with their
 * continuation lines (tracebacks, "\tat ...", "Caused by: ...") and trailing blank lines turned
 * into NDJSON, byte for byte what fast_events.py's patterns and templates give (tests compare the
 * two), with the GIL released while lines are read and records written.
 *
 *   events(region, times, rules) -> (ndjson, lines, sizes) | None
 *
 * region: bytes of whole lines whose first line starts an event; its first line picks the layout
 * (_JAVA: the time is followed by " ["). times: a fast_events._Times: times[key] is the RFC 3339
 * head of a key (the 19 bytes of seconds and the zone's bytes), times.tails[key] the offset that
 * follows the fraction; both asked once per run of equal keys, whatever they raise is raised.
 * rules: fast_events._RULES, the rules that have their home in Python:
 *   (levels, level_at, max_lines, max_chars, spaces)
 *   levels     the level words as bytes (a container: `in`); a level field must be one, a Python
 *              logger whose upper() is one declines the region (fields.framework would take it
 *              for the level)
 *   level_at   fields.LEVEL_AT.search: a log4j thread (decoded) it finds something in declines
 *              the region; called once per distinct thread
 *   max_lines, max_chars  multiline.MAX_EVENT_LINES / MAX_EVENT_CHARS (an event the grouper
 *              would cut declines the region, as in Python: lines - 1 >= max_lines, bytes >= max_chars)
 *   spaces     the UTF-8 of the non-ASCII characters str.isspace() takes (a tuple of bytes)
 * None: the region does not qualify (fast_events._ok: a backslash, a control byte but tab and
 * newline, invalid UTF-8, a non-ASCII byte in a line's first 41 bytes, a Unicode space; a line
 * the patterns do not read; the checks above), and the caller reads it line by line.
 *
 * The matcher follows _HEAD / _JAVA_HEAD and _patterns() step by step; where they could backtrack
 * the comments say why the outcome is the only one. Greedy and lazy give the same events (greedy
 * runs only where no line is blank): the message runs to the line before the next start line
 * (START) or the region's end, less its trailing blank lines ([ \t]*), which are the event's but
 * not the message's. Change both together. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct { Py_ssize_t at, len; } Span;

typedef struct {
    Py_ssize_t start, end, lines; /* the event's bytes [start, end) and lines, its last "\n" included */
    int frac, zone;               /* the bytes of the fraction and the zone after the 19 of seconds */
    Span thread, level, logger, msg;
} Event;

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int is_word(unsigned char c) { return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z') || c == '_'; }

/* Every read below goes byte by byte and stops at the first byte that does not fit; none of the
 * pieces takes "\n" and the region ends with one, so nothing is read past it. */

/* _TIME / _SECONDS at p: "dddd-dd-dd[T ]dd:dd:dd", "[.,]\d{1,9}" if there, "[Zz]|[+-]dd:?dd" if
 * there; its length, or -1. What may follow a time (" - ", " [", "]", " ", "\t") is none of
 * [.,Zz+-] nor a digit, so a shorter fraction, no fraction, no zone or a zone without its colon
 * never lets the rest match where the longest failed: a fraction of 10 digits, a dot without
 * digits, a sign without a whole offset fail. */
static Py_ssize_t iso_time(const unsigned char *p, int *frac, int *zone) {
    static const char shape[] = "dddd-dd-dd?dd:dd:dd";
    for (int i = 0; i < 19; i++) {
        char s = shape[i];
        if (s == 'd' ? !is_digit(p[i]) : s == '?' ? (p[i] != 'T' && p[i] != ' ') : p[i] != s) return -1;
    }
    Py_ssize_t n = 19;
    *frac = *zone = 0;
    if (p[n] == '.' || p[n] == ',') {
        int k = 0;
        while (is_digit(p[n + 1 + k])) k++;
        if (k == 0 || k > 9) return -1;
        *frac = 1 + k;
        n += 1 + k;
    }
    if (p[n] == 'Z' || p[n] == 'z') {
        *zone = 1;
    } else if (p[n] == '+' || p[n] == '-') {
        const unsigned char *z = p + n + 1;
        if (!is_digit(z[0]) || !is_digit(z[1])) return -1;
        int colon = z[2] == ':';
        if (!is_digit(z[2 + colon]) || !is_digit(z[3 + colon])) return -1;
        *zone = 5 + colon;
    }
    return n + *zone;
}

/* START: "\[?" _TIME "\]?[ \t]" at a line's start (a "[" or "]" that is there must be taken) */
static int is_start(const unsigned char *p) {
    int frac, zone;
    if (*p == '[') p++;
    Py_ssize_t n = iso_time(p, &frac, &zone);
    if (n < 0) return 0;
    if (p[n] == ']') n++;
    return p[n] == ' ' || p[n] == '\t';
}

static int dash(const unsigned char *p) { return p[0] == ' ' && p[1] == '-' && p[2] == ' '; }

/* _HEAD: SECONDS " - " ([\w.]{1,60}) " - " ([A-Z]{3,9}) " - " (?!\[); every field is the longest
 * run of its class (a shorter one is followed by a byte of the class, not " - ") */
static int py_head(const unsigned char *l, Py_ssize_t base, Event *e) {
    Py_ssize_t n = iso_time(l, &e->frac, &e->zone);
    if (n < 0 || !dash(l + n)) return 0;
    Py_ssize_t p = n + 3, q = p;
    while (is_word(l[q]) || l[q] == '.') q++;
    if (q == p || q - p > 60 || !dash(l + q)) return 0;
    e->logger = (Span){base + p, q - p};
    p = q + 3;
    for (q = p; is_upper(l[q]); q++) {}
    if (q - p < 3 || q - p > 9 || !dash(l + q)) return 0;
    e->level = (Span){base + p, q - p};
    if (l[q + 3] == '[') return 0;
    e->msg.at = base + q + 3;
    return 1;
}

/* _JAVA_HEAD: SECONDS " \[" ([^\]\n]{0,59}) "\] " ([A-Z]{3,9}) ( +) ([\w.$]{1,79}) ( +) "- ";
 * the thread runs to the first "]" (a shorter one is followed by no "]"), the others are the
 * longest runs of their classes */
static int java_head(const unsigned char *l, Py_ssize_t base, Event *e) {
    Py_ssize_t n = iso_time(l, &e->frac, &e->zone);
    if (n < 0 || l[n] != ' ' || l[n + 1] != '[') return 0;
    Py_ssize_t p = n + 2, q = p;
    while (l[q] != ']' && l[q] != '\n') q++;
    if (l[q] != ']' || q - p > 59 || l[q + 1] != ' ') return 0;
    e->thread = (Span){base + p, q - p};
    p = q + 2;
    for (q = p; is_upper(l[q]); q++) {}
    if (q - p < 3 || q - p > 9 || l[q] != ' ') return 0;
    e->level = (Span){base + p, q - p};
    while (l[q] == ' ') q++;
    for (p = q; is_word(l[q]) || l[q] == '.' || l[q] == '$'; q++) {}
    if (q == p || q - p > 79 || l[q] != ' ') return 0;
    e->logger = (Span){base + p, q - p};
    while (l[q] == ' ') q++;
    if (l[q] != '-' || l[q + 1] != ' ') return 0;
    e->msg.at = base + q + 2;
    return 1;
}

/* ---- the distinct levels, loggers and threads (the checks ask Python once for each) ---------- */

typedef struct {
    Span *slot; /* len -1: free */
    uint32_t *hash;
    size_t mask, used;
    Span last;  /* the field most recently added: a run of equal fields is hashed once */
} Distinct;

static uint32_t fnv(const unsigned char *p, Py_ssize_t n) {
    uint32_t h = 2166136261u;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static int distinct_init(Distinct *d, size_t size) {
    d->slot = PyMem_RawMalloc(sizeof(Span) * size);
    d->hash = PyMem_RawMalloc(sizeof(uint32_t) * size);
    if (!d->slot || !d->hash) return -1;
    for (size_t i = 0; i < size; i++) d->slot[i].len = -1;
    d->mask = size - 1;
    d->used = 0;
    d->last = (Span){0, -1};
    return 0;
}

static void distinct_free(Distinct *d) {
    PyMem_RawFree(d->slot);
    PyMem_RawFree(d->hash);
}

static int same(const unsigned char *src, Span a, Span b) {
    return a.len == b.len && memcmp(src + a.at, src + b.at, (size_t)a.len) == 0;
}

static void distinct_put(Distinct *d, Span s, uint32_t h, const unsigned char *src) {
    size_t i = h & d->mask;
    while (d->slot[i].len >= 0) {
        if (d->hash[i] == h && same(src, d->slot[i], s)) return;
        i = (i + 1) & d->mask;
    }
    d->slot[i] = s;
    d->hash[i] = h;
    d->used++;
}

/* 0, or -1 when out of memory */
static int distinct_add(Distinct *d, const unsigned char *src, Span s) {
    if (same(src, d->last, s)) return 0;
    d->last = s;
    if ((d->used + 1) * 2 > d->mask + 1) {
        Distinct bigger;
        if (distinct_init(&bigger, (d->mask + 1) * 2) < 0) { distinct_free(&bigger); return -1; }
        for (size_t i = 0; i <= d->mask; i++)
            if (d->slot[i].len >= 0) distinct_put(&bigger, d->slot[i], d->hash[i], src);
        bigger.last = s;
        distinct_free(d);
        *d = bigger;
    }
    distinct_put(d, s, fnv(src + s.at, s.len), src);
    return 0;
}

/* ---- one region ------------------------------------------------------------------------------- */

enum { K_PLAIN, K_QUOTE, K_TAB, K_NL, K_BAD, K_HIGH };
static unsigned char KIND[256];
#define WIDE 40     /* fast_events._WIDE: a non-ASCII byte at or before a line's byte 40 declines */
#define SPACES_MAX 32

typedef struct {
    const unsigned char *src;
    Py_ssize_t size, max_lines, max_chars;
    Py_ssize_t quotes, tabs, newlines, n;
    int java;
    Event *ev;
    Distinct levels, loggers, threads;
    const unsigned char *space[SPACES_MAX];
    Py_ssize_t space_len[SPACES_MAX];
    int spaces;
    unsigned char space_lead[256];
} Region;

/* The length of the well-formed UTF-8 sequence at p (Unicode's table 3-7: what Python's strict
 * decoder takes), 0 if none; p[0] >= 0x80. */
static int utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    Py_ssize_t room = end - p;
    if (c < 0xC2) return 0;
    if (c < 0xE0) return room >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return room >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c < 0xF5) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return room >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

static int unicode_space(const Region *r, const unsigned char *p, const unsigned char *end) {
    if (!r->space_lead[p[0]]) return 0;
    for (int i = 0; i < r->spaces; i++)
        if (end - p >= r->space_len[i] && memcmp(p, r->space[i], (size_t)r->space_len[i]) == 0) return 1;
    return 0;
}

/* Eight bytes at once: none of them is a control byte, `"`, `\\` or non-ASCII (nothing to count
 * or check): the exact "a byte less than n" test, (w - n*ONES) & ~w & HIGHS, for n = 0x20 and for
 * n = 1 on w ^ '"' and w ^ '\\', and the top bits. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
static int plain8(const unsigned char *p) {
    uint64_t w, q, b;
    memcpy(&w, p, 8);
    q = w ^ (ONES * '"');
    b = w ^ (ONES * '\\');
    return ((((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) | ((b - ONES) & ~b) | w) & HIGHS) == 0;
}

/* fast_events._ok, and the quotes, tabs and lines counted for the output's size. No GIL. */
static int qualifies(Region *r) {
    const unsigned char *p = r->src, *end = p + r->size, *line = p;
    while (p < end) {
        if (end - p >= 8 && plain8(p)) {
            p += 8;
            continue;
        }
        const unsigned char *stop = end - p >= 8 ? p + 8 : end;
        while (p < stop) {
            unsigned char c = *p;
            switch (KIND[c]) {
            case K_PLAIN: p++; break;
            case K_QUOTE: r->quotes++; p++; break;
            case K_TAB: r->tabs++; p++; break;
            case K_NL: r->newlines++; line = ++p; break;
            case K_BAD: return 0;
            default: {
                int n = utf8_len(p, end);
                if (p - line <= WIDE || n == 0 || unicode_space(r, p, end)) return 0;
                p += n;
            }
            }
        }
    }
    return 1;
}

/* Every line read into an event (1), or a line the patterns do not read, an event the grouper
 * would cut (0), or out of memory (-1). No GIL. */
static int read_events(Region *r) {
    const unsigned char *s = r->src;
    Py_ssize_t size = r->size, p = 0;
    int frac, zone;
    Py_ssize_t t = iso_time(s, &frac, &zone);
    r->java = t >= 0 && s[t] == ' ' && s[t + 1] == '['; /* _JAVA */
    while (p < size) {
        Event *e = &r->ev[r->n];
        if (!(r->java ? java_head(s + p, p, e) : py_head(s + p, p, e))) return 0;
        e->start = p;
        const unsigned char *nl = memchr(s + e->msg.at, '\n', (size_t)(size - e->msg.at));
        Py_ssize_t msg_end = nl - s, q = msg_end + 1, lines = 1;
        while (q < size && !is_start(s + q)) { /* continuation lines, blank or not */
            Py_ssize_t k = q;
            while (s[k] == ' ' || s[k] == '\t') k++;
            nl = s[k] == '\n' ? s + k : memchr(s + k, '\n', (size_t)(size - k));
            if (s + k != nl) msg_end = nl - s; /* not blank: the message runs at least to here */
            lines++;
            q = nl - s + 1;
        }
        e->msg.len = msg_end - e->msg.at;
        e->end = q;
        e->lines = lines;
        if (lines - 1 >= r->max_lines || q - p >= r->max_chars) return 0;
        if (distinct_add(&r->levels, s, e->level) < 0 || distinct_add(&r->loggers, s, e->logger) < 0
            || (r->java && distinct_add(&r->threads, s, e->thread) < 0))
            return -1;
        r->n++;
        p = q;
    }
    return 1;
}

/* The checks that ask Python: 1 (all pass), 0 (declined), -1 (an error is set). */
static int fields_pass(Region *r, PyObject *levels, PyObject *level_at) {
    const char *src = (const char *)r->src;
    for (size_t i = 0; i <= r->levels.mask; i++) {
        Span s = r->levels.slot[i];
        if (s.len < 0) continue;
        PyObject *word = PyBytes_FromStringAndSize(src + s.at, s.len);
        if (!word) return -1;
        int in = PySequence_Contains(levels, word);
        Py_DECREF(word);
        if (in <= 0) return in; /* a level that is no level word */
    }
    if (!r->java) {
        for (size_t i = 0; i <= r->loggers.mask; i++) {
            Span s = r->loggers.slot[i];
            if (s.len < 0) continue;
            PyObject *word = PyBytes_FromStringAndSize(NULL, s.len);
            if (!word) return -1;
            char *w = PyBytes_AS_STRING(word);
            for (Py_ssize_t k = 0; k < s.len; k++) { /* bytes.upper(): ASCII letters only */
                char c = src[s.at + k];
                w[k] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
            }
            int in = PySequence_Contains(levels, word);
            Py_DECREF(word);
            if (in != 0) return in < 0 ? -1 : 0; /* a logger fields.framework takes for the level */
        }
        return 1;
    }
    for (size_t i = 0; i <= r->threads.mask; i++) {
        Span s = r->threads.slot[i];
        if (s.len < 0) continue;
        PyObject *text = PyUnicode_DecodeUTF8(src + s.at, s.len, "strict");
        if (!text) return -1;
        PyObject *found = PyObject_CallOneArg(level_at, text);
        Py_DECREF(text);
        if (!found) return -1;
        int yes = PyObject_IsTrue(found);
        Py_DECREF(found);
        if (yes != 0) return yes < 0 ? -1 : 0; /* a thread holding a level word (it would be the level) */
    }
    return 1;
}

/* ---- writing ---------------------------------------------------------------------------------- */

typedef struct { const char *text; Py_ssize_t len; } Text;
#define PUT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) + sizeof(s) - 1)
#define TEMPLATE_MAX 96 /* the bytes of one record that are not values, with room */

static char *put(char *o, const char *p, Py_ssize_t n) { memcpy(o, p, (size_t)n); return o + n; }

/* `"` → `\"`, newline → `\n`, tab → `\t` (fast_events escapes these, and only these) */
static char *escaped(char *o, const unsigned char *p, Py_ssize_t n, int plain) {
    const unsigned char *end = p + n;
    if (plain) { /* no quote, no tab in the region: only the newlines between the lines */
        while (p < end) {
            const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) return put(o, (const char *)p, end - p);
            o = put(o, (const char *)p, nl - p);
            o = PUT(o, "\\n");
            p = nl + 1;
        }
        return o;
    }
    while (p < end) {
        const unsigned char *q = p;
        while (q < end && KIND[*q] != K_QUOTE && KIND[*q] != K_NL && KIND[*q] != K_TAB) q++;
        o = put(o, (const char *)p, q - p);
        if (q == end) break;
        o = *q == '"' ? PUT(o, "\\\"") : *q == '\n' ? PUT(o, "\\n") : PUT(o, "\\t");
        p = q + 1;
    }
    return o;
}

static char *write_event(char *o, const Region *r, const Event *e, Text head, Text tail) {
    const char *src = (const char *)r->src;
    int plain = r->quotes == 0 && r->tabs == 0;
    o = PUT(o, "{\"_time\":\"");
    o = put(o, head.text, head.len);
    if (e->frac) { /* the fraction's "," as "." */
        *o++ = '.';
        o = put(o, src + e->start + 20, e->frac - 1);
    }
    o = put(o, tail.text, tail.len);
    o = PUT(o, "\",\"level\":\"");
    o = put(o, src + e->level.at, e->level.len);
    if (r->java) {
        o = PUT(o, "\",\"thread\":\"");
        o = escaped(o, r->src + e->thread.at, e->thread.len, plain);
    }
    o = PUT(o, "\",\"logger\":\"");
    o = put(o, src + e->logger.at, e->logger.len);
    o = PUT(o, "\",\"message\":\"");
    o = escaped(o, r->src + e->msg.at, e->msg.len, plain);
    return PUT(o, "\"}\n");
}

/* ---- the function ----------------------------------------------------------------------------- */

static PyObject *bytes_of(PyObject *value) {
    if (value && !PyBytes_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "times must give bytes");
        Py_CLEAR(value);
    }
    return value;
}

static PyObject *py_events(PyObject *self, PyObject *args) {
    PyObject *region, *times, *rules, *levels, *level_at, *spaces;
    if (!PyArg_ParseTuple(args, "SOO!:events", &region, &times, &PyTuple_Type, &rules)) return NULL;
    Region r;
    memset(&r, 0, sizeof r);
    if (!PyArg_ParseTuple(rules, "OOnnO!:events rules", &levels, &level_at, &r.max_lines, &r.max_chars,
                          &PyTuple_Type, &spaces))
        return NULL;
    r.src = (const unsigned char *)PyBytes_AS_STRING(region);
    r.size = PyBytes_GET_SIZE(region);
    if (r.size == 0 || r.src[r.size - 1] != '\n') Py_RETURN_NONE;
    if (PyTuple_GET_SIZE(spaces) > SPACES_MAX) {
        PyErr_SetString(PyExc_ValueError, "too many spaces");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(spaces); i++) {
        PyObject *sp = PyTuple_GET_ITEM(spaces, i);
        if (!PyBytes_Check(sp) || PyBytes_GET_SIZE(sp) == 0) {
            PyErr_SetString(PyExc_TypeError, "spaces must be non-empty bytes");
            return NULL;
        }
        r.space[i] = (const unsigned char *)PyBytes_AS_STRING(sp);
        r.space_len[i] = PyBytes_GET_SIZE(sp);
        r.space_lead[r.space[i][0]] = 1;
        r.spaces++;
    }

    PyObject *out = NULL, *keep = NULL, *tails = NULL, *lines = NULL, *sizes = NULL, *result = NULL;
    Text *at = NULL;
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = qualifies(&r);
    Py_END_ALLOW_THREADS
    if (!ok) Py_RETURN_NONE;

    r.ev = PyMem_RawMalloc(sizeof(Event) * (size_t)r.newlines);
    if (!r.ev || distinct_init(&r.levels, 16) < 0 || distinct_init(&r.loggers, 64) < 0
        || distinct_init(&r.threads, 64) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    ok = read_events(&r);
    Py_END_ALLOW_THREADS
    if (ok < 0) { PyErr_NoMemory(); goto done; }
    if (ok == 0) { result = Py_NewRef(Py_None); goto done; }
    ok = fields_pass(&r, levels, level_at);
    if (ok < 0) goto done;
    if (ok == 0) { result = Py_NewRef(Py_None); goto done; }

    /* the times: the head and the tail of each run of equal keys (seconds and zone) */
    at = PyMem_RawMalloc(sizeof(Text) * 2 * (size_t)r.n);
    keep = PyList_New(0);
    tails = PyObject_GetAttrString(times, "tails");
    if (!at || !keep || !tails) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto done; }
    const char *src = (const char *)r.src;
    Py_ssize_t total = r.size + r.quotes + r.tabs + r.newlines;
    for (Py_ssize_t i = 0; i < r.n; i++) {
        const Event *e = &r.ev[i], *prev = i ? &r.ev[i - 1] : NULL;
        if (!prev || e->zone != prev->zone || memcmp(src + e->start, src + prev->start, 19) != 0
            || memcmp(src + e->start + 19 + e->frac, src + prev->start + 19 + prev->frac, (size_t)e->zone) != 0) {
            PyObject *key = PyBytes_FromStringAndSize(NULL, 19 + e->zone);
            if (!key) goto done;
            memcpy(PyBytes_AS_STRING(key), src + e->start, 19);
            memcpy(PyBytes_AS_STRING(key) + 19, src + e->start + 19 + e->frac, (size_t)e->zone);
            PyObject *head = bytes_of(PyObject_GetItem(times, key));
            PyObject *tail = head ? bytes_of(PyObject_GetItem(tails, key)) : NULL;
            Py_DECREF(key);
            int kept = head && tail && PyList_Append(keep, head) == 0 && PyList_Append(keep, tail) == 0;
            Py_XDECREF(head);
            Py_XDECREF(tail);
            if (!kept) goto done;
            at[2 * i] = (Text){PyBytes_AS_STRING(head), PyBytes_GET_SIZE(head)};
            at[2 * i + 1] = (Text){PyBytes_AS_STRING(tail), PyBytes_GET_SIZE(tail)};
        } else {
            at[2 * i] = at[2 * i - 2];
            at[2 * i + 1] = at[2 * i - 1];
        }
        total += TEMPLATE_MAX + at[2 * i].len + at[2 * i + 1].len;
    }
    out = PyBytes_FromStringAndSize(NULL, total);
    if (!out) goto done;
    char *o = PyBytes_AS_STRING(out);
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < r.n; i++) o = write_event(o, &r, &r.ev[i], at[2 * i], at[2 * i + 1]);
    Py_END_ALLOW_THREADS
    if (_PyBytes_Resize(&out, o - PyBytes_AS_STRING(out)) < 0) goto done;
    lines = PyList_New(r.n);
    sizes = PyList_New(r.n);
    if (!lines || !sizes) goto done;
    for (Py_ssize_t i = 0; i < r.n; i++) {
        PyObject *a = PyLong_FromSsize_t(r.ev[i].lines), *b = PyLong_FromSsize_t(r.ev[i].end - r.ev[i].start);
        if (!a || !b) { Py_XDECREF(a); Py_XDECREF(b); goto done; }
        PyList_SET_ITEM(lines, i, a);
        PyList_SET_ITEM(sizes, i, b);
    }
    result = PyTuple_Pack(3, out, lines, sizes);
done:
    PyMem_RawFree(r.ev);
    PyMem_RawFree(at);
    distinct_free(&r.levels);
    distinct_free(&r.loggers);
    distinct_free(&r.threads);
    Py_XDECREF(out);
    Py_XDECREF(keep);
    Py_XDECREF(tails);
    Py_XDECREF(lines);
    Py_XDECREF(sizes);
    if (PyErr_Occurred()) Py_CLEAR(result);
    return result;
}

static PyMethodDef methods[] = {
    {"events", py_events, METH_VARARGS,
     "events(region, times, rules) -> (ndjson, lines, sizes) | None: a region of framework-log events "
     "as NDJSON (see _native_events.c)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native_events",
                                    "fast_events.py's region path in C (see _native_events.c).", -1, methods};

PyMODINIT_FUNC PyInit__native_events(void) {
    for (int c = 0; c < 256; c++)
        KIND[c] = c == '"' ? K_QUOTE : c == '\t' ? K_TAB : c == '\n' ? K_NL : (c == '\\' || c < 32) ? K_BAD
                : c >= 0x80 ? K_HIGH : K_PLAIN;
    return PyModule_Create(&module);
}
