"""NUMBER.*: how numbers are written — thousand separators in Chinese text, counts with
decimals, percentages over 100 and table-two fees in 万元 that are implausible for the
agency's level. (Scientific notation in tables is FORMAT.SCI_NOTATION.)"""
from __future__ import annotations

import re

from ...doc import Doc
from ..registry import Report, clean, flag, rule

SEP = re.compile(r"(?<![\d.,，])(\d{1,3}(?:,\d{3})+)(?![\d,])(?=\s*(?:\.\d+)?\s*(?:万|亿)?(?:元|件|条|个|篇|次|人|名|项|份|宗|起|家|户|余|多|%|％))")
DECIMAL = re.compile(r"(?<![\d.])(\d+\.\d+)\s*(件次|人次|件|宗|起|篇|份|次|个(?!工作日|月|小时|百分点|季度|星期)|项|部|场|家|名|条)")
PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*[%％]")
GROWTH = re.compile(r"增长|增加|提高|提升|上升|同比|环比|比上年|较上年|较去年|增幅|翻|倍|高出|多出")
ENUM_HEAD = re.compile(r"(^|[\n。；;：:])\s*$")


def prose_matches(doc: Doc, pattern: re.Pattern):
    """(sentence text, match, offset of the sentence) for every match in the prose (tables excluded)."""
    for s in doc.sentences:
        if doc.in_table(s.start):
            continue
        t = doc.text[s.start:s.end]
        for m in pattern.finditer(t):
            yield t, m, s.start


@rule("NUMBER.THOUSANDS_SEPARATOR", category="format", severity="info", needs=("sentences",),
      message="中文行文中的数字“{quote}”使用了千分位逗号，公文中一般直接写作“{plain}”。",
      examples=[flag("全年主动公开政府信息1,234条。", quote="1,234", suggestion="1234"),
                clean("全年主动公开政府信息1234条。")])
def thousands_separator(doc: Doc, rule):
    """中文行文中的数字使用了千分位逗号（1,234），公文一般直接写作 1234。"""
    for _t, m, base in prose_matches(doc, SEP):
        plain = m.group(1).replace(",", "")
        yield rule.finding(doc, base + m.start(1), base + m.end(1), plain=plain, suggestions=[plain],
                           evidence={"number": m.group(1), "value": int(plain)})


@rule("NUMBER.DECIMAL_COUNT", category="format", severity="warning", needs=("sentences",),
      message="“{quote}”是件数、次数等计数，不应有小数。",
      examples=[flag("全年收到政府信息公开申请2.5件。", quote="2.5件"), clean("平均办理时间3.5天，粉丝数量新增4.5万。")])
def decimal_count(doc: Doc, rule):
    """件、条、次、个等计数带有小数。"""
    for t, m, base in prose_matches(doc, DECIMAL):
        if ENUM_HEAD.search(t[:m.start()]) and len(m.group(1).split(".")[1]) > 2:
            continue
        yield rule.finding(doc, base + m.start(), base + m.end(), confidence=0.85,
                           evidence={"number": m.group(1), "unit": m.group(2)})


@rule("NUMBER.PERCENT_OVER_100", category="format", severity="warning", needs=("sentences",),
      message="“{quote}”超过100%，{what}不可能超过100%，请核对。",
      examples=[flag("依申请公开按时办结率为105%。", quote="105%"), clean("依申请公开数量同比增长150%，按时办结率为100%。")])
def percent_over_100(doc: Doc, rule):
    """比例或完成率超过 100%（同比增长 150% 之类的增幅除外）。"""
    for t, m, base in prose_matches(doc, PERCENT):
        v = float(m.group(1))
        clause = re.split(r"[，,；;。]", t[:m.start()])[-1]
        if v <= 100 or GROWTH.search(clause):
            continue
        what = "比例或完成率" if re.search(r"率|占|比例|比重", clause) else "百分比"
        yield rule.finding(doc, base + m.start(), base + m.end(), what=what,
                           confidence=0.8 if what != "百分比" else 0.6, evidence={"percent": v, "clause": clause})


# Upper bounds (万元) for one year of 行政事业性收费 by level; a government's report covers more.
LIMITS = {"township": 1000, "county": 10000, "municipal": 100000, "provincial": 1000000, "national": 10000000}
LEVEL_NAMES = {"township": "乡镇（街道）一级", "county": "县（区）级部门", "municipal": "地市级部门",
               "provincial": "省级部门", "national": "国家部委"}


def agency_level(agency: str) -> str | None:
    a = agency or ""
    if re.search(r"(乡|镇|街道)(人民政府|办事处)?$|(乡|镇|街道)(人民政府|办事处)", a):
        return "township"
    if re.search(r"[区县旗]|县级市", a):
        return "county"
    if re.search(r"市|州|盟", a) and not re.search(r"^(北京|上海|天津|重庆)市[^区县]*$", a):
        return "municipal"
    if re.search(r"省|自治区|北京|上海|天津|重庆", a):
        return "provincial"
    if re.search(r"^(国家|中国|国务院)|部$|委员会$|总局$|署$", a):
        return "national"
    return None


@rule("NUMBER.FEE_IMPLAUSIBLE", category="format", severity="warning", needs=("tables", "agency"),
      message="表二“行政事业性收费”为{value}万元（约合{yuan}元），对{level_name}而言明显偏高（一般不超过{limit}万元）。{reason}",
      examples=[flag(Report(table2={"fees.amount_wan": 11615}), quote="11615"),
                clean(Report(table2={"fees.amount_wan": 771.18}))])
def fee_implausible(doc: Doc, rule):
    """表二收费金额（万元）超出该层级机关的常见规模（乡镇 1000、县级 10000、地市 100000、省级 1000000 万元，人民政府×10），如把“元”填成了“万元”。"""
    t2 = doc.tables.get("table2")
    if t2 is None or "fees.amount_wan" not in t2.cells:
        return
    cell = t2.cells["fees.amount_wan"]
    level = agency_level(doc.agency or "")
    if level is None:
        return
    gov = bool(re.search(r"人民政府(?!办公室|办公厅)", doc.agency or ""))
    limit = LIMITS[level] * (10 if gov else 1)
    v = float(cell.value)
    if v <= limit:
        return
    yuan = v * 10000
    as_yuan = v / 10000
    if as_yuan <= limit:
        reason = f"若该数为以“元”计的金额，应填写{as_yuan:g}万元，疑将“元”误填为“万元”。"
        suggestions = [f"{as_yuan:g}"]
    else:
        reason = "数值可能有误，请核对数额和单位。"
        suggestions = []
    level_name = LEVEL_NAMES[level] if not gov else LEVEL_NAMES[level].replace("部门", "人民政府")
    yield rule.finding(doc, cell.start, cell.end, value=f"{v:g}" if v < 1e6 else f"{v:.0f}",
                       yuan=f"{yuan / 1e8:.2f}亿", level_name=level_name, limit=f"{limit:g}", reason=reason,
                       suggestions=suggestions, confidence=0.7,
                       evidence={"table": "table2", "key": "fees.amount_wan", "value_wan": v, "value_yuan": yuan,
                                 "agency": doc.agency, "level": level, "government": gov, "limit_wan": limit,
                                 "why": f"{doc.agency}为{level_name}，一年行政事业性收费达{yuan / 1e8:.2f}亿元远超"
                                        f"同级常见规模（{limit:g}万元）；表头单位为万元。"})
