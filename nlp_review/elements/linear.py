"""The element classifier as plain arrays, evaluated with numpy (no scikit-learn at review).

The trained model is a scikit-learn pipeline: a FeatureUnion of TF-IDF blocks (character
n-grams, whitespace-split tokens) and a DictVectorizer, into a multinomial logistic
regression. Loading it means importing scikit-learn and SciPy (≈ 1.2 s and ≈ 100 MiB per
process) and every prediction pays the pipeline's validation overhead. `export` turns the
fitted pipeline into arrays (`inference.npz` next to `model.joblib`: vocabularies, idf,
coefficients; no pickle) and `LinearModel.predict_proba` computes the very same numbers:
the same n-grams and counts, log(tf) + 1, × idf, l2 per block in column order, the dot
product summed in column order as SciPy's sparse product sums it, the same softmax — so
the probabilities are bit for bit scikit-learn's (`tests/test_elements_model.py` checks it).

A pipeline with a part this module does not know is not exported: the model then runs
through scikit-learn as before.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from . import features

FILE = "inference.npz"
FORMAT = 1
_WHITE_SPACES = re.compile(r"\s\s+")  # TfidfVectorizer's whitespace normalisation


class Unsupported(ValueError):
    """A pipeline part that has no array form here."""


def _selector(step) -> str:
    fn = getattr(step, "func", None)
    name = getattr(fn, "__name__", "")
    if type(step).__name__ != "FunctionTransformer" or getattr(features, name, None) is not fn \
            or step.inverse_func is not None or step.kw_args or getattr(step, "validate", False):
        raise Unsupported(f"selector {step!r}")
    return name


def _block(name: str, part) -> dict:
    steps = getattr(part, "steps", None)
    if not steps or len(steps) != 2:
        raise Unsupported(f"part {name}")
    sel, vec = steps[0][1], steps[1][1]
    out = {"name": name, "selector": _selector(sel)}
    kind = type(vec).__name__
    if kind == "DictVectorizer":
        if vec.separator != "=" or not vec.sparse:
            raise Unsupported("DictVectorizer settings")
        out.update(kind="dict", terms=list(vec.feature_names_))
        return out
    if kind != "TfidfVectorizer":
        raise Unsupported(kind)
    if vec.input != "content" or vec.binary or vec.norm != "l2" or not vec.use_idf or vec.dtype is not np.float64 \
            or vec.strip_accents or vec.preprocessor is not None or vec.tokenizer is not None:
        raise Unsupported(f"TfidfVectorizer settings of {name}")
    terms = [""] * len(vec.vocabulary_)
    for t, j in vec.vocabulary_.items():
        terms[j] = t
    if vec.analyzer == "char":
        out.update(kind="char", ngram=tuple(vec.ngram_range), lowercase=bool(vec.lowercase))
    elif callable(vec.analyzer) and vec.analyzer is features._split:
        out.update(kind="split")
    else:
        raise Unsupported(f"analyzer of {name}")
    out.update(terms=terms, idf=np.asarray(vec.idf_, dtype=np.float64), sublinear=bool(vec.sublinear_tf))
    return out


def export(pipeline) -> dict[str, np.ndarray]:
    """The arrays of a fitted features → LogisticRegression pipeline (raises Unsupported)."""
    names = [n for n, _ in pipeline.steps]
    if len(names) != 2:
        raise Unsupported("pipeline shape")
    union, clf = pipeline.steps[0][1], pipeline.steps[1][1]
    if type(union).__name__ != "FeatureUnion" or union.transformer_weights \
            or type(clf).__name__ != "LogisticRegression":
        raise Unsupported("pipeline parts")
    coef = np.asarray(clf.coef_, dtype=np.float64)
    if coef.shape[0] < 3:  # binary: a different probability formula
        raise Unsupported("binary classifier")
    arrays: dict[str, np.ndarray] = {"format": np.array([FORMAT]), "classes": np.array([str(c) for c in clf.classes_]),
                                     "coef": coef, "intercept": np.asarray(clf.intercept_, dtype=np.float64)}
    blocks = [_block(n, part) for n, part in union.transformer_list if part not in ("drop", None)]
    if sum(len(b["terms"]) for b in blocks) != coef.shape[1]:
        raise Unsupported("feature count")
    arrays["blocks"] = np.array([b["name"] for b in blocks])
    for b in blocks:
        p = f"{b['name']}."
        arrays[p + "kind"] = np.array([b["kind"]])
        arrays[p + "selector"] = np.array([b["selector"]])
        arrays[p + "terms"] = np.array(b["terms"], dtype=str)
        if b["kind"] != "dict":
            arrays[p + "idf"] = b["idf"]
            arrays[p + "sublinear"] = np.array([b["sublinear"]])
        if b["kind"] == "char":
            arrays[p + "ngram"] = np.array(b["ngram"])
            arrays[p + "lowercase"] = np.array([b["lowercase"]])
    return arrays


def save(pipeline, folder: Path, extra: dict[str, np.ndarray] | None = None) -> bool:
    """Write inference.npz for `pipeline` (plus `extra` arrays) into `folder`; False when the
    pipeline has no array form."""
    try:
        arrays = export(pipeline)
    except Unsupported:
        return False
    np.savez_compressed(folder / FILE, **arrays, **(extra or {}))
    return True


def _gram_keys(codes: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of every n-gram of the concatenated strings (codes: code point + 1, owner: the
    string each character belongs to) that lies inside one string, and their string."""
    m = len(codes) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    inside = owner[:m] == owner[n - 1:]
    key = codes[:m].copy()
    for k in range(1, n):
        key = (key << np.uint64(21)) | codes[k:k + m]
    return key[inside], owner[:m][inside]


def _term_keys(terms: list[str]) -> np.ndarray:
    """The n-gram key of each term (code points + 1, 21 bits each; lengths 1–3)."""
    out = np.zeros(len(terms), dtype=np.uint64)
    for i, t in enumerate(terms):
        k = 0
        for ch in t:
            k = (k << 21) | (ord(ch) + 1)
        out[i] = k
    return out


class _Block:
    def __init__(self, z, name: str, offset: int):
        p = f"{name}."
        self.kind = str(z[p + "kind"][0])
        self.select = getattr(features, str(z[p + "selector"][0]))
        terms = z[p + "terms"].tolist()
        self.size = len(terms)
        self.offset = offset
        if self.kind in ("dict", "split"):
            self.vocab = dict(zip(terms, range(offset, offset + len(terms))))
        if self.kind != "dict":
            self.idf = np.zeros(offset + len(terms))
            self.idf[offset:] = z[p + "idf"]
            self.sublinear = bool(z[p + "sublinear"][0])
        if self.kind == "char":
            self.ngram = tuple(int(x) for x in z[p + "ngram"])
            self.lowercase = bool(z[p + "lowercase"][0])
            if self.ngram[0] < 1 or self.ngram[1] > 3 or any(not 1 <= len(t) <= 3 for t in terms):
                raise ValueError(f"{FILE}: block {name}: n-grams of 1–3 characters expected")
            keys = _term_keys(terms)
            order = np.argsort(keys)
            self.keys, self.cols = keys[order], (order + offset).astype(np.int64)

    def _counts(self, docs: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(string, column, count) of every vocabulary term in each string, sorted by string
        then column — the rows of scikit-learn's count matrix."""
        F = self.offset + self.size
        if self.kind == "split":
            vocab = self.vocab
            owner, cols = [], []
            for u, doc in enumerate(docs):
                for t in features._split(doc):
                    j = vocab.get(t)
                    if j is not None:
                        owner.append(u)
                        cols.append(j)
            pair = np.array(owner, dtype=np.int64) * F + np.array(cols, dtype=np.int64)
        else:
            prep = [_WHITE_SPACES.sub(" ", d.lower() if self.lowercase else d) for d in docs]
            codes = np.frombuffer("".join(prep).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) + np.uint64(1)
            owner = np.repeat(np.arange(len(prep)), [len(d) for d in prep])
            pairs = []
            for n in range(self.ngram[0], self.ngram[1] + 1):
                key, who = _gram_keys(codes, owner, n)
                pos = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
                hit = self.keys[pos] == key
                pairs.append(who[hit] * F + self.cols[pos[hit]])
            pair = np.concatenate(pairs) if pairs else np.zeros(0, dtype=np.int64)
        uniq, counts = np.unique(pair, return_counts=True)
        return uniq // F, uniq % F, counts.astype(np.float64)

    def table(self, rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """This block's values, computed once per distinct input string: (string of each row,
        entry starts per string, columns, values), entries sorted by column within a string."""
        docs = self.select(rows)
        if self.kind == "dict":
            cols, vals, lengths = [], [], []
            for x in docs:
                cv = []
                for f, v in x.items():
                    if isinstance(v, str):
                        f, v = f"{f}={v}", 1
                    j = self.vocab.get(f)
                    if j is not None:
                        cv.append((j, float(v)))
                cv.sort(key=lambda p: p[0])
                cols += [j for j, _ in cv]
                vals += [v for _, v in cv]
                lengths.append(len(cv))
            starts = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
            return np.arange(len(docs)), starts, np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float64)
        distinct: dict[str, int] = {}
        which = np.array([distinct.setdefault(d, len(distinct)) for d in docs], dtype=np.int64)
        owner, cols, vals = self._counts(list(distinct))
        starts = np.searchsorted(owner, np.arange(len(distinct) + 1))
        return which, starts, cols, self._weigh(cols, vals, starts)

    def _weigh(self, cols: np.ndarray, vals: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """tf → tf-idf, l2-normalised per row as scikit-learn does (sequential sum of squares)."""
        if self.sublinear:
            vals = np.log(vals)
            vals += 1.0
        vals = vals * self.idf[cols]
        sums = _sequential_sums(vals * vals, starts)
        empty = np.repeat(sums == 0.0, np.diff(starts))
        return np.where(empty, vals, vals / np.repeat(np.where(sums == 0.0, 1.0, np.sqrt(sums)), np.diff(starts)))


def _sequential_sums(x: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Σ x[starts[i]:starts[i+1]] added left to right (as the C loops of scikit-learn and
    SciPy add), for every row i; x may have trailing dimensions."""
    n = len(starts) - 1
    lengths = np.diff(starts)
    out = np.zeros((n,) + x.shape[1:], dtype=np.float64)
    if not len(x):
        return out
    padded = np.concatenate([x, np.zeros((1,) + x.shape[1:])])
    zero = len(x)
    # rows grouped by length (powers of two), so that padding stays small
    group = np.ceil(np.log2(np.maximum(lengths, 1))).astype(np.int64)
    for g in np.unique(group[lengths > 0]):
        rows = np.nonzero((group == g) & (lengths > 0))[0]
        width = int(lengths[rows].max())
        k = np.arange(width)[None, :]
        idx = np.where(k < lengths[rows, None], starts[rows, None] + k, zero)
        out[rows] = np.cumsum(padded[idx], axis=1)[:, -1]
    return out


ROWS_PER_CALL = 256


class LinearModel:
    """`predict_proba(rows)` of the exported pipeline; `classes_` as scikit-learn's."""

    def __init__(self, z):
        if int(z["format"][0]) != FORMAT:
            raise ValueError(f"{FILE}: format {int(z['format'][0])}, expected {FORMAT}")
        self.classes_ = np.array(z["classes"].tolist(), dtype=object)
        self.weights = np.ascontiguousarray(z["coef"].T)  # (features, classes): one row per column
        self.intercept = z["intercept"]
        self.source_sha256 = str(z["source_sha256"][0]) if "source_sha256" in z else ""
        self.meta = json.loads(str(z["meta"][0])) if "meta" in z else {}
        self.blocks, offset = [], 0
        for name in z["blocks"].tolist():
            b = _Block(z, name, offset)
            self.blocks.append(b)
            offset += b.size
        if offset != self.weights.shape[0]:
            raise ValueError(f"{FILE}: {offset} features, the coefficients have {self.weights.shape[0]}")

    @classmethod
    def load(cls, folder: Path) -> "LinearModel":
        with np.load(folder / FILE) as z:
            return cls(z)

    def predict_proba(self, rows: list[dict]) -> np.ndarray:
        """Class probabilities of each row, ROWS_PER_CALL rows at a time: the products below take
        entries × classes × 8 bytes (a 550,000-character report of 3,000 sentence units took
        ~700 MB in one call); each row's sums depend on its own entries only."""
        if len(rows) <= ROWS_PER_CALL:
            return self._predict_proba(rows)
        return np.concatenate([self._predict_proba(rows[i:i + ROWS_PER_CALL])
                               for i in range(0, len(rows), ROWS_PER_CALL)])

    def _predict_proba(self, rows: list[dict]) -> np.ndarray:
        seg_start, seg_len, cols_all, vals_all, base = [], [], [], [], 0
        for b in self.blocks:
            which, starts, cols, vals = b.table(rows)
            seg_start.append(base + starts[which])
            seg_len.append(starts[which + 1] - starts[which])
            cols_all.append(cols)
            vals_all.append(vals)
            base += len(cols)
        cols, vals = np.concatenate(cols_all), np.concatenate(vals_all)
        # each row's entries, block after block (ascending columns): the order SciPy sums them in
        seg_start, seg_len = np.stack(seg_start, axis=1).ravel(), np.stack(seg_len, axis=1).ravel()
        before = np.concatenate([[0], np.cumsum(seg_len)])
        idx = np.repeat(seg_start - before[:-1], seg_len) + np.arange(before[-1])
        starts = before[::len(self.blocks)]
        products = vals[idx, None] * self.weights[cols[idx]]
        scores = _sequential_sums(products, starts) + self.intercept
        # scikit-learn's softmax, step by step
        scores -= scores.max(axis=1).reshape(-1, 1)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1).reshape(-1, 1)
        return scores
