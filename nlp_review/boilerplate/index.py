"""Commonness across agencies: a MinHash/LSH index over the sentences of many reports.

Each indexed sentence is reduced to its comparison form (no spaces, punctuation or
years) and to its set of character 3-shingles; MinHash signatures (datasketch) go into
an LSH index that proposes candidates, and every candidate is confirmed with the exact
shingle Jaccard similarity before it counts. `query` answers “how many other reports
contain this sentence or a near-copy, and which is the closest”.

The corpus index is built by `nlp-review train` (signatures shipped in the model
folder); a batch copies it and adds its own reports (`copy()`, `add_doc`).
"""
from __future__ import annotations

import json
import lzma
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from .text import is_heading, jaccard, norm, shingles

NUM_PERM = 64
LSH_THRESHOLD = 0.5  # candidates; a near-copy is confirmed at MIN_SIMILARITY
MIN_SIMILARITY = 0.7
ESTIMATE_MARGIN = 0.2  # 64 permutations: the estimate's s.d. is ≤ 0.063, so 0.2 is > 3 s.d.
MIN_CHARS = 15  # shorter sentences are not indexed (too generic to be evidence of copying)
SEED = 1
SCHEME = "affine32"
_PERMS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def _hash(s: bytes) -> int:
    import zlib

    return zlib.crc32(s) & 0xFFFFFFFF


def signature(sh: Iterable[str]) -> Optional[LeanMinHash]:
    items = [s.encode("utf-8") for s in sh]
    if not items:
        return None
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_hash, permutations=_PERMS, scheme=SCHEME)
    m.update_batch(items)
    return LeanMinHash(m)


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
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self.docs: list[dict] = []
        self.sent_doc: list[int] = []
        self.sent_text: list[str] = []
        self._norm: list[str] = []
        self._sigs = np.zeros((1024, NUM_PERM), dtype=np.uint32)  # row i: sentence i's signature

    def __len__(self) -> int:
        return len(self.sent_text)

    def _insert(self, doc_i: int, text: str, sig: LeanMinHash) -> None:
        key = len(self.sent_text)
        self.sent_doc.append(doc_i)
        self.sent_text.append(text)
        self._norm.append(norm(text))
        if key == len(self._sigs):
            self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
        self._sigs[key] = sig.hashvalues
        self.lsh.insert(key, sig, check_duplication=False)

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

    def query(self, sentence: str, exclude: Callable[[dict], bool] | None = None,
              min_similarity: float = MIN_SIMILARITY) -> list[Match]:
        """Best near-copy per other report, most similar first."""
        sh = shingles(sentence)
        sig = signature(sh)
        if sig is None:
            return []
        best: dict[int, tuple[float, int]] = {}
        cands = np.fromiter(self.lsh.query(sig), dtype=np.int64)
        if len(cands):  # the signatures' estimate first (always, so that batch/nearcopy.py gives the same answer)
            est = (self._sigs[cands] == np.asarray(sig.hashvalues, dtype=np.uint32)).mean(axis=1)
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
        if len(rows) != len(sigs):
            raise ValueError("signatures and sentences differ in length")
        for (d, t), hv in zip(rows, sigs):
            idx._insert(d, t, LeanMinHash(seed=SEED, hashvalues=hv.astype(np.uint64), scheme=SCHEME))
        return idx

    def copy(self) -> "CommonIndex":
        """An independent index with the same content (a batch adds to its copy)."""
        idx = CommonIndex()
        idx.docs = [dict(d) for d in self.docs]
        for d, t, hv in zip(self.sent_doc, self.sent_text, self.sigs):
            idx._insert(d, t, LeanMinHash(seed=SEED, hashvalues=hv.astype(np.uint64), scheme=SCHEME))
        return idx


def _shingles_of_norm(n: str, k: int = 3) -> set[str]:
    if len(n) <= k:
        return {n} if n else set()
    return {n[i:i + k] for i in range(len(n) - k + 1)}
