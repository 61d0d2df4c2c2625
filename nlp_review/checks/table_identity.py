"""TABLE.*: the tables' own arithmetic (勾稽关系, rubric §1.4 I-1…I-4, I-7) and what the
parser could not read. Identities are checked only where every cell involved was read;
each finding carries the identity and both sides' values in `evidence`."""
from __future__ import annotations

from ..doc import Doc, Finding, Table
from ..tables.schema import (TABLE2_COUNT_KEYS, TABLE3_APPLICANT_COLUMNS, TABLE3_COLUMN_NAMES, TABLE3_COLUMNS,
                             TABLE3_OUTCOME_ROWS, TABLE3_ROW_NAMES, TABLE3_ROWS, TABLE4_BLOCK_NAMES, TABLE4_BLOCKS,
                             TABLE4_COLUMNS, cell_name)
from .catalogue import Example, Rule, finding, register
from .examples import default_table2, minimal_report, render_table2

T3_BALANCE = register(Rule(
    "TABLE3.BALANCE", "table_identity", "error",
    "表三“{column}”列不平衡：本年新收（{new}）+上年结转（{carried}）={left}，而办理结果总计（{total}）+结转下年度（{forward}）={right}。",
    "Table 3, per column: 一 新收 + 二 上年结转 = （七）总计 + 四 结转下年度 (the identity stated in the table's caption).",
    [Example(minimal_report(table3={"carry_forward.natural_person": 1, "carry_forward.total": 1}), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
T3_OUTCOME_SUM = register(Rule(
    "TABLE3.OUTCOME_SUM", "table_identity", "error",
    "表三“{column}”列“（七）总计”为{total}，但（一）至（六）各项办理结果之和为{parts}。",
    "Table 3, per column: （七）总计 equals the sum of the 21 outcome rows （一）…（六）.",
    [Example(minimal_report(table3={"granted.natural_person": 2, "granted.total": 2,
                                    "new.natural_person": 3, "new.total": 3}), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
T3_ROW_SUM = register(Rule(
    "TABLE3.ROW_SUM", "table_identity", "error",
    "表三“{row}”行的“总计”为{total}，但自然人与各类法人或其他组织之和为{parts}。",
    "Table 3, per row: the 总计 column equals the sum of the six applicant columns.",
    [Example(minimal_report(table3={"new.commercial": 1, "granted.commercial": 1, "total.commercial": 1,
                                    "total.total": 3, "granted.total": 2, "carry_forward.total": 0}),
             True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
T4_BLOCK_SUM = register(Rule(
    "TABLE4.BLOCK_SUM", "table_identity", "error",
    "表四“{block}”的总计为{total}，但结果维持、结果纠正、其他结果、尚未审结之和为{parts}。",
    "Table 4, per block: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.",
    [Example(minimal_report(table4={"review.upheld": 1, "review.total": 2}), True, whole=True),
     Example(minimal_report(table4={"review.upheld": 1, "review.pending": 1, "review.total": 2}), False,
             whole=True)],
))
NEGATIVE = register(Rule(
    "TABLE.NEGATIVE", "table_identity", "error",
    "{cell}为负数（{value}），件数和金额不能为负。",
    "Counts and amounts in tables 2–4 are never negative.",
    [Example(minimal_report(table2={"licensing.decisions": -3}), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
FRACTIONAL = register(Rule(
    "TABLE.FRACTIONAL", "table_identity", "error",
    "{cell}为小数（{value}），件数应为整数。",
    "Counts (every cell except the fee amount in 万元) are whole numbers.",
    [Example(minimal_report(table4={"review.upheld": 0.5, "review.total": 0.5}), True, whole=True),
     Example(minimal_report(table2={"fees.amount_wan": 0.5}), False, whole=True)],
))
ROW_UNREADABLE = register(Rule(
    "FORMAT.TABLE_ROW_UNREADABLE", "format", "warning",
    "{table_name}“{row_name}”应有{expected}个数值，实际读到{found}个，无法确定各数值所在的列，该行数据未采用。",
    "A table row whose numbers cannot be placed in columns (cells missing or merged); its cells are left absent.",
    [Example(minimal_report(table2={"regulations.repealed": ""}), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
TABLE_MISSING = register(Rule(
    "STRUCTURE.TABLE_MISSING", "structure", "error",
    "第{number}部分“{heading}”中未找到{table_name}的数据，请填写统计表。",
    "Sections two, three and four exist but their statutory table could not be found or read at all.",
    [Example(minimal_report().replace(render_table2(default_table2()), "见附件。"), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
OBSOLETE = register(Rule(
    "FORMAT.OBSOLETE_TABLE", "format", "warning",
    "{table_name}使用了已废止的2019年试行格式（“{quote}”）。2021年起应使用国办公开办函〔2021〕30号规定的表格。",
    "A table uses labels of the 2019 trial format (国办公开办函〔2019〕60号) instead of the 2021 format.",
    [Example(minimal_report().replace("第二十条第（八）项", "第二十条第（九）项\n信息内容\t采购项目数量\t采购总金额\n政府集中采购\t0\t0\n第二十条第（八）项"),
             True, whole=True, quote="政府集中采购"),
     Example(minimal_report(), False, whole=True)],
))
SCI_NOTATION = register(Rule(
    "FORMAT.SCI_NOTATION", "format", "error",
    "{cell}写成了科学计数法“{quote}”（即{value}），应填写普通数字；请同时核对数值和单位是否正确。",
    "A table number written in scientific notation (a spreadsheet export slip), e.g. 1.0074845E7.",
    [Example(minimal_report(table2={"fees.amount_wan": "1.0074845E7"}), True, whole=True, quote="1.0074845E7"),
     Example(minimal_report(table2={"fees.amount_wan": 1.5}), False, whole=True)],
))

TABLE_NAMES = {"table2": "表二（主动公开政府信息情况）", "table3": "表三（收到和处理政府信息公开申请情况）",
               "table4": "表四（政府信息公开行政复议、行政诉讼情况）"}


def _fmt(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v:g}" if isinstance(v, float) else str(v)


def _span_of(table: Table, key: str) -> tuple[int, int]:
    c = table.cells[key]
    return c.start, c.end


def _all(table: Table, keys) -> bool:
    return all(k in table.cells for k in keys)


def check_table3(doc: Doc) -> list[Finding]:
    t = doc.tables.get("table3")
    if t is None:
        return []
    out = []
    v = t.get
    for col in TABLE3_COLUMNS:
        keys = [f"new.{col}", f"carried_over.{col}", f"total.{col}", f"carry_forward.{col}"]
        if _all(t, keys):
            left = v(keys[0]) + v(keys[1])
            right = v(keys[2]) + v(keys[3])
            if left != right:
                a, b = _span_of(t, keys[2])
                out.append(finding(
                    doc, T3_BALANCE.id, a, b, column=TABLE3_COLUMN_NAMES[col], new=_fmt(v(keys[0])),
                    carried=_fmt(v(keys[1])), left=_fmt(left), total=_fmt(v(keys[2])), forward=_fmt(v(keys[3])),
                    right=_fmt(right),
                    evidence={"identity": "new + carried_over = total + carry_forward", "column": col,
                              "left": {"value": left, "cells": {k: v(k) for k in keys[:2]}},
                              "right": {"value": right, "cells": {k: v(k) for k in keys[2:]}}}))
        parts_keys = [f"{r}.{col}" for r in TABLE3_OUTCOME_ROWS]
        if _all(t, parts_keys + [f"total.{col}"]):
            parts = sum(v(k) for k in parts_keys)
            total = v(f"total.{col}")
            if parts != total:
                a, b = _span_of(t, f"total.{col}")
                out.append(finding(
                    doc, T3_OUTCOME_SUM.id, a, b, column=TABLE3_COLUMN_NAMES[col], total=_fmt(total),
                    parts=_fmt(parts),
                    evidence={"identity": "total = sum of the 21 outcome rows", "column": col,
                              "left": {"value": total, "cells": {f"total.{col}": total}},
                              "right": {"value": parts, "cells": {k: v(k) for k in parts_keys if v(k)}}}))
    for row in TABLE3_ROWS:
        keys = [f"{row.key}.{c}" for c in TABLE3_APPLICANT_COLUMNS]
        tkey = f"{row.key}.total"
        if _all(t, keys + [tkey]):
            parts = sum(v(k) for k in keys)
            if parts != v(tkey):
                a, b = _span_of(t, tkey)
                out.append(finding(
                    doc, T3_ROW_SUM.id, a, b, row=TABLE3_ROW_NAMES[row.key], total=_fmt(v(tkey)), parts=_fmt(parts),
                    evidence={"identity": "total column = sum of the six applicant columns", "row": row.key,
                              "left": {"value": v(tkey), "cells": {tkey: v(tkey)}},
                              "right": {"value": parts, "cells": {k: v(k) for k in keys}}}))
    return out


def check_table4(doc: Doc) -> list[Finding]:
    t = doc.tables.get("table4")
    if t is None:
        return []
    out = []
    for block in TABLE4_BLOCKS:
        keys = [f"{block}.{c}" for c in TABLE4_COLUMNS[:-1]]
        tkey = f"{block}.total"
        if _all(t, keys + [tkey]):
            parts = sum(t.get(k) for k in keys)
            if parts != t.get(tkey):
                a, b = _span_of(t, tkey)
                out.append(finding(
                    doc, T4_BLOCK_SUM.id, a, b, block=TABLE4_BLOCK_NAMES[block], total=_fmt(t.get(tkey)),
                    parts=_fmt(parts),
                    evidence={"identity": "total = upheld + corrected + other + pending", "block": block,
                              "left": {"value": t.get(tkey), "cells": {tkey: t.get(tkey)}},
                              "right": {"value": parts, "cells": {k: t.get(k) for k in keys}}}))
    return out


def check_values(doc: Doc) -> list[Finding]:
    out = []
    for name, t in doc.tables.items():
        for key, c in t.cells.items():
            integer_cell = not key.endswith("amount_wan")
            if c.value < 0:
                out.append(finding(doc, NEGATIVE.id, c.start, c.end, cell=cell_name(name, key), value=_fmt(c.value),
                                   evidence={"table": name, "key": key, "value": c.value}))
            elif integer_cell and not float(c.value).is_integer():
                out.append(finding(doc, FRACTIONAL.id, c.start, c.end, cell=cell_name(name, key), value=_fmt(c.value),
                                   evidence={"table": name, "key": key, "value": c.value}))
    for name, key, tok in doc.sci_cells:
        out.append(finding(doc, SCI_NOTATION.id, tok.start, tok.end, cell=cell_name(name, key),
                           value=_fmt(tok.value), suggestions=[_fmt(tok.value)],
                           evidence={"table": name, "key": key, "raw": tok.text, "value": tok.value}))
    return out


def check_parse_issues(doc: Doc) -> list[Finding]:
    out = []
    seen_obsolete = set()
    for issue in doc.table_issues:
        if issue.kind == "row_unreadable":
            out.append(finding(doc, ROW_UNREADABLE.id, issue.start, issue.end,
                               table_name=TABLE_NAMES[issue.table], **{k: issue.detail[k] for k in
                                                                       ("row_name", "expected", "found")},
                               evidence={"table": issue.table, **issue.detail}))
        elif issue.kind == "obsolete" and issue.table not in seen_obsolete:
            seen_obsolete.add(issue.table)
            # mark the obsolete label itself, not the whole joined label
            label = issue.detail["label"]
            from ..tables.schema import OBSOLETE_TABLE2, OBSOLETE_TABLE3_OTHER
            pat = OBSOLETE_TABLE2 if issue.table == "table2" else OBSOLETE_TABLE3_OTHER
            m = pat.search(doc.text, issue.start, issue.end)
            a, b = (m.start(), m.end()) if m else (issue.start, issue.end)
            out.append(finding(doc, OBSOLETE.id, a, b, table_name=TABLE_NAMES[issue.table],
                               evidence={"table": issue.table, "label": label}))
    for number, name in ((2, "table2"), (3, "table3"), (4, "table4")):
        s = doc.section(number)
        if s is not None and name not in doc.tables:
            b = s.heading_end if s.heading_end and s.heading_end > s.start else min(s.end, s.start + 20)
            out.append(finding(doc, TABLE_MISSING.id, s.start, b, number=number, heading=s.heading or "",
                               table_name=TABLE_NAMES[name], evidence={"table": name}))
    return out


CHECKS = [check_table3, check_table4, check_values, check_parse_issues]
__all__ = ["CHECKS", "TABLE2_COUNT_KEYS"]
