"""Shared by both typo models: the score → confidence calibration tables. (The
confusion pairs they are built from are training data: training/typo_lm.py.)"""
from __future__ import annotations


def calibrated(score: float, table: list[tuple[float, float]]) -> float:
    """Precision of dev proposals scoring at least `score` (table sorted by score, descending)."""
    conf = 0.5
    for sc, prec in table:
        if score >= sc:
            return max(min(prec, 0.99), 0.05)
        conf = prec
    return max(min(conf, 0.99), 0.05)
