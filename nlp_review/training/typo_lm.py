"""Trainer "typo_lm": the character 4-gram LM, the pruned confusion sets and the decision
threshold of the statistical checker.

Data: the official-text corpus (`source/*.txt.xz`, ≈35 M characters); without `source`
(or with quick=True) the small sample `corpus/typo/lm_sample.txt`. Confusion pairs come
from `corpus/typo/confusion_pruned.tsv.xz` (`typo_confusion.PRUNED`, built once from the shared merged set, kept
to pairs with n_sources ≥ 2). The ODW dev split (`bench/typo/data/odw_dev.tsv`) is used
ONLY to pick the threshold and report metrics — never for counting.

With a year (`nlp-review train --feedback … --reports …`): the text of every character or
word confusion reviewers dismissed (e.g. “旨在”) becomes a protected term (words.txt.xz: never
touched by the statistical checker, the `in_proper` feature of the reranker, which itself
learns from the decisions: typo_rerank); the year's reports join the report LM and the
phrase inventory (typo_domain), except the benchmark's own texts.
"""
from __future__ import annotations

import lzma
import time
from collections import Counter
from pathlib import Path

import numpy as np

from ..typo.lm import BOUNDARY, ORDER, CharLM, build_table, normalise_char, pack
from .typo_confusion import (MAX_CANDIDATES, MIN_CAND_COUNT, PRUNED, USE_HOMOPHONES, WORD_MIN_FREQ,
                             build_confusion)

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "typo" / "lm_sample.txt"

MIN_COUNT = {1: 1, 2: 1, 3: 2, 4: 3}  # pruning of kept n-grams (full model)
MIN_CHAR = 3  # vocabulary: characters seen at least this often


def read_corpus(source: Path | None, quick: bool) -> str:
    if quick or source is None or not list(Path(source).glob("*.txt.xz")):
        return SAMPLE.read_text(encoding="utf-8")
    parts = []
    for f in sorted(Path(source).glob("*.txt.xz")):
        with lzma.open(f, "rt", encoding="utf-8") as fh:
            parts.append(fh.read())
    return "\n".join(parts)


def count_ngrams(text: str, min_count: dict[int, int], min_char: int, chars: list[str] | None = None):
    """→ (CharLM) from raw text, one paragraph per line; `chars`: a given vocabulary (another
    LM's, so that both share character ids)."""
    if chars is None:
        freq = Counter(normalise_char(c) for c in text if c != "\n" and not c.isspace())
        chars = sorted(c for c, n in freq.items() if n >= min_char)
        if len(chars) > 65000:
            chars = sorted(chars, key=lambda c: -freq[c])[:65000]
    table = build_table(chars)
    text = "".join(" " if (c.isspace() and c != "\n") else c for c in text).replace(" ", "")
    ids = table[np.frombuffer(("\n" + text + "\n").encode("utf-32-le"), dtype=np.uint32)]
    all_keys, all_counts, all_nplus = [], [], []
    uniques = {}
    for n in range(1, ORDER + 1):
        cols = [ids[k:len(ids) - n + 1 + k] for k in range(n)]
        keys = pack(cols)
        # n-grams that run across a paragraph boundary carry no information
        if n > 2:
            inner = np.zeros(len(keys), dtype=bool)
            for k in range(1, n - 1):
                inner |= cols[k] == BOUNDARY
            keys = keys[~inner]
        u, c = np.unique(keys, return_counts=True)
        uniques[n] = (u, c)
        del keys, cols
    for n in range(1, ORDER + 1):
        u, c = uniques[n]
        nplus = np.zeros(len(u), dtype=np.uint32)
        if n < ORDER:
            nxt, _ = uniques[n + 1]
            pref, npc = np.unique(nxt >> np.uint64(16), return_counts=True)
            pos = np.searchsorted(u, pref)
            ok = (pos < len(u))
            ok[ok] = u[pos[ok]] == pref[ok]
            nplus[pos[ok]] = npc[ok]
        keep = c >= min_count[n]
        all_keys.append(u[keep])
        all_counts.append(np.minimum(c[keep], np.iinfo(np.uint32).max).astype(np.uint32))
        all_nplus.append(nplus[keep])
    keys = np.concatenate(all_keys)
    order = np.argsort(keys, kind="stable")
    total = int(uniques[1][1].sum())
    return CharLM(keys[order], np.concatenate(all_counts)[order], np.concatenate(all_nplus)[order], chars, total)


def training_config(quick: bool, min_count: dict, min_char: int, chars: int) -> dict:
    return {"data": "sample corpus/typo/lm_sample.txt" if chars and quick else "official corpus source/*.txt.xz",
            "chars": chars, "order": ORDER, "min_count": {str(k): v for k, v in min_count.items()},
            "min_char": min_char, "confusion": "corpus/typo/confusion_pruned.tsv.xz (pairs with n_sources ≥ 2)",
            "max_candidates": MAX_CANDIDATES, "min_candidate_count": MIN_CAND_COUNT, "word_min_freq": WORD_MIN_FREQ,
            "homophones": USE_HOMOPHONES, "threshold_tuned_on": "bench/typo/data/odw_dev.tsv (false-positive rate ≤ 0.5 %)",
            "quick": bool(quick)}


SUBSTITUTION_RULES = ("TYPO.CHAR_CONFUSION", "TYPO.WORD_CONFUSION")


def dismissed_terms(year) -> tuple[str, ...]:
    """The quotes of the model's substitutions that reviewers dismissed (2–8 characters)."""
    if year is None:
        return ()
    return tuple(sorted({d.quote for d in year.decisions(*SUBSTITUTION_RULES)
                         if not d.accepted and 2 <= len(d.quote) <= 8}))


def year_report_texts(year) -> list[str]:
    """The year's reports as the report LM counts them (pipe-table rows dropped), without the
    typo benchmark's texts (the 182 excerpts and the seeds: corpus/elements/docs) and at most
    YEAR_SAMPLE of them (a fixed sample by sha256)."""
    if year is None or not year.reports:
        return []
    from ..boilerplate.text import fingerprint
    from .typo_domain import clean_report_text
    from .year import YEAR_SAMPLE

    bench = {fingerprint(p.read_text(encoding="utf-8")) for p in (REPO / "corpus" / "elements" / "docs").glob("*.txt")}
    keep = sorted((r for r in year.reports if r.fingerprint not in bench), key=lambda r: r.sha256)[:YEAR_SAMPLE]
    return [clean_report_text(r.read().text) for r in sorted(keep, key=lambda r: r.file)]


def train(corpus: Path, source: Path | None, out: Path, quick: bool, year=None) -> dict:
    from ..models.store import write_config
    from ..typo.checker import INFERENCE, StatChecker
    from .typo_evaluate import evaluate, load_split, tune_threshold

    from .typo_domain import build_domain, official_split

    t0 = time.time()
    text, _held = official_split(read_corpus(source, quick))  # held-out lines: the reranker's data
    min_count = {1: 1, 2: 1, 3: 1, 4: 1} if quick else MIN_COUNT
    lm = count_ngrams(text, min_count, 1 if quick else MIN_CHAR)
    lm.save(out)
    reviewed = dismissed_terms(year)
    build_confusion(PRUNED, lm, out, reviewed)
    domain = build_domain(source, out, lm, text, quick, count_ngrams, year_report_texts(year))
    write_config(out, "typo_lm", "nlp_review.training.typo_lm:train",
                 {**training_config(quick, min_count, 1 if quick else MIN_CHAR, len(text)),
                  "protected_from_feedback": list(reviewed)}, dict(INFERENCE))
    checker = StatChecker.load(out)
    dev = load_split("dev")
    if quick:
        dev = dev[:40]
    threshold, calib = tune_threshold(checker, dev)
    checker.set_threshold(threshold, calib)
    checker.save_params(out)
    m = evaluate(checker.correct, dev)
    return {"primary": round(m["detection"]["f1"], 4), "split": "odw_dev" + ("_quick" if quick else ""),
            "threshold": threshold, "detection_f1": m["detection"]["f1"],
            "detection_precision": m["detection"]["precision"], "detection_recall": m["detection"]["recall"],
            "correction_f1": m["correction"]["f1"], "fpr": m["fpr"], "ngrams": int(len(lm.keys)),
            "chars_trained": len(text), **domain, "artifact_bytes": sum(
                f.stat().st_size for f in out.rglob("*") if f.is_file()), "train_seconds": round(time.time() - t0, 1),
            **({"year": {"protected_terms_from_feedback": len(reviewed),
                         "year_reports_in_report_lm": domain.get("year_report_docs", 0)}} if year is not None else {})}


