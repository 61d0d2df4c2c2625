"""The reranker over every typo proposal, and the detector built on it.

A gradient-boosted tree ensemble (scikit-learn's HistGradientBoostingClassifier, trained by
nlp_review/training/typo_rerank.py on synthetic errors made like real ones) gives each
proposal of `candidates.CandidateGenerator` the probability that it is the right correction.
The trees are stored as plain arrays (`rerank.npz`, no pickle) and evaluated here with numpy:
scikit-learn's own predict costs milliseconds per call in thread start-up, this costs tens of
microseconds; the trainer checks that both give the same probabilities.

Decision: proposals with P ≥ `threshold` (substitutions: tuned on the ODW dev split under
false-alarm ceilings on error-free sentences) or ≥ `threshold_indel` (insertions and deletions,
which ODW does not have: the lowest that keeps their false alarms on held-out report sentences
under a ceiling of their own), best first, never two within one character of each other.
`confidence` of a finding is the precision measured on dev at that probability.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .candidates import FEATURES, CandidateGenerator, Edit, TypoResources
from .confusion import calibrated

ARTIFACT = "rerank.npz"
START_THRESHOLD = 0.97
PARAMS = "params.json"


class TreeEnsemble:
    """Binary gradient-boosted trees as arrays (trees × nodes): raw score = baseline + Σ leaf."""

    def __init__(self, feature, threshold, left, right, leaf, value, baseline: float, depth: int):
        self.feature, self.threshold = feature.astype(np.int64), threshold.astype(np.float64)
        self.left, self.right = left.astype(np.int64), right.astype(np.int64)
        self.leaf, self.value = leaf.astype(bool), value.astype(np.float64)
        self.baseline, self.depth = float(baseline), int(depth)
        self.trees = np.arange(len(self.feature))
        # The evaluation form: every node of every tree in one flat array, a node's children
        # at 2·node (X ≤ threshold) and 2·node + 1, a leaf its own two children, so a row
        # walks `depth` gathers from its trees' roots with no per-tree or leaf bookkeeping.
        T, W = self.feature.shape
        flat = (self.trees[:, None] * W + np.arange(W)[None, :]).ravel()
        leaf = self.leaf.ravel()
        kids = np.stack([self.trees[:, None] * W + self.left, self.trees[:, None] * W + self.right], axis=-1)
        kids = kids.reshape(-1, 2)
        kids[leaf] = flat[leaf, None]
        self._kids = kids.ravel()
        self._feature = np.where(leaf, 0, self.feature.ravel())
        self._threshold = np.where(leaf, np.inf, self.threshold.ravel())
        self._value = self.value.ravel()
        self._roots = self.trees * W

    @classmethod
    def from_sklearn(cls, model) -> "TreeEnsemble":
        preds = [p[0] for p in model._predictors]
        width = max(len(p.nodes) for p in preds)
        shape = (len(preds), width)
        feature, left, right = (np.zeros(shape, dtype=np.int64) for _ in range(3))
        threshold, value = np.zeros(shape), np.zeros(shape)
        leaf = np.ones(shape, dtype=bool)
        depth = 0
        for t, p in enumerate(preds):
            nd = p.nodes
            n = len(nd)
            if np.any(nd["is_categorical"][~nd["is_leaf"].astype(bool)]):
                raise ValueError("categorical splits are not supported")
            feature[t, :n], threshold[t, :n] = nd["feature_idx"], nd["num_threshold"]
            left[t, :n], right[t, :n] = nd["left"], nd["right"]
            leaf[t, :n], value[t, :n] = nd["is_leaf"].astype(bool), nd["value"]
            depth = max(depth, int(nd["depth"].max()))
        return cls(feature, threshold, left, right, leaf, value, float(np.ravel(model._baseline_prediction)[0]),
                   depth)

    def save(self, path: Path) -> None:
        np.savez_compressed(path, feature=self.feature.astype(np.int16), threshold=self.threshold,
                            left=self.left.astype(np.int16), right=self.right.astype(np.int16), leaf=self.leaf,
                            value=self.value, baseline=np.array([self.baseline]), depth=np.array([self.depth]))

    @classmethod
    def load(cls, path: Path) -> "TreeEnsemble":
        with np.load(path) as z:
            return cls(z["feature"], z["threshold"], z["left"], z["right"], z["leaf"], z["value"],
                       float(z["baseline"][0]), int(z["depth"][0]))

    def raw(self, X: np.ndarray) -> np.ndarray:
        n = len(X)
        if n == 0:
            return np.zeros(0)
        X = np.ascontiguousarray(X, dtype=np.float64)
        row = (np.arange(n) * X.shape[1])[:, None]
        xs = X.ravel()
        node = np.broadcast_to(self._roots, (n, len(self._roots)))
        for _ in range(self.depth):
            right = ~(xs[row + self._feature[node]] <= self._threshold[node])  # NaN goes right, as before
            node = self._kids[2 * node + right]
        return self.baseline + self._value[node].sum(axis=1)

    def proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw(X)))


def _near(a: Edit, b: Edit) -> bool:
    """Do two edits touch or sit next to each other (an insertion occupies the next character)?"""
    return a.start <= max(b.end, b.start + 1) and b.start <= max(a.end, a.start + 1)


def is_indel(e: Edit) -> bool:
    return len(e.text) != e.end - e.start


def select(edits: list[Edit], probs: np.ndarray, threshold: float, threshold_indel: float | None = None
           ) -> list[tuple[Edit, float]]:
    """Proposals with P ≥ their threshold (insertions and deletions have their own; the
    sentence's first character, with only the boundary as left context, needs
    START_THRESHOLD), best first, none next to a kept one."""
    t_indel = threshold if threshold_indel is None else threshold_indel
    kept: list[tuple[Edit, float]] = []
    for k in np.argsort(-probs, kind="stable"):
        p = float(probs[k])
        if p < min(threshold, t_indel):
            break
        e = edits[k]
        if p < (t_indel if is_indel(e) else threshold) or (e.start == 0 and p < START_THRESHOLD):
            continue  # the first character has only the sentence boundary as left context: weak evidence
        if not any(_near(e, o) for o, _ in kept):
            kept.append((e, p))
    return sorted(kept, key=lambda x: x[0].start)


class TypoModel:
    """Candidates (typo_lm resources) → reranker (typo_rerank) → decisions."""

    def __init__(self, gen: CandidateGenerator, ensemble: TreeEnsemble, params: dict):
        self.gen = gen
        self.ensemble = ensemble
        self.threshold = float(params.get("threshold", 0.5))
        self.threshold_indel = float(params.get("threshold_indel", self.threshold))
        self.calibration = [tuple(x) for x in params.get("calibration", [])]
        feats = tuple(params.get("features", FEATURES))
        if feats != FEATURES:
            raise ModelError("错别字重排序模型的特征与当前代码不一致，请运行 `nlp-review train --only typo_rerank`。")

    @classmethod
    def load(cls, rerank_dir: Path, lm_dir: Path | None = None) -> "TypoModel":
        lm_dir = lm_dir or rerank_dir.parent / "typo_lm"
        params = json.loads((rerank_dir / PARAMS).read_text(encoding="utf-8"))
        return cls(CandidateGenerator(TypoResources(lm_dir)), TreeEnsemble.load(rerank_dir / ARTIFACT), params)

    def scored(self, s: str, protected: tuple[str, ...] = ()) -> tuple[list[Edit], np.ndarray]:
        edits, X = self.gen.analyse(s, protected)
        return edits, self.ensemble.proba(X)

    def detect(self, s: str, protected: tuple[str, ...] = ()) -> list[tuple[Edit, float]]:
        edits, P = self.scored(s, protected)
        return select(edits, P, self.threshold, self.threshold_indel)

    def correct(self, s: str) -> str:
        out = s
        for e, _ in reversed(self.detect(s)):
            out = e.apply(out)
        return out

    def confidence(self, p: float) -> float:
        return calibrated(p, self.calibration)
