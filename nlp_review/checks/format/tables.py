"""FORMAT.* of the tables: the obsolete 2019 format, scientific notation, rows that cannot
be read."""
from __future__ import annotations

from ...doc import Doc
from ...tables.schema import OBSOLETE_TABLE2, OBSOLETE_TABLE3_OTHER, cell_name
from ..common import TABLE_NAMES
from ..common import fmt_number as _fmt
from ..registry import MINIMAL, Report, clean, flag, rule

_OBSOLETE_ROWS = "第二十条第（九）项\n信息内容\t采购项目数量\t采购总金额\n政府集中采购\t0\t0\n第二十条第（八）项"


@rule("FORMAT.OBSOLETE_TABLE", category="format", severity="warning", needs=("table_issues",),
      message="{table_name}使用了已废止的2019年试行格式（“{quote}”）。2021年起应使用国办公开办函〔2021〕30号规定的表格。",
      examples=[flag(Report(edits={2: (("第二十条第（八）项", _OBSOLETE_ROWS),)}), quote="政府集中采购"),
                clean(MINIMAL)])
def obsolete_table(doc: Doc, rule):
    """表格使用了 2019 年试行格式（国办公开办函〔2019〕60号）的栏目，而非 2021 年格式。"""
    seen = set()
    for issue in doc.table_issues:
        if issue.kind != "obsolete" or issue.table in seen:
            continue
        seen.add(issue.table)
        # mark the obsolete label itself, not the whole joined label
        pat = OBSOLETE_TABLE2 if issue.table == "table2" else OBSOLETE_TABLE3_OTHER
        m = pat.search(doc.text, issue.start, issue.end)
        a, b = (m.start(), m.end()) if m else (issue.start, issue.end)
        yield rule.finding(doc, a, b, table_name=TABLE_NAMES[issue.table],
                           evidence={"table": issue.table, "label": issue.detail["label"]})


@rule("FORMAT.SCI_NOTATION", category="format", severity="error", needs=("sci_cells",),
      message="{cell}写成了科学计数法“{quote}”（即{value}），应填写普通数字；请同时核对数值和单位是否正确。",
      examples=[flag(Report(table2={"fees.amount_wan": "1.0074845E7"}), quote="1.0074845E7"),
                clean(Report(table2={"fees.amount_wan": 1.5}))])
def sci_notation(doc: Doc, rule):
    """表格数字写成了科学计数法（电子表格导出时的疏漏），如 1.0074845E7。"""
    for name, key, tok in doc.sci_cells:
        yield rule.finding(doc, tok.start, tok.end, cell=cell_name(name, key), value=_fmt(tok.value),
                           suggestions=[_fmt(tok.value)],
                           evidence={"table": name, "key": key, "raw": tok.text, "value": tok.value})


@rule("FORMAT.TABLE_ROW_UNREADABLE", category="format", severity="warning", needs=("table_issues",),
      message="{table_name}“{row_name}”应有{expected}个数值，实际读到{found}个，无法确定各数值所在的列，该行数据未采用。",
      examples=[flag(Report(table2={"regulations.repealed": ""})), clean(MINIMAL)])
def table_row_unreadable(doc: Doc, rule):
    """表格某行的数字无法对应到各列（单元格缺失或合并），该行各单元格按缺失处理。"""
    for issue in doc.table_issues:
        if issue.kind == "row_unreadable":
            yield rule.finding(doc, issue.start, issue.end, table_name=TABLE_NAMES[issue.table],
                               **{k: issue.detail[k] for k in ("row_name", "expected", "found")},
                               evidence={"table": issue.table, **issue.detail})
