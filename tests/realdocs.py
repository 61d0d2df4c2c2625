"""Real-document fixtures: the five seeds as agencies publish them.

- `seed_to_agency_docx(seed, path, style)`: a .docx written the way 政务公开 offices write
  their reports in Word/WPS — A4, 公文-like margins, a CJK body font (Noto Serif CJK SC, the
  仿宋/宋体 stand-in installed with fonts-noto-cjk) at 三号/小四, justified paragraphs with
  a two-character first-line indent, headings as ordinary body paragraphs (bold or 黑体-like
  Noto Sans CJK SC, indented like the body), the 2021 tables as real Word tables with their
  merged header cells (`tests.renderers.LAYOUTS`), and a footer page number field
  (“— 1 —”, “-1-” or “第1页 共5页”). The five seeds get five different styles
  (`STYLES`), so line widths, fonts, spacing and furniture vary; `VARIANT_STYLES` add
  ragged right edges, flush-left headings, block paragraphs, borderless tables and no
  CJK line-breaking rules.
- `libreoffice_pdfs(docx_paths, out_dir)`: LibreOffice headless turns them into PDF in one
  process; it breaks lines, justifies, applies the CJK line-breaking rules (no full-width
  punctuation at a line start) and paginates the way an office suite export does.
- `seed_to_web_text(seed, variant)`: the report as web-page text with the tables
  flattened the ways `../shared/corpus/reports*/` shows them (`WEB_VARIANTS`): pipe rows
  `a | b | c |`, one cell per line with ` |` and lone `|` lines, one cell per line between
  blank lines, rows broken over two lines, the header spread over several lines, cells
  glued to their label, and NFKC-folded punctuation inside the tables.

The seed model comes from `tests.renderers.seed_model` (our own reader) and is checked
against the hand-read expectations before anything is written, so a reader bug cannot
leak into a fixture.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from nlp_review.tables.schema import TABLE2_ROWS, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_KEYS
from tests.renderers import LAYOUTS, SEEDS, SeedModel, seed_model
from tests.seed_expectations import expected

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@dataclass(frozen=True)
class DocStyle:
    name: str
    body_font: str = "Noto Serif CJK SC"
    heading_font: str = "Noto Sans CJK SC"
    body_pt: float = 16.0  # 三号
    line_pt: float | None = 28.0  # exact line spacing (公文: 28 磅); None = single
    indent_chars: float = 2.0
    margins_cm: tuple[float, float, float, float] = (3.7, 3.5, 2.8, 2.6)  # top bottom left right
    footer: str | None = "— {PAGE} —"
    header: str | None = None
    table_pt: float = 10.5
    heading_bold_only: bool = False  # headings in the body font, bold (else the 黑体-like font)
    align: str = "justify"  # or "left": a ragged right edge
    kinsoku: bool = True  # CJK line-breaking rules; off: full-width punctuation may start a line
    heading_indent: bool = True  # headings indented like the body (else flush left)
    space_after_pt: float = 0  # block paragraphs (with indent_chars=0)
    table_borders: bool = True  # False: tables without rules (read from the text lines)


# Harder layouts, one per seed, on top of the five base styles.
VARIANT_STYLES = [
    DocStyle("ragged-left", align="left", footer="- {PAGE} -"),
    DocStyle("no-kinsoku", body_pt=12, line_pt=20, margins_cm=(2.5, 2.5, 2.8, 2.8), kinsoku=False,
             footer="第 {PAGE} 页"),
    DocStyle("flush-headings", heading_indent=False, body_pt=14, line_pt=25, footer="— {PAGE} —",
             header="{TITLE}"),
    DocStyle("block-paragraphs", indent_chars=0, space_after_pt=8, body_pt=12, line_pt=None,
             margins_cm=(2.54, 2.54, 3.17, 3.17), footer="{PAGE}", table_borders=False),
    DocStyle("ragged-no-kinsoku", align="left", kinsoku=False, body_font="Noto Sans CJK SC", body_pt=13,
             line_pt=22, footer="-{PAGE}-"),
]

STYLES = [
    DocStyle("公文"),
    DocStyle("word-default", body_pt=12, line_pt=None, margins_cm=(2.54, 2.54, 3.17, 3.17),
             footer="第 {PAGE} 页 共 {NUMPAGES} 页", heading_bold_only=True),
    DocStyle("sans-compact", body_font="Noto Sans CJK SC", body_pt=14, line_pt=24,
             margins_cm=(2.5, 2.5, 2.5, 2.5), footer="-{PAGE}-", table_pt=9),
    DocStyle("wps-xiaosi", body_pt=12, line_pt=22, margins_cm=(3.0, 2.5, 2.6, 2.6), footer="- {PAGE} -",
             header="{TITLE}"),
    DocStyle("serif-15", body_pt=15, line_pt=26, margins_cm=(3.5, 3.3, 2.7, 2.5), footer="— {PAGE} —"),
]


def checked_model(txt_path) -> SeedModel:
    """The seed's model, its table values equal to the hand-read expectations."""
    m = seed_model(txt_path)
    exp = expected(Path(txt_path).name[:3])["tables"]
    from nlp_review.tables.parse import parse_number

    for name in ("table2", "table3", "table4"):
        got = {k: parse_number(v) for k, v in getattr(m, name).items()}
        want = {k: float(v) for k, v in exp[name].items()}
        assert got == want, f"seed model of {txt_path} disagrees with the expectations in {name}"
    return m


# ---------------------------------------------------------------------------------------
# .docx as agencies write it


def _set_fonts(rpr_owner, font: str) -> None:
    from docx.oxml.ns import qn

    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _field(paragraph, instr: str, shown: str) -> None:
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraph._p.append(parse_xml(f'<w:fldSimple {w} w:instr=" {instr} "><w:r><w:t>{shown}</w:t></w:r></w:fldSimple>'))


def _furniture(paragraph, template: str, title: str) -> None:
    """Header/footer text with PAGE / NUMPAGES fields where the template says so."""
    import re

    for part in re.split(r"(\{PAGE\}|\{NUMPAGES\})", template.replace("{TITLE}", title)):
        if part == "{PAGE}":
            _field(paragraph, "PAGE", "1")
        elif part == "{NUMPAGES}":
            _field(paragraph, "NUMPAGES", "1")
        elif part:
            paragraph.add_run(part)


def _body_paragraph(document, text: str, style: DocStyle, *, heading: bool = False, k: int = 0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = document.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if style.align == "justify" else WD_ALIGN_PARAGRAPH.LEFT
    fmt.first_line_indent = Pt(0 if heading and not style.heading_indent else style.indent_chars * style.body_pt)
    if style.space_after_pt:
        fmt.space_after = Pt(style.space_after_pt)
    if not style.kinsoku:
        from docx.oxml.ns import qn

        ppr = p._p.get_or_add_pPr()
        for tag in ("w:kinsoku", "w:overflowPunct", "w:topLinePunct"):
            el = ppr.makeelement(qn(tag), {qn("w:val"): "0"})
            ppr.append(el)
    if heading:
        run = p.add_run(text)
        run.bold = True
        if not style.heading_bold_only:
            _set_fonts(run._r, style.heading_font)
        return p
    # body text in a few runs, as edited documents have (one run bold, as a lead-in often is)
    cut = text.find("。") + 1 if 0 < text.find("。") < 40 else 0
    if cut and text.startswith(("（", "(", "一是", "1.", "1、")):
        p.add_run(text[:cut]).bold = True
        text = text[cut:]
    a = len(text) // 2
    p.add_run(text[:a])
    p.add_run(text[a:])
    return p


def _table(document, layout, style: DocStyle, widths_cm: list[float]) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    n_rows, n_cols, cells = layout
    table = document.add_table(rows=n_rows, cols=n_cols)
    table.style = "Table Grid" if style.table_borders else "Normal Table"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for r, c, rs, cs, text in cells:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text
    for i, column in enumerate(table.columns):  # w:gridCol, which LibreOffice lays out by
        column.width = Cm(widths_cm[i])
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Cm(widths_cm[min(i, len(widths_cm) - 1)])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            for para in cell.paragraphs:
                para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
                para.paragraph_format.first_line_indent = Pt(0)
                for run in para.runs:
                    run.font.size = Pt(style.table_pt)


def _table_widths(number: int, text_width_cm: float) -> list[float]:
    if number == 3:
        value = min(1.3, text_width_cm * 0.075)
        rest = text_width_cm - 7 * value
        label = [rest * 0.2, rest * 0.22, rest * 0.58]
        return label + [value] * 7
    if number == 4:
        return [text_width_cm / 15] * 15
    return [text_width_cm * 0.31] + [text_width_cm * 0.23] * 3


def seed_to_agency_docx(txt_path, out_path, style: DocStyle) -> SeedModel:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm, Pt

    m = checked_model(txt_path)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(style.body_pt)
    normal.font.name = style.body_font
    _set_fonts(normal.element, style.body_font)
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    if style.line_pt:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(style.line_pt)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    top, bottom, left, right = style.margins_cm
    section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
    section.left_margin, section.right_margin = Cm(left), Cm(right)
    title = "".join(m.title_lines)
    if style.footer:
        fp = section.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _furniture(fp, style.footer, title)
    if style.header:
        hp = section.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _furniture(hp, style.header, title)
    for line in m.title_lines:  # the title: centred, large, 小标宋-like
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        run = p.add_run(line)
        run.font.size = Pt(22 if style.body_pt >= 15 else 18)
        _set_fonts(run._r, style.heading_font)
    document.add_paragraph()
    for k, line in enumerate(m.preamble):
        _body_paragraph(document, line, style, k=k)
    text_width = 21.0 - left - right
    for number, heading, lines in m.sections:
        _body_paragraph(document, heading, style, heading=True)
        if number in LAYOUTS:
            _table(document, LAYOUTS[number](m), style, _table_widths(number, text_width))
        for k, line in enumerate(lines):
            _body_paragraph(document, line, style, k=k)
    document.save(str(out_path))
    return m


def style_of(seed_index: int) -> DocStyle:
    return STYLES[seed_index % len(STYLES)]


# ---------------------------------------------------------------------------------------
# LibreOffice → PDF


def libreoffice_pdfs(docx_paths: list[Path], out_dir: Path, timeout_s: float = 300) -> list[Path]:
    """Convert .docx files to PDF with one LibreOffice process (its own throwaway profile)."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / ".lo-profile"
    cmd = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, docx_paths)]
    subprocess.run(cmd, check=True, timeout=timeout_s, capture_output=True,
                   env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
    pdfs = [out_dir / (Path(p).stem + ".pdf") for p in docx_paths]
    missing = [p for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return pdfs


def fixture_key() -> str:
    """Changes when this module or the seeds change (cache key for generated fixtures)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(__file__).with_name("renderers.py").read_bytes())
    for p in SEEDS:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------
# Web-page text renderings of the tables (as `../shared/corpus/reports*/` shows them)

WEB_VARIANTS = ("pipe_rows", "pipe_cells", "blank_cells", "broken_rows", "glued", "nfkc")


def _grid(layout) -> list[list[str]]:
    n_rows, n_cols, cells = layout
    grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for r, c, _rs, _cs, text in cells:
        grid[r][c] = text
    return grid


def _rows_as_cells(layout) -> list[list[str]]:
    """Each grid row as the cells a web page shows: covered positions of merged cells are
    left out (the page has one <td> per merged cell), empty real cells are kept."""
    n_rows, n_cols, cells = layout
    covered = set()
    for r, c, rs, cs, _text in cells:
        for i in range(r, r + rs):
            for j in range(c, c + cs):
                if (i, j) != (r, c):
                    covered.add((i, j))
    grid = _grid(layout)
    return [[grid[r][c] for c in range(n_cols) if (r, c) not in covered] for r in range(n_rows)]


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def table_text(layout, variant: str) -> str:
    rows = _rows_as_cells(layout)
    n_cols = layout[1]
    out: list[str] = []
    if variant in ("pipe_rows", "nfkc", "glued", "broken_rows"):
        for r, row in enumerate(rows):
            pad = "|" * max(0, n_cols - len(row))
            cells = list(row)
            if variant == "glued":
                # a label glued to its first value (“规章0 | 0 | 0 |”) and, in table three, the
                # whole value run of every third row glued together (“0000000”)
                values = [i for i, c in enumerate(cells) if c and _is_number(c)]
                if values and not _is_number(cells[0]):
                    first = values[0]
                    if len(values) == 7 and r % 3 == 0:
                        glued = "".join(cells[i] for i in values)
                        cells = [c for i, c in enumerate(cells) if i not in values] + [glued]
                    elif first > 0 and cells[first - 1]:
                        cells[first - 1] += cells[first]
                        del cells[first]
            line = " | ".join(cells) + " |" + (" " + pad if pad else "")
            if variant == "broken_rows" and sum(_is_number(c) for c in cells) >= 5:
                cut = line.index(" | ", len(line) // 2) + 3
                out += [line[:cut].rstrip(), line[cut:]]
            else:
                out.append(line)
    elif variant == "pipe_cells":  # one cell per line, “X |”, each row opened by a lone “|”
        for row in rows:
            out.append("|")
            out += [f"{c} |" if c else "|" for c in row]
    elif variant == "blank_cells":  # one cell per line between blank lines; headers wrap
        for row in rows:
            for c in row:
                if not c:
                    continue
                if len(c) > 4 and not _is_number(c) and len(c) <= 6:
                    c = c[:2] + "\n" + c[2:]  # “本年\n制发件数”, as narrow header cells wrap
                out += [c, ""]
    else:
        raise ValueError(variant)
    text = "\n".join(out)
    return _nfkc(text) if variant == "nfkc" else text


def _is_number(s: str) -> bool:
    import re

    return bool(re.fullmatch(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", s.strip()))


def seed_to_web_text(txt_path, out_path, variant: str) -> SeedModel:
    """The seed as web-page text: narrative one paragraph per line, tables flattened."""
    m = checked_model(txt_path)
    out = list(m.title_lines) + list(m.preamble)
    for number, heading, lines in m.sections:
        out.append(heading)
        if number in LAYOUTS:
            out.append(table_text(LAYOUTS[number](m), variant))
        out += lines
    Path(out_path).write_text("\n".join(out) + "\n", encoding="utf-8")
    return m




# ---------------------------------------------------------------------------------------
# A PDF set line by line (reportlab canvas), as some producers export: ragged right, no
# line-breaking rules (full-width punctuation may start a line), each line broken at the
# page width followed by a run of space glyphs that runs past the margin (what a tab run
# at a line end becomes), running header, “-N-” page numbers. Narrative only: no tables.

def _advance(ch: str, size: float) -> float:
    return size / 2 if ord(ch) < 0x2E80 else size


def seed_to_handset_pdf(txt_path, out_path, *, size: float = 12.0, fill_tabs: bool = True) -> SeedModel:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from tests.renderers import _pdf_font

    m = checked_model(txt_path)
    font = _pdf_font()
    width, height = A4
    left, right, top, bottom = 72.0, width - 72.0, height - 80.0, 80.0
    leading = size * 1.8
    c = canvas.Canvas(str(out_path), pagesize=A4)
    state = {"y": top, "page": 1}
    title = "".join(m.title_lines)

    def furniture():
        c.setFont(font, 9)
        if state["page"] > 1:
            c.drawCentredString(width / 2, height - 45, title)
        c.drawCentredString(width / 2, 40, f"-{state['page']}-")

    def newline():
        state["y"] -= leading
        if state["y"] < bottom:
            furniture()
            c.showPage()
            state["page"] += 1
            state["y"] = top

    def paragraph(text: str, indent: float, font_size: float = size, centre: bool = False):
        lines, cur, x = [], "", left + indent
        for ch in text:
            if x + _advance(ch, font_size) > right + 0.01:
                lines.append(cur)
                cur, x = "", left
            cur += ch
            x += _advance(ch, font_size)
        lines.append(cur)
        for i, ln in enumerate(lines):
            c.setFont(font, font_size)
            x = left + (indent if i == 0 else 0)
            if centre:
                x = (width - sum(_advance(ch, font_size) for ch in ln)) / 2
            for ch in ln:
                c.drawString(x, state["y"], ch)
                x += _advance(ch, font_size)
            if fill_tabs and i + 1 < len(lines):
                c.setFont("Helvetica", font_size)
                c.drawString(x, state["y"], " " * ((3 * i) % 10))  # 0–9 spaces: as long as the tabs were
            newline()

    for line in m.title_lines:
        paragraph(line, 0, 18, centre=True)
    newline()
    for line in m.preamble:
        paragraph(line, 2 * size)
    for _number, heading, lines in m.sections:
        paragraph(heading, 2 * size)
        for line in lines:
            paragraph(line, 2 * size)
    furniture()
    c.save()
    return m


__all__ = ["STYLES", "VARIANT_STYLES", "WEB_VARIANTS", "DocStyle", "checked_model", "fixture_key", "libreoffice_pdfs",
           "seed_to_agency_docx", "seed_to_handset_pdf", "seed_to_web_text", "style_of", "table_text", "TABLE2_ROWS",
           "TABLE3_COLUMNS", "TABLE3_ROWS", "TABLE4_KEYS"]
