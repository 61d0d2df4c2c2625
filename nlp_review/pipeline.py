"""The review pipeline (spaCy style): one `Doc` flows through small components, each
adding one layer — sections, tables, sentences, …, findings, scores — and never
re-parsing what an earlier one produced.

A component is "module:function" called as fn(doc, options). Add a component by adding
its entry to `PIPELINE` at the place where the layers it reads already exist.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable, Optional

from .doc import Doc
from .errors import InputError

PIPELINE: list[tuple[str, str]] = [
    ("sections", "nlp_review.structure.sections:detect_sections"),
    ("report_guard", "nlp_review.pipeline:require_report"),
    ("tables", "nlp_review.tables.parse:parse_tables"),
    ("sentences", "nlp_review.structure.sentences:segment"),
    ("claims", "nlp_review.claims.extract:extract_claims"),
    ("elements", "nlp_review.elements.component:detect_elements"),
    ("boilerplate", "nlp_review.boilerplate.component:analyse"),
    ("checks", "nlp_review.pipeline:run_checks"),
    ("ocr_evidence", "nlp_review.ingest.ocr_evidence:guard_findings"),  # low-confidence OCR digits: no error
    ("scores", "nlp_review.pipeline:score"),
]


@dataclass
class Options:
    min_confidence: float = 0.0
    disabled_rules: frozenset[str] = frozenset()
    previous: Optional[Doc] = None  # last year's report, for year-over-year checks
    extra: dict[str, Any] = field(default_factory=dict)


_RESOLVED: dict[str, Callable] = {}


def _resolve(path: str) -> Callable:
    fn = _RESOLVED.get(path)
    if fn is None:
        mod, name = path.split(":")
        fn = getattr(import_module(mod), name)
        _RESOLVED[path] = fn
    return fn


def require_report(doc: Doc, options: Options) -> None:
    """Refuse files that are not annual reports at all (no section, no report wording)."""
    if any(s.found for s in doc.sections):
        return
    if "政府信息公开" in doc.text and ("年度报告" in doc.text or "工作报告" in doc.text):
        return
    raise InputError("not_report",
                     "该文件不像政府信息公开工作年度报告：未找到“一、总体情况”等六个部分，也没有年报标题。")


def run_checks(doc: Doc, options: Options) -> None:
    from .checks import all_checks

    findings = []
    for check in all_checks():
        findings.extend(check(doc))
    keep_findings(doc, findings, options)


def keep_findings(doc: Doc, findings: list, options: Options) -> None:
    """Filter by options, keep one finding per rule and span, number them f-0001…"""
    findings = [f for f in findings if f.rule not in options.disabled_rules
                and f.confidence >= options.min_confidence]
    # One finding per rule, span and message.
    seen, unique = set(), []
    for f in sorted(findings, key=lambda f: (f.start, f.end, f.rule)):
        k = (f.rule, f.start, f.end, f.message)
        if k not in seen:
            seen.add(k)
            unique.append(f)
    for i, f in enumerate(unique, start=1):
        f.id = f"f-{i:04d}"
        assert doc.text[f.start:f.end] == f.quote
    doc.findings = unique


SEVERITY_PENALTY = {"error": 8, "warning": 3, "info": 1}


def score(doc: Doc, options: Options) -> None:
    by_category: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    penalty = 0.0
    for f in doc.findings:
        by_category[f.category] = by_category.get(f.category, 0) + 1
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
        penalty += SEVERITY_PENALTY[f.severity] * f.confidence
    doc.scores.update({"overall": max(0, round(100 - penalty)), "by_category": by_category,
                       "by_severity": by_severity})


def review(doc: Doc, options: Optional[Options] = None) -> Doc:
    options = options or Options()
    for _name, path in PIPELINE:
        _resolve(path)(doc, options)
    return doc


def _timed_review(load: Callable[[], Doc], options: Optional[Options]) -> Doc:
    """Load, review, and record the whole time (ingestion included) in timing_ms."""
    t0 = time.perf_counter()
    doc = review(load(), options)
    doc.user_data["timing_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return doc


def review_bytes(data: bytes, filename: str | None = None, options: Optional[Options] = None,
                 **load_options) -> Doc:
    from .ingest import load_bytes

    return _timed_review(lambda: load_bytes(data, filename, **load_options), options)


def review_path(path, options: Optional[Options] = None, **load_options) -> Doc:
    from .ingest import load_path

    return _timed_review(lambda: load_path(path, **load_options), options)


def review_text(text: str, filename: str = "input.txt", options: Optional[Options] = None) -> Doc:
    return review_bytes(text.encode("utf-8"), filename, options)


# A text fragment (a paragraph being typed, a LanguageTool /v2/check request) is not a
# report: it has no sections or tables, so only the sentence-level families apply.
FRAGMENT_CATEGORIES = frozenset({"typo", "format"})
FRAGMENT_PIPELINE: list[tuple[str, str]] = [
    ("sentences", "nlp_review.structure.sentences:segment"),
    ("checks", "nlp_review.pipeline:run_fragment_checks"),
]


def run_fragment_checks(doc: Doc, options: Options) -> None:
    """Every check runs (each reads paragraphs/sentences and finds nothing it needs
    elsewhere); only findings of FRAGMENT_CATEGORIES are kept. A rule module can opt out
    with `FRAGMENT = False` when it is whole-report only and costly."""
    from .checks import ALL_RULE_MODULES

    findings = []
    for mod in ALL_RULE_MODULES:
        if getattr(mod, "FRAGMENT", True) is False:
            continue
        for check in getattr(mod, "CHECKS", []):
            findings.extend(f for f in check(doc) if f.category in FRAGMENT_CATEGORIES)
    keep_findings(doc, findings, options)


def review_fragment(text: str, options: Optional[Options] = None) -> Doc:
    """Check a text fragment with the sentence-level rules. `Doc.text` keeps every line of
    `text`; `doc.source_map.locate(i)` gives {"line": n, "offset": k} into the input."""
    from .ingest.blocks import Paragraph, Piece, RawDocument
    from .ingest.builder import build_doc

    options = options or Options()
    raw = RawDocument("txt", [Paragraph([Piece(line, {"line": n}, 0)])
                              for n, line in enumerate(text.split("\n"), start=1)])
    doc = build_doc(raw, None, text.encode("utf-8", "surrogatepass"))
    doc.user_data["fragment"] = True
    for _name, path in FRAGMENT_PIPELINE:
        _resolve(path)(doc, options)
    return doc
