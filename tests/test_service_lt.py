"""The LanguageTool-compatible API as real clients call it: LibreOffice 7.4's remote
checker (raw UTF-8 form bodies, driven headless through its own proofreading API),
`curl --data-binary`-style raw bodies, %-encoded forms, multipart, `data=` annotations,
empty text, `/v2/info` and `/v2/configinfo`."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.config import Settings
from tests.service_support import live_server

TYPO = "本年度，本机关为收取信息处理费。"
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(create_app(Settings(data_dir=tmp_path_factory.mktemp("lt")))) as url:
        yield url


def typo_matches(body: dict) -> list[dict]:
    return [m for m in body["matches"] if m["rule"]["id"].startswith("TYPO")]


def test_raw_utf8_body_as_libreoffice_74_sends_it(server):
    """`curl --data-binary 'text=…&language=zh-CN'`: the UTF-8 text not %-encoded. `%`, `+`
    and an `&` inside the text are the text's own characters."""
    text = "本年度，本机关为收取信息处理费，同比增长5%+3&4项。"
    raw = f"text={text}&language=zh-CN".encode("utf-8")
    r = httpx.post(server + "/v2/check", content=raw, headers=FORM, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sentenceRanges"] and body["sentenceRanges"][-1][1] == len(text)  # UTF-16 units, not bytes
    hit = [m for m in typo_matches(body) if text[m["offset"]:m["offset"] + m["length"]] == "为收取"]
    assert hit and hit[0]["replacements"][0]["value"] == "未收取"
    # The same answer as the %-encoded form and as multipart.
    encoded = httpx.post(server + "/v2/check", data={"text": text, "language": "zh-CN"}, timeout=60).json()
    multipart = httpx.post(server + "/v2/check", files={"text": (None, text), "language": (None, "zh-CN")},
                           timeout=60).json()
    assert encoded["matches"] == body["matches"] == multipart["matches"]
    # A raw GET query string the same way.
    r = httpx.get(server + "/v2/check?" + f"language=zh-CN&text={TYPO}", timeout=60)
    assert [m["offset"] for m in typo_matches(r.json())] == [TYPO.index("为收取")]


def test_invalid_utf8_and_empty_text(server):
    r = httpx.post(server + "/v2/check", content="text=本机关为收取".encode("gb18030") + b"&language=zh-CN",
                   headers=FORM, timeout=30)
    assert r.status_code == 400 and "UTF-8" in r.json()["message"]
    for body in (b"text=&language=zh-CN", b"language=zh-CN&text="):
        r = httpx.post(server + "/v2/check", content=body, headers=FORM, timeout=30)
        assert r.status_code == 200 and r.json()["matches"] == [] and r.json()["sentenceRanges"] == []
    r = httpx.post(server + "/v2/check", content=b"language=zh-CN", headers=FORM, timeout=30)
    assert r.status_code == 400 and "text" in r.json()["message"]


def test_data_annotation_over_raw_body(server):
    data = {"annotation": [{"markup": "<p>"}, {"text": "本机关为收取费用。"}, {"markup": "</p>", "interpretAs": "\n\n"}]}
    raw = ("data=" + json.dumps(data, ensure_ascii=False) + "&language=zh-CN").encode("utf-8")
    hit = typo_matches(httpx.post(server + "/v2/check", content=raw, headers=FORM, timeout=60).json())
    assert [m["offset"] for m in hit] == [len("<p>本机关")]


def test_info_and_configinfo(server):
    from nlp_review.checks.registry import load_rules

    info = httpx.get(server + "/v2/info", timeout=10).json()
    assert info["software"]["apiVersion"] == 1 and info["software"]["version"]
    conf = httpx.get(server + "/v2/configinfo", params={"language": "zh-CN"}, timeout=10).json()
    assert conf["parameter"]["maxTextLength"] == httpx.get(server + "/v2/maxtextlength", timeout=10).json()
    rules = {r["ruleId"]: r for r in conf["rules"]}
    assert set(rules) == set(load_rules())
    wei = next(r for r in rules.values() if r["ruleId"].startswith("TYPO.WEI"))
    assert (wei["categoryId"], wei["categoryName"], wei["locQualityIssueType"]) == ("TYPOS", "错别字", "misspelling")
    assert all(r["description"] and r["categoryId"] in {"TYPOS", "TYPOGRAPHY", "STYLE", "SEMANTICS", "MISC"}
               for r in rules.values())
    r = httpx.get(server + "/v2/configinfo", params={"language": "de-DE"}, timeout=10)
    assert r.status_code == 400 and "zh-CN" in r.json()["message"]


def _docx_with_chinese_paragraphs(path: Path, paragraphs: list[str]) -> None:
    """A Word file whose runs are marked Chinese (w:lang eastAsia=zh-CN), as Word writes them."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    for t in paragraphs:
        run = d.add_paragraph().add_run(t)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
        run._r.get_or_add_rPr().append(lang)
    d.save(path)


SYSTEM_PYTHON = "/usr/bin/python3"


def _uno_available() -> bool:
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: `make test` installs it")
def test_libreoffice_remote_checker_shows_our_matches(server, tmp_path):
    """Real LibreOffice (headless), its LanguageTool remote checker pointed at the live
    server, proofreads a Word file through its ProofreadingIterator: our finding comes back
    at the right place with our suggestion and Chinese message."""
    assert _uno_available(), "LibreOffice is installed but its Python bridge is not (Debian python3-uno; `make test` installs it)"
    paragraphs = ["一、总体情况", "2023年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。" + TYPO,
                  "二、主动公开政府信息情况"]
    _docx_with_chinese_paragraphs(tmp_path / "report.docx", paragraphs)
    p = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).with_name("lo_proofread.py")), server + "/v2",
                        str(tmp_path / "report.docx")], capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout)["paragraphs"]
    assert [g["text"] for g in got] == paragraphs
    assert all(g["locale"] == "zh-CN" for g in got)
    text = paragraphs[1]
    errors = got[1]["errors"]
    hit = [e for e in errors if text[e["start"]:e["start"] + e["length"]] == "为收取"]
    assert hit, errors
    assert hit[0]["suggestions"][:1] == ["未收取"]
    # What LibreOffice shows is what /v2/check answers for that paragraph.
    ours = typo_matches(httpx.post(server + "/v2/check", data={"text": text, "language": "zh-CN"}, timeout=60).json())
    m = next(m for m in ours if m["offset"] == hit[0]["start"])
    assert m["message"] in (hit[0]["short"], hit[0]["full"])
    assert got[0]["errors"] == [] and got[2]["errors"] == []
