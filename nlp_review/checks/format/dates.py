"""FORMAT.DATE_MALFORMED, FORMAT.SIGNATURE_LATE: dates written wrongly (a year fused with
the month, digits missing or doubled, junk between year and month, impossible months and
days) and a signature after the Art. 49 deadline (departments by 31 January; governments
by 31 March)."""
from __future__ import annotations

import calendar
import re
from datetime import date

from ...doc import Doc
from ..common import signature_date
from ..registry import Report, clean, flag, rule

FUSED = re.compile(r"(?<![\d.])((?:19|20)\d{2})(1[0-2]|[1-9])月")
LONG_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{3,4})年")
SHORT_YEAR = re.compile(r"(?<![\d.])(20\d)年(?=\d{1,2}月|度|[，,]|以来)")
JUNK = re.compile(r"(?<![\d.])((?:19|20)\d{2})([^\d年\s，。,；;：:至到和及与、\-—~～（(）)\"“”]{1,2})(1[0-2]|[1-9])月(\d{1,2})日")
MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")
YEAR_BEFORE = re.compile(r"((?:19|20)\d{2})年\s*$")
GOVERNMENT = re.compile(r"人民政府(?!办公室|办公厅)|街道办事处|乡$|镇$|街道$")


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


@rule("FORMAT.DATE_MALFORMED", category="format", severity="warning", needs=("sentences",),
      message="日期“{quote}”书写有误：{problem}。",
      examples=[flag("本报告统计期限为20241月1日至2024年12月31日。", section=0, quote="20241月", suggestion="2024年1月"),
                flag("2024年2月30日，本局召开政务公开工作会议。", quote="2月30日"),
                flag("20244年，本局召开政务公开工作会议2次。", quote="20244年"),
                clean("2024年3月15日，本局召开政务公开工作会议。")])
def date_malformed(doc: Doc, rule):
    """日期书写有误：年份与月份连写、多输或少输数字、年月之间夹杂字符、月份或日期不存在。"""
    spans = list(doc.sentences) + ([doc.title_span] if doc.title_span is not None else [])
    for s in spans:
        t = doc.text[s.start:s.end]
        for a, b, problem, fix in _malformed_in(t):
            yield rule.finding(doc, s.start + a, s.start + b, problem=problem, suggestions=[fix] if fix else [],
                               confidence=0.9, evidence={"text": t[a:b], "problem": problem})


@rule("FORMAT.SIGNATURE_LATE", category="format", severity="warning", needs=("year", "agency", "sections"),
      message="落款日期“{quote}”晚于法定期限：{kind}应于{deadline}前公布上一年度报告（《政府信息公开条例》第四十九条）。",
      examples=[flag(Report(signature="示例区教育局\n2025年3月2日"), quote="2025年3月2日"),
                clean(Report(title="示例区人民政府2024年政府信息公开工作年度报告", signature="示例区人民政府\n2025年3月2日"))])
def signature_late(doc: Doc, rule):
    """落款日期晚于《政府信息公开条例》第四十九条规定的期限（部门为次年1月31日，人民政府为次年3月31日）。"""
    y, sig = doc.year, signature_date(doc)
    if y is None or sig is None:
        return
    d, a, b = sig
    gov = bool(GOVERNMENT.search(doc.agency or ""))
    deadline = date(y + 1, 3, 31) if gov else date(y + 1, 1, 31)
    if d > deadline:
        kind = "人民政府年度报告" if gov else "政府部门"
        yield rule.finding(doc, a, b, kind=kind, deadline=f"{deadline.year}年{deadline.month}月{deadline.day}日",
                           confidence=0.8,
                           evidence={"signature_date": d.isoformat(), "deadline": deadline.isoformat(),
                                     "agency": doc.agency, "agency_kind": "government" if gov else "department",
                                     "authority": "《政府信息公开条例》第四十九条"})
