"""BOILERPLATE.*: generic stock text, text shared with other agencies' reports, text
copied from last year's report, and other places' names left in copied text (rubric
E1, E3, E4; issue 6). The work is done by the pipeline component
`nlp_review.boilerplate.component:analyse`; these checks turn its results into
findings. Statutory wording (the regulation's own sentences, the format's captions)
is never flagged: a sentence mostly in that wording is exempt from every rule here.
"""
from __future__ import annotations

from ..doc import Doc, Finding
from .catalogue import Example, Rule, finding, register
from .examples import DEFAULT_S5, minimal_report

_PREV_S1 = ("2023年，本局持续推进政务公开标准化建设，梳理公开事项清单36项。\n"
            "全年通过区政府门户网站发布信息98条，其中政策解读3篇。\n"
            "编制《示例区教育局政府信息公开指南（2023年版）》，并在门户网站公布。")
_PREV_S5 = ("（一）存在的主要问题：一是部分栏目更新不够及时；二是政策解读形式较为单一。\n"
            "（二）改进措施：一是建立栏目更新台账；二是增加图解解读。")
_COPIED_PARA = ("本局坚持把政务公开作为转变作风、服务群众的重要抓手，年初召开专题会议研究部署，"
                "明确分管领导和具体承办人员。各科室按照职责分工及时提供公开信息，办公室统一审核后发布。")
_SPECIFIC_S1 = ("全年通过“示例教育发布”微信公众号发布信息326条，其中政策解读18篇。\n"
                "全年收到政府信息公开申请2件，均在15个工作日内答复。\n"
                "2024年5月在门户网站开设“双减进行时”专栏，发布课后服务信息47条。")
_SPECIFIC_S5 = ("（一）存在的主要问题：2024年3月门户网站“招生入学”栏目有2条信息逾期发布。\n"
                "（二）改进措施：自2024年6月起实行每周五栏目巡检，已巡检26次。")
_OTHER_S5 = ("（一）存在的主要问题：一是校园安全信息发布不够集中；二是部分学校公开栏内容陈旧。\n"
             "（二）改进措施：一是开设校园安全专栏；二是每季度检查学校公开栏。")



def _last_year(s1: str = _PREV_S1, s5: str = _PREV_S5) -> str:
    return minimal_report(title="示例区教育局2023年政府信息公开工作年度报告", s1=s1, s5=s5)


GENERIC = register(Rule(
    "BOILERPLATE.GENERIC_SENTENCE", "boilerplate", "info",
    "该句内容空泛，未写明做了什么、做了多少、何时做的（{reasons}），放在任何机关的年报中都成立。"
    "建议补充具体数量、时间、平台或举措。",
    "A sentence of section one or five says nothing specific (specificity model over explainable features).",
    [Example("进一步加强组织领导，不断提升政务公开工作水平，切实保障人民群众的知情权、参与权和监督权。", True,
             quote="进一步加强组织领导，不断提升政务公开工作水平，切实保障人民群众的知情权、参与权和监督权。"),
     Example("始终坚持高标准严要求，全面深化政务公开，持续推动各项工作落地见效。", True, section=5),
     Example(minimal_report(s1=_SPECIFIC_S1, s5=_SPECIFIC_S5), False, whole=True),
     Example(minimal_report(s1=_SPECIFIC_S1 + "\n行政机关公开政府信息，应当坚持以公开为常态、不公开为例外，"
                                               "遵循公正、公平、合法、便民的原则。", s5=_SPECIFIC_S5), False, whole=True)],
))
SECTION_GENERIC = register(Rule(
    "BOILERPLATE.SECTION_GENERIC", "boilerplate", "info",
    "第{number}部分套话比例偏高：{generic}/{sentences}句内容空泛（{share:.0%}，高于同类年报的{threshold:.0%}）。",
    "Most sentences of section one or five are generic (share above the corpus's 90th percentile).",
    [Example(minimal_report(s1=(
        "2024年，本局坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实上级关于政务公开的决策部署。\n"
        "进一步加强组织领导，不断提升政务公开工作水平，切实保障人民群众的知情权、参与权和监督权。\n"
        "持续深化重点领域信息公开，积极回应社会关切，不断增强政府工作透明度。\n"
        "严格落实保密审查制度，确保公开信息准确、规范、及时。\n"
        "扎实推进政务公开平台建设，着力提升信息发布质量和实效。\n"
        "强化监督保障，将政务公开工作纳入重要议事日程，确保各项工作落到实处。")), True, whole=True),
     Example(minimal_report(), False, whole=True)],
))
SHARED = register(Rule(
    "BOILERPLATE.SHARED_ACROSS_REPORTS", "boilerplate", "warning",
    "该句与其他{reports}份机关年报中的语句相同或高度相似（最接近：{source}，相似度{similarity:.0%}），"
    "可能照搬了他人文本，请改写为本机关的实际情况。",
    "A sentence (or a near-copy) also appears in other agencies' reports (MinHash/LSH index of the corpus and the batch).",
    [Example("按照国、省、市政务公开工作要求设置专栏，较好的保证了专栏内容的丰富、全面、准确。", True,
             quote="按照国、省、市政务公开工作要求设置专栏，较好的保证了专栏内容的丰富、全面、准确。"),
     Example("本局在门户网站开设“双减进行时”专栏，全年发布课后服务信息47条。", False),
     Example("行政机关应当建立健全政府信息公开协调机制。", False)],
))
COPIED_PARAGRAPH = register(Rule(
    "BOILERPLATE.COPIED_PARAGRAPH", "boilerplate", "warning",
    "该段与上一年度报告（{previous}）的段落基本相同（相似度{similarity:.0%}），疑为照搬上年内容，"
    "请按本年度实际情况重写。",
    "A paragraph of section one or five is (almost) the same as a paragraph of last year's report.",
    [Example(minimal_report(s1=_COPIED_PARA + "\n全年发布信息120条。"), True, whole=True, quote=_COPIED_PARA,
             previous=_last_year(s1=_COPIED_PARA + "\n" + _PREV_S1)),
     Example(minimal_report(), False, whole=True,
             previous=_last_year())],
    needs=("previous",),
))
COPIED_SENTENCE = register(Rule(
    "BOILERPLATE.COPIED_SENTENCE", "boilerplate", "warning",
    "该句与上一年度报告（{previous}）中的语句基本相同（相似度{similarity:.0%}）：“{previous_text}”。",
    "A sentence of section one or five repeats a sentence of last year's report.",
    [Example(minimal_report(s1="全年通过区政府门户网站发布信息131条。编制《示例区教育局政府信息公开指南（2023年版）》，并在门户网站公布。"),
             True, whole=True, quote="编制《示例区教育局政府信息公开指南（2023年版）》，并在门户网站公布。",
             previous=_last_year()),
     Example(minimal_report(), False, whole=True,
             previous=_last_year())],
    needs=("previous",),
))
PROBLEMS_UNCHANGED = register(Rule(
    "BOILERPLATE.PROBLEMS_UNCHANGED", "boilerplate", "warning",
    "第五部分列出的问题与上一年度报告（{previous}）基本相同（{matched}/{problems}条问题重复，相似度{similarity:.0%}）："
    "上年指出的问题是否已整改？如仍未解决，应说明原因和新的改进措施。",
    "Section five's problems are the same as in last year's report (not fixed, or not thought about).",
    [Example(minimal_report(), True, whole=True,
             previous=_last_year(s5=DEFAULT_S5)),
     Example(minimal_report(s5=_OTHER_S5), False, whole=True,
             previous=_last_year())],
    needs=("previous",),
))
FOREIGN_NAME = register(Rule(
    "BOILERPLATE.FOREIGN_NAME", "boilerplate", "warning",
    "正文出现其他地区名称“{quote}”（本机关为{own}）：{reason}，疑为照搬其他机关报告后未改名。",
    "Another place's name (not the agency's own place or its superiors) inside the report body.",
    [Example(minimal_report(title="哈尔滨市呼兰区教育局2024年政府信息公开工作年度报告",
                            s1="全年通过宜宾市教育局门户网站发布信息56条，其中政策解读4篇。"), True, whole=True,
             quote="宜宾市"),
     Example("同时在道里区教育局网站同步发布招生入学信息12条。", True, quote="道里区"),
     Example(minimal_report(title="哈尔滨市呼兰区教育局2024年政府信息公开工作年度报告",
                            s1="按照哈尔滨市、黑龙江省的部署，全年在呼兰区政府门户网站发布信息56条。"), False, whole=True),
     Example("按照《宜宾市政务公开工作指引》的做法，与对口帮扶的宜宾市交流经验。", False)],
))


def _source(meta: dict) -> str:
    parts = [str(meta.get("agency") or meta.get("file") or meta.get("key") or "未知来源")]
    if meta.get("year"):
        parts.append(f"{meta['year']}年")
    return "".join(parts)


def _previous_label(out) -> str:
    p = out.previous or {}
    return p.get("title") or (f"{p['year']}年" if p.get("year") else "上年报告")


def check_boilerplate(doc: Doc) -> list[Finding]:
    out = doc.boilerplate
    if out is None:
        return []
    found: list[Finding] = []
    copied = {(c.start, c.end) for c in out.copies}
    for r in out.sentences:
        if r.shared:
            best = r.shared[0]
            n = len({str(m.doc.get("key")) for m in r.shared})
            chars = len(doc.text[r.start:r.end])
            found.append(finding(
                doc, SHARED.id, r.start, r.end, reports=n, source=_source(best.doc), similarity=best.similarity,
                confidence=min(1.0, 0.55 + chars / 120) * (0.7 + 0.3 * best.similarity),
                evidence={"reports": n, "closest": {**{k: best.doc.get(k) for k in ("agency", "year", "file", "key")},
                                                    "sentence": best.sentence, "similarity": best.similarity},
                          "others": [{"agency": m.doc.get("agency"), "year": m.doc.get("year"),
                                      "similarity": m.similarity} for m in r.shared[1:6]]}))
        elif r.generic and (r.start, r.end) not in copied:
            found.append(finding(
                doc, GENERIC.id, r.start, r.end, reasons="；".join(r.reasons) or "缺少具体信息",
                confidence=round(1.0 - r.p_specific, 3),
                evidence={"p_specific": round(r.p_specific, 3), "reasons": r.reasons,
                          **({"template_reports": r.template_reports} if r.template_reports else {}),
                          "stock_phrases": r.stock_phrases,
                          "features": {k: round(v, 3) for k, v in r.features.items() if v}}))
    found.extend(_section_level(doc, out))
    prev = _previous_label(out)
    for c in out.copies:
        rule = COPIED_PARAGRAPH if c.kind == "paragraph" else COPIED_SENTENCE
        found.append(finding(
            doc, rule.id, c.start, c.end, previous=prev, similarity=c.similarity,
            previous_text=c.previous if len(c.previous) <= 60 else c.previous[:58] + "……",
            confidence=round(min(1.0, c.similarity), 3),
            evidence={"similarity": c.similarity, "previous_text": c.previous, "previous_start": c.previous_start,
                      "previous_end": c.previous_end, "previous_report": out.previous}))
    u = out.problems_unchanged
    if u is not None:
        found.append(finding(
            doc, PROBLEMS_UNCHANGED.id, u.start, u.end, previous=prev, matched=u.matched, problems=u.problems,
            similarity=u.similarity, confidence=round(min(1.0, u.similarity), 3),
            evidence={"similarity": u.similarity, "matched": u.matched, "problems": u.problems,
                      "previous_text": u.previous, "previous_report": out.previous}))
    for f in out.foreign:
        found.append(finding(
            doc, FOREIGN_NAME.id, f.start, f.end, own="、".join(f.own), reason=f.reason, confidence=f.confidence,
            evidence={"name": f.name, "own_places": f.own, "level": f.level, "reason": f.reason}))
    return found


def _section_level(doc: Doc, out) -> list[Finding]:
    from ..boilerplate.model import get_model

    res = []
    try:
        threshold = get_model().section_share_threshold
    except Exception:  # noqa: BLE001 — no model, no section-level verdict
        return res
    for number, counts in out.section_counts.items():
        n, g = counts["sentences"], counts["generic"]
        if n < 4 or g / n <= threshold:
            continue
        sec = doc.section(int(number))
        end = sec.heading_end if sec.heading_end and sec.heading_end > sec.start else doc.text.find("\n", sec.start)
        end = end if end and end > sec.start else sec.end
        res.append(finding(doc, SECTION_GENERIC.id, sec.start, end, number=number, generic=g, sentences=n,
                           share=g / n, threshold=threshold, confidence=0.8,
                           evidence={"share": round(g / n, 3), "threshold": threshold, **counts}))
    return res


CHECKS = [check_boilerplate]
