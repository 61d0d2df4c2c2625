"""The "checks" component: runs the rule families and keeps their findings."""
from __future__ import annotations

from ..component import component
from ..doc import Doc


@component("checks", requires=("text",), assigns=("findings", "warnings"))
def run_checks(doc: Doc, options, categories=None) -> None:
    """Runs the rules, keeps one finding per rule and span, numbers them f-0001…"""
    from . import ALL_RULE_MODULES

    findings = []
    for mod in ALL_RULE_MODULES:
        if categories is not None and getattr(mod, "FRAGMENT", True) is False:
            continue
        for check in getattr(mod, "CHECKS", []):
            findings.extend(f for f in check(doc) if categories is None or f.category in categories)
    keep_findings(doc, findings, options)


def keep_findings(doc: Doc, findings: list, options) -> None:
    """Filter by options, keep one finding per rule and span, number them f-0001…"""
    from .catalogue import resolve

    disabled = resolve(options.disabled_rules)
    findings = [f for f in findings if f.rule not in disabled and f.confidence >= options.min_confidence]
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
