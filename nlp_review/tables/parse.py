"""Tables two, three and four → typed cells keyed as in the contract.

Each table's region (its section's body) is read into one token stream — plain text split
at tabs and pipes, real docx/HTML/PDF tables cell by cell — and aligned to the table's
template by `align.read_table` (module docstring there: layouts, glued and missing
cells, the row identities that decide). A cell that cannot be read is absent, never
guessed.

What could not be read is reported once per table, not once per row:
`doc.table_issues` holds at most one `ParseIssue("row_unreadable")` per
table — at the first row that was found but not read completely (a blank cell, or a count
no reading resolves) — whose `detail["rows"]` lists every such row (key, name, expected,
found, span, absent columns) and `detail["missing_rows"]` the template rows not found at
all; plus at most one `ParseIssue("obsolete")` per table for the 2019 trial layout. The
rule `FORMAT.TABLE_ROW_UNREADABLE` therefore fires at most once per table (its message names the
first row; the evidence carries them all).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..component import component
from ..doc import Cell, Doc, Table
from ..ingest.builder import Grid
from .align import (NUMBER, PLACEHOLDER, Group, TableReading, Token, group_tokens, parse_number, read_row,
                    read_table, tokens_from_grid, tokens_from_text)
from .schema import OBSOLETE_TABLE2, TABLE2_TEMPLATE, TABLE3_TEMPLATE, TABLE4_HEADER, TABLE4_TEMPLATE

__all__ = ["NUMBER", "PLACEHOLDER", "ParseIssue", "parse_number", "parse_tables", "tokenize_region"]


def tokenize_region(doc: Doc, start: int, end: int) -> list[Token]:
    """doc.text[start:end] in reading order; real tables (grids) cell by cell."""
    grids: list[Grid] = doc.grids
    tokens: list[Token] = []
    pos = start
    for g in sorted(grids, key=lambda g: g.span.start):
        if g.span.end <= start or g.span.start >= end:
            continue
        tokens.extend(tokens_from_text(doc.text, pos, max(pos, g.span.start)))
        tokens.extend(tokens_from_grid(doc.text, g.rows, max(start, g.span.start), min(end, g.span.end)))
        pos = min(end, g.span.end)
    tokens.extend(tokens_from_text(doc.text, pos, end))
    return tokens


@dataclass
class ParseIssue:
    """Something the parser could not read, for the checks to report."""

    kind: str  # "row_unreadable" | "obsolete"
    table: str
    start: int
    end: int
    detail: dict = field(default_factory=dict)


def _cell(key: str, tok: Token) -> Cell:
    v = tok.value
    if not key.endswith("amount_wan") and v is not None and float(v).is_integer():
        v = int(v)
    return Cell(key=key, value=v, start=tok.start, end=tok.end, raw=tok.text)


_SENTENCE_PUNCT = re.compile(r"[。，；：,;:！？!?]")
_CAPTION = re.compile(r"^[（(].*[)）]$")


def _header_start(tokens: list[Token], first: int) -> int:
    """Where the table's header begins: back from its first row over the labels before it
    that read as table cells (short, no sentence punctuation, or a bracketed caption)."""
    start = first
    for tok in reversed([t for t in tokens if t.end <= first]):
        if tok.kind == "label" and (len(tok.text) > 60 or (_SENTENCE_PUNCT.search(tok.text)
                                                          and not _CAPTION.match(tok.text))):
            break
        start = tok.start
    return start


def _to_table(doc: Doc, name: str, reading: TableReading, issues: list[ParseIssue],
              tokens: list[Token]) -> Optional[Table]:
    if not reading.rows:
        return None
    spans = [(r.group.start, max([r.group.end] + [t.end for t in r.group.slots])) for r in reading.rows]
    first = min(a for a, _ in spans)
    table = Table(name=name, start=_header_start(tokens, first), end=max(b for _, b in spans))
    for key, tok in reading.cells().items():
        table.cells[key] = _cell(key, tok)
        if tok.sci:
            doc.sci_cells.append((name, key, tok))
    obsolete = [r for r in reading.rows if r.template.obsolete]
    if obsolete:
        table.layout = "obsolete"
    bad = reading.incomplete
    if bad:
        rows = []
        for r in bad:
            v = r.group.valued
            a, b = (v[0].start, v[-1].end) if r.template.key == "table4" and v else r.label_span()
            rows.append({"row": r.template.key, "row_name": r.template.name, "expected": len(r.template.columns),
                         "found": r.found, "start": a, "end": b, "absent": r.absent})
        issues.append(ParseIssue("row_unreadable", name, rows[0]["start"], rows[0]["end"],
                                 {**{k: rows[0][k] for k in ("row", "row_name", "expected", "found")},
                                  "rows": rows, "missing_rows": [t.key for t in reading.missing]}))
    return table


def _obsolete_issue(name: str, group: Group, issues: list[ParseIssue]) -> None:
    issues.append(ParseIssue("obsolete", name, group.start, group.end, {"label": group.compact}))


def parse_table2(doc: Doc, start: int, end: int, issues: list[ParseIssue]) -> Optional[Table]:
    tokens = tokenize_region(doc, start, end)
    old = next((g for g in group_tokens(tokens) if OBSOLETE_TABLE2.search(g.compact)), None)
    reading = read_table(TABLE2_TEMPLATE, tokens, prefer="2019" if old else "2021")
    table = _to_table(doc, "table2", reading, issues, tokens)
    if old is None:  # no 2019 header, but a row only the 2019 form has
        row = next((r for r in reading.rows if r.template.obsolete), None)
        old = row.group if row is not None else None
    if old is not None:
        _obsolete_issue("table2", old, issues)
        if table is not None:
            table.layout = "obsolete"
    return table


def parse_table3(doc: Doc, start: int, end: int, issues: list[ParseIssue]) -> Optional[Table]:
    tokens = tokenize_region(doc, start, end)
    reading = read_table(TABLE3_TEMPLATE, tokens)
    table = _to_table(doc, "table3", reading, issues, tokens)
    old = next((r for r in reading.rows if r.template.obsolete), None)
    if old is not None:
        a, b = old.label_span()
        issues.append(ParseIssue("obsolete", "table3", a, b, {"label": old.group.compact}))
    return table


def parse_table4(doc: Doc, start: int, end: int, issues: list[ParseIssue]) -> Optional[Table]:
    """Table four is one row of 15 cells under a header: the slots of the header's labels
    (or, in a layout that gives each value its own heading, of each heading in turn)."""
    tokens = tokenize_region(doc, start, end)
    groups = group_tokens(tokens)
    headed = [g for g in groups if g.slots and g.compact and TABLE4_HEADER.match(g.compact)]
    if not headed:
        headed = [g for g in groups if g.valued]  # no header: every number of the region
        if not headed:
            return None
    row = Group(headed[0].label, headed[0].start, headed[0].end, [t for g in headed for t in g.slots])
    reading = read_row(TABLE4_TEMPLATE, row)
    return _to_table(doc, "table4", TableReading([reading], []), issues, tokens)


@component("tables", requires=("text", "grids", "table_regions"), assigns=("tables", "table_issues", "sci_cells"))
def parse_tables(doc: Doc, options=None) -> None:
    """Tables two, three and four as typed cells; at most one unreadable-rows issue per table."""
    issues: list[ParseIssue] = []
    for name, parse in (("table2", parse_table2), ("table3", parse_table3), ("table4", parse_table4)):
        region = doc.table_regions.get(name)
        if region is not None:
            t = parse(doc, region.start, region.end, issues)
            if t is not None and (t.cells or t.start <= t.end):
                doc.tables[name] = t
    doc.table_issues = issues
    apply_corrections(doc, getattr(options, "cell_corrections", None) or {})


def apply_corrections(doc: Doc, corrections: dict) -> None:
    """A reviewer's corrections of misread cells ({"table3.new.total": 5}): the value
    replaces the one read (the cell keeps the span it was read from); a cell the reader
    missed gets a point at its table's start. The checks then run on the corrected tables."""
    from ..doc import Cell, Table

    for name, value in corrections.items():
        table, _, key = str(name).partition(".")
        t = doc.tables.get(table)
        if t is None:
            region = _region(doc, {"table2": 2, "table3": 3, "table4": 4}.get(table, 0))
            if not region:
                continue
            t = doc.tables[table] = Table(table, region[0], region[0])
        cell = t.cells.get(key)
        if cell is not None:
            cell.value = value
        else:
            t.cells[key] = Cell(key, value, t.start, t.start, "")

