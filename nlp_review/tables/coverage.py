"""What the tables let the checks do.

An identity (勾稽) is checked only where every cell it involves was read, and a narrative
figure is compared only with cells that were read; a table read partly therefore silences
checks without a word. This module says which: per statutory table, the cells read of the
template's, the rows found but read incompletely and the rows not found, the identities
that could not run and the narrative figures that could not be compared. The identity
groups are declared here once; the TABLE3.*/TABLE4.* rules iterate them.

Read by `FORMAT.TABLE_ROW_UNREADABLE` (one note per table) and by the "scores" component
(`scores["coverage"]`), and shown in the text report and the web pages.
"""
from __future__ import annotations

from typing import Iterator

from ..claims.resolve import cells_of
from ..doc import Doc
from .schema import (TABLE2_ROWS, TABLE3_APPLICANT_COLUMNS, TABLE3_COLUMN_NAMES, TABLE3_COLUMNS, TABLE3_OUTCOME_ROWS,
                     TABLE3_ROW_NAMES, TABLE3_ROWS, TABLE4_BLOCK_NAMES, TABLE4_BLOCKS, TABLE4_COLUMNS, TABLE4_KEYS)

TABLES = ("table2", "table3", "table4")
TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}
EXPECTED: dict[str, tuple[str, ...]] = {
    "table2": tuple(f"{r.key}.{c}" for r in TABLE2_ROWS for c in r.columns),
    "table3": tuple(f"{r.key}.{c}" for r in TABLE3_ROWS for c in r.columns),
    "table4": TABLE4_KEYS,
}
# (row name, its keys) in the form's order: the rows a reviewer would look for.
ROWS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "table2": tuple((r.name, tuple(f"{r.key}.{c}" for c in r.columns)) for r in TABLE2_ROWS),
    "table3": tuple((r.name, tuple(f"{r.key}.{c}" for c in r.columns)) for r in TABLE3_ROWS),
    "table4": tuple((TABLE4_BLOCK_NAMES[b], tuple(f"{b}.{c}" for c in TABLE4_COLUMNS)) for b in TABLE4_BLOCKS),
}
RULE_NAMES = {"TABLE3.BALANCE": "收支平衡", "TABLE3.OUTCOME_SUM": "办理结果合计", "TABLE3.ROW_SUM": "合计",
              "TABLE4.BLOCK_SUM": "合计"}


def identity_groups(rule: str) -> Iterator[tuple[str, str, list[str]]]:
    """(table, where, keys) of each instance of an identity rule: the cells it involves."""
    if rule == "TABLE3.BALANCE":
        for c in TABLE3_COLUMNS:
            yield "table3", c, [f"new.{c}", f"carried_over.{c}", f"total.{c}", f"carry_forward.{c}"]
    elif rule == "TABLE3.OUTCOME_SUM":
        for c in TABLE3_COLUMNS:
            yield "table3", c, [f"{r}.{c}" for r in TABLE3_OUTCOME_ROWS] + [f"total.{c}"]
    elif rule == "TABLE3.ROW_SUM":
        for r in TABLE3_ROWS:
            yield "table3", r.key, [f"{r.key}.{c}" for c in TABLE3_APPLICANT_COLUMNS] + [f"{r.key}.total"]
    elif rule == "TABLE4.BLOCK_SUM":
        for b in TABLE4_BLOCKS:
            yield "table4", b, [f"{b}.{c}" for c in TABLE4_COLUMNS[:-1]] + [f"{b}.total"]
    else:
        raise KeyError(rule)


def _where_name(rule: str, where: str) -> str:
    if rule == "TABLE4.BLOCK_SUM":
        return f"“{TABLE4_BLOCK_NAMES[where]}”"
    if rule == "TABLE3.ROW_SUM":
        return f"“{TABLE3_ROW_NAMES[where]}”行"
    return f"“{TABLE3_COLUMN_NAMES[where]}”列"


def table_coverage(doc: Doc) -> dict:
    """{"identities_run", "identities_total", "claims_compared", "claims_not_compared",
    "tables": {name: …}} — `tables` holds only the tables not read completely: cells read
    and expected, rows (blocks) read incompletely and not at all (names), the identities not
    run (“表三“自然人”列收支平衡”), the narrative figures not compared; `notes`: one
    Chinese sentence per such table for the reviewer (`describe`)."""
    read = {name: set(t.cells) if (t := doc.tables.get(name)) is not None else set() for name in TABLES}
    tables: dict[str, dict] = {}
    for name in TABLES:
        missing = [k for k in EXPECTED[name] if k not in read[name]]
        if not missing:
            continue
        incomplete, absent = [], []
        for row, keys in ROWS[name]:
            got = sum(k in read[name] for k in keys)
            if got < len(keys):
                (incomplete if got else absent).append(row)
        tables[name] = {
            "found": name in doc.tables,
            "cells_read": len(EXPECTED[name]) - len(missing), "cells_expected": len(EXPECTED[name]),
            "rows_incomplete": incomplete, "rows_missing": absent,
            "identities_not_run": [], "claims_not_compared": 0}
    run = total = 0
    for rule in RULE_NAMES:
        for name, where, keys in identity_groups(rule):
            total += 1
            if all(k in read[name] for k in keys):
                run += 1
            elif name in tables:
                tables[name]["identities_not_run"].append(f"{TABLE_NAMES[name]}{_where_name(rule, where)}{RULE_NAMES[rule]}")
    compared = not_compared = 0
    for c in getattr(doc, "claims", None) or []:
        pairs = cells_of(c.key)
        if not pairs:
            continue
        absent = {t for t, k in pairs if k not in read[t]}
        if absent:
            not_compared += 1
            for t in absent:
                tables[t]["claims_not_compared"] += 1
        else:
            compared += 1
    return {"identities_run": run, "identities_total": total, "claims_compared": compared,
            "claims_not_compared": not_compared, "tables": tables,
            "notes": [describe(name, info) for name, info in tables.items()]}


def describe(name: str, info: dict) -> str:
    """One Chinese sentence on a table read partly or not at all (report, web page, note)."""
    tname = TABLE_NAMES[name]
    if not info["found"]:
        head = f"{tname}未能识别"
    else:
        head = f"{tname}读到{info['cells_read']}/{info['cells_expected']}个单元格"
        rows = info["rows_incomplete"] + info["rows_missing"]
        if rows:
            more = f"等{len(rows)}行" if len(rows) > 3 else ""
            head += f"，未读出或未读全：{'、'.join(f'“{r}”' for r in rows[:3])}{more}"
    ids, claims = info["identities_not_run"], info["claims_not_compared"]
    if not ids and not claims:
        return head + "；相关勾稽和正文核对均已执行。"
    parts = []
    if ids:
        parts.append(f"{len(ids)}项勾稽核对（{'、'.join(ids[:3])}{'等' if len(ids) > 3 else ''}）")
    if claims:
        parts.append(f"{claims}处正文与表格核对")
    return head + "；因此未执行：" + "，".join(parts) + "。"


def coverage_lines(scores: dict) -> list[str]:
    """What the tables let the checks do, when a table was read partly or not at all
    (scores["coverage"], tables/coverage.py): which checks did not run."""
    cov = scores.get("coverage")
    if not cov or not cov.get("tables"):
        return []
    out = [f"核对覆盖：表格勾稽 {cov['identities_run']}/{cov['identities_total']} 项已执行，"
           f"正文与表格核对 {cov['claims_compared']} 处已执行、{cov['claims_not_compared']} 处因单元格缺失未执行"]
    out += ["  " + note for note in cov.get("notes", [])]
    return out
