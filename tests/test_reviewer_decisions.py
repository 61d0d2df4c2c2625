"""Reviewer decisions are part of the review (issue 14): the annotated .docx, the printable
report and the export leave out dismissed findings and carry notes; only errors and warnings
on request (API and CLI); a grouped boilerplate finding loses sentences dismissed one by one;
corrected cells re-run the checks and keep decisions on findings that stay."""
from __future__ import annotations

import io
import json

import docx
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.conftest import SEEDS
from tests.service_support import comments_by_finding


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("svc"))))


@pytest.fixture(scope="module")
def review(client):
    r = client.post("/v1/reviews", files={"file": ("003.txt", SEEDS[3].read_bytes(), "text/plain")})
    assert r.status_code == 201, r.text
    return r.json()


def _comments(client, review, **params) -> dict:
    a = client.get(review["links"]["annotated_docx"], params=params)
    assert a.status_code == 200
    return comments_by_finding(docx.Document(io.BytesIO(a.content)))


def test_dismissed_left_out_and_notes_carried(client, review):
    rid, findings = review["id"], review["findings"]
    typo = next(f for f in findings if f["rule"] == "TYPO.WEI_NEGATION")
    other = next(f for f in findings if f["rule"] == "FORMAT.SCI_NOTATION")
    url = f"/v1/reviews/{rid}/findings/"
    assert client.post(url + typo["id"], json={"decision": "dismissed", "note": "原文无误"}).status_code == 200
    assert client.post(url + other["id"], json={"decision": "accepted", "note": "已通知填报人改为普通数字"}).status_code == 200
    comments = _comments(client, review)
    assert typo["id"] not in comments and len(comments) == len(findings) - 1
    assert "已通知填报人改为普通数字" in comments[other["id"]].text and "已采纳" in comments[other["id"]].text
    html = client.get(review["links"]["report_html"]).text
    assert f"id='{typo['id']}'" not in html and "已通知填报人改为普通数字" in html and "不采纳的 1 个问题" in html
    export = client.get(review["links"]["export"]).json()
    assert typo["id"] not in {f["id"] for f in export["findings"]}
    kept = next(f for f in export["findings"] if f["id"] == other["id"])
    assert kept["review"] == {"decision": "accepted", "note": "已通知填报人改为普通数字"}
    assert export["reviewer"]["dismissed"] == 1
    for f in export["findings"]:
        assert export["text"][f["start"]:f["end"]] == f["quote"]
    # undo: the finding is back
    assert client.post(url + typo["id"], json={"decision": None}).status_code == 200
    assert typo["id"] in _comments(client, review)


def test_only_errors_and_warnings_on_request(client, review, tmp_path, capsys):
    infos = {f["id"] for f in review["findings"] if f["severity"] == "info"}
    assert infos
    comments = _comments(client, review, severity="warning")
    assert comments and infos.isdisjoint(comments)
    assert {f["severity"] for f in client.get(review["links"]["export"], params={"severity": "error"}).json()["findings"]} == {"error"}
    assert client.get(review["links"]["export"], params={"severity": "提示"}).status_code == 422
    from nlp_review.cli import main

    assert main(["check", str(SEEDS[3]), "--min-severity", "warning"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["findings"] and {f["severity"] for f in out["findings"]} <= {"error", "warning"}
    target = tmp_path / "x.docx"
    main(["annotate", str(SEEDS[3]), "--out", str(target), "--min-severity", "warning", "--codes", "trailing"])
    doc = docx.Document(str(target))
    assert len(list(doc.comments)) == len(out["findings"])
    assert all(c.text.strip().splitlines()[-1].split()[-1].startswith("f-") for c in doc.comments)


def test_sentences_of_a_grouped_finding_dismissed_one_by_one(client, review):
    group = next(f for f in review["findings"] if f["rule"] == "BOILERPLATE.GENERIC_SENTENCE")
    first, second = group["evidence"]["sentences"][:2]
    url = f"/v1/reviews/{review['id']}/findings/{group['id']}"
    r = client.post(url, json={"decision": "dismissed", "sentence": 0})
    assert r.status_code == 200 and r.json()["finding_id"] == group["id"] + ".0"
    export = client.get(review["links"]["export"]).json()
    moved = next(f for f in export["findings"] if f["id"] == group["id"])
    assert (moved["start"], moved["quote"]) == (second["start"], second["quote"])
    assert first["quote"] not in [s["quote"] for s in moved["evidence"]["sentences"]]
    assert client.post(url, json={"decision": "dismissed", "sentence": 99}).status_code == 400
    client.post(url, json={"decision": None, "sentence": 0})


def test_corrected_cells_rerun_and_keep_decisions(client):
    text = SEEDS[4].read_text(encoding="utf-8")
    r = client.post("/v1/reviews", files={"file": ("004.txt", text.encode("utf-8"), "text/plain")}).json()
    fee = next(f for f in r["findings"] if f["rule"] == "NUMBER.FEE_IMPLAUSIBLE")
    client.post(f"/v1/reviews/{r['id']}/findings/{fee['id']}", json={"decision": "accepted"})
    bad = client.post(r["links"]["cells"], json={"cells": {"table3.nonsense": 1}})
    assert bad.status_code == 400 and "没有表格单元格" in bad.json()["message"]
    fixed = client.post(r["links"]["cells"], json={"cells": {"table3.new.total": 21}})
    assert fixed.status_code == 200, fixed.text
    body = fixed.json()
    assert {"TABLE3.ROW_SUM", "TABLE3.BALANCE"} <= {f["rule"] for f in body["findings"]}
    assert next(f for f in body["findings"] if f["rule"] == "NUMBER.FEE_IMPLAUSIBLE")["id"] == fee["id"]
    assert body["feedback"][fee["id"]]["decision"] == "accepted"
    marked = {c["key"] for g in body["table_grids"] for row in g["rows"] for c in row["cells"] if c["findings"]}
    assert "table3.new.total" in marked
    listed = client.get("/v1/reviews").json()["reviews"]
    assert listed[0]["id"] == r["id"] and listed[0]["by_severity"]["error"] >= 2


def test_corrected_cells_rerun_still_compares_with_last_years_report(client):
    """A review uploaded with last year's report keeps its year-over-year findings when the
    reviewer corrects a cell (the re-run used to drop the previous report)."""
    import re

    text = SEEDS[4].read_text(encoding="utf-8")
    last_year = re.sub(r"2023(?=\s*年)", "2022", text, count=1)
    r = client.post("/v1/reviews", files={"file": ("004.txt", text.encode("utf-8"), "text/plain"),
                                          "previous": ("004_2022.txt", last_year.encode("utf-8"), "text/plain")})
    assert r.status_code == 201, r.text
    body = r.json()
    from nlp_review.checks import docs

    needs_previous = {rule["id"] for rule in docs.as_json() if "需上年报告" in rule["description"]}
    before = {f["rule"] for f in body["findings"]} & needs_previous
    assert before, "the copied report must give year-over-year findings"
    fixed = client.post(body["links"]["cells"], json={"cells": {"table3.new.total": 21}})
    assert fixed.status_code == 200, fixed.text
    after = {f["rule"] for f in fixed.json()["findings"]}
    assert before <= after and "TABLE3.ROW_SUM" in after
