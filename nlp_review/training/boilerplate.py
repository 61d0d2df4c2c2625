"""`nlp-review train --only boilerplate`: the specificity model, the stock-phrase lexicon,
the commonness index and the gazetteer, from `corpus/boilerplate/`:

- sentences.jsonl: sentences of sections one and five, hand-labelled specific/generic
  (from the five seeds and the report excerpts; see corpus/boilerplate/README.md);
- reports.jsonl.xz: the 182 report excerpts (copied from ../shared/corpus/reports);
- statutory.txt: the regulation and the format's fixed wording;
- gazetteer/adcodes.csv: administrative divisions with codes.

The held-back split is by source document (sha256 of the document id, one in four),
so no report contributes sentences to both sides; the lexicon is learned from the
training documents only. Metrics: F1 per class and macro on the held-back split
("primary" = macro F1), 5-fold grouped cross-validation on the training side, the
rate of flags on statutory sentences, and the commonness of the corpus's sentences.

With a year (`nlp-review train --feedback … --reports …`, training/year.py):
- reviewers' decisions on BOILERPLATE.GENERIC_SENTENCE join the training sentences
  (dismissed → specific, accepted → generic; weight FEEDBACK_WEIGHT; never in the held-back
  split), and every decided sentence is remembered (`reviewed.json`): a sentence dismissed
  as generic or as shared is not reported again, whatever the model makes of it;
- the year's reports join the stock-phrase lexicon's documents and the commonness index.
"""
from __future__ import annotations

import hashlib
import json
import lzma
import math
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from ..boilerplate.features import (DIGIT, FEATURE_NAMES, Lexicon, extract, ngrams, statutory_form, statutory_ngrams,
                                    vector)
from ..boilerplate.index import CommonIndex, indexable
from ..boilerplate.model import INFERENCE, BoilerplateModel, SpecificityModel, reviewed_key, save
from ..boilerplate.names import Gazetteer
from ..models.store import write_config
from ..boilerplate.text import fingerprint, is_heading, norm, split_sentences, strip_enumerator

SPLIT = "boilerplate-doc-sha256mod4-v1"
C = 0.3
GENERIC_THRESHOLD = 0.5
STATUTORY_EXEMPT = 0.6  # a sentence this much in the regulation's own wording is never flagged
FEEDBACK_WEIGHT = 3.0  # a reviewer's decision counts as much as three hand-labelled corpus sentences
GENERIC, SHARED = "BOILERPLATE.GENERIC_SENTENCE", "BOILERPLATE.SHARED_ACROSS_REPORTS"


def is_test_doc(doc_id: str) -> bool:
    return int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest(), 16) % 4 == 0


def load_data(corpus: Path) -> tuple[list[dict], list[dict], str]:
    base = corpus / "boilerplate"
    rows = [json.loads(line) for line in (base / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    with lzma.open(base / "reports.jsonl.xz", "rt", encoding="utf-8") as fh:
        reports = [json.loads(line) for line in fh if line.strip()]
    statutory = (base / "statutory.txt").read_text(encoding="utf-8")
    return rows, reports, statutory


def _prf(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=[1, 0], zero_division=0)
    return {"specific": {"precision": float(p[0]), "recall": float(r[0]), "f1": float(f[0]), "support": int(s[0])},
            "generic": {"precision": float(p[1]), "recall": float(r[1]), "f1": float(f[1]), "support": int(s[1])}}


def section_sentences(text: str) -> list[tuple[int, str]]:
    """(section, sentence) of sections one and five of a report text (no spaCy)."""
    from ..ingest import load_bytes
    from ..structure.sections import detect_sections

    doc = load_bytes(text.encode("utf-8"), "report.txt")
    detect_sections(doc)
    parts = [(n, doc.section_text(n)) for n in (1, 5) if doc.section(n)]
    if not parts:
        parts = [(1, text)]
    return [(n, t[a:b]) for n, t in parts for a, b in split_sentences(t)]


def learn_lexicon(doc_texts: list[str], statutory_text: str, *, min_docs: int = 5, min_frac: float = 0.04,
                  lo: int = 4, hi: int = 10, max_digit_share: float = 0.34, max_size: int = 1500) -> Lexicon:
    """Phrases used by many reports that carry no specifics: in at least `min_docs`
    reports (and `min_frac` of them), in sentences that rarely hold a number, not part
    of the regulation's or the format's own wording, and maximal (a phrase is dropped
    when a longer kept phrase containing it is almost as frequent)."""
    stat = statutory_ngrams(statutory_text, Lexicon.STAT_N)
    stat_text = statutory_form(statutory_text)
    df: Counter = Counter()
    in_sent: Counter = Counter()
    with_digit: Counter = Counter()
    for text in doc_texts:
        seen = set()
        for a, b in split_sentences(text):
            raw = strip_enumerator(text[a:b])
            n = norm(raw)
            has_digit = bool(DIGIT.search(n.replace("Y", "")))
            grams = {g for g in ngrams(n, lo, hi) if not DIGIT.search(g) and "Y" not in g}
            for g in grams:
                in_sent[g] += 1
                if has_digit:
                    with_digit[g] += 1
            seen |= grams
        df.update(seen)
    need = max(min_docs, math.ceil(min_frac * len(doc_texts)))
    cands = {g: c for g, c in df.items()
             if c >= need and not re.search(r"[A-Za-z]", g) and with_digit[g] / in_sent[g] <= max_digit_share and g not in stat_text}
    kept: dict[str, int] = {}
    for g in sorted(cands, key=lambda g: (-len(g), -cands[g], g)):
        if any(g in k and kept[k] >= 0.7 * cands[g] for k in kept if len(k) > len(g)):
            continue
        kept[g] = cands[g]
    top = dict(sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))[:max_size])
    return Lexicon(stock=top, statutory=stat, docs=len(doc_texts), statutory_text=stat_text)


def year_texts(year, reports: list[dict]) -> list[dict]:
    """The year's reports that are not already corpus reports (by wording), as index rows:
    their sections one and five when found (a web page's navigation and the tables are not
    what stock phrases and copies are about), else the whole text. At most YEAR_SAMPLE of
    them, a fixed sample by sha256 (the lexicon counts every n-gram and the index holds
    3–5 KB per sentence in memory: a national year of ~150,000 reports is sampled)."""
    if year is None:
        return []
    from .year import YEAR_SAMPLE

    known = {fingerprint(r["text"]) for r in reports}
    new = sorted((r for r in year.reports if r.fingerprint not in known), key=lambda r: r.sha256)[:YEAR_SAMPLE]
    return [{"file": "year:" + r.file, "agency": r.agency, "year": r.year, "text": r.narrative}
            for r in sorted(new, key=lambda r: r.file)]


def feedback_rows(year) -> list[dict]:
    """Reviewers' decisions on generic sentences as training sentences (never held back)."""
    if year is None:
        return []
    return [{"text": d.quote, "section": 5 if d.section == 5 else 1,
             "label": "generic" if d.accepted else "specific", "doc": "feedback:" + str(d.provenance.get("review_id"))}
            for d in year.decisions(GENERIC)]


def reviewed_sentences(year) -> dict[str, dict]:
    """reviewed_key → what reviewers decided ({"generic": bool} and/or {"shared": bool})."""
    out: dict[str, dict] = {}
    for d in (year.decisions(GENERIC, SHARED) if year is not None else []):
        out.setdefault(reviewed_key(d.quote), {})["generic" if d.rule == GENERIC else "shared"] = d.accepted
    return out


def train(corpus: Path, source: Path | None, out: Path, quick: bool, year=None) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    t0 = time.perf_counter()
    rows, reports, statutory = load_data(corpus)
    if quick:
        reports = reports[:24]
        keep = {r["file"][:4] for r in reports}
        rows = [r for r in rows if r["doc"] in keep or r["doc"].startswith("seed")][:160]
    new_reports = year_texts(year, reports)
    train_texts = [r["text"] for r in reports if not is_test_doc(r["file"][:4])]
    lexicon = learn_lexicon(train_texts + [r["text"] for r in new_reports], statutory, min_docs=3 if quick else 5)
    fb_rows = feedback_rows(year)
    X = np.array([vector(extract(r["text"], r["section"], lexicon)) for r in rows + fb_rows])
    y = np.array([1 if r["label"] == "specific" else 0 for r in rows + fb_rows])
    groups = np.array([r["doc"] for r in rows + fb_rows])
    weight = np.array([1.0] * len(rows) + [FEEDBACK_WEIGHT] * len(fb_rows))
    test = np.array([is_test_doc(g) for g in groups[:len(rows)]] + [False] * len(fb_rows))
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=5000))
    cv_f1 = None
    if not quick and len(set(groups[~test])) >= 5:
        cv = cross_val_predict(clf, X[~test], y[~test], groups=groups[~test], cv=GroupKFold(5),
                               params={"logisticregression__sample_weight": weight[~test]})
        cv_f1 = _prf(y[~test], cv)
    clf.fit(X[~test], y[~test], logisticregression__sample_weight=weight[~test])
    scaler, lr = clf[0], clf[-1]
    spec = SpecificityModel(scaler.mean_, scaler.scale_, lr.coef_[0], float(lr.intercept_[0]))
    p_test = np.array([spec.p_specific(x) for x in X[test]])
    pred = (p_test >= GENERIC_THRESHOLD).astype(int)
    per_class = _prf(y[test], pred)
    macro = (per_class["specific"]["f1"] + per_class["generic"]["f1"]) / 2

    # The commonness index: every report of the corpus, and the year's.
    index = CommonIndex()
    t_index = time.perf_counter()
    for r in reports + new_reports:
        sents = [r["text"][a:b] for a, b in split_sentences(r["text"])]
        index.add_doc({"key": "corpus:" + r["file"], "agency": r["agency"], "year": r["year"], "file": r["file"],
                       "fingerprint": fingerprint(r["text"])},
                      [s for s in sents if indexable(s, lexicon.statutory_share)])
    index_s = time.perf_counter() - t_index
    shared = total = 0
    for i, r in enumerate(reports):
        for a, b in split_sentences(r["text"]):
            s = r["text"][a:b]
            if not indexable(s, lexicon.statutory_share):
                continue
            total += 1
            if index.query(s, exclude=lambda d, k=r["file"]: d.get("file") == k):
                shared += 1

    gazetteer = Gazetteer.from_csv(corpus / "boilerplate" / "gazetteer" / "adcodes.csv")
    reviewed = reviewed_sentences(year)
    model = BoilerplateModel(spec, lexicon, index, gazetteer, {})

    # Statutory wording is never flagged: measured on the regulation's own sentences.
    stat_sents = [statutory[a:b] for a, b in split_sentences(statutory)]
    stat_sents = [s for s in stat_sents if len(norm(s)) >= 12 and not is_heading(s)]
    model_generic = flagged = 0
    for s in stat_sents:
        j = model.judge(s, 1)
        if j.p_specific < GENERIC_THRESHOLD:
            model_generic += 1
            if j.statutory_share < STATUTORY_EXEMPT:
                flagged += 1

    # … and on the report sentences that are mostly statutory wording (≥ 50 %).
    stat_like = stat_like_flagged = 0
    for r in reports:
        for n, s in section_sentences(r["text"]):
            if len(norm(s)) < 12 or is_heading(s):
                continue
            j = model.judge(s, n)
            if j.statutory_share >= 0.5:
                stat_like += 1
                stat_like_flagged += j.p_specific < GENERIC_THRESHOLD and j.statutory_share < STATUTORY_EXEMPT

    # Section-level threshold (E4): the 90th percentile of the generic share of a
    # report's section one over the corpus.
    shares = []
    for r in reports:
        js = [model.judge(s, n) for n, s in section_sentences(r["text"])
              if n == 1 and len(norm(s)) >= 12 and not is_heading(s)]
        js = [j for j in js if j.statutory_share < STATUTORY_EXEMPT]
        if len(js) >= 5:
            shares.append(sum(j.p_specific < GENERIC_THRESHOLD for j in js) / len(js))
    section_threshold = float(np.percentile(shares, 90)) if shares else 0.8
    config = {"generic_threshold": GENERIC_THRESHOLD, "section_share_threshold": round(section_threshold, 3),
              "statutory_exempt": STATUTORY_EXEMPT}
    save(out, spec, lexicon, statutory, index, gazetteer, config, reviewed)
    from ..boilerplate.index import LSH_THRESHOLD, MIN_SIMILARITY, NUM_PERM

    write_config(out, "boilerplate", "nlp_review.training.boilerplate:train",
                 {"data": "corpus/boilerplate/sentences.jsonl (hand-labelled specific/generic), reports.jsonl.xz "
                          "(report excerpts: lexicon and index), statutory.txt, gazetteer/adcodes.csv",
                  "split": SPLIT, "features": FEATURE_NAMES, "logistic_regression_C": C, "class_weight": "balanced",
                  "lexicon_min_docs": 3 if quick else 5, "section_share_percentile": 90,
                  "feedback_weight": FEEDBACK_WEIGHT, "feedback_sentences": len(fb_rows),
                  "reviewed_sentences": len(reviewed), "year_reports": len(new_reports),
                  "index": {"num_perm": NUM_PERM, "lsh_threshold": LSH_THRESHOLD, "min_similarity": MIN_SIMILARITY},
                  "quick": bool(quick)},
                 {**INFERENCE, **config})
    return {
        "primary": round(macro, 4),
        "split": SPLIT + ("-quick" if quick else ""),
        "metric": "macro F1 (specific/generic) on held-back documents",
        "f1_specific": round(per_class["specific"]["f1"], 4),
        "f1_generic": round(per_class["generic"]["f1"], 4),
        "per_class": per_class,
        "cv_train_5fold": cv_f1,
        "n_train": int((~test).sum()), "n_test": int(test.sum()),
        "n_test_documents": int(len(set(groups[test]))),
        "features": FEATURE_NAMES,
        "coefficients": {f: round(float(c), 3) for f, c in zip(FEATURE_NAMES, spec.coef)},
        "stock_phrases": len(lexicon.stock),
        "statutory_sentences": len(stat_sents),
        "statutory_model_generic_rate": round(model_generic / max(1, len(stat_sents)), 4),
        "statutory_flag_rate": round(flagged / max(1, len(stat_sents)), 4),
        "corpus_statutory_phrase_sentences": stat_like,
        "corpus_statutory_phrase_flag_rate": round(stat_like_flagged / max(1, stat_like), 4),
        "index_reports": len(index.docs), "index_sentences": len(index),
        "index_build_seconds": round(index_s, 2),
        "corpus_sentences_with_near_copy": round(shared / max(1, total), 4),
        "section_share_threshold": config["section_share_threshold"],
        "train_seconds": round(time.perf_counter() - t0, 1),
        **({"year": _year_changes(year, lexicon, new_reports, fb_rows, reviewed)} if year is not None else {}),
    }


def _year_changes(year, lexicon: Lexicon, new_reports: list[dict], fb_rows: list[dict], reviewed: dict) -> dict:
    """What the year changed in this model, against CURRENT's lexicon (for the model card)."""
    from ..errors import ModelError
    from ..models.store import current_dir

    out = {"feedback_sentences_trained": len(fb_rows),
           "feedback_specific": sum(r["label"] == "specific" for r in fb_rows),
           "feedback_generic": sum(r["label"] == "generic" for r in fb_rows),
           "reviewed_sentences_remembered": len(reviewed), "year_reports_indexed": len(new_reports),
           "stock_phrases": len(lexicon.stock)}
    try:
        old = json.loads((current_dir() / "boilerplate" / "lexicon.json").read_text(encoding="utf-8"))["stock"]
    except (ModelError, OSError, KeyError, json.JSONDecodeError):
        return out
    added, dropped = sorted(set(lexicon.stock) - set(old)), sorted(set(old) - set(lexicon.stock))
    out.update({"stock_phrases_added": len(added), "stock_phrases_dropped": len(dropped),
                "stock_phrases_added_examples": added[:12]})
    return out


def evaluate_feedback(model_dir: Path, year) -> dict:
    """How a boilerplate model agrees with the year's decisions on GENERIC_SENTENCE and
    SHARED_ACROSS_REPORTS: the share of decisions it would repeat (raise what was accepted,
    stay silent on what was dismissed), with and without the remembered decisions."""
    from ..boilerplate.model import load

    model = load(model_dir)
    out: dict = {}
    for rule, name in ((GENERIC, "generic_sentence"), (SHARED, "shared_across_reports")):
        decisions = year.decisions(rule)
        if not decisions:
            continue
        agree = agree_alone = still_dismissed = 0
        for d in decisions:
            if rule == GENERIC:
                j = model.judge(d.quote, 5 if d.section == 5 else 1)
                alone = j.p_specific < model.generic_threshold and j.statutory_share < model.config["statutory_exempt"]
                raised = model.reviewed_as(d.quote).get("generic", alone)
            else:
                alone = bool(indexable(d.quote)) and bool(model.index.query(d.quote))
                raised = alone and model.reviewed_as(d.quote).get("shared", True)
            agree += raised == d.accepted
            agree_alone += alone == d.accepted
            still_dismissed += raised and not d.accepted
        n = len(decisions)
        out.update({f"{name}_decisions": n, f"{name}_agreement": round(agree / n, 4),
                    f"{name}_agreement_model_alone": round(agree_alone / n, 4),
                    f"{name}_dismissed_still_raised": still_dismissed})
    return out
