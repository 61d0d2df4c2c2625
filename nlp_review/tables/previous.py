"""Pipeline component “previous_report”: last year's report of the same agency, as the
year-over-year table rules compare it (`checks/table_identity/yoy.py`).

Last year's report is read by the `previous_year` preset (sections and tables, no checks)
and given through `Options.previous` — by `check --previous`, by the API's `previous`
upload, or by `batch`, which pairs the same agency's consecutive years itself
(`analytics/pairs.py`). This component keeps what the rules need of it (title, year,
agency, source and typed table cells) in `doc.previous_report`, and decides once whether
the two reports can be compared at all: not when the years are known and not consecutive,
nor when both agencies are known and differ.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..component import component
from ..doc import Cell, Doc, Table


@dataclass
class PreviousReport:
    """The layer `doc.previous_report` (None without a previous report)."""

    title: Optional[str]
    year: Optional[int]
    agency: Optional[str]
    filename: Optional[str]
    sha256: Optional[str]
    tables: dict[str, Table] = field(default_factory=dict)
    # Why the two reports are not compared (Chinese, for doc.warnings); None: comparable.
    not_comparable: Optional[str] = None

    def cell(self, table: str, key: str) -> Optional[Cell]:
        t = self.tables.get(table)
        return None if t is None else t.cells.get(key)

    def label(self) -> str:
        """How a message names last year's report."""
        if self.title:
            return self.title
        if self.agency and self.year:
            return f"{self.agency}{self.year}年报告"
        return f"{self.year}年报告" if self.year else (self.filename or "上一年度报告")

    def describe(self) -> dict:
        """Last year's report in a finding's evidence."""
        return {"title": self.title, "year": self.year, "agency": self.agency, "file": self.filename,
                "sha256": self.sha256}

    def cell_evidence(self, table: str, key: str) -> dict:
        c = self.cell(table, key)
        return {} if c is None else {"key": key, "value": c.value, "raw": c.raw, "start": c.start, "end": c.end}


def comparable(doc: Doc, prev: Doc) -> Optional[str]:
    """None when `prev` can be last year's report of `doc`'s agency, else why not (Chinese)."""
    if doc.year and prev.year and prev.year != doc.year - 1:
        return (f"所附上一年度报告的年度（{prev.year}年）不是本报告年度（{doc.year}年）的前一年，"
                "未做跨年度表格勾稽比对。")
    from ..boilerplate.component import same_agency

    if doc.agency and prev.agency and not same_agency(doc.agency, prev.agency):
        return f"所附上一年度报告的机关（{prev.agency}）与本报告（{doc.agency}）不同，未做跨年度表格勾稽比对。"
    return None


@component("previous_report", requires=("text", "tables"), assigns=("previous_report",))
def previous_report(doc: Doc, options=None) -> None:
    """Last year's report (Options.previous): title, year, agency and table cells."""
    prev: Optional[Doc] = getattr(options, "previous", None)
    if prev is None or prev is doc:
        doc.previous_report = None
        return
    src = prev.source or {}
    doc.previous_report = PreviousReport(prev.title, prev.year, prev.agency, src.get("filename"), src.get("sha256"),
                                         dict(prev.tables), comparable(doc, prev))
