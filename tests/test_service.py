"""The review service over HTTP: reviews, report page, feedback and its export, tokens,
upload limits, retention, SQLite WAL, corrupt files, the LanguageTool-compatible API
(with the real `language_tool_python` client against a live uvicorn)."""
from __future__ import annotations

import functools
import io
import json
import re
import time
import zipfile

import httpx
import pytest
from fastapi.testclient import TestClient

from service.app import STATIC, create_app
from service.config import Settings
from service.storage import Store
from tests.conftest import SEEDS
from tests.service_support import live_server
from tests.test_bad_input import _zip  # the same zip builder as the CLI's bad-input tests

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_chinese_error(r, status: int | None = None) -> dict:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if status is not None:
        assert r.status_code == status, r.text[:300]
    body = r.json()
    assert isinstance(body.get("error"), str) and body["error"]
    assert CJK.search(body.get("message", "")), body
    return body


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return Settings(data_dir=tmp_path_factory.mktemp("svc"))


@pytest.fixture(scope="module")
def client(settings):
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def seed_review(client):
    r = client.post("/v1/reviews", files={"file": ("report.txt", SEEDS[3].read_bytes(), "text/plain")})
    assert r.status_code == 201, r.text
    return r.json()


def test_page_and_health(client):
    h = client.get("/healthz").json()
    assert h["status"] == "ok" and h["database"] == "sqlite"
    page = client.get("/")
    assert page.status_code == 200 and "年报" in page.text
    # Everything the page loads is served here: no CDN, no external URL.
    for f in STATIC.iterdir():
        assert not re.search(r"(src|href)=['\"]?(https?:)?//", f.read_text(encoding="utf-8")), f
        assert client.get(f"/static/{f.name}").status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200 and "//cdn" not in docs.text
    assert client.get("/openapi.json").json()["paths"]["/v1/reviews"]


def test_review_roundtrip_and_report_html(client, seed_review):
    rid = seed_review["id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    got = client.get(f"/v1/reviews/{rid}").json()
    assert got["findings"] == seed_review["findings"] and got["text"] == seed_review["text"]
    for f in got["findings"]:
        assert got["text"][f["start"]:f["end"]] == f["quote"]
    html = client.get(seed_review["links"]["report_html"])
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert seed_review["findings"], "seed 003 has findings"
    for f in seed_review["findings"]:
        assert f"id='{f['id']}'" in html.text  # listed
        if f["end"] > f["start"]:
            marked = re.findall(r'<mark[^>]*data-f="([^"]*)"[^>]*>(.*?)</mark>', html.text, re.S)
            covered = "".join(seg for ids, seg in marked if f["id"] in ids.split())
            import html as h

            # highlighted exactly: its quote, or every sentence a grouped finding lists
            listed = [x["quote"] for x in (f.get("evidence") or {}).get("sentences") or []] or [f["quote"]]
            assert h.unescape(covered) == "".join(listed)


def test_previous_year_upload(client):
    r = client.post("/v1/reviews", files={"file": ("a.txt", SEEDS[1].read_bytes()),
                                          "previous": ("b.txt", SEEDS[2].read_bytes())})
    assert r.status_code == 201, r.text
    bad = client.post("/v1/reviews", files={"file": ("a.txt", SEEDS[1].read_bytes()),
                                            "previous": ("b.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)})
    assert "上一年度" in assert_chinese_error(bad, 415)["message"]


def test_feedback_is_stored_and_exported(client, settings, seed_review, tmp_path):
    from nlp_review.cli import main

    rid = seed_review["id"]
    f1 = seed_review["findings"][0]["id"]
    r = client.post(f"/v1/reviews/{rid}/findings/{f1}", json={"decision": "accepted", "note": "确属错误"})
    assert r.status_code == 200 and r.json()["decision"] == "accepted"
    if len(seed_review["findings"]) > 1:
        f2 = seed_review["findings"][1]["id"]
        assert client.post(f"/v1/reviews/{rid}/findings/{f2}", json={"decision": "dismissed"}).status_code == 200
    fb = client.get(f"/v1/reviews/{rid}").json()["feedback"]
    assert fb[f1]["decision"] == "accepted" and fb[f1]["note"] == "确属错误"
    assert_chinese_error(client.post(f"/v1/reviews/{rid}/findings/f-9999", json={"decision": "accepted"}), 404)
    assert_chinese_error(client.post(f"/v1/reviews/{rid}/findings/{f1}", json={"decision": "maybe"}), 422)
    out = tmp_path / "feedback.jsonl"
    assert main(["export-feedback", "--database-url", settings.db_url(), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    mine = [x for x in rows if x["review_id"] == rid and x["finding_id"] == f1]
    assert mine and mine[-1]["decision"] == "accepted"
    assert mine[-1]["finding"]["quote"] == seed_review["findings"][0]["quote"]
    assert mine[-1]["finding"]["quote"] in mine[-1]["finding"]["context"]


def test_tokens_guard_every_write_endpoint(tmp_path):
    c = TestClient(create_app(Settings(data_dir=tmp_path, tokens=frozenset({"s3cret"}))))
    files = {"file": ("a.txt", SEEDS[0].read_bytes())}
    assert_chinese_error(c.post("/v1/reviews", files=files), 401)
    assert_chinese_error(c.post("/v1/reviews", files=files, headers={"Authorization": "Bearer wrong"}), 401)
    r = c.post("/v1/reviews", files=files, headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 201
    rid = r.json()["id"]
    url = f"/v1/reviews/{rid}/findings/f-0001"
    assert_chinese_error(c.post(url, json={"decision": "accepted"}), 401)
    assert c.get(f"/v1/reviews/{rid}").status_code == 200  # reading needs the unguessable id only
    assert c.get("/healthz").json()["auth"] is True


def test_upload_size_limit(tmp_path):
    c = TestClient(create_app(Settings(data_dir=tmp_path, max_upload_bytes=4096)))
    big = SEEDS[0].read_bytes()
    assert len(big) > 4096 * 2 + 65536 or len(big) > 4096
    body = assert_chinese_error(c.post("/v1/reviews", files={"file": ("a.txt", big)}), 413)
    assert body["error"] == "too_large"
    huge = b"x" * (4096 * 2 + 70000)
    assert_chinese_error(c.post("/v1/reviews", files={"file": ("a.txt", huge)}), 413)


def test_retention_deletes_stored_drafts(tmp_path):
    settings = Settings(data_dir=tmp_path, retention_s=0.5, purge_interval_s=0.2)
    with TestClient(create_app(settings)) as c:  # runs the lifespan (the purge loop)
        r = c.post("/v1/reviews", files={"file": ("a.txt", SEEDS[0].read_bytes())})
        rid = r.json()["id"]
        deadline = time.time() + 15
        while c.get(f"/v1/reviews/{rid}").status_code == 200 and time.time() < deadline:
            time.sleep(0.2)
        body = assert_chinese_error(c.get(f"/v1/reviews/{rid}"), 404)
        assert body["error"] == "not_found"
        assert_chinese_error(c.get(f"/v1/reviews/{rid}/annotated.docx"), 404)
    store = Store(settings.db_url())
    with store.session() as s:
        from service.storage import Review
        assert s.get(Review, rid) is None  # the upload blob is gone, not just hidden


def test_sqlite_uses_wal(settings, client):
    assert Store(settings.db_url()).journal_mode() == "wal"


# --- corrupt files: always a 4xx with a Chinese message, never a 500 --------------------------

def _valid_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某某局2023年政府信息公开工作年度报告")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def corrupt_corpus() -> dict[str, bytes]:
    good = _valid_docx()
    ct = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    return {
        "empty.docx": b"",
        "whitespace.txt": b" \r\n\t \n",
        "truncated.docx": good[: len(good) // 2],
        "zip-not-docx.docx": _zip({"hello.txt": b"hello"}),
        "docx-garbage-xml.docx": _zip({"[Content_Types].xml": ct, "word/document.xml": b"<w:document><oops"}),
        "zip-bomb.docx": _zip({"[Content_Types].xml": ct, "word/document.xml": b"<" + b"a" * (300 * 1024 * 1024)}),
        "many-entries.docx": _zip({f"f{i}.xml": b"" for i in range(3000)}, zipfile.ZIP_STORED),
        "random.bin": bytes(range(256)) * 64,
        "png.docx": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        "ole.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "pdf-garbage.pdf": b"%PDF-1.7\n" + b"\x00garbage" * 200,
        "pdf-truncated.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
        "html-no-text.html": b"<html><body><script>var a=1;</script></body></html>",
        "latin1.txt": "caf\xe9 na\xefve ".encode("latin-1") * 50,
        "not-a-report.txt": "今天天气很好，我们去公园散步。".encode("utf-8") * 10,
        "utf16-bad.txt": b"\xff\xfe" + b"\x00\xd8" * 10,
        "nul.txt": b"\x00" * 1000,
    }


@pytest.mark.parametrize("name", sorted(corrupt_corpus()))
def test_corrupt_files_give_chinese_4xx(client, name):
    data = corrupt_corpus()[name]
    r = client.post("/v1/reviews", files={"file": (name, data, "application/octet-stream")})
    assert_chinese_error(r)


def test_bad_requests_are_chinese_4xx(client):
    assert_chinese_error(client.post("/v1/reviews"), 422)
    assert_chinese_error(client.post("/v1/reviews", data={"file": "not a file"}), 422)
    assert_chinese_error(client.get("/v1/reviews/../../etc/passwd"))
    assert_chinese_error(client.get("/v1/reviews/" + "0" * 32), 404)
    assert_chinese_error(client.get("/nope"), 404)
    assert_chinese_error(client.post("/v2/check", data={"text": "x", "data": "{}"}), 400)
    assert_chinese_error(client.post("/v2/check", data={"text": "x", "language": "de-DE"}), 400)
    assert_chinese_error(client.post("/v2/check", data={"data": "[1,2"}), 400)


# --- LanguageTool-compatible API ------------------------------------------------------------

def test_languagetool_client_finds_wei_shouqu(settings):
    import language_tool_python

    with live_server(create_app(settings)) as url:
        tool = language_tool_python.LanguageTool("zh-CN", remote_server=url)
        text = "本年度，本机关为收取信息处理费。"
        matches = tool.check(text)
        hit = [m for m in matches if "未收取" in m.replacements]
        assert hit, matches
        m = hit[0]
        assert text[m.offset:m.offset + m.error_length] == "为收取"
        assert m.category == "TYPOS" and m.rule_issue_type == "misspelling"
        assert CJK.search(m.message)
        assert tool.correct(text) == "本年度，本机关未收取信息处理费。"
        tool.close()


def test_lt_offsets_are_utf16_and_data_markup(client):
    text = "𠀀𠀁本机关为收取费用。"  # two Extension-B characters: 2 UTF-16 units each
    m = client.post("/v2/check", data={"text": text, "language": "zh-CN"}).json()["matches"]
    hit = next(x for x in m if x["rule"]["id"].startswith("TYPO"))
    assert (hit["offset"], hit["length"]) == (len("𠀀𠀁本机关".encode("utf-16-le")) // 2, 3)
    assert hit["context"]["text"][hit["context"]["offset"] - 2:][:3] == "为收取"
    data = {"annotation": [{"markup": "<p>"}, {"text": "本机关为收取费用。"}, {"markup": "</p>", "interpretAs": "\n\n"}]}
    m = client.post("/v2/check", data={"data": json.dumps(data, ensure_ascii=False), "language": "zh-CN"}).json()
    hit = next(x for x in m["matches"] if x["rule"]["id"].startswith("TYPO"))
    assert hit["offset"] == len("<p>本机关")
    r = client.get("/v2/check", params={"text": "本机关为收取费用。", "language": "zh-CN", "disabledCategories": "TYPOS"})
    assert not [x for x in r.json()["matches"] if x["rule"]["category"]["id"] == "TYPOS"]
    assert client.get("/v2/languages").json()[0]["longCode"] == "zh-CN"


def test_lt_cors_preflight(client):
    r = client.options("/v2/check", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in ("*", "https://example.org")
    r = client.post("/v2/check", data={"text": "你好。", "language": "zh-CN"}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] in ("*", "https://example.org")


def test_live_server_multipart_upload_over_http(settings):
    with live_server(create_app(settings)) as url:
        r = httpx.post(url + "/v1/reviews", files={"file": ("r.txt", SEEDS[2].read_bytes())}, timeout=60)
        assert r.status_code == 201
        assert httpx.get(url + r.json()["links"]["annotated_docx"], timeout=60).status_code == 200


def test_worker_process_mode(tmp_path):
    """`nlp-review serve` reviews in worker processes: same results, same Chinese errors."""
    with TestClient(create_app(Settings(data_dir=tmp_path, processes=1))) as c:
        r = c.post("/v1/reviews", files={"file": ("r.txt", SEEDS[3].read_bytes())})
        assert r.status_code == 201, r.text
        with TestClient(create_app(Settings(data_dir=tmp_path / "t"))) as threads:
            same = threads.post("/v1/reviews", files={"file": ("r.txt", SEEDS[3].read_bytes())}).json()
        assert r.json()["findings"] == same["findings"]
        assert_chinese_error(c.post("/v1/reviews", files={"file": ("x.doc", corrupt_corpus()["ole.doc"])}), 415)


def test_html_pages_carry_a_content_security_policy(client, seed_review):
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    report = client.get(seed_review["links"]["report_html"])
    assert "script-src 'none'" in report.headers["content-security-policy"]
    assert report.headers["x-content-type-options"] == "nosniff"
