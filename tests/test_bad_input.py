"""Bad input through the real CLI: a Chinese message, the right exit code, no traceback,
no hang. Files are built here (small on disk); all cases run concurrently once."""
from __future__ import annotations

import io
import json
import random
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.renderers import SEEDS, seed_to_docx, seed_to_pdf

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "nlp-review"
TIMEOUT_S = 120  # a hang fails the test instead of blocking the suite
CJK = re.compile(r"[\u4e00-\u9fff]")
SEED_TEXT = SEEDS[0].read_text(encoding="utf-8")

NEWS = ("本报讯 记者从市气象台获悉，受冷空气影响，本周末我市将迎来明显降温，最低气温将降至零下五度。"
        "气象部门提醒广大市民注意防寒保暖，出行注意交通安全。") * 3


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _bomb() -> bytes:
    """A docx-looking zip whose document.xml inflates to 64 MB (about 64 KB on disk: ratio ~1000).

    (The 200 MB total-size limit is tested in test_ingest_formats with a lowered limit.)"""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(block)
    return buf.getvalue()


def _pdf_canvas(draw, **kw) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, **kw)
    draw(c)
    c.save()
    return buf.getvalue()


def _scanned_pdf() -> bytes:
    """An image-only page: a raster picture of text, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    img = Image.new("L", (600, 200), 255)
    d = ImageDraw.Draw(img)
    for y in range(20, 180, 20):
        d.line((20, y, 580, y), fill=0, width=6)  # "lines of text"
    return _pdf_canvas(lambda c: c.drawImage(ImageReader(img), 50, 500, width=500, height=170))


def _encrypted_pdf() -> bytes:
    from reportlab.lib import pdfencrypt

    def draw(c):
        c.drawString(100, 700, "annual report")

    return _pdf_canvas(draw, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))


def _many_pages_pdf() -> bytes:
    def draw(c):
        for i in range(201):
            c.drawString(100, 700, f"page {i}")
            c.showPage()

    return _pdf_canvas(draw)


def _missing_sections() -> bytes:
    """The seed without sections five and six (and their text)."""
    cut = SEED_TEXT.index("五、存在的主要问题")
    return SEED_TEXT[:cut].encode("utf-8")


def _cases(tmp: Path) -> dict[str, tuple[str, bytes, tuple[int, ...]]]:
    """name → (file name, bytes, accepted exit codes)."""
    docx_path = tmp / "seed.docx"
    seed_to_docx(SEEDS[0], docx_path)
    docx_bytes = docx_path.read_bytes()
    pdf_path = tmp / "seed.pdf"
    seed_to_pdf(SEEDS[0], pdf_path)
    rnd = random.Random(7)
    bad = (2,)
    ok = (0, 1)
    return {
        "empty": ("empty.txt", b"", bad),
        "whitespace": ("blank.txt", b"  \n\t \r\n \xe3\x80\x80\n", bad),
        "random_binary": ("random.bin", bytes(rnd.getrandbits(8) for _ in range(8192)), bad),
        "random_binary_as_docx": ("random.docx", bytes(rnd.getrandbits(8) for _ in range(8192)), bad),
        "truncated_docx": ("truncated.docx", docx_bytes[: len(docx_bytes) // 2], bad),
        "docx_bad_xml": ("badxml.docx", _zip({"[Content_Types].xml": b"<Types/>",
                                                "word/document.xml": b"<w:document><unclosed"}), bad),
        "zip_not_word": ("sheet.docx", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}), bad),
        "zip_bomb": ("bomb.docx", _bomb(), bad),
        "zip_5000_entries": ("many.docx", _zip({f"word/media/f{i}.xml": b"<a/>" for i in range(5000)}
                                               | {"word/document.xml": b"<a/>"}, zipfile.ZIP_STORED), bad),
        "ole_encrypted_docx": ("secret.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096, bad),
        "corrupt_pdf": ("corrupt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a pdf\n%%EOF", bad),
        "truncated_pdf": ("truncated.pdf", pdf_path.read_bytes()[:3000], bad),
        "encrypted_pdf": ("encrypted.pdf", _encrypted_pdf(), bad),
        "scanned_pdf": ("scanned.pdf", _scanned_pdf(), bad),
        "too_many_pages_pdf": ("long.pdf", _many_pages_pdf(), bad),
        "hello_world": ("hello.txt", b"hello world\n", bad),
        "chinese_news": ("news.txt", NEWS.encode("utf-8"), bad),
        "html_only_navigation": ("nav.html", "<html><body><nav><a href='/'>首页</a></nav><script>x()</script>"
                                             "</body></html>".encode("utf-8"), bad),
        "png_named_pdf": ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, bad),
        "missing_sections_report": ("partial.txt", _missing_sections(), ok),
    }


# Valid files in other encodings go through one `batch` run (one model load for all three).
ENCODED = {"gbk.txt": (SEED_TEXT.encode("gbk"), "gb18030"),
           "bom.txt": (b"\xef\xbb\xbf" + SEED_TEXT.encode("utf-8"), "utf-8-sig"),
           "utf16.txt": (SEED_TEXT.encode("utf-16"), "utf-16")}


def _run(args) -> tuple[int, str, str]:
    args = [str(a) for a in args] if isinstance(args, list) else ["check", str(args)]
    try:
        # the review guard's own clock (60 s by default, tested in test_limits) gets the test's
        # hang limit: a loaded shared machine must not turn a slow review into a refusal here
        env = {**os.environ, "NLP_REVIEW_TIMEOUT_S": str(TIMEOUT_S - 10)}
        p = subprocess.run([str(CLI), *args], capture_output=True, timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        return -999, "", f"timeout after {TIMEOUT_S}s"
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not CLI.exists():
        pytest.skip("console script not installed in .venv")
    tmp = tmp_path_factory.mktemp("bad_input")
    cases = _cases(tmp)
    paths = {}
    for name, (fname, data, _codes) in cases.items():
        paths[name] = tmp / fname
        paths[name].write_bytes(data)
    enc_dir = tmp / "encodings"
    enc_dir.mkdir()
    for fname, (data, _enc) in ENCODED.items():
        (enc_dir / fname).write_bytes(data)
    jobs = [paths[n] for n in cases] + [["batch", enc_dir, "--out", tmp / "enc.jsonl", "--quiet"]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        ran = list(pool.map(_run, jobs))
    outs = dict(zip(cases, ran))
    outs["batch_encodings"] = ran[-1]
    return cases, paths, outs


CASE_NAMES = ["empty", "whitespace", "random_binary", "random_binary_as_docx", "truncated_docx", "docx_bad_xml", "zip_not_word", "zip_bomb", "zip_5000_entries",
              "ole_encrypted_docx", "corrupt_pdf", "truncated_pdf", "encrypted_pdf", "scanned_pdf",
              "too_many_pages_pdf", "hello_world", "chinese_news", "html_only_navigation", "png_named_pdf",
              "missing_sections_report"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_cli_exit_code_message_no_traceback(results, name):
    cases, paths, outs = results
    rc, out, err = outs[name]
    assert rc != -999, f"{name} hung"
    assert rc in cases[name][2], (name, rc, err[-2000:])
    assert "Traceback" not in err and "Traceback" not in out
    if rc == 2:
        assert err.startswith("nlp-review: 无法审查：") and CJK.search(err), err
        assert not out.strip()


def test_encodings_are_detected_and_reported(results):
    """GBK, UTF-8 with BOM and UTF-16 copies of a seed: read correctly, encoding reported."""
    _cases_, paths, outs = results
    rc, _out, err = outs["batch_encodings"]
    assert rc == 0 and "Traceback" not in err, err[-2000:]
    out_file = paths["empty"].parent / "enc.jsonl"
    reports = {r["source"]["path"]: r for r in map(json.loads, out_file.read_text(encoding="utf-8").splitlines())}
    assert set(reports) == set(ENCODED)
    for fname, (_data, enc) in ENCODED.items():
        report = reports[fname]
        assert report["source"]["encoding"] == enc, fname
        assert report["text"].startswith(SEED_TEXT.lstrip("\ufeff")[:10])
        assert [s["number"] for s in report["report"]["sections"] if s["found"]] == [1, 2, 3, 4, 5, 6]
        assert report["report"]["tables"]["table3"] == reports["bom.txt"]["report"]["tables"]["table3"]


def test_specific_messages(results):
    _cases_, _paths, outs = results
    assert "扫描件" in outs["scanned_pdf"][2] and "OCR" in outs["scanned_pdf"][2]
    assert "加密" in outs["encrypted_pdf"][2]
    assert "加密" in outs["ole_encrypted_docx"][2] or ".doc" in outs["ole_encrypted_docx"][2]
    assert "压缩炸弹" in outs["zip_bomb"][2]
    assert "文件过多" in outs["zip_5000_entries"][2]
    assert "不是 Word" in outs["zip_not_word"][2]
    assert "200" in outs["too_many_pages_pdf"][2]
    assert "为空" in outs["empty"][2]
    assert "为空" in outs["whitespace"][2] or "没有可读取的文字" in outs["whitespace"][2]
    for name in ("truncated_docx", "docx_bad_xml", "corrupt_pdf", "truncated_pdf"):
        assert "损坏" in outs[name][2], name
    for name in ("hello_world", "chinese_news"):
        assert "年度报告" in outs[name][2], name


def test_incomplete_report_is_reviewed_with_structure_findings(results):
    _cases_, _paths, outs = results
    rc, out, err = outs["missing_sections_report"]
    report = json.loads(out)
    missing = [f for f in report["findings"] if f["category"] == "structure"]
    assert missing and any("五" in f["message"] or "存在的主要问题" in f["message"] for f in missing)
    assert report["report"]["tables"]["table3"]  # what is there is still read


def test_bad_files_are_small_on_disk(results):
    _cases_, paths, _outs = results
    assert paths["zip_bomb"].stat().st_size < 2_000_000
    assert paths["zip_5000_entries"].stat().st_size < 2_000_000


def test_reader_errors_are_input_errors_in_process(results):
    """The same files through the Python API raise InputError (what the service relies on)."""
    from nlp_review.errors import InputError
    from nlp_review.ingest import load_path

    cases, paths, _outs = results
    for name in CASE_NAMES:
        if cases[name][2] == (2,) and name not in ("hello_world", "chinese_news"):
            with pytest.raises(InputError):
                load_path(paths[name])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
