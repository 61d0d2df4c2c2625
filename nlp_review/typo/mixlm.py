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

from .lm import ORDER, CharLM

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
        """(mixed, official, reports) ln P(target | ctx)."""
        a = self.main.logprob(ctx, target)
        if self.domain is None:
            return a, a, a
        b = self.domain.logprob(ctx, target)
        return np.logaddexp(self._lw + a, self._lw1 + b), a, b

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Counts summed over both corpora (support of an n-gram anywhere)."""
        c, n = self.main.lookup(keys)
        if self.domain is not None:
            c2, n2 = self.domain.lookup(keys)
            c, n = c + c2, n + n2
        return c, n


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
