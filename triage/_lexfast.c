/* triage._lexfast: the lexical model's per-ticket pass (tokenise, count, tf-idf, dot products) in C.
 *
 * Optional accelerator of triage.lexical.LexicalModel.judge: `pip install` compiles it when a C compiler
 * is present (setup.py marks it optional) and the pure-Python path is used otherwise. It must give the
 * Python path's figures bit for bit: same tokens (`[\w#]+(?:'[\w#]+)*` over the text with every ASCII
 * digit read as '#', `\w` as `re` reads it for str: Py_UNICODE_ISALNUM or '_'), terms visited in the same
 * order (per field: its unigrams, then its bigrams; a term's first occurrence fixes its place) and the
 * same floating-point operations in the same order. tests/unit/test_lexfast.py holds both paths equal.
 *
 * vocab(terms) -> capsule: the vocabulary (list of str; row r = terms[r]) as code points with a hash table
 *
 * judge(texts, vocab, table, k, hidden) -> (acc, sq, shown, known, covered, eligible)
 *   texts   sequence of str (normalised fields)
 *   vocab   what vocab(terms) returned
 *   table   buffer of doubles, row-major, (1 + k) per row: idf, then one weight per target
 *   k       number of targets
 *   hidden  bytes, one per row: 1 = never shown as evidence, not counted in `shown`
 * acc: tuple of k sums of v * w[i]; sq: sum of v * v; shown: known terms not hidden;
 * known: bytes packing (int64 row, double v, int64 field, int64 start, int64 end) per known term in
 *        first-occurrence order, v = idf * (1 + ln n) (idf when n == 1); field, start, end: where the term first
 *        occurs as whole tokens (the field's index in texts, character offsets of its first token's start and
 *        its last token's end) — what lexical.term_span finds by searching.
 * covered, eligible: word tokens (unigrams, each occurrence) the model could weigh — a known term not hidden, or an
 *        unknown one with a character other than '#' and '\'' — and how many of those it knows (its coverage).
 *
 * top(known, table, k, hidden, terms, i, floor, n) -> [(term, c, field, start, end)]
 *   the n known terms with the largest c = v * w[i], c >= floor, not hidden, largest first, ties by term
 *   (as LexicalModel.explain sorts them), with their first occurrence; terms: list of str, per row.
 */
#define PY_SSIZE_T_CLEAN
#define LEXFAST_ABI 5 /* bump with any change of judge/top/vocab's arguments or results; see triage/lexical.py */
#define LEXFAST_MAX_TARGETS 64
#ifndef LEXFAST_SOURCE
#define LEXFAST_SOURCE "" /* setup.py passes the sha256 of this file: triage/lexical.py refuses a build of other source */
#endif
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static inline int is_tok(Py_UCS4 ch) {
    return ch == '#' || ch == '_' || Py_UNICODE_ISALNUM(ch);
}

static inline Py_UCS4 view(Py_UCS4 ch) { /* the text as term_counts reads it: ASCII digits as '#' */
    return (ch >= '0' && ch <= '9') ? (Py_UCS4)'#' : ch;
}

typedef struct { /* one known term of a ticket, as `judge` packs them (first-occurrence order) */
    int64_t row;
    double v;
    int64_t field, start, end; /* its first occurrence */
} Known;

typedef struct {
    Py_ssize_t row;
    Py_ssize_t count;
    Py_ssize_t field, start, end;
} Slot;

typedef struct {
    Slot *slots;        /* first-occurrence order */
    Py_ssize_t n;
    Py_ssize_t *table;  /* open addressing: slot index + 1, 0 = empty; keyed by row */
    Py_ssize_t mask;
} Counts;

static void counts_add(Counts *c, Py_ssize_t row, Py_ssize_t field, Py_ssize_t start, Py_ssize_t end) {
    size_t h = ((size_t)row * 0x9E3779B97F4A7C15ull) >> 7;
    for (size_t i = h & (size_t)c->mask;; i = (i + 1) & (size_t)c->mask) {
        Py_ssize_t s = c->table[i];
        if (s == 0) {
            c->table[i] = c->n + 1;
            c->slots[c->n].row = row;
            c->slots[c->n].count = 1;
            c->slots[c->n].field = field;
            c->slots[c->n].start = start;
            c->slots[c->n].end = end;
            c->n++;
            return;
        }
        if (c->slots[s - 1].row == row) {
            c->slots[s - 1].count++;
            return;
        }
    }
}

/* The vocabulary as code points with its own hash table, so a ticket's terms are looked up without making a
 * Python string of each (most terms of a ticket are not in the vocabulary). Row r = the r-th term given. */
/* The length of a str (made ready for PyUnicode_READ before 3.12), or -1 with TypeError(what) set. */
static Py_ssize_t str_length(PyObject *t, const char *what) {
    if (!PyUnicode_Check(t)) {
        PyErr_SetString(PyExc_TypeError, what);
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(t) < 0) return -1;
#endif
    return PyUnicode_GET_LENGTH(t);
}

#define FNV_INIT 0xcbf29ce484222325ull
static inline uint64_t fnv(uint64_t h, Py_UCS4 c) { return (h ^ (uint64_t)c) * 0x100000001b3ull; }

typedef struct {
    Py_ssize_t n;
    Py_UCS4 *arena;
    Py_ssize_t *off; /* n + 1 offsets into arena */
    uint64_t *hash;
    Py_ssize_t *slots; /* row + 1, 0 = empty */
    Py_ssize_t mask;
} Vocab;

#define VOCAB_CAPSULE "triage._lexfast.Vocab"

static void vocab_free(PyObject *capsule) {
    Vocab *v = PyCapsule_GetPointer(capsule, VOCAB_CAPSULE);
    if (v == NULL) return;
    PyMem_Free(v->arena);
    PyMem_Free(v->off);
    PyMem_Free(v->hash);
    PyMem_Free(v->slots);
    PyMem_Free(v);
}

static PyObject *vocab(PyObject *self, PyObject *args) {
    PyObject *terms;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &terms)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(terms), total = 0;
    for (Py_ssize_t r = 0; r < n; r++) {
        Py_ssize_t len = str_length(PyList_GET_ITEM(terms, r), "terms must be a list of str");
        if (len < 0) return NULL;
        total += len;
    }
    Vocab *v = PyMem_Calloc(1, sizeof(Vocab));
    if (v == NULL) return PyErr_NoMemory();
    Py_ssize_t cap = 16;
    while (cap < 2 * n + 16) cap <<= 1;
    v->n = n;
    v->arena = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(total + 1));
    v->off = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n + 1));
    v->hash = PyMem_Malloc(sizeof(uint64_t) * (size_t)(n + 1));
    v->slots = PyMem_Calloc((size_t)cap, sizeof(Py_ssize_t));
    v->mask = cap - 1;
    PyObject *capsule = PyCapsule_New(v, VOCAB_CAPSULE, vocab_free);
    if (capsule == NULL) {
        PyMem_Free(v->arena);
        PyMem_Free(v->off);
        PyMem_Free(v->hash);
        PyMem_Free(v->slots);
        PyMem_Free(v);
        return NULL;
    }
    if (!v->arena || !v->off || !v->hash || !v->slots) {
        Py_DECREF(capsule);
        return PyErr_NoMemory();
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t r = 0; r < n; r++) {
        PyObject *t = PyList_GET_ITEM(terms, r);
        int kind = PyUnicode_KIND(t);
        const void *data = PyUnicode_DATA(t);
        Py_ssize_t len = PyUnicode_GET_LENGTH(t);
        uint64_t h = FNV_INIT;
        v->off[r] = at;
        for (Py_ssize_t p = 0; p < len; p++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, p);
            v->arena[at++] = ch;
            h = fnv(h, ch);
        }
        v->hash[r] = h;
        for (size_t i = (size_t)h & (size_t)v->mask;; i = (i + 1) & (size_t)v->mask) {
            if (v->slots[i] == 0) {
                v->slots[i] = r + 1;
                break;
            }
        }
    }
    v->off[n] = at;
    return capsule;
}

/* The row of the term a (+ ' ' + b when b != NULL), or -1. */
static Py_ssize_t vocab_find(const Vocab *v, uint64_t h, const Py_UCS4 *a, Py_ssize_t la, const Py_UCS4 *b,
                             Py_ssize_t lb) {
    Py_ssize_t len = b ? la + 1 + lb : la;
    for (size_t i = (size_t)h & (size_t)v->mask;; i = (i + 1) & (size_t)v->mask) {
        Py_ssize_t s = v->slots[i];
        if (s == 0) return -1;
        Py_ssize_t r = s - 1;
        if (v->hash[r] != h || v->off[r + 1] - v->off[r] != len) continue;
        const Py_UCS4 *t = v->arena + v->off[r];
        if (memcmp(t, a, sizeof(Py_UCS4) * (size_t)la) != 0) continue;
        if (b && (t[la] != ' ' || memcmp(t + la + 1, b, sizeof(Py_UCS4) * (size_t)lb) != 0)) continue;
        return r;
    }
}

static PyObject *judge(PyObject *self, PyObject *args) {
    PyObject *texts, *vocab_obj, *table_obj, *hidden_obj;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "OOOnO", &texts, &vocab_obj, &table_obj, &k, &hidden_obj)) return NULL;
    const Vocab *voc = PyCapsule_GetPointer(vocab_obj, VOCAB_CAPSULE);
    if (voc == NULL) return NULL;
    if (k < 1 || k > LEXFAST_MAX_TARGETS) {
        PyErr_SetString(PyExc_ValueError, "k must be within [1, 64]");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(texts, "texts must be a sequence of str");
    if (seq == NULL) return NULL;
    Py_buffer tb, hb;
    if (PyObject_GetBuffer(table_obj, &tb, PyBUF_SIMPLE) < 0) {
        Py_DECREF(seq);
        return NULL;
    }
    if (PyObject_GetBuffer(hidden_obj, &hb, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&tb);
        Py_DECREF(seq);
        return NULL;
    }
    PyObject *result = NULL;
    Py_UCS4 *buf = NULL;
    Py_ssize_t *starts = NULL, *ends = NULL;
    uint64_t *hashes = NULL;
    Counts c = {NULL, 0, NULL, 0};
    double *acc = NULL;
    const double *table = (const double *)tb.buf;
    const unsigned char *hidden = (const unsigned char *)hb.buf;
    Py_ssize_t rows = voc->n;
    if (hb.len != rows || tb.len != rows * (1 + k) * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "vocabulary, table and hidden disagree on the number of rows");
        goto done;
    }
    Py_ssize_t nt = PySequence_Fast_GET_SIZE(seq);
    Py_ssize_t total = 0, longest = 0, covered = 0, eligible = 0;
    for (Py_ssize_t f = 0; f < nt; f++) {
        Py_ssize_t n = str_length(PySequence_Fast_GET_ITEM(seq, f), "texts must be a sequence of str");
        if (n < 0) goto done;
        total += n;
        if (n > longest) longest = n;
    }
    /* tokens are separated by at least one character: a field of n characters has at most (n + 1) / 2 tokens,
     * so at most n + 1 terms (unigrams and bigrams) */
    Py_ssize_t most = total + nt + 8;
    Py_ssize_t cap = 16;
    while (cap < 2 * most) cap <<= 1;
    c.slots = PyMem_Malloc(sizeof(Slot) * (size_t)most);
    c.table = PyMem_Calloc((size_t)cap, sizeof(Py_ssize_t));
    c.mask = cap - 1;
    buf = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(longest + 1));
    starts = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(longest + 1));
    ends = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(longest + 1));
    hashes = PyMem_Malloc(sizeof(uint64_t) * (size_t)(longest + 1));
    acc = PyMem_Calloc((size_t)k, sizeof(double));
    if (!c.slots || !c.table || !buf || !starts || !ends || !hashes || !acc) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t f = 0; f < nt; f++) {
        PyObject *t = PySequence_Fast_GET_ITEM(seq, f);
        int kind = PyUnicode_KIND(t);
        const void *data = PyUnicode_DATA(t);
        Py_ssize_t n = PyUnicode_GET_LENGTH(t);
        for (Py_ssize_t p = 0; p < n; p++) buf[p] = view(PyUnicode_READ(kind, data, p));
        Py_ssize_t ntok = 0;
        Py_ssize_t i = 0;
        while (i < n) { /* `[\w#]+(?:'[\w#]+)*`, leftmost, greedy, non-overlapping */
            if (!is_tok(buf[i])) {
                i++;
                continue;
            }
            Py_ssize_t s0 = i;
            while (i < n && is_tok(buf[i])) i++;
            while (i + 1 < n && buf[i] == '\'' && is_tok(buf[i + 1])) {
                i++;
                while (i < n && is_tok(buf[i])) i++;
            }
            starts[ntok] = s0;
            ends[ntok] = i;
            ntok++;
        }
        for (Py_ssize_t j = 0; j < ntok; j++) {
            uint64_t h = FNV_INIT;
            for (Py_ssize_t p = starts[j]; p < ends[j]; p++) h = fnv(h, buf[p]);
            hashes[j] = h;
            Py_ssize_t row = vocab_find(voc, h, buf + starts[j], ends[j] - starts[j], NULL, 0);
            if (row >= 0) {
                counts_add(&c, row, f, starts[j], ends[j]);
                if (!hidden[row]) {
                    covered++;
                    eligible++;
                }
            } else {
                for (Py_ssize_t p = starts[j]; p < ends[j]; p++) {
                    if (buf[p] != '#' && buf[p] != '\'') {
                        eligible++;
                        break;
                    }
                }
            }
        }
        for (Py_ssize_t j = 0; j + 1 < ntok; j++) {
            uint64_t h = fnv(hashes[j], ' ');
            for (Py_ssize_t p = starts[j + 1]; p < ends[j + 1]; p++) h = fnv(h, buf[p]);
            Py_ssize_t row = vocab_find(voc, h, buf + starts[j], ends[j] - starts[j], buf + starts[j + 1],
                                        ends[j + 1] - starts[j + 1]);
            if (row >= 0) counts_add(&c, row, f, starts[j], ends[j + 1]);
        }
    }
    {
        double sq = 0.0;
        Py_ssize_t shown = 0;
        PyObject *packed = PyBytes_FromStringAndSize(NULL, c.n * (Py_ssize_t)sizeof(Known));
        if (packed == NULL) goto done;
        Known *out = (Known *)PyBytes_AS_STRING(packed);
        for (Py_ssize_t s = 0; s < c.n; s++) {
            const double *r = table + c.slots[s].row * (1 + k);
            double v = c.slots[s].count == 1 ? r[0] : (1.0 + log((double)c.slots[s].count)) * r[0];
            sq += v * v;
            for (Py_ssize_t q = 0; q < k; q++) acc[q] += v * r[1 + q];
            if (!hidden[c.slots[s].row]) shown++;
            out[s].row = (int64_t)c.slots[s].row;
            out[s].v = v;
            out[s].field = (int64_t)c.slots[s].field;
            out[s].start = (int64_t)c.slots[s].start;
            out[s].end = (int64_t)c.slots[s].end;
        }
        PyObject *acc_t = PyTuple_New(k);
        if (acc_t == NULL) {
            Py_DECREF(packed);
            goto done;
        }
        for (Py_ssize_t q = 0; q < k; q++) {
            PyObject *x = PyFloat_FromDouble(acc[q]);
            if (x == NULL) {
                Py_DECREF(acc_t);
                Py_DECREF(packed);
                goto done;
            }
            PyTuple_SET_ITEM(acc_t, q, x);
        }
        result = Py_BuildValue("(NdnNnn)", acc_t, sq, shown, packed, covered, eligible);
    }
done:
    PyMem_Free(c.slots);
    PyMem_Free(c.table);
    PyMem_Free(buf);
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(hashes);
    PyMem_Free(acc);
    PyBuffer_Release(&hb);
    PyBuffer_Release(&tb);
    Py_DECREF(seq);
    return result;
}


typedef struct {
    double c;
    Py_ssize_t row;
    Py_ssize_t at; /* index in known */
} Cand;

/* a before b in explain's order: larger c first, then the smaller term; -2 on error */
static int before(const Cand *a, const Cand *b, PyObject *terms) {
    if (a->c != b->c) return a->c > b->c;
    int cmp = PyUnicode_Compare(PyList_GET_ITEM(terms, a->row), PyList_GET_ITEM(terms, b->row));
    if (cmp == -1 && PyErr_Occurred()) return -2;
    return cmp < 0;
}

static PyObject *top(PyObject *self, PyObject *args) {
    PyObject *known_obj, *table_obj, *hidden_obj, *terms;
    Py_ssize_t k, i, n;
    double floor_;
    if (!PyArg_ParseTuple(args, "SOnOO!ndn", &known_obj, &table_obj, &k, &hidden_obj, &PyList_Type, &terms, &i,
                          &floor_, &n))
        return NULL;
    if (k < 1 || k > LEXFAST_MAX_TARGETS || i < 0 || i >= k || n < 0) {
        PyErr_SetString(PyExc_ValueError, "need 1 <= k <= 64, 0 <= i < k and n >= 0");
        return NULL;
    }
    Py_buffer tb, hb;
    if (PyObject_GetBuffer(table_obj, &tb, PyBUF_SIMPLE) < 0) return NULL;
    if (PyObject_GetBuffer(hidden_obj, &hb, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&tb);
        return NULL;
    }
    PyObject *result = NULL;
    Cand *best = NULL;
    Py_ssize_t rows = hb.len;
    if (tb.len != rows * (1 + k) * (Py_ssize_t)sizeof(double) || PyList_GET_SIZE(terms) != rows) {
        PyErr_SetString(PyExc_ValueError, "table, hidden and terms disagree on the number of rows");
        goto done;
    }
    const Known *known = (const Known *)PyBytes_AS_STRING(known_obj);
    Py_ssize_t m = PyBytes_GET_SIZE(known_obj) / (Py_ssize_t)sizeof(Known);
    const double *table = (const double *)tb.buf;
    const unsigned char *hidden = (const unsigned char *)hb.buf;
    if (n > m) n = m; /* never more than the known terms: bounds the allocation whatever n is asked */
    best = PyMem_Malloc(sizeof(Cand) * (size_t)(n + 1));
    if (best == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t have = 0;
    for (Py_ssize_t s = 0; s < m; s++) {
        Py_ssize_t row = (Py_ssize_t)known[s].row;
        if (row < 0 || row >= rows) {
            PyErr_SetString(PyExc_ValueError, "known row out of range");
            goto done;
        }
        Cand cand = {known[s].v * table[row * (1 + k) + 1 + i], row, s};
        if (!(cand.c >= floor_) || hidden[row]) continue;
        /* insertion into the sorted top-n */
        Py_ssize_t at = have;
        while (at > 0) {
            int b = before(&cand, &best[at - 1], terms);
            if (b == -2) goto done;
            if (!b) break;
            at--;
        }
        if (at >= n) continue;
        Py_ssize_t last = have < n ? have : n - 1;
        for (Py_ssize_t q = last; q > at; q--) best[q] = best[q - 1];
        best[at] = cand;
        if (have < n) have++;
    }
    result = PyList_New(have);
    if (result == NULL) goto done;
    for (Py_ssize_t q = 0; q < have; q++) {
        const Known *kq = &known[best[q].at];
        PyObject *pair = Py_BuildValue("(OdLLL)", PyList_GET_ITEM(terms, best[q].row), best[q].c, (long long)kq->field,
                                       (long long)kq->start, (long long)kq->end);
        if (pair == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, q, pair);
    }
done:
    PyMem_Free(best);
    PyBuffer_Release(&hb);
    PyBuffer_Release(&tb);
    return result;
}

static PyMethodDef methods[] = {
    {"vocab", vocab, METH_VARARGS, "vocab(terms) -> the vocabulary's lookup table (row = position in terms)."},
    {"judge", judge, METH_VARARGS, "judge(texts, vocab, table, k, hidden) -> (acc, sq, shown, known, covered, eligible); see the source."},
    {"top", top, METH_VARARGS, "top(known, table, k, hidden, terms, i, floor, n) -> [(term, c, field, start, end)]; see the source."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "triage._lexfast",
                                    "C accelerator of triage.lexical.LexicalModel.judge (optional).", -1, methods};

PyMODINIT_FUNC PyInit__lexfast(void) {
    PyObject *m = PyModule_Create(&module);
    /* The calling convention's version: triage.lexical ignores a module built from another version of this file
     * (a stale build left beside newer Python code) instead of failing on every ticket. */
    if (m != NULL && (PyModule_AddIntConstant(m, "ABI", LEXFAST_ABI) < 0 ||
                      PyModule_AddStringConstant(m, "SOURCE", LEXFAST_SOURCE) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
