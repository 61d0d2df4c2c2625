"""Trainer "elements" for `nlp-review train`: fits the unit classifier on the training
split of corpus/elements/units.jsonl, chooses among candidate models by cross-validation
grouped by source document (never looking at the held-back split), then reports
per-class precision/recall/F1 on the held-back split.

With a year (`nlp-review train --feedback`): reviewers' decisions on ELEMENT.MISSING.<KEY>
become weak unit labels in the section the finding was about (its text is in the feedback
row), read by CURRENT's model: a dismissed finding (the element is there) labels the unit
CURRENT found likeliest to be the element with that element; an accepted one (it is not
there) labels the units CURRENT half-believed to be the element with their next-best class.
These units join the training split (FEEDBACK_COPIES times, grouped by review), never the
held-back split."""
from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from ..elements import LABELS, MODEL_NAME, OTHER
from ..elements.features import build_features
from ..elements.model import INFERENCE, ElementModel
from ..models.store import write_config
from .elements_data import SPLIT_NAME, build, load_jsonl


def candidates(quick: bool) -> dict:
    c = {
        "logreg_C10": lambda: Pipeline([("f", build_features()),
                                        ("clf", LogisticRegression(C=10, max_iter=2000, class_weight="balanced"))]),
        "svm_calibrated": lambda: Pipeline([("f", build_features()),
                                            ("clf", CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"),
                                                                           cv=3))]),
    }
    if quick:
        return {"logreg_C10": c["logreg_C10"]}
    c.update({
        "logreg_C3": lambda: Pipeline([("f", build_features()),
                                       ("clf", LogisticRegression(C=3, max_iter=2000, class_weight="balanced"))]),
        "logreg_C3_context": lambda: Pipeline([("f", build_features(context=True)),
                                               ("clf", LogisticRegression(C=3, max_iter=2000,
                                                                          class_weight="balanced"))]),
        "logreg_noheading": lambda: Pipeline([("f", build_features(heading=False)),
                                              ("clf", LogisticRegression(C=10, max_iter=2000,
                                                                         class_weight="balanced"))]),
        "complement_nb": lambda: Pipeline([("f", build_features()), ("clf", ComplementNB(alpha=0.3))]),
    })
    return c


def augment(rows: list[dict], seed: int = 13) -> list[dict]:
    """Headings are a feature, not the answer: every headed unit also appears without its
    heading, and some units appear under another element's heading with their own label."""
    rng = random.Random(seed)
    heads: dict[tuple[int, str], list[str]] = {}
    for r in rows:
        if r.get("heading") and r["label"] != OTHER:
            heads.setdefault((r["section"], r["label"]), []).append(r["heading"])
    out = list(rows)
    for r in rows:
        if r.get("own_heading"):
            continue  # its text carries the heading itself
        if r.get("heading"):
            out.append({**r, "heading": "", "context": ""})
        foreign = sorted(lab for (sec, lab) in heads if sec == r["section"] and lab != r["label"])
        if foreign and r["label"] == OTHER and rng.random() < 0.35:
            lab = rng.choice(foreign)  # off-topic text under an element's heading stays off-topic
            out.append({**r, "heading": rng.choice(heads[(r["section"], lab)])})
    return out


def _restricted_predict(model: ElementModel, rows: list[dict]) -> list[str]:
    p = model.proba(rows)
    return [model.classes[i] for i in p.argmax(axis=1)]


def _cv_score(make, rows: list[dict], folds: int) -> float:
    groups = [r["source"] for r in rows]
    y = np.array([r["label"] for r in rows])
    preds = np.empty(len(rows), dtype=object)
    for tr, te in GroupKFold(n_splits=folds).split(rows, y, groups):
        fit_rows = augment([rows[i] for i in tr])
        pipe = make().fit(fit_rows, [r["label"] for r in fit_rows])
        preds[te] = _restricted_predict(ElementModel(pipe), [rows[i] for i in te])
    return float(f1_score(y, preds.astype(str), average="macro", labels=sorted(set(y))))


def load_units(corpus: Path) -> list[dict]:
    path = corpus / "elements" / "units.jsonl"
    rows = load_jsonl(path)
    if not rows:  # built from the texts when the file is absent (e.g. a user's corpus)
        rows = build(corpus)
    return rows


FEEDBACK_COPIES = 3  # a reviewer's decision weighs as much as three corpus units
LOCATE_MIN = 0.05  # a dismissed "missing" finding labels a unit only where the model sees the element at all
HALF_BELIEF = 0.2  # an accepted one relabels the units the model gave the element at least this much


def section_units(section_text: str, number: int):
    """(doc, units) of a section's text read on its own (the real segmenter)."""
    from ..ingest import load_bytes
    from ..pipeline import Pipeline
    from ..elements.segment import segment

    doc = Pipeline(["sections", "tables", "sentences"], "section").run(
        load_bytes(("年度报告\n" + section_text).encode("utf-8"), "section.txt"))
    return doc, segment(doc).get(number, [])


def feedback_units(year, model: ElementModel | None) -> tuple[list[dict], dict]:
    """Weak unit labels from reviewers' decisions on missing elements (see the module docstring)."""
    from ..elements.segment import KIND_RANK, unit_record

    rows, stats = [], {"decisions": 0, "located": 0, "not_located": 0, "relabelled": 0}
    if year is None or model is None:
        return rows, stats
    for d in year.decisions("ELEMENT.MISSING."):
        key = d.evidence.get("element")
        if not d.section_text or key not in model.classes or d.section not in (1, 5, 6):
            continue
        stats["decisions"] += 1
        doc, units = section_units(d.section_text, d.section)
        recs = [unit_record(doc, u, units) for u in units]
        recs = [r for r in recs if r["text"]]
        if not recs:
            stats["not_located"] += 1
            continue
        p = model.proba(recs)
        k = model.classes.index(key)
        group = {"source": "feedback:" + str(d.provenance.get("review_id")), "split": "train", "how": "feedback"}
        if not d.accepted:  # present after all: the likeliest unit is the element (the finest of the likeliest)
            best = float(p[:, k].max())
            if best < LOCATE_MIN:
                stats["not_located"] += 1
                continue
            i = max((i for i in range(len(recs)) if p[i, k] >= best / 2),
                    key=lambda i: (KIND_RANK[recs[i]["kind"]], p[i, k]))
            rows.append({**recs[i], **group, "label": key})
            stats["located"] += 1
        else:  # absent: what looked somewhat like it is something else
            for i in (i for i in range(len(recs)) if p[i, k] >= HALF_BELIEF):
                q = p[i].copy()
                q[k] = -1
                rows.append({**recs[i], **group, "label": model.classes[int(q.argmax())]})
                stats["relabelled"] += 1
    return rows, stats


def _current_model() -> ElementModel | None:
    from ..errors import ModelError
    from ..elements.model import load as load_current

    try:
        return load_current()
    except ModelError:
        return None


def train(corpus: Path, source: Path | None, out: Path, quick: bool, year=None) -> dict:
    t0 = time.perf_counter()
    rows = load_units(Path(corpus))
    train_rows = [r for r in rows if r["split"] == "train"]
    test_rows = [r for r in rows if r["split"] == "test"]
    if quick:  # a tiny model for tests: a slice of each class, no model selection
        by: dict[str, list[dict]] = {}
        for r in train_rows:
            by.setdefault(r["label"], []).append(r)
        train_rows = [r for rs in by.values() for r in rs[:25]]
    fb_rows, fb_stats = feedback_units(year, _current_model() if year is not None else None)
    train_rows = train_rows + fb_rows * FEEDBACK_COPIES
    cands = candidates(quick)
    cv = {}
    if len(cands) > 1:
        for name, make in cands.items():
            cv[name] = round(_cv_score(make, train_rows, folds=4), 4)
        best = max(cv, key=cv.get)
    else:
        best = next(iter(cands))
    fit_rows = augment(train_rows)
    pipe = cands[best]().fit(fit_rows, [r["label"] for r in fit_rows])
    model = ElementModel(pipe, {"chosen": best, "cv_macro_f1": cv})
    y = [r["label"] for r in test_rows]
    pred = _restricted_predict(model, test_rows)
    labels = [c for c in LABELS if c in set(y) | set(pred)]
    p, r_, f, s = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    per_class = {c: {"precision": round(float(p[i]), 4), "recall": round(float(r_[i]), 4),
                     "f1": round(float(f[i]), 4), "support": int(s[i])} for i, c in enumerate(labels)}
    macro = float(np.mean([per_class[c]["f1"] for c in labels if per_class[c]["support"] > 0]))
    model.meta.update({"split": SPLIT_NAME, "classes": model.classes})
    model.save(Path(out))
    write_config(Path(out), MODEL_NAME, "nlp_review.training.elements:train",
                 {"data": "corpus/elements/units.jsonl (+ authored.jsonl, training split only)", "split": SPLIT_NAME,
                  "candidates": sorted(cands), "chosen": best, "cv_folds": 4, "cv_grouped_by": "source document",
                  "augment": "headed units also without their heading and under foreign headings (seed 13)",
                  "classes": model.classes, "quick": bool(quick)},
                 dict(INFERENCE))
    errors = [{"source": t["source"], "label": t["label"], "pred": pr, "text": t["text"][:80]}
              for t, pr in zip(test_rows, pred) if t["label"] != pr]
    (Path(out) / "test_errors.json").write_text(json.dumps(errors, ensure_ascii=False, indent=1), encoding="utf-8")
    return {
        "primary": round(macro, 4),
        "split": SPLIT_NAME,
        "metric": "macro-F1 over unit labels on the held-back split (predictions restricted to the unit's section)",
        "model": best,
        "cv_macro_f1_train_groupkfold": cv,
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "quick": bool(quick),
        "train_seconds": round(time.perf_counter() - t0, 1),
        "data": "corpus/elements/units.jsonl: report excerpts + seeds segmented by the real code, heading weak "
                "labels, hand labels (hand_labels.jsonl), hand-written units for s5.last_year/s6.fees (authored.jsonl)",
        "caveat": "s5.last_year and most s6.fees test units are hand-written pseudo-documents (no real "
                  "rectification text in the excerpts); units include sentences whose honest label is fuzzy",
        "per_class": per_class,
        **({"year": {f"feedback_{k}": v for k, v in fb_stats.items()}} if year is not None else {}),
    }


def evaluate_feedback(model_dir: Path, year) -> dict:
    """How an element model agrees with the year's decisions on ELEMENT.MISSING.<KEY>: would
    it still find the element missing in that section?"""
    from ..elements.component import element_span, label_units
    from ..elements.model import load_dir

    decisions = [d for d in year.decisions("ELEMENT.MISSING.") if d.section_text and d.evidence.get("element")]
    if not decisions:
        return {}
    model = load_dir(model_dir)
    agree = still_dismissed = 0
    for d in decisions:
        doc, units = section_units(d.section_text, d.section)
        missing = element_span(units, label_units(doc, model, units), d.evidence["element"]) is None
        agree += missing == d.accepted
        still_dismissed += missing and not d.accepted
    return {"missing_decisions": len(decisions), "missing_agreement": round(agree / len(decisions), 4),
            "missing_dismissed_still_raised": still_dismissed}
