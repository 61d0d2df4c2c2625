"""Plain text (.txt) and Markdown (.md): encoding detection, lines, hard-wrap joining."""
from __future__ import annotations

import re
import statistics

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


_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|第[一二三四五六七八九十]+|[一二三四五六七八九十]是)")
_SENTENCE_END = "。！？…!?"


def mark_hard_wraps(paras: list[Paragraph]) -> None:
    """Mark lines that a PDF-to-text conversion broke at the page width.

    A file is hard-wrapped when many of its lines share one width. A line of about that
    width, ending inside a sentence with a Chinese character, continues on the next
    non-blank line when that line does not start a heading or list item.
    """
    lens = [len(p.text.strip()) for p in paras if "\t" not in p.text and len(p.text.strip()) >= 15]
    if len(lens) < 8:
        return
    width = statistics.quantiles(lens, n=4)[2]  # 75th percentile
    if width > 120:  # whole paragraphs per line: not wrapped
        return
    near = sum(1 for n in lens if 0.85 * width <= n <= 1.1 * width)
    if near < 0.3 * len(lens):
        return
    nonblank = [i for i, p in enumerate(paras) if p.text.strip()]
    for a, b in zip(nonblank, nonblank[1:]):
        cur, nxt = paras[a].text.rstrip(), paras[b].text.strip()
        if "\t" in cur or "\t" in paras[b].text or len(cur.strip()) < 0.85 * width:
            continue
        if cur[-1] in _SENTENCE_END or not (_CJK.match(cur[-1]) or cur[-1] in "，、；：“”（）《》"):
            continue
        if not nxt or _HEADING_START.match(nxt) or not (_CJK.match(nxt[0]) or nxt[0].isdigit()
                                                        or nxt[0] in "，、。；：“”（）《》"):
            continue
        paras[a].wraps = True
        for i in range(a + 1, b):  # blank lines between are swallowed by the join
            paras[i].wraps = True


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
    mark_hard_wraps(paras)
    return RawDocument(format="txt", blocks=paras, meta={"encoding": encoding})


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
