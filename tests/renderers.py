"""Render a seed report (.txt) into real documents for format tests.

`seed_model(txt_path)` reads the seed with our own reader, section and table parsers (title lines, the six section
headings, each section's narrative lines, the cell values of tables two, three and four);
the `seed_to_*` functions write that model as a real file:

- `seed_to_docx`: python-docx, REAL Word tables in the official 2021 layout (merged
  header cells with gridSpan/vMerge; table three with its three label columns and seven
  value columns, table four with its fifteen value cells, table two with its blocks), a
  title with a line break (w:br), paragraphs split over several runs and a hyperlink.
- `seed_to_html`: a portal-like page (nav, header, sidebar, footer noise) with the report
  in a content div and `<table>`s with rowspan/colspan.
- `seed_to_pdf`: reportlab with the built-in CID font STSong-Light, drawn grid tables,
  narrative paragraphs that wrap, a running header and page numbers.
- `seed_to_md`: Markdown with `#` headings and pipe tables.

Cells the seed does not give are rendered empty. Each function returns the model it used.
"""
from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from pathlib import Path

from nlp_review.tables.schema import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_KEYS

SEEDS = sorted((Path(__file__).parent / "data" / "seeds").glob("*.txt"))


@dataclass
class SeedModel:
    title_lines: list[str]
    preamble: list[str]  # paragraphs between the title and section one
    sections: list[tuple[int, str, list[str]]]  # (number, heading, narrative lines)
    table2: dict[str, str] = field(default_factory=dict)  # key → raw cell text
    table3: dict[str, str] = field(default_factory=dict)
    table4: dict[str, str] = field(default_factory=dict)

    def t2(self, key: str) -> str:
        return self.table2.get(key, "")

    def t3(self, row: str, col: str) -> str:
        return self.table3.get(f"{row}.{col}", "")

    def t4(self, key: str) -> str:
        return self.table4.get(key, "")


def read_structure(path):
    """A file read only as far as the format tests need: text, sections, tables."""
    from nlp_review.ingest import load_path
    from nlp_review.structure.sections import detect_sections
    from nlp_review.tables.parse import parse_tables

    doc = load_path(path)
    detect_sections(doc)
    parse_tables(doc)
    return doc


def seed_model(txt_path) -> SeedModel:
    doc = read_structure(txt_path)
    found = [s for s in doc.sections if s.found]
    first = min(s.start for s in found)
    head = [ln.strip() for ln in doc.text[:first].split("\n") if ln.strip()]
    n_title = next((i for i, ln in enumerate(head) if len(ln) > 60), len(head))
    title_lines, preamble = head[:n_title], head[n_title:]
    tables = {2: "table2", 3: "table3", 4: "table4"}
    sections = []
    for s in found:
        heading = doc.text[s.start:s.body_start].strip()
        body = doc.text[s.body_start:s.end]
        t = doc.tables.get(tables.get(s.number, ""))
        if t is not None:  # narrative around the table only, never the table's own text
            body = "\n".join(
                ln for ln in doc.text[t.end:s.end].split("\n") if len(ln.strip()) >= 20 and "\t" not in ln)
        lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
        sections.append((s.number, heading, lines))
    model = SeedModel(title_lines, preamble, sections)
    for name in ("table2", "table3", "table4"):
        t = doc.tables.get(name)
        if t is not None:
            getattr(model, name).update({k: c.raw for k, c in t.cells.items()})
    return model


# ---------------------------------------------------------------------------------------
# Table layouts as grids: each entry (row, col, rowspan, colspan, text); 2021 official forms.

T2_LAYOUT_COLS = 4


def _table2_cells(m: SeedModel) -> tuple[int, int, list[tuple[int, int, int, int, str]]]:
    cells = []
    r = 0

    def row(label, texts):
        """A label cell and its texts: one text spans the three value columns."""
        nonlocal r
        cells.append((r, 0, 1, 1, label))
        if len(texts) == 1:
            cells.append((r, 1, 1, 3, texts[0]))
        else:
            cells.extend((r, 1 + i, 1, 1, t) for i, t in enumerate(texts))
        r += 1

    def block(article, header, rows):
        nonlocal r
        cells.append((r, 0, 1, 4, article))
        r += 1
        row("信息内容", header)
        for label, vals in rows:
            row(label, vals)

    block("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
          [("规章", [m.t2(f"regulations.{c}") for c in ("issued", "repealed", "in_force")]),
           ("行政规范性文件", [m.t2(f"normative_documents.{c}") for c in ("issued", "repealed", "in_force")])])
    block("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", [m.t2("licensing.decisions")])])
    block("第二十条第（六）项", ["本年处理决定数量"],
          [("行政处罚", [m.t2("punishment.decisions")]), ("行政强制", [m.t2("coercion.decisions")])])
    block("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", [m.t2("fees.amount_wan")])])
    return r, T2_LAYOUT_COLS, cells


_T3_GROUPS = [  # (group label, first row index in TABLE3_ROWS, count)
    ("（三）不予公开", 4, 8), ("（四）无法提供", 12, 3), ("（五）不予处理", 15, 5), ("（六）其他处理", 20, 3),
]


def _table3_cells(m: SeedModel) -> tuple[int, int, list[tuple[int, int, int, int, str]]]:
    names = [spec.name for spec in TABLE3_ROWS]
    cells = [(0, 0, 3, 3, ""), (0, 3, 1, 7, "申请人情况"),
             (1, 3, 2, 1, "自然人"), (1, 4, 1, 5, "法人或其他组织"), (1, 9, 2, 1, "总计")]
    for i, h in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        cells.append((2, 4 + i, 1, 1, h))

    def values(r, spec_i):
        key = TABLE3_ROWS[spec_i].key
        for j, col in enumerate(TABLE3_COLUMNS):
            cells.append((r, 3 + j, 1, 1, m.t3(key, col)))

    r = 3
    for spec_i in (0, 1):
        cells.append((r, 0, 1, 3, names[spec_i]))
        values(r, spec_i)
        r += 1
    outcome_start = r
    for spec_i in (2, 3):
        cells.append((r, 1, 1, 2, names[spec_i]))
        values(r, spec_i)
        r += 1
    for label, first, count in _T3_GROUPS:
        cells.append((r, 1, count, 1, label))
        for k in range(count):
            cells.append((r, 2, 1, 1, names[first + k].split(" ", 1)[1]))
            values(r, first + k)
            r += 1
    cells.append((r, 1, 1, 2, names[23]))  # （七）总计
    values(r, 23)
    r += 1
    cells.append((outcome_start, 0, r - outcome_start, 1, "三、本年度办理结果"))
    cells.append((r, 0, 1, 3, names[24]))
    values(r, 24)
    return r + 1, 10, cells


def _table4_cells(m: SeedModel) -> tuple[int, int, list[tuple[int, int, int, int, str]]]:
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [(0, 0, 2, 5, "行政复议"), (0, 5, 1, 10, "行政诉讼"),
             (1, 5, 1, 5, "未经复议直接起诉"), (1, 10, 1, 5, "复议后起诉")]
    for b in range(3):
        for i, h in enumerate(heads):
            cells.append((2, 5 * b + i, 1, 1, h))
    for i, key in enumerate(TABLE4_KEYS):
        cells.append((3, i, 1, 1, m.t4(key)))
    return 4, 15, cells


LAYOUTS = {2: _table2_cells, 3: _table3_cells, 4: _table4_cells}


# ---------------------------------------------------------------------------------------
# .docx


def _add_hyperlink(paragraph, text: str, url: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _docx_paragraph(document, text: str, k: int) -> None:
    """A narrative paragraph in several runs; every third paragraph has a hyperlink run."""
    p = document.add_paragraph()
    if len(text) < 12:
        p.add_run(text)
        return
    a, b = len(text) // 3, 2 * len(text) // 3
    p.add_run(text[:a])
    if k % 3 == 0:
        _add_hyperlink(p, text[a:b], "http://www.example.gov.cn/")
    else:
        p.add_run(text[a:b]).bold = True
    p.add_run(text[b:])


def _docx_table(document, layout) -> None:
    n_rows, n_cols, cells = layout
    table = document.add_table(rows=n_rows, cols=n_cols)
    table.style = "Table Grid"
    for r, c, rs, cs, text in cells:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text


def seed_to_docx(txt_path, out_path, pictures: dict | None = None, model: SeedModel | None = None) -> SeedModel:
    """`pictures`: {section number: PNG bytes} drawn in place of that section's table (OCR tests)."""
    import docx

    m = model or seed_model(txt_path)
    document = docx.Document()
    title = document.add_paragraph()
    for i, line in enumerate(m.title_lines):
        run = title.add_run(line)
        run.bold = True
        if i + 1 < len(m.title_lines):
            run.add_break()  # w:br: the title's second line inside the same paragraph
    for k, line in enumerate(m.preamble):
        _docx_paragraph(document, line, k + 1)
    k = 0
    for number, heading, lines in m.sections:
        document.add_paragraph(heading)
        if pictures and number in pictures:
            from docx.shared import Cm

            document.add_picture(io.BytesIO(pictures[number]), width=Cm(16))
        elif number in LAYOUTS:
            _docx_table(document, LAYOUTS[number](m))
        for line in lines:
            _docx_paragraph(document, line, k)
            k += 1
    document.save(str(out_path))
    return m


# ---------------------------------------------------------------------------------------
# .html


def _html_table(layout) -> str:
    n_rows, _n_cols, cells = layout
    rows: list[list[str]] = [[] for _ in range(n_rows)]
    for r, c, rs, cs, text in sorted(cells, key=lambda x: (x[0], x[1])):
        attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
        rows[r].append(f"<td{attrs}>{html.escape(text)}</td>")
    body = "\n".join(f"    <tr>{''.join(cells_)}</tr>" for cells_ in rows)
    return f'<table border="1" cellspacing="0">\n  <tbody>\n{body}\n  </tbody>\n</table>'


def seed_to_html(txt_path, out_path, encoding: str = "utf-8") -> SeedModel:
    m = seed_model(txt_path)
    parts = [f"<h1>{'<br>'.join(html.escape(t) for t in m.title_lines)}</h1>",
             '<div class="info">发布时间：2024-01-20　来源：本站</div>', '<div class="TRS_Editor">']
    parts += [f"<p>{html.escape(line)}</p>" for line in m.preamble]
    for number, heading, lines in m.sections:
        parts.append(f'<p style="text-indent:2em"><strong>{html.escape(heading)}</strong></p>')
        if number in LAYOUTS:
            parts.append(_html_table(LAYOUTS[number](m)))
        for line in lines:
            # break the source text over two lines inside the element, as CMS output does
            half = len(line) // 2
            parts.append(f"<p>{html.escape(line[:half])}\n        <span>{html.escape(line[half:])}</span></p>")
    parts.append("</div>")
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{encoding}">
<title>{html.escape("".join(m.title_lines))}_政府信息公开</title>
<style>td {{ border: 1px solid #000; }}</style>
<script>var _hmt = _hmt || []; document.write("统计代码");</script>
</head>
<body>
<header class="top"><div class="logo">某某区人民政府门户网站</div>
<nav><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul></nav>
</header>
<div class="container">
  <div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
  <div class="main">
    <div class="article">
{chr(10).join(parts)}
    </div>
  </div>
  <aside><h3>相关链接</h3><ul><li><a href="#">2022年政府信息公开工作年度报告</a></li>
  <li><a href="#">政府信息公开指南</a></li></ul></aside>
  <form action="/search"><input name="q"><button>搜索</button></form>
</div>
<footer><p>主办单位：某某区人民政府办公室　备案号：京ICP备00000000号</p><p>联系电话：0000-00000000</p></footer>
</body>
</html>
"""
    Path(out_path).write_bytes(page.encode(encoding))
    return m


# ---------------------------------------------------------------------------------------
# .md


def _md_table(layout) -> str:
    n_rows, n_cols, cells = layout
    grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for r, c, _rs, _cs, text in cells:
        grid[r][c] = text
    lines = ["| " + " | ".join(grid[0]) + " |", "|" + "---|" * n_cols]
    lines += ["| " + " | ".join(row) + " |" for row in grid[1:]]
    return "\n".join(lines)


def seed_to_md(txt_path, out_path) -> SeedModel:
    m = seed_model(txt_path)
    out = [f"# {''.join(m.title_lines)}", ""]
    for line in m.preamble:
        out += [line, ""]
    for number, heading, lines in m.sections:
        out += [f"## {heading}", ""]
        if number in LAYOUTS:
            out += [_md_table(LAYOUTS[number](m)), ""]
        for line in lines:
            out += [line, ""]
    Path(out_path).write_text("\n".join(out), encoding="utf-8")
    return m


# ---------------------------------------------------------------------------------------
# .pdf

PDF_FONT = "STSong-Light"


def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.getFont(PDF_FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def _pdf_table(layout, width: float, styles):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    n_rows, n_cols, cells = layout
    grid: list[list] = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("FONTNAME", (0, 0), (-1, -1), PDF_FONT), ("FONTSIZE", (0, 0), (-1, -1), 7.5)]
    for r, c, rs, cs, text in cells:
        grid[r][c] = Paragraph(html.escape(text), styles["cell"]) if text else ""
        if rs > 1 or cs > 1:
            style.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
    if n_cols == 10:
        widths = [44, 52, 104] + [(width - 200) / 7] * 7
    elif n_cols == 4:
        widths = [width * 0.31] + [width * 0.23] * 3
    else:
        widths = [width / n_cols] * n_cols
    t = Table(grid, colWidths=widths, repeatRows=0)
    t.setStyle(TableStyle(style))
    return t


def seed_to_pdf(txt_path, out_path) -> SeedModel:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    m = seed_model(txt_path)
    font = _pdf_font()
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=24, alignment=TA_CENTER,
                                wordWrap="CJK"),
        "body": ParagraphStyle("body", fontName=font, fontSize=11, leading=18, firstLineIndent=22,
                               wordWrap="CJK"),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=12, leading=20, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK"),
    }
    running = "".join(m.title_lines)[:20]

    def on_page(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 30, running)
        canvas.drawCentredString(A4[0] / 2, 25, f"- {doc_.page} -")
        canvas.restoreState()

    story = [Paragraph(html.escape(t), styles["title"]) for t in m.title_lines]
    story.append(Spacer(1, 10))
    story += [Paragraph(html.escape(line), styles["body"]) for line in m.preamble]
    width = A4[0] - 100
    for number, heading, lines in m.sections:
        story.append(Paragraph(html.escape(heading), styles["heading"]))
        if number in LAYOUTS:
            story.append(_pdf_table(LAYOUTS[number](m), width, styles))
            story.append(Spacer(1, 8))
        for line in lines:
            story.append(Paragraph(html.escape(line), styles["body"]))
    pdf = SimpleDocTemplate(str(out_path), pagesize=A4, leftMargin=50, rightMargin=50, topMargin=50,
                            bottomMargin=50, title="".join(m.title_lines))
    pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return m
