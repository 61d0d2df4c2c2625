"""STRUCTURE.*: the six sections, their order, headings and the title."""
from __future__ import annotations

from ...doc import Doc
from ...structure.sections import CANONICAL
from ..registry import MINIMAL, Report, clean, flag, rule


def _anchor_for_missing(doc: Doc, number: int) -> tuple[int, int]:
    """Missing sections are marked on the next section's heading (or the previous one's)."""
    found = [s for s in doc.sections if s.found]
    after = [s for s in found if s.number > number]
    before = [s for s in found if s.number < number]
    for s in (after[:1] or before[-1:]):
        if s.heading_end is not None and s.heading_end > s.start:
            return s.start, s.heading_end
        line_end = doc.text.find("\n", s.start)
        return s.start, (line_end if line_end > 0 else s.end)
    if doc.title_span:
        return doc.title_span.start, doc.title_span.end
    return 0, 0


@rule("STRUCTURE.SECTION_MISSING", category="structure", severity="error", needs=("sections",),
      message="报告缺少第{number}部分“{canonical}”。年报格式（国办公开办函〔2021〕30号）要求六个部分齐全。",
      examples=[flag(Report(omit=(6,))), clean(MINIMAL)])
def section_missing(doc: Doc, rule):
    """缺少六个必备部分之一（既没有标题，也未识别到其内容）。"""
    for s in doc.sections:
        if not s.found:
            a, b = _anchor_for_missing(doc, s.number)
            yield rule.finding(doc, a, b, number=s.number, canonical=CANONICAL[s.number],
                               evidence={"section": s.number, "expected_heading": CANONICAL[s.number]})


@rule("STRUCTURE.HEADING_MISSING", category="structure", severity="info", needs=("sections",),
      message="第{number}部分缺少标题“{canonical}”，已根据表格内容识别该部分。",
      examples=[flag(Report(headings={3: ""})), clean(MINIMAL)])
def heading_missing(doc: Doc, rule):
    """某部分有内容但缺少标题（常见于 PDF 转换时标题丢失），已根据内容识别。"""
    for s in doc.sections:
        if s.found and s.inferred:
            line_end = doc.text.find("\n", s.start)
            b = line_end if line_end > s.start else min(s.end, s.start + 20)
            yield rule.finding(doc, s.start, b, number=s.number, canonical=CANONICAL[s.number],
                               evidence={"section": s.number, "expected_heading": CANONICAL[s.number]})


@rule("STRUCTURE.SECTION_DUPLICATE", category="structure", severity="warning", needs=("section_duplicates",),
      message="第{number}部分的标题“{quote}”重复出现，请检查是否重复粘贴了内容。",
      examples=[flag(Report(bodies={6: "本年度未收取信息处理费。\n六、其他需要报告的事项\n无。"}),
                     quote="六、其他需要报告的事项"),
                clean(MINIMAL)])
def section_duplicate(doc: Doc, rule):
    """同一个一级标题出现了两次。"""
    for c in doc.section_duplicates:
        yield rule.finding(doc, c.start, c.end, number=c.number, evidence={"section": c.number})


@rule("STRUCTURE.HEADING_NUMBER", category="structure", severity="warning", needs=("section_misnumbered",),
      message="标题“{quote}”的序号有误：该部分应为第{number}部分，标题应为“{canonical}”。",
      examples=[flag(Report(headings={6: "五、其他需要报告的事项"})), clean(MINIMAL)])
def heading_number(doc: Doc, rule):
    """一级标题的序号与它所属的部分不符。"""
    for c in doc.section_misnumbered:
        yield rule.finding(doc, c.start, c.end, number=c.number, canonical=CANONICAL[c.number],
                           evidence={"section": c.number, "numeral": c.numeral})


_OUT_OF_ORDER = ("示例局2024年政府信息公开工作年度报告\n一、总体情况\n本年度工作有序开展。\n"
                 "三、收到和处理政府信息公开申请情况\n本年度未收到申请。\n二、主动公开政府信息情况\n第二十条第（一）项\n"
                 "四、政府信息公开行政复议、行政诉讼情况\n无。\n五、存在的主要问题及改进情况\n问题与措施。\n"
                 "六、其他需要报告的事项\n本年度未收取信息处理费。")


@rule("STRUCTURE.SECTION_ORDER", category="structure", severity="warning", needs=("sections", "section_order"),
      message="第{number}部分“{quote}”的位置不符合规定顺序（应依次为一至六部分）。",
      examples=[flag(_OUT_OF_ORDER, whole=True), clean(MINIMAL)])
def section_order(doc: Doc, rule):
    """各部分没有按规定的一至六顺序排列。"""
    order = doc.section_order
    best = 0
    for n in order:
        if n < best:
            s = doc.section(n)
            b = s.heading_end if s.heading_end and s.heading_end > s.start else s.start + 1
            yield rule.finding(doc, s.start, b, number=n, evidence={"order": order})
        best = max(best, n)


@rule("STRUCTURE.TITLE_MISSING", category="structure", severity="warning", needs=("title", "year"),
      message="未识别到报告标题或报告年度。标题应为“××（机关名称）××××年政府信息公开工作年度报告”。",
      examples=[flag(Report(title="工作报告")), clean(MINIMAL)])
def title_missing(doc: Doc, rule):
    """第一部分之前没有写明机关名称和报告年度的标题。"""
    if doc.title is None or doc.year is None:
        end = doc.text.find("\n")
        end = len(doc.text) if end < 0 else end
        yield rule.finding(doc, 0, min(end, 60), evidence={"title": doc.title})
