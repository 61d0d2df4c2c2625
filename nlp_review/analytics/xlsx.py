"""The dashboard's tables as an .xlsx workbook (openpyxl, write-only mode so that a
150,000-report batch streams to disk): 报告明细, 按规则, 按地区, 按层级, 按部门类别,
逐年变化（机关）, 逐年变化（地区）, 说明."""
from __future__ import annotations

from pathlib import Path

from ..report import CATEGORY_NAMES, SEVERITY_NAMES
from .agency import LEVEL_NAMES
from .dashboard import Dashboard, Group
from .render import DETAIL_COLUMNS

SHEETS = ("报告明细", "按规则", "按地区", "按层级", "按部门类别", "逐年变化（机关）", "逐年变化（地区）", "说明")


def _sheet(wb, name: str, header: list[str], widths: dict[int, int] | None = None):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(name)
    for i, w in (widths or {}).items():
        ws.column_dimensions[_col(i)].width = w
    ws.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEF3FB")
    cells = []
    for h in header:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.fill = bold, fill
        cells.append(c)
    ws.append(cells)
    return ws


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _group_rows(ws, groups: list[Group], with_path: bool = False) -> None:
    for g in groups:
        s = g.stats()
        lead = list(g.key) + [""] * (3 - len(g.key)) if with_path else [g.label]
        ws.append(lead + [s["n"], s["score"], s["findings"], s["errors"], s["contradictions"], s["with_contradiction"],
                          s["copies"], s["with_copies"]])


_GROUP_HEAD = ["报告数", "平均得分", "平均问题数", "错误数", "前后矛盾/勾稽问题", "有矛盾的报告占比", "雷同/照搬", "有雷同的报告占比"]


def write_xlsx(d: Dashboard, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = _sheet(wb, SHEETS[0], [h for h, *_ in DETAIL_COLUMNS] + ["行政区划代码", "省", "地市", "县区", "乡镇街道", "标题", "结果文件行号"],
                {1: 18, 3: 30, 6: 30})
    for r in d.rows:
        ws.append([g(r) for _h, g, _t, _l in DETAIL_COLUMNS]
                  + [r.region_code, r.province, r.prefecture, r.county, r.township, r.title, r.line])

    ws = _sheet(wb, SHEETS[1], ["规则", "说明", "类别", "严重程度", "问题数", "涉及报告数", "涉及报告占比"], {1: 34, 2: 50})
    for x in d.rules:
        ws.append([x["rule"], x["description"], CATEGORY_NAMES.get(x["category"], x["category"]),
                   SEVERITY_NAMES.get(x["severity"], x["severity"]), x["findings"], x["reports"], x["share"]])

    ws = _sheet(wb, SHEETS[2], ["省", "地市", "县区"] + _GROUP_HEAD, {1: 16, 2: 16, 3: 16})
    _group_rows(ws, d.regions, with_path=True)
    ws = _sheet(wb, SHEETS[3], ["层级"] + _GROUP_HEAD, {1: 12})
    _group_rows(ws, d.levels)
    ws = _sheet(wb, SHEETS[4], ["部门类别"] + _GROUP_HEAD, {1: 20})
    _group_rows(ws, d.departments)

    ws = _sheet(wb, SHEETS[5], ["机关", "地区", "上一年度", "本年度", "上年得分", "本年得分", "得分变化", "问题数变化",
                                "矛盾/勾稽变化", "雷同/照搬变化", "新收申请变化", "办结变化", "上年文件", "本年文件"], {1: 30, 2: 30})
    for p in d.pairs:
        a, b = p.before, p.after
        ws.append([b.agency, b.region_label, a.year, b.year, a.score, b.score, p.delta("score"), p.delta("findings"),
                   p.delta("contradictions"), p.delta("copies"), p.value_delta("new"), p.value_delta("closed"), a.path, b.path])

    ys = d.yoy_years
    ws = _sheet(wb, SHEETS[6], ["省", "地市"] + [f"{y}年平均得分" for y in ys] + [f"{y}年报告数" for y in ys]
                + ([f"{ys[-1]}比{ys[-2]}得分变化"] if len(ys) >= 2 else []), {1: 16, 2: 16})
    for row in d.yoy_regions:
        ws.append([row["province"], row["prefecture"]] + [row["years"][y]["score"] for y in ys]
                  + [row["years"][y]["n"] for y in ys] + ([row["delta"]] if len(ys) >= 2 else []))

    ws = _sheet(wb, SHEETS[7], ["项目", "内容"], {1: 24, 2: 80})
    ov = d.overview()
    for k, v in [("数据", "；".join(d.sources)), ("报告数", ov["reports"]), ("机关数", ov["agencies"]),
                 ("平均得分", ov["score_mean"]), ("问题总数", ov["findings"]), ("无法读取的行", ov["bad_lines"])]:
        ws.append([k, v])
    for b in d.bad[:1000]:
        ws.append([f"第{b.line}行", b.reason])
    ws.append(["层级", "、".join(f"{k}={v}" for k, v in LEVEL_NAMES.items() if k)])
    wb.save(str(path))
