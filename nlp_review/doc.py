"""The document model: one `Doc` that every pipeline component reads and extends.

`Doc.text` is the single source of truth. Every span anywhere (sections, paragraphs,
sentences, table cells, findings) is a pair of character offsets into it, and
`Doc.source_map` leads from any offset back to where that character sits in the
uploaded file (txt line/column, docx paragraph/run, PDF page/line, HTML node).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Optional

if TYPE_CHECKING:  # the types of layers that their components own
    from .boilerplate.component import BoilerplateAnalysis
    from .claims.extract import Claim
    from .claims.numbers import Compact, Mention
    from .elements.segment import Unit
    from .ingest.builder import Grid
    from .structure.sections import HeadingCandidate
    from .tables.previous import PreviousReport
    from .tables.parse import ParseIssue, Token


@dataclass
class SourceSegment:
    """`text[start:end]` came from one contiguous stretch of one source location.

    `loc` names the place (e.g. {"paragraph": 3, "run": 1} for docx); `offset` is the
    character offset inside that place where `text[start]` sits, so text[start + k]
    is at loc's offset + k.
    """

    start: int
    end: int
    loc: dict
    offset: int = 0


class SourceMap:
    """Maps every offset of `Doc.text` back to the source file."""

    def __init__(self, segments: list[SourceSegment] | None = None):
        self.segments: list[SourceSegment] = []
        self._starts: list[int] = []
        for seg in segments or []:
            self.add(seg)

    def add(self, seg: SourceSegment) -> None:
        if seg.end <= seg.start:
            return
        if self.segments and seg.start < self.segments[-1].end:
            raise ValueError("source segments must be added in text order")
        self.segments.append(seg)
        self._starts.append(seg.start)

    def segment_at(self, offset: int) -> Optional[SourceSegment]:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return None
        seg = self.segments[i]
        return seg if seg.start <= offset < seg.end else None

    def locate(self, offset: int) -> Optional[dict]:
        """Where `text[offset]` is in the source: the segment's loc plus `offset`."""
        seg = self.segment_at(offset)
        if seg is None:
            return None
        return {**seg.loc, "offset": seg.offset + (offset - seg.start)}

    def segments_between(self, start: int, end: int) -> list[SourceSegment]:
        """Segments overlapping text[start:end], in order."""
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        out = []
        while i < len(self.segments) and self.segments[i].start < end:
            seg = self.segments[i]
            if seg.end > start:
                out.append(seg)
            i += 1
        return out


@dataclass
class Span:
    start: int
    end: int
    label: str = ""

    def text(self, doc: "Doc") -> str:
        return doc.text[self.start:self.end]


@dataclass
class Section:
    number: int  # 1..6
    heading: Optional[str]
    start: Optional[int]  # start of the heading (or of the inferred content)
    end: Optional[int]
    found: bool
    heading_end: Optional[int] = None  # where the body starts
    inferred: bool = False  # found by its content because the heading was lost

    @property
    def body_start(self) -> Optional[int]:
        return self.heading_end if self.heading_end is not None else self.start

    def to_json(self) -> dict:
        return {"number": self.number, "heading": self.heading, "start": self.start,
                "end": self.end, "found": self.found}


@dataclass
class Cell:
    """One typed table value with the span of the text it was read from."""

    key: str
    value: float | int
    start: int
    end: int
    raw: str


@dataclass
class Table:
    name: str  # "table2" | "table3" | "table4"
    start: int
    end: int
    cells: dict[str, Cell] = field(default_factory=dict)
    layout: str = "2021"  # or "obsolete"

    def values(self) -> dict[str, float | int]:
        return {k: c.value for k, c in self.cells.items()}

    def get(self, key: str) -> Optional[float | int]:
        cell = self.cells.get(key)
        return None if cell is None else cell.value


@dataclass
class Finding:
    rule: str
    category: str
    severity: str
    start: int
    end: int
    quote: str
    message: str
    section: Optional[int] = None
    suggestions: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    confidence: float = 1.0
    id: str = ""

    def to_json(self) -> dict:
        out = {"id": self.id, "rule": self.rule, "category": self.category,
               "severity": self.severity, "section": self.section,
               "start": self.start, "end": self.end, "quote": self.quote,
               "message": self.message}
        if self.suggestions:
            out["suggestions"] = list(self.suggestions)
        if self.evidence:
            out["evidence"] = self.evidence
        out["confidence"] = round(float(self.confidence), 3)
        return out


# The layers ingestion fills (ingest/builder.py); components add the others.
INGESTED: tuple[str, ...] = ("text", "source_map", "source", "grids", "table_spans")


class Tokens:
    """The jieba tokens of every narrative paragraph: (paragraph start in `Doc.text`, the
    paragraph's spaCy `Doc`), plus an offset index built on first use."""

    def __init__(self, parsed: list[tuple[int, Any]] | None = None):
        self.parsed: list[tuple[int, Any]] = parsed or []
        self._index: Optional[tuple[list[int], list[tuple[int, int, str]]]] = None

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return iter(self.parsed)

    def __len__(self) -> int:
        return len(self.parsed)

    def __getitem__(self, i: int) -> tuple[int, Any]:
        return self.parsed[i]

    def index(self) -> tuple[list[int], list[tuple[int, int, str]]]:
        """(sorted start offsets, (start, end, text) of every non-space token), cached."""
        if self._index is None:
            toks = sorted((p + t.idx, p + t.idx + len(t.text), t.text)
                          for p, sdoc in self.parsed for t in sdoc if not t.is_space)
            self._index = ([t[0] for t in toks], toks)
        return self._index

    def between(self, start: int, end: int) -> list[str]:
        """The texts of the tokens that lie inside text[start:end]."""
        starts, toks = self.index()
        i = bisect.bisect_left(starts, start)
        out = []
        while i < len(toks) and toks[i][0] < end:
            if toks[i][1] <= end:
                out.append(toks[i][2])
            i += 1
        return out


@dataclass
class Doc:
    """The document and every layer the pipeline adds. Each layer is a field named as
    in its component's `assigns` (component.py); `layers` says which are filled so far.
    `user_data` belongs to the caller: no component reads or writes it."""

    text: str
    source_map: SourceMap
    source: dict  # filename, format, sha256, chars, encoding…
    # Ingestion: real tables (docx/html/pdf) as cell spans, and their outer spans.
    grids: list["Grid"] = field(default_factory=list)
    table_spans: list[Span] = field(default_factory=list)
    # "sections": title, agency, year, the six sections, and the heading slips it saw.
    title: Optional[str] = None
    title_span: Optional[Span] = None
    agency: Optional[str] = None
    year: Optional[int] = None
    sections: list[Section] = field(default_factory=list)
    section_duplicates: list["HeadingCandidate"] = field(default_factory=list)
    section_misnumbered: list["HeadingCandidate"] = field(default_factory=list)
    section_order: list[int] = field(default_factory=list)  # section numbers in text order
    # "tables": typed cells, what could not be read, cells written in scientific notation.
    tables: dict[str, Table] = field(default_factory=dict)
    table_issues: list["ParseIssue"] = field(default_factory=list)
    sci_cells: list[tuple[str, str, "Token"]] = field(default_factory=list)  # (table, key, token)
    # "previous_report": last year's report (Options.previous) as the year-over-year rules compare it.
    previous_report: Optional["PreviousReport"] = None
    # "sentences": narrative paragraphs and sentences, and their spaCy/jieba tokens.
    paragraphs: list[Span] = field(default_factory=list)
    sentences: list[Span] = field(default_factory=list)
    tokens: Tokens = field(default_factory=Tokens)
    # "claims": narrative statements of table quantities; every number with a unit, per unit.
    claims: list["Claim"] = field(default_factory=list)
    quantities: list[tuple[Span, "Compact", list["Mention"]]] = field(default_factory=list)
    # "elements": the contract's elements, the labelled units, aspects only named in passing.
    elements: dict[str, dict] = field(default_factory=dict)
    element_units: dict[int, list[tuple["Unit", tuple[str, float, list[str]]]]] = field(default_factory=dict)
    element_mentions: dict[str, dict] = field(default_factory=dict)
    # "boilerplate": per-sentence judgements, copies from last year, foreign place names.
    boilerplate: Optional["BoilerplateAnalysis"] = None
    # "checks" and "scores".
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # why a rule stayed silent (no model…)
    scores: dict[str, Any] = field(default_factory=dict)
    timing_ms: Optional[float] = None  # set by the review entry points (pipeline.py)
    layers: set[str] = field(default_factory=lambda: set(INGESTED))
    user_data: dict[str, Any] = field(default_factory=dict)

    def has(self, layer: str) -> bool:
        """Whether a component (or ingestion) has filled `layer`."""
        return layer in self.layers

    def section(self, number: int) -> Optional[Section]:
        for s in self.sections:
            if s.number == number and s.found:
                return s
        return None

    def section_of(self, offset: int) -> Optional[int]:
        for s in self.sections:
            if s.found and s.start is not None and s.end is not None and s.start <= offset < s.end:
                return s.number
        return None

    def section_text(self, number: int) -> str:
        s = self.section(number)
        if s is None:
            return ""
        return self.text[s.body_start:s.end]

    def sentences_in(self, start: int, end: int) -> list[Span]:
        return [s for s in self.sentences if s.start >= start and s.end <= end]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset in `text`."""
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, col

    def in_table(self, offset: int) -> bool:
        for t in self.tables.values():
            if t.start <= offset < t.end:
                return True
        for s in self.table_spans:
            if s.start <= offset < s.end:
                return True
        return False
