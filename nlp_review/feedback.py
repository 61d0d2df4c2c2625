"""What a reviewer's decision on a finding keeps (the service stores it, `nlp-review
export-feedback` exports it, `nlp-review train --feedback` learns from it).

A feedback row outlives the draft (drafts are purged after the retention period), so it
copies what it is about: the finding as it was, the text around it (`context`, from
`context_start`), for findings about a whole section (missing elements, a generic
section) that section's text, and the reviewer's corrections of table cells with the
table's text, so the table reader can be measured on what it misread.
"""
from __future__ import annotations

import math
from typing import Optional

from .tables.schema import TABLE2_ROWS, TABLE3_ROWS, TABLE3_COLUMNS, TABLE4_KEYS

CONTEXT_CHARS = 60
# Findings about a section as a whole: their section's text is kept (bounded).
SECTION_RULE_PREFIXES = ("ELEMENT.", "BOILERPLATE.SECTION_GENERIC", "BOILERPLATE.PROBLEMS_UNCHANGED")
MAX_SECTION_CHARS = 20000
TABLE_SECTIONS = {"table2": 2, "table3": 3, "table4": 4}
TABLE_KEYS = {
    "table2": {f"{r.key}.{c}" for r in TABLE2_ROWS for c in r.columns},
    "table3": {f"{r.key}.{c}" for r in TABLE3_ROWS for c in TABLE3_COLUMNS},
    "table4": set(TABLE4_KEYS),
}


class FeedbackError(ValueError):
    """A correction that cannot be kept; the message is Chinese."""


def _section(result: dict, number: Optional[int]) -> Optional[dict]:
    for s in (result.get("report") or {}).get("sections") or []:
        if s.get("number") == number and s.get("found") and s.get("start") is not None and s.get("end") is not None:
            return s
    return None


def corrected_cells(result: dict, cells: dict) -> list[dict]:
    """The reviewer's corrections {"table3.new.total": 5} as records: the cell, the value the
    reader gave (None when it read none), the correct value and the table's section text."""
    text = result.get("text") or ""
    tables = (result.get("report") or {}).get("tables") or {}
    out = []
    for name, value in cells.items():
        table, _, key = str(name).partition(".")
        if key not in TABLE_KEYS.get(table, ()):
            raise FeedbackError(f"没有表格单元格“{name}”（应为 table2/table3/table4 加契约中的键，如 table3.new.total）。")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise FeedbackError(f"单元格“{name}”的更正值应为非负数。")
        sec = _section(result, TABLE_SECTIONS[table])
        out.append({"table": table, "key": key, "read": (tables.get(table) or {}).get(key), "value": value,
                    "section_text": text[sec["start"]:sec["end"]][:MAX_SECTION_CHARS] if sec else None,
                    "section_start": sec["start"] if sec else None})
    return out


def feedback_record(result: dict, finding: dict, cells: Optional[dict] = None) -> dict:
    """The finding as stored with a decision: the finding, its context and, when needed, its
    section's text and the corrected cells."""
    text = result.get("text") or ""
    start = max(0, int(finding["start"]) - CONTEXT_CHARS)
    record = {**finding, "context": text[start:int(finding["end"]) + CONTEXT_CHARS], "context_start": start}
    if str(finding.get("rule", "")).startswith(SECTION_RULE_PREFIXES):
        sec = _section(result, finding.get("section"))
        if sec is not None:
            record["section_text"] = text[sec["start"]:sec["end"]][:MAX_SECTION_CHARS]
            record["section_start"] = sec["start"]
    if cells:
        record["corrected_cells"] = corrected_cells(result, cells)
    return record
