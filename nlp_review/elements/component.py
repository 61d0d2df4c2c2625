"""Pipeline component "elements": fills `doc.elements` for every contract key.

Each unit of sections 1, 5 and 6 is labelled by the model (restricted to its section's
classes). A unit's label counts when its probability is at least `accept`; inside a
block already labelled with another element it must reach `accept_nested` (a heading
that says “监督保障” is evidence, not proof, for the sentences under it). A sentence that
only lists aspect names (“做好主动公开、依申请公开等工作”) with no fact does not make an
element present: it is recorded as a generic mention (ELEMENT.GENERIC reads it). A headed
block whose sentences, read without the heading, never support its label and are sure of
another element loses the label (“headings lie”).
"""
from __future__ import annotations

import re

from ..component import component
from ..doc import Doc
from . import KEYS, OTHER
from .model import load
from .segment import KIND_RANK, Unit, segment, unit_record
from .weak import label_from_heading

ASPECT_WORDS = {
    "s1.proactive": re.compile(r"主动公开"),
    "s1.on_request": re.compile(r"依申请公开|依法申请公开"),
    "s1.management": re.compile(r"政府信息管理"),
    "s1.platform": re.compile(r"平台建设"),
    "s1.oversight": re.compile(r"监督保障"),
}
# a count (not a year or date), or a stated zero: what makes a sentence report, not name
FACT = re.compile(r"\d+(?:\.\d+)?(?![\d.]*\s*[年月日])|[一二三四五六七八九十两百千万]+(?:条|件|篇|次|个|场|期|名|项|份|家)"
                  r"|未(?:收到|接到|发生|出现|受理)|没有")


def _generic_mentions(text: str) -> list[str]:
    named = [k for k, rx in ASPECT_WORDS.items() if rx.search(text)]
    return named if len(named) >= 2 and not FACT.search(text) else []


def _ancestors(units: list[Unit], i: int):
    p = units[i].parent
    while p is not None:
        yield p
        p = units[p].parent


def score_units(doc: Doc, model, units_by_section: dict[int, list[Unit]]) -> dict[int, tuple]:
    """(rows, probabilities, probabilities read bare) of every unit of every section, from
    one model call: each unit as written and the same unit without its heading (what the
    text itself says)."""
    rows = {n: [unit_record(doc, u, units) for u in units] for n, units in units_by_section.items()}
    flat = [r for rs in rows.values() for r in rs]
    p = model.proba(flat + [{**r, "heading": "", "context": ""} for r in flat])
    out, k = {}, 0
    for n, rs in rows.items():
        out[n] = (rs, p[k:k + len(rs)], p[len(flat) + k:len(flat) + k + len(rs)])
        k += len(rs)
    return out


def label_units(doc: Doc, model, units: list[Unit], scored: tuple | None = None) -> list[tuple[str, float, list[str]]]:
    """(accepted label or OTHER, probability, generic mentions) for each unit (`scored`:
    its section's entry of `score_units`, computed here when not given)."""
    if not units:
        return []
    rows, proba, bare = scored if scored is not None else score_units(doc, model, {0: units})[0]
    classes, cfg = model.classes, model.settings  # thresholds: the model folder's config.json

    def pick(p) -> tuple[str, float]:
        j = int(p.argmax())
        return (classes[j] if p[j] >= cfg["accept"] else OTHER), float(p[j])

    raw: list[tuple[str, float, list[str]]] = []
    for i, (u, p) in enumerate(zip(units, proba)):
        lab, pr = pick(p)
        named = label_from_heading(u.section, u.heading) if u.kind == "block" and u.own_heading else None
        if named not in (None, OTHER, lab) and p[classes.index(named)] >= cfg["heading_prior"]:
            # the author's heading names the element and the model, reading it, finds it plausible
            lab, pr = named, float(p[classes.index(named)])
        generic = _generic_mentions(rows[i]["text"]) if u.section == 1 else []
        if generic and u.kind != "block":
            lab = OTHER
        raw.append((lab, pr, generic))
    # Headings lie: a part headed “政府信息管理” whose text, read without the heading,
    # is confidently about something else (lawsuits, applications) is not management.
    for i, u in enumerate(units):
        lab = raw[i][0]
        if u.kind != "block" or lab == OTHER:
            continue
        e = classes.index(lab)
        inner = [j for j, v in enumerate(units) if v.kind != "block" and u.start <= v.start and v.end <= u.end]
        if not inner or any(bare[j][e] >= cfg["support"] for j in inner):
            continue
        if any(classes[int(bare[j].argmax())] not in (lab, OTHER) and bare[j].max() >= cfg["contradict"] for j in inner):
            raw[i] = (OTHER, raw[i][1], raw[i][2])
            for j in inner:
                blab, bpr = pick(bare[j])
                raw[j] = (OTHER if raw[j][2] else blab, bpr, raw[j][2])
    out: list[tuple[str, float, list[str]]] = []
    for i, (lab, pr, generic) in enumerate(raw):
        if lab != OTHER:
            outer = next((out[a][0] for a in _ancestors(units, i) if out[a][0] != OTHER), None)
            if outer is not None and outer != lab and pr < cfg["accept_nested"]:
                lab = OTHER
        out.append((lab, pr, generic))
    return out


def element_span(units: list[Unit], labels: list[tuple[str, float, list[str]]], key: str) -> tuple[int, int] | None:
    """The coarsest units labelled `key` that no other `key` unit contains; the first run of
    them not interrupted by a unit of another element."""
    idx = [i for i, (lab, _, _) in enumerate(labels) if lab == key]
    if not idx:
        return None
    # prefer units that hold no part of another element (a paragraph of problems that
    # ends with the measures gives way to its sentences)
    foreign = [(units[j].start, units[j].end) for j, (lab, _, _) in enumerate(labels) if lab not in (OTHER, key)]
    pure = [i for i in idx if not any(units[i].start <= s and e <= units[i].end for s, e in foreign)]
    ids = pure or idx

    def inside(i: int, j: int) -> bool:
        return i != j and units[j].start <= units[i].start and units[i].end <= units[j].end and \
            (units[j].start, units[j].end) != (units[i].start, units[i].end)

    tops = sorted((i for i in ids if not any(inside(i, j) for j in ids)),
                  key=lambda i: (units[i].start, KIND_RANK[units[i].kind]))
    start, end = units[tops[0]].start, units[tops[0]].end
    others = [(units[i].start, units[i].end) for i, (lab, _, _) in enumerate(labels)
              if lab not in (OTHER, key)]
    for i in tops[1:]:
        u = units[i]
        if u.start < end:
            end = max(end, u.end)
            continue
        if any(end <= s < u.start for s, _ in others):
            break
        end = max(end, u.end)
    return start, end


# Last year's problems and what became of them, however worded: an earlier period
# (上年度, 去年, 以往, 前期, or an earlier year's report) and its problems, with an outcome
# (已整改, 得到解决, 落实到位, 尚未整改 …). A problem of last year still only “有待改进”
# is a problem, not a rectification report.
_EARLIER = r"(?:上一?年度?|上年|去年|往年|以往|前期|此前|前一年度?|(?P<year>(?:19|20)\d\d)年度?)"
_THEIR_PROBLEMS = r"[^。！？]{0,40}?(?:问题|不足|短板|差距|意见|建议|整改事项)"
_OUTCOME = re.compile(r"已|均|整改|解决|纠正|改正|落实到位|得到|完成|尚未|未能|仍在")
RECTIFICATION = re.compile(_EARLIER + _THEIR_PROBLEMS)


def rectification_sentence(doc: Doc) -> tuple[int, int] | None:
    """The first sentence of section five that reports on earlier problems' rectification."""
    sec = doc.section(5)
    if sec is None:
        return None
    for s in doc.sentences_in(sec.start, sec.end):
        text = doc.text[s.start:s.end]
        for m in RECTIFICATION.finditer(text):
            year = m.group("year")
            if year and (doc.year is None or int(year) >= int(doc.year)):
                continue  # this year's problems
            if _OUTCOME.search(text):
                return s.start, s.end
    return None


@component("elements", requires=("text", "sections", "paragraphs", "sentences", "tokens"),
           assigns=("elements", "element_units", "element_mentions"))
def detect_elements(doc: Doc, options=None) -> None:
    """The required elements of sections one, five and six (classifier over nested units)."""
    model = load()
    units_by_section = segment(doc)
    scored = score_units(doc, model, units_by_section)
    elements: dict[str, dict] = {}
    detail: dict[int, list] = {}
    for n, keys in KEYS.items():
        units = units_by_section.get(n, [])
        labels = label_units(doc, model, units, scored.get(n))
        detail[n] = list(zip(units, labels))
        for key in keys:
            span = element_span(units, labels, key)
            if span is None:
                mention = next(((u.start, u.end) for u, (_, _, g) in zip(units, labels) if key in g), None)
                elements[key] = {"present": False, "start": None, "end": None}
                if mention:
                    elements[key]["generic_mention"] = {"start": mention[0], "end": mention[1]}
            else:
                elements[key] = {"present": True, "start": span[0], "end": span[1]}
    if not elements.get("s5.last_year", {}).get("present"):
        found = rectification_sentence(doc)
        if found is not None:
            elements["s5.last_year"] = {"present": True, "start": found[0], "end": found[1]}
    doc.elements = {k: {kk: vv for kk, vv in v.items() if kk != "generic_mention"} for k, v in elements.items()}
    doc.element_units = detail
    doc.element_mentions = {k: v["generic_mention"] for k, v in elements.items() if "generic_mention" in v}
