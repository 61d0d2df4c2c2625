"""NUMBERING.*: heading numbering and enumerations inside sections one, five and six
(rubric A8; GB/T 9704-2012 practice: levels run 一、 → （一） → 1. → （1）, one style per
level, “一是…二是…” starting at 一是 without gaps)."""
from __future__ import annotations

import re

from ..doc import Doc, Finding
from ..elements.markers import ENUM, Marker, cn_value, line_marker, nest
from .catalogue import Example, Rule, finding, register
from .examples import DEFAULT_S1, DEFAULT_S5, minimal_report

SECTIONS = (1, 5, 6)
_CN = "一二三四五六七八九十"

MIXED_STYLE = register(Rule(
    "NUMBERING.MIXED_STYLE", "format", "info",
    "同一层级的序号样式不一致：前文用“{expected}”样式，此处为“{quote}”。同一层级应使用同一种序号"
    "（层级依次为“一、”“（一）”“1.”“（1）”），括号也应统一为全角。",
    "Sibling headings in one section switch numbering style (“(一)” then “（2）”).",
    [Example(minimal_report(s1=DEFAULT_S1.replace("（二）依申请公开", "（2）依申请公开")), True, whole=True,
             quote="（2）", suggestion="（二）"),
     Example(minimal_report(s1=DEFAULT_S1.replace("（一）主动公开", "(一)主动公开")
                            .replace("（二）", "(二)").replace("（三）", "(三)").replace("（四）", "(四)")
                            .replace("（五）", "(五)")), False, whole=True),
     Example(minimal_report(), False, whole=True)],
))
ENUM_SEQUENCE = register(Rule(
    "NUMBERING.ENUM_SEQUENCE", "format", "info",
    "列举序号不连贯：{detail}。“一是、二是、三是……”应从“一是”开始并依次排列。",
    "An enumeration “一是…二是…” starts without 一是 or skips a number.",
    [Example(minimal_report(s5=DEFAULT_S5.replace("一是政策解读形式较为单一；", "政策解读形式较为单一；")), True,
             whole=True, quote="二是", suggestion="一是"),
     Example(minimal_report(), False, whole=True)],
))
TOP_LEVEL_REUSED = register(Rule(
    "NUMBERING.TOP_LEVEL_REUSED", "format", "info",
    "第{section}部分内部使用了一级标题序号“{quote}”，与报告的一级标题（一、至六、）混淆。部分内的小标题应使用“（一）”“（二）”。",
    "A section's own sub-headings reuse the top-level numbering “一、/二、”.",
    [Example(minimal_report(s5="一、存在的问题：一是政策解读形式较为单一；二是信息发布的及时性有待提高。\n"
                               "二、改进措施：一是增加图解、视频等解读形式；二是建立信息发布周报制度。\n"
                               + DEFAULT_S5.split("\n")[2]), True, whole=True, quote="一、", suggestion="（一）"),
     Example(minimal_report(), False, whole=True)],
))


def _render(style: str, n: int) -> str:
    if "一" in style:
        num = _CN[n - 1] if n <= 10 else ("十" + _CN[n - 11] if n < 20 else str(n))
        return style.replace("一", num)
    if "1" in style:
        return style.replace("1", str(n))
    return style


def _section_markers(doc: Doc, number: int) -> list[Marker]:
    s = doc.section(number)
    if s is None:
        return []
    out = []
    for p in doc.paragraphs:
        if p.start >= s.body_start and p.end <= s.end:
            mk = line_marker(doc.text, p.start, p.end)
            if mk is not None:
                out.append(mk)
    return out


def check_mixed_style(doc: Doc) -> list[Finding]:
    out = []
    for n in SECTIONS:
        flagged_levels: set[tuple[int, str]] = set()
        for mk, depth, mixed in nest(_section_markers(doc, n)):
            if mixed is None or (depth, mixed) in flagged_levels:
                continue
            flagged_levels.add((depth, mixed))  # one finding per level and style
            out.append(finding(doc, MIXED_STYLE.id, mk.start, mk.end, expected=_render(mixed, 1),
                               suggestions=[_render(mixed, mk.ordinal)],
                               evidence={"level_style": mixed, "style": mk.style, "ordinal": mk.ordinal}))
    return out


_LOOSE_ONE = re.compile(r"(?<![统唯第同单专逐万])一是(?![的否])")


def check_enum_sequence(doc: Doc) -> list[Finding]:
    out = []
    text = doc.text
    for n in SECTIONS:
        s = doc.section(n)
        if s is None:
            continue
        last: int | None = None
        scope_start = s.body_start
        for p in doc.paragraphs:
            if not (p.start >= s.body_start and p.end <= s.end):
                continue
            if line_marker(text, p.start, p.end) is not None:
                last, scope_start = None, p.start  # a new numbered block starts its own list
            for m in ENUM.finditer(text, p.start, p.end):
                k = cn_value(m.group("n"))
                if k == 1:
                    last = 1
                    continue
                if last is not None and k == last + 1:
                    last = k
                    continue
                if last is None and _LOOSE_ONE.search(text, scope_start, m.start()):
                    last = k  # “问题一是…” without punctuation before 一是
                    continue
                if last is None or last >= k:
                    detail = f"“{m.group(0)}”之前没有“一是”"
                    sugg = "一是"
                else:
                    missing = "、".join(f"{_CN[i - 1]}是" for i in range(last + 1, k))
                    detail = f"“{_CN[last - 1]}是”之后直接出现“{m.group(0)}”，缺少“{missing}”"
                    sugg = f"{_CN[last]}是"
                out.append(finding(doc, ENUM_SEQUENCE.id, m.start(), m.end(), detail=detail, suggestions=[sugg],
                                   evidence={"ordinal": k, "previous": last}))
                last = k
    return out


def check_top_level_reused(doc: Doc) -> list[Finding]:
    out = []
    for n in SECTIONS:
        for mk in _section_markers(doc, n):
            if mk.kind == "cn":
                out.append(finding(doc, TOP_LEVEL_REUSED.id, mk.start, mk.end, section="一二三四五六"[n - 1],
                                   suggestions=["（" + _CN[mk.ordinal - 1] + "）" if mk.ordinal <= 10 else "（）"],
                                   evidence={"section": n, "ordinal": mk.ordinal}))
    return out


CHECKS = [check_mixed_style, check_enum_sequence, check_top_level_reused]
