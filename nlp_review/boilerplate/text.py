"""Text helpers shared by the boilerplate models: normalisation for comparison,
sentence splitting without spaCy (training data, batch pre-pass), character shingles,
and the test for headings that are not content (markers: structure/markers.py)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..structure.markers import heading_words

# Sentence-final punctuation, as in structure/sentences.py (the spaCy sentencizer).
_SENT = re.compile(r"[^。！？!?…]*[。！？!?…]+|[^。！？!?…]+$")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_YEAR = re.compile(r"(?:19|20)\d{2}(?=\s*年)")


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of sentences in `text`, line by line, skipping table lines (tabs)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if "\t" not in line:
            for m in _SENT.finditer(line):
                s, e = pos + m.start(), pos + m.end()
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e > s:
                    out.append((s, e))
        pos += len(line) + 1
    return out


def _norm(s: str) -> str:
    s = _YEAR.sub("Y", nfkc(s))
    return _PUNCT.sub("", s)


_norm_sentence = lru_cache(maxsize=8192)(_norm)  # a sentence is normalised by several features


def norm(s: str) -> str:
    """Comparison form: NFKC, no spaces or punctuation, every year as “Y”."""
    return _norm_sentence(s) if len(s) <= 512 else _norm(s)


def fingerprint(text: str) -> str:
    """Identity of a whole report's wording, whatever its format's spacing and punctuation."""
    import hashlib

    return hashlib.sha256(norm(text).encode("utf-8")).hexdigest()[:16]


def is_heading(s: str) -> bool:
    """A sub-heading or heading-only sentence (“（一）主动公开情况。”, “二是强化监督。”
    is content, but “（二）依申请公开方面” is not)."""
    words = heading_words(s)
    return words is not None and len(norm(words)) <= 16


def shingles(s: str, k: int = 3) -> set[str]:
    """Character k-shingles of the comparison form."""
    n = norm(s)
    if len(n) <= k:
        return {n} if n else set()
    return {n[i:i + k] for i in range(len(n) - k + 1)}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def phrase_shape(owner, names) -> tuple[list[int], int, frozenset[str]]:
    """(the distinct lengths of `names`, longest first; the shortest length k; every name's
    first k characters), cached on `owner` while their number holds. A scan tests
    text[i:i + k] once per position and tries the lengths only where a name can start."""
    cached = owner.__dict__.get("_phrase_shape")
    if cached is None or cached[0] != len(names):
        k = min((len(n) for n in names), default=1)
        cached = owner.__dict__["_phrase_shape"] = (
            len(names), sorted({len(n) for n in names}, reverse=True), k, frozenset(n[:k] for n in names))
    return cached[1:]
