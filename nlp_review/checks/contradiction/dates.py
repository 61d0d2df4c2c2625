"""DATE.*: the reporting year against the years used for this year's work (sections one
and five, the preamble), the statistics period, and a signature dated before the
reporting year ends."""
from __future__ import annotations

import re
from datetime import date

from ...claims.extract import narrative_regions
from ...doc import Doc
from ..common import signature_date
from ..registry import MINIMAL, Report, clean, flag, rule

YEAR_AT_CLAUSE = re.compile(r"(?:^|(?<=[，,。；;：:\s）)]))(?:在)?(?P<y>(?:19|20)\d{2})\s*年(?:度)?"
                            r"(?=\s*(?:[，,]|全年|我|本|区|市|县|镇|乡|共|累计|以|通过|在|对|新|主动|收到|受理))")
PAST_CONTEXT = re.compile(r"上年|去年|较|同比|比|相比|相较|与|对比|以来|至今|截至|截止|起|之前|此前")
OTHER_YEAR_TOPIC = re.compile(r"结转|上年|去年|上一年|前一年|往年|历年|决算|预算|整改")
REPORT_NAMED = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?政府信息公开(?:工作)?(?:年度)?报告")
FUTURE = re.compile(r"将|计划|拟|力争|继续|下一步|明年|下年|今后")


def _narrative_units(doc: Doc):
    for a, b in narrative_regions(doc):
        yield from doc.sentences_in(a, b)


@rule("DATE.YEAR_MISMATCH", category="contradiction", severity="warning", needs=("year", "sections", "sentences"),
      message="本报告为{year}年度报告，但此处以“{quote}”叙述本年度工作，年份可能有误（应为{year}年）。",
      examples=[flag(Report(edits={1: (("2024年，本局", "2023年，本局"),)}), quote="2023年"),
                clean("2023年以来，本局持续推进政务公开标准化规范化建设。"),
                clean("与2023年相比，依申请公开数量有所下降。"),
                clean("2025年，我局将进一步加强政策解读。", section=5)])
def year_mismatch(doc: Doc, rule):
    """前言、第一或第五部分以报告年度以外的年份叙述本年度的工作。"""
    y = doc.year
    if y is None:
        return
    named = {int(m.group(1)) for m in REPORT_NAMED.finditer(doc.text[:1500])}
    if named - {y}:
        return  # the text names another reporting year itself: the title year is not certain
    for s in _narrative_units(doc):
        sec = doc.section_of(s.start)
        if sec not in (None, 1, 5):
            continue
        t = doc.text[s.start:s.end]
        if OTHER_YEAR_TOPIC.search(t) or re.search(rf"{y}\s*年", t):
            continue  # a comparison with the report year itself, or another year's topic
        for m in YEAR_AT_CLAUSE.finditer(t):
            yy = int(m.group("y"))
            if yy == y:
                continue
            after = t[m.end():m.end() + 4]
            if after.startswith("以来") or after.startswith("起"):
                continue
            head = t[max(0, m.start() - 8):m.start()]
            if PAST_CONTEXT.search(head) or PAST_CONTEXT.search(t[m.end():m.end() + 3]):
                continue
            if yy == y + 1 and (FUTURE.search(t) or sec == 5):
                continue
            if yy < y - 1 or yy > y + 1:
                continue  # a year far away is a reference (a law, a plan), not this year's work
            a, b = s.start + m.start("y"), s.start + m.end("y") + 1
            yield rule.finding(doc, a, b, year=y, suggestions=[f"{y}年"], confidence=0.8 if yy == y - 1 else 0.7,
                               evidence={"report_year": y, "year_in_text": yy, "sentence": t, "title": doc.title})


PERIOD_RE = re.compile(r"(统计期限|统计时限|统计期间|统计时间|统计区间|统计周期|数据统计|统计截止)[^。]{0,16}?"
                       r"(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日(起)?\s*(至|到|—|-|～|~)\s*"
                       r"(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日")


@rule("DATE.PERIOD", category="contradiction", severity="error", needs=("year", "sections", "sentences"),
      message="统计期限“{quote}”有误：{problem}。应为{year}年1月1日至{year}年12月31日。",
      examples=[flag("本报告中所列数据的统计期限自2024年1月1日起至2023年12月31日止。", section=0),
                clean("本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。", section=0),
                clean("本报告所列数据的统计期限为2024年1月1日至12月31日。", section=0)])
def period(doc: Doc, rule):
    """所写统计期限不是报告年度的1月1日至12月31日。"""
    y = doc.year
    if y is None:
        return
    for s in doc.sentences:
        if doc.section_of(s.start) not in (None, 1):
            continue
        t = doc.text[s.start:s.end]
        for m in PERIOD_RE.finditer(t):
            y1 = int(m.group("y1"))
            y2 = int(m.group("y2")) if m.group("y2") else y1
            problems = []
            if y1 != y:
                problems.append(f"起始年份{y1}年不是报告年度")
            if y2 != y:
                problems.append(f"截止年份{y2}年不是报告年度")
            if (int(m.group("m1")), int(m.group("d1"))) != (1, 1):
                problems.append("起始日期不是1月1日")
            if (int(m.group("m2")), int(m.group("d2"))) != (12, 31):
                problems.append("截止日期不是12月31日")
            if not problems:
                continue
            a, b = s.start + m.start("y1"), s.start + m.end("d2") + 1
            yield rule.finding(doc, a, b, year=y, problem="；".join(problems),
                               evidence={"report_year": y, "start": [y1, int(m.group("m1")), int(m.group("d1"))],
                                         "end": [y2, int(m.group("m2")), int(m.group("d2"))]})


@rule("DATE.SIGNATURE_EARLY", category="contradiction", severity="warning", needs=("year", "sections"),
      message="落款日期“{quote}”早于报告年度（{year}年）结束，年度报告应在年度结束后编制发布。",
      examples=[flag(Report(signature="示例区教育局\n2024年12月20日"), quote="2024年12月20日"), clean(MINIMAL)])
def signature_early(doc: Doc, rule):
    """落款日期早于报告年度结束。"""
    y, sig = doc.year, signature_date(doc)
    if y is None or sig is None:
        return
    d, a, b = sig
    if d <= date(y, 12, 31):
        yield rule.finding(doc, a, b, year=y, evidence={"signature_date": d.isoformat(), "report_year": y})
