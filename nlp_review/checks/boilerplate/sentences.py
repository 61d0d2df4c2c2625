"""BOILERPLATE.GENERIC_SENTENCE (one finding per section listing its generic sentences and
their share; it replaced SECTION_GENERIC), SHARED_ACROSS_REPORTS: sentences of sections one
and five judged by the specificity model and the commonness index."""
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


# One vague sentence (an opening or closing line) is normal in any report; a section is
# reported when at least this many of its sentences are generic.
MIN_GENERIC_SENTENCES = 2
_CN = "一二三四五六"


@rule("BOILERPLATE.GENERIC_SENTENCE", category="boilerplate", severity="info", needs=("boilerplate",),
      message="第{cn}部分有{generic}句（共{sentences}句）内容空泛，没有写明做了什么、做了多少、何时做的，"
              "换成任何机关的年报也成立{above}。这些句子已在正文中逐句标出（此处为第一句），"
              "建议补充具体数量、时间、平台或举措。",
      examples=[flag(_GENERIC_S1),
                flag("始终坚持高标准严要求，全面深化政务公开，持续推动各项工作落地见效。\n"
                     "进一步加强组织领导，不断提升政务公开工作水平，切实保障人民群众的知情权、参与权和监督权。", section=5),
                clean(Report(bodies={1: SPECIFIC_S1 + "\n" + _GENERIC, 5: SPECIFIC_S5})),  # one vague sentence: no finding
                clean(Report(bodies={1: SPECIFIC_S1, 5: SPECIFIC_S5})),
                clean(Report(bodies={1: SPECIFIC_S1 + "\n" + _STATUTORY, 5: SPECIFIC_S5}))])
def generic_sentence(doc: Doc, rule):
    """第一或第五部分中内容空泛的句子，每部分一条，列出全部空泛句（可解释特征上的具体性模型；第五部分只看套话措辞，不因没有数字而判为空泛；空泛句不足两句的部分不报告）。

    位置为第一句，证据中逐句列出各空泛句的位置、具体性概率和原因，页面逐句高亮；空泛句比例高于同类年报第 90 百分位时在说明中注明。"""
    from ...boilerplate.model import get_model

    copied = {(c.start, c.end) for c in doc.boilerplate.copies}
    try:
        threshold = get_model().section_share_threshold
    except Exception:  # noqa: BLE001 — no model, no comparison with other reports
        threshold = None
    by_section: dict[int, list] = {}
    for r in doc.boilerplate.sentences:
        if r.generic and not r.shared and (r.start, r.end) not in copied:
            by_section.setdefault(r.section, []).append(r)
    for number, rs in sorted(by_section.items()):
        if len(rs) < MIN_GENERIC_SENTENCES:
            continue
        counts = doc.boilerplate.section_counts.get(str(number)) or {}
        n = counts.get("sentences") or len(rs)
        share = counts.get("generic", len(rs)) / n
        above = f"；空泛句占{share:.0%}，高于同类年报的{threshold:.0%}" if threshold is not None and share > threshold else ""
        first = rs[0]
        yield rule.finding(
            doc, first.start, first.end, cn=_CN[number - 1], generic=len(rs), sentences=n, above=above,
            confidence=round(1.0 - min(r.p_specific for r in rs), 3),
            evidence={"sentences": [{"start": r.start, "end": r.end, "quote": doc.text[r.start:r.end],
                                     "p_specific": round(r.p_specific, 3), "reasons": r.reasons,
                                     **({"template_reports": r.template_reports} if r.template_reports else {}),
                                     "stock_phrases": r.stock_phrases} for r in rs],
                      "share": round(share, 3), **({"threshold": threshold} if threshold is not None else {}),
                      "p_specific": round(first.p_specific, 3), "reasons": first.reasons})
