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

from .options import severity_kept
from .tables.schema import TABLE2_ROWS, TABLE3_ROWS, TABLE3_COLUMNS, TABLE4_KEYS

CONTEXT_CHARS = 60
# Findings about a section as a whole: their section's text is kept (bounded). SECTION_GENERIC
# is the id GENERIC_SENTENCE had before it grouped a section's sentences (decisions stored then).
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


def grouped_sentences(finding: dict) -> list[dict]:
    """The sentences a grouped finding lists (BOILERPLATE.GENERIC_SENTENCE: one finding per
    section), each with its own offsets and quote; [] for an ordinary finding."""
    return list((finding.get("evidence") or {}).get("sentences") or [])


def sentence_finding(finding: dict, index: int) -> dict:
    """One listed sentence of a grouped finding as a finding of its own (id "f-0003.2"): what
    a reviewer's decision on that sentence alone is about."""
    sentences = grouped_sentences(finding)
    if not 0 <= index < len(sentences):
        raise FeedbackError(f"该问题没有第{index + 1}句（共{len(sentences)}句）。")
    s = sentences[index]
    return {**finding, "id": f"{finding['id']}.{index}", "start": s["start"], "end": s["end"], "quote": s["quote"],
            "evidence": {k: v for k, v in s.items() if k not in ("start", "end", "quote")},
            "group": finding["id"]}


def _context(text: str, start: int, end: int) -> dict:
    c0 = max(0, int(start) - CONTEXT_CHARS)
    return {"context": text[c0:int(end) + CONTEXT_CHARS], "context_start": c0}


CELLS_RULE = "TABLE.CELLS_CORRECTED"  # not a rule: the record of a review's corrected cells


def cells_record(result: dict, cells: dict) -> dict:
    """A review's corrected table cells as a feedback record of their own (id "cells"),
    exported with the feedback as training data for the table reader."""
    corrected = corrected_cells(result, cells)
    tables = (result.get("report") or {}).get("tables") or {}
    start = min((s["section_start"] for s in corrected if s["section_start"] is not None), default=0)
    return {"id": "cells", "rule": CELLS_RULE, "category": "table_identity", "severity": "info", "section": None,
            "start": start, "end": start, "quote": "", "message": "审查人员更正了表格单元格。", "context": "",
            "context_start": start, "corrected_cells": corrected,
            "tables_read": {c["table"]: tables.get(c["table"]) for c in corrected}}


def renumber_like(result: dict, old: dict) -> None:
    """After a re-run, a finding that was there before keeps its id (same rule and span), so
    the reviewer's decisions stay on it; new findings get numbers after the old ones."""
    ids = {(f["rule"], f["start"], f["end"]): f["id"] for f in old.get("findings") or []}
    used = set(ids.values())
    n = max((int(i[2:]) for i in used if i[2:].isdigit()), default=0)
    for f in result.get("findings") or []:
        same = ids.get((f["rule"], f["start"], f["end"]))
        if same is not None:
            f["id"] = same
        else:
            n += 1
            f["id"] = f"f-{n:04d}"


def feedback_record(result: dict, finding: dict, cells: Optional[dict] = None) -> dict:
    """The finding as stored with a decision: the finding, its context (for a grouped finding,
    each listed sentence's too) and, when needed, its section's text and the corrected cells."""
    text = result.get("text") or ""
    record = {**finding, **_context(text, finding["start"], finding["end"])}
    if grouped_sentences(finding):
        record["evidence"] = {**finding["evidence"], "sentences": [
            {**s, **_context(text, s["start"], s["end"])} for s in grouped_sentences(finding)]}
    if str(finding.get("rule", "")).startswith(SECTION_RULE_PREFIXES):
        sec = _section(result, finding.get("section"))
        if sec is not None:
            record["section_text"] = text[sec["start"]:sec["end"]][:MAX_SECTION_CHARS]
            record["section_start"] = sec["start"]
    if cells:
        record["corrected_cells"] = corrected_cells(result, cells)
    return record


# ---- decisions in the outputs ------------------------------------------------------------------
DECISION_NAMES = {"accepted": "已采纳", "dismissed": "不采纳"}


def reviewed_findings(findings: list[dict], feedback: dict[str, dict], min_severity: Optional[str] = None) -> list[dict]:
    """The findings as the reviewer left them, for the annotated .docx, the printable report
    and the export: dismissed ones left out, the reviewer's decision and note carried
    (`review`: {"decision", "note"}), only `min_severity` and above. A grouped finding loses
    the sentences dismissed one by one ("f-0003.2") and moves to its first kept sentence."""
    out = []
    for f in findings:
        fb = feedback.get(f["id"]) or {}
        if fb.get("decision") == "dismissed" or not severity_kept(f["severity"], min_severity):
            continue
        sentences = grouped_sentences(f)
        if sentences:
            kept = [s for i, s in enumerate(sentences)
                    if (feedback.get(f"{f['id']}.{i}") or {}).get("decision") != "dismissed"]
            if not kept:
                continue
            if len(kept) < len(sentences):
                f = {**f, "start": kept[0]["start"], "end": kept[0]["end"], "quote": kept[0]["quote"],
                     "evidence": {**f["evidence"], "sentences": kept}}
        if fb.get("decision") or fb.get("note"):
            f = {**f, "review": {"decision": fb.get("decision"), "note": fb.get("note")}}
        out.append(f)
    return out


def reviewed_result(result: dict, feedback: dict[str, dict], min_severity: Optional[str] = None) -> dict:
    """The contract result with `reviewed_findings` (the export of a reviewed draft)."""
    findings = result.get("findings") or []
    kept = reviewed_findings(findings, feedback, min_severity)
    return {**result, "findings": kept,
            "reviewer": {"dismissed": sum((feedback.get(f["id"]) or {}).get("decision") == "dismissed" for f in findings),
                         "min_severity": min_severity, "left_out": len(findings) - len(kept)}}
