"""Claim extraction: every narrative statement of a quantity the statutory tables also
hold, as a typed `Claim` (cell key or derived quantity, value, exact/approx/bound/zero,
span, mapping confidence).

Where: the preamble and sections one, five and six. How: `doc.sentences` are merged
into *units* (a sentence broken by a PDF line wrap is one unit again), each unit is read
in its compact form (numbers.py), and every number with a unit is mapped to a quantity
by the *subject and qualifiers of its own clause* — whose applications (收到 / 受理 /
办结 …), which outcome (予以公开 / 不予公开 …), which document type and action
(规范性文件 制发 / 废止 / 现行有效) — falling back to the clause before it in the same
sentence for the topic only (“废止1件” after “保留规范性文件3件”). A number whose clause
names no such subject is not a claim. Ambiguous wording (受理, 保留, 以…名义, 办理) lowers
`confidence`; the contradiction rules report only confident mappings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..doc import Doc, Span
from .numbers import COUNT_UNITS, Compact, Mention, find_mentions

NARRATIVE_SECTIONS = (1, 5, 6)
CLAUSE_END = "，,；;：:。！？!?（(）)、\n"
SENT_END = "。！？!?；;：:"


@dataclass
class Claim:
    key: str  # contract cell key ("new.total") or derived ("denied.*.total", "granted+partial.total")
    value: float
    kind: str  # exact | approx | lower_bound | upper_bound | zero
    start: int  # span of the number (or of the zero phrase) in doc.text
    end: int
    confidence: float
    sentence: tuple[int, int] = (0, 0)
    unit: str = ""
    subject: str = ""  # the wording the mapping rests on
    alternatives: tuple[str, ...] = ()  # other quantities the wording may also mean

    def to_json(self) -> dict:
        return {"key": self.key, "value": self.value, "kind": self.kind, "start": self.start,
                "end": self.end, "confidence": round(self.confidence, 3), "unit": self.unit,
                "subject": self.subject, "alternatives": list(self.alternatives)}


# --- units of text --------------------------------------------------------------------

def narrative_regions(doc: Doc) -> list[tuple[int, int]]:
    regions = []
    s1 = doc.section(1)
    first = min((s.start for s in doc.sections if s.found and s.start is not None), default=None)
    if first is not None:
        pre_start = doc.title_span.end if doc.title_span else 0
        if first > pre_start:
            regions.append((pre_start, first))
    for n in NARRATIVE_SECTIONS:
        s = doc.section(n)
        if s is not None:
            regions.append((s.body_start, s.end))
    if s1 is None and not regions:
        regions.append((0, len(doc.text)))
    return regions


def units(doc: Doc) -> list[Span]:
    """Sentences of the narrative regions, with sentences that a line wrap cut merged again."""
    out: list[Span] = []
    for a, b in narrative_regions(doc):
        for s in doc.sentences_in(a, b):
            if doc.in_table(s.start):
                continue
            if out and _continues(doc.text, out[-1], s):
                out[-1] = Span(out[-1].start, s.end, "unit")
            else:
                out.append(Span(s.start, s.end, "unit"))
    return out


def _continues(text: str, prev: Span, cur: Span) -> bool:
    gap = text[prev.end:cur.start]
    if gap.count("\n") > 1 or not gap.strip() == "":
        return False
    last = text[prev.end - 1]
    if last in SENT_END + "）)":
        return False
    if "\n" not in gap:
        return True
    # A wrapped line: the previous line is long (PDF width) and the next one does not open a heading.
    line_start = text.rfind("\n", 0, prev.end) + 1
    return prev.end - line_start >= 25 and not re.match(r"[（(]?[一二三四五六七八九十\d]+[、.．)）]", text[cur.start:cur.start + 4])


def token_starts(doc: Doc) -> set[int]:
    starts = set()
    for para_start, sdoc in doc.user_data.get("spacy", []):
        for tok in sdoc:
            starts.add(para_start + tok.idx)
    return starts


# --- mapping ----------------------------------------------------------------------------

APPLICATION = re.compile(r"申请|依申请")
DISCLOSURE = re.compile(r"信息公开|依申请|公开申请")
REVIEW_CONTEXT = re.compile(r"信息公开|依申请|公开申请")

# Outcome and flow wording inside one clause, most specific first: (pattern, key, confidence).
APP_RULES: list[tuple[re.Pattern, str, float]] = [
    (re.compile(r"予以公开(或|及|和|与|、)部分公开|全部或部分公开|公开或部分公开"), "granted+partial.total", 0.9),
    (re.compile(r"部分公开"), "partial.total", 0.9),
    (re.compile(r"不予公开|不同意公开|不公开"), "denied.*.total", 0.9),
    (re.compile(r"(予以|同意|全部)公开"), "granted.total", 0.9),
    (re.compile(r"不掌握|信息不存在|不存在"), "unable.not_held.total", 0.85),
    (re.compile(r"无法提供"), "unable.*.total", 0.9),
    (re.compile(r"不予处理"), "not_processed.*.total", 0.9),
    (re.compile(r"其他处理"), "other.*.total", 0.9),
    (re.compile(r"结转下(一)?年|转结下(一)?年|下年度继续办理|结转至下年"), "carry_forward.total", 0.9),
    (re.compile(r"上(一)?年(度)?(结转|转结)|结转上年"), "carried_over.total", 0.9),
    (re.compile(r"自然人|公民(个人)?(提出)?"), "new.natural_person", 0.8),
    (re.compile(r"法人(或|及|和|与)?其他组织|法人或者其他组织"), "new.orgs", 0.8),
    (re.compile(r"新收|收到|接到|接收|收悉"), "new.total", 0.9),
    (re.compile(r"受理"), "new.total", 0.75),
    (re.compile(r"办结|答复|办理完毕|处理完毕|办理"), "total.total", 0.7),
]
REVIEW_RULES: list[tuple[re.Pattern, str, float]] = [
    (re.compile(r"行政复议"), "review.total", 0.85),
    (re.compile(r"行政诉讼|提起诉讼|起诉"), "litigation.total", 0.85),
]
REVIEW_OUTCOMES = [(re.compile(r"维持"), "upheld"), (re.compile(r"纠正|撤销|确认违法"), "corrected"),
                   (re.compile(r"尚未审结|未审结|审理中|在审"), "pending")]
DOC_TYPES = [(re.compile(r"规范性文件"), "normative_documents"), (re.compile(r"(?<!政府)规章"), "regulations")]
DOC_ACTIONS = [(re.compile(r"现行有效"), "in_force", 0.85), (re.compile(r"废止|失效"), "repealed", 0.85),
               (re.compile(r"保留"), "in_force", 0.4),
               (re.compile(r"制发|印发|出台|制定|发布|新制定"), "issued", 0.8)]
DECISIONS = [(re.compile(r"行政许可"), "licensing.decisions"), (re.compile(r"行政处罚"), "punishment.decisions"),
             (re.compile(r"行政强制"), "coercion.decisions")]
DECISION_VERB = re.compile(r"决定|作出|办理|办结|审批|实施|查处|案件")
QUALIFIER = re.compile(r"以[^，。；]{1,12}名义|市政府|县政府|区政府|政府办")
FOREIGN_SUBJECT = re.compile(r"全市|全县|全区|全省|各县|各区|各部门|各单位|县区|市直")


def _clauses(text: str) -> list[tuple[int, int]]:
    out, a = [], 0
    for i, ch in enumerate(text):
        if ch in CLAUSE_END:
            if i > a:
                out.append((a, i))
            a = i + 1
    if a < len(text):
        out.append((a, len(text)))
    return out


def _clause_of(clauses, pos) -> int:
    for i, (a, b) in enumerate(clauses):
        if a <= pos < b:
            return i
    return len(clauses) - 1


def _map(ctext: str, clauses, ci: int, m: Mention, before_unit: str) -> Optional[tuple[str, float, str, tuple]]:
    """Key, confidence, subject wording and alternatives of one number, or None."""
    a = clauses[ci][0]
    local = ctext[a:m.a]
    sentence_before = ctext[:m.a]
    sentence = ctext
    if m.unit in ("%", "％", "元", "万元", "人次", "名", "场", "家", "则", "期"):
        return None
    # statutory decisions: 行政许可 / 处罚 / 强制 (not information items)
    for pat, key in DECISIONS:
        if pat.search(local) and m.unit not in ("条", "篇", "则") and DECISION_VERB.search(local):
            if FOREIGN_SUBJECT.search(sentence_before):
                return None
            return key, 0.7, pat.search(local).group(0), ()
    # documents: 规章 / 规范性文件
    topic = None
    for pat, row in DOC_TYPES:
        if pat.search(local):
            topic = (row, 1.0)
            break
    if topic is None and ci > 0:
        prev_text = ctext[clauses[max(0, ci - 2)][0]:a]
        for pat, row in DOC_TYPES:
            if pat.search(prev_text):
                topic = (row, 0.8)
                break
    if topic is not None and m.unit in ("件", "个", "部", "份", "篇"):
        for pat, col, conf in DOC_ACTIONS:
            hit = pat.search(local)
            if hit:
                c = conf * topic[1]
                if QUALIFIER.search(local) or (topic[1] < 1 and QUALIFIER.search(ctext[:a])):
                    c *= 0.6
                if FOREIGN_SUBJECT.search(sentence_before) or re.search(r"备案|审查|审核|清理", local):
                    return None
                return f"{topic[0]}.{col}", c, hit.group(0), ()
        if topic[1] == 1.0:
            return None
    # review and litigation caused by disclosure work
    if re.search(r"行政复议|行政诉讼|复议|诉讼", sentence) and REVIEW_CONTEXT.search(sentence):
        if m.unit not in ("件", "宗", "起", "例", "个", "次"):
            return None
        for pat, key, conf in REVIEW_RULES:
            if pat.search(local):
                block = key.split(".")[0]
                for opat, col in REVIEW_OUTCOMES:
                    if opat.search(local):
                        return f"{block}.{col}", conf * 0.9, opat.search(local).group(0), ()
                return key, conf, pat.search(local).group(0), ()
        # “行政复议3件，1件结果维持，2件结果纠正”: an outcome after a review clause
        prev = ctext[clauses[max(0, ci - 3)][0]:a]
        for opat, col in REVIEW_OUTCOMES:
            if opat.search(local) or (opat.search(ctext[m.b:clauses[ci][1]])):
                for pat, key, conf in REVIEW_RULES[::-1]:
                    if pat.search(prev):
                        block = key.split(".")[0]
                        return f"{block}.{col}", conf * 0.8, opat.pattern, ()
    # applications
    if not (APPLICATION.search(sentence) or APPLICATION.search(before_unit[-40:]) or "依申请" in local):
        return None
    if m.unit not in ("件", "宗", "起", "个", "次", "件次", "份", "条", ""):
        return None
    if re.search(r"行政复议|行政诉讼|复议|诉讼", local):
        return None
    if FOREIGN_SUBJECT.search(sentence_before[-30:]) and not re.search(r"我|本", sentence_before):
        return None
    # channels (网上申请, 信函) are not table quantities
    if re.search(r"网上|网络|信函|邮寄|当面|现场|来信|电话|邮件|传真|平台|网站", local) and not re.search(
            r"公开|提供|处理|结转", local):
        return None
    scope = local
    # Outcome words that follow the number in the same clause: “1件予以公开”.
    after = ctext[m.b:clauses[ci][1]]
    for text_part in (scope, after):
        for pat, key, conf in APP_RULES[:-4] if text_part is after else APP_RULES:
            hit = pat.search(text_part)
            if hit:
                alternatives = ()
                if key == "new.total" and hit.group(0) == "受理":
                    alternatives = ("new+carried_over.total",)
                if key == "new.total" and re.search(r"含上年|包括上年|含结转", ctext):
                    key, alternatives = "new+carried_over.total", ()
                if key == "total.total" and re.search(r"收到|新收|受理", scope):
                    continue
                return key, conf, hit.group(0), alternatives
    # “其中：予以公开11件” handled above; “共N件” after an application subject in an earlier clause.
    if ci > 0 and re.fullmatch(r"(共|共计|合计|累计|总计)?", local or ""):
        prev = ctext[clauses[ci - 1][0]:clauses[ci - 1][1]]
        for pat, key, conf in APP_RULES:
            hit = pat.search(prev)
            if hit and key in ("new.total", "total.total"):
                return key, conf * 0.9, hit.group(0), ()
    return None


ZERO_APPS = re.compile(
    r"(未|没有|无|尚未|未曾)(收到|接到|接收|受理|收悉|发生|有)?[^。；，,]{0,14}?"
    r"(政府信息公开申请|信息公开申请|依申请公开|公开申请|要求公开政府信息)")
ZERO_REVIEW = re.compile(
    r"(未发生|未出现|没有|无|未有|未产生|不存在)[^。；，,]{0,24}?(行政复议|行政诉讼)"
    r"([、和及与或]{1,2}(提起)?(行政诉讼|行政复议))?")
ALL_ZERO = re.compile(r"(均为|全部为|皆为)(0|零)(件)?")


def _zero_claims(doc: Doc, comp: Compact, unit: Span) -> list[Claim]:
    out = []
    t = comp.text
    for m in ZERO_APPS.finditer(t):
        if re.search(r"(行政复议|行政诉讼)", m.group(0)):
            continue
        a, b = comp.span(m.start(), m.end())
        out.append(Claim("new.total", 0, "zero", a, b, 0.85, (unit.start, unit.end), "件", m.group(0)))
    for m in ZERO_REVIEW.finditer(t):
        if not REVIEW_CONTEXT.search(t) and not re.search(r"案件|情况|发生", t[m.end():m.end() + 6]):
            continue
        a, b = comp.span(m.start(), m.end())
        names = m.group(0)
        keys = []
        if "复议" in names:
            keys.append("review.total")
        if "诉讼" in names:
            keys.append("litigation.total")
        for k in keys:
            out.append(Claim(k, 0, "zero", a, b, 0.85, (unit.start, unit.end), "件", m.group(0)))
    for m in ALL_ZERO.finditer(t):
        head = t[max(0, m.start() - 30):m.start()]
        keys = []
        if "复议" in head:
            keys.append("review.total")
        if "诉讼" in head:
            keys.append("litigation.total")
        if not keys and re.search(r"申请", head) and REVIEW_CONTEXT.search(t):
            keys.append("new.total")
        a, b = comp.span(m.start(), m.end())
        for k in keys:
            out.append(Claim(k, 0, "zero", a, b, 0.8, (unit.start, unit.end), "件", head[-12:] + m.group(0)))
    return out


def claims_in_unit(doc: Doc, unit: Span, starts: set[int], before: str = "") -> tuple[list[Claim], Compact, list[Mention]]:
    comp = Compact.of(doc.text, unit.start, unit.end)
    mentions = find_mentions(comp.text, starts, comp.offsets)
    clauses = _clauses(comp.text)
    claims: list[Claim] = []
    for m in mentions:
        ci = _clause_of(clauses, m.a)
        mapped = _map(comp.text, clauses, ci, m, before)
        if mapped is None:
            continue
        key, conf, subject, alts = mapped
        a, b = comp.span(m.num_a if m.kind == "exact" else m.a, m.b)
        claims.append(Claim(key, m.value, m.kind, a, b, conf, (unit.start, unit.end), m.unit, subject, alts))
    zero = _zero_claims(doc, comp, unit)
    claims.extend([z for z in zero if not any(c.start <= z.start < c.end or z.start <= c.start < z.end
                                              for c in claims)])
    return claims, comp, mentions


def extract_claims(doc: Doc, options=None) -> None:
    """Pipeline component: fills `doc.claims` and `doc.user_data["quantities"]` (every
    number with a unit in the narrative, per unit, for the arithmetic rules)."""
    starts = token_starts(doc)
    claims: list[Claim] = []
    quantities = []
    prev_text = ""
    for u in units(doc):
        cs, comp, mentions = claims_in_unit(doc, u, starts, prev_text)
        claims.extend(cs)
        quantities.append((u, comp, mentions))
        prev_text = comp.text[-60:]
    doc.claims = claims
    doc.user_data["quantities"] = quantities
