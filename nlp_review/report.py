"""A reviewed `Doc` → the contract JSON (../shared/contract) or a readable Chinese report."""
from __future__ import annotations

from . import SCHEMA_VERSION
from .doc import Doc
from .tables.coverage import coverage_lines

SECTION_NAMES = {1: "一、总体情况", 2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
                 4: "四、政府信息公开行政复议、行政诉讼情况", 5: "五、存在的主要问题及改进情况",
                 6: "六、其他需要报告的事项", None: "标题、前言与落款"}
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
TABLE_NAMES = {"table2": "表二（主动公开）", "table3": "表三（依申请公开）", "table4": "表四（行政复议、行政诉讼）"}
CATEGORY_NAMES = {"structure": "结构", "missing_element": "要素缺失", "table_identity": "表格勾稽",
                  "contradiction": "前后矛盾", "typo": "错别字", "format": "格式", "boilerplate": "套话雷同"}


def to_contract(doc: Doc) -> dict:
    out = {
        "schema_version": SCHEMA_VERSION,
        "source": dict(doc.source),
        "report": {
            "title": doc.title,
            "agency": doc.agency,
            "year": doc.year,
            "sections": [s.to_json() for s in doc.sections],
            "tables": {name: t.values() for name, t in sorted(doc.tables.items())},
            "elements": doc.elements,
        },
        "text": doc.text,
        "findings": [f.to_json() for f in doc.findings],
        "scores": doc.scores,
    }
    if doc.timing_ms is not None:
        out["timing_ms"] = doc.timing_ms
    return out


def _where(doc: Doc, offset: int) -> str:
    """The place a reviewer finds `offset` at in the file they opened."""
    loc = doc.source_map.locate(offset) if offset < len(doc.text) else None
    if loc and "box" in loc:  # OCR: the page or picture and the box of the line
        x0, y0, x1, y1 = loc["box"]
        place = f"第{loc['page']}页（扫描）" if "page" in loc else (
            f"Word 第{loc['para'] + 1}段的图片" if "para" in loc else "网页图片")
        return f"{place}文字框({x0},{y0})-({x1},{y1})"
    if loc and "line" in loc and "page" not in loc:
        return f"第{loc['line']}行第{loc['offset'] + 1}列"
    if loc and "page" in loc:
        return f"第{loc['page']}页第{loc['line']}行"
    if loc and "body" in loc:  # Word: paragraphs as a reviewer counts them, table cells apart
        return f"正文第{loc['body']}段"
    if loc and "table" in loc:
        return f"第{loc['table']}个表格第{loc['row']}行第{loc['col']}列"
    if loc and "para" in loc:  # a text box
        return f"Word 第{loc['para'] + 1}段（文本框）"
    line, col = doc.line_col(offset)
    return f"正文第{line}行第{col}列"


def render_text(doc: Doc) -> str:
    """Findings grouped by section, each with line:column in the text and its source place."""
    lines = []
    name = doc.source.get("filename") or "输入"
    lines.append(f"审查报告：{name}")
    lines.append(f"标题：{doc.title or '（未识别）'}  机关：{doc.agency or '（未识别）'}  年度：{doc.year or '（未识别）'}")
    found = "、".join(str(s.number) for s in doc.sections if s.found) or "无"
    tables = "、".join(TABLE_NAMES.get(t, t) for t in sorted(doc.tables)) or "无"
    lines.append(f"识别到的部分：{found}；表格：{tables}")
    lines.extend(_ocr_lines(doc.source.get("ocr")))
    counts = doc.scores.get("by_severity", {})
    lines.append("问题统计：" + "，".join(f"{SEVERITY_NAMES[k]} {counts.get(k, 0)} 个" for k in ("error", "warning", "info"))
                 + f"；综合得分 {doc.scores.get('overall', '—')}（百分制，只计内容问题，不计格式与套话提示）")
    lines.extend(coverage_lines(doc.scores))
    groups: dict = {}
    for f in doc.findings:
        groups.setdefault(f.section, []).append(f)
    order = sorted(groups, key=lambda s: (s is not None, s or 0))
    for sec in order:
        lines.append("")
        lines.append(f"【{SECTION_NAMES.get(sec, sec)}】")
        for f in groups[sec]:
            where = _where(doc, f.start)
            quote = f.quote.replace("\n", "⏎").replace("\t", " ")
            if len(quote) > 40:
                quote = quote[:40] + "…"
            lines.append(f"  [{SEVERITY_NAMES[f.severity]}] {where} {f.rule}（{CATEGORY_NAMES[f.category]}）")
            lines.append(f"      “{quote}” — {f.message}")
            if f.suggestions:
                lines.append(f"      建议：{'；'.join(f.suggestions)}")
    if not doc.findings:
        lines.append("")
        lines.append("未发现问题。")
    return "\n".join(lines) + "\n"


def _ocr_lines(ocr: dict | None) -> list[str]:
    """What OCR read (source["ocr"]), for the reviewer: how much, how sure, what failed."""
    if not ocr:
        return []
    out = []
    if ocr.get("items"):
        out.append(f"图片文字识别（OCR）：{ocr['items']} 页/张，{ocr.get('tables', 0)} 个表格，{ocr.get('chars', 0)} 字，"
                   f"平均置信度 {ocr.get('mean_confidence') or 0:.3f}，低置信度字符 {ocr.get('low_confidence_chars', 0)} 个"
                   "（涉及低置信度数字的错误降为警告，请对照原图核实）")
    if ocr.get("missing_images"):
        out.append(f"网页中有 {ocr['missing_images']} 张图片未随网页提供，其中的文字（如以图片发布的表格）未能读取；"
                   "请上传保存网页时生成的文件夹（.zip）或 .mhtml 文件。")
    for e in ocr.get("errors", []):
        out.append(f"无法识别：{e['where']}：{e['message']}")
    return out
