"""The dashboard as one static HTML file (Chinese; no CDN, no network): overview, SVG
charts, rankings, per-rule counts, roll-ups by region hierarchy, level and department,
year-over-year changes, and the per-report table (sortable, searchable, paged by a few
lines of inline script over the rows embedded as JSON, so 150,000 reports stay usable).
"""
from __future__ import annotations

import datetime as _dt
import html
import json

from ..annotate.html import CATEGORY_COLORS
from ..report import CATEGORY_NAMES, SEVERITY_NAMES
from .agency import LEVEL_NAMES
from .charts import hbar_chart, vbar_chart
from .dashboard import CATEGORIES, TABLE_VALUES, Dashboard, Group, ReportRow, histogram

_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:1.5em 2em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.2em;border-bottom:2px solid #1565c0;padding-bottom:.2em;margin-top:1.8em}
.meta{color:#555;font-size:.9em}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:9em;background:#fafafa}
.card b{display:block;font-size:1.5em;color:#1565c0}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}
.chart .ct{font-size:14px;font-weight:bold} .chart .cl{font-size:11px;fill:#333} .chart .cv{font-size:11px;fill:#555}
table{border-collapse:collapse;font-size:.88em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right;white-space:nowrap}
th{background:#eef3fb;position:sticky;top:0} td.t,th.t{text-align:left;white-space:normal;max-width:26em}
tr.d1 td.t{padding-left:1.8em} tr.d2 td.t{padding-left:3.4em;color:#444} tr.d0 td{font-weight:bold;background:#f6f8fc}
.rank{display:flex;flex-wrap:wrap;gap:1.5em} .rank>div{flex:1;min-width:22em}
.up{color:#2e7d32} .down{color:#c62828}
#filter{padding:.3em;width:24em} .pager button{margin:0 .3em}
th.sort{cursor:pointer} th.sort:after{content:" ⇅";color:#999}
.bad{color:#c62828}
@media print{#filter,.pager{display:none}}
"""

_SCRIPT = r"""
(function(){
  var data = JSON.parse(document.getElementById('rows-data').textContent);
  var cols = JSON.parse(document.getElementById('rows-cols').textContent);
  var body = document.querySelector('#reports tbody'), info = document.getElementById('pageinfo');
  var shown = data, page = 0, size = 100, sortCol = -1, asc = true;
  function cell(v, c){
    var td = document.createElement('td');
    if (c.link) { if (v) { var a = document.createElement('a'); a.href = v; a.textContent = '查看'; a.className = 'review-link'; td.appendChild(a); } }
    else { td.textContent = (v === null || v === undefined) ? '—' : v; }
    if (c.text) td.className = 't';
    return td;
  }
  function render(){
    body.textContent = '';
    var start = page * size, rows = shown.slice(start, start + size);
    rows.forEach(function(r){ var tr = document.createElement('tr'); r.forEach(function(v, i){ tr.appendChild(cell(v, cols[i])); }); body.appendChild(tr); });
    var pages = Math.max(1, Math.ceil(shown.length / size));
    info.textContent = '共 ' + shown.length + ' 份，第 ' + (page + 1) + ' / ' + pages + ' 页';
  }
  document.getElementById('filter').addEventListener('input', function(e){
    var q = e.target.value.trim();
    shown = q ? data.filter(function(r){ return r.some(function(v){ return v !== null && String(v).indexOf(q) >= 0; }); }) : data;
    page = 0; render();
  });
  document.getElementById('prev').addEventListener('click', function(){ if (page > 0) { page--; render(); } });
  document.getElementById('next').addEventListener('click', function(){ if ((page + 1) * size < shown.length) { page++; render(); } });
  document.querySelectorAll('#reports th').forEach(function(th, i){
    if (cols[i].link) return;
    th.className += ' sort';
    th.addEventListener('click', function(){
      asc = (sortCol === i) ? !asc : (cols[i].text ? true : false); sortCol = i;
      shown = shown.slice().sort(function(a, b){
        var x = a[i], y = b[i];
        if (x === null) return 1; if (y === null) return -1;
        var r = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y), 'zh');
        return asc ? r : -r;
      });
      page = 0; render();
    });
  });
  render();
})();
"""


def _esc(s) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _fmt(v, pct: bool = False) -> str:
    if v is None:
        return "—"
    if pct:
        return f"{v * 100:.1f}%"
    if isinstance(v, float):
        return f"{v:.1f}" if not v.is_integer() else str(int(v))
    return str(v)


def _delta(v) -> str:
    if v is None:
        return "<td>—</td>"
    cls = "up" if v > 0 else "down" if v < 0 else ""
    return f"<td class='{cls}'>{'+' if v > 0 else ''}{_fmt(v)}</td>"


def _agency_cell(r: ReportRow) -> str:
    name = _esc(r.agency or "（未识别机关）")
    label = f"{name}<span class='meta'>（{r.year or '年度未识别'}）</span>"
    if r.review_link:
        return f"<a class='review-link' href='{_esc(r.review_link)}'>{label}</a>"
    return label


# Columns of the per-report table: (header, getter, is_text, is_link)
DETAIL_COLUMNS = [
    ("文件", lambda r: r.path, True, False),
    ("审查报告", lambda r: r.review_link, False, True),
    ("机关", lambda r: r.agency, True, False),
    ("层级", lambda r: LEVEL_NAMES.get(r.level) if r.level else None, True, False),
    ("部门类别", lambda r: r.department, True, False),
    ("地区", lambda r: r.region_label, True, False),
    ("年度", lambda r: r.year, False, False),
    ("得分", lambda r: r.score, False, False),
    ("问题数", lambda r: r.findings, False, False),
    *[(SEVERITY_NAMES[s], (lambda s: lambda r: r.by_severity.get(s, 0))(s), False, False) for s in ("error", "warning", "info")],
    *[(CATEGORY_NAMES[c], (lambda c: lambda r: r.by_category.get(c, 0))(c), False, False) for c in CATEGORIES],
    ("雷同/照搬", lambda r: r.copies, False, False),
    *[(label, (lambda col: lambda r: r.values.get(col))(col), False, False) for col, label, _t, _k in TABLE_VALUES],
]


def _group_table(groups: list[Group], first: str, css_depth: bool = False) -> str:
    head = (f"<tr><th class='t'>{_esc(first)}</th><th>报告数</th><th>平均得分</th><th>平均问题数</th><th>错误数</th>"
            "<th>前后矛盾/勾稽问题</th><th>有矛盾的报告占比</th><th>雷同/照搬</th><th>有雷同的报告占比</th></tr>")
    rows = []
    for g in groups:
        s = g.stats()
        cls = f" class='d{g.depth}'" if css_depth else ""
        rows.append(f"<tr{cls}><td class='t'>{_esc(g.label)}</td><td>{s['n']}</td><td>{_fmt(s['score'])}</td>"
                    f"<td>{_fmt(s['findings'])}</td><td>{s['errors']}</td><td>{s['contradictions']}</td>"
                    f"<td>{_fmt(s['with_contradiction'], True)}</td><td>{s['copies']}</td><td>{_fmt(s['with_copies'], True)}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _ranking(title: str, rows: list[ReportRow], value, value_name: str, rid: str) -> str:
    items = "".join(f"<tr><td>{i}</td><td class='t'>{_agency_cell(r)}<div class='meta'>{_esc(r.path)}</div></td>"
                    f"<td>{_esc(value(r))}</td><td>{_fmt(r.score)}</td></tr>" for i, r in enumerate(rows, 1))
    if not items:
        items = "<tr><td colspan='4' class='t'>无</td></tr>"
    return (f"<div><h3>{_esc(title)}</h3><table id='{rid}'><tr><th>名次</th><th class='t'>机关（年度）</th>"
            f"<th>{_esc(value_name)}</th><th>得分</th></tr>{items}</table></div>")


def render_dashboard(d: Dashboard, title: str = "政府信息公开工作年度报告审查汇总看板") -> str:
    ov = d.overview()
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{_esc(title)}</title>",
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{_esc(title)}</h1>",
             f"<p class='meta'>数据：{'；'.join(_esc(s) for s in d.sources)}。生成时间："
             f"{_dt.datetime.now().strftime('%Y-%m-%d %H:%M')}。年度：{_esc('、'.join(map(str, d.years)) or '未识别')}。</p>"]
    cards = [("报告数", ov["reports"]), ("机关数", ov["agencies"]), ("平均得分", _fmt(ov["score_mean"])),
             ("得分中位数", _fmt(ov["score_median"])), ("问题总数", ov["findings"]), ("含“错误”的报告", ov["with_error"]),
             ("有前后矛盾/勾稽问题的报告", ov["with_contradiction"]), ("有雷同/照搬的报告", ov["with_copies"]),
             ("未识别机关的报告", ov["no_agency"])]
    parts.append("<div class='cards' id='overview'>" + "".join(
        f"<div class='card'><b>{_esc(v)}</b>{_esc(k)}</div>" for k, v in cards) + "</div>")
    if d.bad:
        shown = "；".join(f"第{b.line}行：{_esc(b.reason)}" for b in d.bad[:20])
        more = f"，另有 {len(d.bad) - 20} 行" if len(d.bad) > 20 else ""
        parts.append(f"<p class='bad' id='bad-lines'>有 {len(d.bad)} 行无法读取，已跳过：{shown}{more}。</p>")

    # charts
    parts.append("<h2>分布</h2><div class='charts' id='charts'>")
    scores = [r.score for r in d.rows if r.score is not None]
    parts.append(vbar_chart(histogram(scores), "得分分布（份）"))
    cat_items = [(CATEGORY_NAMES[c], d.category_totals.get(c, 0)) for c in CATEGORIES]
    colors = {CATEGORY_NAMES[c]: CATEGORY_COLORS.get(c, "#1565c0") for c in CATEGORIES}
    parts.append(hbar_chart(cat_items, "各类问题数量", colors))
    per_report = [(CATEGORY_NAMES[c], sum(1 for r in d.rows if r.by_category.get(c))) for c in CATEGORIES]
    parts.append(hbar_chart(per_report, "存在该类问题的报告数", colors, unit="份"))
    lv = [(g.label, g.mean("score") or 0) for g in d.levels]
    parts.append(vbar_chart(lv, "各层级平均得分", color="#2e7d32", unit="分"))
    if len(d.years) >= 2:
        by_year = []
        for y in d.years:
            s = [r.score for r in d.rows if r.year == y and r.score is not None]
            by_year.append((str(y), round(sum(s) / len(s), 1) if s else 0))
        parts.append(vbar_chart(by_year, "各年度平均得分", color="#6a1b9a", unit="分"))
    parts.append("</div>")

    # rankings
    rk = d.rankings
    parts.append("<h2>排名</h2><div class='rank'>")
    parts.append(_ranking("前后矛盾、勾稽问题最多", rk["contradiction"], lambda r: r.contradictions, "矛盾/勾稽问题数", "rank-contradiction"))
    parts.append(_ranking("雷同、照搬与套话最多", rk["copies"],
                          lambda r: f"雷同/照搬 {r.copies} 处，套话比例 {_fmt(r.boilerplate_share, True)}",
                          "雷同/照搬、套话", "rank-copies"))
    parts.append(_ranking("得分最低", rk["lowest"], lambda r: r.findings, "问题数", "rank-lowest"))
    parts.append("</div>")

    # rules
    parts.append("<h2>按规则统计</h2><table id='rules'><tr><th class='t'>规则</th><th class='t'>说明</th><th>类别</th>"
                 "<th>严重程度</th><th>问题数</th><th>涉及报告数</th><th>涉及报告占比</th></tr>")
    for x in d.rules:
        parts.append(f"<tr><td class='t'>{_esc(x['rule'])}</td><td class='t'>{_esc(x['description'])}</td>"
                     f"<td>{_esc(CATEGORY_NAMES.get(x['category'], x['category']))}</td>"
                     f"<td>{_esc(SEVERITY_NAMES.get(x['severity'], x['severity']))}</td><td>{x['findings']}</td>"
                     f"<td>{x['reports']}</td><td>{_fmt(x['share'], True)}</td></tr>")
    parts.append("</table>")

    # roll-ups
    parts.append("<h2>按地区汇总（省 → 地市 → 县区）</h2><div id='regions'>" + _group_table(d.regions, "地区", True) + "</div>")
    parts.append("<h2>按层级汇总</h2><div id='levels'>" + _group_table(d.levels, "层级") + "</div>")
    parts.append("<h2>按部门类别汇总</h2><div id='departments'>" + _group_table(d.departments, "部门类别") + "</div>")

    # year over year
    parts.append("<h2>逐年变化</h2>")
    if not d.two_years:
        parts.append("<p id='yoy-none'>结果中只有一个年度。可用 <code>--previous-results 上年结果.jsonl</code> 加入上一年度的审查结果。</p>")
    else:
        parts.append(f"<h3>按机关（同一机关相邻两个年度，{len(d.pairs)} 对）</h3>")
        parts.append("<table id='yoy-agencies'><tr><th class='t'>机关</th><th class='t'>地区</th><th>上一年度</th><th>本年度</th>"
                     "<th>得分</th><th>得分变化</th><th>问题数变化</th><th>矛盾/勾稽变化</th><th>雷同/照搬变化</th>"
                     "<th>新收申请变化</th><th>办结变化</th></tr>")
        for p in d.pairs[:500]:
            a = p.after
            parts.append(f"<tr><td class='t'>{_agency_cell(a)}</td><td class='t'>{_esc(a.region_label)}</td>"
                         f"<td>{p.before.year}</td><td>{a.year}</td><td>{_fmt(p.before.score)} → {_fmt(a.score)}</td>"
                         f"{_delta(p.delta('score'))}{_delta(p.delta('findings'))}{_delta(p.delta('contradictions'))}"
                         f"{_delta(p.delta('copies'))}{_delta(p.value_delta('new'))}{_delta(p.value_delta('closed'))}</tr>")
        if not d.pairs:
            parts.append("<tr><td colspan='11' class='t'>没有同一机关两个年度的报告。</td></tr>")
        parts.append("</table>")
        if len(d.pairs) > 500:
            parts.append(f"<p class='meta'>只列出得分下降最多的 500 对，完整列表见 Excel。</p>")
        ys = d.yoy_years
        parts.append("<h3>按地区（平均得分，报告数）</h3><table id='yoy-regions'><tr><th class='t'>地区</th>"
                     + "".join(f"<th>{y}</th>" for y in ys) + (f"<th>{ys[-1]}比{ys[-2]}</th>" if len(ys) >= 2 else "") + "</tr>")
        for row in d.yoy_regions:
            label = row["prefecture"] or row["province"]
            cls = "d1" if row["prefecture"] else "d0"
            cells = "".join(f"<td>{_fmt(row['years'][y]['score'])}（{row['years'][y]['n']}）</td>" if row["years"][y]["n"]
                        else "<td>—</td>" for y in ys)
            parts.append(f"<tr class='{cls}'><td class='t'>{_esc(label)}</td>{cells}"
                         + (_delta(row["delta"]) if len(ys) >= 2 else "") + "</tr>")
        parts.append("</table>")

    # the per-report table
    cols = [{"name": h, "text": t, "link": lk} for h, _g, t, lk in DETAIL_COLUMNS]
    data = [[g(r) for _h, g, _t, _l in DETAIL_COLUMNS] for r in d.rows]
    parts.append("<h2>各报告明细</h2><p><input id='filter' type='search' placeholder='筛选：机关、地区、文件名……'> "
                 "<span class='pager'><button id='prev' type='button'>上一页</button><span id='pageinfo'></span>"
                 "<button id='next' type='button'>下一页</button></span></p>")
    parts.append("<table id='reports'><thead><tr>" + "".join(
        f"<th class='{'t' if c['text'] else ''}'>{_esc(c['name'])}</th>" for c in cols) + "</tr></thead><tbody></tbody></table>")
    parts.append("<noscript><p>明细表需要启用脚本；也可打开同时生成的 Excel 文件。</p></noscript>")
    parts.append("<script type='application/json' id='rows-cols'>" + _json(cols) + "</script>")
    parts.append("<script type='application/json' id='rows-data'>" + _json(data) + "</script>")
    parts.append(f"<script>{_SCRIPT}</script>")
    parts.append("<h2>说明</h2><p class='meta'>得分：100 减去各问题按严重程度（错误 8、警告 3、提示 1）与置信度加权的扣分。"
                 "机关、层级、地区、部门类别和年度由标题、前言、落款和文件名解析（地区按行政区划代码归到省、地市、县区；"
                 "乡镇、街道按名称识别）；未能解析的归入“未识别”。前后矛盾/勾稽 = “前后矛盾”与“表格勾稽”两类问题；"
                 "雷同/照搬 = 与其他机关雷同的句子、照搬上年的段落或句子、上年问题原样重提。</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
