"""Sections one, five and six cut into units for the element classifier.

Units nest: headed blocks (a numbered or labelled heading and everything under it) →
paragraphs → enumeration items (“一是…”, “二是…”) → sentences. Everything comes from the
structure layer (`doc.paragraphs`, `doc.headings`, `doc.enum_items`; structure/paragraphs.py)
and the `sentences` component; nothing is segmented or re-joined here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..doc import Doc
from ..structure.markers import line_marker

SECTIONS = (1, 5, 6)
KIND_RANK = {"block": 0, "paragraph": 1, "item": 2, "sentence": 3}
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
# The classifier reads at most this much of a unit (text and tokens): real units are paragraphs
# (the longest of the 192 reports in corpus/ and the seeds: 630 characters); a pasted
# 550,000-character paragraph made the n-gram arrays of its one unit take ~700 MB.
UNIT_CHARS = 4000


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
            "text": _compact_prefix(doc.text, u.start, u.end, UNIT_CHARS),
            "tokens": " ".join(u.tokens[:UNIT_CHARS // 2]), "context": context,
            "start": u.start, "end": u.end}


def _compact_prefix(text: str, start: int, end: int, n: int) -> str:
    """compact(text[start:end])[:n] without compacting all of a long block for each of its units."""
    k = 2 * n
    while True:
        out = compact(text[start:min(end, start + k)])
        if len(out) >= n or start + k >= end:
            return out[:n]
        k *= 4


def _without_marker(s: str) -> str:
    mk = line_marker(s, 0)
    return s[mk.end:] if mk else s


def segment_section(doc: Doc, number: int) -> list[Unit]:
    sec = doc.section(number)
    if sec is None:
        return []
    lo, hi = sec.body_start, sec.end
    paras = [(i, p) for i, p in enumerate(doc.paragraphs) if p.start >= lo and p.end <= hi]
    heads = {h.paragraph: (k, h) for k, h in enumerate(doc.headings) if h.section == number and h.level > 0}
    items: dict[int, list] = {}
    for it in doc.enum_items:
        items.setdefault(it.paragraph, []).append(it)
    items = {i: its for i, its in items.items() if len(its) > 1}  # a lone item is its paragraph
    units: list[Unit] = []
    block_of: dict[int, int] = {}  # heading index → its block's unit index
    para_parent: list[int | None] = []
    current: int | None = None  # the innermost open block: the last heading's
    for i, p in paras:
        if i in heads:
            k, h = heads[i]
            parent = block_of.get(h.parent) if h.parent is not None else None
            # a bare “1.” item under “（四）平台建设” is read under that heading
            heading = h.title or (units[parent].heading if parent is not None else "")
            depth = units[parent].depth + 1 if parent is not None else 0
            units.append(Unit(number, "block", p.start, max(p.end, h.scope_end), heading, True, parent, depth))
            block_of[k] = current = len(units) - 1
        para_parent.append(current)
    # Paragraphs, enumeration items and sentences.
    for (i, p), parent in zip(paras, para_parent):
        heading = units[parent].heading if parent is not None else ""
        if i in heads and heads[i][1].alone:
            continue  # the heading line alone is no content; its block carries it
        block_same = parent is not None and units[parent].start == p.start and units[parent].end == p.end
        if block_same:
            pi = parent
        else:
            units.append(Unit(number, "paragraph", p.start, p.end, heading,
                              parent is not None and units[parent].start == p.start, parent,
                              (units[parent].depth + 1) if parent is not None else 0))
            pi = len(units) - 1
        sents = doc.sentences_in(p.start, p.end)
        seen = {(p.start, p.end)}
        for it in items.get(i, []):
            a, b = it.start, it.end
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
    return compact(_without_marker(doc.text[u.start:u.end].lstrip())).rstrip("。：:；; ") == u.heading


def segment(doc: Doc) -> dict[int, list[Unit]]:
    return {n: segment_section(doc, n) for n in SECTIONS}
