"""Tables two, three and four as the reviewer knows them (rows and columns of the 2021
format, Chinese labels), with the cells that a table-identity finding compares marked:
the printable report draws them as HTML tables and the reviewer page as editable grids
(`GET /v1/reviews/{id}` carries them as `table_grids`)."""
from __future__ import annotations

import html as _html

from ..tables.schema import (TABLE2_ROWS, TABLE3_COLUMN_NAMES, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_BLOCK_NAMES,
                             TABLE4_BLOCKS, TABLE4_COLUMN_NAMES, TABLE4_COLUMNS)

TABLE_TITLES = {"table2": "表二 主动公开政府信息情况", "table3": "表三 收到和处理政府信息公开申请情况",
                "table4": "表四 政府信息公开行政复议、行政诉讼情况"}
TABLE2_COLUMN_NAMES = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
                       "decisions": "本年处理决定数量", "amount_wan": "本年收费金额（万元）"}


def identity_cells(findings: list[dict]) -> dict[str, list[str]]:
    """"table3.new.total" → ids of the findings whose identity compares that cell (or sits on it)."""
    out: dict[str, list[str]] = {}
    for f in findings:
        if f.get("category") != "table_identity":
            continue
        table = "table" + f["rule"][5] if f["rule"][:5] == "TABLE" and f["rule"][5:6].isdigit() else None
        ev = f.get("evidence") or {}
        for side in ("left", "right"):
            for key in ((ev.get(side) or {}).get("cells") or {}):
                name = key if key.startswith("table") else f"{table}.{key}" if table else None
                if name:
                    out.setdefault(name, []).append(f["id"])
        for key in ev.get("cells") or []:
            if isinstance(key, str) and key.startswith("table"):
                out.setdefault(key, []).append(f["id"])
    return out


def table_grids(result: dict) -> list[dict]:
    """Each table that was read: title, column names and rows of cells {key, value, marked}."""
    tables = (result.get("report") or {}).get("tables") or {}
    marks = identity_cells(result.get("findings") or [])

    def cell(table: str, key: str) -> dict:
        name = f"{table}.{key}"
        return {"key": name, "value": (tables.get(table) or {}).get(key), "findings": marks.get(name, [])}

    grids = []
    if "table2" in tables:
        cols = ("issued", "repealed", "in_force")
        rows = [{"label": r.name, "cells": [cell("table2", f"{r.key}.{c}") for c in r.columns],
                 "columns": [TABLE2_COLUMN_NAMES[c] for c in r.columns]} for r in TABLE2_ROWS]
        grids.append({"table": "table2", "title": TABLE_TITLES["table2"],
                      "columns": [TABLE2_COLUMN_NAMES[c] for c in cols], "rows": rows})
    if "table3" in tables:
        grids.append({"table": "table3", "title": TABLE_TITLES["table3"],
                      "columns": [TABLE3_COLUMN_NAMES[c] for c in TABLE3_COLUMNS],
                      "rows": [{"label": r.name, "cells": [cell("table3", f"{r.key}.{c}") for c in TABLE3_COLUMNS]}
                               for r in TABLE3_ROWS]})
    if "table4" in tables:
        grids.append({"table": "table4", "title": TABLE_TITLES["table4"],
                      "columns": [TABLE4_COLUMN_NAMES[c] for c in TABLE4_COLUMNS],
                      "rows": [{"label": TABLE4_BLOCK_NAMES[b], "cells": [cell("table4", f"{b}.{c}") for c in TABLE4_COLUMNS]}
                               for b in TABLE4_BLOCKS]})
    return grids


def _value(v) -> str:
    if v is None:
        return "—"
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def grids_html(grids: list[dict]) -> str:
    """The tables as HTML <table>s; a cell an identity finding compares is marked (class
    "idc", its finding numbers in the title)."""
    esc = lambda s: _html.escape(str(s), quote=True)  # noqa: E731
    parts = []
    for g in grids:
        parts.append(f"<table class='grid' data-table='{esc(g['table'])}'><caption>{esc(g['title'])}</caption>")
        uniform = all(len(r["cells"]) == len(g["columns"]) and "columns" not in r for r in g["rows"])
        if uniform:
            parts.append("<tr><th></th>" + "".join(f"<th>{esc(c)}</th>" for c in g["columns"]) + "</tr>")
        for r in g["rows"]:
            tds = []
            for i, c in enumerate(r["cells"]):
                cls = " class='idc'" if c["findings"] else ""
                title = f" title='勾稽问题：{esc('、'.join(c['findings']))}'" if c["findings"] else ""
                caption = "" if uniform else f"<small>{esc(r['columns'][i])}</small> "
                tds.append(f"<td{cls}{title} data-key='{esc(c['key'])}'>{caption}{esc(_value(c['value']))}</td>")
            parts.append(f"<tr><th>{esc(r['label'])}</th>{''.join(tds)}</tr>")
        parts.append("</table>")
    return "\n".join(parts)
