"""Title, agency, reporting year and the six top-level sections.

A top-level heading is a line that starts with a Chinese numeral and a separator
(“四、”, “四.”, “四 、”) followed by that section's wording. Wording is matched
loosely when the numeral agrees with the section (“四、因政府信息公开工作被申请行政复议、
提起行政诉讼情况”) and strictly when it does not, so the nested “一、存在的问题” inside
section five (seed 北关区) or table rows such as “四、结转下年度继续办理” are never taken
for top-level sections. Headings that PDF extraction lost are inferred from the content
they introduce (the tables' fixed labels).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from ..component import component
from ..doc import Doc, Section, Span

CANONICAL = {
    1: "一、总体情况",
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
    5: "五、存在的主要问题及改进情况",
    6: "六、其他需要报告的事项",
}
NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# Loose wording: enough when the numeral agrees.
_LOOSE = {
    1: re.compile(r"总体情况|总体概况|概述|基本情况|工作概况|总体工作情况"),
    2: re.compile(r"主动公开"),
    3: re.compile(r"(收到|受理).{0,3}处理|依申请公开.{0,6}情况|处理政府信息公开申请"),
    4: re.compile(r"行政复议|行政诉讼"),
    5: re.compile(r"问题|改进|整改"),
    6: re.compile(r"其他需(要)?报告|其他事项|其它需(要)?报告"),
}
# Strict wording: required when the numeral disagrees (a misnumbered real heading).
_STRICT = {
    1: re.compile(r"^总体情况$"),
    2: re.compile(r"^主动公开政府信息(的)?情况$"),
    3: re.compile(r"^收到(和|及|与)处理政府信息公开申请(的)?情况$"),
    4: re.compile(r"^(因)?政府信息公开(工作)?.{0,6}行政复议.{0,8}行政诉讼(的)?情况$"),
    5: re.compile(r"^(政府信息公开工作)?存在的主要问题(及|和|与)(其)?改进(情况|措施)$"),
    6: re.compile(r"^其他需(要)?报告的事项$"),
}
_HEADING = re.compile(
    r"^[ \t]*(?P<num>[一二三四五六七八九十])[ \t]*[、.．，,][ \t]*(?P<title>[^\n]{0,80})", re.M)
_TITLE_END = re.compile(r"[。：:；;]|$")

# Content that proves a section is there when its heading was lost.
_ANCHORS = {
    2: re.compile(r"第二十条第[（(]一[)）]项"),
    3: re.compile(r"(申请人情况|本年新收政府信息公开申请数量)"),
    4: re.compile(r"行政复议[\s\S]{0,40}?行政诉讼[\s\S]{0,200}?(结果\s*维持|维\s*持)"),
    5: re.compile(r"^[ \t]*(?:[（(][一1][)）][ \t]*)?(?:存在的主要问题|主要问题|存在的问题|存在问题)", re.M),
    6: re.compile(r"^[ \t]*[^\n]{0,30}(?:信息处理费|其他需要报告的事项)", re.M),
}


@dataclass
class HeadingCandidate:
    number: int
    numeral: int
    start: int
    end: int  # end of the heading line
    title: str
    strict: bool


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def find_heading_candidates(text: str) -> list[HeadingCandidate]:
    out = []
    for m in _HEADING.finditer(text):
        numeral = NUMERALS[m.group("num")]
        raw_title = m.group("title")
        cut = _TITLE_END.search(raw_title)
        title = _compact(raw_title[:cut.start()])
        if not title or len(title) > 40:
            continue
        line_end = text.find("\n", m.start())
        line_end = len(text) if line_end < 0 else line_end
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip(" \t")))
        for number in range(1, 7):
            strict = bool(_STRICT[number].match(title))
            loose = bool(_LOOSE[number].search(title))
            if (numeral == number and loose) or strict:
                out.append(HeadingCandidate(number, numeral, start, line_end, title, strict))
                break
    return out


def detect_title(doc: Doc, first_heading: int) -> None:
    text = doc.text
    head = text[:first_heading] if first_heading > 0 else text[:400]
    lines = []
    pos = 0
    for line in head.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    title_parts: list[tuple[int, str]] = []
    for start, line in lines:
        s = line.strip()
        if not s or s.startswith("[bookmark"):
            if title_parts:
                break
            continue
        if len(s) > 60 and not title_parts:
            break  # a preamble paragraph, not a title
        title_parts.append((start, line))
        if re.search(r"报告\s*$", s) or len(title_parts) >= 3:
            break
    if not title_parts or not any("报告" in p[1] or "年度" in p[1] for p in title_parts):
        return
    title = "".join(_compact(p[1]) for p in title_parts)
    first_start, first_line = title_parts[0]
    last_start, last_line = title_parts[-1]
    span_start = first_start + (len(first_line) - len(first_line.lstrip()))
    span_end = last_start + len(last_line.rstrip())
    doc.title = title
    doc.title_span = Span(span_start, span_end, "title")
    doc.year = year_of(title)
    m = re.search(r"(?:19|20)\d{2}\s*年|[〇零一二三四五六七八九]{4}年", title)
    agency = title[:m.start()] if m else title.split("政府信息公开")[0]
    agency = re.sub(r"^(关于)", "", agency).strip("：: ")
    doc.agency = agency or None


def year_of(s: str) -> int | None:
    m = re.search(r"((?:19|20)\d{2})\s*年", s)
    if m:
        return int(m.group(1))
    m = re.search(r"([〇零一二三四五六七八九]{4})年", s)
    if m:
        digits = m.group(1).replace("〇", "零")
        try:
            return int("".join(str(cn2an.cn2an(c, "normal")) for c in digits))
        except ValueError:
            return None
    return None


@component("sections", requires=("text",),
           assigns=("title", "title_span", "agency", "year", "sections", "section_duplicates",
                    "section_misnumbered", "section_order"))
def detect_sections(doc: Doc, options=None) -> None:
    """Title, agency, year and the six sections (headings, or content when a heading was lost)."""
    text = doc.text
    cands = find_heading_candidates(text)
    chosen: dict[int, HeadingCandidate] = {}
    duplicates: list[HeadingCandidate] = []
    misnumbered: list[HeadingCandidate] = []
    for c in cands:
        if c.number in chosen:
            # A repeat counts as a duplicate only when it is as convincing as a heading.
            if c.numeral == c.number or c.strict:
                duplicates.append(c)
            continue
        chosen[c.number] = c
        if c.numeral != c.number:
            misnumbered.append(c)

    first_heading = min((c.start for c in chosen.values()), default=len(text))
    detect_title(doc, first_heading)

    starts: dict[int, tuple[int, int, str | None, bool]] = {}
    for n, c in chosen.items():
        starts[n] = (c.start, c.end, text[c.start:c.end].strip(), False)
    # Infer sections whose heading was lost, from the content they hold.
    for n, anchor in _ANCHORS.items():
        if n in starts:
            continue
        lo = max((starts[k][1] for k in starts if k < n), default=0)
        hi = min((starts[k][0] for k in starts if k > n), default=len(text))
        m = anchor.search(text, lo, hi)
        if m:
            line_start = text.rfind("\n", 0, m.start()) + 1
            starts[n] = (line_start, line_start, None, True)

    order = sorted(starts.items(), key=lambda kv: kv[1][0])
    sections = []
    for i, (n, (s, heading_end, heading, inferred)) in enumerate(order):
        end = order[i + 1][1][0] if i + 1 < len(order) else len(text)
        # the body excludes the trailing newline of the previous part
        sections.append(Section(number=n, heading=heading, start=s, end=end, found=True,
                                heading_end=heading_end, inferred=inferred))
    for n in range(1, 7):
        if n not in starts:
            sections.append(Section(number=n, heading=None, start=None, end=None, found=False))
    sections.sort(key=lambda s: s.number)
    doc.sections = sections
    doc.section_duplicates = duplicates
    doc.section_misnumbered = misnumbered
    doc.section_order = [n for n, _ in order]
    if doc.year is None:
        m = re.search(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日", text)
        if m:
            doc.year = int(m.group(1))
