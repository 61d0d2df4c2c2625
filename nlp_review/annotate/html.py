"""A printable HTML report: the document text with every finding highlighted (colour by
category, overlapping findings nested as segments) and the findings listed by section."""
from __future__ import annotations

import html as _html

from ..tables.coverage import coverage_lines
from .docx import CATEGORY_NAMES, SEVERITY_NAMES
from .tables import grids_html, table_grids

SECTION_NAMES = {1: "一、总体情况", 2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
                 4: "四、政府信息公开行政复议、行政诉讼情况", 5: "五、存在的主要问题及改进情况",
                 6: "六、其他需要报告的事项", None: "标题、前言与落款"}
CATEGORY_COLORS = {"structure": "#b39ddb", "missing_element": "#90caf9", "table_identity": "#ffcc80",
                   "contradiction": "#ef9a9a", "typo": "#f48fb1", "format": "#a5d6a7", "boilerplate": "#e0e0e0"}

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}
.text{white-space:pre-wrap;line-height:1.9;border:1px solid #ddd;padding:1em;font-size:.95em}
mark{padding:0 1px;border-radius:2px} mark.multi{outline:1px dashed #555}
.pin{color:#c62828;font-weight:bold}
.f{margin:.5em 0;padding:.4em .6em;border-left:4px solid #999;page-break-inside:avoid}
.f .meta{color:#555;font-size:.85em} .sev-error{border-color:#c62828} .sev-warning{border-color:#ef6c00}
.sev-info{border-color:#1565c0} .legend span{display:inline-block;margin-right:1em;padding:0 .4em}
.note{color:#1b5e20} .accepted{color:#2e7d32;font-weight:bold}
table.grid{border-collapse:collapse;margin:.6em 0;font-size:.85em} table.grid caption{text-align:left;font-weight:bold}
table.grid th,table.grid td{border:1px solid #999;padding:.15em .4em} table.grid td{text-align:right}
table.grid th{background:#f3f3f3;text-align:left;font-weight:normal} td.idc{background:#ffcc80;font-weight:bold}
@media print{.text{border:none} a{color:inherit;text-decoration:none}}
"""


def _esc(s: str) -> str:
    return _html.escape(s, quote=True)


def spans(f: dict) -> list[dict]:
    """Where a finding is marked in the text: its own span, or each sentence a grouped finding
    lists (one boilerplate finding per section), as findings of their own."""
    listed = (f.get("evidence") or {}).get("sentences") or []
    return [{**f, "start": x["start"], "end": x["end"]} for x in listed] or [f]


def highlight(text: str, findings: list[dict]) -> str:
    """`text` as HTML with <mark> around findings; a segment under several findings is
    marked once with all their ids, zero-length findings become a ▲ pin."""
    findings = [x for f in findings for x in spans(f)]
    cuts = {0, len(text)}
    pins: dict[int, list[dict]] = {}
    for f in findings:
        if f["end"] > f["start"]:
            cuts.update((f["start"], f["end"]))
        else:
            pins.setdefault(f["start"], []).append(f)
    cuts.update(pins)
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for a, b in zip(bounds, bounds[1:] + [None]):
        for f in pins.get(a, []):
            out.append(f'<a class="pin" href="#{_esc(f["id"])}" title="{_esc(f["message"])}">▲</a>')
        if b is None or b <= a:
            continue
        seg = _esc(text[a:b])
        over = [f for f in findings if f["start"] <= a and b <= f["end"] and f["end"] > f["start"]]
        if not over:
            out.append(seg)
            continue
        top = over[0]
        color = CATEGORY_COLORS.get(top["category"], "#ffee58")
        ids = " ".join(f["id"] for f in over)
        title = "；".join(f["message"] for f in over)
        cls = "multi" if len(over) > 1 else ""
        out.append(f'<mark class="{cls}" style="background:{color}" data-f="{_esc(ids)}" '
                   f'title="{_esc(title)}">{seg}</mark>')
    return "".join(out)


def _reviewer_line(reviewer: dict | None) -> str:
    """What the reviewer's decisions left out of this report."""
    if not reviewer or not reviewer.get("left_out"):
        return ""
    parts = []
    if reviewer.get("dismissed"):
        parts.append(f"审查人员不采纳的 {reviewer['dismissed']} 个问题")
    if reviewer.get("min_severity"):
        parts.append("提示" if reviewer["min_severity"] == "warning" else "警告和提示")
    return "<p>本报告未列出：" + _esc("、".join(parts)) + "。</p>"


def render_report_html(result: dict) -> str:
    """The whole printable page for a contract result (dict)."""
    report = result.get("report") or {}
    findings = result.get("findings") or []
    scores = result.get("scores") or {}
    sev = scores.get("by_severity") or {}
    name = (result.get("source") or {}).get("filename") or "输入"
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>审查报告：{_esc(name)}</title>",
             f"<style>{_CSS}</style></head><body>",
             f"<h1>审查报告：{_esc(name)}</h1>",
             f"<p>标题：{_esc(report.get('title') or '（未识别）')}；机关：{_esc(report.get('agency') or '（未识别）')}；"
             f"年度：{_esc(str(report.get('year') or '（未识别）'))}</p>",
             "<p>问题统计：" + "，".join(f"{SEVERITY_NAMES[k]} {sev.get(k, 0)} 个" for k in ("error", "warning", "info"))
             + f"；综合得分 {_esc(str(scores.get('overall', '—')))}</p>",
             *(f"<p class='coverage'>{_esc(line.strip())}</p>" for line in coverage_lines(scores)),
             _reviewer_line(result.get("reviewer")),
             "<p class='legend'>" + "".join(f"<span style='background:{c}'>{CATEGORY_NAMES[k]}</span>"
                                            for k, c in CATEGORY_COLORS.items()) + "</p>",
             "<h2>问题清单（按部分）</h2>"]
    groups: dict = {}
    for f in findings:
        groups.setdefault(f.get("section"), []).append(f)
    for sec in sorted(groups, key=lambda s: (s is not None, s or 0)):
        parts.append(f"<h3>{_esc(SECTION_NAMES.get(sec, str(sec)))}</h3>")
        for f in groups[sec]:
            sugg = f"<div>建议：{_esc('；'.join(f['suggestions']))}</div>" if f.get("suggestions") else ""
            listed = (f.get("evidence") or {}).get("sentences") or []
            if len(listed) > 1:
                sugg += "<div>空泛句：" + "；".join(f"“{_esc(x['quote'])}”" for x in listed) + "</div>"
            review = f.get("review") or {}
            if review.get("decision") == "accepted":
                sugg += "<div class='accepted'>审查人员：已采纳</div>"
            if review.get("note"):
                sugg += f"<div class='note'>审查人员备注：{_esc(review['note'])}</div>"
            quote = f["quote"] if len(f["quote"]) <= 60 else f["quote"][:60] + "…"
            parts.append(
                f"<div class='f sev-{_esc(f['severity'])}' id='{_esc(f['id'])}'>"
                f"<div class='meta'>[{SEVERITY_NAMES.get(f['severity'], f['severity'])}] "
                f"{CATEGORY_NAMES.get(f['category'], f['category'])} · {_esc(f['rule'])} · {_esc(f['id'])}</div>"
                f"<div>“{_esc(quote)}” — {_esc(f['message'])}</div>{sugg}</div>")
    if not findings:
        parts.append("<p>未发现问题。</p>")
    grids = table_grids(result)
    if grids:
        parts.append("<h2>表格（读取结果，勾稽问题涉及的单元格已标出）</h2>")
        parts.append(grids_html(grids))
    parts.append("<h2>全文（问题处高亮）</h2>")
    parts.append(f"<div class='text'>{highlight(result.get('text') or '', findings)}</div>")
    parts.append("</body></html>")
    return "\n".join(parts)
