"""One entry point for sentence-level typo correction: the domain rules, then the typo
model of models/CURRENT. Models load once per process (`store.load_cached`).

MODE says which model speaks: "rerank" (default: every proposal of the candidate generator
— confusable characters, same-pinyin words, names, domain-phrase deviations, doubled spans —
judged by the reranker, typo_lm + typo_rerank; see `detect_edits`), "stat" (the older
statistical checker alone: confusable characters scored by the LM), "neural" or
"stat+neural" (the ELECTRA detector, not shipped; see `detect`).
The README's `## Typos` table is the evidence for the choice.
"""
from __future__ import annotations

import math
from pathlib import Path

MODE = "rerank"


def stat_checker(root: Path | None = None):
    from ..models.store import load_cached
    from .checker import StatChecker

    return load_cached("typo_lm", StatChecker.load, root)


def rerank_model(root: Path | None = None):
    from ..models.store import load_cached
    from .rerank import TypoModel

    return load_cached("typo_rerank", TypoModel.load, root)


def detect_edits(s: str, protected: tuple[str, ...] = (), root: Path | None = None,
                 mode: str | None = None) -> list[tuple[int, int, str, float, str, str]]:
    """Model corrections of any shape: (start, end, replacement, confidence, model, kind),
    kind = substitution | insertion | deletion; insertions have start == end."""
    mode = mode or MODE
    if mode != "rerank":
        return [(i, i + 1, ch, conf, model, "substitution") for i, ch, _, conf, model in detect(s, protected, root, mode)]
    tm = rerank_model(root)
    out = []
    for e, p in tm.detect(s, protected):
        kind = "substitution" if e.text and e.end > e.start else ("insertion" if e.text else "deletion")
        out.append((e.start, e.end, e.text, tm.confidence(p), "typo_rerank", kind))
    return out


def neural_checker(root: Path | None = None):
    from ..models.store import load_cached
    from .neural import NeuralChecker

    return load_cached("typo_neural", NeuralChecker.load, root)


def detect(s: str, protected: tuple[str, ...] = (), root: Path | None = None,
           mode: str | None = None) -> list[tuple[int, str, float, float, str]]:
    """Model corrections of single characters: (position, candidate, score, confidence, model).

    "stat+neural": the LM proposals are re-scored with the detector's evidence,
    score + weight·logit(P(error)) ≥ the combined threshold, and the detector alone may add
    a correction when P(error) ≥ `alone` (weight, threshold, alone: the neural model's
    params.json "combo", tuned on the ODW dev split)."""
    mode = mode or MODE
    out = {}
    if mode == "stat":
        ck = stat_checker(root)
        for i, ch, sc in ck.detect(s, protected):
            out[i] = (i, ch, sc, ck.confidence(sc), "typo_lm")
    elif mode == "neural":
        nk = neural_checker(root)
        for i, ch, sc in nk.detect(s):
            if not _inside(s, i, protected):
                out[i] = (i, ch, sc, nk.confidence(sc), "typo_neural")
    else:
        ck, nk = stat_checker(root), neural_checker(root)
        (probs, nprops), = nk.analyse([s], nk.combo.get("alone", 2.0))
        nprops = [p for p in nprops if not _inside(s, p[0], protected)]
        for i, ch, sc, how in combine(ck.proposals(s, protected), probs, nprops, nk.combo, ck.threshold):
            conf = ck.confidence(sc) if how == "typo_lm+neural" else nk.confidence(sc - 100.0)
            out[i] = (i, ch, sc, conf, how)
    return sorted(out.values())


def combine(lm_props, probs, nprops, combo: dict, lm_threshold: float) -> list[tuple[int, str, float, str]]:
    """The "stat+neural" decision for one sentence: LM proposals re-scored with the
    detector's P(error) of their character, plus the detector's own proposals with
    P ≥ combo["alone"] (scored 100 + P, so they win a conflict); never two within one character."""
    w, th, alone = combo.get("weight", 0.0), combo.get("threshold", lm_threshold), combo.get("alone", 2.0)
    props = []
    for i, ch, sc in lm_props:
        c = sc + w * _logit(probs[i]) if w else sc
        if c >= th:
            props.append((i, ch, c, "typo_lm+neural"))
    have = {p[0] for p in props}
    props += [(i, ch, 100.0 + p, "typo_neural") for i, ch, p in nprops if p >= alone and i not in have]
    kept, taken = [], set()
    for p in sorted(props, key=lambda p: -p[2]):
        if not ({p[0] - 1, p[0], p[0] + 1} & taken):
            taken.add(p[0])
            kept.append(p)
    return sorted(kept)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


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
    """The corrected sentence (unchanged when nothing is found); deletions and insertions
    included."""
    from ..checks.typo.forms import text_corrections as form_corrections
    from ..checks.typo.rules import text_corrections

    edits = []  # (start, end, replacement)
    if rules:
        for st, en, rep, *_ in text_corrections(s) + form_corrections(s):
            edits.append((st, en, rep))
    covered = {k for st, en, _ in edits for k in range(max(st - 1, 0), en + 1)}
    for st, en, rep, *_ in detect_edits(s, root=root, mode=mode):
        if not covered & set(range(st, max(en, st + 1))):
            edits.append((st, en, rep))
    out, pos = [], 0
    for st, en, rep in sorted(set(edits)):
        if st < pos:
            continue
        out.append(s[pos:st])
        out.append(rep)
        pos = en
    out.append(s[pos:])
    return "".join(out)
