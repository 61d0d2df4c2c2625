"""The "scores" component: one overall score per report, counts by category and
severity, the boilerplate share of sections one and five, and the checks' coverage (how
many identities and narrative-vs-table comparisons the tables let run; tables/coverage.py):
a high score on a report whose table three was not read says little, and `coverage` says so.

`overall` (0–100, an integer) is 100 minus deductions for what the report says, not for
how the file was made: so the same report scores the same as .txt, .docx or PDF.

- Counted: the content checks — structure (a section or statutory table missing),
  table identities (勾稽), contradictions between narrative and tables, missing required
  elements, typos. Each distinct problem (rule and quoted text) deducts by severity
  (`DEDUCTION`); each category's deductions are capped (`CAP`), so one kind of slip never
  sinks a report and every kind can still move it.
- Not counted: format findings (punctuation width, number and date formats — they come
  and go with the office suite and the converter) and boilerplate (its sentence-level
  notes are hints for the author, not defects). Both are still reported and counted in
  `by_category` / `by_severity`.

A report without counted problems scores 100; the worst possible score is
100 − sum(CAP) = 0.
"""
from __future__ import annotations

from .component import component
from .doc import Doc
from .tables.coverage import table_coverage

# Deduction per distinct problem, by category and severity (info deducts nothing).
DEDUCTION = {"error": 8, "warning": 3, "info": 0}
# Most a category can deduct; categories not listed do not count (see the docstring).
CAP = {"structure": 30, "table_identity": 25, "contradiction": 20, "missing_element": 15, "typo": 10}


def overall(findings) -> int:
    """The 0–100 score of a list of findings (see the module docstring)."""
    seen: set[tuple[str, str]] = set()
    deducted: dict[str, int] = {}
    for f in findings:
        if f.category not in CAP:
            continue
        key = (f.rule, "".join(f.quote.split()))  # the same problem however the text was wrapped
        if key in seen:
            continue
        seen.add(key)
        deducted[f.category] = deducted.get(f.category, 0) + DEDUCTION[f.severity]
    return 100 - sum(min(CAP[c], d) for c, d in deducted.items())


@component("scores", requires=("findings",), uses=("boilerplate", "tables", "claims"), assigns=("scores",))
def score(doc: Doc, options=None) -> None:
    """The 0–100 content score (see the module docstring); counts by category and severity."""
    by_category: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for f in doc.findings:
        by_category[f.category] = by_category.get(f.category, 0) + 1
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
    if doc.boilerplate is not None and doc.boilerplate.section_share:
        doc.scores["boilerplate_share"] = doc.boilerplate.section_share
    doc.scores.update({"overall": overall(doc.findings), "by_category": by_category,
                       "by_severity": by_severity})
    if doc.has("tables"):
        doc.scores["coverage"] = table_coverage(doc)
