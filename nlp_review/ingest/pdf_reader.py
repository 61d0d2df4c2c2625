"""PDF with a text layer → `RawDocument`: paragraphs rebuilt from the page geometry, ruled
tables as tables.

**Characters.** Every page's characters and their boxes come from PDFium (pypdfium2; a few
ms a page against tens for pdfminer, `bench/pdf_cost.py`): the glyphs the PDF
draws, with their advance boxes and font size; characters PDFium generates (spaces and
line ends it infers) are not taken. `page_lines(chars)` groups them into lines (by their
top, then left to right), keeping the space glyphs the PDF draws and inserting a space
where two neighbours leave a visible gap. Those lines define the source locations
{"page": p, "line": l} (both 1-based) with `offset` = the character offset in
`pdf_lines(data)[p - 1][l - 1].text`; every character of a page belongs to exactly one line,
in and outside tables alike.

**Tables.** Ruled tables: the page's straight horizontal and vertical path segments (PDFium,
through form XObjects, in page coordinates) go to pdfplumber's table finder as explicit
rules (`TableFinder` with the "explicit" strategies — the same snapping, joining and cell
building as `page.find_tables()`, without pdfminer parsing the page again; measured equal
to it within 1 pt on every page of the office-made fixtures). Each table becomes a
`TableBlock` whose rows keep the table's columns: a position covered by a spanned cell is
an empty merged cell, a cell's text is its characters, one paragraph per line. Lines
outside tables are paragraphs, in reading order (top to bottom).

**Page furniture.** Lines in the top or bottom band of a page that are page numbers
(“- 3 -”, “— 3 —”, “第3页 共9页”, “3/9”, “3”), that repeat (digits ignored) on at least
half of the pages, or that repeat a line of an earlier page (the title as a running header
from page two on) are dropped.

**Paragraphs from geometry** (`mark_wraps`). The text column's left and right edges are
the left and right ends shared by most body lines (justified text: the right end of
every line but a paragraph's last; ragged text: a wider tolerance). A line continues on
the next one when it reaches the right edge, unless the next line is indented (a first-
line indent: a new paragraph), or it ends with a colon and the next line starts a heading
or item, or it ends a sentence (。！？) and either the document does not indent first lines
(nothing then tells a new paragraph from a continuation) or the next line is a heading in
another font or size (“二是…” in the body font goes on). A line short of the edge ends its
paragraph (one ending in 。；：！？ always) — except a line less than three characters
short that closes no sentence, before a line that is neither indented nor a heading
(ragged text, a character pushed down by the line-breaking rules), and the lines of a
wrapped centred title. A line that starts with closing punctuation (“，” “。” “）” … pushed
to the next line by a producer without line-breaking rules) always continues the line
before; a change of font size always ends a paragraph. Lines with wide gaps inside
(columns of an unruled table) are never joined. Whitespace glyphs at a line's ends (tab
runs that fill a line to the margin or beyond) are not text: the join is exact.

Errors (InputError, Chinese message): encrypted (needs a password), corrupt, more pages
than `max_pages`, more than `limits.MAX_PDF_PAGE_CHARS` characters on a page or more text
than a review takes, over `timeout_s` of processing, and no text layer (scanned). A page
drawing more than `limits.MAX_PDF_PAGE_RULES` rule segments is read without tables.
"""
from __future__ import annotations

import bisect
import re
import signal
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError
from .blocks import Paragraph, Piece, RawDocument, TableBlock, TableCell
from .limits import MAX_PDF_PAGE_CHARS, MAX_PDF_PAGE_RULES, check_read_chars
from .text_reader import HEADING_START

SCANNED_MESSAGE = "PDF 无文字层（可能是扫描件），请提供可复制文字的 PDF 或先进行 OCR"
SENTENCE_FINAL = set("。！？；：!?;:…")  # a line short of the edge ending in one of these ends its paragraph
SENTENCE_END = set("。！？!?…")  # a full line ending in one of these may end its paragraph
CLOSING = set("，。、；：！？）》」』”’…%,.;:!?)]")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~]{0,2}\s*\d{1,4}\s*[-—–－~]{0,2}|第\s*\d{1,4}\s*页(?:\s*[，,/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}|[Pp](?:age|\.)?\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$")
_MARGIN_BAND = 0.1  # top and bottom tenth of the page: running headers and footers
_NUMBER_BAND = 0.15  # page numbers may sit a little further in
# PDFium is not thread-safe (not even across documents): one reader at a time.
_PDFIUM_LOCK = threading.RLock()  # PDFium is not thread-safe; images.py takes it too


class _Timeout(BaseException):
    """Not an Exception: pdfminer's own `except Exception` blocks must not swallow it."""


@dataclass
class Line:
    """One text line of a page: its characters (dicts: text, x0, x1, top, bottom, size)."""

    number: int  # 1-based
    chars: list = field(default_factory=list)
    offsets: list = field(default_factory=list)  # offset of chars[k] in text
    text: str = ""


def page_lines(chars: list[dict]) -> list[Line]:
    """A page's text lines (see the module docstring); index + 1 is loc "line"."""
    chars = sorted(chars, key=lambda c: (c["top"], c["x0"]))
    groups: list[list] = []
    for c in chars:
        if groups:
            g = groups[-1]
            ref = g[0]
            tol = max(1.0, 0.5 * min(ref.get("size") or 10, c.get("size") or 10))
            if abs(c["top"] - ref["top"]) <= tol:
                g.append(c)
                continue
        groups.append([c])
    lines = []
    for n, g in enumerate(groups, start=1):
        g.sort(key=lambda c: c["x0"])
        line = Line(number=n)
        parts: list[str] = []
        pos = 0
        prev = None
        for c in g:
            if prev is not None and " " not in (prev["text"], c["text"]):
                gap = c["x0"] - prev["x1"]
                if gap > 0.3 * min(prev.get("size") or 10, c.get("size") or 10):
                    parts.append(" ")
                    pos += 1
            line.chars.append(c)
            line.offsets.append(pos)
            parts.append(c["text"])
            pos += len(c["text"])
            prev = c
        line.text = "".join(parts)
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------
# PDFium: characters, rules, images


@dataclass
class _PageData:
    number: int
    width: float
    height: float
    chars: list
    edges: list  # horizontal and vertical rule segments (pdfplumber edge dicts, top-based)
    images: int
    unmapped: int  # characters without a Unicode mapping


def _pdfium_chars(page) -> tuple[list[dict], int]:
    import ctypes

    import pypdfium2.raw as raw

    tp = page.get_textpage()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    try:
        left, _bottom, _right, top = page.get_mediabox()
        out, unmapped = [], 0
        n = tp.count_chars()
        if n > MAX_PDF_PAGE_CHARS:
            raise InputError("too_complex", f"PDF 单页文字过多（{n} 个字符，上限 {MAX_PDF_PAGE_CHARS}），"
                                            "不像正常的年报页面，已拒绝处理。", f"{n} chars on a page")
        for i in range(n):
            if raw.FPDFText_IsGenerated(tp.raw, i) == 1:
                continue
            code = raw.FPDFText_GetUnicode(tp.raw, i)
            if code in (0, 0xFFFE, 0xFFFF) or (code < 0x20 and code != 0x09) or 0xD800 <= code <= 0xDFFF:
                continue
            ch = chr(code)
            if ch != " " and ch.isspace():
                continue  # tabs and line ends are not glyphs
            if raw.FPDFText_HasUnicodeMapError(tp.raw, i) == 1:
                unmapped += 1
            x0, y0, x1, y1 = tp.get_charbox(i, loose=True)
            raw.FPDFText_GetFontInfo(tp.raw, i, name, 128, ctypes.byref(flags))
            out.append({"text": ch, "x0": x0 - left, "x1": x1 - left, "top": top - y1, "bottom": top - y0,
                        "size": raw.FPDFText_GetFontSize(tp.raw, i), "font": name.value.decode("latin-1")})
        return out, unmapped
    finally:
        tp.close()


def _mul(m1: tuple, m2: tuple) -> tuple:
    """The affine matrix m1 followed by m2 (PDF order a b c d e f)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _page_rules(page) -> tuple[list[dict], int]:
    """(the horizontal and vertical straight segments the page draws, in the edge form
    pdfplumber's table finder takes, top-based like the characters; number of images).
    Every path's segments are transformed by its object matrix, through form XObjects."""
    import ctypes

    import pypdfium2.raw as raw

    left, _bottom, _right, top = page.get_mediabox()
    edges: list[dict] = []
    images = 0
    x, y = ctypes.c_float(), ctypes.c_float()
    fm = raw.FS_MATRIX()

    def add(p, q):
        if len(edges) > MAX_PDF_PAGE_RULES:
            return  # find_tables reads such a page as text
        (x0, y0), (x1, y1) = p, q
        if abs(y0 - y1) < 0.5 and abs(x1 - x0) >= 1:
            xa, xb = sorted((x0, x1))
            edges.append({"object_type": "line_edge", "orientation": "h", "x0": xa - left, "x1": xb - left,
                          "top": top - y0, "bottom": top - y0, "width": xb - xa, "height": 0.0})
        elif abs(x0 - x1) < 0.5 and abs(y1 - y0) >= 1:
            ya, yb = sorted((y0, y1))
            edges.append({"object_type": "line_edge", "orientation": "v", "x0": x0 - left, "x1": x0 - left,
                          "top": top - yb, "bottom": top - ya, "width": 0.0, "height": yb - ya})

    def path(handle, m):
        a, b, c, d, e, f = m
        start = prev = None
        for i in range(raw.FPDFPath_CountSegments(handle)):
            seg = raw.FPDFPath_GetPathSegment(handle, i)
            raw.FPDFPathSegment_GetPoint(seg, x, y)
            pt = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = prev = pt
                continue
            if kind == raw.FPDF_SEGMENT_LINETO and prev is not None:
                add(prev, pt)
            prev = pt
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                add(prev, start)
                prev = start

    def visit(handle, parent: tuple, depth: int) -> None:
        nonlocal images
        kind = raw.FPDFPageObj_GetType(handle)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
            return
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            return
        raw.FPDFPageObj_GetMatrix(handle, fm)
        m = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), parent)
        if kind == raw.FPDF_PAGEOBJ_PATH:
            path(handle, m)
        elif depth < 8:
            for i in range(raw.FPDFFormObj_CountObjects(handle)):
                visit(raw.FPDFFormObj_GetObject(handle, i), m, depth + 1)

    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        visit(raw.FPDFPage_GetObject(page.raw, i), (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0)
    return edges, images


def _open_pdfium(data: bytes):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            raise InputError("encrypted", "PDF 已加密（需要密码才能打开），无法读取。请取消密码保护后重新提交。",
                             "PdfiumError: password")
        raise InputError("corrupt", "PDF 文件已损坏或不完整，无法读取。请重新导出 PDF 后提交。", f"PdfiumError: {e}")


def _read_pages(data: bytes, max_pages: int, deadline: "_Deadline") -> list[_PageData]:
    with _PDFIUM_LOCK:
        pdf = _open_pdfium(data)
        try:
            n_pages = len(pdf)
            if n_pages > max_pages:
                raise InputError("too_many_pages", f"PDF 共 {n_pages} 页，超过上限 {max_pages} 页，不像单份年度报告。",
                                 f"{n_pages} pages")
            if n_pages == 0:
                raise InputError("corrupt", "PDF 文件没有任何页面。")
            pages = []
            n_chars = 0
            for i in range(n_pages):
                deadline.check()
                page = pdf[i]
                try:
                    width, height = page.get_size()
                    chars, unmapped = _pdfium_chars(page)
                    edges, images = _page_rules(page)
                finally:
                    page.close()
                n_chars += len(chars)
                check_read_chars(n_chars)
                pages.append(_PageData(i + 1, width, height, chars, edges, images, unmapped))
            return pages
        finally:
            pdf.close()


@dataclass
class _PageBox:
    """What pdfplumber's table finder needs of a page when every rule is given explicitly."""

    bbox: tuple


def find_tables(page: _PageData) -> list[tuple[tuple, list[list]]]:
    """Ruled tables of a page: [(bbox, rows of cell bboxes — None where a spanned cell
    covers the position)], by pdfplumber's table finder (`TableFinder` with the
    "explicit" strategies) on the page's own rule segments."""
    horizontal = [e for e in page.edges if e["orientation"] == "h"]
    vertical = [e for e in page.edges if e["orientation"] == "v"]
    if len(horizontal) < 2 or len(vertical) < 2 or len(page.edges) > MAX_PDF_PAGE_RULES:
        return []
    from pdfplumber.table import TableFinder

    settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                "explicit_vertical_lines": vertical, "explicit_horizontal_lines": horizontal}
    try:
        tables = TableFinder(_PageBox((0, 0, page.width, page.height)), settings).tables
    except Exception:  # a drawing the finder cannot reduce to a grid: read as text
        return []
    return [(t.bbox, [list(row.cells) for row in t.rows]) for t in tables]


def pdf_lines(data: bytes) -> list[list[Line]]:
    """Every page's `page_lines` — the reference for {"page", "line", "offset"} locations."""
    pages = _read_pages(data, 10_000, _Deadline(0))
    return [page_lines(p.chars) for p in pages]


# ---------------------------------------------------------------------------------------
# Lines and tables of a page


def _pieces(items: list[tuple[Line, int]], page_no: int) -> list[Piece]:
    """Pieces for (line, char index) items of one line, contiguous stretches merged."""
    pieces: list[Piece] = []
    for line, k in items:
        start = line.offsets[k]
        end = start + len(line.chars[k]["text"])
        if pieces and pieces[-1].loc["line"] == line.number and pieces[-1].offset + len(pieces[-1].text) >= start - 1:
            last = pieces[-1]
            last.text = line.text[last.offset:end]  # includes a synthetic gap space between them
        else:
            pieces.append(Piece(line.text[start:end], {"page": page_no, "line": line.number}, start))
    return pieces


def _inside(c: dict, bbox) -> bool:
    x = (c["x0"] + c["x1"]) / 2
    y = (c["top"] + c["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


@dataclass
class _TextLine:
    """The part of a page line that lies outside tables, whitespace glyphs at its ends left out."""

    line: Line
    idx: list  # char indexes in line.chars
    page: int
    page_height: float

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces())

    def pieces(self) -> list[Piece]:
        return _pieces([(self.line, k) for k in self.idx], self.page)

    def _c(self, k: int) -> dict:
        return self.line.chars[self.idx[k]]

    def x0(self) -> float:
        return self._c(0)["x0"]

    def x1(self) -> float:
        return self._c(-1)["x1"]

    def top(self) -> float:
        return min(self.line.chars[k]["top"] for k in self.idx)

    def bottom(self) -> float:
        return max(self.line.chars[k]["bottom"] for k in self.idx)

    def size(self) -> float:
        return statistics.median(self.line.chars[k].get("size") or 10 for k in self.idx)

    def char_width(self) -> float:
        """A full-width character's advance (the font size when the line has none)."""
        wide = [c["x1"] - c["x0"] for c in (self.line.chars[k] for k in self.idx) if ord(c["text"]) > 0x2E80]
        return statistics.median(wide) if wide else self.size()

    def max_gap(self) -> float:
        chars = [self.line.chars[k] for k in self.idx]
        return max((b["x0"] - a["x1"] for a, b in zip(chars, chars[1:])), default=0.0)


def _read_page(page: _PageData, grids: list) -> list[tuple[float, str, object]]:
    """(top, kind, item) in reading order: ("table", TableBlock) | ("line", _TextLine)."""
    lines = page_lines(page.chars)
    items: list[tuple[float, str, object]] = []
    # Every character with its centre, sorted by the centre's height, to find the ones in a box.
    placed = sorted(((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, line.number, k)
                    for line in lines for k, c in enumerate(line.chars))
    ys = [p[0] for p in placed]

    def chars_in(box) -> list[tuple[int, int]]:
        lo, hi = bisect.bisect_left(ys, box[1]), bisect.bisect_right(ys, box[3])
        return [(n, k) for _y, x, n, k in placed[lo:hi] if box[0] <= x <= box[2]]

    in_table: set[tuple[int, int]] = set()
    by_number = {line.number: line for line in lines}
    for t_i, (bbox, rows) in enumerate(grids):
        mine = set(chars_in(bbox)) - in_table
        block = TableBlock(loc={"page": page.number, "table": t_i + 1})
        for row in rows:
            cells = []
            for cb in row:
                if cb is None:
                    cells.append(TableCell(merged=True))
                    continue
                found: dict[int, list[int]] = {}
                for n, k in sorted(set(chars_in(cb)) & mine):
                    found.setdefault(n, []).append(k)
                paras = [Paragraph(pieces=_pieces([(by_number[n], k) for k in ks], page.number))
                         for n, ks in sorted(found.items())]
                cells.append(TableCell(paragraphs=paras))
            block.rows.append(cells)
        in_table |= mine
        items.append((bbox[1], "table", block))
    for line in lines:
        idx = [k for k in range(len(line.chars)) if (line.number, k) not in in_table]
        while idx and line.chars[idx[0]]["text"].isspace():
            idx.pop(0)
        while idx and line.chars[idx[-1]]["text"].isspace():
            idx.pop()
        if idx:
            tl = _TextLine(line, idx, page.number, page.height)
            items.append((tl.top(), "line", tl))
    items.sort(key=lambda it: (it[0], 0 if it[1] == "table" else 1))
    return items


def _running_lines(pages: list[list[tuple[float, str, object]]], heights: list[float]) -> set[int]:
    """ids of header/footer lines: page numbers in the top or bottom band; text in the
    margin bands repeated on at least half of the pages; and a margin line after page one
    that repeats a line of an earlier page or the document's opening (a running title)."""
    def key(item) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", item.text))

    banded = []
    first_page: dict[str, int] = {}  # key → the first page any line with it is on
    opening = ""  # the first lines of the document, where its title is (perhaps wrapped)
    for items, height in zip(pages, heights):
        for _top, kind, item in items:
            if kind != "line":
                continue
            first_page.setdefault(key(item), item.page)
            if item.page == 1 and len(opening) < 120:
                opening += key(item)
            if item.bottom() < _NUMBER_BAND * height or item.top() > (1 - _NUMBER_BAND) * height:
                banded.append((item, item.bottom() < _MARGIN_BAND * height or item.top() > (1 - _MARGIN_BAND) * height))
    counts: dict[str, set] = {}
    for item, in_margin in banded:
        if in_margin:
            counts.setdefault(key(item), set()).add(item.page)
    drop = set()
    for item, in_margin in banded:
        text = re.sub(r"\s+", " ", item.text).strip()
        k = key(item)
        repeated = in_margin and len(pages) >= 2 and len(counts.get(k, ())) >= max(2, len(pages) / 2)
        echoed = in_margin and len(k) >= 6 and item.page > 1 and (first_page[k] < item.page or k in opening)
        if _PAGE_NUMBER.match(text) or repeated or echoed:
            drop.add(id(item))
    return drop


# ---------------------------------------------------------------------------------------
# Paragraphs from geometry


@dataclass
class Column:
    left: float
    right: float
    ragged: bool
    indents: bool  # the document indents first lines
    body_size: float
    body_font: str


def _well_populated(values: list[float], width: float, share: float) -> list[float]:
    """Centres of the value bins (of `width`) that hold at least `share` of the values."""
    if not values:
        return []
    bins = Counter(round(v / width) for v in values)
    need = max(2, share * len(values))
    return sorted(b * width for b, n in bins.items() if n >= need)


def column_of(lines: list[_TextLine]) -> Optional[Column]:
    body = [tl for tl in lines if len(tl.idx) >= 6 and tl.max_gap() < 2 * tl.char_width()]
    if len(body) < 3:
        return None
    w = statistics.median(tl.char_width() for tl in body)
    lefts = _well_populated([tl.x0() for tl in body], 0.5 * w, 0.15)
    left = lefts[0] if lefts else min(tl.x0() for tl in body)
    rights = _well_populated([tl.x1() for tl in body], 0.5 * w, 0.1)
    x1s = sorted(tl.x1() for tl in body)
    right = rights[-1] if rights else x1s[int(0.9 * (len(x1s) - 1))]
    at_edge = sum(1 for tl in body if abs(tl.x1() - right) <= 0.6 * w)
    near_edge = sum(1 for tl in body if right - 3 * w <= tl.x1() <= right + w)
    ragged = at_edge < 0.6 * near_edge
    indented = sum(1 for tl in body if 1.5 * w <= tl.x0() - left <= 4.5 * w)
    fonts = Counter(tl.line.chars[k].get("font", "") for tl in body for k in tl.idx)
    return Column(left, right, ragged, indented >= max(2, 0.1 * len(body)),
                  statistics.median(tl.size() for tl in body), fonts.most_common(1)[0][0])


def _continues(cur: _TextLine, nxt: _TextLine, col: Column) -> bool:
    cur_text, nxt_text = cur.text, nxt.text
    w = cur.char_width()
    if cur.max_gap() > 2 * w or nxt.max_gap() > 2 * nxt.char_width():
        return False  # columns of an unruled table
    if nxt_text[0] in CLOSING:
        return True  # punctuation pushed to the next line
    if abs(cur.size() - nxt.size()) >= 0.5:
        return False  # another style: a heading, a caption
    indented = nxt.x0() > col.left + 0.8 * nxt.char_width()
    last = cur_text[-1]
    tolerance = (2.5 if col.ragged else 1.2) * w
    if col.right - tolerance <= cur.x1() <= col.right + 1.5 * w:  # reaches the right edge
        if indented:
            return False
        if last in "：:" and HEADING_START.match(nxt_text):
            return False  # “…如下：” then a heading or item
        if last in SENTENCE_END:
            # The sentence ended at the margin. Where first lines are indented, an unindented
            # line continues — unless it is a heading in another font or size (“二是” in the
            # body font is the paragraph going on).
            if not col.indents:
                return False
            first_font = nxt.line.chars[nxt.idx[0]].get("font", "")
            if HEADING_START.match(nxt_text) and (first_font != col.body_font
                                                   or abs(nxt.size() - col.body_size) >= 0.5):
                return False
        return True
    if (cur.x1() >= col.right - 2.5 * w and last not in SENTENCE_FINAL and not indented
            and not HEADING_START.match(nxt_text)):
        return True  # a line a character or two short: the next word did not fit
    centre = (col.left + col.right) / 2
    if (cur.size() >= 1.15 * col.body_size and abs((cur.x0() + cur.x1()) / 2 - centre) <= 1.5 * w
            and abs((nxt.x0() + nxt.x1()) / 2 - centre) <= 1.5 * w and cur.x1() - cur.x0() >= col.right - col.left - 4 * w):
        return True  # a wrapped centred title
    return False


def mark_wraps(pairs: list[tuple[Paragraph, Optional[_TextLine]]]) -> None:
    """Set `wraps` on each paragraph whose line continues on the next (module docstring);
    a table between two lines (a pair with line None) breaks the chain."""
    col = column_of([tl for _p, tl in pairs if tl is not None])
    if col is None:
        return
    for (para, cur), (_nxt_para, nxt) in zip(pairs, pairs[1:]):
        if cur is None or nxt is None:
            continue
        cur_text, nxt_text = cur.text, nxt.text
        if cur_text[-1].isascii() and cur_text[-1].isalpha() and nxt_text[0].isascii() and nxt_text[0].isalpha():
            continue  # joining would glue two words
        if _continues(cur, nxt, col):
            para.wraps = True


# ---------------------------------------------------------------------------------------


class _Deadline:
    """Per-page deadline checks, plus SIGALRM to interrupt a single stuck page (main thread only)."""

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.end = time.monotonic() + timeout_s if timeout_s > 0 else float("inf")
        self.alarm = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                      and timeout_s > 0)
        self._old = None

    def __enter__(self):
        if self.alarm:
            def _raise(signum, frame):
                raise _Timeout()
            self._old = signal.signal(signal.SIGALRM, _raise)
            signal.setitimer(signal.ITIMER_REAL, self.timeout_s)
        return self

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise _Timeout()

    def __exit__(self, *exc):
        if self.alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)
        return False


def read_pdf(data: bytes, max_pages: int = 200, timeout_s: float = 60.0) -> RawDocument:
    try:
        with _Deadline(timeout_s) as deadline:
            pages = _read_pages(data, max_pages, deadline)
            content = []
            for p in pages:
                deadline.check()
                content.append(_read_page(p, find_tables(p)))
            deadline.check()
    except _Timeout:
        raise InputError("timeout", f"PDF 处理超时（超过 {timeout_s:g} 秒），文件可能过于复杂或已损坏。",
                         f"timeout after {timeout_s}s")
    except InputError:
        raise
    except Exception as e:
        raise InputError("corrupt", "PDF 内容损坏，无法提取文字。请重新导出 PDF 后提交。", f"{type(e).__name__}: {e}")
    drop = _running_lines(content, [p.height for p in pages])
    blocks: list = []
    pairs: list[tuple[Paragraph, Optional[_TextLine]]] = []
    n_chars = 0
    for items in content:
        for _top, kind, item in items:
            if kind == "table":
                blocks.append(item)
                pairs.append((Paragraph(), None))
                n_chars += sum(len(cell.text) for row in item.rows for cell in row)
                continue
            if id(item) in drop:
                continue
            para = Paragraph(pieces=item.pieces())
            blocks.append(para)
            pairs.append((para, item))
            n_chars += len(para.text)
    unmapped = sum(p.unmapped for p in pages)
    if n_chars == 0:
        images = any(p.images for p in pages)
        raise InputError("scanned", SCANNED_MESSAGE, "no characters" + (" (images only)" if images else ""))
    if unmapped > 0.5 * max(1, sum(len(p.chars) for p in pages)):
        raise InputError("no_unicode", "PDF 的文字无法提取（字体缺少字符编码映射），请提供可复制文字的 PDF 或先进行 OCR。",
                         f"{unmapped} glyphs without Unicode")
    mark_wraps(pairs)
    return RawDocument(format="pdf", blocks=blocks, meta={"pages": len(pages)})
