"""FORMAT.PUNCT_*: punctuation slips in Chinese prose (rubric F6): “、等”, doubled or
clashing marks, half-width marks between Chinese characters, unbalanced paired marks."""
from __future__ import annotations

import re

from ..doc import Doc, Finding
from .catalogue import Example, Rule, finding, register
from .prose import CJK, IS_CJK, prose_spans, scan

DENG = register(Rule(
    "FORMAT.PUNCT_DUN_DENG", "format", "info",
    "“{quote}”标点有误：列举末项后直接接“等”，“等”前不用顿号。",
    "An enumeration comma directly before 等 (“校园安全、等主题”).",
    [Example("作业改革、思政教育、校园安全、等主题宣传获得转发。", True, quote="、等", suggestion="等"),
     Example("作业改革、思政教育、校园安全等主题宣传获得转发。", False),
     Example("申请各类别、等级证书。", False)],
))
DOUBLED = register(Rule(
    "FORMAT.PUNCT_DOUBLED", "format", "info",
    "“{quote}”标点重复或冲突，应为“{suggestion}”。",
    "Two sentence marks in a row (，，  。。  ，。  、，) — one of them is a slip.",
    [Example("全年主动公开信息120条，，发布解读5篇。", True, quote="，，", suggestion="，"),
     Example("全年主动公开信息120条，。", True, quote="，。", suggestion="。"),
     Example("全年主动公开信息120条，发布解读5篇……各项工作有序推进——成效明显。", False)],
))
HALFWIDTH = register(Rule(
    "FORMAT.PUNCT_HALFWIDTH", "format", "info",
    "中文语句中使用了半角标点“{quote}”，应使用全角“{suggestion}”（本段共{count}处半角标点）。",
    "A half-width , ; : ? ! or ( ) inside Chinese text (full-width marks are required); one finding per paragraph.",
    [Example("对公众关注的热点问题,以图表等方式予以展现。", True, quote=",", suggestion="，"),
     Example("发布政策解读(含图解)5篇。", True, quote="(含图解)", suggestion="（含图解）"),
     Example("对公众关注的热点问题，以图表等方式予以展现，访问量1,234次，时间10:30。", False)],
))
UNBALANCED = register(Rule(
    "FORMAT.PUNCT_UNBALANCED", "format", "info",
    "成对标点“{quote}”缺少与之配对的另一半。",
    "A book-title mark, quotation mark or bracket without its partner in the same paragraph.",
    [Example("认真贯彻《中华人民共和国政府信息公开条例，推进公开工作。", True, quote="《"),
     Example("认真贯彻《中华人民共和国政府信息公开条例》，落实“谁公开谁审查”（见附件）。", False)],
))

_STRENGTH = {"。": 5, "？": 5, "！": 5, "；": 4, "：": 3, "，": 2, "、": 1}
_DOUBLE = re.compile("[，。、；：？！]{2}")
_DENG = re.compile("、等")
_DENG_WORDS = ("等级", "等次", "等同", "等待", "等额", "等量", "等于", "等候", "等值", "等效", "等比",
               "等距", "等价", "等分", "等号", "等第", "等高", "等身", "等速", "等温", "等压")
_HALF = re.compile(f"(?<=[{CJK}])[,;:?!](?=[{CJK}])")
_HALF_PAREN = re.compile(f"(?<=[{CJK}])\\(([^()\\n]{{1,40}})\\)")
MAX_HALFWIDTH_PER_DOC = 3
_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_PAIRS = {"《": "》", "“": "”", "（": "）", "〔": "〕"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def check_deng(doc: Doc) -> list[Finding]:
    out = []
    for m, s, e in scan(doc, _DENG):
        if doc.text.startswith(_DENG_WORDS, s + 1):
            continue
        out.append(finding(doc, DENG.id, s, e, suggestions=["等"], confidence=0.9))
    return out


def check_doubled(doc: Doc) -> list[Finding]:
    out = []
    for m, s, e in scan(doc, _DOUBLE):
        a, b = m.group(0)
        if a in "？！" and b in "？！":  # ？！ is deliberate emphasis
            continue
        sugg = a if _STRENGTH[a] >= _STRENGTH[b] else b
        out.append(finding(doc, DOUBLED.id, s, e, suggestions=[sugg], confidence=0.9, suggestion=sugg))
    return out


def check_halfwidth(doc: Doc) -> list[Finding]:
    """One finding per paragraph (its first half-width mark), at most
    MAX_HALFWIDTH_PER_DOC: a report typed with half-width commas throughout would
    otherwise drown every other finding."""
    hits: dict[int, list[tuple[int, int, str]]] = {}
    for p_start, p_end in prose_spans(doc):
        marks = [(m.start(), m.end(), _FULL[m.group(0)]) for m in _HALF.finditer(doc.text, p_start, p_end)]
        marks += [(m.start(), m.end(), f"（{m.group(1)}）") for m in _HALF_PAREN.finditer(doc.text, p_start, p_end)
                  if IS_CJK.search(m.group(1))]
        if marks:
            hits[p_start] = sorted(marks)
    out = []
    for marks in list(hits.values())[:MAX_HALFWIDTH_PER_DOC]:
        s, e, sugg = marks[0]
        out.append(finding(doc, HALFWIDTH.id, s, e, suggestions=[sugg], confidence=0.9, suggestion=sugg,
                           count=len(marks)))
    return out


def check_unbalanced(doc: Doc) -> list[Finding]:
    out = []
    text = doc.text
    for p_start, p_end in prose_spans(doc):
        stack: list[int] = []
        bad: list[int] = []
        for i in range(p_start, p_end):
            ch = text[i]
            if ch in _PAIRS:
                stack.append(i)
            elif ch in _CLOSERS:
                if stack and text[stack[-1]] == _CLOSERS[ch]:
                    stack.pop()
                elif any(text[j] == _CLOSERS[ch] for j in stack):
                    while text[stack[-1]] != _CLOSERS[ch]:  # inner marks left open
                        bad.append(stack.pop())
                    stack.pop()
                else:
                    bad.append(i)
        # An opener left open near the paragraph's end with no sentence mark after it is
        # usually a cut-off line (excerpts, page breaks), not a slip.
        tail_cut = text[p_end - 1] not in "。；！？”）》"
        bad.extend(i for i in stack if not (tail_cut and p_end - i <= 12))
        for i in sorted(bad):
            out.append(finding(doc, UNBALANCED.id, i, i + 1, confidence=0.7))
    return out


CHECKS = [check_deng, check_doubled, check_halfwidth, check_unbalanced]
