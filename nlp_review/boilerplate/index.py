"""Commonness across agencies: a MinHash/LSH index over the sentences of many reports.

Each indexed sentence is reduced to its comparison form (no spaces, punctuation or
years) and to its set of character 3-shingles; MinHash signatures (datasketch) go into
an LSH index that proposes candidates, and every candidate is confirmed with the exact
shingle Jaccard similarity before it counts. `query` answers “how many other reports
contain this sentence or a near-copy, and which is the closest”.

The corpus index is built by `nlp-review train` (signatures shipped in the model
folder); a batch copies it and adds its own reports (`copy()`, `add_doc`).

The signatures are datasketch's MinHash (scheme "affine32") and the candidates its
MinHashLSH's (14 bands of 4 rows at threshold 0.5), computed here with numpy on the
signature matrix: a review never imports datasketch (and SciPy, which its LSH needs for
choosing bands: ≈ 1 s of every start-up), and loading is reading one array — no LSH
rebuilt sentence by sentence. `tests/test_boilerplate_index.py` checks both against
datasketch itself, value for value.
"""
from __future__ import annotations

import json
import lzma
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np

from .text import is_heading, jaccard, norm, shingles

NUM_PERM = 64
LSH_THRESHOLD = 0.5  # candidates; a near-copy is confirmed at MIN_SIMILARITY
BANDS, ROWS = 14, 4  # datasketch's choice for LSH_THRESHOLD and NUM_PERM (equal weights)
MIN_SIMILARITY = 0.7
ESTIMATE_MARGIN = 0.2  # 64 permutations: the estimate's s.d. is ≤ 0.063, so 0.2 is > 3 s.d.
MIN_CHARS = 15  # shorter sentences are not indexed (too generic to be evidence of copying)
SEED = 1
SCHEME = "affine32"


def _permutations(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations h → a·h + b (mod 2^32, a odd) for `seed`."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch pre-mixes every input hash with it)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signature(sh: Iterable[str]) -> Optional[np.ndarray]:
    """The MinHash signature (NUM_PERM uint32) of a shingle set; None when it is empty."""
    hv = np.array([zlib.crc32(s.encode("utf-8")) for s in sh], dtype=np.uint32)
    if not len(hv):
        return None
    with np.errstate(over="ignore"):
        return (_fmix32(hv)[:, None] * _A + _B).min(axis=0)


# one odd constant per band: the bands share one sorted table (a key equal across bands by
# chance only adds a candidate that the band check drops)
_BAND_SALT = (np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0xD6E8FEB86659FD93))


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint64: one key per LSH band of each signature. Equal bands give equal
    keys; a rare equal key of different bands is dropped when candidates are checked."""
    v = np.asarray(sigs, dtype=np.uint64)[:, :BANDS * ROWS].reshape(len(sigs), BANDS, ROWS)
    lo = v[:, :, 0] | (v[:, :, 1] << np.uint64(32))
    hi = v[:, :, 2] | (v[:, :, 3] << np.uint64(32))
    with np.errstate(over="ignore"):
        return lo ^ (hi * np.uint64(0x9E3779B97F4A7C15))


def indexable(sentence: str, statutory_share: Callable[[str], float] | None = None) -> bool:
    if len(norm(sentence)) < MIN_CHARS or is_heading(sentence):
        return False
    return statutory_share is None or statutory_share(sentence) < 0.6


@dataclass
class Match:
    doc: dict  # the other report: {"key", "agency", "year", "file"}
    sentence: str
    similarity: float


class CommonIndex:
    def __init__(self) -> None:
        self.docs: list[dict] = []
        self.sent_doc: list[int] = []
        self.sent_text: list[str] = []
        self._norm: list[str] = []
        self._sigs = np.zeros((1024, NUM_PERM), dtype=np.uint32)  # row i: sentence i's signature
        self._keys = np.zeros((1024, BANDS), dtype=np.uint64)  # row i: its band keys
        # the LSH tables, all bands in one: the band keys of rows [0, _sorted_n), each salted by
        # its band, sorted, and the row of each; rows added since are looked up directly until
        # they are many enough to sort again
        self._sorted_keys = np.zeros(0, dtype=np.uint64)
        self._sorted_rows = np.zeros(0, dtype=np.int64)
        self._sorted_n = 0

    def __len__(self) -> int:
        return len(self.sent_text)

    def _insert(self, doc_i: int, text: str, sig: np.ndarray) -> None:
        key = len(self.sent_text)
        self.sent_doc.append(doc_i)
        self.sent_text.append(text)
        self._norm.append(norm(text))
        if key == len(self._sigs):
            grow = max(len(self._sigs), 1024)
            self._sigs = np.concatenate([self._sigs, np.zeros((grow, NUM_PERM), np.uint32)])
            self._keys = np.concatenate([self._keys, np.zeros((grow, BANDS), np.uint64)])
        self._sigs[key] = sig
        self._keys[key] = band_keys(sig[None, :])[0]

    @property
    def sigs(self) -> np.ndarray:
        return self._sigs[:len(self.sent_text)]

    def add_doc(self, meta: dict, sentences: Iterable[str]) -> int:
        """Add one report (`meta` has at least "key"); returns its document number."""
        doc_i = len(self.docs)
        self.docs.append(dict(meta))
        seen = set()
        for s in sentences:
            n = norm(s)
            if n in seen:
                continue
            seen.add(n)
            sig = signature(shingles(s))
            if sig is not None:
                self._insert(doc_i, s, sig)
        return doc_i

    def _candidates(self, sig: np.ndarray) -> np.ndarray:
        """The rows that share at least one band with `sig` (MinHashLSH.query), ascending."""
        n = len(self.sent_text)
        if n - self._sorted_n > max(1024, self._sorted_n // 4):
            salted = (self._keys[:n] ^ _BAND_SALT).ravel()  # row-major: row * BANDS + band
            order = np.argsort(salted, kind="stable")
            self._sorted_keys, self._sorted_rows, self._sorted_n = salted[order], order // BANDS, n
        q = band_keys(sig[None, :])[0]
        salted_q = q ^ _BAND_SALT
        lo = np.searchsorted(self._sorted_keys, salted_q, "left")
        hi = np.searchsorted(self._sorted_keys, salted_q, "right")
        found = [self._sorted_rows[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        if n > self._sorted_n:
            found.append(self._sorted_n + np.nonzero((self._keys[self._sorted_n:n] == q).any(axis=1))[0])
        if not found:
            return np.zeros(0, dtype=np.int64)
        cands = np.unique(np.concatenate(found))
        same = self._sigs[cands, :BANDS * ROWS].reshape(-1, BANDS, ROWS) == sig[:BANDS * ROWS].reshape(BANDS, ROWS)
        return cands[same.all(axis=2).any(axis=1)]

    def query(self, sentence: str, exclude: Callable[[dict], bool] | None = None,
              min_similarity: float = MIN_SIMILARITY) -> list[Match]:
        """Best near-copy per other report, most similar first."""
        sh = shingles(sentence)
        sig = signature(sh)
        if sig is None:
            return []
        best: dict[int, tuple[float, int]] = {}
        cands = self._candidates(sig)
        if len(cands):  # the signatures' estimate first (always, so that batch/nearcopy.py gives the same answer)
            est = (self._sigs[cands] == sig).mean(axis=1)
            cands = cands[est >= min_similarity - ESTIMATE_MARGIN]
        for key in cands.tolist():
            d = self.sent_doc[key]
            if exclude is not None and exclude(self.docs[d]):
                continue
            sim = jaccard(sh, _shingles_of_norm(self._norm[key]))
            prev = best.get(d)
            if sim >= min_similarity and (prev is None or sim > prev[0] or (sim == prev[0] and key < prev[1])):
                best[d] = (sim, key)  # ties: the earlier indexed sentence, whatever order the LSH returns
        out = [Match(self.docs[d], self.sent_text[k], round(sim, 3)) for d, (sim, k) in best.items()]
        out.sort(key=lambda m: (-m.similarity, str(m.doc.get("key"))))
        return out

    # -- persistence ---------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "signatures.npy", np.ascontiguousarray(self.sigs))
        with lzma.open(folder / "sentences.jsonl.xz", "wt", encoding="utf-8") as fh:
            for d, t in zip(self.sent_doc, self.sent_text):
                fh.write(json.dumps([d, t], ensure_ascii=False) + "\n")
        (folder / "docs.json").write_text(json.dumps(self.docs, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "CommonIndex":
        idx = cls()
        idx.docs = json.loads((folder / "docs.json").read_text(encoding="utf-8"))
        sigs = np.load(folder / "signatures.npy")
        with lzma.open(folder / "sentences.jsonl.xz", "rt", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh]
        if len(rows) != len(sigs) or sigs.ndim != 2 or sigs.shape[1] != NUM_PERM:
            raise ValueError("signatures and sentences differ in length")
        idx.sent_doc = [d for d, _ in rows]
        idx.sent_text = [t for _, t in rows]
        idx._norm = [norm(t) for t in idx.sent_text]
        idx._sigs = sigs.astype(np.uint32)
        idx._keys = band_keys(idx._sigs)
        return idx

    def copy(self) -> "CommonIndex":
        """An independent index with the same content (a batch adds to its copy)."""
        idx = CommonIndex()
        idx.docs = [dict(d) for d in self.docs]
        idx.sent_doc, idx.sent_text, idx._norm = list(self.sent_doc), list(self.sent_text), list(self._norm)
        idx._sigs = self.sigs.copy()
        idx._keys = self._keys[:len(self)].copy()
        return idx


def _shingles_of_norm(n: str, k: int = 3) -> set[str]:
    if len(n) <= k:
        return {n} if n else set()
    return {n[i:i + k] for i in range(len(n) - k + 1)}
