"""FORMAT.PUNCT_*: punctuation slips in Chinese prose (rubric F6): “、等”, doubled or
clashing marks, half-width marks between Chinese characters, unbalanced paired marks. Each is a
warning: wrong (rubric S3, like a typo), not a matter of taste."""
from __future__ import annotations

import re

from ...doc import Doc
from ..prose import CJK, IS_CJK, prose_spans, scan
from ..registry import clean, flag, rule

_STRENGTH = {"。": 5, "？": 5, "！": 5, "；": 4, "：": 3, "，": 2, "、": 1}
_DOUBLE = re.compile("[，。、；：？！]{2}")
_DENG = re.compile("、等")
_DENG_WORDS = ("等级", "等次", "等同", "等待", "等额", "等量", "等于", "等候", "等值", "等效", "等比",
               "等距", "等价", "等分", "等号", "等第", "等高", "等身", "等速", "等温", "等压")
_HALF = re.compile(f"(?<=[{CJK}])[,;:?!](?=[{CJK}])")
_HALF_PAREN = re.compile(f"(?<=[{CJK}])\\(([^()\\n]{{1,40}})\\)")
_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_PAIRS = {"《": "》", "“": "”", "（": "）", "〔": "〕"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


@rule("FORMAT.PUNCT_DUN_DENG", category="format", severity="warning", needs=("paragraphs",),
      message="“{quote}”标点有误：列举末项后直接接“等”，“等”前不用顿号。",
      examples=[flag("作业改革、思政教育、校园安全、等主题宣传获得转发。", quote="、等", suggestion="等"),
                clean("作业改革、思政教育、校园安全等主题宣传获得转发。"), clean("申请各类别、等级证书。")])
def dun_deng(doc: Doc, rule):
    """“等”字前多了顿号（“校园安全、等主题”）。"""
    for m, s, e in scan(doc, _DENG):
        if not doc.text.startswith(_DENG_WORDS, s + 1):
            yield rule.finding(doc, s, e, suggestions=["等"], confidence=0.9)


@rule("FORMAT.PUNCT_DOUBLED", category="format", severity="warning", needs=("paragraphs",),
      message="“{quote}”标点重复或冲突，应为“{suggestion}”。",
      examples=[flag("全年主动公开信息120条，，发布解读5篇。", quote="，，", suggestion="，"),
                flag("全年主动公开信息120条，。", quote="，。", suggestion="。"),
                clean("全年主动公开信息120条，发布解读5篇……各项工作有序推进——成效明显。")])
def doubled(doc: Doc, rule):
    """两个句内标点连用（，，　。。　，。　、，），其中一个是误输入。"""
    for m, s, e in scan(doc, _DOUBLE):
        a, b = m.group(0)
        if a in "？！" and b in "？！":  # ？！ is deliberate emphasis
            continue
        sugg = a if _STRENGTH[a] >= _STRENGTH[b] else b
        yield rule.finding(doc, s, e, suggestions=[sugg], confidence=0.9, suggestion=sugg)


@rule("FORMAT.PUNCT_HALFWIDTH", category="format", severity="warning", needs=("paragraphs",),
      message="中文语句中使用了半角标点“{quote}”，应使用全角“{suggestion}”"
              "（全文共{count}处半角标点，分布在{paragraphs}段中，此处为第一处）。",
      examples=[flag("对公众关注的热点问题,以图表等方式予以展现。", quote=",", suggestion="，"),
                flag("发布政策解读(含图解)5篇。", quote="(含图解)", suggestion="（含图解）"),
                clean("对公众关注的热点问题，以图表等方式予以展现，访问量1,234次，时间10:30。")])
def halfwidth(doc: Doc, rule):
    """中文语句中使用了半角的 , ; : ? ! 或 ( )（应使用全角标点）；全文只报第一处，并给出总数。"""
    # One finding per report, at its first half-width mark, with the count: text copied
    # from web pages is often half-width throughout (NFKC-folded), and one note says it all.
    marks: list[tuple[int, int, str]] = []
    paragraphs = 0
    for p_start, p_end in prose_spans(doc):
        here = [(m.start(), m.end(), _FULL[m.group(0)]) for m in _HALF.finditer(doc.text, p_start, p_end)]
        here += [(m.start(), m.end(), f"（{m.group(1)}）") for m in _HALF_PAREN.finditer(doc.text, p_start, p_end)
                 if IS_CJK.search(m.group(1))]
        marks += here
        paragraphs += bool(here)
    if marks:
        s, e, sugg = min(marks)
        yield rule.finding(doc, s, e, suggestions=[sugg], confidence=0.9, suggestion=sugg, count=len(marks),
                           paragraphs=paragraphs, evidence={"count": len(marks), "paragraphs": paragraphs})


@rule("FORMAT.PUNCT_UNBALANCED", category="format", severity="warning", needs=("paragraphs",),
      message="成对标点“{quote}”缺少与之配对的另一半。",
      examples=[flag("认真贯彻《中华人民共和国政府信息公开条例，推进公开工作。", quote="《"),
                clean("认真贯彻《中华人民共和国政府信息公开条例》，落实“谁公开谁审查”（见附件）。")])
def unbalanced(doc: Doc, rule):
    """书名号、引号或括号在同一段内缺少配对的另一半。"""
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
            yield rule.finding(doc, i, i + 1, confidence=0.7)
