"""Word .docx → `RawDocument`: body paragraphs and real tables in document order.

Source locations are {"para": i, "run": r} with the character `offset` inside that run:

- i indexes ``list(iter_paragraphs(document))`` — every paragraph the reader reads, in
  document order: body paragraphs, the paragraphs of table cells (row by row, each
  physical ``w:tc`` once, nested tables depth-first where they stand), paragraphs inside
  content controls (``w:sdt``), and the paragraphs of a text box right after the
  paragraph that anchors it (DrawingML text boxes; the VML fallback copy is skipped).
  Headers, footers, footnotes and comments are not read and not counted.
- r indexes ``list(iter_runs(paragraph))`` — the paragraph's ``w:r`` runs in order,
  including runs inside hyperlinks, simple fields, smart tags, custom XML and tracked
  insertions; runs inside tracked deletions and runs of nested text boxes are excluded.
- offset indexes ``run.text`` (python-docx's `Run.text`): ``w:t`` text, ``w:tab`` and
  ``w:ptab`` as "\\t", ``w:br`` (line break) and ``w:cr`` as "\\n", page/column breaks as
  nothing, ``w:noBreakHyphen`` as "-". A line break therefore is a real "\\n" of the run
  text: it ends a line in `Doc.text` (as the reader sees it) and stays mapped to the run.
  Field instructions (``w:instrText``) are not text; a field's displayed result is.

So for any finding offset k, ``locate(k)`` = {"para": i, "run": r, "offset": o} and
``iter_runs(iter_paragraphs(doc)[i])[r].text[o]`` is the character `Doc.text[k]` came
from (before the one-to-one normalisation of builder.normalize_char).

Merged cells: a cell spanning n grid columns (gridSpan) is emitted once, followed by
n-1 empty cells; a vertically merged continuation cell (vMerge without "restart") is
emitted empty — those covered positions carry `TableCell.merged` so the table parser never
takes them for blank values; gridBefore/gridAfter become plain empty cells. Every row
keeps its grid columns. Spans read from the file are clamped so that they never take a row
past `limits.MAX_TABLE_COLUMNS` grid positions; rows, cells and paragraphs are counted
against the document's `limits.Budget`.

Zip safety is checked before python-docx opens anything (`check_zip`): entry count, total
and per-entry inflated size, compression ratio, the size of each XML part.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import Iterator

from ..errors import InputError
from .blocks import Paragraph, Piece, RawDocument, TableBlock, TableCell
from .images import docx_paragraph_pictures
from .limits import MAX_TABLE_COLUMNS, MAX_XML_PART_BYTES, Budget, clamp_span

MAX_ENTRIES = 2000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed/compressed of one entry, for entries above 1 MB
_RATIO_MIN_SIZE = 1024 * 1024

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT, R = (_q(t) for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "r"))
TXBX_CONTENT = _q("txbxContent")
_SKIP_IN_PARAGRAPH = {_q("del"), _q("moveFrom"), TXBX_CONTENT, _q("pPr"), _q("rPr")}
_FALLBACK = f"{{{_MC}}}Fallback"


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open the bytes as a zip that is safe to read and is a Word document, or raise."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise InputError("corrupt", "文件已损坏或不完整（不是有效的 .docx 压缩包），请重新导出后提交。", str(e))
    if len(infos) > MAX_ENTRIES:
        raise InputError("zip_unsafe", f"压缩包内文件过多（{len(infos)} 个），不像正常的 Word 文档，已拒绝处理。",
                         f"{len(infos)} entries > {MAX_ENTRIES}")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise InputError("zip_unsafe", "文档解压后体积异常巨大（超过 200 MB），疑似压缩炸弹，已拒绝处理。",
                         f"uncompressed total {total}")
    for i in infos:
        if i.file_size > _RATIO_MIN_SIZE and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise InputError("zip_unsafe", "文档中有压缩比异常的内容，疑似压缩炸弹，已拒绝处理。",
                             f"{i.filename}: {i.file_size}/{i.compress_size}")
    for i in infos:
        if i.file_size > MAX_XML_PART_BYTES and i.filename.lower().endswith((".xml", ".rels")):
            raise InputError("zip_unsafe", f"文档中的 XML 部件过大（{i.file_size / 1048576:.0f} MB），不像正常的 Word 文档，已拒绝处理。",
                             f"{i.filename}: {i.file_size} bytes")
    if any(i.flag_bits & 0x1 for i in infos):
        raise InputError("encrypted", "文档已加密，无法读取。请取消密码保护后重新提交。", "zip entry encrypted")
    names = {i.filename for i in infos}
    try:
        declared = "word/document.xml" in names or _main_part_declared(zf, names)
    except Exception as e:  # an entry that cannot be inflated: bad CRC, unknown method or version
        raise InputError("corrupt", "文件已损坏或不完整（压缩包内容无法解压），请重新导出后提交。",
                         f"{type(e).__name__}: {e}")
    if not declared:
        kind = ("Excel 表格" if "xl/workbook.xml" in names else "PowerPoint 演示文稿" if "ppt/presentation.xml" in names
                else "OpenDocument 文档" if "mimetype" in names else "普通压缩包")
        raise InputError("not_docx", f"这是{kind}，不是 Word 文档（.docx）。请提交 .docx、PDF、HTML 或文本格式的年报。",
                         "no word/document.xml")
    return zf


def _main_part_declared(zf: zipfile.ZipFile, names: set) -> bool:
    """A Word main part under another name, declared in the package relationships."""
    if "_rels/.rels" not in names or zf.getinfo("_rels/.rels").file_size > 1 << 20:
        return False
    rels = zf.read("_rels/.rels").decode("utf-8", "replace")
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        if "officeDocument" in tag:
            target = re.search(r'Target="/?([^"]+)"', tag)
            if target and target.group(1).startswith("word/") and target.group(1) in names:
                return True
    return False


def _open(data: bytes):
    check_zip(data)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as e:
        if "content type" in str(e):  # .docm / .dotx: a Word file python-docx will not open as a document
            raise InputError("not_docx", "这是 Word 模板或启用宏的文档，不是普通 .docx。请另存为 .docx 后重新提交。",
                             str(e))
        raise InputError("corrupt", "Word 文档结构损坏，无法读取。请在 Word/WPS 中打开并另存为 .docx 后重新提交。", str(e))
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile) as e:
        raise InputError("corrupt", "Word 文档结构损坏，无法读取。请在 Word/WPS 中打开并另存为 .docx 后重新提交。", str(e))
    except Exception as e:  # lxml XMLSyntaxError, zlib errors, CRC mismatch…
        raise InputError("corrupt", "Word 文档内容损坏，无法读取。请在 Word/WPS 中打开并另存为 .docx 后重新提交。",
                         f"{type(e).__name__}: {e}")


# --- iteration shared with the service (Word comments on findings) -----------------------


def _iter_block_elements(parent) -> Iterator:
    """w:p and w:tbl children of a body/cell/text box, descending into w:sdt."""
    for child in parent.iterchildren():
        if child.tag in (P, TBL):
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _iter_block_elements(content)
        elif child.tag in (_q("customXml"), _q("ins"), _q("moveTo")):
            yield from _iter_block_elements(child)


def _children(parent, tag: str) -> Iterator:
    """Children with `tag` (w:tc of a row, w:tr of a table), looking through w:sdt/w:customXml."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in (SDT, _q("customXml")):
            inner = child.find(SDT_CONTENT) if child.tag == SDT else child
            if inner is not None:
                yield from (c for c in inner.iterchildren() if c.tag == tag)


def _row_cells(tr) -> Iterator:
    return _children(tr, TC)


def _table_rows(tbl) -> Iterator:
    return _children(tbl, TR)


def _textbox_contents(p) -> Iterator:
    """w:txbxContent elements anchored in paragraph p (not in nested text boxes, not VML fallbacks)."""
    stack = list(p.iterchildren())
    found = []
    while stack:
        el = stack.pop(0)
        if el.tag == _FALLBACK:
            continue
        if el.tag == TXBX_CONTENT:
            found.append(el)
            continue  # its own paragraphs handle deeper boxes
        stack[0:0] = list(el.iterchildren())
    return iter(found)


def _iter_p_elements(parent) -> Iterator:
    for el in _iter_block_elements(parent):
        if el.tag == P:
            yield el
            for box in _textbox_contents(el):
                yield from _iter_p_elements(box)
        else:
            for tr in _table_rows(el):
                for tc in _row_cells(tr):
                    yield from _iter_p_elements(tc)


def iter_paragraphs(document) -> Iterator:
    """Every paragraph the reader reads, as python-docx `Paragraph`s; the index is loc "para"."""
    from docx.text.paragraph import Paragraph as DocxParagraph

    body = document.element.body
    for p in _iter_p_elements(body):
        yield DocxParagraph(p, document._body)


def _iter_r_elements(el) -> Iterator:
    for child in el.iterchildren():
        if child.tag == R:
            yield child
        elif child.tag in _SKIP_IN_PARAGRAPH or not isinstance(child.tag, str):
            continue
        else:  # hyperlink, fldSimple, smartTag, customXml, ins, moveTo, sdt/sdtContent…
            yield from _iter_r_elements(child)


def iter_runs(paragraph) -> Iterator:
    """The paragraph's runs in order (hyperlink runs included); the index is loc "run"."""
    from docx.text.run import Run

    for r in _iter_r_elements(paragraph._p):
        yield Run(r, paragraph)


# --- reading ------------------------------------------------------------------------------


class _Reader:
    def __init__(self, document):
        from docx.text.paragraph import Paragraph as DocxParagraph

        self.document = document
        self.index = 0
        self._P = DocxParagraph
        self.budget = Budget()

    def paragraph(self, p) -> list[Paragraph]:
        """The paragraph itself, then those of its text boxes (same order as iter_paragraphs)."""
        i = self.index
        self.index += 1
        self.budget.add_paragraph()
        para = self._P(p, self.document._body)
        pieces = [Piece(run.text, {"para": i, "run": r}, 0)
                  for r, run in enumerate(iter_runs(para)) if run.text]
        self.budget.add_chars(sum(len(pc.text) for pc in pieces))
        out = [Paragraph(pieces=pieces)]
        out.extend(docx_paragraph_pictures(self.document, p, i, _iter_r_elements))  # OCR of its pictures (images.py)
        for box in _textbox_contents(p):
            out.extend(self.container(box, tables_inline=True))
        return out

    def container(self, parent, tables_inline: bool = False) -> list:
        blocks: list = []
        for el in _iter_block_elements(parent):
            if el.tag == P:
                blocks.extend(self.paragraph(el))
            elif tables_inline:  # a table inside a cell or text box: its text, cell by cell
                for tr in _table_rows(el):
                    for tc in _row_cells(tr):
                        blocks.extend(self.container(tc, tables_inline=True))
            else:
                blocks.append(self.table(el))
        return blocks

    def table(self, tbl) -> TableBlock:
        first_para = self.index
        table = TableBlock(loc={"para": first_para})
        for tr in _table_rows(tbl):
            row: list[TableCell] = []
            tr_pr = tr.find(_q("trPr"))
            before = after = 0
            cells = list(_row_cells(tr))
            if tr_pr is not None:
                # spans never take a row past MAX_TABLE_COLUMNS grid positions (a bomb asks for millions)
                before = min(max(0, _int_val(tr_pr.find(_q("gridBefore")))), max(0, MAX_TABLE_COLUMNS - len(cells)))
                after = max(0, _int_val(tr_pr.find(_q("gridAfter"))))
            row.extend(TableCell() for _ in range(before))
            for k, tc in enumerate(cells):
                tc_pr = tc.find(_q("tcPr"))
                span, continuation = 1, False
                if tc_pr is not None:
                    room = MAX_TABLE_COLUMNS - len(row) - (len(cells) - k - 1)
                    span = clamp_span(_int_val(tc_pr.find(_q("gridSpan")), 1), max(1, room))
                    vm = tc_pr.find(_q("vMerge"))
                    continuation = vm is not None and vm.get(_q("val"), "continue") != "restart"
                    h_merge = tc_pr.find(_q("hMerge"))  # legacy horizontal merge
                    if h_merge is not None and h_merge.get(_q("val"), "continue") != "restart":
                        continuation = True
                paras = [b for b in self.container(tc, tables_inline=True) if isinstance(b, Paragraph)]
                row.append(TableCell(merged=True) if continuation else TableCell(paragraphs=paras))
                row.extend(TableCell(merged=True) for _ in range(span - 1))
            row.extend(TableCell() for _ in range(min(after, max(0, MAX_TABLE_COLUMNS - len(row)))))
            self.budget.add_cells(len(row))
            table.rows.append(row)
            self.budget.check_rows(len(table.rows))
        return table


def _int_val(el, default: int = 0) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_q("val"), default))
    except (TypeError, ValueError, OverflowError):
        return default


def read_docx(data: bytes) -> RawDocument:
    document = _open(data)
    reader = _Reader(document)
    try:
        blocks = reader.container(document.element.body)
    except InputError:
        raise
    except Exception as e:  # malformed XML that python-docx accepted lazily
        raise InputError("corrupt", "Word 文档内容损坏，无法读取。请在 Word/WPS 中打开并另存为 .docx 后重新提交。",
                         f"{type(e).__name__}: {e}")
    return RawDocument(format="docx", blocks=blocks, meta={"paragraphs": reader.index})
