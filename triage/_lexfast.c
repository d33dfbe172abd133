/* triage._lexfast: the lexical model's per-ticket pass (tokenise, count, tf-idf, dot products) in C.
 *
 * Optional accelerator of triage.lexical.LexicalModel.judge: `pip install` compiles it when a C compiler
 * is present (setup.py marks it optional) and the pure-Python path is used otherwise. It must give the
 * Python path's figures bit for bit: same tokens (`[\w#]+(?:'[\w#]+)*` over the text with every ASCII
 * digit read as '#', `\w` as `re` reads it for str: Py_UNICODE_ISALNUM or '_'), terms visited in the same
 * order (per field: its unigrams, then its bigrams; a term's first occurrence fixes its place) and the
 * same floating-point operations in the same order. tests/unit/test_lexfast.py holds both paths equal.
 *
 * judge(texts, index, table, k, hidden) -> (acc, sq, shown, known)
 *   texts   sequence of str (normalised fields)
 *   index   dict term -> row (int)
 *   table   buffer of doubles, row-major, (1 + k) per row: idf, then one weight per target
 *   k       number of targets
 *   hidden  bytes, one per row: 1 = never shown as evidence, not counted in `shown`
 * acc: tuple of k sums of v * w[i]; sq: sum of v * v; shown: known terms not hidden;
 * known: bytes packing (int64 row, double v) per known term in first-occurrence order,
 *        v = idf * (1 + ln n) (idf when n == 1).
 *
 * top(known, table, k, hidden, terms, i, floor, n) -> [(term, c)]
 *   the n known terms with the largest c = v * w[i], c >= floor, not hidden, largest first, ties by term
 *   (as LexicalModel.explain sorts them); terms: list of str, per row.
 */
#define PY_SSIZE_T_CLEAN
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
} Known;

typedef struct {
    Py_ssize_t row;
    Py_ssize_t count;
    PyObject *term; /* owned */
} Slot;

typedef struct {
    Slot *slots;        /* first-occurrence order */
    Py_ssize_t n;
    Py_ssize_t *table;  /* open addressing: slot index + 1, 0 = empty; keyed by row */
    Py_ssize_t mask;
} Counts;

static int counts_add(Counts *c, Py_ssize_t row, PyObject *term) {
    size_t h = ((size_t)row * 0x9E3779B97F4A7C15ull) >> 7;
    for (size_t i = h & (size_t)c->mask;; i = (i + 1) & (size_t)c->mask) {
        Py_ssize_t s = c->table[i];
        if (s == 0) {
            c->table[i] = c->n + 1;
            c->slots[c->n].row = row;
            c->slots[c->n].count = 1;
            Py_INCREF(term);
            c->slots[c->n].term = term;
            c->n++;
            return 0;
        }
        if (c->slots[s - 1].row == row) {
            c->slots[s - 1].count++;
            return 0;
        }
    }
}

/* Look a term up; when it is a feature, count it. Steals nothing; returns -1 on error. */
static int visit(Counts *c, PyObject *index, Py_ssize_t rows, const Py_UCS4 *buf, Py_ssize_t len) {
    PyObject *term = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, len);
    if (term == NULL) return -1;
    PyObject *row_obj = PyDict_GetItemWithError(index, term); /* borrowed */
    if (row_obj == NULL) {
        Py_DECREF(term);
        return PyErr_Occurred() ? -1 : 0;
    }
    Py_ssize_t row = PyLong_AsSsize_t(row_obj);
    if (row == -1 && PyErr_Occurred()) {
        Py_DECREF(term);
        return -1;
    }
    if (row < 0 || row >= rows) {
        Py_DECREF(term);
        PyErr_SetString(PyExc_ValueError, "index row out of range");
        return -1;
    }
    int rc = counts_add(c, row, term);
    Py_DECREF(term);
    return rc;
}

static PyObject *judge(PyObject *self, PyObject *args) {
    PyObject *texts, *index, *table_obj, *hidden_obj;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "OO!OnO", &texts, &PyDict_Type, &index, &table_obj, &k, &hidden_obj))
        return NULL;
    if (k < 1) {
        PyErr_SetString(PyExc_ValueError, "k must be positive");
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
    Counts c = {NULL, 0, NULL, 0};
    double *acc = NULL;
    const double *table = (const double *)tb.buf;
    const unsigned char *hidden = (const unsigned char *)hb.buf;
    Py_ssize_t rows = tb.len / (Py_ssize_t)sizeof(double) / (1 + k);
    if (hb.len != rows || tb.len != rows * (1 + k) * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "table and hidden disagree on the number of rows");
        goto done;
    }
    Py_ssize_t nt = PySequence_Fast_GET_SIZE(seq);
    Py_ssize_t total = 0, longest = 0;
    for (Py_ssize_t f = 0; f < nt; f++) {
        PyObject *t = PySequence_Fast_GET_ITEM(seq, f);
        if (!PyUnicode_Check(t)) {
            PyErr_SetString(PyExc_TypeError, "texts must be a sequence of str");
            goto done;
        }
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(t) < 0) goto done;
#endif
        Py_ssize_t n = PyUnicode_GET_LENGTH(t);
        total += n;
        if (n > longest) longest = n;
    }
    /* at most one term per character per kind (unigram, bigram), plus slack */
    Py_ssize_t cap = 16;
    while (cap < 2 * (2 * total + 8)) cap <<= 1;
    c.slots = PyMem_Malloc(sizeof(Slot) * (size_t)(2 * total + 8));
    c.table = PyMem_Calloc((size_t)cap, sizeof(Py_ssize_t));
    c.mask = cap - 1;
    buf = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(longest + 2));
    starts = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(longest + 1));
    ends = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(longest + 1));
    acc = PyMem_Calloc((size_t)k, sizeof(double));
    if (!c.slots || !c.table || !buf || !starts || !ends || !acc) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t f = 0; f < nt; f++) {
        PyObject *t = PySequence_Fast_GET_ITEM(seq, f);
        int kind = PyUnicode_KIND(t);
        const void *data = PyUnicode_DATA(t);
        Py_ssize_t n = PyUnicode_GET_LENGTH(t);
        Py_ssize_t ntok = 0;
        Py_ssize_t i = 0;
        while (i < n) { /* `[\w#]+(?:'[\w#]+)*`, leftmost, greedy, non-overlapping */
            if (!is_tok(PyUnicode_READ(kind, data, i))) {
                i++;
                continue;
            }
            Py_ssize_t s = i;
            while (i < n && is_tok(PyUnicode_READ(kind, data, i))) i++;
            while (i + 1 < n && PyUnicode_READ(kind, data, i) == '\'' && is_tok(PyUnicode_READ(kind, data, i + 1))) {
                i++;
                while (i < n && is_tok(PyUnicode_READ(kind, data, i))) i++;
            }
            starts[ntok] = s;
            ends[ntok] = i;
            ntok++;
        }
        for (Py_ssize_t j = 0; j < ntok; j++) {
            Py_ssize_t len = 0;
            for (Py_ssize_t p = starts[j]; p < ends[j]; p++) buf[len++] = view(PyUnicode_READ(kind, data, p));
            if (visit(&c, index, rows, buf, len) < 0) goto done;
        }
        for (Py_ssize_t j = 0; j + 1 < ntok; j++) {
            Py_ssize_t la = ends[j] - starts[j], lb = ends[j + 1] - starts[j + 1];
            Py_UCS4 *pair = buf;
            Py_UCS4 *heap = NULL;
            if (la + lb + 1 > longest + 2) { /* two tokens never overlap, but be safe */
                heap = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(la + lb + 1));
                if (heap == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                pair = heap;
            }
            Py_ssize_t len = 0;
            for (Py_ssize_t p = starts[j]; p < ends[j]; p++) pair[len++] = view(PyUnicode_READ(kind, data, p));
            pair[len++] = ' ';
            for (Py_ssize_t p = starts[j + 1]; p < ends[j + 1]; p++) pair[len++] = view(PyUnicode_READ(kind, data, p));
            int rc = visit(&c, index, rows, pair, len);
            PyMem_Free(heap);
            if (rc < 0) goto done;
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
        result = Py_BuildValue("(NdnN)", acc_t, sq, shown, packed);
    }
done:
    if (c.slots) {
        for (Py_ssize_t s = 0; s < c.n; s++) Py_DECREF(c.slots[s].term);
    }
    PyMem_Free(c.slots);
    PyMem_Free(c.table);
    PyMem_Free(buf);
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(acc);
    PyBuffer_Release(&hb);
    PyBuffer_Release(&tb);
    Py_DECREF(seq);
    return result;
}


typedef struct {
    double c;
    Py_ssize_t row;
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
    if (k < 1 || i < 0 || i >= k || n < 0) {
        PyErr_SetString(PyExc_ValueError, "need 0 <= i < k and n >= 0");
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
        Cand cand = {known[s].v * table[row * (1 + k) + 1 + i], row};
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
        PyObject *pair = Py_BuildValue("(Od)", PyList_GET_ITEM(terms, best[q].row), best[q].c);
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
    {"judge", judge, METH_VARARGS, "judge(texts, index, table, k, hidden) -> (acc, sq, shown, known); see the source."},
    {"top", top, METH_VARARGS, "top(known, table, k, hidden, terms, i, floor, n) -> [(term, c)]; see the source."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "triage._lexfast",
                                    "C accelerator of triage.lexical.LexicalModel.judge (optional).", -1, methods};

PyMODINIT_FUNC PyInit__lexfast(void) { return PyModule_Create(&module); }
