"""STRUCTURE.TABLE_MISSING: sections two to four without their statutory table."""
from __future__ import annotations

from ...doc import Doc
from ..common import TABLE_NAMES
from ..registry import MINIMAL, Report, clean, flag, rule


@rule("STRUCTURE.TABLE_MISSING", category="structure", severity="error", needs=("sections", "tables"),
      message="第{number}部分“{heading}”中未找到{table_name}的数据，请填写统计表。",
      examples=[flag(Report(bodies={2: "见附件。"})), clean(MINIMAL)])
def table_missing(doc: Doc, rule):
    """第二、三、四部分存在，但其中的法定统计表完全缺失或无法读取。"""
    for number, name in ((2, "table2"), (3, "table3"), (4, "table4")):
        s = doc.section(number)
        if s is not None and name not in doc.tables:
            b = s.heading_end if s.heading_end and s.heading_end > s.start else min(s.end, s.start + 20)
            yield rule.finding(doc, s.start, b, number=number, heading=s.heading or "",
                               table_name=TABLE_NAMES[name], evidence={"table": name})
