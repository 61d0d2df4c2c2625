"""TABLE.NEGATIVE, TABLE.FRACTIONAL: every cell is a non-negative (whole) number."""
from __future__ import annotations

from ...doc import Doc
from ...tables.schema import cell_name
from ..common import fmt_number as _fmt
from ..registry import MINIMAL, Report, clean, flag, rule


@rule("TABLE.NEGATIVE", category="table_identity", severity="error", needs=("tables",),
      message="{cell}为负数（{value}），件数和金额不能为负。",
      examples=[flag(Report(table2={"licensing.decisions": -3})), clean(MINIMAL)])
def negative(doc: Doc, rule):
    """表二至表四中的件数和金额不能为负数。"""
    for name, t in doc.tables.items():
        for key, c in t.cells.items():
            if c.value < 0:
                yield rule.finding(doc, c.start, c.end, cell=cell_name(name, key), value=_fmt(c.value),
                                   evidence={"table": name, "key": key, "value": c.value})


@rule("TABLE.FRACTIONAL", category="table_identity", severity="error", needs=("tables",),
      message="{cell}为小数（{value}），件数应为整数。",
      examples=[flag(Report(table4={"review.upheld": 0.5, "review.total": 0.5})),
                clean(Report(table2={"fees.amount_wan": 0.5}))])
def fractional(doc: Doc, rule):
    """件数（除以万元计的收费金额外的所有单元格）应为整数。"""
    for name, t in doc.tables.items():
        for key, c in t.cells.items():
            if c.value >= 0 and not key.endswith("amount_wan") and not float(c.value).is_integer():
                yield rule.finding(doc, c.start, c.end, cell=cell_name(name, key), value=_fmt(c.value),
                                   evidence={"table": name, "key": key, "value": c.value})
