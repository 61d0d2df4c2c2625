"""The "scores" component: one overall score per report, counts by category and
severity, the boilerplate share of sections one and five, and the checks' coverage (how
many identities and narrative-vs-table comparisons the tables let run; tables/coverage.py):
a high score on a report whose table three was not read says little, and `coverage` says so."""
from __future__ import annotations

from .component import component
from .doc import Doc
from .tables.coverage import table_coverage

SEVERITY_PENALTY = {"error": 8, "warning": 3, "info": 1}


@component("scores", requires=("findings",), uses=("boilerplate", "tables", "claims"), assigns=("scores",))
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
    if doc.has("tables"):
        doc.scores["coverage"] = table_coverage(doc)
