"""DATE.*: years and dates — the reporting year against the years used for this
year's work (sections one and five, the preamble), the statistics period, malformed
dates (a year fused with the month, digits missing or doubled, junk between year and
month, impossible months and days) and the signature date against the reporting year
and the Art. 49 deadlines (departments by 31 January; governments by 31 March)."""
from __future__ import annotations

import calendar
import re
from datetime import date

from ..doc import Doc, Finding
from .catalogue import Example, Rule, finding, register
from .examples import DEFAULT_S1, minimal_report

YEAR_MISMATCH = register(Rule(
    "DATE.YEAR_MISMATCH", "contradiction", "warning",
    "本报告为{year}年度报告，但此处以“{quote}”叙述本年度工作，年份可能有误（应为{year}年）。",
    "A year other than the reporting year (title) used as the time of this year's work in the preamble, section 1 or 5.",
    [Example(minimal_report(s1=DEFAULT_S1.replace("2024年，本局", "2023年，本局")), True, whole=True,
             quote="2023年"),
     Example("2023年以来，本局持续推进政务公开标准化规范化建设。", False),
     Example("与2023年相比，依申请公开数量有所下降。", False),
     Example("2025年，我局将进一步加强政策解读。", False, section=5)],
))
PERIOD = register(Rule(
    "DATE.PERIOD", "contradiction", "error",
    "统计期限“{quote}”有误：{problem}。应为{year}年1月1日至{year}年12月31日。",
    "The stated statistics period is not 1 January – 31 December of the reporting year.",
    [Example("本报告中所列数据的统计期限自2024年1月1日起至2023年12月31日止。", True, section=0),
     Example("本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。", False, section=0),
     Example("本报告所列数据的统计期限为2024年1月1日至12月31日。", False, section=0)],
))
MALFORMED = register(Rule(
    "FORMAT.DATE_MALFORMED", "format", "warning",
    "日期“{quote}”书写有误：{problem}。",
    "A malformed date: year fused with the month, doubled or missing digits, junk between year and month, impossible month or day.",
    [Example("本报告统计期限为20241月1日至2024年12月31日。", True, section=0, quote="20241月", suggestion="2024年1月"),
     Example("2024年2月30日，本局召开政务公开工作会议。", True, quote="2月30日"),
     Example("20244年，本局召开政务公开工作会议2次。", True, quote="20244年"),
     Example("2024年3月15日，本局召开政务公开工作会议。", False)],
))
SIGNATURE_EARLY = register(Rule(
    "DATE.SIGNATURE_EARLY", "contradiction", "warning",
    "落款日期“{quote}”早于报告年度（{year}年）结束，年度报告应在年度结束后编制发布。",
    "The signature date lies before the end of the reporting year.",
    [Example(minimal_report(signature="示例区教育局\n2024年12月20日"), True, whole=True, quote="2024年12月20日"),
     Example(minimal_report(), False, whole=True)],
))
SIGNATURE_LATE = register(Rule(
    "FORMAT.SIGNATURE_LATE", "format", "warning",
    "落款日期“{quote}”晚于法定期限：{kind}应于{deadline}前公布上一年度报告（《政府信息公开条例》第四十九条）。",
    "The signature date is after the Art. 49 deadline (departments 31 Jan, governments' reports 31 Mar of the next year).",
    [Example(minimal_report(signature="示例区教育局\n2025年3月2日"), True, whole=True, quote="2025年3月2日"),
     Example(minimal_report(title="示例区人民政府2024年政府信息公开工作年度报告",
                            signature="示例区人民政府\n2025年3月2日"), False, whole=True)],
))

YEAR_AT_CLAUSE = re.compile(r"(?:^|(?<=[，,。；;：:\s）)]))(?:在)?(?P<y>(?:19|20)\d{2})\s*年(?:度)?"
                            r"(?=\s*(?:[，,]|全年|我|本|区|市|县|镇|乡|共|累计|以|通过|在|对|新|主动|收到|受理))")
PAST_CONTEXT = re.compile(r"上年|去年|较|同比|比|相比|相较|与|对比|以来|至今|截至|截止|起|之前|此前")
OTHER_YEAR_TOPIC = re.compile(r"结转|上年|去年|上一年|前一年|往年|历年|决算|预算|整改")
REPORT_NAMED = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?政府信息公开(?:工作)?(?:年度)?报告")
FUTURE = re.compile(r"将|计划|拟|力争|继续|下一步|明年|下年|今后")


def _narrative_units(doc: Doc):
    from ..claims.extract import narrative_regions
    for a, b in narrative_regions(doc):
        for s in doc.sentences_in(a, b):
            yield s


def check_years(doc: Doc) -> list[Finding]:
    y = doc.year
    if y is None:
        return []
    named = {int(m.group(1)) for m in REPORT_NAMED.finditer(doc.text[:1500])}
    if named - {y}:
        return []  # the text names another reporting year itself: the title year is not certain
    out = []
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
            out.append(finding(doc, YEAR_MISMATCH.id, a, b, year=y, suggestions=[f"{y}年"],
                               confidence=0.8 if yy == y - 1 else 0.7,
                               evidence={"report_year": y, "year_in_text": yy,
                                         "sentence": t, "title": doc.title}))
    return out


PERIOD_RE = re.compile(r"(统计期限|统计时限|统计期间|统计时间|统计区间|统计周期|数据统计|统计截止)[^。]{0,16}?"
                       r"(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日(起)?\s*(至|到|—|-|～|~)\s*"
                       r"(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日")


def check_period(doc: Doc) -> list[Finding]:
    y = doc.year
    if y is None:
        return []
    out = []
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
            out.append(finding(doc, PERIOD.id, a, b, year=y, problem="；".join(problems),
                               evidence={"report_year": y, "start": [y1, int(m.group("m1")), int(m.group("d1"))],
                                         "end": [y2, int(m.group("m2")), int(m.group("d2"))]}))
    return out


FUSED = re.compile(r"(?<![\d.])((?:19|20)\d{2})(1[0-2]|[1-9])月")
LONG_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{3,4})年")
SHORT_YEAR = re.compile(r"(?<![\d.])(20\d)年(?=\d{1,2}月|度|[，,]|以来)")
JUNK = re.compile(r"(?<![\d.])((?:19|20)\d{2})([^\d年\s，。,；;：:至到和及与、\-—~～（(）)\"“”]{1,2})(1[0-2]|[1-9])月(\d{1,2})日")
MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")
YEAR_BEFORE = re.compile(r"((?:19|20)\d{2})年\s*$")


def _malformed_in(text: str):
    for m in FUSED.finditer(text):
        yield m.start(), m.end(), "年份与月份连写，缺少“年”字", f"{m.group(1)}年{m.group(2)}月"
    for m in LONG_YEAR.finditer(text):
        d = m.group(1)
        yield m.start(), m.end(), f"年份“{d}”位数过多（多输了数字）", f"{d[:4]}年" if d[3] == d[4] else None
    for m in SHORT_YEAR.finditer(text):
        yield m.start(), m.end(), f"年份“{m.group(1)}”少了一位数字", None
    for m in JUNK.finditer(text):
        yield m.start(), m.end(), f"年份与月份之间夹有“{m.group(2)}”", f"{m.group(1)}年{m.group(3)}月{m.group(4)}日"
    for m in MONTH_DAY.finditer(text):
        mo, d = int(m.group(1)), int(m.group(2))
        if mo < 1 or mo > 12:
            yield m.start(), m.end(), f"月份“{mo}”不存在", None
            continue
        ym = YEAR_BEFORE.search(text[max(0, m.start() - 8):m.start()])
        year = int(ym.group(1)) if ym else 2001  # not a leap year unless the year says so
        if d < 1 or d > calendar.monthrange(year, mo)[1]:
            yield m.start(), m.end(), f"{mo}月没有{d}日", None


def check_malformed(doc: Doc) -> list[Finding]:
    out = []
    spans = list(doc.sentences) + ([doc.title_span] if doc.title_span is not None else [])
    for s in spans:
        for a, b, problem, fix in _malformed_in(doc.text[s.start:s.end]):
            t = doc.text[s.start:s.end]
            out.append(finding(doc, MALFORMED.id, s.start + a, s.start + b, problem=problem,
                               suggestions=[fix] if fix else [], confidence=0.9,
                               evidence={"text": t[a:b], "problem": problem}))
    return out


SIGNATURE = re.compile(r"^[ \t\u3000]*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[ \t\u3000]*$", re.M)
GOVERNMENT = re.compile(r"人民政府(?!办公室|办公厅)|街道办事处|乡$|镇$|街道$")


def _signature(doc: Doc):
    s6 = doc.section(6)
    lo = s6.start if s6 is not None else max(0, len(doc.text) - 400)
    found = None
    for m in SIGNATURE.finditer(doc.text, lo):
        found = m
    return found


def check_signature(doc: Doc) -> list[Finding]:
    y = doc.year
    m = _signature(doc)
    if y is None or m is None:
        return []
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return []  # DATE.MALFORMED says why
    a, b = m.start(1), doc.text.index("日", m.end(3)) + 1
    if d <= date(y, 12, 31):
        return [finding(doc, SIGNATURE_EARLY.id, a, b, year=y, evidence={"signature_date": d.isoformat(),
                                                                         "report_year": y})]
    gov = bool(GOVERNMENT.search(doc.agency or ""))
    deadline = date(y + 1, 3, 31) if gov else date(y + 1, 1, 31)
    if d > deadline:
        kind = "人民政府年度报告" if gov else "政府部门"
        return [finding(doc, SIGNATURE_LATE.id, a, b, kind=kind, deadline=f"{deadline.year}年{deadline.month}月{deadline.day}日",
                        confidence=0.8,
                        evidence={"signature_date": d.isoformat(), "deadline": deadline.isoformat(),
                                  "agency": doc.agency, "agency_kind": "government" if gov else "department",
                                  "authority": "《政府信息公开条例》第四十九条"})]
    return []


CHECKS = [check_years, check_period, check_malformed, check_signature]
