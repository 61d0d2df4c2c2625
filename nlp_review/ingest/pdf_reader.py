"""PDF with a text layer → `RawDocument` (pdfplumber).

Per page, the characters are grouped into lines (by their top coordinate, then left to
right); space glyphs the PDF draws are kept, and a space is inserted where two neighbouring
characters are separated by a visible gap without one. `page_lines(page)` returns these lines; their numbering and text define the source
locations {"page": p, "line": l} (both 1-based) with `offset` = the character offset in
`page_lines(page)[l - 1].text`. Every character of a page belongs to exactly one line, in
and outside tables alike.

Tables are pdfplumber's `page.find_tables()` (ruled tables); each becomes a `TableBlock`
whose rows keep the table's columns: a position covered by a spanned cell (None in
pdfplumber) is an empty merged cell. A cell's text is its characters, one paragraph per
line. Lines outside tables are paragraphs. Blocks are in reading order (top to bottom).

Running headers and footers are dropped: lines in the top or bottom margin band that are
page numbers ("- 3 -", "第3页 共9页", "3/9", "3") or that repeat (digits ignored) on at
least half of the pages. A line that reaches the text block's right edge without
sentence-final punctuation (。！？…), followed by a line that is not indented and does not
start a heading or list item, is marked `wraps` so the builder joins the wrapped sentence.
When the document indents its first lines, a full line ending in 。 followed by an
unindented line is a wrap too (the sentence ended exactly at the margin).

Errors (InputError, Chinese message): encrypted (needs a password), corrupt, more pages
than `max_pages`, more than `limits.MAX_PDF_PAGE_CHARS` characters on a page or more text
than a review takes, over `timeout_s` of processing, and no text layer (scanned). Only the
fields the reader uses are kept of each character (pdfplumber's dicts are ~1 KB each).
"""
from __future__ import annotations

import io
import logging
import re
import signal
import statistics
import threading
import time
from dataclasses import dataclass, field

from ..errors import InputError
from .blocks import Paragraph, Piece, RawDocument, TableBlock, TableCell
from .limits import MAX_PDF_PAGE_CHARS, check_read_chars
from .text_reader import _HEADING_START

SCANNED_MESSAGE = "PDF 无文字层（可能是扫描件），请提供可复制文字的 PDF 或先进行 OCR"
_SENTENCE_FINAL = set("。！？!?…")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~]?\s*\d{1,4}\s*[-—–－~]?|第\s*\d{1,4}\s*页(?:\s*[，,/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$")
_MARGIN_BAND = 0.1  # top and bottom tenth of the page
# pdfminer logs every oddity of a damaged PDF in English; with no logging configured,
# Python's last-resort handler prints them on the CLI's stderr. The reader decides what
# the user hears (a Chinese InputError), so they stay out of the output; a service that
# configures logging still gets pdfminer's errors.
logging.getLogger("pdfminer").setLevel(logging.ERROR)
logging.getLogger("pdfminer").addHandler(logging.NullHandler())


class _Timeout(BaseException):
    """Not an Exception: pdfminer's own `except Exception` blocks must not swallow it."""


@dataclass
class Line:
    """One text line of a page: its characters (pdfplumber dicts) and its text."""

    number: int  # 1-based
    chars: list = field(default_factory=list)
    offsets: list = field(default_factory=list)  # offset of chars[k] in text
    text: str = ""


_CHAR_FIELDS = ("text", "x0", "x1", "top", "bottom", "size")


def _kept(chars: list) -> list:
    """Drawn characters, including real space glyphs; other whitespace is not text. Only
    the fields the reader uses are kept."""
    if len(chars) > MAX_PDF_PAGE_CHARS:
        raise InputError("too_complex", f"PDF 单页文字过多（{len(chars)} 个字符，上限 {MAX_PDF_PAGE_CHARS}），"
                                        "不像正常的年报页面，已拒绝处理。", f"{len(chars)} chars on a page")
    return [{k: c.get(k) for k in _CHAR_FIELDS} for c in chars
            if c.get("text") and (c["text"] == " " or not c["text"].isspace())]


def page_lines(page) -> list[Line]:
    """The page's text lines (see the module docstring); index + 1 is loc "line"."""
    chars = sorted(_kept(page.chars), key=lambda c: (c["top"], c["x0"]))
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
class _PageContent:
    number: int
    height: float
    items: list = field(default_factory=list)  # (top, kind, payload): ("line", Line-part) | ("table", TableBlock)


@dataclass
class _TextLine:
    """The part of a page line that lies outside tables."""

    line: Line
    idx: list  # char indexes in line.chars
    page: int

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces())

    def pieces(self) -> list[Piece]:
        return _pieces([(self.line, k) for k in self.idx], self.page)

    def x0(self) -> float:
        return min(self.line.chars[k]["x0"] for k in self.idx)

    def x1(self) -> float:
        return max(self.line.chars[k]["x1"] for k in self.idx)

    def char_width(self) -> float:
        return statistics.median(self.line.chars[k]["x1"] - self.line.chars[k]["x0"] for k in self.idx)

    def top(self) -> float:
        return min(self.line.chars[k]["top"] for k in self.idx)

    def bottom(self) -> float:
        return max(self.line.chars[k]["bottom"] for k in self.idx)


def _read_page(page, page_no: int) -> _PageContent:
    lines = page_lines(page)
    content = _PageContent(page_no, float(page.height))
    try:
        tables = page.find_tables()
    except Exception:  # a drawing pdfplumber cannot reduce to a grid: read as text
        tables = []
    where: dict[tuple[int, int], int] = {}  # (line, char index) → table index
    for t_i, t in enumerate(tables):
        for line in lines:
            for k, c in enumerate(line.chars):
                if _inside(c, t.bbox):
                    where[(line.number, k)] = t_i
    for t_i, t in enumerate(tables):
        block = TableBlock(loc={"page": page_no, "table": t_i + 1})
        for row in t.rows:
            cells = []
            for bbox in row.cells:
                if bbox is None:
                    cells.append(TableCell(merged=True))
                    continue
                paras = []
                for line in lines:
                    idx = [k for k, c in enumerate(line.chars) if where.get((line.number, k)) == t_i and _inside(c, bbox)]
                    if idx:
                        paras.append(Paragraph(pieces=_pieces([(line, k) for k in idx], page_no)))
                cells.append(TableCell(paragraphs=paras))
            block.rows.append(cells)
        content.items.append((t.bbox[1], "table", block))
    for line in lines:
        idx = [k for k in range(len(line.chars)) if (line.number, k) not in where]
        if idx:
            tl = _TextLine(line, idx, page_no)
            content.items.append((tl.top(), "line", tl))
    content.items.sort(key=lambda it: (it[0], 0 if it[1] == "table" else 1))
    return content


def _running_lines(pages: list[_PageContent]) -> set[int]:
    """ids of header/footer lines: page numbers or repeated text in the margin bands."""
    banded = []
    for pc in pages:
        for _top, kind, item in pc.items:
            if kind != "line":
                continue
            if item.bottom() < _MARGIN_BAND * pc.height or item.top() > (1 - _MARGIN_BAND) * pc.height:
                banded.append(item)
    drop = set()
    counts: dict[str, set] = {}
    for item in banded:
        key = re.sub(r"\d+", "#", re.sub(r"\s+", "", item.text))
        counts.setdefault(key, set()).add(item.page)
    for item in banded:
        text = re.sub(r"\s+", " ", item.text).strip()
        key = re.sub(r"\d+", "#", re.sub(r"\s+", "", item.text))
        if _PAGE_NUMBER.match(text) or (len(pages) >= 2 and len(counts[key]) >= max(2, len(pages) / 2)):
            drop.add(id(item))
    return drop


def _mark_wraps(blocks: list, lines: list[_TextLine]) -> None:
    """Set `wraps` on paragraphs whose line reaches the right edge inside a sentence."""
    long_lines = [tl for tl in lines if len(tl.idx) >= 8]
    if len(long_lines) < 2:
        return
    x1s = sorted(tl.x1() for tl in long_lines)
    right = x1s[int(0.9 * (len(x1s) - 1))]
    x0s = sorted(tl.x0() for tl in long_lines)
    left = x0s[int(0.1 * (len(x0s) - 1))]
    # Does this document indent first lines? Then an unindented line after a full one
    # continues the paragraph even after a full stop that happened to end the line.
    widths = [tl.char_width() for tl in long_lines]
    w_doc = statistics.median(widths)
    indented = sum(1 for tl in long_lines if 1.5 * w_doc <= tl.x0() - left <= 4.5 * w_doc)
    first_line_indents = indented >= max(2, 0.1 * len(long_lines))
    for i, (para, tl) in enumerate(blocks):
        if tl is None or i + 1 >= len(blocks):
            continue
        nxt_para, nxt = blocks[i + 1]
        if nxt is None:
            continue
        text = para.text.rstrip()
        nxt_text = nxt_para.text.lstrip()
        if not text or not nxt_text or (text[-1] in _SENTENCE_FINAL and not first_line_indents):
            continue
        w = tl.char_width()
        if tl.x1() < right - 1.5 * w or tl.x1() > right + 2 * w:
            continue
        if nxt.x0() > left + 1.2 * w or _HEADING_START.match(nxt_text):
            continue  # indented first line or a heading: a new paragraph
        if text[-1].isascii() and text[-1].isalpha() and nxt_text[0].isascii() and nxt_text[0].isalpha():
            continue  # joining would glue two words
        para.wraps = True


def _open(data: bytes):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        n = len(pdf.pages)
    except Exception as e:
        cause = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
        if isinstance(cause, PDFEncryptionError) or "password" in type(cause).__name__.lower():
            raise InputError("encrypted", "PDF 已加密（需要密码才能打开），无法读取。请取消密码保护后重新提交。",
                             type(cause).__name__)
        raise InputError("corrupt", "PDF 文件已损坏或不完整，无法读取。请重新导出 PDF 后提交。",
                         f"{type(cause).__name__}: {cause}")
    return pdf, n


class _Deadline:
    """Per-page deadline checks, plus SIGALRM to interrupt a single stuck page (main thread only)."""

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.end = time.monotonic() + timeout_s
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
    pdf, n_pages = _open(data)
    try:
        if n_pages > max_pages:
            raise InputError("too_many_pages", f"PDF 共 {n_pages} 页，超过上限 {max_pages} 页，不像单份年度报告。",
                             f"{n_pages} pages")
        if n_pages == 0:
            raise InputError("corrupt", "PDF 文件没有任何页面。")
        pages: list[_PageContent] = []
        has_images = False
        n_drawn = 0
        try:
            with _Deadline(timeout_s) as deadline:
                for p_no, page in enumerate(pdf.pages, start=1):
                    deadline.check()
                    has_images = has_images or bool(page.images)
                    pages.append(_read_page(page, p_no))
                    n_drawn += len(page.chars)
                    check_read_chars(n_drawn)
                    page.close()
                deadline.check()
        except _Timeout:
            raise InputError("timeout", f"PDF 处理超时（超过 {timeout_s:g} 秒），文件可能过于复杂或已损坏。",
                             f"timeout after {timeout_s}s")
        except InputError:
            raise
        except Exception as e:
            raise InputError("corrupt", "PDF 内容损坏，无法提取文字。请重新导出 PDF 后提交。",
                             f"{type(e).__name__}: {e}")
    finally:
        pdf.close()
    drop = _running_lines(pages)
    blocks: list = []
    paired: list[tuple[Paragraph, object]] = []  # narrative paragraphs with their line, in order
    text_lines: list[_TextLine] = []
    n_chars = cid_chars = 0
    for pc in pages:
        for _top, kind, item in pc.items:
            if kind == "table":
                blocks.append(item)
                paired.append((None, None))
                for row in item.rows:
                    for cell in row:
                        n_chars += len(cell.text)
                continue
            if id(item) in drop:
                continue
            para = Paragraph(pieces=item.pieces())
            blocks.append(para)
            paired.append((para, item))
            text_lines.append(item)
            n_chars += len(para.text)
            cid_chars += para.text.count("(cid:")
    if n_chars == 0:
        raise InputError("scanned", SCANNED_MESSAGE, "no characters" + (" (images only)" if has_images else ""))
    if cid_chars * 6 > 0.5 * n_chars:
        raise InputError("no_unicode", "PDF 的文字无法提取（字体缺少字符编码映射），请提供可复制文字的 PDF 或先进行 OCR。",
                         f"{cid_chars} (cid:) glyphs")
    _mark_wraps(_wrap_pairs(paired), text_lines)
    return RawDocument(format="pdf", blocks=blocks, meta={"pages": n_pages})


def _wrap_pairs(paired: list) -> list:
    """Narrative paragraph pairs; a table between two lines breaks the chain (None)."""
    out = []
    for para, tl in paired:
        if para is None:
            out.append((Paragraph(), None))
        else:
            out.append((para, tl))
    return out
