"""TABLE3.*: table three's identities per column and per row."""
from __future__ import annotations

from typing import Iterable

from ...doc import Doc, Table
from ...tables.schema import (TABLE3_APPLICANT_COLUMNS, TABLE3_COLUMN_NAMES, TABLE3_COLUMNS, TABLE3_OUTCOME_ROWS,
                              TABLE3_ROW_NAMES, TABLE3_ROWS)
from ..common import fmt_number as _fmt
from ..registry import MINIMAL, Report, clean, flag, rule


def span_of(table: Table, key: str) -> tuple[int, int]:
    c = table.cells[key]
    return c.start, c.end


def complete(doc: Doc, table: str, groups: Iterable[tuple[str, list[str]]]):
    """(table, label, keys) for each (label, keys) of `groups` whose cells were all read:
    an identity is checked only where every cell involved was read."""
    t = doc.tables.get(table)
    if t is not None:
        for label, keys in groups:
            if all(k in t.cells for k in keys):
                yield t, label, keys


@rule("TABLE3.BALANCE", category="table_identity", severity="error", needs=("tables",),
      message="表三“{column}”列不平衡：本年新收（{new}）+上年结转（{carried}）={left}，"
              "而办理结果总计（{total}）+结转下年度（{forward}）={right}。",
      examples=[flag(Report(table3={"carry_forward.natural_person": 1, "carry_forward.total": 1})), clean(MINIMAL)])
def balance(doc: Doc, rule):
    """表三每列：一、本年新收 + 二、上年结转 = 三、（七）总计 + 四、结转下年度（表格注明的勾稽关系）。"""
    columns = ((c, [f"new.{c}", f"carried_over.{c}", f"total.{c}", f"carry_forward.{c}"]) for c in TABLE3_COLUMNS)
    for t, col, keys in complete(doc, "table3", columns):
        v = t.get
        left, right = v(keys[0]) + v(keys[1]), v(keys[2]) + v(keys[3])
        if left != right:
            yield rule.finding(
                doc, *span_of(t, keys[2]), column=TABLE3_COLUMN_NAMES[col], new=_fmt(v(keys[0])),
                carried=_fmt(v(keys[1])), left=_fmt(left), total=_fmt(v(keys[2])), forward=_fmt(v(keys[3])),
                right=_fmt(right),
                evidence={"identity": "new + carried_over = total + carry_forward", "column": col,
                          "left": {"value": left, "cells": {k: v(k) for k in keys[:2]}},
                          "right": {"value": right, "cells": {k: v(k) for k in keys[2:]}}})


@rule("TABLE3.OUTCOME_SUM", category="table_identity", severity="error", needs=("tables",),
      message="表三“{column}”列“（七）总计”为{total}，但（一）至（六）各项办理结果之和为{parts}。",
      examples=[flag(Report(table3={"granted.natural_person": 2, "granted.total": 2,
                                    "new.natural_person": 3, "new.total": 3})), clean(MINIMAL)])
def outcome_sum(doc: Doc, rule):
    """表三每列：（七）总计 = （一）至（六）共 21 项办理结果之和。"""
    columns = ((c, [f"{r}.{c}" for r in TABLE3_OUTCOME_ROWS] + [f"total.{c}"]) for c in TABLE3_COLUMNS)
    for t, col, keys in complete(doc, "table3", columns):
        v = t.get
        parts, total = sum(v(k) for k in keys[:-1]), v(keys[-1])
        if parts != total:
            yield rule.finding(
                doc, *span_of(t, keys[-1]), column=TABLE3_COLUMN_NAMES[col], total=_fmt(total), parts=_fmt(parts),
                evidence={"identity": "total = sum of the 21 outcome rows", "column": col,
                          "left": {"value": total, "cells": {keys[-1]: total}},
                          "right": {"value": parts, "cells": {k: v(k) for k in keys[:-1] if v(k)}}})


@rule("TABLE3.ROW_SUM", category="table_identity", severity="error", needs=("tables",),
      message="表三“{row}”行的“总计”为{total}，但自然人与各类法人或其他组织之和为{parts}。",
      examples=[flag(Report(table3={"new.commercial": 1, "granted.commercial": 1, "total.commercial": 1,
                                    "total.total": 3, "granted.total": 2, "carry_forward.total": 0})),
                clean(MINIMAL)])
def row_sum(doc: Doc, rule):
    """表三每行：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他。"""
    rows = ((r.key, [f"{r.key}.{c}" for c in TABLE3_APPLICANT_COLUMNS] + [f"{r.key}.total"]) for r in TABLE3_ROWS)
    for t, row, keys in complete(doc, "table3", rows):
        v = t.get
        parts, tkey = sum(v(k) for k in keys[:-1]), keys[-1]
        if parts != v(tkey):
            yield rule.finding(
                doc, *span_of(t, tkey), row=TABLE3_ROW_NAMES[row], total=_fmt(v(tkey)), parts=_fmt(parts),
                evidence={"identity": "total column = sum of the six applicant columns", "row": row,
                          "left": {"value": v(tkey), "cells": {tkey: v(tkey)}},
                          "right": {"value": parts, "cells": {k: v(k) for k in keys[:-1]}}})
