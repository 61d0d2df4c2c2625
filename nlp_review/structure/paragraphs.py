"""The structure layer: logical paragraphs, headings, enumeration items and narrative
regions — computed once here; every later component reads them and none recomputes them.

- **Paragraphs.** The lines of `Doc.text` outside the tables (parsed tables, real grids,
  tab rows, pipe rows), without the page furniture around the report (web-page chrome
  before its title, a page's footer lines after its end). A line that ends inside a
  sentence continues on the next line when that line opens no heading or item and the
  paragraph so far is not a heading (a line starting with closing punctuation always
  continues) — the wraps the readers could not see (a Word line break, a paragraph a web
  page split). A section heading that runs into its first sentence (“一、总体情况2023年，…”)
  is a paragraph of its own, as it would be in a clean text.
- **Headings** (`Doc.headings`): the six section headings (level 0) and, inside the
  sections, every numbered paragraph (“（一）主动公开情况”, “1.…”; markers:
  structure/markers.py) and every labelled one (“存在的主要问题：…”, a short unpunctuated
  line), with the heading's words, the marker's style, the level of its numbering style
  (`markers.nest`), the enclosing heading and how far it reaches.
- **Enumeration items** (`Doc.enum_items`): “一是…二是…” inside a paragraph.
- **Regions** (`Doc.regions`): the narrative — the preamble, and each section's body
  outside its heading and tables.
"""
from __future__ import annotations

import re
from typing import Optional

from ..component import component
from ..doc import Doc, EnumItem, Heading, Region, Span
from .markers import Marker, enum_items, line_marker, nest, starts_item

# A paragraph ending in one of these has ended (a line ending elsewhere may run on).
PARAGRAPH_END = "。！？!?；;：:…」”’）)】"
CLOSING_START = "，。、；：！？）》」』”’%,.;:!?)"
_INLINE_HEAD = re.compile(r"[。：:；;]")
_LABEL_HEAD = re.compile(r"^(?P<h>[^，。；;,\d]{2,16})[：:]")
_SPACE = re.compile(r"\s+")
# Web-page chrome after a report's end (footer, share and print buttons, site notices).
_TRAILING_CHROME = re.compile(
    r"^\s*(?:【?\s*打印|打印本页|关闭(?:窗口|本页)?\s*$|【?\s*关闭|分享到|扫一扫|返回顶部|主办单位|承办单位|"
    r"网站标识码|[京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新]ICP|公网安备|版权所有|技术支持|"
    r"联系我们|网站地图|【\s*字体|相关(?:附件|链接|文件)\s*[:：]?\s*$)")
_TRAILING_LINES = 10


def compact(s: str) -> str:
    return _SPACE.sub("", s)


def table_row(line: str) -> bool:
    """A line of table cells, never prose: tabs, or pipe separators (“a | b |”, “b |”, “|”)."""
    s = line.strip()
    return "\t" in line or s.count("|") + s.count("｜") >= 2 or s.endswith(("|", "｜")) or s in ("|", "｜")


def heading_only(flat: str, numbered: bool) -> bool:
    """A heading line: short, no sentence punctuation inside (a closing colon or stop
    allowed; a numbered heading may hold commas: “（一）高度重视，认识到位”)."""
    if not numbered and flat.endswith("。"):
        return False
    core = flat.rstrip("。：:")
    inner = r"[。；：;:！？!?]" if numbered else r"[，。；：,;:！？!?]"
    return 0 < len(core) <= (30 if numbered else 16) and not re.search(inner, core)


def _lines(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of every line that may be prose, whitespace trimmed."""
    text = doc.text
    skip = sorted([(t.start, t.end) for t in doc.tables.values()] + [(s.start, s.end) for s in doc.table_spans])
    front = doc.title_span.start if doc.title_span is not None else 0
    raw = text.split("\n")
    out = []
    pos = 0
    for i, line in enumerate(raw):
        start, end = pos, pos + len(line)
        pos = end + 1
        lead = len(line) - len(line.lstrip())
        a, b = start + lead, end - (len(line) - len(line.rstrip()))
        if a >= b or a < front or table_row(line) or any(s <= a < e for s, e in skip):
            continue  # blank, page chrome before the title, a table
        if i >= len(raw) - _TRAILING_LINES and _TRAILING_CHROME.match(line):
            continue
        out.append((a, b))
    return out


def _split_run_in(doc: Doc, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A section heading that runs into its first sentence becomes two lines."""
    cuts = {s.start: s.heading_end for s in doc.sections
            if s.found and s.heading is not None and s.heading_end is not None}
    out = []
    for a, b in lines:
        cut = cuts.get(a)
        if cut is not None and a < cut < b:
            body = cut + len(doc.text[cut:b]) - len(doc.text[cut:b].lstrip())
            out += [(a, cut), (body, b)] if body < b else [(a, b)]
        else:
            out.append((a, b))
    return out


class _Para:
    __slots__ = ("start", "end", "marker", "merged")

    def __init__(self, start: int, end: int, marker: Optional[Marker]):
        self.start, self.end, self.marker, self.merged = start, end, marker, False


def _heading_words(text: str, p: _Para) -> tuple[str, int, bool]:
    """(words, end of the heading, alone) of a paragraph that opens with a heading; words ""
    when it holds none."""
    body_start = p.marker.end if p.marker else p.start
    body = text[body_start:p.end]
    flat = compact(body)
    if heading_only(flat, p.marker is not None):
        return flat.rstrip("。：:；;"), p.end, True
    if p.marker is not None:
        m = _INLINE_HEAD.search(body)
        if m and len(compact(body[:m.start()])) <= 24 and len(compact(body[m.end():])) > 2:
            return compact(body[:m.start()]), body_start + m.end(), False
        return "", p.marker.end, False
    m = _LABEL_HEAD.match(body)
    if m and len(compact(body[m.end():])) > 2:
        return compact(m.group("h")), body_start + m.end(), False
    return "", p.start, False


def _region_of(doc: Doc, offset: int) -> Optional[int]:
    """The section whose body holds `offset`; 0 for the preamble, None elsewhere (a
    heading, the title)."""
    for s in doc.sections:
        if s.found and s.body_start is not None and s.body_start <= offset < s.end:
            return s.number
    first = min((s.start for s in doc.sections if s.found and s.start is not None), default=len(doc.text))
    return 0 if offset < first and not _in_title(doc, offset) else None


def _in_title(doc: Doc, offset: int) -> bool:
    return doc.title_span is not None and doc.title_span.start <= offset < doc.title_span.end


_TITLE_BLOCK_PUNCT = re.compile(r"[，。；：,;:《》（）()]")


def _title_block(text: str, lines: list[tuple[int, int]], first_section: int) -> set[int]:
    """Starts of the lines that open the document before any prose (title lines, a running
    header, a date): short, unpunctuated, before the first section. Each is a paragraph
    of its own, never joined to the line after it."""
    out = set()
    for a, b in lines:
        if a >= first_section or len(compact(text[a:b])) > 30 or _TITLE_BLOCK_PUNCT.search(text, a, b):
            break
        out.add(a)
    return out


def _logical(doc: Doc, lines: list[tuple[int, int]]) -> list[_Para]:
    """Lines joined into paragraphs (module docstring)."""
    text = doc.text
    out: list[_Para] = []
    prev_region = object()
    first = min((s.start for s in doc.sections if s.found and s.start is not None), default=len(text))
    title_block = _title_block(text, lines, first)
    for a, b in lines:
        region = _region_of(doc, a)
        mk = line_marker(text, a, b)
        if out and region is not None and region == prev_region and out[-1].start not in title_block:
            prev = out[-1]
            if text[a] in CLOSING_START or (
                    not starts_item(text[a:b]) and text[prev.end - 1] not in PARAGRAPH_END
                    and (prev.merged or not _heading_line(text, prev))):
                prev.end, prev.merged = b, True
                continue
        out.append(_Para(a, b, mk))
        prev_region = region
    return out


def _heading_line(text: str, p: _Para) -> bool:
    body_start = p.marker.end if p.marker else p.start
    return heading_only(compact(text[body_start:p.end]), p.marker is not None)


def _headings(doc: Doc, paras: list[_Para]) -> list[Heading]:
    text = doc.text
    section_at = {s.start: s for s in doc.sections if s.found and s.heading is not None}
    out: list[Heading] = []
    parent_of: dict[int, Heading] = {}
    by_section: dict[int, list[tuple[int, _Para]]] = {}
    for i, p in enumerate(paras):
        s = section_at.get(p.start)
        if s is not None:
            out.append(Heading(p.start, p.end, compact(s.heading), None, 0, s.number, i, True, scope_end=s.end))
            continue
        n = _region_of(doc, p.start)
        if n:
            by_section.setdefault(n, []).append((i, p))
    for n, members in sorted(by_section.items()):
        numbered = [p.marker for _, p in members if p.marker is not None]
        nested = {mk.start: (d, mixed) for mk, d, mixed in nest(numbered)}
        open_: list[tuple[int, int, bool]] = []  # (level, index in out, numbered)
        for i, p in members:
            words, end, alone = _heading_words(text, p)
            if p.marker is None and not words:
                for _, h, _ in open_:
                    out[h].scope_end = max(out[h].scope_end, p.end)
                continue
            if p.marker is not None:
                level, mixed = nested[p.marker.start]
            else:  # a label (“存在的主要问题：”): sibling of the previous label
                while open_ and not open_[-1][2]:
                    open_.pop()
                level, mixed = (open_[-1][0] + 1 if open_ else 0), None
            while open_ and open_[-1][0] >= level:
                open_.pop()
            head = Heading(p.start, end, words, p.marker, level + 1, n, i, alone, None, p.end, mixed)
            if open_:
                parent_of[id(head)] = out[open_[-1][1]]
            out.append(head)
            open_.append((level, len(out) - 1, p.marker is not None))
            for _, h, _ in open_:
                out[h].scope_end = max(out[h].scope_end, p.end)
    out.sort(key=lambda h: h.start)
    index = {id(h): i for i, h in enumerate(out)}
    for h in out:
        if id(h) in parent_of:
            h.parent = index[id(parent_of[id(h)])]
    return out


def _regions(doc: Doc) -> list[Region]:
    """The preamble and each section's body, cut where tables are."""
    tables = sorted([(t.start, t.end) for t in doc.tables.values()] + [(s.start, s.end) for s in doc.table_spans])
    found = sorted((s for s in doc.sections if s.found and s.start is not None), key=lambda s: s.start)
    spans: list[tuple[Optional[int], int, int]] = []
    if found:
        pre = doc.title_span.end if doc.title_span is not None else 0
        if found[0].start > pre:
            spans.append((None, pre, found[0].start))
        spans += [(s.number, s.body_start, s.end) for s in found]
    else:
        spans.append((None, doc.title_span.end if doc.title_span is not None else 0, len(doc.text)))
    out = []
    for n, a, b in spans:
        for ta, tb in tables:
            if tb <= a or ta >= b:
                continue
            if ta > a:
                out.append(Region(n, a, ta))
            a = max(a, tb)
        if b > a:
            out.append(Region(n, a, b))
    return out


@component("paragraphs", requires=("text", "table_spans"), uses=("sections", "title_span", "tables"),
           assigns=("paragraphs", "headings", "enum_items", "regions"))
def structure(doc: Doc, options=None) -> None:
    """Logical paragraphs, headings with their markers and levels, enumeration items and the
    narrative regions (the structure layer every later component reads)."""
    paras = _logical(doc, _split_run_in(doc, _lines(doc)))
    heads = _headings(doc, paras)
    heading_at = {h.paragraph for h in heads if h.alone}
    title = doc.title_span
    doc.paragraphs = [Span(p.start, p.end, "heading" if i in heading_at else
                           "title" if title is not None and title.start <= p.start < title.end else "paragraph")
                      for i, p in enumerate(paras)]
    doc.headings = heads
    doc.enum_items = [EnumItem(a, b, n, i) for i, p in enumerate(paras) for a, b, n in enum_items(doc.text, p.start, p.end)]
    doc.regions = _regions(doc)
