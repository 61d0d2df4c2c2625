"""BOILERPLATE.COPIED_PARAGRAPH, COPIED_SENTENCE, PROBLEMS_UNCHANGED: sections one and five
against last year's report of the same agency (`Options.previous`)."""
from __future__ import annotations

from ...doc import Doc
from ..registry import MINIMAL, PREVIOUS, Report, clean, flag, rule
from .examples import COPIED_PARA, OTHER_S5, PREV_S1, last_year

_NEW_S1 = "全年通过区政府门户网站发布信息131条。编制《示例区教育局政府信息公开指南（2023年版）》，并在门户网站公布。"


def _previous_label(doc: Doc) -> str:
    p = doc.boilerplate.previous or {}
    return p.get("title") or (f"{p['year']}年" if p.get("year") else "上年报告")


def _copies(doc: Doc, rule, kind: str):
    prev = _previous_label(doc)
    for c in doc.boilerplate.copies:
        if c.kind != kind:
            continue
        yield rule.finding(
            doc, c.start, c.end, previous=prev, similarity=c.similarity,
            previous_text=c.previous if len(c.previous) <= 60 else c.previous[:58] + "……",
            confidence=round(min(1.0, c.similarity), 3),
            evidence={"similarity": c.similarity, "previous_text": c.previous, "previous_start": c.previous_start,
                      "previous_end": c.previous_end, "previous_report": doc.boilerplate.previous})


@rule("BOILERPLATE.COPIED_PARAGRAPH", category="boilerplate", severity="warning", needs=("boilerplate", PREVIOUS),
      message="该段与上一年度报告（{previous}）的段落基本相同（相似度{similarity:.0%}），疑为照搬上年内容，"
              "请按本年度实际情况重写。",
      examples=[flag(Report(bodies={1: COPIED_PARA + "\n全年发布信息120条。"}), quote=COPIED_PARA,
                     previous=last_year(s1=COPIED_PARA + "\n" + PREV_S1)),
                clean(MINIMAL, previous=last_year())])
def copied_paragraph(doc: Doc, rule):
    """（需上年报告）第一或第五部分的某段（≥ 2 句）与上一年度报告的段落相似度 ≥ 0.9（去掉空格、标点和年份后的字符序列相似度）。"""
    yield from _copies(doc, rule, "paragraph")


@rule("BOILERPLATE.COPIED_SENTENCE", category="boilerplate", severity="warning", needs=("boilerplate", PREVIOUS),
      message="该句与上一年度报告（{previous}）中的语句基本相同（相似度{similarity:.0%}）：“{previous_text}”。",
      examples=[flag(Report(bodies={1: _NEW_S1}), quote="编制《示例区教育局政府信息公开指南（2023年版）》，并在门户网站公布。",
                     previous=last_year()),
                clean(MINIMAL, previous=last_year())])
def copied_sentence(doc: Doc, rule):
    """（需上年报告）第一或第五部分的某句与上一年度报告的语句相似度 ≥ 0.9。"""
    yield from _copies(doc, rule, "sentence")


@rule("BOILERPLATE.PROBLEMS_UNCHANGED", category="boilerplate", severity="warning", needs=("boilerplate", PREVIOUS),
      message="第五部分列出的问题与上一年度报告（{previous}）基本相同（{matched}/{problems}条问题重复，相似度{similarity:.0%}）："
              "上年指出的问题是否已整改？如仍未解决，应说明原因和新的改进措施。",
      examples=[flag(MINIMAL, previous=last_year(s5=None)), clean(Report(bodies={5: OTHER_S5}), previous=last_year())])
def problems_unchanged(doc: Doc, rule):
    """（需上年报告）第五部分所列问题 ≥ 60% 与上一年度报告相同（相似度 ≥ 0.85）：上年的问题是否已整改？"""
    u = doc.boilerplate.problems_unchanged
    if u is not None:
        yield rule.finding(
            doc, u.start, u.end, previous=_previous_label(doc), matched=u.matched, problems=u.problems,
            similarity=u.similarity, confidence=round(min(1.0, u.similarity), 3),
            evidence={"similarity": u.similarity, "matched": u.matched, "problems": u.problems,
                      "previous_text": u.previous, "previous_report": doc.boilerplate.previous})
