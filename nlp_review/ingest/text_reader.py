"""Plain text (.txt) and Markdown (.md): encoding detection, lines, hard-wrap joining."""
from __future__ import annotations

import re
import unicodedata

from ..errors import InputError
from .blocks import Paragraph, Piece, RawDocument, TableBlock, TableCell
from .limits import MAX_PARAGRAPHS, MAX_TABLE_COLUMNS, Budget, check_read_chars

_CJK = re.compile(r"[\u4e00-\u9fff]")


def cjk_ratio(text: str) -> float:
    sample = text[:20000]
    visible = [c for c in sample if not c.isspace()]
    if not visible:
        return 0.0
    return sum(1 for c in visible if _CJK.match(c)) / len(visible)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes to text and say which encoding was used.

    BOMs decide first; then strict UTF-8; then strict GB18030 (a superset of GBK and
    GB2312, the usual encodings of Chinese government files) when the result reads as
    Chinese; then charset-normalizer. Anything that still does not read as text is an
    error, never a silent guess.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as e:
            raise InputError("encoding", "文件声明为 UTF-8 编码（带 BOM），但内容含有无法按此编码读取的字节。"
                                         "请用文本编辑器另存为 UTF-8 后重新提交。", str(e))
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise InputError("encoding", "文件声明为 UTF-16 编码，但内容无法按此编码读取。", str(e))
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030", errors="strict")
        if cjk_ratio(text) >= 0.2:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        text = str(best)
        if cjk_ratio(text) >= 0.2:
            return text, best.encoding
    raise InputError(
        "encoding",
        "无法识别文件编码：文件既不是 UTF-8，也不是 GBK/GB18030 中文文本。请另存为 UTF-8 文本、.docx 或 PDF 后重新提交。",
        "no encoding produced Chinese text",
    )


HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、](?!\d)|第[一二三四五六七八九十]+|[一二三四五六七八九十]是)")
SENTENCE_END = "。！？…!?"
SECTION_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])")
CLOSING_START = "，。、；：！？）》」』”’%,.;:!?)"
# A page number alone on its line, as PDF-to-text conversions leave them between pages.
PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-—–－~]{1,2}\s*\d{1,4}\s*[-—–－~]{1,2}|第\s*\d{1,4}\s*页(?:\s*[，,/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}|[Pp](?:age|\.)?\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$")
# A viewer's page header (“Page 9 - <title>”): kept as text, never joined to a neighbour.
_PAGE_HEADER = re.compile(r"^\s*[Pp]age\s*\d{1,4}\b")
# Cells of a table, not prose: tabs, wide gaps, or three numbers in a row.
_COLUMNS = re.compile(r"\t|\S {2,}\S|\S\u3000{2,}\S|(?:^|\s)[-\d.,/]+\s+[-\d.,/]+\s+[-\d.,/]+(?:\s|$)")


def display_width(s: str) -> int:
    """Columns a line takes in a monospaced rendering: CJK and full-width forms count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _indent(s: str) -> int:
    return display_width(s[:len(s) - len(s.lstrip())])


def _line_width(s: str) -> int:
    s = s.rstrip()
    return _indent(s) + display_width(s.lstrip())


def wrap_width(lines: list[str]) -> int | None:
    """The width at which a PDF conversion broke its lines, or None when the text is not
    hard-wrapped. Full lines of a justified paragraph come out within a few columns of one
    another (digits are narrower than their two columns, an indented first line is two
    characters shorter, digits and spaces are narrower), so the wrap width is the widest
    width that at least 30 % of the long lines come within six columns below and four above; ordinary text (one paragraph per line, short
    headings, one table cell per line) has no such width."""
    prose = [ln.rstrip() for ln in lines if ln.strip() and not _COLUMNS.search(ln.strip())
             and not any(c in ln for c in "\t|｜")]
    long = [(_line_width(ln), ln) for ln in prose if _line_width(ln) >= 20]
    if len(long) < 5:
        return None
    best, best_n = None, 0
    for w in sorted({w for w, _ in long}):
        n = sum(1 for x, _ in long if w - 6 <= x <= w + 4)
        if n >= best_n:
            best, best_n = w, n
    # A page is at least 20 characters wide; and most lines broken at the page width end
    # inside a sentence (lines of equal length that each end a sentence are list items).
    if best is None or not 40 <= best <= 200 or best_n < max(5, 0.3 * len(long)):
        return None
    full = [ln for w, ln in long if best - 6 <= w <= best + 4]
    if sum(1 for ln in full if ln[-1] not in SENTENCE_END) < 0.5 * len(full):
        return None
    return best


def _running_lines(lines: list[str]) -> set[int]:
    """Indexes of page furniture in a PDF conversion: page numbers alone on their line, and
    a title-like line repeated on three or more pages (a running header)."""
    drop = {i for i, ln in enumerate(lines) if PAGE_NUMBER_LINE.match(ln)}
    counts: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        key = re.sub(r"\s+", "", ln)
        if len(key) >= 8 and not any(c in key for c in "。，；"):
            counts.setdefault(key, []).append(i)
    for idx in counts.values():
        if len(idx) >= 3:
            drop.update(idx[1:])  # the first one is the document's own title
    return drop


def mark_hard_wraps(paras: list[Paragraph]) -> list[Paragraph]:
    """Join the lines that a PDF-to-text conversion (`pdftotext`, text copied out of a PDF
    viewer) broke at the page width; returns the paragraphs to keep (page furniture of such
    a file dropped).

    Decided from line widths and punctuation, never a fixed width (`wrap_width`): a line
    that reaches the wrap width continues on the next non-blank line (page numbers and
    running headers between are dropped) unless the next line is indented, starts a heading
    or item after a colon, or is a row of table cells, or the line ends a sentence (。！？)
    — then only an indent tells: where the conversion keeps first-line indents (`-layout`)
    an unindented next line continues, and in copied text, which loses them, a next line
    as wide as a continuation (not two characters shorter, `_hidden_indent`) continues. A
    line short of the wrap width ends its paragraph. A line that starts with closing
    punctuation always continues the one before. Whitespace at the join is not text. Files
    without a wrap width (web-page text, one cell per line) are left alone.
    """
    texts = [p.text for p in paras]
    width = wrap_width(texts)
    if width is None:
        return paras
    furniture = _running_lines(texts)
    keep = [p for i, p in enumerate(paras) if i not in furniture]
    filled = [i for i, p in enumerate(keep) if p.text.strip()]
    widths = {i: _line_width(keep[i].text) for i in filled}

    def is_full(i: int) -> bool:  # reaches the wrap width (a justified line may overshoot it)
        return widths[i] >= width - 6

    shows_indents = sum(1 for i in filled if _indent(keep[i].text) >= 2) >= max(2, 0.1 * sum(map(is_full, filled)))
    first_line_cut = _hidden_indent(keep, filled, widths, width)
    for a, b in zip(filled, filled[1:]):
        if b - a > 7:
            continue  # more than six blank lines: a gap, not a page break
        raw_cur, raw_nxt = keep[a].text, keep[b].text
        cur, nxt = raw_cur.strip(), raw_nxt.strip()
        if any(c in raw_cur + raw_nxt for c in "\t|｜") or _COLUMNS.search(cur) or _COLUMNS.search(nxt):
            continue
        if _PAGE_HEADER.match(cur) or _PAGE_HEADER.match(nxt):
            continue
        if nxt[0] in CLOSING_START:
            joins = True
        elif not is_full(a):
            joins = False  # short of the wrap width: the paragraph (or heading) ends here
        elif shows_indents and _indent(raw_nxt) >= 2:
            joins = False  # an indented first line
        elif cur[-1] in SENTENCE_END:
            # The sentence ended at the margin: only an indent tells a new paragraph.
            if shows_indents:
                joins = not SECTION_HEADING.match(nxt)
            else:
                joins = first_line_cut is not None and widths[b] > first_line_cut
        elif cur[-1] in "：:" and HEADING_START.match(nxt):
            joins = False
        elif cur[-1].isascii() and cur[-1].isalpha() and nxt[0].isascii() and nxt[0].isalpha():
            joins = False  # would glue two words
        else:
            joins = True
        if not joins:
            continue
        keep[a].wraps = True
        for i in range(a + 1, b):  # blank lines between are swallowed by the join
            keep[i].wraps = True
        _trim(keep[a], right=True)
        _trim(keep[b], left=True)
    return keep


def _hidden_indent(keep: list[Paragraph], filled: list[int], widths: dict, width: int) -> float | None:
    """Text copied out of a PDF loses the first-line indent, but a paragraph's first line
    stays two characters shorter than the lines that continue it. When the file shows that,
    the width between the two tells a first line from a continuation; else None."""
    firsts, continuations = [], []
    for a, b in zip(filled, filled[1:]):
        if widths[b] < width - 10:
            continue  # a paragraph's last line says nothing
        cur = keep[a].text.strip()
        if widths[a] < width - 6:
            firsts.append(widths[b])
        elif cur[-1] not in SENTENCE_END:
            continuations.append(widths[b])
    if len(firsts) < 3 or len(continuations) < 3:
        return None
    first, cont = sorted(firsts)[len(firsts) // 2], sorted(continuations)[len(continuations) // 2]
    return (first + cont) / 2 if cont - first >= 3 else None


def _trim(para: Paragraph, left: bool = False, right: bool = False) -> None:
    """Leave the whitespace at a join out of the paragraph (the source map stays exact)."""
    if right and para.pieces:
        last = para.pieces[-1]
        last.text = last.text.rstrip()
    if left and para.pieces:
        first = para.pieces[0]
        cut = len(first.text) - len(first.text.lstrip())
        first.text, first.offset = first.text[cut:], first.offset + cut


def _decode_bounded(data: bytes) -> tuple[str, str]:
    """decode_text, refusing texts whose size alone is no report (before any line object is built)."""
    text, encoding = decode_text(data)
    check_read_chars(len(text))
    if text.count("\n") > MAX_PARAGRAPHS:
        raise InputError("too_complex", f"文件中的文字行过多（超过 {MAX_PARAGRAPHS} 行），不像单份年度报告，已拒绝处理。",
                         f"lines > {MAX_PARAGRAPHS}")
    return text, encoding


def read_text(data: bytes) -> RawDocument:
    text, encoding = _decode_bounded(data)
    paras = [Paragraph(pieces=[Piece(line, {"line": n}, 0)])
             for n, line in enumerate(text.split("\n"), start=1)]
    return RawDocument(format="txt", blocks=mark_hard_wraps(paras), meta={"encoding": encoding})


_MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_HEADING = re.compile(r"^(\s{0,3}#{1,6}\s+)")
_MD_EMPHASIS = re.compile(r"\*\*|__")


def _md_piece(line: str, n: int, start: int, end: int) -> list[Piece]:
    """A markdown line's text without emphasis markers, each piece mapped to its column."""
    pieces, pos = [], start
    segment = line[start:end]
    for m in _MD_EMPHASIS.finditer(segment):
        if m.start() + start > pos:
            pieces.append(Piece(line[pos:m.start() + start], {"line": n}, pos))
        pos = m.end() + start
    if pos < end:
        pieces.append(Piece(line[pos:end], {"line": n}, pos))
    return pieces


def read_markdown(data: bytes) -> RawDocument:
    """Markdown: headings and emphasis marks are dropped, pipe tables become tables."""
    text, encoding = _decode_bounded(data)
    budget = Budget()
    lines = text.split("\n")
    blocks: list = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _MD_TABLE_ROW.match(line):
            table = TableBlock(loc={"line": i + 1})
            while i < len(lines) and _MD_TABLE_ROW.match(lines[i]):
                row_line = lines[i]
                if not _MD_TABLE_RULE.match(row_line):
                    cells = []
                    # cell boundaries are the pipes; keep each cell's columns
                    bars = [k for k, ch in enumerate(row_line) if ch == "|"][:MAX_TABLE_COLUMNS + 1]
                    budget.add_cells(len(bars) - 1)
                    for a, b in zip(bars, bars[1:]):
                        cells.append(TableCell([Paragraph(pieces=_md_piece(row_line, i + 1, a + 1, b))]))
                    table.rows.append(cells)
                    budget.check_rows(len(table.rows))
                i += 1
            blocks.append(table)
            continue
        m = _MD_HEADING.match(line)
        start = m.end() if m else 0
        blocks.append(Paragraph(pieces=_md_piece(line, i + 1, start, len(line))))
        i += 1
    return RawDocument(format="md", blocks=blocks, meta={"encoding": encoding})
