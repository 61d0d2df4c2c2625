"""ELEMENT.*: what the format requires sections one, five and six to state (rubric D1,
D5–D7, D9). Reads `doc.elements`, filled by the element classifier (nlp_review.elements).

A required element that is absent is a `warning` on its section's heading; an element
the section names only in passing (“做好主动公开、依申请公开等工作”) with nothing about
what was done is an `info` on that sentence.
"""
from __future__ import annotations

from ..doc import Doc, Finding
from ..elements import KEYS, NAMES, SECTION_OF
from .catalogue import Example, Rule, finding, register
from .examples import DEFAULT_S1, DEFAULT_S5, minimal_report

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


def _rule_id(key: str) -> str:
    return "ELEMENT.MISSING." + key.upper().replace(".", "_")


def _without(text: str, part: str) -> str:
    assert part in text, part
    return text.replace(part, "")


_S1_PARTS = {k: line + "\n" for k, line in zip(KEYS[1], DEFAULT_S1.split("\n")[1:])}
_S5_PARTS = dict(zip(KEYS[5], (p + ("\n" if i < 2 else "") for i, p in enumerate(DEFAULT_S5.split("\n")))))


def _flagged_example(key: str) -> Example:
    n = SECTION_OF[key]
    if n == 1:
        return Example(minimal_report(s1=_without(DEFAULT_S1 + "\n", _S1_PARTS[key]).rstrip("\n")), True, whole=True)
    if n == 5:
        return Example(minimal_report(s5=_without(DEFAULT_S5, _S5_PARTS[key]).rstrip("\n")), True, whole=True)
    return Example(minimal_report(s6="无其他需要报告的事项。"), True, whole=True)


MISSING: dict[str, Rule] = {}
for _key in (k for ks in KEYS.values() for k in ks):
    _n = SECTION_OF[_key]
    MISSING[_key] = register(Rule(
        _rule_id(_key), "missing_element", "warning",
        "第" + "一二三四五六"[_n - 1] + "部分“" + SECTION_TITLES[_n][2:] + "”未见“" + NAMES[_key] + "”方面的内容。"
        + REQUIREMENT[_n] + "。",
        f"Section {_n} lacks the required element {_key} ({NAMES[_key]}).",
        [_flagged_example(_key), Example(minimal_report(), False, whole=True)],
        needs=("model:elements",),
    ))

GENERIC = register(Rule(
    "ELEMENT.GENERIC", "missing_element", "info",
    "“{name}”只在概括性的表述中被提及（“{quote}”），没有写明具体做了什么。{requirement}，每个方面宜单独写明具体工作和数据。",
    "A section-one aspect is only named in a general sentence, never reported on.",
    [Example(minimal_report(s1="本局坚持依法依规做好主动公开、依申请公开等工作。\n"
                               + _without(DEFAULT_S1 + "\n", _S1_PARTS["s1.on_request"]).split("\n", 1)[1].rstrip("\n")),
             True, whole=True, quote="本局坚持依法依规做好主动公开、依申请公开等工作。"),
     Example(minimal_report(), False, whole=True)],
    needs=("model:elements",),
))


def _anchor(doc: Doc, number: int) -> tuple[int, int]:
    s = doc.section(number)
    end = s.heading_end if s.heading_end and s.heading_end > s.start else doc.text.find("\n", s.start)
    if end is None or end <= s.start:
        end = min(s.end, s.start + 20)
    return s.start, end


def check_elements(doc: Doc) -> list[Finding]:
    out: list[Finding] = []
    mentions = doc.element_mentions
    for key, rule in MISSING.items():
        n = SECTION_OF[key]
        el = doc.elements.get(key)
        if el is None or el.get("present") or doc.section(n) is None:
            continue
        m = mentions.get(key)
        if m is not None:
            out.append(finding(doc, GENERIC.id, m["start"], m["end"], name=NAMES[key], requirement=REQUIREMENT[n],
                               suggestions=[SUGGESTION[key]], evidence={"element": key, "section": n}))
            continue
        a, b = _anchor(doc, n)
        out.append(finding(doc, rule.id, a, b, suggestions=[SUGGESTION[key]],
                           evidence={"element": key, "section": n, "required": NAMES[key]}))
    return out


CHECKS = [check_elements]
