"""One entry point for sentence-level typo correction: the domain rules, then the
statistical checker (models/CURRENT/typo_lm) and — when the benchmark says it helps —
the neural checker (typo_neural). Models load once per process (`store.load_cached`).

MODE says which model(s) speak: "stat" (default: the statistical checker alone) or
"stat+neural" (a character is changed when either model is confident, see `detect`).
The README's `## Typos` table is the evidence for the choice.
"""
from __future__ import annotations

from pathlib import Path

MODE = "stat"


def stat_checker(root: Path | None = None):
    from ..models.store import load_cached
    from .checker import StatChecker

    return load_cached("typo_lm", StatChecker.load, root)


def neural_checker(root: Path | None = None):
    from ..models.store import load_cached
    from .neural import NeuralChecker

    return load_cached("typo_neural", NeuralChecker.load, root)


def detect(s: str, protected: tuple[str, ...] = (), root: Path | None = None,
           mode: str | None = None) -> list[tuple[int, str, float, float, str]]:
    """Model corrections of single characters: (position, candidate, score, confidence, model)."""
    mode = mode or MODE
    out = {}
    if "stat" in mode:
        ck = stat_checker(root)
        for i, ch, sc in ck.detect(s, protected):
            out[i] = (i, ch, sc, ck.confidence(sc), "typo_lm")
    if "neural" in mode:
        nk = neural_checker(root)
        for i, ch, sc in nk.detect(s):
            if i not in out and not _inside(s, i, protected):
                out[i] = (i, ch, sc, nk.confidence(sc), "typo_neural")
    return sorted(out.values())


def _inside(s: str, i: int, names: tuple[str, ...]) -> bool:
    for n in names:
        if n:
            k = s.find(n)
            while k >= 0:
                if k <= i < k + len(n):
                    return True
                k = s.find(n, k + 1)
    return False


def correct_sentence(s: str, root: Path | None = None, mode: str | None = None, rules: bool = True) -> str:
    """The corrected sentence (unchanged when nothing is found)."""
    from ..checks.typo_rules import text_corrections

    edits = []  # (start, end, replacement)
    if rules:
        for st, en, rep, *_ in text_corrections(s):
            edits.append((st, en, rep))
    covered = {k for st, en, _ in edits for k in range(st, en)}
    for i, ch, *_ in detect(s, root=root, mode=mode):
        if i not in covered:
            edits.append((i, i + 1, ch))
    out, pos = [], 0
    for st, en, rep in sorted(edits):
        if st < pos:
            continue
        out.append(s[pos:st])
        out.append(rep)
        pos = en
    out.append(s[pos:])
    return "".join(out)
