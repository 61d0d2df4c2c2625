"""Sentence-level CSC metrics (SIGHAN style) and the ODW splits.

ODW (ECSpell official-document writing, `bench/typo/data/odw_{dev,final}.tsv`, rows
`n_errors \\t source \\t target`) is evaluation data only: the dev split tunes thresholds,
the final split is looked at rarely. Never train on either.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

DATA = Path(__file__).resolve().parents[2] / "bench" / "typo" / "data"


def load_split(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / f"odw_{name}.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and len(parts[1]) == len(parts[2]):
            rows.append((parts[1], parts[2]))
    return rows


def load_clean() -> list[str]:
    """Sentences of the seeds and report excerpts, minus those found to contain a real
    error (clean_exclusions.tsv names each with its error)."""
    excl = {line.split("\t")[0] for line in (DATA / "clean_exclusions.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")}
    return [s for s in (DATA / "clean_sentences.txt").read_text(encoding="utf-8").splitlines() if s and s not in excl]


def _prf(tp: int, pred: int, gold: int) -> dict:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": pred, "gold": gold}


def score_predictions(rows: list[tuple[str, str]], preds: list[str]) -> dict:
    det_tp = cor_tp = pred_pos = gold_pos = neg = fp_neg = 0
    for (src, tgt), out in zip(rows, preds):
        gold = {i for i, (a, b) in enumerate(zip(src, tgt)) if a != b}
        pred = {i for i, (a, b) in enumerate(zip(src, out)) if a != b} if len(out) == len(src) else {-1}
        gold_pos += bool(gold)
        pred_pos += bool(pred)
        if not gold:
            neg += 1
            fp_neg += bool(pred)
        if pred and pred == gold:
            det_tp += 1
            cor_tp += out == tgt
    return {"detection": _prf(det_tp, pred_pos, gold_pos), "correction": _prf(cor_tp, pred_pos, gold_pos),
            "fpr": round(fp_neg / neg, 4) if neg else 0.0, "sentences": len(rows), "clean": neg}


def evaluate(correct: Callable[[str], str], rows: list[tuple[str, str]]) -> dict:
    return score_predictions(rows, [correct(s) for s, _ in rows])


def false_positive_rate(correct: Callable[[str], str], sentences: list[str]) -> tuple[float, list[tuple[str, str]]]:
    flagged = []
    for s in sentences:
        out = correct(s)
        if out != s:
            flagged.append((s, out))
    return (len(flagged) / len(sentences) if sentences else 0.0), flagged


def tune_threshold(checker, dev: list[tuple[str, str]], max_fpr: float = 0.005) -> tuple[float, list]:
    """The threshold with the best detection F1 whose FPR on dev's clean sentences is
    ≤ max_fpr (precision first: 0.5%), and a calibration table [(score, precision)] of single proposals."""
    props = [checker.proposals(s) for s, _ in dev]
    scores = sorted({round(p[2], 2) for ps in props for p in ps})
    best = (None, -1.0)
    for th in scores[::max(1, len(scores) // 200)] + ([scores[-1]] if scores else []):
        preds = [checker.apply(s, [p for p in ps if p[2] >= th]) for (s, _), ps in zip(dev, props)]
        m = score_predictions(dev, preds)
        if m["fpr"] <= max_fpr and m["detection"]["f1"] > best[1]:
            best = (th, m["detection"]["f1"])
    threshold = best[0] if best[0] is not None else (scores[-1] + 1 if scores else 10.0)
    # calibration: precision of single proposals above each score level (monotone)
    labelled = []
    for (s, t), ps in zip(dev, props):
        for pos, cand, sc in ps:
            labelled.append((sc, t[pos] == cand and s[pos] != t[pos]))
    labelled.sort(reverse=True)
    calib, tp = [], 0
    for k, (sc, ok) in enumerate(labelled, start=1):
        tp += ok
        if k % 10 == 0 or k == len(labelled):
            calib.append((round(sc, 3), round(tp / k, 3)))
    return float(threshold), calib


LABELLED = Path(__file__).resolve().parents[2] / "corpus" / "typo" / "labelled_errors.tsv"


def load_labelled(path: Path = LABELLED) -> list[tuple[str, str, str, int, int, str]]:
    """(kind, corrupted, correct, start, end, replacement) of corpus/typo/labelled_errors.tsv:
    report sentences with one error each of the kinds a character checker cannot express."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, bad, good, a, b, rep = line.split("\t")
            rows.append((kind, bad, good, int(a), int(b), rep))
    return rows


def changed_span(before: str, after: str) -> tuple[int, int] | None:
    """[start, end) of `before` that differs from `after` (common prefix and suffix removed)."""
    if before == after:
        return None
    a = 0
    while a < min(len(before), len(after)) and before[a] == after[a]:
        a += 1
    b = 0
    while b < min(len(before), len(after)) - a and before[-1 - b] == after[-1 - b]:
        b += 1
    return a, len(before) - b


def labelled_recall(correct: Callable[[str], str], rows) -> dict:
    """Per kind: n, detected (something changed within one character of the error),
    corrected (the output is the correct sentence)."""
    out: dict[str, dict] = {}
    for kind, bad, good, a, b, _ in rows:
        k = out.setdefault(kind, {"n": 0, "detected": 0, "corrected": 0})
        pred = correct(bad)
        span = changed_span(bad, pred)
        k["n"] += 1
        k["detected"] += span is not None and span[0] <= b + 1 and a - 1 <= span[1]
        k["corrected"] += pred == good
    tot = {"n": sum(v["n"] for v in out.values()), "detected": sum(v["detected"] for v in out.values()),
           "corrected": sum(v["corrected"] for v in out.values())}
    for v in list(out.values()) + [tot]:
        v["detection_recall"] = round(v["detected"] / v["n"], 3) if v["n"] else 0.0
        v["correction_recall"] = round(v["corrected"] / v["n"], 3) if v["n"] else 0.0
    out["all"] = tot
    return out
