"""Reviewers' decisions (`nlp-review export-feedback` JSONL, rows as `service/storage.py`
keeps them and `nlp_review/feedback.py` records them) as labelled data with provenance.

Only a finding's latest decision counts (a reviewer may change their mind; a null decision
withdraws it). Renamed rule ids are mapped to the current ones. Each family gets its own
labelled set, every row carrying where it came from (review, finding, source file hash,
time, note):

- typo: accepted → the flagged text is wrong (1), dismissed → it is right (0);
- boilerplate: GENERIC_SENTENCE accepted → the sentence is generic, dismissed → specific;
  SHARED_ACROSS_REPORTS accepted → copied, dismissed → not a copy (own or template wording);
  the other BOILERPLATE rules as positive/negative findings;
- elements: ELEMENT.MISSING.<KEY> accepted → the element is absent from the section,
  dismissed → present (the section's text is in the row); ELEMENT.GENERIC likewise;
- table cells: the corrected cells with the value read and the table's text;
- every decided finding, for per-rule precision.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from ..checks.registry import REDIRECTS

DECISIONS = ("accepted", "dismissed")


@dataclass
class Decision:
    """One reviewer decision on one finding."""

    rule: str
    category: str
    decision: str  # accepted | dismissed
    quote: str
    section: Optional[int]
    start: int
    end: int
    context: str
    context_start: int
    suggestions: list[str] = field(default_factory=list)
    evidence: dict = field(default_factory=dict)
    confidence: Optional[float] = None
    section_text: Optional[str] = None
    corrected_cells: list[dict] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)  # review_id, finding_id, source_sha256, created_at, note

    @property
    def accepted(self) -> bool:
        return self.decision == "accepted"

    @property
    def sentence(self) -> str:
        """The sentence of the context that holds the finding (the quote itself when it is one)."""
        ctx, a, b = self.context, self.start - self.context_start, self.end - self.context_start
        s0 = max(ctx.rfind(x, 0, max(a, 0)) for x in "。！？；\n") + 1
        ends = [k for k in (ctx.find(x, max(b - 1, 0)) for x in "。！？；\n") if k >= 0]
        return ctx[s0:(min(ends) + 1 if ends else len(ctx))].strip()


@dataclass
class FeedbackSet:
    decisions: list[Decision]
    stats: dict
    source: Optional[str] = None  # the file read
    sha256: Optional[str] = None
    # cells corrected without a decision on a finding (the page's table corrections), with provenance
    corrections: list[dict] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The export as read (for readers of the raw rows, e.g. the typo reranker's)."""
        if not self.source:
            return []
        with open(self.source, encoding="utf-8") as fh:
            return fh.read().splitlines()

    def of(self, *prefixes: str) -> list[Decision]:
        return [d for d in self.decisions if d.rule.startswith(prefixes)]

    def precision_by_rule(self) -> dict[str, dict]:
        """Per rule: decided findings, accepted, dismissed, precision and its 95 % Wilson interval."""
        by: dict[str, Counter] = {}
        for d in self.decisions:
            by.setdefault(d.rule, Counter())[d.decision] += 1
        out = {}
        for rule, c in sorted(by.items()):
            n, k = c["accepted"] + c["dismissed"], c["accepted"]
            lo, hi = wilson(k, n)
            out[rule] = {"decided": n, "accepted": k, "dismissed": c["dismissed"], "precision": round(k / n, 3),
                         "ci95": [round(lo, 3), round(hi, 3)]}
        return out


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = p + z * z / (2 * n)
    r = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (c - r) / d), min(1.0, (c + r) / d)


def _decision(row: dict) -> Decision:
    f = row["finding"]
    rule = REDIRECTS.get(f["rule"], f["rule"])
    start, end = int(f["start"]), int(f["end"])
    ctx = f.get("context") or f.get("quote") or ""
    c0 = int(f.get("context_start", start))
    if ctx[start - c0:end - c0] != f["quote"]:
        raise ValueError("quote not at its offsets in the context")
    return Decision(rule=rule, category=f.get("category") or "", decision=row["decision"], quote=f["quote"],
                    section=f.get("section"), start=start, end=end, context=ctx, context_start=c0,
                    suggestions=list(f.get("suggestions") or []), evidence=dict(f.get("evidence") or {}),
                    confidence=f.get("confidence"), section_text=f.get("section_text"),
                    corrected_cells=list(f.get("corrected_cells") or []),
                    provenance=_decision_provenance(row))


def read_feedback(lines: Iterable[str], source: Optional[str] = None) -> FeedbackSet:
    """Parse an export; the latest row per (review, finding) is its decision."""
    latest: dict[tuple, dict] = {}
    stats = Counter()
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        line = line.strip()
        if not line:
            continue
        stats["rows"] += 1
        try:
            row = json.loads(line)
            key = (row["review_id"], row["finding_id"])
            if not all(k in row["finding"] for k in ("rule", "start", "end", "quote")):
                raise KeyError("finding")
        except (json.JSONDecodeError, KeyError, TypeError):
            stats["unreadable"] += 1
            continue
        latest[key] = row
    stats["superseded"] = stats["rows"] - stats["unreadable"] - len(latest)
    _expand_groups(latest)
    decisions, corrections = [], []
    for row in latest.values():
        if row.get("decision") not in DECISIONS:
            stats["undecided"] += 1
            for c in row["finding"].get("corrected_cells") or []:
                corrections.append({**c, "rule": row["finding"]["rule"], "decision": None,
                                    "provenance": _decision_provenance(row)})
            continue
        try:
            decisions.append(_decision(row))
        except (KeyError, TypeError, ValueError):
            stats["unreadable"] += 1
    stats["decisions"] = len(decisions)
    return FeedbackSet(decisions, dict(stats), source, digest.hexdigest(), corrections)


def _decision_provenance(row: dict) -> dict:
    return {"review_id": row.get("review_id"), "finding_id": row.get("finding_id"),
            "source_sha256": row.get("source_sha256"), "created_at": row.get("created_at"), "note": row.get("note")}


def _expand_groups(latest: dict[tuple, dict]) -> None:
    """A decision on a grouped finding (one generic-sentence finding per section) is a decision
    on each sentence it lists, unless the reviewer decided on that sentence alone ("f-0003.2")."""
    for (review, fid), row in list(latest.items()):
        sentences = (row["finding"].get("evidence") or {}).get("sentences")
        if not isinstance(sentences, list) or "group" in row["finding"]:
            continue
        del latest[(review, fid)]
        for i, s in enumerate(sentences):
            if not isinstance(s, dict) or "context" not in s:
                continue
            one = {**row["finding"], "start": s["start"], "end": s["end"], "quote": s["quote"],
                   "context": s["context"], "context_start": s["context_start"], "group": fid,
                   "evidence": {k: v for k, v in s.items() if k not in ("start", "end", "quote", "context",
                                                                      "context_start")}}
            if i:  # cells corrected along with the decision are kept once, not per sentence
                one.pop("corrected_cells", None)
            latest.setdefault((review, f"{fid}.{i}"), {**row, "finding_id": f"{fid}.{i}", "finding": one})


def load_feedback(path: Path) -> FeedbackSet:
    with open(path, encoding="utf-8") as fh:
        return read_feedback(fh, str(path))


# ---- labelled sets -----------------------------------------------------------------------------

def _row(d: Decision, **fields) -> dict:
    return {**fields, "rule": d.rule, "decision": d.decision, "provenance": d.provenance}


def labelled_sets(fs: FeedbackSet) -> dict[str, list[dict]]:
    """The labelled data each family learns from (see the module docstring)."""
    sets: dict[str, list[dict]] = {"typo": [], "boilerplate": [], "elements": [], "table_cells": [], "other": []}
    for d in fs.decisions:
        if d.category == "typo" or d.rule.startswith("TYPO."):
            sets["typo"].append(_row(d, sentence=d.sentence, quote=d.quote, suggestions=d.suggestions,
                                     offset=d.start - d.context_start - d.context.find(d.sentence),
                                     label=1 if d.accepted else 0))
        elif d.rule == "BOILERPLATE.GENERIC_SENTENCE":
            sets["boilerplate"].append(_row(d, text=d.quote, section=d.section,
                                            label="generic" if d.accepted else "specific"))
        elif d.rule == "BOILERPLATE.SHARED_ACROSS_REPORTS":
            sets["boilerplate"].append(_row(d, text=d.quote, section=d.section,
                                            label="shared" if d.accepted else "not_shared",
                                            closest=d.evidence.get("closest")))
        elif d.rule.startswith("BOILERPLATE."):
            sets["boilerplate"].append(_row(d, text=d.quote, section=d.section, label=1 if d.accepted else 0))
        elif d.rule.startswith("ELEMENT."):
            element = d.evidence.get("element") or d.rule.split(".", 2)[-1].lower().replace("_", ".", 1)
            sets["elements"].append(_row(d, element=element, section=d.section, section_text=d.section_text,
                                         label=("absent" if d.accepted else "present")
                                         if d.rule.startswith("ELEMENT.MISSING.") else (1 if d.accepted else 0)))
        else:
            sets["other"].append(_row(d, quote=d.quote, section=d.section, label=1 if d.accepted else 0))
        for c in d.corrected_cells:
            sets["table_cells"].append(_row(d, **c))
    sets["table_cells"].extend(fs.corrections)
    return sets


def write_sets(sets: dict[str, list[dict]], out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in sets.items():
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return {name: len(rows) for name, rows in sets.items()}
