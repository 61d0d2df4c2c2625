"""The table value of a claim's quantity: a contract cell key (“new.total”) or a derived
one — a sum over rows (“denied.*.total”, “granted+partial.total”), the organisations'
columns (“new.orgs”) or both litigation blocks (“litigation.total”)."""
from __future__ import annotations

from typing import Optional

from ..doc import Doc
from ..tables.schema import TABLE2_ROWS, TABLE3_APPLICANT_COLUMNS, TABLE3_ROWS, TABLE4_BLOCKS, cell_name

_T3 = [r.key for r in TABLE3_ROWS]
_T2 = [r.key for r in TABLE2_ROWS]
ALIASES = {"litigation": ["litigation_direct", "litigation_after_review"]}
NAMES = {
    "denied.*.total": "表三“（三）不予公开”各项总计之和", "unable.*.total": "表三“（四）无法提供”各项总计之和",
    "not_processed.*.total": "表三“（五）不予处理”各项总计之和", "other.*.total": "表三“（六）其他处理”各项总计之和",
    "granted+partial.total": "表三“（一）予以公开”与“（二）部分公开”总计之和",
    "new+carried_over.total": "表三“本年新收”与“上年结转”总计之和",
    "new.orgs": "表三“本年新收”行法人或其他组织各列之和",
    "litigation.total": "表四行政诉讼（未经复议直接起诉与复议后起诉）总计之和",
    "review.not_upheld": "表四行政复议“结果纠正”“其他结果”“尚未审结”之和",
    "litigation.not_upheld": "表四行政诉讼“结果纠正”“其他结果”“尚未审结”之和",
}
COLUMN_ALIASES = {"orgs": list(TABLE3_APPLICANT_COLUMNS[1:]), "not_upheld": ["corrected", "other", "pending"]}


def _rows(expr: str) -> list[str]:
    out = []
    for part in expr.split("+"):
        if part in ALIASES:
            out.extend(ALIASES[part])
        elif part.endswith(".*"):
            out.extend(r for r in _T3 if r.startswith(part[:-1]))
        else:
            out.append(part)
    return out


def table_of(row: str) -> Optional[str]:
    if row in _T3:
        return "table3"
    if row.split(".")[0] in TABLE4_BLOCKS:
        return "table4"
    if row in _T2:
        return "table2"
    return None


def cells_of(key: str) -> list[tuple[str, str]]:
    """(table, cell key) pairs whose sum is the quantity `key`."""
    row_expr, col = key.rsplit(".", 1)
    cols = COLUMN_ALIASES.get(col, [col])
    out = []
    for row in _rows(row_expr):
        t = table_of(row)
        if t is None:
            return []
        out.extend((t, f"{row}.{c}") for c in cols)
    return out


def cell_value(doc: Doc, key: str) -> Optional[tuple[float, dict, tuple[str, str]]]:
    """(value, {cell: value}, first (table, cell)) when every cell involved was read."""
    pairs = cells_of(key)
    if not pairs:
        return None
    cells = {}
    for t, k in pairs:
        table = doc.tables.get(t)
        if table is None or k not in table.cells:
            return None
        cells[k] = table.cells[k].value
    return sum(cells.values()), cells, pairs[0]


def quantity_name(key: str) -> str:
    if key in NAMES:
        return NAMES[key]
    pairs = cells_of(key)
    return cell_name(*pairs[0]) if pairs else key
