"""Typo suggestions as Word tracked changes (修订), checked by LibreOffice itself: the annotated
.docx converts headless (no repair: every comment survives) and its changes are listed as
tracked changes by 年报审查 — the quote deleted, the suggestion inserted."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from nlp_review.annotate.docx import CommentStyle, annotated_docx_for, tracked_suggestion
from nlp_review.pipeline import Options, review_bytes
from nlp_review.report import to_contract
from tests.conftest import SEEDS
from tests.service_support import seed_docx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (make test installs it)")


def _to_fodt(docx_path, out_dir):
    profile = out_dir / ".lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "fodt", "--outdir", str(out_dir), str(docx_path)],
                   check=True, timeout=180, capture_output=True, env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
    return (out_dir / (docx_path.stem + ".fodt")).read_text(encoding="utf-8")


def _changes(fodt: str) -> dict[str, tuple[str, str, str]]:
    """change id → (kind, author, text between its change-start and change-end)."""
    body = re.sub(r"<office:annotation[ >].*?</office:annotation>", "", fodt, flags=re.S)
    out = {}
    for m in re.finditer(r'<text:changed-region[^>]*text:id="([^"]+)"[^>]*>\s*<text:(insertion|deletion)>'
                         r'.*?<dc:creator>([^<]*)</dc:creator>', fodt, re.S):
        cid, kind, author = m.groups()
        span = re.search(rf'<text:change-start text:change-id="{cid}"/>(.*?)<text:change-end text:change-id="{cid}"/>',
                         body, re.S)
        out[cid] = (kind, author, re.sub(r"<[^>]+>", "", span.group(1)) if span else "")
    return out


def test_tracked_changes_open_in_libreoffice(tmp_path):
    data = seed_docx(SEEDS[3], tmp_path)  # 003: three typos with one suggestion each
    result = to_contract(review_bytes(data, "003.docx", Options()))
    tracked = {f["quote"]: tracked_suggestion(f) for f in result["findings"] if tracked_suggestion(f)}
    assert {"为收取": "未收取", "信息公开处理费": "信息处理费"}.items() <= tracked.items()
    out = tmp_path / "annotated.docx"
    out.write_bytes(annotated_docx_for(data, result))
    fodt = _to_fodt(out, tmp_path)
    # every comment survived the import (a repaired file loses them)
    assert fodt.count("<office:annotation ") == len(result["findings"])
    changes = list(_changes(fodt).values())
    assert {a for _, a, _ in changes} == {"年报审查"}
    assert sorted(t for k, _, t in changes if k == "deletion") == sorted(tracked)
    assert sorted(t for k, _, t in changes if k == "insertion") == sorted(tracked.values())
    # …and without tracked changes, none
    plain = tmp_path / "plain.docx"
    plain.write_bytes(annotated_docx_for(data, result, style=CommentStyle(track_changes=False)))
    assert "<text:changed-region" not in _to_fodt(plain, tmp_path)
