"""Locations in the reviewer's terms (report.render_text): a Word file's body paragraphs
are counted as Word shows them, without table cells (“正文第22段”), table cells by table,
row and column; a PDF's page and line; a text file's line. Checked on a seed .docx that
LibreOffice wrote and on the PDF LibreOffice made of it."""
from __future__ import annotations

import re
import subprocess

import docx
import pytest

from nlp_review.ingest import convert
from nlp_review.ingest.pdf_reader import pdf_lines
from nlp_review.pipeline import review_path
from nlp_review.report import _where, render_text
from tests.conftest import SEEDS
from tests.renderers import seed_to_docx

needs_soffice = pytest.mark.skipif(convert.soffice() is None,
                                   reason="LibreOffice (soffice) is not installed: `make test` installs it")


@pytest.fixture(scope="module")
def libreoffice_files(tmp_path_factory):
    """Seed 3 as a .docx written by LibreOffice (from python-docx's) and LibreOffice's PDF of it."""
    tmp = tmp_path_factory.mktemp("loc")
    seed_to_docx(SEEDS[3], tmp / "draft.docx")
    (tmp / "lo").mkdir()
    for target in ("docx:MS Word 2007 XML", "pdf"):
        subprocess.run([convert.soffice(), f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                        "--norestore", "--convert-to", target, "--outdir", str(tmp / "lo"), str(tmp / "draft.docx")],
                       check=True, capture_output=True, timeout=180)
    return tmp / "lo" / "draft.docx", tmp / "lo" / "draft.pdf"


def _first_line(quote: str) -> str:
    return quote.split("\n")[0][:20]


@needs_soffice
def test_word_body_paragraphs_and_table_cells(libreoffice_files):
    path = libreoffice_files[0]
    doc = review_path(path)
    word = docx.Document(str(path))
    body = [p.text for p in word.paragraphs]  # Word's body paragraphs: no table cells
    report = render_text(doc)
    seen = {"body": 0, "table": 0}
    for f in doc.findings:
        where = _where(doc, f.start)
        assert where in report
        if m := re.fullmatch(r"正文第(\d+)段", where):
            assert _first_line(f.quote) in body[int(m[1]) - 1], (where, f.quote)
            seen["body"] += 1
        elif m := re.fullmatch(r"第(\d+)个表格第(\d+)行第(\d+)列", where):
            t, r, c = map(int, m.groups())
            assert _first_line(f.quote) in word.tables[t - 1].rows[r - 1].cells[c - 1].text, (where, f.quote)
            seen["table"] += 1
    assert seen["body"] >= 3 and seen["table"] >= 1, seen
    # The body paragraph number is far below python-docx's count of every paragraph.
    late = max(int(m[1]) for m in re.finditer(r"正文第(\d+)段", report))
    assert late <= len(body)
    assert "表格：表二" in report and "table2" not in report


@needs_soffice
def test_pdf_page_and_line(libreoffice_files):
    path = libreoffice_files[1]
    doc = review_path(path)
    lines = pdf_lines(path.read_bytes())
    n = 0
    for f in doc.findings:
        if m := re.fullmatch(r"第(\d+)页第(\d+)行", _where(doc, f.start)):
            p, ln = int(m[1]), int(m[2])
            assert f.quote[:1] in lines[p - 1][ln - 1].text, (m[0], f.quote)
            n += 1
    assert n >= 3


def test_text_lines():
    doc = review_path(SEEDS[3])
    src = SEEDS[3].read_text(encoding="utf-8").split("\n")
    for f in doc.findings:
        if m := re.fullmatch(r"第(\d+)行第(\d+)列", _where(doc, f.start)):
            line, col = int(m[1]), int(m[2])
            assert src[line - 1][col - 1:].startswith(_first_line(f.quote)[:5]), (m[0], f.quote)
