"""BOILERPLATE.GENERIC_SENTENCE, SECTION_GENERIC, SHARED_ACROSS_REPORTS: sentences of
sections one and five judged by the specificity model and the commonness index."""
from __future__ import annotations

from ...doc import Doc
from ..registry import MINIMAL, Report, clean, flag, rule
from .examples import SPECIFIC_S1, SPECIFIC_S5

_GENERIC = "进一步加强组织领导，不断提升政务公开工作水平，切实保障人民群众的知情权、参与权和监督权。"
_STATUTORY = "行政机关公开政府信息，应当坚持以公开为常态、不公开为例外，遵循公正、公平、合法、便民的原则。"
_SHARED = "按照国、省、市政务公开工作要求设置专栏，较好的保证了专栏内容的丰富、全面、准确。"
_GENERIC_S1 = (
    "2024年，本局坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实上级关于政务公开的决策部署。\n"
    "进一步加强组织领导，不断提升政务公开工作水平，切实保障人民群众的知情权、参与权和监督权。\n"
    "持续深化重点领域信息公开，积极回应社会关切，不断增强政府工作透明度。\n"
    "严格落实保密审查制度，确保公开信息准确、规范、及时。\n"
    "扎实推进政务公开平台建设，着力提升信息发布质量和实效。\n"
    "强化监督保障，将政务公开工作纳入重要议事日程，确保各项工作落到实处。")


def _source(meta: dict) -> str:
    parts = [str(meta.get("agency") or meta.get("file") or meta.get("key") or "未知来源")]
    if meta.get("year"):
        parts.append(f"{meta['year']}年")
    return "".join(parts)


@rule("BOILERPLATE.SHARED_ACROSS_REPORTS", category="boilerplate", severity="warning", needs=("boilerplate",),
      message="该句与其他{reports}份机关年报中的语句相同或高度相似（最接近：{source}，相似度{similarity:.0%}），"
              "可能照搬了他人文本，请改写为本机关的实际情况。",
      examples=[flag(_SHARED, quote=_SHARED), clean("本局在门户网站开设“双减进行时”专栏，全年发布课后服务信息47条。"),
                clean("行政机关应当建立健全政府信息公开协调机制。")])
def shared_across_reports(doc: Doc, rule):
    """某句（或字符三元组杰卡德相似度 ≥ 0.7 的近似句）也出现在其他机关的年报中（语料与本批报告的近似句检索索引）；证据含报告数、最接近的来源及其原句。"""
    for r in doc.boilerplate.sentences:
        if not r.shared:
            continue
        best = r.shared[0]
        n = len({str(m.doc.get("key")) for m in r.shared})
        chars = len(doc.text[r.start:r.end])
        yield rule.finding(
            doc, r.start, r.end, reports=n, source=_source(best.doc), similarity=best.similarity,
            confidence=min(1.0, 0.55 + chars / 120) * (0.7 + 0.3 * best.similarity),
            evidence={"reports": n, "closest": {**{k: best.doc.get(k) for k in ("agency", "year", "file", "key")},
                                                "sentence": best.sentence, "similarity": best.similarity},
                      "others": [{"agency": m.doc.get("agency"), "year": m.doc.get("year"),
                                  "similarity": m.similarity} for m in r.shared[1:6]]})


@rule("BOILERPLATE.GENERIC_SENTENCE", category="boilerplate", severity="info", needs=("boilerplate",),
      message="该句内容空泛，未写明做了什么、做了多少、何时做的（{reasons}），放在任何机关的年报中都成立。"
              "建议补充具体数量、时间、平台或举措。",
      examples=[flag(_GENERIC, quote=_GENERIC),
                flag("始终坚持高标准严要求，全面深化政务公开，持续推动各项工作落地见效。", section=5),
                clean(Report(bodies={1: SPECIFIC_S1, 5: SPECIFIC_S5})),
                clean(Report(bodies={1: SPECIFIC_S1 + "\n" + _STATUTORY, 5: SPECIFIC_S5}))])
def generic_sentence(doc: Doc, rule):
    """第一或第五部分的某句没有具体内容（可解释特征上的具体性模型）；证据含 P(具体)、起作用的特征和套话短语。"""
    copied = {(c.start, c.end) for c in doc.boilerplate.copies}
    for r in doc.boilerplate.sentences:
        if r.shared or not r.generic or (r.start, r.end) in copied:
            continue
        yield rule.finding(
            doc, r.start, r.end, reasons="；".join(r.reasons) or "缺少具体信息", confidence=round(1.0 - r.p_specific, 3),
            evidence={"p_specific": round(r.p_specific, 3), "reasons": r.reasons,
                      **({"template_reports": r.template_reports} if r.template_reports else {}),
                      "stock_phrases": r.stock_phrases, "features": {k: round(v, 3) for k, v in r.features.items() if v}})


@rule("BOILERPLATE.SECTION_GENERIC", category="boilerplate", severity="info", needs=("boilerplate",),
      message="第{number}部分套话比例偏高：{generic}/{sentences}句内容空泛（{share:.0%}，高于同类年报的{threshold:.0%}）。",
      examples=[flag(Report(bodies={1: _GENERIC_S1})), clean(MINIMAL)])
def section_generic(doc: Doc, rule):
    """第一或第五部分空泛句的比例高于语料中第一部分的第 90 百分位（套话模型的阈值）。"""
    from ...boilerplate.model import get_model

    try:
        threshold = get_model().section_share_threshold
    except Exception:  # noqa: BLE001 — no model, no section-level verdict
        return
    for number, counts in doc.boilerplate.section_counts.items():
        n, g = counts["sentences"], counts["generic"]
        if n < 4 or g / n <= threshold:
            continue
        sec = doc.section(int(number))
        end = sec.heading_end if sec.heading_end and sec.heading_end > sec.start else doc.text.find("\n", sec.start)
        end = end if end and end > sec.start else sec.end
        yield rule.finding(doc, sec.start, end, number=number, generic=g, sentences=n, share=g / n,
                           threshold=threshold, confidence=0.8,
                           evidence={"share": round(g / n, 3), "threshold": threshold, **counts})
