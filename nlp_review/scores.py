"""The "scores" component: one overall score per report, counts by category and
severity, and the boilerplate share of sections one and five."""
from __future__ import annotations

from .component import component
from .doc import Doc

SEVERITY_PENALTY = {"error": 8, "warning": 3, "info": 1}


@component("scores", requires=("findings",), uses=("boilerplate",), assigns=("scores",))
def score(doc: Doc, options=None) -> None:
    """100 minus the findings' severity penalties weighted by confidence; counts."""
    by_category: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    penalty = 0.0
    for f in doc.findings:
        by_category[f.category] = by_category.get(f.category, 0) + 1
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
        penalty += SEVERITY_PENALTY[f.severity] * f.confidence
    if doc.boilerplate is not None and doc.boilerplate.section_share:
        doc.scores["boilerplate_share"] = doc.boilerplate.section_share
    doc.scores.update({"overall": max(0, round(100 - penalty)), "by_category": by_category,
                       "by_severity": by_severity})
