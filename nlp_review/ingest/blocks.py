"""What a format reader produces: paragraphs and tables in document order, each piece of
text tagged with where it came from. `builder.build_doc` turns this into `Doc.text` plus
the source map; readers never compute text offsets themselves."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass
class Piece:
    """A stretch of source text: `text[k]` is at `loc` + offset `offset + k`."""

    text: str
    loc: dict
    offset: int = 0


@dataclass
class Paragraph:
    pieces: list[Piece] = field(default_factory=list)
    # True when the reader knows the next paragraph continues this one (PDF line wrap).
    wraps: bool = False

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass
class TableCell:
    paragraphs: list[Paragraph] = field(default_factory=list)
    # True for a grid position covered by a merged cell that was emitted earlier (docx
    # gridSpan/vMerge, HTML colspan/rowspan, PDF spanned cell): empty, never a value.
    merged: bool = False

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.paragraphs)


@dataclass
class TableBlock:
    rows: list[list[TableCell]] = field(default_factory=list)
    loc: dict = field(default_factory=dict)


Block = Union[Paragraph, TableBlock]


@dataclass
class RawDocument:
    format: str  # txt | docx | pdf | html | md
    blocks: list[Block]
    meta: dict = field(default_factory=dict)  # encoding, pages, detected by…
