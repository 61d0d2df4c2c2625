"""Read a statutory table by aligning what its region says to the table's template.

A table region, whatever its layout — tab or pipe rows (`a | b | c |`), one cell per line
between blank lines or lone `|`, space-separated rows, rows broken over two lines, header
cells spread over several lines, PDF words, docx/HTML/PDF grid cells — is read in reading
order into one token stream: labels (text), numbers, placeholders (“/”, “-”, “无”: the
agency wrote that the cell does not apply) and blanks (an empty cell between separators
after the row's first cell, or an empty grid cell). Consecutive labels join into one
label; the numbers, placeholders and blanks after a label are its *slots*.

Template rows (schema.py: table two's blocks, table three's 25 rows × 7 columns and the
2019 trial layouts) are aligned to these label groups in order by a dynamic programme:
a group matches a row when the row's wording is in its label (the row whose wording ends
last in a joined label is preferred), a group whose label lost its wording may stand for
a row only when its label is table-like (short, no sentence punctuation) and its count
fits, and the alignment that matches most rows best wins. A narrative sentence that
happens to contain a row's wording is therefore not taken for the row when the real row
follows.

Each matched row is read from its slots (`read_row`): with exactly as many slots as
columns (leading and trailing blanks of spanned label cells and padding trimmed) the
reading is direct — a blank or placeholder slot is an absent cell. Otherwise (a value
glued to the next, “190000019”; a missing cell; a number split in two; a stray number)
every reading of the numbers is generated — digit runs split, adjacent numbers joined,
one dropped, cells left out — and the row's own identity chooses: table three's 总计
column is the sum of the six applicant columns, table four's block total the sum of its
four results. Complete readings that satisfy the identity are preferred to incomplete
ones that it does not refute; a cell is placed only when every remaining reading puts the
same piece of text in it, otherwise it stays absent. Nothing is ever guessed: a placed
cell always quotes the digits it was read from.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Sequence

from ..ingest.text_reader import PAGE_NUMBER_LINE

NUMBER = re.compile(r"^[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?$")
PLACEHOLDER = re.compile(r"^(?:/|／|-|—|——|–|－|_|＿|无|不适用|空)$")
_LABEL_THEN_NUMBER = re.compile(r"^(.*[\u4e00-\u9fff）)”])(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$")
_CELL_SEPARATOR = re.compile(r"[|｜\t]")
# Labels a table region may hold that are not a row's (headers, captions): a group with
# only these words can stand for a row whose own label was lost.
_TABLELIKE_LABEL = re.compile(r"^[^。，；：,;:!?！？]{0,40}$")
MAX_READINGS = 20000


@dataclass
class Token:
    kind: str  # "label" | "number" | "placeholder" | "blank"
    text: str
    start: int
    end: int
    value: Optional[float] = None  # numbers only
    joinable: bool = False  # a number separated from the previous one by spaces only (same cell)

    @property
    def is_slot(self) -> bool:
        return self.kind != "label"

    @property
    def sci(self) -> bool:
        return self.kind == "number" and "e" in self.text.lower()


def parse_number(raw: str) -> Optional[float]:
    s = raw.replace(",", "").replace("−", "-")
    try:
        return float(s)
    except ValueError:
        return None


def classify(text: str, start: int) -> list[Token]:
    """One whitespace-free piece of text as tokens (a label glued to its number splits)."""
    if NUMBER.match(text):
        return [Token("number", text, start, start + len(text), parse_number(text))]
    if PLACEHOLDER.match(text):
        return [Token("placeholder", text, start, start + len(text))]
    m = _LABEL_THEN_NUMBER.match(text)
    if m:
        cut = len(m.group(1))
        return [Token("label", m.group(1), start, start + cut),
                Token("number", m.group(2), start + cut, start + len(text), parse_number(m.group(2)))]
    return [Token("label", text, start, start + len(text))]


def _cell_tokens(text: str, start: int, end: int) -> list[Token]:
    out: list[Token] = []
    prev: Optional[Token] = None
    for m in re.finditer(r"\S+", text[start:end]):
        for tok in classify(m.group(0), start + m.start()):
            if tok.kind == "number" and prev is not None and prev.kind == "number":
                tok.joinable = True
            out.append(tok)
            prev = tok
    return out


def blank_line_cells(lines: list[str]) -> bool:
    """Does this text put one cell per line with exactly one blank line between cells (web
    pages flattened that way, corpus reports_more/0203)? Then every further empty line
    between two cells stands for an empty cell."""
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    gaps = [b - a for a, b in zip(filled, filled[1:])]
    if len(gaps) < 10:
        return False
    return sum(g == 2 for g in gaps) >= 0.5 * len(gaps) and sum(g == 1 for g in gaps) <= 0.1 * len(gaps)


def tokens_from_text(text: str, start: int, end: int) -> list[Token]:
    """Reading-order tokens of plain text: cells split at `|`, full-width `｜` and tabs.

    An empty cell between two separators after the line's first non-empty cell is a blank
    slot; empty cells before it (label columns a row spans) and the rest of the line after
    the last separator are not cells. In the one-cell-per-line layout with a blank line
    between cells (`blank_line_cells`), each extra empty line is a blank slot.
    """
    out: list[Token] = []
    # a page number between the pages of a table (a PDF conversion) is no cell
    lines = [" " * len(ln) if PAGE_NUMBER_LINE.match(ln) else ln for ln in text[start:end].split("\n")]
    extra_blank_lines = blank_line_cells(lines)
    pos = 0
    empty_run: list[int] = []  # starts of the empty lines before this one
    for line in lines:
        line_start = start + pos
        pos += len(line) + 1
        if not line.strip():
            empty_run.append(line_start)
            continue
        if extra_blank_lines and out:  # empty cells between the last cell and this one
            out.extend(Token("blank", "", at, at) for at in empty_run[1:])
        empty_run = []
        cuts = [m.start() for m in _CELL_SEPARATOR.finditer(line)]
        bounds = [-1] + cuts + [len(line)]
        seen_cell = False
        for i in range(len(bounds) - 1):
            a, b = bounds[i] + 1, bounds[i + 1]
            if not line[a:b].strip():
                last_piece = i == len(bounds) - 2
                if seen_cell and not last_piece:
                    out.append(Token("blank", "", line_start + a, line_start + a))
                continue
            seen_cell = True
            out.extend(_cell_tokens(text, line_start + a, line_start + b))
    return out


def tokens_from_grid(text: str, rows: Sequence[Sequence], start: int, end: int) -> list[Token]:
    """Tokens of a real table (`ingest.builder.Grid` rows of cell spans), row by row; an
    empty cell after the row's first non-empty cell is a blank slot, a position covered by a
    merged cell is nothing."""
    out: list[Token] = []
    for row in rows:
        seen_cell = False
        for c in row:
            if c.end <= start or c.start >= end or c.label == "merged":
                continue
            if not text[c.start:c.end].strip():
                if seen_cell:
                    out.append(Token("blank", "", c.start, c.start))
                continue
            seen_cell = True
            out.extend(_cell_tokens(text, c.start, c.end))
    return out


@dataclass
class Group:
    """A label (joined label tokens) and the slots that follow it."""

    label: str
    start: int
    end: int  # end of the label
    slots: list[Token] = field(default_factory=list)
    labels: list[Token] = field(default_factory=list)  # the label's tokens

    @property
    def compact(self) -> str:
        return re.sub(r"\s+", "", self.label)

    @property
    def valued(self) -> list[Token]:
        return [t for t in self.slots if t.kind in ("number", "placeholder")]


def group_tokens(tokens: Iterable[Token]) -> list[Group]:
    groups: list[Group] = []
    cur: Optional[Group] = None
    for t in tokens:
        if t.kind == "label":
            if cur is None or cur.slots:
                cur = Group(t.text, t.start, t.end, labels=[t])
                groups.append(cur)
            else:
                cur.label += t.text
                cur.end = t.end
                cur.labels.append(t)
        else:
            if cur is None:
                cur = Group("", t.start, t.start)
                groups.append(cur)
            cur.slots.append(t)
    return groups


# ---------------------------------------------------------------------------------------
# Templates


Identity = Callable[[Sequence[Optional[float]]], Optional[bool]]


@dataclass(frozen=True)
class RowTemplate:
    key: str  # contract row key ("new", "denied.state_secret"), or a 2019 row's own name
    label: re.Pattern
    columns: tuple[str, ...]  # column names in reading order
    name: str  # Chinese name for messages
    output: tuple[tuple[int, str], ...] = ()  # (column index, contract key) of cells that are output
    identity: Optional[Identity] = None
    obsolete: bool = False  # a row of the 2019 trial format only
    variant: str = ""  # "2019" for a row of the trial format's table two, read as an alternative


def sum_identity(parts: Sequence[int], total: int) -> Identity:
    """values[total] == sum(values[parts]): True/False when decidable, None when cells are
    absent. An absent part with the total present is refuted only when the present parts
    already exceed the total."""
    def check(values: Sequence[Optional[float]]) -> Optional[bool]:
        t = values[total]
        present = [values[i] for i in parts if values[i] is not None]
        if t is None:
            return None
        if len(present) == len(parts):
            return abs(sum(present) - t) < 1e-9
        return None if sum(present) <= t + 1e-9 else False
    return check


def all_identities(*checks: Identity) -> Identity:
    def check(values):
        results = [c(values) for c in checks]
        if any(r is False for r in results):
            return False
        return True if all(r is True for r in results) else None
    return check


# ---------------------------------------------------------------------------------------
# Reading one row


@dataclass
class RowReading:
    template: RowTemplate
    group: Group
    cells: list[Optional[Token]]  # one per column; None = absent
    found: int  # numbers and placeholders the row holds
    how: str  # "direct" | "resolved" | "ambiguous" | "none"

    @property
    def absent(self) -> list[str]:
        """Columns left absent for want of a readable value (placeholders excluded)."""
        return [col for col, tok in zip(self.template.columns, self.cells) if tok is None]

    @property
    def complete(self) -> bool:
        return not self.absent

    def label_span(self) -> tuple[int, int]:
        """The row's own label: the shortest tail of the group's label tokens that still
        holds the row's wording (a joined header before it is not the row's)."""
        labels = self.group.labels
        for k in range(len(labels) - 1, -1, -1):
            if self.template.label.search("".join(t.text for t in labels[k:])):
                return labels[k].start, labels[-1].end
        if labels:
            return labels[-1].start, labels[-1].end
        valued = self.group.valued
        return (valued[0].start, valued[-1].end) if valued else (self.group.start, self.group.end)


def _trim(slots: list[Token], n: int) -> list[Token]:
    s = list(slots)
    while len(s) > n and s[-1].kind == "blank":
        s.pop()
    while len(s) > n and s[0].kind == "blank":
        s.pop(0)
    return s


def _digit_splits(tok: Token, k: int) -> list[list[Token]]:
    """`tok` (a run of digits) cut into k numbers without leading zeros."""
    digits = tok.text
    if k == 1:
        return [[tok]]
    if not digits.isdigit() or len(digits) < k:
        return []
    out = []
    for cuts in itertools.combinations(range(1, len(digits)), k - 1):
        bounds = (0, *cuts, len(digits))
        pieces = [digits[a:b] for a, b in zip(bounds, bounds[1:])]
        if any(len(p) > 1 and p[0] == "0" for p in pieces):
            continue
        out.append([Token("number", p, tok.start + a, tok.start + b, float(p))
                    for p, a, b in zip(pieces, bounds, bounds[1:])])
        if len(out) > MAX_READINGS:
            break
    return out


def _readings(values: list[Token], n: int) -> Iterable[list[Optional[Token]]]:
    """Every reading of `values` as n cells (see the module docstring)."""
    c = len(values)
    count = 0
    if c < n:
        # digit runs split into several numbers
        splittable = [i for i, t in enumerate(values) if t.kind == "number" and t.text.isdigit() and len(t.text) > 1]
        extra = n - c

        def distribute(idx: int, left: int):
            if idx == len(splittable):
                if left == 0:
                    yield {}
                return
            i = splittable[idx]
            for k in range(0, min(left, len(values[i].text) - 1) + 1):
                for rest in distribute(idx + 1, left - k):
                    yield {i: k + 1, **rest}

        for plan in distribute(0, extra):
            options = [_digit_splits(t, plan.get(i, 1)) for i, t in enumerate(values)]
            for combo in itertools.product(*options):
                yield [p for pieces in combo for p in pieces]
                count += 1
                if count > MAX_READINGS:
                    return
        # cells left out
        for missing in itertools.combinations(range(n), extra):
            it = iter(values)
            yield [None if j in missing else next(it) for j in range(n)]
            count += 1
            if count > MAX_READINGS:
                return
    elif c > n:
        # a number split in two (“1 517”): join adjacent numbers of one cell
        joinable = [i for i in range(1, c) if values[i].joinable and values[i - 1].kind == "number"
                    and values[i].text.isdigit() and values[i - 1].text.replace(",", "").isdigit()]
        for joins in itertools.combinations(joinable, c - n):
            if any(b - a == 1 for a, b in zip(joins, joins[1:])):
                continue
            out: list[Optional[Token]] = []
            for i, t in enumerate(values):
                if i in joins:
                    prev = out[-1]
                    digits = prev.text.replace(",", "") + t.text
                    out[-1] = Token("number", digits, prev.start, t.end, float(digits))
                else:
                    out.append(t)
            yield out
        # a stray number (a footnote mark, a page number)
        for drop in itertools.combinations(range(c), c - n):
            yield [t for i, t in enumerate(values) if i not in drop]
            count += 1
            if count > MAX_READINGS:
                return
    else:
        yield list(values)


def _agree(readings: list[list[Optional[Token]]], n: int) -> list[Optional[Token]]:
    cells: list[Optional[Token]] = []
    for j in range(n):
        first = readings[0][j]
        same = first is not None and all(
            r[j] is not None and (r[j].start, r[j].end, r[j].text) == (first.start, first.end, first.text)
            for r in readings[1:])
        cells.append(first if same else None)
    return cells


def _value(tok: Optional[Token]) -> Optional[float]:
    return tok.value if tok is not None and tok.kind == "number" else None


def read_row(template: RowTemplate, group: Group) -> RowReading:
    n = len(template.columns)
    slots = _trim(group.slots, n)
    valued = group.valued
    found = len(valued)
    if len(slots) == n:
        return RowReading(template, group, [t if t.kind != "blank" else None for t in slots], found, "direct")
    if found == n:
        return RowReading(template, group, list(valued), found, "direct")
    if not valued:
        return RowReading(template, group, [None] * n, found, "none")
    complete, partial = [], []
    for reading in _readings(valued, n):
        values = [_value(t) if t is not None and t.kind == "number" else None for t in reading]
        verdict = template.identity(values) if template.identity else None
        if verdict is False:
            continue
        if all(t is not None for t in reading) and (verdict is True or template.identity is None):
            complete.append(reading)
        else:
            partial.append(reading)
    chosen = complete or partial
    if not chosen:
        return RowReading(template, group, [None] * n, found, "ambiguous")
    cells = _agree(chosen, n)
    return RowReading(template, group, cells, found, "resolved" if all(c is not None for c in cells) else "ambiguous")


# ---------------------------------------------------------------------------------------
# Aligning rows to groups


def _best_rows(groups: list[Group], rows: Sequence[RowTemplate]) -> list[set[int]]:
    """For each group, the rows whose wording ends last in its label (alternatives of one
    row — 2021 and 2019 table two — tie)."""
    out = []
    for g in groups:
        lab = g.compact
        ends = [max((m.end() for m in r.label.finditer(lab)), default=-1) for r in rows]
        top = max(ends, default=-1)
        out.append({i for i, e in enumerate(ends) if e == top} if top >= 0 else set())
    return out


def _score(row_i: int, row: RowTemplate, g: Group, best: set[int], prefer: str,
           read: Callable[[], RowReading]) -> Optional[int]:
    if not g.valued:
        return None
    lab = g.compact
    n = len(row.columns)
    count_fits = len(_trim(g.slots, n)) == n or len(g.valued) == n
    if row.label.search(lab):
        base = 10 if row_i in best else 4
    elif not best and not row.obsolete and _TABLELIKE_LABEL.match(lab) and len(_trim(g.slots, n)) == n:
        base = 1  # a row whose label was lost or broken: only where it fits exactly
    else:
        return None
    fit = 2 if read().complete else 1 if count_fits else 0
    return base + fit + (1 if row.variant == prefer else 0)


def align(rows: Sequence[RowTemplate], groups: list[Group], prefer: str = "2021"
          ) -> list[tuple[int, int, RowReading]]:
    """(row index, group index, reading) for the matched rows, both indexes increasing,
    maximising the total score: label wording, then a complete reading, then (among the
    alternative rows of table two) the `prefer`red variant."""
    k, m = len(rows), len(groups)
    best = _best_rows(groups, rows)
    readings: dict[tuple[int, int], RowReading] = {}

    def reader(i: int, j: int) -> Callable[[], RowReading]:
        def read() -> RowReading:
            if (i, j) not in readings:
                readings[(i, j)] = read_row(rows[i], groups[j])
            return readings[(i, j)]
        return read

    scores = [[_score(i, rows[i], groups[j], best[j], prefer, reader(i, j)) for j in range(m)] for i in range(k)]
    f = [[0] * (m + 1) for _ in range(k + 1)]
    for i in range(1, k + 1):
        for j in range(1, m + 1):
            v = max(f[i - 1][j], f[i][j - 1])
            s = scores[i - 1][j - 1]
            if s is not None:
                v = max(v, f[i - 1][j - 1] + s)
            f[i][j] = v
    pairs = []
    i, j = k, m
    while i and j:
        s = scores[i - 1][j - 1]
        if s is not None and f[i][j] == f[i - 1][j - 1] + s:
            pairs.append((i - 1, j - 1, reader(i - 1, j - 1)()))
            i, j = i - 1, j - 1
        elif f[i][j] == f[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


@dataclass
class TableReading:
    rows: list[RowReading]  # matched rows in template order
    missing: list[RowTemplate]  # template rows not found

    @property
    def incomplete(self) -> list[RowReading]:
        return [r for r in self.rows if not r.complete]

    def cells(self) -> dict[str, Token]:
        """Contract key → the token read for it."""
        out = {}
        for r in self.rows:
            for col_i, key in r.template.output:
                tok = r.cells[col_i]
                if tok is not None and tok.kind == "number":
                    out[key] = tok
        return out


def read_table(rows: Sequence[RowTemplate], tokens: list[Token], prefer: str = "2021") -> TableReading:
    groups = group_tokens(tokens)
    pairs = align(rows, groups, prefer)
    keys = {rows[i].key for i, _, _ in pairs}
    missing: list[RowTemplate] = []
    for r in rows:  # rows of the form being read that no group stands for, once per key
        if r.key in keys or (r.variant and r.variant != prefer) or (r.obsolete and r.variant != prefer):
            continue
        keys.add(r.key)
        missing.append(r)
    return TableReading([reading for _, _, reading in pairs], missing)
