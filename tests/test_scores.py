"""The overall score (nlp_review/scores.py): 0–100, counts content problems only, and is
the same for the same report whatever the file format — checked on seeds as .txt, as an
agency-styled .docx and as the PDF LibreOffice makes of that .docx."""
from __future__ import annotations

import pytest

from nlp_review.doc import Finding
from nlp_review.ingest import convert
from nlp_review.pipeline import review_path
from nlp_review.scores import CAP, DEDUCTION, overall
from tests.conftest import SEEDS
from tests.realdocs import libreoffice_pdfs, seed_to_agency_docx, style_of


@pytest.mark.skipif(convert.soffice() is None, reason="LibreOffice (soffice) is not installed: `make test` installs it")
@pytest.mark.parametrize("i", [0, 3], ids=lambda i: SEEDS[i].name[:3])
def test_same_score_in_every_format(i, tmp_path):
    docx_path = tmp_path / "report.docx"
    seed_to_agency_docx(SEEDS[i], docx_path, style_of(i))
    (pdf_path,) = libreoffice_pdfs([docx_path], tmp_path)
    docs = {p.suffix: review_path(p) for p in (SEEDS[i], docx_path, pdf_path)}
    scores = {k: d.scores["overall"] for k, d in docs.items()}
    assert len(set(scores.values())) == 1, scores
    assert 0 <= scores[".txt"] < 100  # every seed has a counted problem
    # Formats do differ in what is not counted (e.g. a PDF's punctuation): the score ignores it.
    counted = {k: sorted((f.rule, "".join(f.quote.split())) for f in d.findings if f.category in CAP)
               for k, d in docs.items()}
    assert counted[".docx"] == counted[".txt"] == counted[".pdf"]


def _finding(category: str, severity: str, quote: str = "x", rule: str = "X.Y") -> Finding:
    return Finding(rule=rule, category=category, severity=severity, start=0, end=len(quote), quote=quote, message="m")


def test_scale_caps_and_what_counts():
    assert overall([]) == 100
    assert overall([_finding("format", "error"), _finding("boilerplate", "warning")]) == 100
    assert overall([_finding("typo", "error", "甲")]) == 100 - DEDUCTION["error"]
    # The same problem found twice (e.g. wrapped differently) counts once.
    assert overall([_finding("typo", "error", "甲乙"), _finding("typo", "error", "甲\n乙")]) == 100 - DEDUCTION["error"]
    assert overall([_finding("typo", "warning", "甲", rule="TYPO.A"), _finding("typo", "info", "乙")]) == 97
    # Each category is capped; everything at once reaches exactly 0.
    flood = [_finding(c, "error", str(k), rule=f"{c.upper()}.R") for c in CAP for k in range(50)]
    assert overall(flood[:50]) == 100 - CAP[next(iter(CAP))]
    assert overall(flood) == 0 and sum(CAP.values()) == 100
