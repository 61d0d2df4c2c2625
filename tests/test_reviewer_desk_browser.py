"""The reviewer's desk in headless Debian Chromium (issue 14): a dismissed finding leaves the
annotated .docx (its comment and its tracked change), a note travels into it, undo works,
past reviews are listed; a misread table cell corrected on the page re-runs the checks and
the identity finding changes."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.config import Settings
from tests.conftest import SEEDS
from tests.service_support import comments_by_finding, live_server, seed_docx
from tests.test_service_browser import CHROMIUM, browser, pytestmark  # noqa: F401 — the shared fixture and skip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _tracked(docx_bytes: bytes) -> tuple[list[str], list[str]]:
    """(deleted texts, inserted texts) of the tracked changes in document.xml."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/document.xml"))
    dels = ["".join(t.text or "" for t in d.iter(W + "delText")) for d in root.iter(W + "del")]
    ins = ["".join(t.text or "" for t in i.iter(W + "t")) for i in root.iter(W + "ins")]
    return dels, ins


def _card(page, rule: str):
    return page.locator(".finding", has=page.locator(".code", has_text=rule)).first


def _download(page, selector: str) -> bytes:
    with page.expect_download() as dl:
        page.click(selector)
    return Path(dl.value.path()).read_bytes()


def test_dismissed_finding_leaves_the_annotated_docx(browser, tmp_path):
    import docx

    upload = tmp_path / "北关区草稿.docx"
    upload.write_bytes(seed_docx(SEEDS[3], tmp_path))  # 003: “为收取” → 未收取, “信息公开处理费” → 信息处理费
    with live_server(create_app(Settings(data_dir=tmp_path / "data"))) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/")
        page.set_input_files("#file", str(upload))
        page.wait_for_selector(".finding", timeout=60000)
        before = _download(page, "#dl-docx")
        dels, ins = _tracked(before)
        assert "为收取" in dels and "未收取" in ins and "信息处理费" in ins

        wei = _card(page, "TYPO.WEI_NEGATION")
        wei_id = wei.get_attribute("data-f")
        wei.locator("button[data-act=dismissed]").click()
        page.wait_for_selector(f"#fd-{wei_id}.dismissed")
        # a note on another finding, kept with its decision
        form = _card(page, "TYPO.WORD_FORM")
        form_id = form.get_attribute("data-f")
        form.locator("button[data-act=accepted]").click()
        page.wait_for_selector(f"#fd-{form_id}.accepted")
        _card(page, "TYPO.WORD_FORM").locator("textarea.note").fill("请改为规范名称“信息处理费”。")
        _card(page, "TYPO.WORD_FORM").locator("button[data-act=note]").click()
        page.wait_for_selector("#status:has-text('备注已保存')")

        after = _download(page, "#dl-docx")
        comments = comments_by_finding(docx.Document(io.BytesIO(after)))
        assert wei_id not in comments and form_id in comments
        assert "请改为规范名称" in comments[form_id].text
        assert all("TYPO.WEI_NEGATION" not in c.text for c in comments.values())  # codes kept out of the text
        dels, ins = _tracked(after)
        assert "为收取" not in dels and "未收取" not in ins  # its tracked change is gone too
        assert "信息处理费" in ins  # the accepted one stays
        rid = page.evaluate("location.hash").rsplit("/", 1)[-1]
        report = httpx.get(f"{url}/v1/reviews/{rid}/report.html").text
        assert f"id='{wei_id}'" not in report and "请改为规范名称" in report

        # Undo: the finding is back in the file.
        _card(page, "TYPO.WEI_NEGATION").locator("button[data-act=undo]").click()
        page.wait_for_selector(f"#fd-{wei_id}:not(.dismissed)")
        assert wei_id in comments_by_finding(docx.Document(io.BytesIO(_download(page, "#dl-docx"))))
        # Only errors and warnings: the 提示 findings leave the download too.
        page.select_option("#sev-filter", "warning")
        warn = comments_by_finding(docx.Document(io.BytesIO(_download(page, "#dl-docx"))))
        infos = httpx.get(f"{url}/v1/reviews/{rid}").json()["findings"]
        assert {f["id"] for f in infos if f["severity"] == "info"}.isdisjoint(warn) and warn

        # The past reviews are listed on a fresh page and open again.
        page.goto(url + "/")
        page.wait_for_selector(f"#history-list a[data-id='{rid}']")
        page.click(f"#history-list a[data-id='{rid}']")
        page.wait_for_selector(f"#fd-{form_id}.accepted")
        assert not errors, errors
        page.close()


def test_corrected_table_cell_reruns_the_identity_checks(browser, tmp_path):
    from tests.renderers import seed_model, seed_to_docx

    model = seed_model(SEEDS[4])
    model.table3["new.total"] = "21"  # the 总计 of 本年新收 as misread (the row sums to 12)
    upload = tmp_path / "临平区草稿.docx"
    seed_to_docx(SEEDS[4], upload, model=model)
    with live_server(create_app(Settings(data_dir=tmp_path / "data"))) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/")
        page.set_input_files("#file", str(upload))
        page.wait_for_selector(".finding", timeout=60000)
        assert _card(page, "TABLE3.ROW_SUM").count() == 1 and "为21" in _card(page, "TABLE3.ROW_SUM").inner_text()
        cell = page.locator("table.grid td[data-key='table3.new.total']")
        assert "idc" in cell.get_attribute("class") and cell.inner_text().strip() == "21"
        assert page.locator("table.grid[data-table='table3'] tr").count() == 26  # header + 25 rows

        cell.click()
        page.fill("td[data-key='table3.new.total'] input", "12")
        page.press("td[data-key='table3.new.total'] input", "Enter")
        page.wait_for_selector("#status:has-text('已更正单元格')", timeout=60000)
        rules = page.locator(".finding .code").all_inner_texts()
        assert "TABLE3.ROW_SUM" not in rules and "TABLE3.BALANCE" not in rules
        cell = page.locator("table.grid td[data-key='table3.new.total']")
        assert "idc" not in cell.get_attribute("class") and cell.inner_text().strip() == "12"

        # Stored with the review and exported as training data for the table reader.
        rid = page.evaluate("location.hash").rsplit("/", 1)[-1]
        got = httpx.get(f"{url}/v1/reviews/{rid}").json()
        assert got["report"]["tables"]["table3"]["new.total"] == 12
        assert got["feedback"]["cells"]["cells"] == {"table3.new.total": 12}
        from nlp_review.training.feedback import labelled_sets, read_feedback
        from service.cli import export_feedback
        from service.storage import Store

        buf = io.StringIO()
        export_feedback(Store(Settings(data_dir=tmp_path / "data").db_url()), buf)
        [row] = labelled_sets(read_feedback(buf.getvalue().splitlines()))["table_cells"]
        assert (row["table"], row["key"], row["read"], row["value"]) == ("table3", "new.total", 21, 12)
        assert row["provenance"]["review_id"] == rid and "本年新收" in row["section_text"]
        assert not errors, errors
        page.close()
