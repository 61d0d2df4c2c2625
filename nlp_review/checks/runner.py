"""The "checks" component: runs every enabled rule whose needs are met and keeps its
findings (one per rule, span and message), numbered f-0001…"""
from __future__ import annotations

from ..component import component
from ..doc import Doc, Finding
from ..options import severity_kept
from .registry import selected


@component("checks", requires=("text",), assigns=("findings", "warnings"))
def run_checks(doc: Doc, options, categories=None) -> None:
    """Runs the enabled rules whose `needs` the doc has (layers, last year's report)."""
    findings: list[Finding] = []
    for rule in selected(options, categories):
        if rule.ready(doc, options):
            findings.extend(rule(doc))
    keep_findings(doc, findings, options)


def keep_findings(doc: Doc, findings: list[Finding], options) -> None:
    """Keep findings at or above the minimum confidence and severity, one per rule, span and message,
    in text order, numbered f-0001…"""
    findings = [f for f in findings if f.confidence >= options.min_confidence
                and severity_kept(f.severity, getattr(options, "min_severity", None))]
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
