"""Shared by both typo models: the pruned confusion pairs and the score → confidence
calibration tables."""
from __future__ import annotations

import lzma
from pathlib import Path
from typing import Iterator

PRUNED = Path(__file__).resolve().parents[2] / "corpus" / "typo" / "confusion_pruned.tsv.xz"


def iter_pairs(path: Path = PRUNED) -> Iterator[tuple[str, str, int]]:
    """(character, confusable character, number of sources) of every pair."""
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            a, b, n, _ = line.rstrip("\n").split("\t")
            yield a, b, int(n)


def calibrated(score: float, table: list[tuple[float, float]]) -> float:
    """Precision of dev proposals scoring at least `score` (table sorted by score, descending)."""
    conf = 0.5
    for sc, prec in table:
        if score >= sc:
            return max(min(prec, 0.99), 0.05)
        conf = prec
    return max(min(conf, 0.99), 0.05)
