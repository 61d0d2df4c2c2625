"""NUMBERING.*: heading numbering and enumerations inside sections one, five and six
(rubric A8; GB/T 9704-2012 practice: levels run 一、 → （一） → 1. → （1）, one style per
level, “一是…二是…” starting at 一是 without gaps).
Wrong numbering is a warning, as a typo is: the rubric puts both at S3 (minor, but wrong),
while 提示 (info) is kept for advisory findings (boilerplate, preferred forms)."""
from __future__ import annotations

import re

from ...doc import Doc, Heading
from ..registry import MINIMAL, Report, clean, flag, rule

SECTIONS = (1, 5, 6)
_CN = "一二三四五六七八九十"
_ASCII_PARENS = tuple((f"（{n}）", f"({n})") for n in "一二三四五")


def _render(style: str, n: int) -> str:
    if "一" in style:
        num = _CN[n - 1] if n <= 10 else ("十" + _CN[n - 11] if n < 20 else str(n))
        return style.replace("一", num)
    if "1" in style:
        return style.replace("1", str(n))
    return style


def _numbered(doc: Doc, number: int) -> list[Heading]:
    """The numbered headings inside section `number` (the structure layer's)."""
    return [h for h in doc.headings if h.section == number and h.level > 0 and h.marker is not None]


@rule("NUMBERING.MIXED_STYLE", category="format", severity="warning", needs=("sections", "headings"),
      message="同一层级的序号样式不一致：前文用“{expected}”样式，此处为“{quote}”。同一层级应使用同一种序号"
              "（层级依次为“一、”“（一）”“1.”“（1）”），括号也应统一为全角。",
      examples=[flag(Report(edits={1: (("（二）依申请公开", "（2）依申请公开"),)}), quote="（2）", suggestion="（二）"),
                clean(Report(edits={1: _ASCII_PARENS})), clean(MINIMAL)])
def mixed_style(doc: Doc, rule):
    """同一部分中同级小标题的序号样式前后不一（先用“(一)”，后用“（2）”）。"""
    for n in SECTIONS:
        flagged_levels: set[tuple[int, str]] = set()
        for h in _numbered(doc, n):
            mk, depth, mixed = h.marker, h.level, h.mixed_with
            if mixed is None or (depth, mixed) in flagged_levels:
                continue
            flagged_levels.add((depth, mixed))  # one finding per level and style
            yield rule.finding(doc, mk.start, mk.end, expected=_render(mixed, 1),
                               suggestions=[_render(mixed, mk.ordinal)],
                               evidence={"level_style": mixed, "style": mk.style, "ordinal": mk.ordinal})


_LOOSE_ONE = re.compile(r"(?<![统唯第同单专逐万])一是(?![的否])")


@rule("NUMBERING.ENUM_SEQUENCE", category="format", severity="warning", needs=("sections", "headings", "enum_items"),
      message="列举序号不连贯：{detail}。“一是、二是、三是……”应从“一是”开始并依次排列。",
      examples=[flag(Report(edits={5: (("一是政策解读形式较为单一；", "政策解读形式较为单一；"),)}),
                     quote="二是", suggestion="一是"),
                clean(MINIMAL)])
def enum_sequence(doc: Doc, rule):
    """“一是……二是……”式列举没有从“一是”开始，或跳过了序号。"""
    numbered = {h.paragraph for h in doc.headings if h.marker is not None and h.level > 0}
    items: dict[int, list] = {}
    for it in doc.enum_items:
        if it.ordinal:
            items.setdefault(it.paragraph, []).append(it)
    for n in SECTIONS:
        s = doc.section(n)
        if s is None:
            continue
        last: int | None = None
        scope_start = s.body_start
        for i, p in enumerate(doc.paragraphs):
            if not (p.start >= s.body_start and p.end <= s.end):
                continue
            if i in numbered:
                last, scope_start = None, p.start  # a new numbered block starts its own list
            for it in items.get(i, ()):
                last = yield from _check_item(doc, rule, it, last, scope_start)


def _check_item(doc: Doc, rule, it, last: int | None, scope_start: int):
    text = doc.text
    k, a = it.ordinal, it.start
    b = text.index("是", a) + 1
    if k == 1 or (last is not None and k == last + 1):
        return k
    if last is None and _LOOSE_ONE.search(text, scope_start, a):
        return k  # “问题一是…” without punctuation before 一是
    if last is None or last >= k:
        detail = f"“{text[a:b]}”之前没有“一是”"
        sugg = "一是"
    else:
        missing = "、".join(f"{_CN[i - 1]}是" for i in range(last + 1, k))
        detail = f"“{_CN[last - 1]}是”之后直接出现“{text[a:b]}”，缺少“{missing}”"
        sugg = f"{_CN[last]}是"
    yield rule.finding(doc, a, b, detail=detail, suggestions=[sugg], evidence={"ordinal": k, "previous": last})
    return k


_TOP_LEVEL_S5 = ("一、存在的问题：一是政策解读形式较为单一；二是信息发布的及时性有待提高。\n"
                 "二、改进措施：一是增加图解、视频等解读形式；二是建立信息发布周报制度。\n"
                 "（三）上年度问题整改情况：针对上年度指出的栏目更新不及时问题，已建立专人维护制度，完成整改。")


@rule("NUMBERING.TOP_LEVEL_REUSED", category="format", severity="warning", needs=("sections", "headings"),
      message="第{section}部分内部使用了一级标题序号“{quote}”，与报告的一级标题（一、至六、）混淆。部分内的小标题应使用“（一）”“（二）”。",
      examples=[flag(Report(bodies={5: _TOP_LEVEL_S5}), quote="一、", suggestion="（一）"), clean(MINIMAL)])
def top_level_reused(doc: Doc, rule):
    """部分内的小标题使用了“一、二、”这样的一级标题序号。"""
    for n in SECTIONS:
        for mk in (h.marker for h in _numbered(doc, n)):
            if mk.kind == "cn":
                yield rule.finding(doc, mk.start, mk.end, section="一二三四五六"[n - 1],
                                   suggestions=["（" + _CN[mk.ordinal - 1] + "）" if mk.ordinal <= 10 else "（）"],
                                   evidence={"section": n, "ordinal": mk.ordinal})
