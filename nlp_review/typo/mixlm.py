"""Two character 4-gram LMs over one vocabulary, linearly interpolated (SRILM's -mix-lm):
the official-text LM (`typo_lm/lm.npz`, 24 M characters of laws, regulations and policy
documents) and the annual-report LM (`typo_lm/reports/lm.npz`, the report excerpts of
`reports_more/` that are not held out), P = w·P_official + (1 − w)·P_reports, w fitted by
EM on held-out report text (`typo_lm/mix.json`).

The official LM alone knows 公文 well but not the genre's own phrases (主动公开政府信息,
依申请公开, 政务新媒体); the report LM alone is too small (0.4 M characters) to judge
anything else. The mixture scores insertions and deletions as well as substitutions: every
edit is scored by the log-probability of the characters it changes and the three after it.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .lm import ORDER, CharLM, query_keys

REPORTS_DIR = "reports"
MIX_FILE = "mix.json"


class MixLM:
    """The interface of `CharLM` that the checkers use (encode, contexts, logprob, lookup,
    chars, char_id, vocab_size, keys/counts of the official LM), with `logprob` mixed."""

    def __init__(self, main: CharLM, domain: CharLM | None, weight: float = 1.0):
        self.main = main
        self.domain = domain
        self.weight = float(weight) if domain is not None else 1.0
        # delegated attributes (the official LM's ids are the shared vocabulary)
        self.chars, self.char_id, self.table = main.chars, main.char_id, main.table
        self.vocab_size, self.keys, self.counts, self.total = main.vocab_size, main.keys, main.counts, main.total
        self.encode, self.contexts = main.encode, main.contexts
        self._lw, self._lw1 = math.log(self.weight), math.log(max(1.0 - self.weight, 1e-12))

    @classmethod
    def load(cls, d: Path, weight: float | None = None) -> "MixLM":
        main = CharLM.load(d)
        domain = CharLM.load(d / REPORTS_DIR) if (d / REPORTS_DIR / "lm.npz").is_file() else None
        if weight is None:
            weight = json.loads((d / MIX_FILE).read_text(encoding="utf-8"))["weight"] if (d / MIX_FILE).is_file() else 1.0
        return cls(main, domain, weight)

    def logprob(self, ctx: np.ndarray, target: np.ndarray) -> np.ndarray:
        return self.logprob_parts(ctx, target)[0]

    def logprob_parts(self, ctx: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mixed, official, reports) ln P(target | ctx); the keys are built and de-duplicated
        once for both LMs."""
        if self.domain is None:
            a = self.main.logprob(ctx, target)
            return a, a, a
        (ca, na), (cb, nb) = self._lookup_both(query_keys(ctx, target))
        m = len(target)
        a = self.main.logprob_from_counts(ca, na, m)
        b = self.domain.logprob_from_counts(cb, nb, m)
        return np.logaddexp(self._lw + a, self._lw1 + b), a, b

    def logprob_parts_and_counts(self, ctx: np.ndarray, target: np.ndarray, keys: np.ndarray):
        """`logprob_parts(ctx, target)` and `lookup(keys)` in one search."""
        q = query_keys(ctx, target)
        m = len(target)
        if self.domain is None:
            c, n = self.main.lookup(np.concatenate([q, keys]))
            a = self.main.logprob_from_counts(c[:len(q)], n[:len(q)], m)
            return (a, a, a), (c[len(q):], n[len(q):])
        (ca, na), (cb, nb) = self._lookup_both(np.concatenate([q, keys]))
        k = len(q)
        a = self.main.logprob_from_counts(ca[:k], na[:k], m)
        b = self.domain.logprob_from_counts(cb[:k], nb[:k], m)
        mixed = np.logaddexp(self._lw + a, self._lw1 + b)
        return (mixed, a, b), (ca[k:] + cb[k:], na[k:] + nb[k:])

    def _lookup_both(self, keys: np.ndarray):
        uk, inv = np.unique(keys, return_inverse=True)
        out = []
        for lm in (self.main, self.domain):
            idx = np.minimum(np.searchsorted(lm.keys, uk), len(lm.keys) - 1)
            found = lm.keys[idx] == uk
            c = np.where(found, lm.counts[idx], 0).astype(np.float64)
            n = np.where(found, lm.nplus[idx], 0).astype(np.float64)
            out.append((c[inv], n[inv]))
        return out

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Counts summed over both corpora (support of an n-gram anywhere)."""
        if self.domain is None:
            return self.main.lookup(keys)
        (ca, na), (cb, nb) = self._lookup_both(keys)
        return ca + cb, na + nb


def fit_weight(main: CharLM, domain: CharLM, texts: list[str], iters: int = 30) -> float:
    """EM for the interpolation weight on held-out text (one sentence per item)."""
    rows_a, rows_b = [], []
    for t in texts:
        ids = main.encode(t)
        if len(ids) < 2:
            continue
        ctx, tgt = main.contexts(ids)
        rows_a.append(main.logprob(ctx, tgt))
        rows_b.append(domain.logprob(ctx, tgt))
    if not rows_a:
        return 0.5
    pa, pb = np.exp(np.concatenate(rows_a)), np.exp(np.concatenate(rows_b))
    w = 0.5
    for _ in range(iters):
        post = w * pa / (w * pa + (1 - w) * pb)
        w = float(post.mean())
    return min(max(w, 0.05), 0.95)


__all__ = ["MixLM", "fit_weight", "ORDER", "REPORTS_DIR", "MIX_FILE"]
