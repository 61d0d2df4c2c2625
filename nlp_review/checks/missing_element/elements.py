"""ELEMENT.*: what the format requires sections one, five and six to state (rubric D1,
D5–D7, D9). Reads `doc.elements`, filled by the element classifier (nlp_review.elements).

A required element that is absent is a `warning` on its section's heading (one rule per
element, ELEMENT.MISSING.<KEY>); an element the section names only in passing
(“做好主动公开、依申请公开等工作”) with nothing about what was done is an `info` on that
sentence (ELEMENT.GENERIC).
"""
from __future__ import annotations

from ...doc import Doc
from ...elements import ALL_KEYS, NAMES, SECTION_OF
from ..registry import MINIMAL, Report, clean, flag, rule

SECTION_TITLES = {1: "一、总体情况", 5: "五、存在的主要问题及改进情况", 6: "六、其他需要报告的事项"}
REQUIREMENT = {
    1: "年报格式（国办公开办函〔2021〕30号）要求“总体情况”涵盖主动公开、依申请公开、政府信息管理、"
       "政府信息公开平台建设、监督保障五个方面",
    5: "《政府信息公开条例》第五十条和年报格式要求本部分写明存在的主要问题、改进措施，并说明上年度问题的整改情况",
    6: "年报格式要求“其他需要报告的事项”写明信息处理费的收取情况（未收取的应写明“本年度未收取信息处理费”）",
}
SUGGESTION = {
    "s1.proactive": "补充“主动公开”情况：通过哪些渠道主动公开了多少条信息、政策解读和回应关切情况。",
    "s1.on_request": "补充“依申请公开”情况：收到、办理申请的数量和结果；未收到申请的也应写明。",
    "s1.management": "补充“政府信息管理”情况：发布审核、保密审查、公开属性认定、规范性文件管理等。",
    "s1.platform": "补充“政府信息公开平台建设”情况：门户网站、公开专栏、政务新媒体的建设与维护。",
    "s1.oversight": "补充“监督保障”情况：组织领导、培训、考核、社会评议和责任追究结果（无责任追究的也应写明）。",
    "s5.problems": "写明本年度政府信息公开工作存在的主要问题，尽量具体。",
    "s5.measures": "针对所列问题写明改进措施。",
    "s5.last_year": "说明上年度年报所列问题的整改情况。",
    "s6.fees": "写明信息处理费收取情况，例如“本年度未收取信息处理费”。",
}
# The line of the minimal report that states each element (its examples drop it).
EXAMPLE_LINE = {
    "s1.proactive": "（一）主动公开", "s1.on_request": "（二）依申请公开", "s1.management": "（三）政府信息管理",
    "s1.platform": "（四）政府信息公开平台建设", "s1.oversight": "（五）监督保障",
    "s5.problems": "（一）存在的主要问题", "s5.measures": "（二）改进措施", "s5.last_year": "（三）上年度问题整改情况",
}
_CN = "一二三四五六"


def _anchor(doc: Doc, number: int) -> tuple[int, int]:
    s = doc.section(number)
    end = s.heading_end if s.heading_end and s.heading_end > s.start else doc.text.find("\n", s.start)
    if end is None or end <= s.start:
        end = min(s.end, s.start + 20)
    return s.start, end


def _absent(doc: Doc):
    """(key, section, generic mention or None) of each required element that is absent."""
    for key in ALL_KEYS:
        n = SECTION_OF[key]
        el = doc.elements.get(key)
        if el is None or el.get("present") or doc.section(n) is None:
            continue
        yield key, n, doc.element_mentions.get(key)


def _missing_rule(key: str):
    n = SECTION_OF[key]
    without = Report(drop={n: (EXAMPLE_LINE[key],)}) if key in EXAMPLE_LINE else \
        Report(bodies={6: "无其他需要报告的事项。"})

    @rule("ELEMENT.MISSING." + key.upper().replace(".", "_"), category="missing_element", severity="warning",
          needs=("elements", "element_mentions", "sections"),
          message=f"第{_CN[n - 1]}部分“{SECTION_TITLES[n][2:]}”未见“{NAMES[key]}”方面的内容。{REQUIREMENT[n]}。",
          description=f"第{_CN[n - 1]}部分缺少必备要素“{NAMES[key]}”（{key}）。",
          examples=[flag(without), clean(MINIMAL)])
    def missing(doc: Doc, rule):
        for k, number, mention in _absent(doc):
            if k == key and mention is None:
                a, b = _anchor(doc, number)
                yield rule.finding(doc, a, b, suggestions=[SUGGESTION[k]],
                                   evidence={"element": k, "section": number, "required": NAMES[k]})

    return missing


MISSING = {key: _missing_rule(key) for key in ALL_KEYS}


@rule("ELEMENT.GENERIC", category="missing_element", severity="info",
      needs=("elements", "element_mentions", "sections"),
      message="“{name}”只在概括性的表述中被提及（“{quote}”），没有写明具体做了什么。{requirement}，每个方面宜单独写明具体工作和数据。",
      examples=[flag(Report(edits={1: (("2024年，本局认真贯彻《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。",
                                        "本局坚持依法依规做好主动公开、依申请公开等工作。"),)},
                            drop={1: ("（二）依申请公开",)}),
                     quote="本局坚持依法依规做好主动公开、依申请公开等工作。"),
                clean(MINIMAL)])
def generic(doc: Doc, rule):
    """第一部分的某个方面只在概括性语句中被提及，没有具体报告。"""
    for key, n, m in _absent(doc):
        if m is not None:
            yield rule.finding(doc, m["start"], m["end"], name=NAMES[key], requirement=REQUIREMENT[n],
                               suggestions=[SUGGESTION[key]], evidence={"element": key, "section": n})
