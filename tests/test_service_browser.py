"""End to end in headless Debian Chromium (Playwright, executable /usr/bin/chromium): upload
a seed .docx by the page's file input and by drag and drop, see the findings highlighted in
the text and listed by section, filter, accept one, download the annotated .docx, and keep a
screenshot in test-artifacts/."""
from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from service.app import create_app
from service.config import Settings
from tests.conftest import ROOT, SEEDS
from tests.service_support import live_server, seed_docx

CHROMIUM = os.environ.get("NLP_REVIEW_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
        "--disable-sync", "--no-first-run", "--metrics-recording-only", "--mute-audio"]

pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(),
                                reason="Debian chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def test_reviewer_page_end_to_end(browser, tmp_path):
    import docx

    settings = Settings(data_dir=tmp_path / "data")
    seed = SEEDS[3]
    data = seed_docx(seed, tmp_path)
    upload = tmp_path / "年报草稿.docx"
    upload.write_bytes(data)
    with live_server(create_app(settings)) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        external = []
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith(url) else None)
        page.goto(url + "/")
        assert "年度报告审查" in page.title()
        page.set_input_files("#file", str(upload))
        page.wait_for_selector(".finding", timeout=60000)
        status = page.inner_text("#status")
        assert "审查完成" in status
        n = page.locator(".finding").count()
        assert n >= 1
        # Highlights in the text, one colour class per category.
        marks = page.locator("#doc-text mark")
        assert marks.count() >= 1
        first_cat = page.locator(".finding .meta").first.inner_text()
        # Findings are listed under section headings.
        assert page.locator(".sec h3").count() >= 1
        # Filter: switch off every category → no findings listed; back on → all again.
        chips = page.locator(".chip")
        for i in range(chips.count()):
            chips.nth(i).click()
        assert page.locator(".finding").count() == 0
        assert page.locator("#doc-text mark").count() == 0
        for i in range(chips.count()):
            chips.nth(i).click()
        assert page.locator(".finding").count() == n
        page.select_option("#sev-filter", "error")
        errors_only = page.locator(".finding").count()
        assert errors_only == page.locator(".finding.sev-error").count()
        page.select_option("#sev-filter", "all")
        # Accept the first finding: stored on the server.
        card = page.locator(".finding").first
        fid = card.get_attribute("data-f")
        card.locator("button[data-act=accepted]").click()
        page.wait_for_selector(f"#fd-{fid}.accepted")
        rid = page.evaluate("location.hash").rsplit("/", 1)[-1]
        import httpx

        fb = httpx.get(f"{url}/v1/reviews/{rid}").json()["feedback"]
        assert fb[fid]["decision"] == "accepted"
        # Download the annotated .docx from the page.
        with page.expect_download() as dl:
            page.click("#dl-docx")
        path = dl.value.path()
        document = docx.Document(io.BytesIO(Path(path).read_bytes()))
        assert len(list(document.comments)) == n
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "reviewer_page.png"), full_page=False)
        # Drag and drop onto the drop zone uploads too.
        page.goto(url + "/")
        handle = page.evaluate_handle(
            """([name, bytes]) => { const dt = new DataTransfer();
                 dt.items.add(new File([new Uint8Array(bytes)], name)); return dt; }""",
            ["seed.docx", list(data)])
        page.dispatch_event("#drop", "drop", {"dataTransfer": handle})
        page.wait_for_selector(".finding", timeout=60000)
        assert page.locator(".finding").count() == n
        assert not errors, errors
        assert not [u for u in external if not u.startswith(("data:", "blob:", "about:"))], external
        assert first_cat
        page.close()
