"""Sections one, five and six cut into units for the element classifier.

Units nest: headed blocks (a numbered or labelled heading and everything under it) →
paragraphs (lines re-joined where PDF extraction broke a sentence) → enumeration items
(“一是…”, “二是…”) → sentences. Paragraphs, sentences and tokens come from the pipeline's
`sentences` component (spaCy with jieba); nothing is segmented again here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..doc import Doc
from .markers import ENUM, Marker, line_marker, nest

SECTIONS = (1, 5, 6)
KIND_RANK = {"block": 0, "paragraph": 1, "item": 2, "sentence": 3}
_END_PUNCT = "。！？!?；;：:」”’）)】"
_INLINE_HEAD = re.compile(r"[。：:；;]")
_LABEL_HEAD = re.compile(r"^(?P<h>[^，。；;,\d]{2,16})[：:]")
_SPACE = re.compile(r"\s+")


@dataclass
class Unit:
    section: int
    kind: str  # block | paragraph | item | sentence
    start: int
    end: int
    heading: str = ""  # heading of this block or of the nearest enclosing one ("" when none)
    own_heading: bool = False  # the unit begins with that heading
    parent: int | None = None  # index of the enclosing unit in the section's list
    depth: int = 0
    tokens: list[str] = field(default_factory=list)

    def text(self, doc: Doc) -> str:
        return doc.text[self.start:self.end]


def compact(s: str) -> str:
    return _SPACE.sub("", s)


CONTEXT_CHARS = 200


def unit_record(doc: Doc, u: Unit, units: list[Unit] | None = None) -> dict:
    """The classifier's view of a unit; `context` is the text of its outermost enclosing
    block (the part it belongs to), cut to CONTEXT_CHARS."""
    context = ""
    if units is not None and u.parent is not None:
        top = u
        while top.parent is not None:
            top = units[top.parent]
        context = _compact_prefix(doc.text, top.start, top.end, CONTEXT_CHARS)
    return {"section": u.section, "kind": u.kind, "heading": u.heading, "own_heading": u.own_heading,
            "text": compact(u.text(doc)), "tokens": " ".join(u.tokens), "context": context,
            "start": u.start, "end": u.end}


def _compact_prefix(text: str, start: int, end: int, n: int) -> str:
    """compact(text[start:end])[:n] without compacting all of a long block for each of its units."""
    k = 2 * n
    while True:
        out = compact(text[start:min(end, start + k)])
        if len(out) >= n or start + k >= end:
            return out[:n]
        k *= 4


def strip_marker(s: str) -> str:
    mk = line_marker(s, 0)
    return s[mk.end:] if mk else s


@dataclass
class _Para:
    start: int
    end: int
    marker: Marker | None
    heading: str  # heading text (without marker) when the paragraph opens with one
    heading_only: bool


def _logical_paragraphs(doc: Doc, lo: int, hi: int) -> list[_Para]:
    """doc.paragraphs inside [lo, hi), re-joined where a line ends mid-sentence."""
    text = doc.text
    lines = [p for p in doc.paragraphs if p.start >= lo and p.end <= hi]
    out: list[_Para] = []
    merged_once: set[int] = set()
    for p in lines:
        mk = line_marker(text, p.start, p.end)
        if out and mk is None:
            prev = out[-1]
            last = text[prev.end - 1]
            if last not in _END_PUNCT and (id(prev) in merged_once or not _heading_like(text, prev)):
                prev.end = p.end
                merged_once.add(id(prev))
                continue
        out.append(_Para(p.start, p.end, mk, "", False))
    for para in out:
        body_start = para.marker.end if para.marker else para.start
        body = text[body_start:para.end]
        flat = compact(body)
        if _heading_only(flat, para.marker is not None):
            para.heading, para.heading_only = flat.rstrip("。：:；;"), True
        elif para.marker is not None:
            m = _INLINE_HEAD.search(body)
            if m and len(compact(body[:m.start()])) <= 24 and len(compact(body[m.end():])) > 2:
                para.heading = compact(body[:m.start()])
        else:
            m = _LABEL_HEAD.match(body)
            if m and len(compact(body[m.end():])) > 2:
                para.heading = compact(m.group("h"))
    return out


def _heading_only(flat: str, numbered: bool) -> bool:
    """A heading line: short, no punctuation inside (a trailing colon or stop allowed)."""
    if not numbered and flat.endswith("。"):
        return False
    core = flat.rstrip("。：:")
    return 0 < len(core) <= (30 if numbered else 16) and not re.search(r"[，。；：,;:！？!?]", core)


def _heading_like(text: str, para: "_Para") -> bool:
    body_start = para.marker.end if para.marker else para.start
    return _heading_only(compact(text[body_start:para.end]), para.marker is not None)


def _enum_items(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of an enumeration inside a paragraph: the lead-in and each “X是” item."""
    text = doc.text
    cuts = [m.start() for m in ENUM.finditer(text, start, end)]
    if len(cuts) < 1:
        return []
    bounds = ([start] if cuts[0] > start else []) + cuts + [end]
    spans = []
    for a, b in zip(bounds, bounds[1:]):
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans if len(spans) > 1 else []


def segment_section(doc: Doc, number: int) -> list[Unit]:
    sec = doc.section(number)
    if sec is None:
        return []
    lo, hi = sec.body_start, sec.end
    paras = _logical_paragraphs(doc, lo, hi)
    units: list[Unit] = []
    # Headed blocks: a heading paragraph opens a block that runs to the next heading
    # of the same or a higher level (nesting from the markers' styles).
    markers = [p.marker for p in paras if p.marker is not None]
    depth_of = {mk.start: d for mk, d, _ in nest(markers)}
    open_blocks: list[tuple[int, int, bool]] = []  # (depth, unit index, numbered)
    para_parent: list[int | None] = []
    heading_only: set[int] = set()
    for p in paras:
        if p.marker is not None or p.heading:
            if p.marker is not None:
                d = depth_of.get(p.marker.start, 0)
            else:  # a label (“存在的主要问题：”): sibling of the previous label
                while open_blocks and not open_blocks[-1][2]:
                    open_blocks.pop()
                d = open_blocks[-1][0] + 1 if open_blocks else 0
            while open_blocks and open_blocks[-1][0] >= d:
                open_blocks.pop()
            parent = open_blocks[-1][1] if open_blocks else None
            # a bare “1.” item under “（四）平台建设” is read under that heading
            heading = p.heading or (units[parent].heading if parent is not None else "")
            units.append(Unit(number, "block", p.start, p.end, heading, True, parent, len(open_blocks)))
            open_blocks.append((d, len(units) - 1, p.marker is not None))
            if p.heading_only:
                heading_only.add(p.start)
        para_parent.append(open_blocks[-1][1] if open_blocks else None)
        for _, bi, _ in open_blocks:  # every open block extends over the paragraph
            units[bi].end = max(units[bi].end, p.end)
    # Paragraphs, enumeration items and sentences.
    for p, parent in zip(paras, para_parent):
        heading = units[parent].heading if parent is not None else ""
        if p.start in heading_only:
            continue  # the heading line alone is no content; its block carries it
        block_same = parent is not None and units[parent].start == p.start and units[parent].end == p.end
        if block_same:
            pi = parent
        else:
            units.append(Unit(number, "paragraph", p.start, p.end, heading,
                              parent is not None and units[parent].start == p.start, parent,
                              (units[parent].depth + 1) if parent is not None else 0))
            pi = len(units) - 1
        items = _enum_items(doc, p.start, p.end)
        sents = [s for s in doc.sentences if s.start >= p.start and s.end <= p.end]
        seen = {(p.start, p.end)}
        for a, b in items:
            if (a, b) not in seen:
                seen.add((a, b))
                units.append(Unit(number, "item", a, b, heading, a == p.start and units[pi].own_heading, pi,
                                  units[pi].depth + 1))
        if len(sents) > 1:
            for s in sents:
                if (s.start, s.end) in seen:
                    continue
                seen.add((s.start, s.end))
                units.append(Unit(number, "sentence", s.start, s.end, heading,
                                  s.start == p.start and units[pi].own_heading, pi, units[pi].depth + 1))
    # a sentence or item that is only its block's heading (“（一）主动公开。”) says nothing
    keep = [i for i, u in enumerate(units) if u.kind in ("block", "paragraph") or not _heading_only_unit(doc, u)]
    new_index = {old: new for new, old in enumerate(keep)}  # removed units are leaves: no one's parent
    units = [units[i] for i in keep]
    for u in units:
        u.parent = new_index[u.parent] if u.parent is not None else None
    for u in units:
        u.tokens = doc.tokens.between(u.start, u.end)
    return units


def _heading_only_unit(doc: Doc, u: Unit) -> bool:
    if not u.own_heading or not u.heading:
        return False
    return compact(strip_marker(doc.text[u.start:u.end].lstrip())).rstrip("。：:；; ") == u.heading


def segment(doc: Doc) -> dict[int, list[Unit]]:
    return {n: segment_section(doc, n) for n in SECTIONS}
