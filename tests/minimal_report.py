"""The example harness: a minimal, valid 2021-format report to embed rule examples in.

Every section is present, every table is consistent and the narrative states what the
format requires, so a rule example placed into one section triggers only what the
example itself contains. Rules describe their examples as data
(`nlp_review.checks.registry.Example` / `Report`); `example_texts` builds them here.
"""
from __future__ import annotations

from nlp_review.checks.registry import Example, Report
from nlp_review.tables.schema import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_KEYS

DEFAULT_TITLE = "示例区教育局2024年政府信息公开工作年度报告"
DEFAULT_SIGNATURE = "示例区教育局\n2025年1月20日"
HEADINGS = {1: "一、总体情况", 2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
            4: "四、政府信息公开行政复议、行政诉讼情况", 5: "五、存在的主要问题及改进情况",
            6: "六、其他需要报告的事项"}
DEFAULT_S1 = (
    "2024年，本局认真贯彻《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。\n"
    "（一）主动公开。全年通过区政府门户网站主动公开政府信息120条，发布政策解读5篇。\n"
    "（二）依申请公开。全年收到政府信息公开申请2件，均已按时答复。\n"
    "（三）政府信息管理。落实公开属性源头认定机制，对拟公开信息进行保密审查。\n"
    "（四）政府信息公开平台建设。维护门户网站政府信息公开专栏，更新栏目12个。\n"
    "（五）监督保障。将政务公开工作纳入年度考核，开展业务培训2次，未发生责任追究情况。"
)
DEFAULT_S5 = (
    "（一）存在的主要问题：一是政策解读形式较为单一；二是信息发布的及时性有待提高。\n"
    "（二）改进措施：一是增加图解、视频等解读形式；二是建立信息发布周报制度，确保及时发布。\n"
    "（三）上年度问题整改情况：针对上年度指出的栏目更新不及时问题，已建立专人维护制度，完成整改。"
)
DEFAULT_S6 = "本年度未收取信息处理费。无其他需要报告的事项。"


def default_table3() -> dict[str, int]:
    """2 applications from natural persons: 1 granted, 1 not held; none carried."""
    t = {f"{r.key}.{c}": 0 for r in TABLE3_ROWS for c in TABLE3_COLUMNS}
    for key in ("new", "granted", "unable.not_held", "total"):
        n = 2 if key in ("new", "total") else 1
        t[f"{key}.natural_person"] = n
        t[f"{key}.total"] = n
    return t


def default_table2() -> dict[str, float]:
    return {"regulations.issued": 0, "regulations.repealed": 0, "regulations.in_force": 0,
            "normative_documents.issued": 1, "normative_documents.repealed": 0,
            "normative_documents.in_force": 5, "licensing.decisions": 30,
            "punishment.decisions": 2, "coercion.decisions": 0, "fees.amount_wan": 0}


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def render_table2(t: dict) -> str:
    g = lambda k: _fmt(t.get(k, ""))  # noqa: E731
    return "\n".join([
        "第二十条第（一）项",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        f"规章\t{g('regulations.issued')}\t{g('regulations.repealed')}\t{g('regulations.in_force')}",
        f"行政规范性文件\t{g('normative_documents.issued')}\t{g('normative_documents.repealed')}\t{g('normative_documents.in_force')}",
        "第二十条第（五）项",
        "信息内容\t本年处理决定数量",
        f"行政许可\t{g('licensing.decisions')}",
        "第二十条第（六）项",
        "信息内容\t本年处理决定数量",
        f"行政处罚\t{g('punishment.decisions')}",
        f"行政强制\t{g('coercion.decisions')}",
        "第二十条第（八）项",
        "信息内容\t本年收费金额（单位：万元）",
        f"行政事业性收费\t{g('fees.amount_wan')}",
    ])


def render_table3(t: dict) -> str:
    lines = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况",
             "\t自然人\t法人或其他组织\t总计",
             "\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他"]
    for r in TABLE3_ROWS:
        vals = "\t".join(_fmt(t.get(f"{r.key}.{c}", "")) for c in TABLE3_COLUMNS)
        lines.append(f"{r.name}\t{vals}")
    return "\n".join(lines)


def render_table4(t: dict) -> str:
    header = ("行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉\n"
              + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2))
    return header + "\n" + "\t".join(_fmt(t.get(k, "")) for k in TABLE4_KEYS)


def minimal_report(*, title: str = DEFAULT_TITLE, preamble: str = "",
                   s1: str | None = None, s5: str | None = None, s6: str | None = None,
                   table2: dict | None = None, table3: dict | None = None, table4: dict | None = None,
                   headings: dict[int, str] | None = None, omit: tuple[int, ...] = (),
                   signature: str = DEFAULT_SIGNATURE) -> str:
    return build(Report(title=title, preamble=preamble,
                        bodies={n: b for n, b in ((1, s1), (5, s5), (6, s6)) if b is not None},
                        headings=headings or {}, omit=omit, signature=signature,
                        table2=table2 or {}, table3=table3 or {}, table4=table4 or {}))


def build(r: Report) -> str:
    """The minimal report with the change `r`."""
    h = {**HEADINGS, **r.headings}
    bodies = {1: DEFAULT_S1, 2: render_table2({**default_table2(), **r.table2}),
              3: render_table3({**default_table3(), **r.table3}),
              4: render_table4({**{k: 0 for k in TABLE4_KEYS}, **r.table4}), 5: DEFAULT_S5, 6: DEFAULT_S6}
    bodies.update(r.bodies)
    for n, prefixes in r.drop.items():
        lines = bodies[n].split("\n")
        kept = [ln for ln in lines if not ln.startswith(prefixes)]
        assert len(kept) < len(lines), (n, prefixes)
        bodies[n] = "\n".join(kept)
    for n, pairs in r.edits.items():
        for old, new in pairs:
            assert old in bodies[n], (n, old)
            bodies[n] = bodies[n].replace(old, new)
    parts = [DEFAULT_TITLE if r.title is None else r.title]
    if r.preamble:
        parts.append(r.preamble)
    for n in range(1, 7):
        if n not in r.omit:
            parts += [h[n], bodies[n]]
    signature = DEFAULT_SIGNATURE if r.signature is None else r.signature
    if signature:
        parts.append(signature)
    return "\n".join(parts) + "\n"


def report_with(fragment: str, section: int) -> str:
    """The minimal report with `fragment` appended to the narrative of `section`."""
    if section == 1:
        return minimal_report(s1=DEFAULT_S1 + "\n" + fragment)
    if section == 5:
        return minimal_report(s5=DEFAULT_S5 + "\n" + fragment)
    if section == 6:
        return minimal_report(s6=DEFAULT_S6 + fragment)
    if section == 0:
        return minimal_report(preamble=fragment)
    raise ValueError("fragments go into sections 1, 5, 6 or the preamble (0)")


def _text(what) -> str:
    return build(what) if isinstance(what, Report) else what


def example_texts(ex: Example) -> tuple[str, str | None]:
    """(report text, last year's report text or None) of a rule example."""
    if ex.report is not None:
        text = build(ex.report)
    elif ex.whole:
        text = ex.text
    else:
        text = report_with(ex.text, ex.section)
    return text, None if ex.previous is None else _text(ex.previous)
