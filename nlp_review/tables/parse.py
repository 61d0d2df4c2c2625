"""Tables two, three and four → typed cells keyed as in the contract.

All layouts reduce to one token stream: labels (text) and values (numbers), each with
its span in `Doc.text`. Plain text is split on whitespace, which handles tab rows,
one cell per line, space-separated rows and wrapped labels alike (consecutive label
tokens join into one label). A real table (docx/html/pdf) is read cell by cell, so an
empty cell among a row's numbers is kept as a placeholder: that cell is absent, and
its neighbours keep their columns. A row whose values cannot be placed is absent
entirely — never guessed — and reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..component import component
from ..doc import Cell, Doc, Table
from ..ingest.builder import Grid
from .schema import (OBSOLETE_TABLE2, OBSOLETE_TABLE3_OTHER, TABLE2_ROWS, TABLE3_ROWS, TABLE4_KEYS,
                     RowSpec)

NUMBER = re.compile(r"^[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?$")
PLACEHOLDER = re.compile(r"^(?:/|／|-|—|——|–|无|不适用|空)$")
_LABEL_THEN_NUMBER = re.compile(r"^(.*[\u4e00-\u9fff）)])(\d+(?:\.\d+)?)$")
_ITEM_MARK = re.compile(r"^\d+[.．、]")


@dataclass
class Token:
    kind: str  # "label" | "value"
    text: str
    start: int
    end: int
    value: Optional[float] = None  # None for a placeholder value

    @property
    def sci(self) -> bool:
        return "e" in self.text.lower() and self.kind == "value" and self.value is not None


def parse_number(raw: str) -> Optional[float]:
    s = raw.replace(",", "").replace("−", "-")
    try:
        return float(s)
    except ValueError:
        return None


def _classify(text: str, start: int) -> list[Token]:
    if NUMBER.match(text):
        return [Token("value", text, start, start + len(text), parse_number(text))]
    if PLACEHOLDER.match(text):
        return [Token("value", text, start, start + len(text), None)]
    m = _LABEL_THEN_NUMBER.match(text)
    if m and not _ITEM_MARK.match(text):
        cut = len(m.group(1))
        return [Token("label", m.group(1), start, start + cut),
                Token("value", m.group(2), start + cut, start + len(text), parse_number(m.group(2)))]
    return [Token("label", text, start, start + len(text))]


_PAGE_NUMBER = re.compile(r"^[ \t]*(?:[-—–][ \t]*\d+[ \t]*[-—–]|第[ \t]*\d+[ \t]*页(?:[ \t]*共[ \t]*\d+[ \t]*页)?)[ \t]*$", re.M)


def tokens_from_text(text: str, start: int, end: int) -> list[Token]:
    out: list[Token] = []
    region = _PAGE_NUMBER.sub(lambda m: " " * len(m.group(0)), text[start:end])  # page footers
    for m in re.finditer(r"\S+", region):
        out.extend(_classify(m.group(0), start + m.start()))
    return out


def tokens_from_grid(text: str, grid: Grid, start: int, end: int) -> list[Token]:
    """Cell by cell; empty cells between or after a row's numbers become placeholders."""
    out: list[Token] = []
    for row in grid.rows:
        cells = [c for c in row if c.end > start and c.start < end]
        cells = [c for c in cells if c.label != "merged"]  # covered by a merged cell
        if not cells:
            continue
        kinds = []
        for c in cells:
            raw = text[c.start:c.end].strip()
            kinds.append("empty" if not raw else
                         "value" if NUMBER.match(raw) or PLACEHOLDER.match(raw) else "label")
        if "value" not in kinds:
            for c in cells:
                out.extend(tokens_from_text(text, c.start, c.end))
            continue
        last_label = max((i for i, k in enumerate(kinds) if k == "label"), default=-1)
        for i, c in enumerate(cells):
            if kinds[i] == "empty":
                if i > last_label:
                    out.append(Token("value", "", c.start, c.start, None))
                continue
            out.extend(tokens_from_text(text, c.start, c.end))
    return out


def tokenize_region(doc: Doc, start: int, end: int) -> list[Token]:
    grids: list[Grid] = doc.grids
    tokens: list[Token] = []
    pos = start
    for g in sorted(grids, key=lambda g: g.span.start):
        if g.span.end <= start or g.span.start >= end:
            continue
        tokens.extend(tokens_from_text(doc.text, pos, max(pos, g.span.start)))
        tokens.extend(tokens_from_grid(doc.text, g, max(start, g.span.start), min(end, g.span.end)))
        pos = min(end, g.span.end)
    tokens.extend(tokens_from_text(doc.text, pos, end))
    return tokens


@dataclass
class Group:
    """A label (joined label tokens) and the values that follow it."""

    label: str
    label_start: int
    label_end: int
    values: list[Token] = field(default_factory=list)


def group_tokens(tokens: list[Token]) -> list[Group]:
    groups: list[Group] = []
    cur: Optional[Group] = None
    for t in tokens:
        if t.kind == "label":
            if cur is None or cur.values:
                cur = Group(t.text, t.start, t.end)
                groups.append(cur)
            else:
                cur.label += t.text
                cur.label_end = t.end
        else:
            if cur is None:
                cur = Group("", t.start, t.start)
                groups.append(cur)
            cur.values.append(t)
    return groups


@dataclass
class ParseIssue:
    """Something the parser could not read, for the checks to report."""

    kind: str  # "row_unreadable" | "obsolete" | "unknown_row"
    table: str
    start: int
    end: int
    detail: dict = field(default_factory=dict)


def _match_row(label: str, specs: tuple[RowSpec, ...], first: int) -> Optional[int]:
    """Index of the row whose label wording occurs last in `label` (ties: earliest row)."""
    best, best_pos = None, -1
    for i in range(first, len(specs)):
        pos = max((m.end() for m in specs[i].label.finditer(label)), default=-1)
        if pos > best_pos:
            best, best_pos = i, pos
    return best


def _take_values(values: list[Token], n: int) -> Optional[list[Token]]:
    vals = list(values)
    while len(vals) > n and vals[-1].value is None:  # trailing empty cells
        vals.pop()
    while len(vals) > n and vals[0].value is None and not vals[0].text:
        vals.pop(0)  # empty grid cells of a label that spans columns (pipe tables)
    return vals if len(vals) == n else None


def _cell(key: str, tok: Token, integer: bool) -> Cell:
    v = tok.value
    if integer and v is not None and float(v).is_integer():
        v = int(v)
    return Cell(key=key, value=v, start=tok.start, end=tok.end, raw=tok.text)


def _parse_rows(doc: Doc, name: str, specs: tuple[RowSpec, ...], start: int, end: int,
                issues: list[ParseIssue], obsolete: Optional[re.Pattern] = None) -> Optional[Table]:
    groups = group_tokens(tokenize_region(doc, start, end))
    table = Table(name=name, start=end, end=start)
    idx = 0
    for g in groups:
        label = re.sub(r"\s+", "", g.label)
        if obsolete is not None and obsolete.search(label):
            table.layout = "obsolete"
            issues.append(ParseIssue("obsolete", name, g.label_start, g.label_end, {"label": label}))
        if not g.values:
            continue
        i = _match_row(label, specs, idx)
        if i is None:
            if label:
                issues.append(ParseIssue("unknown_row", name, g.label_start, g.label_end, {"label": label}))
            continue
        spec = specs[i]
        idx = i + 1
        vals = _take_values(g.values, len(spec.columns))
        table.start = min(table.start, g.label_start)
        table.end = max(table.end, g.values[-1].end)
        if vals is None:
            issues.append(ParseIssue("row_unreadable", name, g.label_start, g.label_end,
                                     {"row": spec.key, "row_name": spec.name, "expected": len(spec.columns),
                                      "found": len(g.values)}))
            continue
        for col, tok in zip(spec.columns, vals):
            if tok.value is None:
                continue  # an empty cell: absent, never guessed
            key = f"{spec.key}.{col}"
            table.cells[key] = _cell(key, tok, integer=(col != "amount_wan"))
            if tok.sci:
                doc.sci_cells.append((name, key, tok))
    if not table.cells and table.start > table.end:
        return None
    return table


def _parse_table4(doc: Doc, start: int, end: int, issues: list[ParseIssue]) -> Optional[Table]:
    tokens = tokenize_region(doc, start, end)
    values = [t for t in tokens if t.kind == "value"]
    if not values:
        return None
    table = Table(name="table4", start=tokens[0].start, end=values[-1].end)
    vals = _take_values(values, len(TABLE4_KEYS))
    if vals is None:
        issues.append(ParseIssue("row_unreadable", "table4", values[0].start, values[-1].end,
                                 {"row": "table4", "row_name": "表四数据行", "expected": len(TABLE4_KEYS),
                                  "found": len(values)}))
        return table
    for key, tok in zip(TABLE4_KEYS, vals):
        if tok.value is not None:
            table.cells[key] = _cell(key, tok, integer=True)
            if tok.sci:
                doc.sci_cells.append(("table4", key, tok))
    return table


def _region(doc: Doc, number: int) -> Optional[tuple[int, int]]:
    s = doc.section(number)
    if s is None:
        return None
    return s.body_start, s.end


@component("tables", requires=("text", "grids", "sections"), assigns=("tables", "table_issues", "sci_cells"))
def parse_tables(doc: Doc, options=None) -> None:
    """Tables two, three and four as typed cells; rows that could not be read."""
    issues: list[ParseIssue] = []
    r2, r3, r4 = _region(doc, 2), _region(doc, 3), _region(doc, 4)
    if r2:
        t = _parse_rows(doc, "table2", TABLE2_ROWS, *r2, issues, obsolete=OBSOLETE_TABLE2)
        if t:
            doc.tables["table2"] = t
    if r3:
        t = _parse_rows(doc, "table3", TABLE3_ROWS, *r3, issues, obsolete=OBSOLETE_TABLE3_OTHER)
        if t:
            doc.tables["table3"] = t
    if r4:
        t = _parse_table4(doc, *r4, issues)
        if t:
            doc.tables["table4"] = t
    doc.table_issues = issues
