"""Typo checker benchmark: sentence-level detection/correction P/R/F1 on ECSpell ODW
(official-document writing), false-positive rate on error-free sentences (ODW's clean
sentences, and sentences from the five seeds and 182 real annual-report excerpts), and
milliseconds per sentence once loaded, on one core.

    .venv/bin/python bench/typo/bench_typo.py [--split dev|final] [--mode rerank|stat|neural|stat+neural]

Data (bench/typo/data/, copied so the bench runs without ../shared): odw_dev.tsv (tuning),
odw_final.tsv (look rarely), clean_sentences.txt (+ clean_exclusions.tsv: report sentences
that DO contain a real error, removed from the clean set with the reason); and
corpus/typo/labelled_errors.tsv: report sentences with one omission, doubling, stray
character, variant form or wrong measure word each — recall per kind.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NLP_REVIEW_TORCH_THREADS", "1")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nlp_review.typo import engine  # noqa: E402
from nlp_review.training.typo_evaluate import (false_positive_rate, labelled_recall, load_clean,  # noqa: E402
                                               load_labelled, load_split, score_predictions)


def run(split: str, mode: str, rules: bool, limit: int | None) -> dict:
    t0 = time.perf_counter()
    if mode == "rerank":
        engine.rerank_model()
    if "stat" in mode:
        engine.stat_checker()
    if "neural" in mode:
        engine.neural_checker()
    load_s = time.perf_counter() - t0
    rows = load_split(split)[:limit]
    clean = load_clean()[:limit]
    correct = lambda s: engine.correct_sentence(s, mode=mode, rules=rules)  # noqa: E731
    # CPU time of this process (one thread): on a shared machine wall time measures the
    # neighbours; both are reported.
    t1, c1 = time.perf_counter(), time.process_time()
    preds = [correct(s) for s, _ in rows]
    odw_s, odw_cpu = time.perf_counter() - t1, time.process_time() - c1
    m = score_predictions(rows, preds)
    t2, c2 = time.perf_counter(), time.process_time()
    fpr_clean, flagged = false_positive_rate(correct, clean)
    clean_s, clean_cpu = time.perf_counter() - t2, time.process_time() - c2
    n = len(rows) + len(clean)
    labelled = labelled_recall(correct, load_labelled()[:limit])
    return {"labelled": labelled, "split": split, "mode": mode, "rules": rules, "load_s": round(load_s, 2), **m,
            "clean_report_sentences": len(clean), "fpr_reports": round(fpr_clean, 4),
            "ms_per_sentence": round(1000 * (odw_cpu + clean_cpu) / n, 2),
            "ms_per_sentence_wall": round(1000 * (odw_s + clean_s) / n, 2),
            "ms_per_sentence_odw": round(1000 * odw_cpu / max(1, len(rows)), 2),
            "flagged_clean": flagged}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev", choices=("dev", "final"))
    ap.add_argument("--mode", default=engine.MODE)
    ap.add_argument("--no-rules", action="store_true")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", help="write the full result (incl. flagged clean sentences) here")
    ap.add_argument("--show-flagged", action="store_true")
    ap.add_argument("--threshold", type=float, default=None,
                    help="override the model's tuned threshold (trade-off curve)")
    a = ap.parse_args()
    if a.threshold is not None:
        if a.mode == "rerank":
            engine.rerank_model().threshold = a.threshold
        else:
            engine.stat_checker().threshold = a.threshold
    r = run(a.split, a.mode, not a.no_rules, a.limit)
    d, c = r["detection"], r["correction"]
    print(f"| ODW {r['split']} | {r['mode']}{'' if r['rules'] else ' (no rules)'} | {d['precision']:.3f} | "
          f"{d['recall']:.3f} | {d['f1']:.3f} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | "
          f"{r['fpr']:.2%} ({r['clean']}) | {r['fpr_reports']:.2%} ({r['clean_report_sentences']}) | "
          f"{r['ms_per_sentence']:.2f} |")
    print("columns: data | checker | det P | det R | det F1 | cor P | cor R | cor F1 | FPR ODW clean (n) | "
          "FPR report sentences (n) | CPU ms/sentence (1 thread, loaded)", file=sys.stderr)
    print(f"load {r['load_s']} s; ODW only {r['ms_per_sentence_odw']} CPU ms/sentence; "
          f"wall {r['ms_per_sentence_wall']} ms/sentence", file=sys.stderr)
    print("labelled report errors (corpus/typo/labelled_errors.tsv), recall per kind: "
          + "; ".join(f"{k} {v['detection_recall']:.2f}/{v['correction_recall']:.2f} (n={v['n']})"
                      for k, v in r["labelled"].items()) + "  [detected/corrected]", file=sys.stderr)
    if a.show_flagged:
        for s, out in r["flagged_clean"]:
            diff = [(i, x, y) for i, (x, y) in enumerate(zip(s, out)) if x != y]
            print("FP?", s, diff if len(s) == len(out) else out, file=sys.stderr)
    if a.json:
        Path(a.json).write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
