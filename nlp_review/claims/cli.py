"""`nlp-review claims FILE`: the claims the narrative makes, with the table value each
maps to (JSON lines), for reviewing the extraction by eye."""
from __future__ import annotations

import json
import sys


def add_command(sub) -> None:
    p = sub.add_parser("claims", help="列出正文中陈述的统计数字（声明）及其对应的表格单元格和数值")
    p.add_argument("path", help="年度报告文件（txt/md/docx/pdf/html）")
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    from ..pipeline import read_path
    from .resolve import cell_value, quantity_name

    doc = read_path(args.path, until="claims")
    for c in doc.claims:
        got = cell_value(doc, c.key)
        row = {**c.to_json(), "quote": doc.text[c.start:c.end], "quantity": quantity_name(c.key),
               "table_value": None if got is None else got[0], "location": doc.source_map.locate(c.start)}
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0
