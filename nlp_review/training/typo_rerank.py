"""Trainer "typo_rerank": the reranker over every typo proposal (nlp_review/typo/rerank.py).

Training data are synthetic errors made like real ones, on text the LMs did not count
(the held-out slices of typo_domain: 2 % of the official paragraphs, 1/5 of reports_more):
input-method slips (a same-pinyin character or a same-pinyin WORD), shape slips (形近字),
other attested confusion pairs, a character of a place/organ/idiom name replaced, a
character left out (more often inside a domain phrase), a character or word typed twice,
a stray character, a first attempt left before its fix (可通过可以通过). Report text gets more
omissions and doublings, official text more substitutions, as in real reports and in ODW.
Each proposal of the candidate generator on a corrupted sentence is one row, labelled 1 when
applying it undoes one of the injected errors exactly.

Reviewers' decisions on typo findings (the service's feedback export, `nlp-review
export-feedback`: JSONL files put in `corpus/typo/feedback/`, and the year's export given to
`nlp-review train --feedback`) are added as labelled rows (accepted → 1, dismissed → 0;
weight FEEDBACK_WEIGHT): see `feedback_rows`.

The decision threshold is tuned on the ODW dev split (`bench/typo/data/odw_dev.tsv`; never
trained on): best sentence-level detection F1 with at most MAX_FPR_ODW of ODW's error-free
dev sentences and MAX_FPR_REPORTS of the held-out report sentences flagged.
"""
from __future__ import annotations

import json
import math
import os
import random
import re
import time
from pathlib import Path

import numpy as np

from ..typo.candidates import FEATURES, SAME_PINYIN, SHAPE, CandidateGenerator, Edit, TypoResources, is_cjk
from .typo_evaluate import changed_span
from ..typo.rerank import ARTIFACT, PARAMS, TreeEnsemble, TypoModel, select

MAX_FPR_ODW = 0.007  # v20261130-121530 was tuned at 0.015: 1.37 % ODW, 0.31 % held-out, but 0.78 % of the bench's report sentences
MAX_FPR_REPORTS = 0.004
MAX_FPR_INDEL = 0.003
# Dev F1 differences this small are noise (one of 1,033 sentences moves F1 by ≈ 0.002): among
# thresholds within F1_SLACK of the best, the highest (fewest false alarms) is taken.
F1_SLACK = 0.005
MIN_INDEL = 0.5
FEEDBACK_WEIGHT = 5.0
HELDOUT_EXCLUSIONS = Path(__file__).resolve().parents[2] / "corpus" / "typo" / "heldout_exclusions.tsv"
MODEL_RULES = ("TYPO.CHAR_CONFUSION", "TYPO.WORD_CONFUSION", "TYPO.MISSING_CHAR", "TYPO.EXTRA_CHAR")
N_OFFICIAL, N_REPORT = 16000, 9000
CONFIGS = ({"max_iter": 300, "learning_rate": 0.08, "max_leaf_nodes": 31, "min_samples_leaf": 40},
           {"max_iter": 500, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 80})
SENT = re.compile(r"[^。！？；\n]+[。！？；]?")
PROFILES = {
    "official": {"sound": .42, "shape": .12, "conf": .10, "word": .16, "name": .10,
                 "omission": .04, "doubling": .03, "stray": .03},
    "report": {"sound": .30, "shape": .06, "conf": .06, "word": .12, "name": .06,
               "omission": .14, "doubling": .12, "stray": .08, "partial": .06},
}
N_ERRORS = {"official": ((0, .35), (1, .45), (2, .15), (3, .05)),
            "report": ((0, .75), (1, .22), (2, .03))}  # errors are rarer in published reports


def sentences(paragraphs: list[str], lo: int = 8, hi: int = 160) -> list[str]:
    out = []
    for p in paragraphs:
        for m in SENT.finditer(p):
            t = m.group(0).strip()
            if lo <= len(t) <= hi and sum(map(is_cjk, t)) >= 0.6 * len(t):
                out.append(t)
    return out


# ---- synthetic errors -------------------------------------------------------------------------

class Corruptor:
    """Injects errors of the PROFILES kinds; returns the corrupted sentence and, per error,
    the sentence with only that error undone (the label of a proposal is whether applying
    it gives one of those)."""

    def __init__(self, res: TypoResources, rng: random.Random):
        self.r, self.rng = res, rng
        self.lm = res.lm
        self.freq_chars = [c for c in res.lm.chars if is_cjk(c) and res.unigram[res.lm.char_id[c]] >= 2000]
        self._cache: dict[tuple[str, str], tuple[list[str], list[float]]] = {}
        self.pinyin_words: dict[str, list[str]] = res.by_pinyin
        self.word_pinyin = {w: k for k, ws in res.by_pinyin.items() for w in ws}

    def _char_options(self, ch: str, kind: str) -> tuple[list[str], list[float]]:
        key = (ch, kind)
        if key in self._cache:
            return self._cache[key]
        r = self.r
        i = self.lm.char_id.get(ch)
        opts, wts = [], []
        if i is not None:
            a, b = r.ptr[i], r.ptr[i + 1]
            for c, n, f in zip(r.cands[a:b].tolist(), r.nsrc[a:b].tolist(), r.flags[a:b].tolist()):
                ok = ((kind == "sound" and f & SAME_PINYIN) or (kind == "shape" and f & SHAPE and not f & SAME_PINYIN)
                      or (kind == "conf" and n >= 2))
                if ok:
                    opts.append(self.lm.chars[c - 3])
                    wts.append(math.sqrt(r.unigram[c] + 1))
        self._cache[key] = (opts, wts)
        return opts, wts

    def _sub_char(self, s: str, i: int, kind: str):
        opts, wts = self._char_options(s[i], kind)
        if not opts:
            return None
        return (i, i + 1, self.rng.choices(opts, wts)[0], kind)

    def _word_spans(self, s: str, lo: int = 2, hi: int = 4):
        words = self.r.words
        return [(st, st + n) for n in range(lo, hi + 1) for st in range(len(s) - n + 1) if s[st:st + n] in words]

    def op(self, s: str, kind: str, free) -> tuple[int, int, str, str] | None:
        rng, r = self.rng, self.r
        cjk_pos = [i for i in range(len(s)) if is_cjk(s[i]) and free(i, i + 1)]
        if not cjk_pos:
            return None
        if kind in ("sound", "shape", "conf"):
            for _ in range(6):
                e = self._sub_char(s, rng.choice(cjk_pos), kind)
                if e:
                    return e
            return None
        if kind == "word":
            spans = [(a, b) for a, b in self._word_spans(s) if free(a, b) and s[a:b] in self.word_pinyin]
            rng.shuffle(spans)
            for a, b in spans[:8]:
                alts = [w for w in self.pinyin_words.get(self.word_pinyin[s[a:b]], ()) if w != s[a:b]]
                if alts:
                    return (a, b, rng.choice(alts), kind)
            return None
        if kind == "name":
            mask = r.names.known_mask(s)
            pos = [i for i in cjk_pos if mask[i]]
            for _ in range(6):
                if not pos:
                    return None
                e = self._sub_char(s, rng.choice(pos), rng.choice(("sound", "sound", "shape")))
                if e:
                    return (e[0], e[1], e[2], "name")
            return None
        if kind == "omission":
            spans = [(a, b) for a, b in self._phrase_spans(s) if free(a, b)]
            if spans and rng.random() < 0.7:
                a, b = rng.choice(spans)
                i = rng.randrange(a + 1, b - 1) if b - a > 2 else a
            else:
                i = rng.choice(cjk_pos)
            return (i, i + 1, "", kind)
        if kind == "doubling":
            spans = [(a, b) for a, b in self._word_spans(s, 2, 4) if free(a, b)]
            if spans and rng.random() < 0.6:
                a, b = rng.choice(spans)
            else:
                a = rng.choice(cjk_pos)
                b = a + 1
            return (b, b, s[a:b], kind)
        if kind == "stray":  # half a random frequent character, half a homophone of the one there
            i = rng.choice(cjk_pos)
            if rng.random() < 0.5 and self.freq_chars:
                c = rng.choice(self.freq_chars)
            else:
                opts, wts = self._char_options(s[i], "sound")
                c = rng.choices(opts, wts)[0] if opts else rng.choice(self.freq_chars or ["的"])
            return (i, i, c, kind)
        if kind == "partial":
            spans = [(a, b) for a, b in self._word_spans(s, 3, 4) if free(a, b)]
            spans += [(a, b) for a, b in self._phrase_spans(s) if b - a <= 6 and free(a, b)]
            if not spans:
                return None
            a, b = rng.choice(spans)
            k = rng.randrange(1, b - a - 1)
            w = s[a:b]
            return (a, a, w[:k] + w[k + 1:], kind)
        raise ValueError(kind)

    def _phrase_spans(self, s: str):
        ph = self.r.phrases.phrases
        return [(st, st + n) for n in (4, 5, 6) for st in range(len(s) - n + 1) if s[st:st + n] in ph]

    def corrupt(self, s: str, profile: str) -> tuple[str, list[str], list[str]]:
        rng = self.rng
        n = rng.choices([k for k, _ in N_ERRORS[profile]], [w for _, w in N_ERRORS[profile]])[0]
        kinds, weights = zip(*PROFILES[profile].items())
        ops: list[tuple[int, int, str, str]] = []

        def free(a: int, b: int) -> bool:
            return all(b + 1 < x0 or a > max(x1, x0 + 1) for x0, x1, _, _ in ops)

        tries = 0
        while len(ops) < n and tries < 4 * n + 4:
            tries += 1
            e = self.op(s, rng.choices(kinds, weights)[0], free)
            if e and free(e[0], e[1]) and s[e[0]:e[1]] != e[2]:
                ops.append(e)
        ops.sort()
        out, pos, spans = [], 0, []
        for a, b, new, kind in ops:
            out.append(s[pos:a])
            cstart = sum(map(len, out))
            out.append(new)
            spans.append((cstart, cstart + len(new), s[a:b], kind))
            pos = b
        out.append(s[pos:])
        c = "".join(out)
        fixed = [c[:a] + old + c[b:] for a, b, old, _ in spans]
        return c, fixed, [k for *_, k in spans]


# ---- rows -------------------------------------------------------------------------------------------

def synthetic_rows(gen: CandidateGenerator, corruptor: Corruptor, sents: list[str], profile: str,
                   rounds: int = 1) -> tuple[list[np.ndarray], list[np.ndarray], dict]:
    Xs, ys = [], []
    stats = {"sentences": 0, "errors": 0, "errors_proposed": 0}
    for _ in range(rounds):
        for s in sents:
            c, fixed, _kinds = corruptor.corrupt(s, profile)
            edits, X = gen.analyse(c)
            stats["sentences"] += 1
            stats["errors"] += len(fixed)
            if not edits:
                continue
            targets = set(fixed)
            y = np.array([e.apply(c) in targets for e in edits], dtype=np.int8)
            stats["errors_proposed"] += len({e.apply(c) for e, yy in zip(edits, y) if yy})
            Xs.append(X)
            ys.append(y)
    return Xs, ys, stats


def feedback_rows(lines, gen: CandidateGenerator) -> tuple[np.ndarray, np.ndarray, dict]:
    """Labelled rows from reviewers' decisions on model typo findings (JSONL of
    `nlp-review export-feedback`, read by training/feedback.py: the latest row per review and
    finding is its decision): the finding's sentence is cut from its stored context, the
    generator is run on it, and the proposal that is the finding's edit becomes a row labelled
    1 (accepted) or 0 (dismissed). Findings the current generator no longer proposes, other
    rules, undecided and superseded rows are counted and skipped."""
    from .feedback import read_feedback as read_decisions

    fs = read_decisions(lines)
    X, y = [], []
    stats = {"rows": fs.stats.get("rows", 0), "superseded": fs.stats.get("superseded", 0), "used": 0,
             "not_typo_model": 0, "undecided": fs.stats.get("undecided", 0), "not_proposed": 0,
             "bad": fs.stats.get("unreadable", 0)}
    for d in fs.decisions:
        if d.rule not in MODEL_RULES:
            stats["not_typo_model"] += 1
            continue
        if not d.suggestions:
            stats["bad"] += 1
            continue
        ctx, decision = d.context, d.decision
        st = d.start - d.context_start
        a, b = changed_span(d.quote, d.suggestions[0]) or (0, 0)
        rep = d.suggestions[0][a:len(d.suggestions[0]) - (len(d.quote) - b)]
        a, b = st + a, st + b
        # the sentence around the edit
        s0 = max(ctx.rfind(x, 0, a) for x in "。！？；\n") + 1
        ends = [k for k in (ctx.find(x, b) for x in "。！？；\n") if k >= 0]
        s1 = min(ends) + 1 if ends else len(ctx)
        sent = ctx[s0:s1]
        edits, Xs = gen.analyse(sent)
        key = (a - s0, b - s0, rep)
        hit = [k for k, e in enumerate(edits) if e.key == key]
        if not hit:
            stats["not_proposed"] += 1
            continue
        X.append(Xs[hit[0]])
        y.append(1 if decision == "accepted" else 0)
        stats["used"] += 1
    return (np.array(X).reshape(-1, len(FEATURES)), np.array(y, dtype=np.int8), stats)


def read_feedback(corpus: Path) -> list[str]:
    d = Path(corpus) / "typo" / "feedback"
    lines: list[str] = []
    for f in sorted(d.glob("*.jsonl")) if d.is_dir() else []:
        lines.extend(f.read_text(encoding="utf-8").splitlines())
    return lines


# ---- tuning on ODW dev ---------------------------------------------------------------------------

def _is_gold(e: Edit, s: str, t: str) -> bool:
    if len(e.text) != e.end - e.start:
        return False
    out = e.apply(s)
    return all((out[k] == t[k]) and (s[k] != t[k] or out[k] == s[k]) for k in range(e.start, e.end)) and out != s


def _apply_all(scored, sents, th, th_indel):
    out = []
    for (edits, P), s in zip(scored, sents):
        r = s
        for e, _ in reversed(select(edits, P, th, th_indel)):
            r = e.apply(r)
        out.append(r)
    return out


def tune(model: TypoModel, dev: list[tuple[str, str]], clean_reports: list[str]) -> dict:
    """Thresholds and calibration. Insertions/deletions (absent from ODW): the lowest
    threshold whose own false alarms stay under MAX_FPR_INDEL on the held-out report sentences
    and ODW's clean dev sentences. Substitutions: the best dev detection F1 with at most
    MAX_FPR_ODW / MAX_FPR_REPORTS of the error-free sentences flagged in all."""
    from .typo_evaluate import score_predictions

    dev_src = [s for s, _ in dev]
    dev_scored = [model.scored(s) for s in dev_src]
    rep_scored = [model.scored(s) for s in clean_reports]
    probs = sorted({round(float(p), 4) for _, P in dev_scored + rep_scored for p in P if p >= 0.05}, reverse=True)
    grid = sorted(set(probs[::max(1, len(probs) // 300)] + probs[-1:] + [1.01]))
    clean_dev = [s for s, t in dev if s == t]
    clean_dev_scored = [sc for sc, (s, t) in zip(dev_scored, dev) if s == t]

    def fpr(scored, sents, th, th_indel):
        return sum(o != s for o, s in zip(_apply_all(scored, sents, th, th_indel), sents)) / max(1, len(sents))

    th_indel = 1.01
    for th in grid:  # ascending: the first that satisfies the ceiling
        if (fpr(rep_scored, clean_reports, 1.01, th) <= MAX_FPR_INDEL
                and fpr(clean_dev_scored, clean_dev, 1.01, th) <= MAX_FPR_INDEL):
            th_indel = max(th, MIN_INDEL)
            break
    best = None
    curve, allowed = [], []
    for th in grid:
        m = score_predictions(dev, _apply_all(dev_scored, dev_src, th, th_indel))
        fpr_rep = fpr(rep_scored, clean_reports, th, th_indel)
        curve.append((th, m["detection"]["f1"], m["fpr"], fpr_rep))
        if m["fpr"] <= MAX_FPR_ODW and fpr_rep <= MAX_FPR_REPORTS:
            allowed.append((th, m["detection"]["f1"], m, fpr_rep))
    if allowed:  # precision first: the highest threshold within F1_SLACK of the best F1
        top = max(a[1] for a in allowed)
        best = max((a for a in allowed if a[1] >= top - F1_SLACK), key=lambda a: a[0])
    if best is None:
        best = (1.01, 0.0, score_predictions(dev, dev_src), 0.0)
    labelled = sorted(((float(p), _is_gold(e, s, t)) for (edits, P), (s, t) in zip(dev_scored, dev)
                       for e, p in zip(edits, P)), reverse=True)
    calib, tp = [], 0
    for k, (p, ok) in enumerate(labelled, start=1):
        tp += ok
        if k % 10 == 0 or k == len(labelled):
            calib.append((round(p, 4), round(tp / k, 3)))
    return {"threshold": best[0], "threshold_indel": th_indel, "metrics": best[2], "fpr_reports": best[3],
            "calibration": calib, "curve": curve}


# ---- the trainer ------------------------------------------------------------------------------------

def heldout_clean(sents: list[str], exclusions: Path = HELDOUT_EXCLUSIONS) -> list[str]:
    """The error-free report sentences of the tuning: each sentence once (sibling reports
    repeat whole sentences — a title, an address — which would count one false alarm many
    times), minus those that turned out to contain a real error (`heldout_exclusions.tsv`)."""
    bad = set()
    if exclusions.is_file():
        bad = {line.split("\t")[0] for line in exclusions.read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")}
    return [s for s in dict.fromkeys(sents) if s not in bad]


def build_rows(gen: CandidateGenerator, res: TypoResources, source: Path | None, quick: bool, seed: int = 13):
    from .typo_lm import read_corpus
    from .typo_domain import official_split, report_texts

    rng = random.Random(seed)
    _, held = official_split(read_corpus(source, quick))
    off = sentences(held)
    _, rep_docs = report_texts(source, quick)
    rep = sentences([line for d in rep_docs for line in d.split("\n")])
    rng.shuffle(off)
    rng.shuffle(rep)
    n_off, n_rep = (150, 60) if quick else (N_OFFICIAL, N_REPORT)
    cor = Corruptor(res, rng)
    rep_train, rep_clean = rep[: len(rep) // 2], heldout_clean(rep[len(rep) // 2:])
    X1, y1, st1 = synthetic_rows(gen, cor, off[:n_off], "official")
    rounds = max(1, math.ceil(n_rep / max(1, len(rep_train))))
    X2, y2, st2 = synthetic_rows(gen, cor, rep_train[:n_rep], "report", rounds)
    return X1 + X2, y1 + y2, {"official": st1, "report": st2}, rep_clean


def train(corpus: Path, source: Path | None, out: Path, quick: bool, year=None) -> dict:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from sklearn.ensemble import HistGradientBoostingClassifier

    from .typo_evaluate import load_split

    t0 = time.time()
    lm_dir = out.parent / "typo_lm"
    res = TypoResources(lm_dir)
    gen = CandidateGenerator(res)
    Xs, ys, stats, rep_clean = build_rows(gen, res, source, quick)
    X, y = np.concatenate(Xs), np.concatenate(ys)
    w = np.ones(len(y))
    year_lines = year.feedback.lines() if year is not None and year.feedback is not None else []
    fX, fy, fstats = feedback_rows(read_feedback(corpus) + year_lines, gen)
    if len(fy):
        X, y = np.concatenate([X, fX]), np.concatenate([y, fy])
        w = np.concatenate([w, np.full(len(fy), FEEDBACK_WEIGHT)])
    dev = load_split("dev")
    if quick:
        dev, rep_clean = dev[:40], rep_clean[:40]
    best = None
    for k, cfg in enumerate(CONFIGS[:1] if quick else CONFIGS):
        cfg = dict(cfg, max_iter=20) if quick else cfg
        clf = HistGradientBoostingClassifier(early_stopping=False, random_state=0, **cfg)
        clf.fit(X, y, sample_weight=w)
        ens = TreeEnsemble.from_sklearn(clf)
        probe = X[:2000]
        agree = float(np.abs(ens.proba(probe) - clf.predict_proba(probe)[:, 1]).max())
        if agree > 1e-6:
            raise RuntimeError(f"tree export disagrees with scikit-learn: {agree}")
        model = TypoModel(gen, ens, {"threshold": 0.5})
        tuned = tune(model, dev, rep_clean)
        f1 = tuned["metrics"]["detection"]["f1"]
        print(f"typo_rerank config {k}: dev F1 {f1:.4f} at P ≥ {tuned['threshold']}", flush=True)
        if best is None or f1 > best[0]:
            best = (f1, k, ens, tuned)
    f1, k, ens, tuned = best
    ens.save(out / ARTIFACT)
    params = {"threshold": tuned["threshold"], "threshold_indel": tuned["threshold_indel"], "calibration": tuned["calibration"], "features": list(FEATURES),
              "config": CONFIGS[k]}
    (out / PARAMS).write_text(json.dumps(params, ensure_ascii=False), encoding="utf-8")
    from ..models.store import write_config
    from ..typo.rerank import START_THRESHOLD

    write_config(out, "typo_rerank", "nlp_review.training.typo_rerank:train",
                 {"model": "HistGradientBoostingClassifier", **CONFIGS[k], "profiles": PROFILES,
                  "errors_per_sentence": {p: dict(v) for p, v in N_ERRORS.items()}, "quick": bool(quick),
                  "tuned_on": "bench/typo/data/odw_dev.tsv + held-out report sentences",
                  "max_fpr": {"odw": MAX_FPR_ODW, "reports": MAX_FPR_REPORTS, "indel": MAX_FPR_INDEL},
                  "f1_slack": F1_SLACK},
                 {"threshold": tuned["threshold"], "threshold_indel": tuned["threshold_indel"],
                  "start_threshold": START_THRESHOLD}, features=list(FEATURES))
    m = tuned["metrics"]
    return {"primary": round(m["detection"]["f1"], 4), "split": "odw_dev" + ("_quick" if quick else ""),
            "threshold": tuned["threshold"], "threshold_indel": tuned["threshold_indel"], "detection_precision": m["detection"]["precision"],
            "detection_recall": m["detection"]["recall"], "detection_f1": m["detection"]["f1"],
            "correction_f1": m["correction"]["f1"], "fpr_odw_dev": m["fpr"],
            "fpr_heldout_reports": round(tuned["fpr_reports"], 4), "heldout_report_sentences": len(rep_clean),
            "rows": int(len(y)), "positives": int(y.sum()), "feedback": fstats,
            "synthetic": stats, "config": k, "trees": int(len(ens.trees)),
            "artifact_bytes": sum(f.stat().st_size for f in out.iterdir()),
            "train_seconds": round(time.time() - t0, 1)}


def evaluate_feedback(model_dir: Path, year) -> dict:
    """How a typo model (this reranker and its version's typo_lm) agrees with the year's
    decisions on its findings: does it still propose an edit inside each decided quote?"""
    decisions = year.decisions(*MODEL_RULES)
    if not decisions:
        return {}
    model = TypoModel.load(model_dir, model_dir.parent / "typo_lm")
    agree = still_dismissed = 0
    for d in decisions:
        sent = d.sentence
        a = d.start - d.context_start - d.context.find(sent)
        b = a + len(d.quote)
        raised = any(e.start < b and a < max(e.end, e.start + 1) for e, _ in model.detect(sent))
        agree += raised == d.accepted
        still_dismissed += raised and not d.accepted
    return {"typo_decisions": len(decisions), "typo_agreement": round(agree / len(decisions), 4),
            "typo_dismissed_still_raised": still_dismissed}
