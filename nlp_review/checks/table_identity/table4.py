"""TABLE4.BLOCK_SUM: table four's blocks."""
from __future__ import annotations

from ...doc import Doc
from ...tables.schema import TABLE4_BLOCK_NAMES, TABLE4_BLOCKS, TABLE4_COLUMNS
from ..common import fmt_number as _fmt
from ..registry import Report, clean, flag, rule
from .table3 import complete, span_of


@rule("TABLE4.BLOCK_SUM", category="table_identity", severity="error", needs=("tables",),
      message="表四“{block}”的总计为{total}，但结果维持、结果纠正、其他结果、尚未审结之和为{parts}。",
      examples=[flag(Report(table4={"review.upheld": 1, "review.total": 2})),
                clean(Report(table4={"review.upheld": 1, "review.pending": 1, "review.total": 2}))])
def block_sum(doc: Doc, rule):
    """表四每一栏：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。"""
    blocks = ((b, [f"{b}.{c}" for c in TABLE4_COLUMNS[:-1]] + [f"{b}.total"]) for b in TABLE4_BLOCKS)
    for t, block, keys in complete(doc, "table4", blocks):
        parts, tkey = sum(t.get(k) for k in keys[:-1]), keys[-1]
        if parts != t.get(tkey):
            yield rule.finding(
                doc, *span_of(t, tkey), block=TABLE4_BLOCK_NAMES[block], total=_fmt(t.get(tkey)), parts=_fmt(parts),
                evidence={"identity": "total = upheld + corrected + other + pending", "block": block,
                          "left": {"value": t.get(tkey), "cells": {tkey: t.get(tkey)}},
                          "right": {"value": parts, "cells": {k: t.get(k) for k in keys[:-1]}}})
