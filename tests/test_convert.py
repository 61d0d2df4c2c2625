""".doc, .wps and .odt uploads: converted to .docx by LibreOffice headless
(nlp_review/ingest/convert.py) and reviewed like the Word file they came from. The .doc and
.odt are made by LibreOffice itself from a seed's .docx; the review of each must give the
same findings and table cells as the .docx. Refusals are Chinese and bounded."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from nlp_review.errors import InputError
from nlp_review.ingest import convert, load_bytes
from nlp_review.pipeline import review_path
from tests.conftest import SEEDS
from tests.renderers import seed_to_docx

needs_soffice = pytest.mark.skipif(convert.soffice() is None,
                                   reason="LibreOffice (soffice) is not installed: `make test` installs it")


def _libreoffice_copies(docx_path, out_dir):
    """The .docx saved by LibreOffice as Word 97 (.doc) and OpenDocument (.odt)."""
    for target in ("doc:MS Word 97", "odt"):
        subprocess.run([convert.soffice(), f"-env:UserInstallation={(out_dir / 'profile').as_uri()}", "--headless",
                        "--norestore", "--convert-to", target, "--outdir", str(out_dir), str(docx_path)],
                       check=True, capture_output=True, timeout=180)
    return out_dir / (docx_path.stem + ".doc"), out_dir / (docx_path.stem + ".odt")


def _summary(doc):
    """Findings and table cells, without offsets (the converted file may differ in a
    whitespace character or two before them)."""
    cells = {name: {k: c.value for k, c in t.cells.items()} for name, t in doc.tables.items()}
    return {(f.rule, f.quote, f.message) for f in doc.findings}, cells


@needs_soffice
@pytest.mark.parametrize("seed", [SEEDS[0], SEEDS[3]], ids=lambda p: p.name[:3])
def test_doc_wps_odt_review_as_the_docx(seed, tmp_path):
    docx_path = tmp_path / "report.docx"
    seed_to_docx(seed, docx_path)
    doc_path, odt_path = _libreoffice_copies(docx_path, tmp_path)
    wps_path = tmp_path / "report.wps"  # WPS saves its .wps in the Word 97 binary format
    shutil.copy(doc_path, wps_path)
    want = review_path(docx_path)
    assert want.findings and want.tables
    for path, kind in ((doc_path, "doc"), (wps_path, "doc"), (odt_path, "odt")):
        got = review_path(path)
        assert got.source["format"] == "docx" and got.source["converted_from"] == kind
        assert _summary(got) == _summary(want), path.name
        assert all(got.text[f.start:f.end] == f.quote for f in got.findings)


def test_refused_in_chinese_without_libreoffice(monkeypatch):
    head = b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.text" + b"\x00" * 64
    monkeypatch.setattr(convert, "soffice", lambda: None)
    with pytest.raises(InputError) as e:
        load_bytes(head, "report.odt")
    assert e.value.code == "unsupported" and "LibreOffice" in e.value.message and ".odt" in e.value.message


def test_ole_files_that_are_not_word_documents():
    ole = convert.OLE_MAGIC + b"\x00" * 600
    with pytest.raises(InputError) as e:
        load_bytes(ole, "x.doc")
    assert e.value.code == "ole" and "Word" in e.value.message
    encrypted = convert.OLE_MAGIC + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    with pytest.raises(InputError) as e:
        load_bytes(encrypted, "secret.docx")
    assert e.value.code == "encrypted" and "密码" in e.value.message


@needs_soffice
def test_conversion_is_time_bounded_and_corrupt_doc_refused(tmp_path):
    fake_doc = convert.OLE_MAGIC + b"\x00" * 100 + "WordDocument".encode("utf-16-le") + b"\x00" * 4000
    with pytest.raises(InputError) as e:
        convert.to_docx(fake_doc, "doc", timeout_s=0.05)
    assert e.value.code == "timeout" and "超时" in e.value.message
    with pytest.raises(InputError) as e:
        load_bytes(fake_doc, "broken.doc")
    assert e.value.code == "ole" and "无法转换" in e.value.message
