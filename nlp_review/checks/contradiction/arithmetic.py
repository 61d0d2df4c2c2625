"""ARITH.*: the narrative's own arithmetic — “X，其中A a、B b…” breakdowns whose parts
exceed the whole (or fall short of it when the list is exhaustive), percentages that do
not match their counts, and a stated number of items (“以下三个问题：”) that the list
after it does not have. Reads the quantities the claims component found per unit
(`doc.quantities`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...doc import Doc
from ..common import fmt_number as _fmt
from ..registry import clean, flag, rule

COUNTED = {"件", "宗", "起", "条", "个", "篇", "份", "次", "部", "项", "例", "场", "家", "名", "则", "期", "件次", "人次"}
SAME_FAMILY = [{"件", "宗", "起", "件次"}]
EXHAUSTIVE = re.compile(r"其他|其它|其余|余下|剩余|另有")
PERCENT_LEAD = re.compile(r"^[，,、（(]?(占比|占|比例为|比例|约占)?")


def _same_unit(a: str, b: str) -> bool:
    return a == b or any(a in f and b in f for f in SAME_FAMILY)


@dataclass
class Breakdown:
    whole: object  # Mention
    whole_comp: object  # Compact of the whole
    parts: list
    comp: object
    labels: list[str]
    percents: list  # (part index, Mention)


def _breakdowns(doc: Doc) -> list[Breakdown]:
    out = []
    qs = doc.quantities
    for i, (unit, comp, mentions) in enumerate(qs):
        t = comp.text
        for m in re.finditer(r"其中", t):
            p = m.start()
            whole, whole_comp = None, comp
            before = [x for x in mentions if x.b <= p and x.unit in COUNTED]
            if before and p - before[-1].b <= 3 and re.fullmatch(r"[，,。：:（(]*", t[before[-1].b:p]):
                whole = before[-1]
            elif p == 0 and i > 0:
                pu, pcomp, pm = qs[i - 1]
                counted = [x for x in pm if x.unit in COUNTED]
                if len(counted) == 1 and counted[0] is pm[-1] and len(pcomp.text) - pm[-1].b <= 2 \
                        and pu.end >= unit.start - 3:
                    whole, whole_comp = pm[-1], pcomp
            if whole is None or whole.kind != "exact":
                continue
            end = t.find("。", p)
            end = len(t) if end < 0 else end
            if p > 0 and t[p - 1] in "（(":  # “121件（其中新收112件，上年结转9件）”: the list ends at “）”
                close = min((k for k in (t.find("）", p), t.find(")", p)) if k >= 0), default=end)
                end = min(end, close)
            parts, labels, percents = [], [], []
            last = p + 2
            for x in mentions:
                if x.a < last or x.a >= end:
                    continue
                if x.unit in ("%", "％"):
                    if parts and PERCENT_LEAD.match(t[last:x.a]) and x.a - last <= 4:
                        percents.append((len(parts) - 1, x))
                        last = x.b
                    continue
                if not _same_unit(x.unit, whole.unit):
                    break
                labels.append(t[last:x.a])
                parts.append(x)
                last = x.b
            if len(parts) >= 2:
                out.append(Breakdown(whole, whole_comp, parts, comp, labels, percents))
    return out


def _groups(whole: float, parts) -> list[list]:
    """Split parts where a prefix adds up to the whole: two dimensions in one list
    (“自然人6件，法人1件，予以公开1件，不掌握4件…”) are two breakdowns."""
    groups, cur, s = [], [], 0
    for x in parts:
        cur.append(x)
        s += x.value
        if s == whole:
            groups.append(cur)
            cur, s = [], 0
    if cur:
        groups.append(cur)
    return groups


@rule("ARITH.BREAKDOWN_SUM", category="contradiction", severity="warning", needs=("quantities",),
      message="“{whole_quote}”下列分项之和为{parts_sum}，与总数{whole}不符（{detail}）。",
      examples=[flag("全年主动公开政府信息58条，其中政策法规类6条、通知公告类10条、招生入学类6条、人事师资类22条、"
                     "其他事项类16条。", quote="58条"),
                clean("全年主动公开政府信息60条，其中政策法规类6条、通知公告类10条、招生入学类6条、人事师资类22条、"
                      "其他事项类16条。"),
                clean("全年发布信息100条，其中工作动态30条、通知公告20条。")])
def breakdown_sum(doc: Doc, rule):
    """“X，其中A a、B b……”式分项之和超过总数，或在列举完整（以“其他”结尾）时不等于总数。"""
    for bd in _breakdowns(doc):
        w = bd.whole.value
        if any(x.kind != "exact" for x in bd.parts):
            continue
        exhaustive = bool(EXHAUSTIVE.search(bd.labels[-1]))  # the list closes with “其他…”
        for g in _groups(w, bd.parts):
            s = sum(x.value for x in g)
            if s == w or (s < w and not exhaustive):
                continue
            a, b = bd.whole_comp.span(bd.whole.num_a, bd.whole.b)
            pa = bd.comp.span(g[0].a, g[0].a)[0]
            pb = bd.comp.span(g[-1].b - 1, g[-1].b)[1]
            detail = "分项多于总数" if s > w else "所列分项已含“其他”类，应与总数相等"
            yield rule.finding(
                doc, a, b, whole_quote=doc.text[a:b], whole=_fmt(w), parts_sum=_fmt(s),
                detail=detail, confidence=0.9 if exhaustive else 0.75,
                evidence={"whole": {"quote": doc.text[a:b], "value": w},
                          "parts": [{"label": bd.labels[bd.parts.index(x)], "value": x.value} for x in g],
                          "parts_sum": s, "exhaustive": exhaustive, "parts_span": [pa, pb]})
            break


@rule("ARITH.PERCENT_MISMATCH", category="contradiction", severity="warning", needs=("quantities",),
      message="“{quote}”与数量不符：{part}÷{whole}={computed}%，正文写作{stated}%。",
      examples=[flag("全年发布信息200条，其中政策文件50条，占比40%；工作动态150条，占比75%。", quote="40%"),
                clean("全年发布信息200条，其中政策文件50条，占比25%；工作动态150条，占比75%。")])
def percent_mismatch(doc: Doc, rule):
    """分项所注百分比与“分项÷总数”不符。"""
    for bd in _breakdowns(doc):
        w = bd.whole.value
        if not w:
            continue
        for idx, pm in bd.percents:
            part = bd.parts[idx].value
            computed = part / w * 100
            raw = pm.raw.rstrip("%％")
            decimals = len(raw.split(".")[1]) if "." in raw else 0
            if abs(computed - pm.value) <= 10 ** -decimals + 1e-9:
                continue
            a, b = bd.comp.span(pm.num_a, pm.b)
            yield rule.finding(
                doc, a, b, part=_fmt(part), whole=_fmt(w), computed=f"{computed:.1f}",
                stated=_fmt(pm.value), confidence=0.8,
                suggestions=[f"{computed:.{decimals}f}%"],
                evidence={"part": part, "whole": w, "computed_percent": round(computed, 3),
                          "stated_percent": pm.value})


CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
STATED = re.compile(r"(?:以下|如下|下列|主要有|存在|包括|从)?(?P<n>[一二两三四五六七八九十]|\d{1,2})"
                    r"(?P<w>个方面|方面|个问题|项措施|条措施|点措施|个|项|条|点)"
                    r"(?P<what>问题|不足|措施|举措|工作|方面|内容|改进|任务)?[^。：:]{0,12}?[：:]")
ENUM_STYLES = [re.compile(r"([一二三四五六七八九十])是"), re.compile(r"(?:^|[\n。；;：:])\s*(\d{1,2})[.．、]"),
               re.compile(r"[（(]([一二三四五六七八九十])[）)]")]


def _n(s: str) -> int:
    return int(s) if s.isdigit() else CN_NUM.get(s, 0)


@rule("ARITH.ITEM_COUNT", category="contradiction", severity="warning", needs=("sections", "paragraphs"),
      message="“{quote}”称有{stated}项，但其后列出了{found}项。",
      examples=[flag("存在以下三个问题：一是解读形式单一；二是更新不够及时。", section=5, quote="三个问题"),
                clean("存在以下两个问题：一是解读形式单一；二是更新不够及时。", section=5)])
def item_count(doc: Doc, rule):
    """所称问题、措施等的项数与其后实际列举的项数不符。"""
    text = doc.text
    for para in doc.paragraphs:
        if doc.section_of(para.start) not in (1, 5, 6):
            continue
        ptext = text[para.start:para.end]
        for m in STATED.finditer(ptext):
            if not m.group("what") and m.group("w") not in ("个方面", "方面", "个问题", "项措施", "条措施", "点措施"):
                continue
            stated = _n(m.group("n"))
            rest = ptext[m.end():]
            if not rest.strip():  # the list is on the following lines
                nxt = [p for p in doc.paragraphs if p.start > para.end][:12]
                rest = "\n".join(text[p.start:p.end] for p in nxt)
            found = 0
            for style in ENUM_STYLES:
                nums = [_n(x) for x in style.findall(rest)]
                k = 0
                for v in nums:
                    if v == k + 1:
                        k = v
                    elif v <= k:
                        break
                if k:
                    found = k
                    break
            if not found or found == stated or stated < 2:
                continue
            a = para.start + m.start("n")
            b = para.start + m.end("w") + (len(m.group("what")) if m.group("what") else 0)
            yield rule.finding(doc, a, b, stated=stated, found=found, confidence=0.75,
                               evidence={"stated": stated, "enumerated": found})
