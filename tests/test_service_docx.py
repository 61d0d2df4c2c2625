"""Word comments: every seed uploaded as a real .docx comes back with one comment per
finding, anchored exactly on the finding's quote; arbitrary spans (across runs, nested,
overlapping, zero-length) anchor exactly too; other formats get a generated .docx."""
from __future__ import annotations

import io
import random
import re

import docx

import pytest
from fastapi.testclient import TestClient

from nlp_review.annotate import annotate_docx, text_to_docx
from nlp_review.annotate.docx import tracked_suggestion
from nlp_review.ingest import load_bytes
from nlp_review.ingest.builder import normalize_char
from service.app import create_app
from service.config import Settings
from tests.conftest import SEEDS
from tests.service_support import anchored_texts, comments_by_finding, seed_docx


def norm(s: str) -> str:
    """The builder's one-to-one normalisation (NBSP → space, full-width digits → ASCII…)."""
    return "".join(normalize_char(c) or "" for c in s)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("svc"))))


@pytest.fixture(scope="module")
def docx_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("docx")


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_docx_comments_anchor_on_quotes(seed, client, docx_dir):
    data = seed_docx(seed, docx_dir)
    r = client.post("/v1/reviews", files={"file": (seed.stem + ".docx", data, "application/octet-stream")})
    assert r.status_code == 201, r.text
    result = r.json()
    assert result["source"]["format"] == "docx"
    a = client.get(result["links"]["annotated_docx"])
    assert a.status_code == 200
    assert a.headers["content-type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(a.content))
    comments = comments_by_finding(document)
    assert sorted(comments) == sorted(f["id"] for f in result["findings"])  # one comment per finding
    anchored = anchored_texts(a.content)
    for f in result["findings"]:
        c = comments[f["id"]]
        assert c.author == "年报审查"
        assert f["message"] in c.text
        assert norm(anchored[str(c.comment_id)]) == f["quote"], f
    # The reviewer's own document: same text as the upload once comments are ignored and the
    # tracked changes rejected (the reader reads them accepted: each typo's suggestion in place).
    again = load_bytes(a.content, "x.docx")
    expected = result["text"]
    for f in sorted(result["findings"], key=lambda f: -f["start"]):
        if tracked_suggestion(f):
            expected = expected[:f["start"]] + f["suggestions"][0] + expected[f["end"]:]
    assert again.text == expected
    plain = client.get(result["links"]["annotated_docx"], params={"track_changes": "false"})
    assert load_bytes(plain.content, "x.docx").text == result["text"]


def _random_spans(text: str, rng: random.Random, n: int) -> list[tuple[int, int]]:
    """Spans inside single lines (any length, across runs), nested and overlapping."""
    lines, pos = [], 0
    for ln in text.split("\n"):
        if len(ln) > 3 and "\t" not in ln:
            lines.append((pos, pos + len(ln)))
        pos += len(ln) + 1
    spans = []
    for _ in range(n):
        a, b = rng.choice(lines)
        s = rng.randrange(a, b)
        e = rng.randrange(s, b + 1)
        spans.append((s, e))
        if e - s > 2:
            spans.append((s + 1, e - 1))  # nested
    return spans


def _collapse(s: str) -> str:
    """Paragraph and cell boundaries as one separator (Doc.text: "\n" and "\t"; Word: paragraphs)."""
    return re.sub(r"\s*[\t\n]\s*", "\n", s).strip("\n")


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_spans_across_paragraphs_and_cells(seed, docx_dir):
    data = seed_docx(seed, docx_dir)
    doc = load_bytes(data, "x.docx")
    rng = random.Random("x" + seed.name)
    spans = []
    while len(spans) < 40:
        s = rng.randrange(len(doc.text) - 1)
        e = min(len(doc.text), s + rng.randrange(1, 400))
        if doc.text[s].strip() and doc.text[e - 1].strip():
            spans.append((s, e))
    findings = [{"id": f"f-{i:04d}", "rule": "TEST.SPAN", "category": "format", "severity": "info",
                 "start": s, "end": e, "quote": doc.text[s:e], "message": "m"} for i, (s, e) in enumerate(spans)]
    out = annotate_docx(data, doc, findings)
    comments = comments_by_finding(docx.Document(io.BytesIO(out)))
    anchored = anchored_texts(out)
    for f in findings:
        got = norm(anchored[str(comments[f["id"]].comment_id)])
        assert _collapse(got) == _collapse(f["quote"]), f


@pytest.mark.parametrize("seed", SEEDS[:3], ids=lambda p: p.name[:3])
def test_arbitrary_spans_anchor_exactly(seed, docx_dir):
    data = seed_docx(seed, docx_dir)
    doc = load_bytes(data, "x.docx")
    rng = random.Random(seed.name)
    spans = _random_spans(doc.text, rng, 60)
    findings = [{"id": f"f-{i:04d}", "rule": "TEST.SPAN", "category": "format", "severity": "info",
                 "start": s, "end": e, "quote": doc.text[s:e], "message": f"span {s}:{e}"}
                for i, (s, e) in enumerate(spans, start=1)]
    out = annotate_docx(data, doc, findings)
    document = docx.Document(io.BytesIO(out))
    comments = comments_by_finding(document)
    anchored = anchored_texts(out)
    assert len(comments) == len(findings)
    for f in findings:
        assert norm(anchored[str(comments[f["id"]].comment_id)]) == f["quote"], f
    assert load_bytes(out, "x.docx").text == doc.text  # splitting runs changed no text


def test_generated_docx_for_text_upload(client):
    seed = SEEDS[3]
    r = client.post("/v1/reviews", files={"file": ("report.txt", seed.read_bytes(), "text/plain")})
    result = r.json()
    a = client.get(result["links"]["annotated_docx"])
    assert a.status_code == 200
    document = docx.Document(io.BytesIO(a.content))
    comments = comments_by_finding(document)
    anchored = anchored_texts(a.content)
    assert len(comments) == len(result["findings"])
    for f in result["findings"]:
        assert anchored[str(comments[f["id"]].comment_id)] == f["quote"]


def test_generated_docx_spans_across_lines_and_points():
    text = "第一行文字。\n第二行\t有制表符。\n\n末行"
    spans = [(0, 3), (2, 9), (4, 7), (7, 7), (10, 12), (6, 7), (0, len(text)), (len(text), len(text))]
    findings = [{"id": f"f-{i}", "rule": "TEST.SPAN", "category": "typo", "severity": "error", "start": s,
                 "end": e, "quote": text[s:e], "message": "m"} for i, (s, e) in enumerate(spans)]
    out = text_to_docx(text, findings)
    comments = comments_by_finding(docx.Document(io.BytesIO(out)))
    anchored = anchored_texts(out)
    for f in findings:
        got = anchored[str(comments[f["id"]].comment_id)]
        # A quote ending on a line break is anchored up to the end of that line.
        assert got == f["quote"].rstrip("\n") or got == f["quote"], (f, got)


def test_cli_annotate_writes_the_same_files(docx_dir, tmp_path):
    from nlp_review.cli import main
    from nlp_review.pipeline import review_bytes

    seed = SEEDS[2]
    src = tmp_path / "draft.docx"
    src.write_bytes(seed_docx(seed, docx_dir))
    out, html = tmp_path / "out.docx", tmp_path / "report.html"
    assert main(["annotate", str(src), "--out", str(out), "--html", str(html)]) in (0, 1)
    findings = review_bytes(src.read_bytes(), src.name).findings
    comments = comments_by_finding(docx.Document(str(out)))
    assert sorted(comments) == sorted(f.id for f in findings)
    anchored = anchored_texts(out.read_bytes())
    for f in findings:
        assert norm(anchored[str(comments[f.id].comment_id)]) == f.quote
    assert all(f"id='{f.id}'" in html.read_text(encoding="utf-8") for f in findings)
