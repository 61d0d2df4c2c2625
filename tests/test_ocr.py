"""Scanned reports and tables published as pictures, read by OCR into the one document model.

Built from the seeds (`tests/ocr_renderers.py`): tables three and four as pictures in a .docx
and in a saved web page (folder, .zip, .mhtml), the whole seed as an image-only PDF
(LibreOffice → pdftoppm → PIL), and an image-only page inside a textual PDF. Each must give
the same sections, ≥ 98 % of the table cells of the .txt reading, the same identity and
contradiction findings, and a source map that points at (page or picture, box) with the OCR
confidence of every character.

OCR is slow on the shared 2-core machine, so `make test` reads one seed (000) per format;
all five seeds run with ``NLP_REVIEW_TEST_OCR_ALL=1`` (``make test-ocr-all``).
"""
from __future__ import annotations

import io
import os
import socket
import zipfile

import pytest

from nlp_review.errors import InputError
from nlp_review.pipeline import review_path
from tests import ocr_renderers as R
from tests.renderers import SEEDS, read_structure, seed_model

pytest.importorskip("rapidocr_onnxruntime")
if R.cjk_font_path() is None:  # pragma: no cover - make test installs fonts-noto-cjk
    pytest.skip("no CJK font to draw the table pictures", allow_module_level=True)

FAST_SEED = SEEDS[0]
ALL = os.environ.get("NLP_REVIEW_TEST_OCR_ALL") == "1"
KINDS = ("table_identity", "contradiction")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """OCR never opens a connection (models are in the wheel, pictures come with the upload)."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def txt_docs():
    return {p.name[:3]: read_structure(p) for p in SEEDS}


def _cells(doc) -> dict:
    return {(name, k): v for name, t in doc.tables.items() for k, v in t.values().items()}


def cell_agreement(doc, base) -> float:
    want = _cells(base)
    got = _cells(doc)
    return sum(1 for k, v in want.items() if got.get(k) == v) / len(want)


def _key_findings(doc) -> list:
    return sorted((f.rule, f.quote, f.severity) for f in doc.findings if f.category in KINDS)


def assert_reads_like_txt(doc, base, min_agreement: float = 0.98) -> None:
    assert [s.number for s in doc.sections if s.found] == [s.number for s in base.sections if s.found] \
        == [1, 2, 3, 4, 5, 6]
    assert set(doc.tables) == {"table2", "table3", "table4"}
    agreement = cell_agreement(doc, base)
    assert agreement >= min_agreement, agreement
    ocr = doc.source["ocr"]
    assert ocr["items"] >= 1 and ocr["chars"] > 0 and 0.9 < ocr["mean_confidence"] <= 1.0
    assert "errors" not in ocr


def assert_cells_point_at_boxes(doc, names=("table3", "table4"), key="image") -> None:
    """Every table-three/four cell is OCR text: its loc names the picture (or page) and the
    box, and the confidence of each of its characters is in loc["conf"]."""
    from nlp_review.ingest.ocr_evidence import ocr_confidence

    for name in names:
        for cell in doc.tables[name].cells.values():
            assert doc.text[cell.start:cell.end] == cell.raw
            loc = doc.source_map.locate(cell.start)
            assert key in loc and len(loc["box"]) == 4, loc
            x0, y0, x1, y1 = loc["box"]
            assert 0 <= x0 < x1 and 0 <= y0 < y1
            assert 0 < loc["conf"][loc["offset"]] <= 1
            assert ocr_confidence(doc, cell.start, cell.end) == min(
                loc["conf"][loc["offset"] + i] for i in range(cell.end - cell.start))


# --- .docx with pictures of tables three and four ---------------------------------------------


@pytest.fixture(scope="module")
def docx_case(tmp_path_factory):
    out = tmp_path_factory.mktemp("ocr_docx") / "report.docx"
    R.seed_to_docx_table_images(FAST_SEED, out)
    return out, review_path(out)


def test_docx_table_pictures_read_like_the_text(docx_case, txt_docs):
    path, doc = docx_case
    base = txt_docs[FAST_SEED.name[:3]]
    assert_reads_like_txt(doc, base)
    assert doc.source["format"] == "docx" and doc.source["ocr"]["tables"] == 2
    assert_cells_point_at_boxes(doc)
    loc = doc.source_map.locate(doc.tables["table3"].start)
    assert loc["image"].startswith("/word/media/") and isinstance(loc["para"], int)
    # Table two stays the real Word table: no OCR there.
    two = next(iter(doc.tables["table2"].cells.values()))
    assert "conf" not in doc.source_map.locate(two.start)
    assert _key_findings(doc) == _key_findings(review_path(FAST_SEED))


def test_docx_comments_anchor_at_the_picture(docx_case):
    """A finding on OCR text gets its Word comment at the picture's run (no crash)."""
    import docx

    from nlp_review.annotate.docx import annotate_docx
    from nlp_review.report import to_contract

    path, doc = docx_case
    cell = doc.tables["table3"].cells["new.total"]
    fake = {"id": "f-9999", "rule": "TEST.OCR", "category": "table_identity", "severity": "warning",
            "start": cell.start, "end": cell.end, "quote": cell.raw, "message": "测试"}
    findings = to_contract(doc)["findings"] + [fake]
    out = annotate_docx(path.read_bytes(), doc, findings)
    comments = docx.Document(io.BytesIO(out)).comments
    assert len(list(comments)) == len(findings)


# --- saved web pages ----------------------------------------------------------------------------


def test_html_folder_pictures(tmp_path, txt_docs):
    folder = tmp_path / "page"
    R.seed_to_html_folder(FAST_SEED, folder)
    doc = review_path(folder)
    assert doc.source["format"] == "html"
    assert_reads_like_txt(doc, txt_docs[FAST_SEED.name[:3]])
    assert_cells_point_at_boxes(doc)
    loc = doc.source_map.locate(doc.tables["table4"].start)
    assert loc["image"] == "index_files/table4.png" and loc["node"].endswith("img")
    assert _key_findings(doc) == _key_findings(review_path(FAST_SEED))


@pytest.mark.parametrize("kind", ["zip", "mhtml"])
def test_html_zip_and_mhtml_bundles(tmp_path, kind, txt_docs):
    path = tmp_path / f"page.{kind}"
    (R.seed_to_html_zip if kind == "zip" else R.seed_to_mhtml)(FAST_SEED, path, only=(4,))
    doc = read_structure(path)
    base = txt_docs[FAST_SEED.name[:3]]
    assert doc.source["format"] == "html" and doc.source["ocr"]["tables"] == 1
    for name in ("table2", "table3", "table4"):
        assert doc.tables[name].values() == base.tables[name].values(), name
    assert_cells_point_at_boxes(doc, names=("table4",))


def test_picture_not_supplied_is_reported_never_fetched(tmp_path):
    page = (tmp_path / "p.html")
    m = seed_model(FAST_SEED)
    page.write_text(R._page_html(m, {3: "http://www.example.gov.cn/t3.png", 4: "/images/t4.png"}),
                    encoding="utf-8")
    doc = review_path(page)
    assert doc.source["ocr"]["missing_images"] == 2
    assert "table3" not in doc.tables
    from nlp_review.report import render_text

    assert "2 张图片未随网页提供" in render_text(doc)


def test_inline_data_uri_picture(tmp_path, txt_docs):
    import base64

    m = seed_model(FAST_SEED)
    png = R.table_images(m)[4]
    page = tmp_path / "inline.html"
    page.write_text(R._page_html(m, {4: "data:image/png;base64," + base64.b64encode(png).decode()}),
                    encoding="utf-8")
    doc = read_structure(page)
    assert doc.tables["table4"].values() == txt_docs[FAST_SEED.name[:3]].tables["table4"].values()


# --- PDFs without a text layer ---------------------------------------------------------------

needs_scan_tools = pytest.mark.skipif(not R.have_scan_tools(), reason="LibreOffice/pdftoppm missing")


@needs_scan_tools
def test_scanned_pdf_reads_like_the_text(tmp_path, txt_docs):
    path = tmp_path / "scan.pdf"
    R.seed_to_scanned_pdf(FAST_SEED, path)
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        assert not any(p.chars for p in pdf.pages)  # truly image-only
    doc = review_path(path)
    assert doc.source["format"] == "pdf" and doc.source["ocr"]["items"] == doc.source["pages"]
    assert_reads_like_txt(doc, txt_docs[FAST_SEED.name[:3]])
    assert_cells_point_at_boxes(doc, key="page")
    assert _key_findings(doc) == _key_findings(review_path(FAST_SEED))
    # Narrative lines wrapped on the page are joined again into the seed's paragraphs.
    first = next(ln for ln in txt_docs[FAST_SEED.name[:3]].text.split("\n") if ln.startswith("（一）"))
    assert first[:40] in doc.text.replace(" ", "")


@needs_scan_tools
def test_image_only_page_inside_a_textual_pdf(tmp_path, txt_docs):
    """Page 2 of the seed's text PDF replaced by its scan: OCR fills that page in its place."""
    import pypdfium2 as pdfium

    from tests.renderers import seed_to_pdf

    text_pdf = tmp_path / "text.pdf"
    seed_to_pdf(FAST_SEED, text_pdf)
    scan = tmp_path / "scan2.pdf"
    one = tmp_path / "p2.pdf"
    src = pdfium.PdfDocument(str(text_pdf))
    n = len(src)
    page2 = pdfium.PdfDocument.new()
    page2.import_pages(src, [1])
    page2.save(str(one))
    R.pdf_to_scanned_pdf(one, tmp_path / "p2scan.pdf")
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(src, [0])
    mixed.import_pages(pdfium.PdfDocument(str(tmp_path / "p2scan.pdf")), [0])
    mixed.import_pages(src, list(range(2, n)))
    mixed.save(str(scan))
    doc = read_structure(scan)
    base = read_structure(text_pdf)
    assert doc.source["ocr"]["items"] == 1
    assert [s.number for s in doc.sections if s.found] == [1, 2, 3, 4, 5, 6]
    assert cell_agreement(doc, base) >= 0.98
    pages = [doc.source_map.locate(s.start)["page"] for s in doc.sections if s.found]
    assert pages == sorted(pages)  # the OCR page sits between pages 1 and 3


# --- low-confidence digits are never the sole evidence of an error ----------------------------


@pytest.fixture(scope="module")
def wrong_total_docx(tmp_path_factory):
    """Table four as a picture whose 行政复议 total (2) is not 1 + 0 + 0 + 0: TABLE4.BLOCK_SUM."""
    m = seed_model(FAST_SEED)
    m.table4.update({"review.upheld": "1", "review.total": "2"})
    out = tmp_path_factory.mktemp("wrong") / "wrong.docx"
    R.seed_to_docx_table_images(FAST_SEED, out, only=(4,), model=m)
    return out


def _block_sum(doc):
    return [f for f in doc.findings if f.rule == "TABLE4.BLOCK_SUM"]


def test_confident_ocr_digits_keep_the_error_and_carry_their_confidence(wrong_total_docx):
    doc = review_path(wrong_total_docx)
    (f,) = _block_sum(doc)
    assert f.severity == "error"
    ocr = f.evidence["ocr"]
    assert 0.9 <= ocr["min_confidence"] <= 1.0 and ocr["low_confidence_digits"] == []


def test_low_confidence_digit_downgrades_the_error(wrong_total_docx, monkeypatch):
    """With a threshold above what OCR achieved, the same digits count as unsure: the error
    becomes a warning that says which digit to check, its confidence capped by the OCR's."""
    from nlp_review.ingest import ocr_evidence

    monkeypatch.setattr(ocr_evidence, "LOW_DIGIT_CONFIDENCE", 1.01)
    doc = review_path(wrong_total_docx)
    (f,) = _block_sum(doc)
    assert f.severity == "warning" and f.evidence["ocr"]["downgraded_from"] == "error"
    low = f.evidence["ocr"]["low_confidence_digits"]
    assert low and all(d["char"].isdigit() and "box" in d and "image" in d for d in low)
    assert f.confidence <= min(d["confidence"] for d in low)
    assert "请对照原图核实" in f.message and doc.text[f.start:f.end] == f.quote
    assert not [g for g in doc.findings if g.severity == "error" and g.evidence.get("ocr", {}).get("low_confidence_digits")]


def test_text_documents_are_untouched(reviewed_seeds):
    doc = reviewed_seeds["003"]
    assert "ocr" not in doc.source and not any("ocr" in f.evidence for f in doc.findings)


# --- limits -----------------------------------------------------------------------------------


def _docx_with_pictures(path, blobs: list[bytes]):
    import docx

    document = docx.Document()
    document.add_paragraph("某某区2023年政府信息公开工作年度报告")
    for b in blobs:
        document.add_paragraph("图：")
        document.add_picture(io.BytesIO(b))
    document.save(str(path))


def test_decompression_bomb_and_corrupt_pictures_are_refused_with_a_message(tmp_path):
    from PIL import Image

    from nlp_review.ingest import load_path

    bomb = io.BytesIO()
    Image.new("1", (12000, 12000), 1).save(bomb, format="PNG")  # 144 M pixels in a few KB
    assert len(bomb.getvalue()) < 200_000
    ok = R.table_images(seed_model(FAST_SEED))[4]
    path = tmp_path / "bad.docx"
    _docx_with_pictures(path, [bomb.getvalue(), ok])
    # The second picture's bytes replaced by garbage after python-docx wrote it.
    fixed = tmp_path / "bad2.docx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(fixed, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, b"\x89PNG\r\n\x1a\n garbage" if info.filename == "word/media/image2.png" else data)
    doc = load_path(fixed)
    messages = [e["message"] for e in doc.source["ocr"]["errors"]]
    assert len(messages) == 2
    assert "像素过多" in messages[0] and "无法解码" in messages[1]


def test_official_seal_is_not_read(tmp_path):
    """A red seal (印章) under the signature is a picture of text, not report text."""
    from PIL import Image, ImageDraw

    from nlp_review.ingest import load_path

    seal = Image.new("RGB", (320, 320), "white")
    draw = ImageDraw.Draw(seal)
    draw.ellipse((10, 10, 310, 310), outline=(220, 20, 20), width=8)
    draw.text((70, 140), "某某区人民政府", font=R._font(28), fill=(220, 20, 20))
    path = tmp_path / "seal.docx"
    _docx_with_pictures(path, [R.png_bytes(seal)])
    doc = load_path(path)
    assert "人民政府" not in doc.text.replace("某某区2023年政府信息公开工作年度报告", "")
    assert doc.source["ocr"]["items"] == 0


def test_picture_and_time_limits(tmp_path, monkeypatch):
    from nlp_review.ingest import load_path

    m = seed_model(FAST_SEED)
    png = R.table_images(m)[4]
    path = tmp_path / "two.docx"
    _docx_with_pictures(path, [png, png])
    monkeypatch.setenv("NLP_REVIEW_OCR_MAX_PAGES", "1")
    doc = load_path(path)
    assert doc.source["ocr"]["items"] == 1 and doc.source["ocr"]["not_read_over_limit"] == 1
    assert "超过识别上限" in doc.source["ocr"]["errors"][0]["message"]
    monkeypatch.setenv("NLP_REVIEW_OCR_MAX_PAGES", "60")
    monkeypatch.setenv("NLP_REVIEW_OCR_PAGE_TIMEOUT_S", "0")
    doc = load_path(path)
    assert all("识别超时" in e["message"] for e in doc.source["ocr"]["errors"])


def test_unreadable_scanned_pdf_is_a_clear_error(tmp_path, monkeypatch):
    from PIL import Image

    from nlp_review.ingest import load_path

    path = tmp_path / "scan.pdf"
    img = Image.new("L", (1240, 1754), 255)
    img.paste(0, (100, 100, 1100, 140))
    img.save(str(path), "PDF", resolution=150.0)
    monkeypatch.setenv("NLP_REVIEW_OCR_PAGE_TIMEOUT_S", "0")
    with pytest.raises(InputError) as e:
        load_path(path)
    assert e.value.code == "ocr_failed" and "识别超时" in e.value.message


def test_engine_uses_the_bundled_models():
    import rapidocr_onnxruntime

    from nlp_review.ingest.ocr import engine

    eng = engine()
    root = os.path.dirname(rapidocr_onnxruntime.__file__)
    for sess in (eng.det.infer.session, eng.rec.session.session):
        assert sess.get_providers() == ["CPUExecutionProvider"]
    assert os.path.isfile(os.path.join(root, "models", "ch_PP-OCRv4_det_infer.onnx"))


# --- all five seeds (NLP_REVIEW_TEST_OCR_ALL=1) -----------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not ALL, reason="all five seeds: NLP_REVIEW_TEST_OCR_ALL=1 (make test-ocr-all)")
@pytest.mark.parametrize("seed", SEEDS, ids=[p.name[:3] for p in SEEDS])
@pytest.mark.parametrize("fmt", ["docx", "html", "scan"])
def test_all_seeds(tmp_path, seed, fmt, txt_docs):
    if fmt == "docx":
        path = tmp_path / "r.docx"
        R.seed_to_docx_table_images(seed, path)
    elif fmt == "html":
        path = tmp_path / "page"
        R.seed_to_html_folder(seed, path)
    else:
        if not R.have_scan_tools():
            pytest.skip("LibreOffice/pdftoppm missing")
        path = tmp_path / "scan.pdf"
        R.seed_to_scanned_pdf(seed, path)
    doc = review_path(path)
    assert_reads_like_txt(doc, txt_docs[seed.name[:3]])
    assert _key_findings(doc) == _key_findings(review_path(seed))
