"""Resource limits that hold for every input (issue #11): counts read from a file are
bounded, one enormous paragraph is cut into bounded work, and `check` runs each review
under a memory and time guard. Hostile inputs run in a subprocess under a hard address-space
cap, so a regression fails here instead of exhausting the machine."""
from __future__ import annotations

import io
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.limits_support import grid_bomb_docx, huge_paragraph_text, run_bounded, zip_field

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "nlp-review"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory) -> bytes:
    from tests.renderers import seed_to_docx

    out = tmp_path_factory.mktemp("docx") / "seed.docx"
    seed_to_docx(SEEDS[0], out)
    return out.read_bytes()


# --- counts read from the file ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999999", "99999999999999999999", "-7", "abc"])
def test_docx_grid_span_bomb_is_read_clamped(tmp_path, seed_docx, value):
    """A 40 KB .docx asking for 10^8 empty cells per row (gridBefore/gridAfter/gridSpan) is read
    with the spans clamped: every row ≤ MAX_TABLE_COLUMNS cells, the text intact, little memory."""
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(grid_bomb_docx(seed_docx, value))
    assert bomb.stat().st_size < 60_000
    res = run_bounded(f"""
        from nlp_review.ingest import load_path
        from nlp_review.ingest.docx_reader import read_docx
        raw = read_docx(open({str(bomb)!r}, "rb").read())
        widths = [len(row) for b in raw.blocks if hasattr(b, "rows") for row in b.rows]
        doc = load_path({str(bomb)!r})
        emit({{"max_width": max(widths), "rows": len(widths), "chars": len(doc.text)}})
    """, mem_mb=2500, timeout_s=120)
    assert res["rc"] == 0 and res["out"], res["stderr"][-1500:]
    from nlp_review.ingest.limits import MAX_TABLE_COLUMNS

    assert res["out"]["max_width"] <= MAX_TABLE_COLUMNS
    assert res["out"]["rows"] > 20 and res["out"]["chars"] > 2000
    assert res["out"]["rss_mb"] < 400


def test_html_span_bomb_is_clamped_or_refused(tmp_path):
    """colspan/rowspan = 99999 on 1,500 rows: refused with a Chinese message in a fraction of a
    second (it was quadratic and unbounded); a single huge colspan is clamped."""
    seed = SEEDS[0].read_text(encoding="utf-8")
    body = "".join(f"<p>{ln}</p>" for ln in seed.splitlines())
    rows = "<tr><td colspan=99999 rowspan=99999>1</td></tr>" * 1500
    (tmp_path / "bomb.html").write_text(f"<html><body>{body}<table>{rows}</table></body></html>", encoding="utf-8")
    (tmp_path / "wide.html").write_text(f"<html><body>{body}<table><tr><td colspan=99999999>1</td><td>2</td></tr>"
                                        "</table></body></html>", encoding="utf-8")
    res = run_bounded(f"""
        from nlp_review.errors import InputError
        from nlp_review.ingest import load_path
        from nlp_review.ingest.html_reader import read_html
        try:
            load_path({str(tmp_path / "bomb.html")!r}); bomb = "read"
        except InputError as e:
            bomb = e.message
        raw = read_html(open({str(tmp_path / "wide.html")!r}, "rb").read())
        emit({{"bomb": bomb, "wide": [len(r) for b in raw.blocks if hasattr(b, "rows") for r in b.rows]}})
    """, mem_mb=2500, timeout_s=60)
    assert res["rc"] == 0 and res["out"], (res["rc"], res["stderr"][-1500:])
    assert "表格单元格过多" in res["out"]["bomb"]
    from nlp_review.ingest.limits import MAX_TABLE_COLUMNS

    assert res["out"]["wide"] == [MAX_TABLE_COLUMNS]  # the second cell has no grid column left


def test_text_with_more_lines_than_a_report_is_refused_before_building_them(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes(SEEDS[0].read_bytes() + b"\n" * 1_100_000)
    res = run_bounded(f"""
        from nlp_review.errors import InputError
        from nlp_review.ingest import load_path
        try:
            load_path({str(path)!r}); emit({{"msg": ""}})
        except InputError as e:
            emit({{"msg": e.message}})
    """, mem_mb=1500, timeout_s=60)
    assert res["rc"] == 0 and res["out"] and "行过多" in res["out"]["msg"], res
    assert res["out"]["rss_mb"] < 250


def test_pdf_page_with_too_many_characters_is_refused():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from nlp_review.errors import InputError
    from nlp_review.ingest import load_bytes

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 2)
    for k in range(420):
        c.drawString(5, 835 - 2 * k, "本年度政府信息公开工作有序开展" * 6)
    c.showPage()
    c.save()
    with pytest.raises(InputError) as e:
        load_bytes(buf.getvalue(), "dense.pdf")
    assert "单页文字过多" in e.value.message


def test_pdf_page_with_too_many_rule_segments_is_read_without_tables(tmp_path, monkeypatch):
    """Rule segments are collected up to MAX_PDF_PAGE_RULES per page (each is a dict given to
    the table finder); a page over the bound keeps its text and loses only its tables."""
    from nlp_review.ingest import load_bytes, pdf_reader
    from nlp_review.ingest.blocks import TableBlock
    from tests.renderers import seed_to_pdf

    seed_to_pdf(SEEDS[0], tmp_path / "seed.pdf")
    data = (tmp_path / "seed.pdf").read_bytes()
    ruled = pdf_reader.read_pdf(data)
    assert any(isinstance(b, TableBlock) for b in ruled.blocks)
    monkeypatch.setattr(pdf_reader, "MAX_PDF_PAGE_RULES", 3)
    plain = pdf_reader.read_pdf(data)
    assert not any(isinstance(b, TableBlock) for b in plain.blocks)
    assert load_bytes(data, "seed.pdf").text.startswith(SEEDS[0].read_text(encoding="utf-8")[:10])


# --- one enormous paragraph ------------------------------------------------------------------


def test_huge_paragraph_is_cut_into_bounded_sentences():
    """550,000 characters in one paragraph with no full stop (inside the 600,000 limit): no
    sentence longer than MAX_SENTENCE_CHARS, spaCy fed pieces of ≤ MAX_SPACY_CHARS, and the
    sentences tile the paragraph (nothing lost, nothing overlapping)."""
    from nlp_review.ingest import load_bytes
    from nlp_review.structure.paragraphs import structure
    from nlp_review.structure.sentences import MAX_SENTENCE_CHARS, MAX_SPACY_CHARS, segment

    doc = load_bytes(huge_paragraph_text(SEEDS[3].read_text(encoding="utf-8")).encode("utf-8"), "huge.txt")
    structure(doc)
    segment(doc)
    para = max(doc.paragraphs, key=lambda p: p.end - p.start)
    assert para.end - para.start >= 550_000
    inside = [s for s in doc.sentences if para.start <= s.start < para.end]
    assert max(s.end - s.start for s in doc.sentences) <= MAX_SENTENCE_CHARS
    assert inside[0].start == para.start and inside[-1].end == para.end
    for a, b in zip(inside, inside[1:]):
        assert a.end <= b.start and not doc.text[a.end:b.start].strip()
    assert max(len(sdoc.text) for _start, sdoc in doc.tokens) <= MAX_SPACY_CHARS
    for start, sdoc in doc.tokens:
        assert doc.text[start:start + len(sdoc.text)] == sdoc.text
    assert len(inside) >= 550_000 // MAX_SENTENCE_CHARS


def test_real_paragraphs_are_segmented_as_before():
    """The bounds never touch real text: a seed's sentences are spaCy's, one piece per paragraph."""
    from nlp_review.ingest import load_path
    from nlp_review.structure.sentences import segment

    doc = load_path(SEEDS[3])
    segment(doc)
    assert len(doc.tokens) == len(doc.paragraphs)
    assert [(p.start, p.end - p.start) for p in doc.paragraphs] == [(start, len(sdoc.text)) for start, sdoc in doc.tokens]


def test_typo_lm_scores_long_text_in_windows_with_the_same_result():
    """The statistical checker scores text longer than MAX_LM_CHARS in overlapping windows:
    the proposals are those of the whole text, and a 550,000-character line needs little memory
    (it asked for ~276 M-entry arrays)."""
    from nlp_review.typo import checker
    from nlp_review.typo.engine import stat_checker

    ck = stat_checker()
    seed = SEEDS[1].read_text(encoding="utf-8")
    prose = "".join(ln.strip() for ln in seed.splitlines() if len(ln.strip()) > 30 and "\t" not in ln)
    text = (prose.replace("。", "，") * 5)[:4000]
    windowed = ck.proposals(text)
    saved = checker.MAX_LM_CHARS
    try:
        checker.MAX_LM_CHARS = 10**9
        whole = ck.proposals(text)
    finally:
        checker.MAX_LM_CHARS = saved
    assert windowed and sorted(windowed) == sorted(whole)
    res = run_bounded(f"""
        from nlp_review.typo.engine import stat_checker
        text = ({prose[:400]!r} * 2000)[:550_000]
        emit({{"found": len(stat_checker().detect(text))}})
    """, mem_mb=3000, timeout_s=300)
    assert res["rc"] == 0 and res["out"], res["stderr"][-1500:]
    assert res["out"]["rss_mb"] < 900


# --- bad input that crashed (exit 3 / HTTP 500) ---------------------------------------------------


def _page(head: str = "", prefix: str = "") -> bytes:
    seed = SEEDS[0].read_text(encoding="utf-8")
    body = "".join(f"<p>{ln}</p>" for ln in seed.splitlines())
    return f"{prefix}<html><head>{head}</head><body>{body}</body></html>".encode("utf-8")


@pytest.mark.parametrize("charset", ["undefined", "unicode_escape", "raw_unicode_escape", "idna", "punycode",
                                     "utf-7", "rot13", "hex", "x-no-such-charset"])
def test_html_declared_charset_that_is_no_page_encoding(charset):
    from nlp_review.ingest import load_bytes

    doc = load_bytes(_page(f'<meta charset="{charset}">'), "page.html")
    assert doc.text.startswith("呼兰区教育局2023年政府信息公开工作")
    assert doc.source["encoding"] == "utf-8"


def test_xhtml_doctype_with_internal_subset_leaves_no_markup_in_the_text():
    from nlp_review.ingest import load_bytes

    prefix = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
              '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd" [\n<!ENTITY nbsp "&#160;">\n]>\n')
    doc = load_bytes(_page(prefix=prefix), "page.xhtml")
    assert "]>" not in doc.text and "ENTITY" not in doc.text
    assert doc.text.startswith("呼兰区教育局")


@pytest.mark.parametrize("field", ["crc", "version", "method", "local_name"])
def test_docx_zip_entry_that_cannot_be_inflated_is_a_chinese_error(seed_docx, field):
    """document.xml missing from the index (its name corrupted) and the package relationships
    unreadable: bad CRC, an unknown zip version or compression method, a local name that differs
    from the index — BadZipFile/NotImplementedError escaped as exit 3 before."""
    from nlp_review.errors import InputError
    from nlp_review.ingest import load_bytes

    data = zip_field(seed_docx, "word/document.xml", 46, b"x")  # name in the index: "xord/document.xml"
    data = {"crc": lambda d: zip_field(d, "_rels/.rels", 16, b"\0\0\0\0"),
            "version": lambda d: zip_field(d, "_rels/.rels", 6, (99).to_bytes(2, "little")),
            "method": lambda d: zip_field(d, "_rels/.rels", 10, (99).to_bytes(2, "little")),
            "local_name": lambda d: zip_field(d, "_rels/.rels", 30, b"x", central=False)}[field](data)
    with pytest.raises(InputError) as e:
        load_bytes(data, "broken.docx")
    assert CJK.search(e.value.message)


def test_docx_xml_part_over_the_size_limit_is_refused(seed_docx, monkeypatch):
    from nlp_review.errors import InputError
    from nlp_review.ingest import docx_reader, load_bytes

    monkeypatch.setattr(docx_reader, "MAX_XML_PART_BYTES", 10_000)
    with pytest.raises(InputError) as e:
        load_bytes(seed_docx, "big.docx")
    assert "XML 部件过大" in e.value.message


def test_damaged_pdfs_leave_stderr_empty(tmp_path):
    """A PDF with a broken MediaBox, one with broken xref offsets, one cut in half: the reader
    reads the text or refuses in Chinese, and nothing reaches stderr (pdfminer, which the
    reader used before PDFium, logged English warnings such as “Invalid MediaBox in /Page,
    defaulting to US Letter” through Python's last-resort handler)."""
    from tests.renderers import seed_to_pdf

    pdf = tmp_path / "seed.pdf"
    seed_to_pdf(SEEDS[0], pdf)
    data = pdf.read_bytes()
    # same length: the xref offsets stay right
    damaged = {"mediabox": re.sub(rb"/MediaBox \[([^\]]*)\]", lambda m: b"/MediaBox [" + b"x" * len(m.group(1)) + b"]", data),
               "xref": re.sub(rb"\d{10} 00000 n", b"0000000001 00000 n", data),
               "cut": data[:len(data) // 2]}
    for name, blob in damaged.items():
        assert blob != data
        (tmp_path / f"{name}.pdf").write_bytes(blob)
    res = run_bounded(f"""
        from nlp_review.errors import InputError
        from nlp_review.ingest import load_path
        out = {{}}
        for name in {sorted(damaged)!r}:
            try:
                out[name] = len(load_path({str(tmp_path)!r} + "/" + name + ".pdf").text)
            except InputError as e:
                out[name] = e.message
        emit({{"outcome": out}})
    """, timeout_s=120)
    assert res["rc"] == 0 and res["out"], res["stderr"][-500:]
    for name, outcome in res["out"]["outcome"].items():
        assert (isinstance(outcome, int) and outcome > 1000) or CJK.search(outcome), (name, outcome)
    assert res["stderr"].strip() == ""


# --- the guard of `check` -------------------------------------------------------------------------


# Runs the CLI as the child of a small launcher that reports RUSAGE_CHILDREN: the peak RSS of
# the CLI and its review child. (Measured from this test process, ru_maxrss would include the
# pytest process's own memory copied at fork, which survives exec.)
_LAUNCH = ("import os, resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
           "open(os.environ['PEAK_FILE'], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
           "sys.exit(rc)")


def _check(path, *args, timeout=400):
    """`nlp-review check` → (exit code, stdout, stderr, peak RSS of the CLI and its review child in MB)."""
    import os
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        p = subprocess.run([sys.executable, "-c", _LAUNCH, str(CLI), "check", str(path), *args], capture_output=True,
                           timeout=timeout, cwd=ROOT, env={**os.environ, "PEAK_FILE": str(peak_file)})
        peak = int(peak_file.read_text()) / 1024
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), peak


@pytest.fixture(scope="module")
def huge_txt(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("huge") / "huge.txt"
    path.write_text(huge_paragraph_text(SEEDS[3].read_text(encoding="utf-8"), stops=True), encoding="utf-8")
    return path


def test_check_stops_a_review_over_its_memory_budget(huge_txt):
    """The 550,000-character report needs ~200 MB more than a seed report. With a budget of the
    seed's own peak + 100 MB the seed is reviewed and the huge report is stopped."""
    rc, out, err, peak = _check(SEEDS[3])
    assert rc in (0, 1) and out.startswith("{"), err[-500:]
    budget = str(round(peak + 100))
    rc, out, err, _ = _check(SEEDS[3], "--max-memory-mb", budget)
    assert rc in (0, 1) and out.startswith("{"), err[-500:]
    rc, out, err, huge_peak = _check(huge_txt, "--max-memory-mb", budget, "--timeout", "600")
    assert rc == 2 and not out.strip(), err[-500:]
    assert err.startswith(f"nlp-review: 无法审查：审查所需内存超过上限（{budget} MB）") and "Traceback" not in err
    assert huge_peak < float(budget) + 150  # stopped within a poll of the budget


def test_check_stops_a_review_over_its_time_budget(huge_txt):
    rc, out, err, _ = _check(huge_txt, "--timeout", "3")
    assert rc == 2 and not out.strip(), err[-500:]
    assert "审查超时（超过 3 秒）" in err and "Traceback" not in err


def test_guard_budget_is_what_the_review_adds_to_its_caller(tmp_path):
    """A caller that already holds much memory (a test process, an application embedding the
    CLI) forks children that inherit its resident pages: the budget counts what the review adds
    (the full suite's pytest process was over 1 GB and every in-process `check` was refused).
    Its memory-mapped files are resident in it but not in the child, so they are not inherited
    (in CI the suite's mapped models hid a 500 MB review under a 300 MB budget)."""
    import mmap

    from nlp_review.guard import Limits, run_guarded

    held = bytearray(600 * 2**20)  # resident in the caller, inherited by the child
    held[::4096] = b"x" * len(held[::4096])
    mapped_file = tmp_path / "model.bin"
    with open(mapped_file, "wb") as fh:
        fh.truncate(400 * 2**20)
    fh = open(mapped_file, "rb")
    mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    assert sum(mapped[i] for i in range(0, len(mapped), 4096)) == 0  # resident in the caller only

    def small():
        time.sleep(0.5)  # several polls of the watch
        return len(bytes(10 * 2**20))

    stats = {}
    assert run_guarded(small, limits=Limits(max_rss_mb=300, timeout_s=60), stats=stats) == 10 * 2**20
    assert stats["peak_rss_mb"] < 300

    def large():
        block = bytearray(500 * 2**20)
        block[::4096] = b"y" * len(block[::4096])
        time.sleep(0.5)  # held for several polls of the watch
        return len(block)

    with pytest.raises(Exception) as e:
        run_guarded(large, limits=Limits(max_rss_mb=300, timeout_s=60))
    assert "内存超过上限" in str(getattr(e.value, "message", e.value))
    mapped.close()
    fh.close()
    del held


def test_guard_passes_results_and_errors_through():
    from nlp_review.errors import InputError, ModelError
    from nlp_review.guard import Limits, run_guarded

    stats = {}
    assert run_guarded(sum, [1, 2, 3], limits=Limits(max_rss_mb=2000, timeout_s=30), stats=stats) == 6
    assert stats["wall_s"] < 30 and stats["peak_rss_mb"] >= 0

    def refuse():
        raise InputError("x", "中文说明", "detail")
    with pytest.raises(InputError) as e:
        run_guarded(refuse, limits=Limits(max_rss_mb=2000, timeout_s=30))
    assert (e.value.code, e.value.message) == ("x", "中文说明")

    def broken_model():
        raise ModelError("模型 x 已损坏")
    with pytest.raises(ModelError):
        run_guarded(broken_model, limits=Limits(max_rss_mb=2000, timeout_s=30))

    def allocate():
        return len(bytearray(3 * 2**30))  # beyond RLIMIT_AS: MemoryError in the child
    with pytest.raises(InputError) as e:
        run_guarded(allocate, limits=Limits(max_rss_mb=2000, timeout_s=30, address_space_mb=2048))
    assert e.value.code == "memory_limit"


def test_html_node_paths_are_lxml_paths_and_linear(tmp_path):
    """Node paths (the HTML source map) are built from the parent's path — the same strings as
    lxml's getpath, without its walk over all siblings (100,000 paragraphs in one div took 170 s)."""
    import lxml.html

    from nlp_review.ingest import load_bytes
    from nlp_review.ingest.html_reader import _Walker
    from tests.renderers import seed_to_html

    seed_to_html(SEEDS[2], tmp_path / "seed.html")
    odd = ("<html><body><div><p>a</p><o:p>b</o:p><p>c</p><!-- x --><span>d</span><p>e</p>"
           "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table><p>f</p></div><div>g</div></body></html>")
    for page in ((tmp_path / "seed.html").read_text(encoding="utf-8"), odd):
        root = lxml.html.document_fromstring(page)
        tree = root.getroottree()
        walker = _Walker(tree)
        for el in root.iter():
            if isinstance(el.tag, str):
                assert walker._path(el) == tree.getpath(el)
    seed = SEEDS[0].read_text(encoding="utf-8")
    body = "".join(f"<p>{ln}</p>" for ln in seed.splitlines()) + "<p>工作有序开展。</p>" * 60_000
    (tmp_path / "many.html").write_text("<html><body><div>" + body + "</div></body></html>", encoding="utf-8")
    res = run_bounded(f"""
        import time
        from nlp_review.ingest.html_reader import read_html
        t = time.process_time()  # CPU time: the shared machine's load does not count
        raw = read_html(open({str(tmp_path / "many.html")!r}, "rb").read())
        emit({{"s": time.process_time() - t, "blocks": len(raw.blocks)}})
    """, timeout_s=120)
    assert res["rc"] == 0 and res["out"]["blocks"] > 60_000, res["stderr"][-800:]
    assert res["out"]["s"] < 30
    page = tmp_path / "long.html"
    page.write_text("<html><body><div>" + body + "<p>" + "工作有序开展，" * 300_000 + "</p></div></body></html>",
                    encoding="utf-8")
    from nlp_review.errors import InputError

    with pytest.raises(InputError) as e:  # stopped while reading, not after building 2.5 M characters
        load_bytes(page.read_bytes(), "long.html")
    assert "文件内容过长" in e.value.message


def test_year_over_year_comparison_of_huge_paragraphs_is_bounded(tmp_path):
    """This year's and last year's report both hold a 100,000-character paragraph: difflib on
    two such paragraphs (repetitive text, autojunk off) ran for minutes; they are compared
    sentence by sentence (and the copied sentences are found)."""
    path = tmp_path / "huge.txt"
    path.write_text(huge_paragraph_text(SEEDS[0].read_text(encoding="utf-8"), n=100_000, stops=True),
                    encoding="utf-8")
    res = run_bounded(f"""
        import time
        from nlp_review.boilerplate.yoy import compare
        from nlp_review.ingest import load_path
        from nlp_review.structure.paragraphs import structure
        from nlp_review.structure.sections import detect_sections
        from nlp_review.structure.sentences import segment
        docs = []
        for _ in range(2):
            d = load_path({str(path)!r}); detect_sections(d); structure(d); segment(d); docs.append(d)
        t = time.process_time()
        copies, _unchanged = compare(docs[0], docs[1])
        emit({{"s": time.process_time() - t, "kinds": sorted({{c.kind for c in copies}})}})
    """, timeout_s=240)
    assert res["rc"] == 0 and res["out"], (res["rc"], res["stderr"][-800:])
    assert res["out"]["s"] < 60 and "sentence" in res["out"]["kinds"]


def test_utf8_bom_with_invalid_bytes_is_a_chinese_error():
    """Found by the fuzz corpus (unicode_noise-md-0-3): a BOM then a lone surrogate in CESU-8
    bytes raised UnicodeDecodeError (exit 3)."""
    from nlp_review.errors import InputError
    from nlp_review.ingest import load_bytes

    data = b"\xef\xbb\xbf" + SEEDS[0].read_text(encoding="utf-8").replace("。", "。\ud800", 3).encode("utf-8", "surrogatepass")
    for name in ("report.txt", "report.md"):
        with pytest.raises(InputError) as e:
            load_bytes(data, name)
        assert "UTF-8" in e.value.message and CJK.search(e.value.message)


def test_task_guard_stops_a_task_over_its_budget_and_runs_the_next():
    """The in-process guard of batch workers: a pure-Python task past its time, one growing past
    its memory, each ends with the Chinese InputError; the tasks before and after return."""
    from nlp_review.errors import InputError
    from nlp_review.guard import Limits, TaskGuard

    guard = TaskGuard(Limits(max_rss_mb=100, timeout_s=1.5, address_space_mb=0))
    try:
        assert guard.active
        assert guard.run(sum, [1, 2, 3]) == 6

        def spin():
            n = 0
            while True:
                n += 1

        t0 = time.monotonic()
        with pytest.raises(InputError) as e:
            guard.run(spin)
        assert e.value.code == "timeout" and "审查超时（超过 1.5 秒）" in e.value.message
        assert 1.5 <= time.monotonic() - t0 < 30

        def grow():
            held = []
            while True:  # 10 MB a step, touched: resident
                block = bytearray(10 * 2**20)
                block[::4096] = b"z" * len(block[::4096])
                held.append(block)

        with pytest.raises(InputError) as e:
            guard.run(grow)
        assert e.value.code == "memory_limit" and "内存超过上限（100 MB）" in e.value.message

        def refuse():
            raise InputError("bad_file", "文件已损坏。")

        with pytest.raises(InputError) as e:  # the task's own errors pass through unchanged
            guard.run(refuse)
        assert e.value.code == "bad_file"
        assert guard.run(len, "报告") == 2
        time.sleep(0.2)  # no late interrupt after a task that ended in time
    finally:
        guard.close()
