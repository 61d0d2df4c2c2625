"""Claim extraction: every narrative statement of a quantity the statutory tables also
hold, as a typed `Claim` (cell key or derived quantity, value, exact/approx/bound/zero,
span, mapping confidence).

Where: the preamble and sections one, five and six, and the prose (never the tables) of
sections two to four, where old-template reports tell their figures. How: `doc.sentences` are merged
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
from dataclasses import dataclass
from typing import Optional

from ..component import component
from ..doc import Doc, Span
from .numbers import Compact, Mention, find_mentions

NARRATIVE_SECTIONS = (1, 5, 6)
PROSE_SECTIONS = (2, 3, 4)  # prose outside the tables (old-template reports narrate here)
CLAUSE_END = "，,；;：:。！？!?、\n"
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
    for n in NARRATIVE_SECTIONS + PROSE_SECTIONS:
        s = doc.section(n)
        if s is not None:
            regions.append((s.body_start, s.end))
    if s1 is None and not regions:
        regions.append((0, len(doc.text)))
    return sorted(regions)


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
    if gap.count("\n") > 1 or gap.strip():
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
    for para_start, sdoc in doc.tokens:
        for tok in sdoc:
            starts.add(para_start + tok.idx)
    return starts


# --- mapping ----------------------------------------------------------------------------

APPLICATION = re.compile(r"依申请|公开申请|申请公开|申请人|申请书|申请表|提出申请|提交[^，,。；;]{0,20}申请"
                         r"|(收到|受理|接到|接收|办理|答复|处理)[^，,。；;]{0,8}申请")
DISCLOSURE = re.compile(r"信息公开|依申请|公开申请")
OUTCOME_WORDS = re.compile(r"予以公开|不予公开|部分公开|无法提供|不予处理|其他处理")
REVIEW_CONTEXT = re.compile(r"信息公开|依申请|公开申请|政府信息")

# Outcome and flow wording inside one clause, most specific first: (pattern, key, confidence).
LEAF_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"国家秘密"), "denied.state_secret.total"),
    (re.compile(r"法律行政法规禁止|禁止公开"), "denied.law_prohibited.total"),
    (re.compile(r"三安全一稳定"), "denied.security_stability.total"),
    (re.compile(r"第三方合法权益"), "denied.third_party.total"),
    (re.compile(r"内部事务"), "denied.internal_affairs.total"),
    (re.compile(r"过程性信息"), "denied.process_info.total"),
    (re.compile(r"执法案卷"), "denied.enforcement_file.total"),
    (re.compile(r"查询事项"), "denied.query_matter.total"),
    (re.compile(r"不掌握|非本(单位|机关)(制作|掌握)|信息不存在"), "unable.not_held.total"),
    (re.compile(r"另行制作|没有现成"), "unable.need_creation.total"),
    (re.compile(r"仍不明确"), "unable.unclear.total"),
    (re.compile(r"信访|举报投诉"), "not_processed.petition.total"),
    (re.compile(r"重复申请"), "not_processed.duplicate.total"),
    (re.compile(r"公开出版物"), "not_processed.publication.total"),
    (re.compile(r"大量反复"), "not_processed.mass_repeated.total"),
    (re.compile(r"确认或重新出具|重新出具"), "not_processed.confirm_info.total"),
    (re.compile(r"逾期不补正"), "other.no_correction.total"),
    (re.compile(r"收费通知|缴纳费用"), "other.no_fee.total"),
]
GROUP_OF = {"denied": (r"不予公开|不同意公开", "denied.*.total"), "unable": (r"无法提供", "unable.*.total"),
            "not_processed": (r"不予处理", "not_processed.*.total"), "other": (r"其他处理", "other.*.total")}
APP_RULES: list[tuple[re.Pattern, str, float]] = [
    (re.compile(r"予以公开(或|及|和|与|、)部分公开|全部或部分公开|公开或部分公开"), "granted+partial.total", 0.9),
    (re.compile(r"部分公开"), "partial.total", 0.9),
    (re.compile(r"不予公开|不同意公开|不公开"), "denied.*.total", 0.9),
    (re.compile(r"(予以|同意|全部)公开"), "granted.total", 0.9),
    (re.compile(r"不予受理|受理点|受理窗口|》$"), "", 0.0),  # not a quantity of the tables
    (re.compile(r"无法提供"), "unable.*.total", 0.9),
    (re.compile(r"不予处理"), "not_processed.*.total", 0.9),
    (re.compile(r"其他处理"), "other.*.total", 0.9),
    (re.compile(r"结转下(一)?年|转结下(一)?年|下年度继续办理|结转至下年"), "carry_forward.total", 0.9),
    (re.compile(r"上(一)?年(度)?(结转|转结)|结转上年"), "carried_over.total", 0.9),
    (re.compile(r"自然人|公民(个人)?(提出)?"), "new.natural_person", 0.8),
    (re.compile(r"法人(或|及|和|与)?其他组织|法人或者其他组织"), "new.orgs", 0.8),
    (re.compile(r"新收|收到|接到|接收|收悉|核收"), "new.total", 0.9),
    (re.compile(r"受理"), "new.total", 0.75),
    (re.compile(r"办结|答复|办理完毕|处理完毕|办理|处理"), "total.total", 0.7),
]
REVIEW_RULES: list[tuple[re.Pattern, str, float]] = [
    (re.compile(r"(?<!经)(行政)?复议(?!后)"), "review.total", 0.85),
    (re.compile(r"行政诉讼|诉讼|起诉"), "litigation.total", 0.85),
]
REVIEW_OUTCOMES = [(re.compile(r"结果维持|维持"), "upheld"), (re.compile(r"结果纠正|纠正|撤销|确认违法"), "corrected"),
                   (re.compile(r"其他结果"), "other"), (re.compile(r"尚未审结|未审结|审理中|在审"), "pending")]
DOC_TYPES = [(re.compile(r"规范性文件"), "normative_documents"), (re.compile(r"规章"), "regulations")]
DOC_ACTIONS = [(re.compile(r"现行有效"), "in_force", 0.85), (re.compile(r"废止|失效"), "repealed", 0.85),
               (re.compile(r"保留"), "in_force", 0.4),
               (re.compile(r"制发|印发|出台|制定|发布|新制定"), "issued", 0.8)]
DECISIONS = [(re.compile(r"行政许可"), "licensing.decisions"), (re.compile(r"行政处罚"), "punishment.decisions"),
             (re.compile(r"行政强制"), "coercion.decisions")]
DECISION_VERB = re.compile(r"(?<!国务院)决定|作出|办理|办结|审批|实施|查处|案件")
DECISION_UNITS = ("件", "个", "宗", "起", "次", "项", "例")
QUALIFIER = re.compile(r"以[^，。；]{1,12}名义")
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


def _map(ctext: str, clauses, ci: int, m: Mention, before_unit: str,
         government: bool = False) -> Optional[tuple[str, float, str, tuple]]:
    """Key, confidence, subject wording and alternatives of one number, or None."""
    a, clause_end = clauses[ci]
    local = whole_local = ctext[a:m.a]
    cut = max(local.rfind("（"), local.rfind("("), local.rfind("其中") + 1)
    if cut > 0:  # “14件（其中信件申请10件”: the parenthesis or 其中 opens a new subject
        local = local[cut + 1:]
    after = ctext[m.b:clause_end]
    sentence_before = ctext[:m.a]
    sentence = ctext
    foreign = (lambda t: bool(FOREIGN_SUBJECT.search(t)) and not government)
    if m.unit in ("%", "％", "人次", "名", "场", "家", "则", "期"):
        return None
    # 行政事业性收费 (table two, in 万元)
    if m.unit in ("元", "万元"):
        if re.search(r"行政事业性收费", local):
            return "fees.amount_wan", 0.8, "行政事业性收费", ()
        return None
    # statutory decisions: 行政许可 / 处罚 / 强制 (not information items)
    for pat, key in DECISIONS:
        hit = pat.search(local)
        if hit and "事项" not in local[hit.end():] and (
                (m.unit in DECISION_UNITS and DECISION_VERB.search(local)) or re.search(r"决定数量", local)):
            if foreign(sentence_before):
                return None
            return key, 0.7, hit.group(0), ()
    # documents: 规章 / 规范性文件 (the type may follow the number: “制定并公开12份规范性文件”)
    topic = None
    for pat, row in DOC_TYPES:
        if pat.search(local) or (pat.match(after) and re.search(r"制发|印发|出台|制定|废止", local)):
            topic = (row, 1.0)
            break
    if topic is None:
        prev_text = ctext[clauses[max(0, ci - 2)][0]:a] if ci > 0 else whole_local
        for pat, row in DOC_TYPES:
            if pat.search(prev_text):
                topic = (row, 0.85)  # the type named earlier in the sentence (“规章13件（含新制定5件…”)
                break
    if topic is not None and m.unit in ("件", "个", "部", "份", "篇", "条"):
        for pat, col, conf in DOC_ACTIONS:
            hit = pat.search(local)
            if hit and (m.unit != "条" or col in ("repealed", "in_force") or "数量" in local):
                c = conf * topic[1]
                if QUALIFIER.search(local) or (topic[1] < 1 and QUALIFIER.search(ctext[:a])):
                    c *= 0.6
                if foreign(sentence_before) or re.search(r"备案|审查|审核|清理", local):
                    return None
                return f"{topic[0]}.{col}", c, hit.group(0), ()
        if topic[1] == 1.0:
            return None
    # review and litigation caused by disclosure work
    review_ctx = REVIEW_CONTEXT.search(sentence) or re.search(r"不服.{0,8}答复|答复.{0,6}不服", sentence) or (
        REVIEW_CONTEXT.search(before_unit) and re.search(r"复议|诉讼", before_unit))
    if re.search(r"复议|诉讼", sentence) and review_ctx and m.unit in ("件", "宗", "起", "例", "个", "次"):
        if re.search(r"复议申请", sentence) and not REVIEW_CONTEXT.search(sentence):
            return None  # the agency deciding others' reconsideration cases
        mapped = _map_review(ctext, clauses, ci, m, local, after)
        if mapped is not None:
            return mapped
    # applications
    if not (APPLICATION.search(sentence) or APPLICATION.search(before_unit[-40:])
            or OUTCOME_WORDS.search(ctext[a:m.a])):
        return None
    if re.search(r"复议申请", sentence) and not REVIEW_CONTEXT.search(sentence):
        return None
    if m.unit not in ("件", "宗", "起", "个", "次", "件次", "份", "条", "项", ""):
        return None
    if re.search(r"复议|诉讼", local):
        return None
    if foreign(sentence_before[-30:]) and not re.search(r"我|本", sentence_before):
        return None
    # “有1件依申请公开信息”, “政府信息公开申请2件”: the subject itself, no verb
    if re.search(r"(^|[有共])$", local) and re.match(r"(依申请公开|政府信息公开申请|信息公开申请)", after):
        return "new.total", 0.8, after[:6], ()
    if re.search(r"建议|提案|议案|留言|》$", local):
        return None
    bare = re.search(r"(依申请公开|政府信息公开申请)[^，,、]{0,6}?(共|共计)?$", local)
    if bare and not re.search(r"收到|新收|受理|接收|接到|办理|处理|答复|办结|公开[^申]", local[:bare.start()] + local[bare.end():]):
        return "new.total", 0.75, bare.group(1), ()
    # channels (网上申请, 信函) are not table quantities
    if re.search(r"网上|网络|信函|信件|邮寄|当面|现场|来信|电话|邮件|传真|平台|网站", local) and not re.search(
            r"公开|提供|处理|结转|收到|受理|接收", local):
        return None
    for text_part in (local, after):
        for pat, key in LEAF_RULES:
            hit = pat.search(text_part)
            if hit and not re.search(r"收到|受理|新收|接收|接到", text_part[hit.end():]):
                group = GROUP_OF[key.split(".")[0]]
                if re.search(r"等|或", text_part) and re.search(group[0], text_part):
                    key = group[1]  # “因不掌握或需要加工汇总等原因无法提供5宗”: the whole group
                return key, 0.85, hit.group(0), ()
        for pat, key, conf in APP_RULES[:-5] if text_part is after else APP_RULES:
            hit = pat.search(text_part)
            if hit:
                if not key:
                    return None
                alternatives = ()
                if key == "new.total" and hit.group(0) == "受理":
                    alternatives = ("new+carried_over.total",)
                if key == "new.total" and re.search(r"含上年|包括上年|含结转|其中本年度新收|其中新收", ctext[m.b:m.b + 12]):
                    key, alternatives = "new+carried_over.total", ()
                if key == "total.total" and re.search(r"收到|新收|受理", local):
                    continue
                if key in ("new.natural_person", "new.orgs") and re.search(r"办理|处理|答复|办结", ctext[:a]) \
                        and not re.search(r"收到|新收|受理", ctext[:a]):
                    key = key.replace("new.", "total.")
                return key, conf, hit.group(0), alternatives
    # “共N件” after an application subject in an earlier clause.
    if ci > 0 and re.fullmatch(r"(共|共计|合计|累计|总计)?", local or ""):
        prev = ctext[clauses[ci - 1][0]:clauses[ci - 1][1]]
        for pat, key, conf in APP_RULES:
            hit = pat.search(prev)
            if hit and key in ("new.total", "total.total"):
                return key, conf * 0.9, hit.group(0), ()
    return None


def _map_review(ctext, clauses, ci, m, local, after):
    for pat, key, conf in REVIEW_RULES:
        hit = pat.search(local)
        if hit:
            block = key.split(".")[0]
            if re.search(r"直接起诉", local):
                block = "litigation_direct"
            elif re.search(r"复议后起诉", local):
                block, hit = "litigation_after_review", re.search(r"复议后起诉", local)
            for opat, col in REVIEW_OUTCOMES:
                if opat.search(local[hit.end():]):
                    return f"{block}.{col}", conf * 0.9, opat.search(local).group(0), ()
            return f"{block}.total", conf, hit.group(0), ()
    # “行政复议7件，其中结果维持6件…”, “6件结果维持”: an outcome after a review clause
    prev = ctext[clauses[max(0, ci - 5)][0]:clauses[ci][0]]
    for opat, col in REVIEW_OUTCOMES:
        if opat.search(local) or opat.match(after):
            last = None
            for pat, key, conf in REVIEW_RULES:
                for h in pat.finditer(prev):
                    if last is None or h.start() > last[0]:
                        last = (h.start(), key, conf)
            if last is not None:
                return f"{last[1].split('.')[0]}.{col}", last[2] * 0.9, opat.pattern, ()
    return None


_OBJ = r"(政府信息公开申请|信息公开申请|依申请|公开申请|要求公开政府信息)"
ZERO_APPS = re.compile(
    r"(未|没有|尚未|未曾)(收到|接到|接收|受理|收悉|发生|核收)过?[^。；;，,]{0,14}?" + _OBJ +
    r"|(无|未有|没有)[^。；;，,]{0,3}?" + _OBJ)
ZERO_REVIEW = re.compile(r"(未发生|未出现|没有发生|没有收到|未收到|没有|无|未有|未产生|不存在)[^。；;，,]{0,30}?(复议|诉讼)")
ZERO_DECISIONS = re.compile(r"(未|没有|无)(收到|受理|作出|办理|实施|发生)?[^。；;，,]{0,6}?(行政许可|行政处罚|行政强制)"
                            r"(申请|决定|案件|事项)")
ALL_UPHELD = re.compile(r"(行政复议|复议|行政诉讼|诉讼)[^。；;，,]{0,24}?(均|全部|都)(已)?(获|被|予以|得到)?(维持|胜诉)")
ALL_ZERO = re.compile(r"(均为|全部为|皆为)(0|零)(件)?")


def _zero_claims(doc: Doc, comp: Compact, unit: Span) -> list[Claim]:
    out = []
    t = comp.text
    sent = (unit.start, unit.end)
    for m in ZERO_APPS.finditer(t):
        rest = re.split(r"[。；;，,、]", t[m.end():], maxsplit=1)[0]
        if re.search(r"复议|诉讼", m.group(0) + rest):
            continue
        a, b = comp.span(m.start(), m.end())
        key = "total.total" if re.match(r"(无|未有|没有)[^。]{0,3}?(办理|处理|答复)", m.group(0)) else "new.total"
        out.append(Claim(key, 0, "zero", a, b, 0.85, sent, "件", m.group(0)))
    for m in ZERO_REVIEW.finditer(t):
        rest = re.split(r"[。；;]", t[m.end():], maxsplit=1)[0][:20]
        if not REVIEW_CONTEXT.search(t) and not re.search(r"案|情况|发生", t[m.end():m.end() + 16]):
            continue
        if re.match(r"申请", rest):
            continue  # “无…复议申请”: the agency as the reviewing body
        end = m.end()
        other = re.search(r"复议|诉讼", rest)
        if other:
            end = m.end() + other.end()
        names = t[m.start():end]
        a, b = comp.span(m.start(), end)
        keys = (["review.total"] if "复议" in names else []) + (["litigation.total"] if "诉讼" in names else [])
        for k in keys:
            out.append(Claim(k, 0, "zero", a, b, 0.85, sent, "件", names))
    for m in ZERO_DECISIONS.finditer(t):  # “全年未收到行政许可申请”: no decisions either
        key = {"行政许可": "licensing.decisions", "行政处罚": "punishment.decisions",
               "行政强制": "coercion.decisions"}[m.group(3)]
        if re.search(r"公开|信息|事项", m.group(0)):
            continue  # “无行政许可事项信息” is about published items
        a, b = comp.span(m.start(), m.end())
        out.append(Claim(key, 0, "zero", a, b, 0.7, sent, "件", m.group(0)))
    for m in ALL_UPHELD.finditer(t):  # “行政复议、行政诉讼均获维持”: nothing corrected, other or pending
        if not REVIEW_CONTEXT.search(t):
            continue
        a, b = comp.span(m.start(), m.end())
        head = t[max(0, m.start() - 2):m.end()]
        for word, key in (("复议", "review.not_upheld"), ("诉讼", "litigation.not_upheld")):
            if word in head:
                out.append(Claim(key, 0, "zero", a, b, 0.8, sent, "件", "未获维持（纠正、其他结果、尚未审结）的案件"))
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
            out.append(Claim(k, 0, "zero", a, b, 0.8, sent, "件", head[-12:] + m.group(0)))
    return out


def _other_period(local: str, year: Optional[int], key: str) -> bool:
    for m in re.finditer(r"((?:19|20)\d{2})\s*年", local):
        if year is not None and int(m.group(1)) != year:
            return True
    return key != "carried_over.total" and bool(re.search(r"去年|上年同期|上一年度(?!结转)|上年度(?!结转)", local))


def claims_in_unit(doc: Doc, unit: Span, starts: set[int], before: str = "") -> tuple[list[Claim], Compact, list[Mention]]:
    comp = Compact.of(doc.text, unit.start, unit.end)
    government = bool(re.search(r"人民政府(?!办公室|办公厅)", doc.agency or ""))
    mentions = find_mentions(comp.text, starts, comp.offsets)
    clauses = _clauses(comp.text)
    claims: list[Claim] = []
    for m in mentions:
        ci = _clause_of(clauses, m.a)
        mapped = _map(comp.text, clauses, ci, m, before, government)
        if mapped is None:
            continue
        key, conf, subject, alts = mapped
        if _other_period(comp.text[clauses[ci][0]:m.a], doc.year, key):
            continue  # “2022年收到申请8件”, “去年同期…”: another year's figure
        a, b = comp.span(m.num_a if m.kind == "exact" else m.a, m.b)
        claims.append(Claim(key, m.value, m.kind, a, b, conf, (unit.start, unit.end), m.unit, subject, alts))
    zero = _zero_claims(doc, comp, unit)
    claims.extend([z for z in zero if not any(c.start <= z.start < c.end or z.start <= c.start < z.end
                                              for c in claims)])
    return claims, comp, mentions


@component("claims", requires=("text", "sections", "title_span", "agency", "year", "sentences", "tokens"),
           uses=("tables",), assigns=("claims", "quantities"))
def extract_claims(doc: Doc, options=None) -> None:
    """Narrative statements of table quantities (`claims`) and every number with a unit,
    per unit (`quantities`, for the arithmetic rules)."""
    starts = token_starts(doc)
    claims: list[Claim] = []
    quantities = []
    prev_text = ""
    for u in units(doc):
        cs, comp, mentions = claims_in_unit(doc, u, starts, prev_text)
        claims.extend(cs)
        quantities.append((u, comp, mentions))
        prev_text = (prev_text + comp.text)[-150:]
    doc.claims = claims
    doc.quantities = quantities
