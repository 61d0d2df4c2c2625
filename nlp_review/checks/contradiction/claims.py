"""CLAIM.*: the narrative against the statutory tables (rubric C1–C5, C8). Each claim of
`doc.claims` (nlp_review/claims) is compared with the cell, or sum of cells, its wording
maps to. Only confident mappings are reported; `confidence` is the mapping's, and the
evidence carries the claim, the cell key(s) and both values."""
from __future__ import annotations

from ...claims.resolve import cell_value, quantity_name
from ...doc import Doc
from ..common import fmt_number as _fmt
from ..registry import Report, clean, flag, rule

REPORT_MIN = 0.7  # mappings less certain than this are ambiguous: never reported
KIND_NAMES = {"approx": "约", "lower_bound": "超过", "upper_bound": "不足"}


def _incompatible(kind: str, claimed: float, actual: float) -> bool:
    if kind in ("exact", "zero"):
        return actual != claimed
    if kind == "lower_bound":
        return actual < claimed  # “超过N”: the table below N is clearly incompatible
    if kind == "upper_bound":
        return actual > claimed
    # approx (“N余”, “近N”, “约N”): far outside
    return actual < claimed * 0.75 or actual > claimed * 1.5 + 1


def _evidence(doc: Doc, c, actual, cells, first) -> dict:
    return {"claim": {"text": doc.text[c.sentence[0]:c.sentence[1]], "quote": doc.text[c.start:c.end],
                      "value": c.value, "kind": c.kind, "key": c.key, "subject": c.subject},
            "cell": {"key": c.key, "table": first[0], "cells": cells, "value": actual,
                     "name": quantity_name(c.key)},
            "claim_value": c.value, "table_value": actual, "mapping_confidence": round(c.confidence, 3)}


def _mismatches(doc: Doc, rule, exact: bool):
    """Findings for the claims (exact and zero ones, or the approximate and bounded ones)
    that the table contradicts under every reading of their wording."""
    for c in doc.claims:
        if c.confidence < REPORT_MIN or (c.kind in ("exact", "zero")) != exact:
            continue
        got = cell_value(doc, c.key)
        if got is None:
            continue
        actual, cells, first = got
        if not _incompatible(c.kind, c.value, actual):
            continue
        if any((alt := cell_value(doc, k)) is not None and not _incompatible(c.kind, c.value, alt[0])
               for k in c.alternatives):
            continue  # the wording also fits another reading that agrees (受理 = 新收 + 上年结转)
        yield rule.finding(
            doc, c.start, c.end, subject=c.subject or quantity_name(c.key), claim_value=_fmt(c.value),
            cell=quantity_name(c.key), table_value=_fmt(actual), kind_name=KIND_NAMES.get(c.kind, ""),
            confidence=c.confidence * (0.9 if c.alternatives else 1.0),
            suggestions=[_fmt(actual)] if c.kind == "exact" and c.end - c.start < 12 else [],
            evidence=_evidence(doc, c, actual, cells, first))


@rule("CLAIM.TABLE_MISMATCH", category="contradiction", severity="error", needs=("claims", "tables"),
      message="正文称{subject}为{claim_value}（“{quote}”），但{cell}为{table_value}，正文与统计表不一致。",
      examples=[flag("全年收到政府信息公开申请3件，均已按时答复。", quote="3件"),
                clean("本年度共收到政府信息公开申请2件，其中予以公开1件，本机关不掌握相关政府信息1件。"),
                flag(Report(edits={1: (("全年收到政府信息公开申请2件", "全年未收到政府信息公开申请"),)}),
                     quote="未收到政府信息公开申请"),
                clean("本年度无因政府信息公开引起的行政复议、行政诉讼案件。"),
                flag("因政府信息公开引起行政复议1件，结果维持。", quote="1件"),
                clean("保留以市政府名义印发的行政规范性文件3件。")])
def table_mismatch(doc: Doc, rule):
    """正文（前言、第一、五、六部分及第二至四部分的文字）所述确数或零与其措辞对应的表格单元格不一致；只报告把握度 ≥ 0.7 的对应（见置信度），“受理”数等于新收＋上年结转时不报。"""
    yield from _mismatches(doc, rule, exact=True)


@rule("CLAIM.APPROX_MISMATCH", category="contradiction", severity="warning", needs=("claims", "tables"),
      message="正文称{subject}“{quote}”（{kind_name}{claim_value}），而{cell}为{table_value}，两者明显不符。",
      examples=[flag("全年收到政府信息公开申请超过10件。", quote="超过10件"), clean("全年收到政府信息公开申请近2件。")])
def approx_mismatch(doc: Doc, rule):
    """正文中的约数或界限（“超过”“余”“近”）与表格数值明显不符。"""
    yield from _mismatches(doc, rule, exact=False)


@rule("CLAIM.REPEATED_MISMATCH", category="contradiction", severity="warning", needs=("claims",),
      message="同一数量在正文中前后说法不一致：此处{subject}为{claim_value}，而前文“{other_quote}”为{other_value}。",
      examples=[flag("全年收到政府信息公开申请2件。本年度共收到政府信息公开申请4件。", quote="4件"),
                clean("全年收到政府信息公开申请2件。本年度共收到政府信息公开申请2件。")])
def repeated_mismatch(doc: Doc, rule):
    """正文两次陈述同一表格数量，数值却不同（审查要点 C8）。"""
    seen = {}
    for c in doc.claims:
        if c.kind not in ("exact", "zero") or c.confidence < 0.85 or c.alternatives:
            continue
        prev = seen.get(c.key)
        if prev is None:
            seen[c.key] = c
            continue
        if prev.value != c.value and c.sentence != prev.sentence:
            yield rule.finding(
                doc, c.start, c.end, subject=c.subject or quantity_name(c.key), claim_value=_fmt(c.value),
                other_quote=doc.text[prev.start:prev.end], other_value=_fmt(prev.value),
                confidence=min(c.confidence, prev.confidence),
                evidence={"key": c.key, "first": {"quote": doc.text[prev.start:prev.end], "value": prev.value,
                                                  "start": prev.start, "end": prev.end},
                          "second": {"quote": doc.text[c.start:c.end], "value": c.value}})
