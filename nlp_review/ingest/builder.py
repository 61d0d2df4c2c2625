"""Blocks → `Doc.text` + source map, with the normalisation that keeps offsets honest.

Character normalisation is one-to-one where it can be (NBSP and U+3000 become a plain
space, full-width digits become ASCII digits: same length, same offsets). Characters
that carry nothing (BOM, zero-width spaces, CR) are dropped, and paragraphs the reader
marked as wrapped (PDF line breaks inside a sentence) are joined without their line
break. Either way every kept character stays mapped to its exact source position.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..doc import Doc, SourceMap, SourceSegment, Span
from .blocks import Paragraph, Piece, RawDocument, TableBlock

_SPACE_LIKE = {"\u00a0", "\u3000", "\u2002", "\u2003", "\u2009", "\u202f", "\u2007", "\u205f"}
_DROP = {"\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\r", "\x00"}
_FULLWIDTH_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)}


def normalize_char(ch: str) -> str | None:
    """The character as it appears in `Doc.text`, or None to drop it."""
    if ch in _DROP:
        return None
    if ch in _SPACE_LIKE:
        return " "
    return _FULLWIDTH_DIGITS.get(ch, ch)


@dataclass
class Grid:
    """A real table (docx/html/pdf) as spans of its cells in `Doc.text`."""

    span: Span
    rows: list[list[Span]] = field(default_factory=list)


class _TextBuilder:
    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.pos = 0
        self.smap = SourceMap()

    def emit_piece(self, piece: Piece) -> None:
        seg_start = None
        seg_src = 0
        for k, ch in enumerate(piece.text):
            out = normalize_char(ch)
            if out is None:
                if seg_start is not None:
                    self.smap.add(SourceSegment(seg_start, self.pos, piece.loc, seg_src))
                    seg_start = None
                continue
            if seg_start is None:
                seg_start, seg_src = self.pos, piece.offset + k
            self.chunks.append(out)
            self.pos += 1
        if seg_start is not None:
            self.smap.add(SourceSegment(seg_start, self.pos, piece.loc, seg_src))

    def emit_synthetic(self, s: str) -> None:
        """Separators the builder adds (newline between paragraphs, tab between cells)."""
        self.chunks.append(s)
        self.pos += len(s)

    def text(self) -> str:
        return "".join(self.chunks)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in "，。、；：（）“”《》"


def join_wrapped(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Merge each paragraph marked `wraps` with the next non-empty one."""
    out: list[Paragraph] = []
    pending: Paragraph | None = None
    for para in paragraphs:
        if pending is not None:
            if not para.text.strip():
                continue  # a blank line inside a wrapped sentence (page break)
            pending = Paragraph(pieces=pending.pieces + para.pieces, wraps=para.wraps)
        else:
            pending = para
        if not pending.wraps:
            out.append(pending)
            pending = None
    if pending is not None:
        out.append(Paragraph(pieces=pending.pieces))
    return out


def build_doc(raw: RawDocument, filename: str | None, data: bytes) -> Doc:
    b = _TextBuilder()
    grids: list[Grid] = []
    blocks = raw.blocks
    # Join wrapped paragraphs (runs of Paragraph blocks only; tables break a run).
    merged: list = []
    run: list[Paragraph] = []
    for blk in blocks:
        if isinstance(blk, Paragraph):
            run.append(blk)
        else:
            merged.extend(join_wrapped(run))
            run = []
            merged.append(blk)
    merged.extend(join_wrapped(run))

    first = True
    for blk in merged:
        if not first:
            b.emit_synthetic("\n")
        first = False
        if isinstance(blk, Paragraph):
            for piece in blk.pieces:
                b.emit_piece(piece)
        elif isinstance(blk, TableBlock):
            t_start = b.pos
            grid = Grid(span=Span(t_start, t_start, "table"))
            for r, row in enumerate(blk.rows):
                if r:
                    b.emit_synthetic("\n")
                spans = []
                for c, cell in enumerate(row):
                    if c:
                        b.emit_synthetic("\t")
                    c_start = b.pos
                    prev_last = ""
                    for p_i, para in enumerate(cell.paragraphs):
                        ptext = para.text.strip()
                        if not ptext:
                            continue
                        if p_i and prev_last and b.pos > c_start:
                            # Wrapped label inside a cell: join CJK without a space.
                            if not (_is_cjk(prev_last) and _is_cjk(ptext[0])):
                                b.emit_synthetic(" ")
                        for piece in para.pieces:
                            b.emit_piece(piece)
                        prev_last = ptext[-1]
                    spans.append(Span(c_start, b.pos, "merged" if cell.merged else "cell"))
                grid.rows.append(spans)
            grid.span.end = b.pos
            grids.append(grid)
    text = b.text()
    source = {
        "filename": filename,
        "format": raw.format,
        "sha256": hashlib.sha256(data).hexdigest(),
        "chars": len(text),
    }
    source.update({k: v for k, v in raw.meta.items() if k in ("encoding", "pages", "ocr", "converted_from")})
    doc = Doc(text=text, source_map=b.smap, source=source)
    doc.table_spans = [g.span for g in grids]
    doc.grids = grids
    return doc
