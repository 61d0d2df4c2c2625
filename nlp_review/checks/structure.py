"""STRUCTURE.*: the six sections, their order, headings and the title."""
from __future__ import annotations

from ..doc import Doc, Finding
from ..structure.sections import CANONICAL
from .catalogue import Example, Rule, finding, register
from .examples import minimal_report

SECTION_MISSING = register(Rule(
    "STRUCTURE.SECTION_MISSING", "structure", "error",
    "报告缺少第{number}部分“{canonical}”。年报格式（国办公开办函〔2021〕30号）要求六个部分齐全。",
    "One of the six required sections is absent (neither its heading nor its content was found).",
    [Example(minimal_report(omit=(6,)), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
SECTION_DUPLICATE = register(Rule(
    "STRUCTURE.SECTION_DUPLICATE", "structure", "warning",
    "第{number}部分的标题“{quote}”重复出现，请检查是否重复粘贴了内容。",
    "A top-level section heading occurs twice.",
    [Example(minimal_report(s6="本年度未收取信息处理费。\n六、其他需要报告的事项\n无。"), True, whole=True,
             quote="六、其他需要报告的事项"),
     Example(minimal_report(), False, whole=True)],
))
SECTION_ORDER = register(Rule(
    "STRUCTURE.SECTION_ORDER", "structure", "warning",
    "第{number}部分“{quote}”的位置不符合规定顺序（应依次为一至六部分）。",
    "Sections appear out of the prescribed order.",
    [Example("示例局2024年政府信息公开工作年度报告\n一、总体情况\n本年度工作有序开展。\n"
             "三、收到和处理政府信息公开申请情况\n本年度未收到申请。\n二、主动公开政府信息情况\n第二十条第（一）项\n"
             "四、政府信息公开行政复议、行政诉讼情况\n无。\n五、存在的主要问题及改进情况\n问题与措施。\n"
             "六、其他需要报告的事项\n本年度未收取信息处理费。", True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
HEADING_INFERRED = register(Rule(
    "STRUCTURE.HEADING_MISSING", "structure", "info",
    "第{number}部分缺少标题“{canonical}”，已根据表格内容识别该部分。",
    "A section's content is present but its heading is missing (often lost in PDF conversion).",
    [Example(minimal_report(headings={3: ""}), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
HEADING_NUMBER = register(Rule(
    "STRUCTURE.HEADING_NUMBER", "structure", "warning",
    "标题“{quote}”的序号有误：该部分应为第{number}部分，标题应为“{canonical}”。",
    "A top-level heading carries the wrong numeral for its section.",
    [Example(minimal_report(headings={6: "五、其他需要报告的事项"}), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
TITLE_MISSING = register(Rule(
    "STRUCTURE.TITLE_MISSING", "structure", "warning",
    "未识别到报告标题或报告年度。标题应为“××（机关名称）××××年政府信息公开工作年度报告”。",
    "No title naming the agency and the reporting year was found before section one.",
    [Example(minimal_report(title="工作报告"), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))


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


def check_structure(doc: Doc) -> list[Finding]:
    out = []
    for s in doc.sections:
        canonical = CANONICAL[s.number]
        if not s.found:
            a, b = _anchor_for_missing(doc, s.number)
            out.append(finding(doc, SECTION_MISSING.id, a, b, number=s.number, canonical=canonical,
                               evidence={"section": s.number, "expected_heading": canonical}))
        elif s.inferred:
            line_end = doc.text.find("\n", s.start)
            b = line_end if line_end > s.start else min(s.end, s.start + 20)
            out.append(finding(doc, HEADING_INFERRED.id, s.start, b, number=s.number, canonical=canonical,
                               evidence={"section": s.number, "expected_heading": canonical}))
    for c in doc.section_duplicates:
        out.append(finding(doc, SECTION_DUPLICATE.id, c.start, c.end, number=c.number,
                           evidence={"section": c.number}))
    for c in doc.section_misnumbered:
        out.append(finding(doc, HEADING_NUMBER.id, c.start, c.end, number=c.number,
                           canonical=CANONICAL[c.number], evidence={"section": c.number, "numeral": c.numeral}))
    order = doc.section_order
    best = 0
    for n in order:
        if n < best:
            s = doc.section(n)
            b = s.heading_end if s.heading_end and s.heading_end > s.start else s.start + 1
            out.append(finding(doc, SECTION_ORDER.id, s.start, b, number=n,
                               evidence={"order": order}))
        best = max(best, n)
    if doc.title is None or doc.year is None:
        end = doc.text.find("\n")
        end = len(doc.text) if end < 0 else end
        out.append(finding(doc, TITLE_MISSING.id, 0, min(end, 60), evidence={"title": doc.title}))
    return out


CHECKS = [check_structure]
