"""Year-over-year identities (rubric I-5, I-6; B5, B6): this year's tables against last
year's report of the same agency (`doc.previous_report`, from `Options.previous`: `check
--previous`, the API's `previous`, or the batch's own pairing of consecutive years).

Checked only where both years' cells were read and the two reports are comparable
(consecutive years, the same agency when both are known; otherwise `doc.warnings` says
why not). Evidence holds both years' cells: key, value, the text read and its offsets —
this year's into `text`, last year's into last year's text."""
from __future__ import annotations

import re
from typing import Optional

from ...doc import Doc
from ...tables.previous import PreviousReport
from ...tables.schema import TABLE2_ROWS, TABLE3_COLUMN_NAMES, TABLE3_COLUMNS
from ..common import fmt_number as _fmt
from ..registry import MINIMAL, PREVIOUS, Report, clean, flag, rule

# Last year one application of a natural person was carried forward (its table three balances).
_CARRIED_ONE = {"new.natural_person": 3, "new.total": 3, "carry_forward.natural_person": 1, "carry_forward.total": 1}


def _last_year(year: int = 2023, table2: Optional[dict] = None, table3: Optional[dict] = None) -> Report:
    """Last year's report of the example agency (tests/minimal_report.py builds it). The
    minimal report has 行政规范性文件 issued 1, repealed 0, in force 5: last year's 4 agree."""
    return Report(title=f"示例区教育局{year}年政府信息公开工作年度报告", signature=f"示例区教育局\n{year + 1}年1月18日",
                  table2={"normative_documents.in_force": 4, **(table2 or {})}, table3=table3 or {})


# A clean-up of the documents, explained in the report, may reset the stock.
CLEAN_UP = re.compile(r"[^。；\n]*清理[^。；\n]*")
_DOCUMENTS = re.compile(r"规范性文件|规章|文件")


def _previous(doc: Doc) -> Optional[PreviousReport]:
    """Last year's report when the two can be compared (else None; the reason goes to warnings once)."""
    prev = doc.previous_report
    if prev is None:
        return None
    if prev.not_comparable:
        if prev.not_comparable not in doc.warnings:
            doc.warnings.append(prev.not_comparable)
        return None
    return prev


def _this_year_cell(doc: Doc, table: str, key: str) -> dict:
    c = doc.tables[table].cells[key]
    return {"key": key, "value": c.value, "raw": c.raw, "start": c.start, "end": c.end}


def _years(doc: Doc, prev: PreviousReport, this_cells: list[dict], prev_cells: list[dict]) -> dict:
    return {"this_year": {"year": doc.year, "cells": {c["key"]: c for c in this_cells}},
            "previous_year": {**prev.describe(), "cells": {c["key"]: c for c in prev_cells}}}


@rule("TABLE3.CARRY_OVER", category="table_identity", severity="warning", needs=("tables", "previous_report", PREVIOUS),
      message="表三“{column}”列“二、上年结转政府信息公开申请数量”为{this}，但上一年度报告（{previous}）的"
              "“四、结转下年度继续办理”为{last}，两者应相等（跨年度勾稽关系）。请核对本年或上年的数据。",
      examples=[flag(MINIMAL, quote="0", previous=_last_year(table3=_CARRIED_ONE)),
                clean(MINIMAL, previous=_last_year()),
                clean(MINIMAL, previous=_last_year(2022, table3=_CARRIED_ONE))])  # two years apart: not compared
def carry_over(doc: Doc, rule):
    """（需上年报告）表三每列：本年“二、上年结转” = 上一年度报告的“四、结转下年度继续办理”（跨年度勾稽）。"""
    prev = _previous(doc)
    t = doc.tables.get("table3")
    if prev is None or t is None:
        return
    for col in TABLE3_COLUMNS:
        key, prev_key = f"carried_over.{col}", f"carry_forward.{col}"
        last = prev.cell("table3", prev_key)
        if key not in t.cells or last is None or t.get(key) == last.value:
            continue
        c = t.cells[key]
        yield rule.finding(
            doc, c.start, c.end, column=TABLE3_COLUMN_NAMES[col], this=_fmt(c.value), last=_fmt(last.value),
            previous=prev.label(),
            evidence={"identity": "carried_over (this year) = carry_forward (last year)", "column": col,
                      **_years(doc, prev, [_this_year_cell(doc, "table3", key)],
                               [prev.cell_evidence("table3", prev_key)])})


def clean_up_explained(doc: Doc) -> Optional[str]:
    """The sentence in which the report explains a clean-up (清理) of its documents, if any."""
    for m in CLEAN_UP.finditer(doc.text):
        if _DOCUMENTS.search(m.group(0)):
            return m.group(0).strip()
    return None


@rule("TABLE2.IN_FORCE_STOCK", category="table_identity", severity="warning",
      needs=("tables", "previous_report", PREVIOUS),
      message="表二“{row}”现行有效件数为{this}，但按上一年度报告（{previous}）的现行有效{last}件 + 本年制发{issued}件"
              " − 本年废止{repealed}件应为{expected}件。如开展过文件清理，请在报告中说明。",
      examples=[flag(MINIMAL, quote="5", previous=_last_year(table2={"normative_documents.in_force": 3})),
                clean(MINIMAL, previous=_last_year()),
                clean(Report(preamble="本年度对本局制发的行政规范性文件进行了全面清理。"),
                      previous=_last_year(table2={"normative_documents.in_force": 3}))])
def in_force_stock(doc: Doc, rule):
    """（需上年报告）表二规章、行政规范性文件：上年现行有效件数 + 本年制发 − 本年废止 = 本年现行有效件数；报告说明了文件清理时不报。"""
    prev = _previous(doc)
    t = doc.tables.get("table2")
    if prev is None or t is None:
        return
    explained = None
    for spec in TABLE2_ROWS[:2]:  # 规章, 行政规范性文件
        keys = [f"{spec.key}.{c}" for c in ("issued", "repealed", "in_force")]
        last = prev.cell("table2", keys[2])
        if last is None or not all(k in t.cells for k in keys):
            continue
        issued, repealed, in_force = (t.get(k) for k in keys)
        expected = last.value + issued - repealed
        if expected == in_force:
            continue
        explained = explained or clean_up_explained(doc)
        if explained:
            continue
        c = t.cells[keys[2]]
        yield rule.finding(
            doc, c.start, c.end, row=spec.name, this=_fmt(in_force), last=_fmt(last.value), issued=_fmt(issued),
            repealed=_fmt(repealed), expected=_fmt(expected), previous=prev.label(),
            evidence={"identity": "in_force (last year) + issued - repealed = in_force (this year)", "row": spec.key,
                      "expected": expected,
                      **_years(doc, prev, [_this_year_cell(doc, "table2", k) for k in keys],
                               [prev.cell_evidence("table2", keys[2])])})
