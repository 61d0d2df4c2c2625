"""HTML as published on government portals → `RawDocument` (main content only).

Encoding: a BOM, then the `<meta charset>` / `http-equiv` declaration in the first 4 KB
(when it names a real text encoding — not "undefined", "unicode_escape", "idna"… — and the
bytes decode strictly with it), then `text_reader.decode_text` (UTF-8, GB18030,
charset-normalizer). A DOCTYPE (with an XHTML internal subset ``[…]>``) is dropped before
parsing: lxml's HTML parser would leave the subset's ``]>`` as text. Noise elements (script, style, nav, header, footer,
aside, form, hidden, …) are skipped — the tree itself is never modified, so node paths
and offsets are those of the published page. The main content is the smallest element that holds the
most of the six section headings (or, with none, the element with the most text
directly in its paragraphs), widened to an ancestor that adds the report title when
the title sits outside the content element and little else comes with it.

Paragraphs come from block elements and `<br>` (a `<pre>`'s lines are paragraphs, its
whitespace kept, located at the `<pre>`); `<table>`s become `TableBlock`s with
rowspan/colspan placed on a grid (covered positions are empty, merged cells; a colspan is
clamped to `limits.MAX_TABLE_COLUMNS` grid columns, a rowspan to the table's rows, and grid
positions count against the document's `limits.Budget`); a layout
table (a cell holding a table or more than 300 characters) is read as ordinary blocks.
Whitespace is collapsed as a browser does: a run of whitespace becomes one space mapped
to its first character, and is dropped at paragraph edges and at a source line break
between two CJK characters (CSS segment-break rule).

Source locations are {"node": XPATH} with `offset` = the character offset inside that
element's `text_content()` (all its descendant text, as lxml gives it): XPATH is the
`lxml` tree path of the innermost element holding the text (e.g.
"/html/body/div[2]/div/p[3]"), so `tree.xpath(XPATH)[0].text_content()[offset]` is the
source character.
"""
from __future__ import annotations

import codecs
import re

from ..errors import InputError
from .blocks import Paragraph, Piece, RawDocument, TableBlock, TableCell
from .images import html_image_blocks
from .limits import MAX_TABLE_COLUMNS, Budget, clamp_span
from .text_reader import decode_text

NOISE_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
              "iframe", "object", "embed", "svg", "canvas", "button", "select", "input", "textarea",
              "head", "title", "meta", "link"}
BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
              "section", "article", "main", "blockquote", "pre", "center", "address", "figure",
              "figcaption", "hr", "tr", "td", "th", "caption", "body", "html", "fieldset", "details",
              "summary", "table", "tbody", "thead", "tfoot"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
# Python codecs a page may name that are not document encodings: decoding with them
# fails ("undefined") or turns any bytes into mojibake (the escape codecs).
_NOT_PAGE_CODECS = {"undefined", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "utf-7",
                    "palmos", "mbcs", "oem"}
_DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.I | re.S)
_HEADINGS = [re.compile(p) for p in (
    r"[一1][、.．]\s*总体情况", r"主动公开政府信息(的)?情况", r"收到(和|及|与)处理政府信息公开申请",
    r"行政复议.{0,6}行政诉讼", r"存在的主要问题", r"其他需(要)?报告")]
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_WS = re.compile(r"[ \t\r\n\f\v]+")


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    m = _META_CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii", "ignore").lower()
        if name in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030"):
            name = "gb18030"  # the superset every GB page really uses
            try:  # a page re-saved as UTF-8 that kept its old declaration
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
        codec = _page_codec(name)
        if codec is not None:
            try:
                return data.decode(codec), name
            except (LookupError, UnicodeError, ValueError):
                pass  # a wrong declaration: detect instead
    return decode_text(data)


def _page_codec(name: str) -> str | None:
    """The Python codec of a declared charset, or None when it is no text encoding."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CODECS:
        return None
    return info.name


def _parse(text: str):
    import lxml.html
    from lxml import etree

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input with an encoding declaration
    text = _DOCTYPE.sub("", text, count=1)  # an XHTML internal subset would leave "]>" as text
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise InputError("corrupt", "HTML 文件无法解析，没有可读取的正文。", str(e))
    return root


def is_noise(el) -> bool:
    """Elements whose text is not part of the report (scripts, navigation, hidden…)."""
    if not isinstance(el.tag, str):
        return True  # comments, processing instructions: their own text is never shown
    if el.tag in NOISE_TAGS:
        return True
    if (el.get("role") or "").lower() in ("navigation", "banner", "contentinfo", "search"):
        return True
    return el.get("hidden") is not None or bool(re.search(r"display\s*:\s*none", el.get("style") or ""))


class _Visible:
    """Visible text of elements (noise skipped, tails kept), memoised."""

    def __init__(self):
        self.memo: dict = {}

    def __call__(self, el) -> str:
        out = self.memo.get(el)
        if out is None:
            parts = [el.text or ""]
            for child in el:
                if not is_noise(child):
                    parts.append(self(child))
                parts.append(child.tail or "")
            out = "".join(parts)
            self.memo[el] = out
        return out


def _heading_count(text: str) -> int:
    compact = _WS.sub("", text)
    return sum(1 for h in _HEADINGS if h.search(compact))


def _own_paragraph_text(el, visible) -> int:
    """How much text sits directly in this element's paragraphs (not in nested containers)."""
    n = len((el.text or "").strip())
    for child in el:
        if isinstance(child.tag, str) and not is_noise(child) and child.tag in (
                "p", "br", "span", "font", "strong", "b", "table"):
            n += len(visible(child).strip())
        n += len((child.tail or "").strip())
    return n


def _content_elements(el):
    """Elements outside noise subtrees."""
    yield el
    for child in el:
        if not is_noise(child):
            yield from _content_elements(child)


def main_content(body, visible=None):
    """The element holding the report (see module docstring)."""
    visible = visible or _Visible()
    best, best_count, best_len = body, -1, 0
    for el in _content_elements(body):
        if el.tag not in ("div", "article", "section", "main", "td", "body", "center"):
            continue
        text = visible(el)
        count = _heading_count(text)
        if count > best_count or (count == best_count and count > 0 and len(text) < best_len):
            best, best_count, best_len = el, count, len(text)
    if best_count <= 0:
        dense = max(_content_elements(body), key=lambda e: _own_paragraph_text(e, visible))
        return dense if _own_paragraph_text(dense, visible) > 0 else body
    # Widen to ancestors until the title is in (a heading outside the content div), as
    # long as each step adds only a little text.
    core_len = len(_WS.sub("", visible(best)))
    el = best
    while not _has_title(el, visible) and el.getparent() is not None and el.tag != "body":
        parent = el.getparent()
        if len(_WS.sub("", visible(parent))) - core_len > max(300, 0.2 * core_len):
            break
        el = parent
    return el if _has_title(el, visible) else best


def _has_title(el, visible) -> bool:
    """Does the element start with a short block that reads like the report title?"""
    for node in _content_elements(el):
        if (node.text or "").strip():
            break
    else:
        return False
    block = node
    while block is not el and block.tag not in BLOCK_TAGS:
        block = block.getparent()
    first = _WS.sub("", visible(block).strip().split("\n")[0] if block is el else visible(block))
    return "报告" in first and len(first) <= 80


_CELL_BREAKS = {"br", "p", "div", "li", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6"}


class _Walker:
    """Collects paragraphs (and tables) from an element tree with honest source locations."""

    def __init__(self, tree):
        self.tree = tree
        self.budget = Budget()
        self.blocks: list = []
        self.pieces: list[Piece] = []
        self._path_cache: dict = {}
        self._steps: dict = {}  # parent → {child: "/tag[k]"}

    def _path(self, el) -> str:
        """`tree.getpath(el)`, built from the parent's path: lxml's getpath walks all the
        siblings on every call, quadratic for a page of 100,000 paragraphs in one div."""
        p = self._path_cache.get(el)
        if p is None:
            parent = el.getparent()
            if parent is None:
                p = self.tree.getpath(el)
            else:
                steps = self._steps.get(parent)
                if steps is None:
                    steps = self._steps[parent] = _child_steps(parent)
                p = self._path(parent) + steps[el]
            self._path_cache[el] = p
        return p

    def flush(self) -> None:
        while self.pieces and not self.pieces[-1].text.strip():
            self.pieces.pop()
        while self.pieces and not self.pieces[0].text.strip():
            self.pieces.pop(0)
        if self.pieces:
            self.budget.add_paragraph()
            self.budget.add_chars(sum(len(pc.text) for pc in self.pieces))
            self.blocks.append(Paragraph(pieces=self.pieces))
        self.pieces = []

    def add_text(self, text: str, owner, base: int) -> None:
        """Text that sits in `owner`'s text_content() from offset `base`, whitespace collapsed."""
        if not text:
            return
        loc = {"node": self._path(owner)}
        pos = 0
        for m in _WS.finditer(text):
            if m.start() > pos:
                self.pieces.append(Piece(text[pos:m.start()], loc, base + pos))
            self._add_space(text, m, loc, base)
            pos = m.end()
        if pos < len(text):
            self.pieces.append(Piece(text[pos:], loc, base + pos))

    def _add_space(self, text: str, m, loc: dict, base: int) -> None:
        if not self.pieces or self.pieces[-1].text == " ":
            return  # paragraph start or already a space
        prev = self.pieces[-1].text[-1]
        nxt = text[m.end()] if m.end() < len(text) else ""
        if "\n" in m.group(0) and _CJK.match(prev) and (not nxt or _CJK.match(nxt)):
            return  # a source line break between CJK characters is no space
        self.pieces.append(Piece(" ", loc, base + m.start()))

    def walk(self, el, in_cell: bool = False) -> None:
        """Everything inside `el` (its tail is the caller's). In a cell, tables are text."""
        if is_noise(el):
            return
        tag = el.tag
        if tag == "br":
            self.flush()
            return
        if tag == "img":  # OCR of a picture supplied with the page (images.py)
            self.flush()
            self.blocks.extend(html_image_blocks(self, el))
            return
        if tag == "table" and not in_cell and not _is_layout_table(el):
            self.flush()
            self.blocks.append(self.table(el))
            return
        if tag == "pre":
            self.flush()
            self.preformatted(el)
            self.flush()
            return
        block = tag in (_CELL_BREAKS if in_cell else BLOCK_TAGS)
        if block:
            self.flush()
        self.add_text(el.text or "", el, 0)
        offset = len(el.text or "")
        for child in el:
            self.walk(child, in_cell)
            offset += len(child.text_content()) if isinstance(child.tag, str) else 0
            if child.tail:
                self.add_text(child.tail, el, offset)
                offset += len(child.tail)
        if block:
            self.flush()

    def preformatted(self, el) -> None:
        """<pre>: its lines are the paragraphs (no whitespace collapsing, offsets exact)."""
        loc = {"node": self._path(el)}
        text = el.text_content()
        pos = 0
        for line in text.split("\n"):
            if line.strip():
                self.pieces.append(Piece(line, loc, pos))
                self.flush()
            pos += len(line) + 1

    def cell_paragraphs(self, cell) -> list[Paragraph]:
        outer_blocks, outer_pieces = self.blocks, self.pieces
        self.blocks, self.pieces = [], []
        self.add_text(cell.text or "", cell, 0)
        offset = len(cell.text or "")
        for child in cell:
            self.walk(child, in_cell=True)
            offset += len(child.text_content()) if isinstance(child.tag, str) else 0
            if child.tail:
                self.add_text(child.tail, cell, offset)
                offset += len(child.tail)
        self.flush()
        paras = [b for b in self.blocks if isinstance(b, Paragraph)]
        self.blocks, self.pieces = outer_blocks, outer_pieces
        return paras

    def table(self, table_el) -> TableBlock:
        rows = [tr for tr in table_el.iter("tr") if _nearest_table(tr) is table_el and not is_noise(tr)]
        block = TableBlock(loc={"node": self._path(table_el)})
        self.budget.check_rows(len(rows))
        grid: dict[tuple[int, int], TableCell] = {}
        width = [0] * len(rows)  # grid columns used per row
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th") or is_noise(cell):
                    continue
                while (r, c) in grid:
                    c += 1
                if c >= MAX_TABLE_COLUMNS:
                    break  # more columns than any real table: the rest of the row is not read
                rs = _span(cell.get("rowspan"), len(rows) - r)
                cs = _span(cell.get("colspan"), MAX_TABLE_COLUMNS - c)
                self.budget.add_cells(rs * cs)
                grid[(r, c)] = TableCell(paragraphs=self.cell_paragraphs(cell))
                for dr in range(rs):
                    width[r + dr] = max(width[r + dr], c + cs)
                    for dc in range(cs):
                        if dr or dc:
                            grid[(r + dr, c + dc)] = TableCell(merged=True)
                c += cs
        for r in range(len(rows)):
            block.rows.append([grid.get((r, c), TableCell()) for c in range(width[r])])
        return block


def _child_steps(parent) -> dict:
    """Each child element's last path step as libxml2 writes it: "/tag", or "/tag[k]" (1-based
    among the siblings with that tag) when the tag occurs more than once."""
    children = [c for c in parent if isinstance(c.tag, str)]
    total: dict[str, int] = {}
    for c in children:
        total[c.tag] = total.get(c.tag, 0) + 1
    seen: dict[str, int] = {}
    steps = {}
    for c in children:
        seen[c.tag] = seen.get(c.tag, 0) + 1
        steps[c] = f"/{c.tag}[{seen[c.tag]}]" if total[c.tag] > 1 else f"/{c.tag}"
    return steps


def _is_layout_table(table_el) -> bool:
    """A table used for page layout (old portals): a cell holds a table or running text."""
    for cell in table_el.iter("td", "th"):
        if _nearest_table(cell) is not table_el:
            continue
        if any(t is not cell for t in cell.iter("table")):
            return True
        if len(_WS.sub("", cell.text_content())) > 300:
            return True
    return False


def _nearest_table(el):
    p = el.getparent()
    while p is not None and p.tag != "table":
        p = p.getparent()
    return p


def _span(value, limit: int) -> int:
    try:
        n = int(str(value).strip()[:12]) if value is not None else 1
    except ValueError:
        return 1
    return clamp_span(n, max(1, limit))


def read_html(data: bytes) -> RawDocument:
    text, encoding = _decode(data)
    root = _parse(text)
    tree = root.getroottree()
    body = root.find("body")
    if body is None:
        body = root
    content = main_content(body)
    walker = _Walker(tree)
    walker.walk(content)
    walker.flush()
    return RawDocument(format="html", blocks=walker.blocks,
                       meta={"encoding": encoding, "content_node": tree.getpath(content)})
