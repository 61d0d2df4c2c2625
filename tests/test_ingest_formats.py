"""The seeds rendered as real .docx / .html / .pdf / .md parse like the .txt.

For all five seeds and every format: the same six sections, the same title, every cell
of tables two, three and four equal to the .txt (and to the hand-read expectations),
honest quotes, and a source map whose every segment points at the very character in
the source (docx paragraph/run, PDF page/line, HTML node, md line).
"""
from __future__ import annotations

import io
import re

import pytest

from nlp_review.ingest.builder import normalize_char
from nlp_review.pipeline import review_path
from tests.renderers import SEEDS, read_structure, seed_to_docx, seed_to_html, seed_to_md, seed_to_pdf
from tests.seed_expectations import expected

FORMATS = {"docx": seed_to_docx, "html": seed_to_html, "pdf": seed_to_pdf, "md": seed_to_md}
SEED_IDS = [p.name[:3] for p in SEEDS]
CASES = [(s, f) for s in SEED_IDS for f in FORMATS]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """{(seed, fmt): (path, model, doc)} and {seed: txt doc}."""
    out_dir = tmp_path_factory.mktemp("formats")
    docs, txt = {}, {}
    for path in SEEDS:
        sid = path.name[:3]
        txt[sid] = read_structure(path)
        for fmt, render in FORMATS.items():
            out = out_dir / f"{sid}.{fmt}"
            model = render(path, out)
            docs[(sid, fmt)] = (out, model, read_structure(out))
    return docs, txt


@pytest.fixture(scope="module")
def reviewed(rendered):
    """The full review of every rendering (findings)."""
    return {key: review_path(path) for key, (path, _m, _d) in rendered[0].items()}


def _found(doc):
    return [s.number for s in doc.sections if s.found]


@pytest.mark.parametrize("sid,fmt", CASES)
def test_same_sections_title_and_tables(rendered, sid, fmt):
    docs, txt = rendered
    _path, _model, doc = docs[(sid, fmt)]
    base = txt[sid]
    assert doc.source["format"] == fmt
    assert _found(doc) == _found(base) == [1, 2, 3, 4, 5, 6]
    assert doc.title == base.title
    assert doc.year == base.year == 2023
    exp = expected(sid)["tables"]
    for name in ("table2", "table3", "table4"):
        assert doc.tables[name].values() == base.tables[name].values(), name
        assert doc.tables[name].values() == exp[name], name
    assert doc.table_issues == []  # every row read, nothing unknown


@pytest.mark.parametrize("sid,fmt", CASES)
def test_findings_quote_their_text_and_point_at_the_source(rendered, reviewed, sid, fmt):
    path = rendered[0][(sid, fmt)][0]
    doc = reviewed[(sid, fmt)]
    assert not [f for f in doc.findings if f.category == "table_identity"]
    cache: dict = {}
    for f in doc.findings:
        assert doc.text[f.start:f.end] == f.quote
        loc = doc.source_map.locate(f.start)
        assert loc is not None
        assert normalize_char(_source_char(fmt, path, loc, cache)) == doc.text[f.start]


@pytest.mark.parametrize("sid,fmt", CASES)
def test_cells_are_honest(rendered, sid, fmt):
    docs, _txt = rendered
    doc = docs[(sid, fmt)][2]
    for table in doc.tables.values():
        for cell in table.cells.values():
            assert doc.text[cell.start:cell.end] == cell.raw
            assert doc.source_map.locate(cell.start) is not None


def _source_char(fmt, path, loc, cache):
    """The source character a located offset points to."""
    if fmt == "docx":
        if "paras" not in cache:
            import docx

            from nlp_review.ingest.docx_reader import iter_paragraphs, iter_runs

            cache["paras"] = [[r.text for r in iter_runs(p)] for p in iter_paragraphs(docx.Document(str(path)))]
        return cache["paras"][loc["para"]][loc["run"]][loc["offset"]]
    if fmt == "pdf":
        if "lines" not in cache:
            from nlp_review.ingest.pdf_reader import pdf_lines

            cache["lines"] = [[ln.text for ln in page] for page in pdf_lines(path.read_bytes())]
        return cache["lines"][loc["page"] - 1][loc["line"] - 1][loc["offset"]]
    if fmt == "html":
        if "tree" not in cache:
            import lxml.html

            cache["tree"] = lxml.html.document_fromstring(path.read_text(encoding="utf-8")).getroottree()
            cache["nodes"] = {}
        nodes = cache["nodes"]
        if loc["node"] not in nodes:
            (el,) = cache["tree"].xpath(loc["node"])
            nodes[loc["node"]] = el.text_content()
        return nodes[loc["node"]][loc["offset"]]
    if "mdlines" not in cache:
        cache["mdlines"] = path.read_text(encoding="utf-8").split("\n")
    return cache["mdlines"][loc["line"] - 1][loc["offset"]]


@pytest.mark.parametrize("sid,fmt", CASES)
def test_every_mapped_character_points_at_its_source(rendered, sid, fmt):
    docs, _txt = rendered
    path, _model, doc = docs[(sid, fmt)]
    cache: dict = {}
    checked = 0
    for seg in doc.source_map.segments:
        for k in range(seg.start, seg.end):
            loc = doc.source_map.locate(k)
            src = _source_char(fmt, path, loc, cache)
            if fmt == "html" and doc.text[k] == " ":
                assert src.isspace()  # a collapsed whitespace run stands for its first character
            else:
                assert normalize_char(src) == doc.text[k], (k, loc)
            checked += 1
    assert checked > 0.9 * len(doc.text.replace("\n", "").replace("\t", ""))


def test_docx_locations_are_paragraph_and_run(rendered):
    docs, _ = rendered
    path, model, doc = docs[("000", "docx")]
    import docx

    from nlp_review.ingest.docx_reader import iter_paragraphs, iter_runs

    paragraphs = list(iter_paragraphs(docx.Document(str(path))))
    # a table cell value: its run holds exactly the value
    cell = doc.tables["table2"].cells["fees.amount_wan"]
    loc = doc.source_map.locate(cell.start)
    assert set(loc) == {"para", "run", "offset", "table", "row", "col"}
    run = list(iter_runs(paragraphs[loc["para"]]))[loc["run"]]
    assert run.text[loc["offset"]:loc["offset"] + len(cell.raw)] == cell.raw
    # …and its place as a reviewer counts it: table, grid row and column
    word = docx.Document(str(path))
    assert cell.raw in word.tables[loc["table"] - 1].rows[loc["row"] - 1].cells[loc["col"] - 1].text
    # a narrative sentence split over runs, one of them inside a hyperlink
    line = model.sections[0][2][0]
    start = doc.text.index(line)
    locs = [doc.source_map.locate(k) for k in range(start, start + len(line))]
    assert len({(x["para"]) for x in locs}) == 1 and len({x["run"] for x in locs}) == 3
    assert line in word.paragraphs[locs[0]["body"] - 1].text  # body paragraphs as Word counts them
    assert paragraphs[locs[0]["para"]]._p.xpath("./w:hyperlink")  # the middle run is a hyperlink's
    # the title's line break (w:br) is a real "\n" of the run text
    title_end = doc.text.index(model.title_lines[0]) + len(model.title_lines[0])
    assert doc.text[title_end] == "\n"
    br = doc.source_map.locate(title_end)
    assert list(iter_runs(paragraphs[br["para"]]))[br["run"]].text[br["offset"]] == "\n"


def test_pdf_wrapped_lines_are_joined_and_running_text_dropped(rendered):
    for sid in SEED_IDS:
        path, model, doc = rendered[0][(sid, "pdf")]
        # each source paragraph is one line again (spaces compared loosely: a space
        # where reportlab broke the line is not drawn)
        lines = {re.sub(r"\s", "", ln) for ln in doc.text.split("\n")}
        narrative = [ln for _n, _h, body in model.sections for ln in body] + model.preamble
        assert narrative and all(re.sub(r"\s", "", ln) in lines for ln in narrative), sid
        assert not re.search(r"^- \d+ -$", doc.text, re.M)
        running = re.sub(r"\s", "", "".join(model.title_lines)[:20])
        assert running not in lines
        assert doc.source["pages"] >= 2
        # a wrapped paragraph spans two PDF lines
        longest = max(narrative, key=len)
        start = doc.text.index(longest)
        assert len({(doc.source_map.locate(k)["page"], doc.source_map.locate(k)["line"])
                    for k in range(start, start + len(longest))}) >= 2


def test_html_main_content_only(rendered):
    for sid in SEED_IDS:
        path, model, doc = rendered[0][(sid, "html")]
        for noise in ("首页", "备案号", "相关链接", "统计代码", "当前位置", "搜索"):
            assert noise not in doc.text, (sid, noise)
        compact = re.sub(r"\s", "", doc.text)
        for _n, heading, body in model.sections:
            for ln in body:
                assert re.sub(r"\s", "", ln) in compact
        assert doc.source_map.locate(0)["node"].endswith("/h1")


def test_html_declared_gbk_is_decoded(tmp_path):
    out = tmp_path / "gbk.html"
    seed_to_html(SEEDS[0], out, encoding="gbk")
    doc = review_path(out)
    assert doc.source["encoding"] == "gb18030"
    assert doc.tables["table3"].values() == expected("000")["tables"]["table3"]


def test_html_rowspan_colspan_grid():
    from nlp_review.ingest.html_reader import read_html

    page = ("<html><body><div><table><tr><td rowspan='2'>A</td><td colspan='2'>B</td></tr>"
            "<tr><td>1</td><td>2</td></tr><tr><td>x</td><td></td><td>3</td></tr></table></div></body></html>")
    raw = read_html(page.encode())
    (table,) = raw.blocks
    assert [[c.text for c in row] for row in table.rows] == [["A", "B", ""], ["", "1", "2"], ["x", "", "3"]]
    assert [[c.merged for c in row] for row in table.rows] == [[False, False, True], [True, False, False],
                                                               [False, False, False]]


def test_docx_merged_cells_emitted_once(rendered):
    from nlp_review.ingest.docx_reader import read_docx

    path = rendered[0][("000", "docx")][0]
    tables = [b for b in read_docx(path.read_bytes()).blocks if hasattr(b, "rows")]
    t3 = tables[1]
    assert len({len(r) for r in t3.rows}) == 1 and len(t3.rows[0]) == 10
    texts = [c.text for row in t3.rows for c in row]
    assert texts.count("三、本年度办理结果") == 1 and texts.count("申请人情况") == 1
    assert texts.count("（三）不予公开") == 1


def test_pdf_limits(rendered):
    from nlp_review.errors import InputError
    from nlp_review.ingest.pdf_reader import read_pdf

    data = rendered[0][("000", "pdf")][0].read_bytes()
    with pytest.raises(InputError) as e:
        read_pdf(data, max_pages=1)
    assert e.value.code == "too_many_pages"
    with pytest.raises(InputError) as e:
        read_pdf(data, timeout_s=1e-9)
    assert e.value.code == "timeout" and "超时" in e.value.message


def test_docx_zip_total_size_limit(rendered, monkeypatch):
    from nlp_review.errors import InputError
    from nlp_review.ingest import docx_reader

    data = rendered[0][("000", "docx")][0].read_bytes()
    monkeypatch.setattr(docx_reader, "MAX_TOTAL_UNCOMPRESSED", 1000)
    with pytest.raises(InputError) as e:
        docx_reader.read_docx(data)
    assert e.value.code == "zip_unsafe"


def test_docx_textbox_and_sdt_paragraphs_are_read():
    """Text in a content control and in a text box is read, in iter_paragraphs order."""
    import docx
    from docx.oxml import parse_xml

    from nlp_review.ingest.docx_reader import iter_paragraphs, read_docx

    d = docx.Document()
    d.add_paragraph("第一段")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d.element.body.insert(1, parse_xml(
        f'<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>控件内文字</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    box = parse_xml(
        f'<w:p {w} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        '<w:r><w:t>锚定段</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:pict>'
        '<w:txbxContent><w:p><w:r><w:t>文本框文字</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Choice>'
        '<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框文字</w:t></w:r></w:p></w:txbxContent>'
        '</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    d.element.body.insert(2, box)
    buf = io.BytesIO()
    d.save(buf)
    raw = read_docx(buf.getvalue())
    assert [b.text for b in raw.blocks] == ["第一段", "控件内文字", "锚定段", "文本框文字"]
    paras = [p.text for p in iter_paragraphs(docx.Document(io.BytesIO(buf.getvalue())))]
    assert [p for p in paras if p] == ["第一段", "控件内文字", "锚定段", "文本框文字"]
    assert [b.pieces[0].loc["para"] for b in raw.blocks] == [0, 1, 2, 3]


def test_html_layout_table_page_and_misdeclared_charset(tmp_path):
    """An old portal page laid out with a table, declaring gb2312 while saved as UTF-8."""
    out = tmp_path / "page.html"
    seed_to_html(SEEDS[1], out)
    page = out.read_text(encoding="utf-8")
    page = page.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    page = page.replace('<div class="container">', '<table class="layout"><tr><td>栏目导航<br>通知公告</td><td>')
    page = page.replace("</div>\n<footer>", "</td></tr></table>\n<footer>")
    # the report body itself sits in a one-cell table under the title
    page = page.replace('<div class="TRS_Editor">', '<table><tr><td>')
    page = page.replace("</div>\n    </div>\n  </div>", "</td></tr></table>\n    </div>\n  </div>")
    assert page.count("<table") == 5
    out.write_text(page, encoding="utf-8")
    doc = read_structure(out)
    assert doc.source["encoding"] == "utf-8"
    assert _found(doc) == [1, 2, 3, 4, 5, 6]
    assert "栏目导航" not in doc.text
    assert doc.title == read_structure(SEEDS[1]).title
    exp = expected(SEEDS[1].name[:3])["tables"]
    assert all(doc.tables[n].values() == exp[n] for n in exp)


def test_html_pre_lines_keep_offsets():
    from nlp_review.ingest.html_reader import read_html

    raw = read_html("<html><body><pre>一、总体情况\n  正文 内容\n\n二、主动公开</pre></body></html>".encode())
    assert [b.text for b in raw.blocks] == ["一、总体情况", "  正文 内容", "二、主动公开"]
    assert [(b.pieces[0].loc["node"], b.pieces[0].offset) for b in raw.blocks] == [
        ("/html/body/pre", 0), ("/html/body/pre", 7), ("/html/body/pre", 16)]


def test_docx_tracked_changes_fields_and_breaks():
    """Inserted runs count, deleted runs and field instructions do not; tabs and breaks are run text."""
    import docx
    from docx.oxml import parse_xml

    from nlp_review.ingest.docx_reader import iter_paragraphs, iter_runs, read_docx

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d = docx.Document()
    d.element.body.insert(0, parse_xml(
        f'<w:p {w}><w:r><w:t>共</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>收到</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>受理</w:delText></w:r></w:del>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>件</w:t><w:tab/><w:t>申请</w:t>'
        '<w:br/><w:t>下一行</w:t><w:br w:type="page"/></w:r></w:p>'))
    buf = io.BytesIO()
    d.save(buf)
    raw = read_docx(buf.getvalue())
    assert raw.blocks[0].text == "共收到3件\t申请\n下一行"
    para = list(iter_paragraphs(docx.Document(io.BytesIO(buf.getvalue()))))[0]
    runs = [r.text for r in iter_runs(para)]
    for piece in raw.blocks[0].pieces:
        assert runs[piece.loc["run"]][piece.offset:piece.offset + len(piece.text)] == piece.text
