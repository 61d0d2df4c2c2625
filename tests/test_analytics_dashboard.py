"""`nlp-review report`: one real `nlp-review batch` over the 182 report excerpts and the five
seeds (shared by every test here), then the dashboard — opened in headless Debian Chromium
(screenshot in test-artifacts/) — and the .xlsx, checked against the JSONL."""
from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from nlp_review.cli import main
from tests.conftest import ROOT, SEEDS

CHROMIUM = os.environ.get("NLP_REVIEW_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
EXCERPTS = sorted((ROOT / "corpus" / "elements" / "docs").glob("0*.txt"))
has_chromium = shutil.which(CHROMIUM) or Path(CHROMIUM).exists()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The real batch command over 187 files, then the real report command."""
    root = tmp_path_factory.mktemp("analytics")
    inbox = root / "报告"
    inbox.mkdir()
    for p in EXCERPTS + SEEDS:
        shutil.copy(p, inbox / p.name)
    results = root / "results.jsonl"
    assert main(["batch", str(inbox), "--out", str(results), "--quiet"]) == 0
    out = root / "看板" / "dashboard.html"
    xlsx = root / "看板" / "dashboard.xlsx"
    assert main(["report", str(results), "--out", str(out), "--xlsx", str(xlsx)]) == 0
    lines = [json.loads(x) for x in results.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {"root": root, "results": results, "out": out, "xlsx": xlsx, "lines": lines}


def test_batch_reviewed_every_file(batch):
    assert len(batch["lines"]) == len(EXCERPTS) + len(SEEDS) == 187
    assert (batch["out"].parent / "dashboard.html.reviews").is_dir()


def test_xlsx_matches_the_jsonl(batch):
    from openpyxl import load_workbook

    from nlp_review.analytics.xlsx import SHEETS

    wb = load_workbook(batch["xlsx"], read_only=True)
    assert wb.sheetnames == list(SHEETS)
    rows = list(wb["报告明细"].iter_rows(values_only=True))
    header, rows = rows[0], rows[1:]
    assert len(rows) == len(batch["lines"])
    col = {h: i for i, h in enumerate(header)}
    by_path = {x["source"]["path"]: x for x in batch["lines"]}
    for r in rows:
        obj = by_path[r[col["文件"]]]
        assert r[col["得分"]] == obj["scores"]["overall"]
        assert r[col["问题数"]] == len(obj["findings"])
        cats = Counter(f["category"] for f in obj["findings"])
        assert r[col["前后矛盾"]] == cats["contradiction"] and r[col["套话雷同"]] == cats["boilerplate"]
        assert r[col["错误"]] == sum(1 for f in obj["findings"] if f["severity"] == "error")
        t3 = obj["report"]["tables"].get("table3", {})
        assert r[col["新收申请"]] == t3.get("new.total")
        assert r[col["办结（总计）"]] == t3.get("total.total")
        t2 = obj["report"]["tables"].get("table2", {})
        assert r[col["收费（万元）"]] == t2.get("fees.amount_wan")
    # per-rule counts add up to every finding of the batch
    rule_rows = list(wb["按规则"].iter_rows(values_only=True))[1:]
    want = Counter(f["rule"] for x in batch["lines"] for f in x["findings"])
    assert {r[0]: r[4] for r in rule_rows} == dict(want)
    assert all(r[1] and any("\u4e00" <= ch <= "\u9fff" for ch in r[1]) for r in rule_rows)  # Chinese descriptions
    # the level roll-up covers every report once
    assert sum(r[1] for r in list(wb["按层级"].iter_rows(values_only=True))[1:]) == len(batch["lines"])
    # the seed 呼兰区教育局 is placed in its hierarchy
    seed = next(r for r in rows if r[col["文件"]].startswith("000_"))
    assert (seed[col["机关"]], seed[col["省"]], seed[col["地市"]], seed[col["县区"]]) == \
        ("呼兰区教育局", "黑龙江省", "哈尔滨市", "呼兰区")
    assert seed[col["年度"]] == 2023 and seed[col["层级"]] == "县级" and seed[col["部门类别"]] == "教育"
    # the same agency's consecutive reports in one batch are paired (福田区民政局 2021 → 2023 → 2024)
    pairs = list(wb["逐年变化（机关）"].iter_rows(values_only=True))[1:]
    futian = sorted((p[2], p[3]) for p in pairs if p[0] and p[0].endswith("福田区民政局"))
    assert futian == [(2021, 2023), (2023, 2024)]


def test_previous_results_and_bad_lines(batch, tmp_path):
    """Last year's results from another file pair up with this year's; broken lines are
    reported and skipped, never fatal."""
    from openpyxl import load_workbook

    cur, prev = tmp_path / "2023.jsonl", tmp_path / "2022.jsonl"
    raw = batch["results"].read_text(encoding="utf-8").splitlines()
    futian = [x for x in raw if "福田区民政局" in json.loads(x)["text"][:300]]
    assert len(futian) >= 2
    with cur.open("w", encoding="utf-8") as fc, prev.open("w", encoding="utf-8") as fp:
        for x in raw:
            (fp if x in futian[:1] else fc).write(x + "\n")
        fc.write(raw[0][:500] + "\n")                     # cut short by an interrupted run
        fc.write(json.dumps({"file": "x.pdf", "error": "加密"}, ensure_ascii=False) + "\n")  # not a review
    out, xlsx = tmp_path / "d.html", tmp_path / "d.xlsx"
    assert main(["report", str(cur), "--out", str(out), "--xlsx", str(xlsx), "--previous-results", str(prev),
                 "--no-reviews"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "有 2 行无法读取" in page and "id='yoy-agencies'" in page
    wb = load_workbook(xlsx, read_only=True)
    assert len(list(wb["报告明细"].iter_rows())) - 1 == len(raw) - 1   # the previous year's report is not a row
    pairs = [p for p in list(wb["逐年变化（机关）"].iter_rows(values_only=True))[1:] if p[0].endswith("福田区民政局")]
    assert pairs and min(p[2] for p in pairs) == 2021


def test_report_refuses_missing_and_empty_input(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "d.html")]) == 2
    assert "结果文件不存在" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("not json\n", encoding="utf-8")
    assert main(["report", str(empty), "--out", str(tmp_path / "d.html")]) == 2
    assert "没有可读的审查结果" in capsys.readouterr().err


@pytest.mark.skipif(not has_chromium, reason="Debian chromium is not installed (make test installs it)")
def test_dashboard_in_headless_chromium(batch):
    from playwright.sync_api import sync_playwright

    from tests.test_service_browser import ARGS

    url = batch["out"].resolve().as_uri()
    n = len(batch["lines"])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors, external = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith("file://") else None)
        page.goto(url)
        assert "审查汇总看板" in page.title()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=False)
        assert page.locator("#overview .card").first.inner_text().startswith(str(n))
        # charts drawn locally: SVG with bars; the score histogram counts every report
        assert page.locator("svg.chart").count() >= 4
        hist = page.locator("svg.chart").first.locator("rect.bar")
        assert hist.count() == 10
        # rankings, rules, roll-ups
        assert page.locator("#rank-lowest tr").count() == 21
        assert page.locator("#rules tr").count() > 10
        assert "黑龙江省" in page.inner_text("#regions") and "县级" in page.inner_text("#levels")
        assert page.locator("#yoy-agencies tr").count() >= 3  # header + 福田区民政局 pairs
        # the per-report table: paged, filterable, sortable
        assert page.locator("#reports tbody tr").count() == 100
        assert f"共 {n} 份" in page.inner_text("#pageinfo")
        page.fill("#filter", "呼兰区教育局")
        assert page.locator("#reports tbody tr").count() == 1
        page.fill("#filter", "")
        score_header = page.locator("#reports th", has_text="得分").first
        scores = [x["scores"]["overall"] for x in batch["lines"]]
        score_header.click()  # numbers: highest first, then lowest first
        assert float(page.locator("#reports tbody tr").first.locator("td").nth(7).inner_text()) == max(scores)
        score_header.click()
        assert float(page.locator("#reports tbody tr").first.locator("td").nth(7).inner_text()) == min(scores)
        # a link to a printable review resolves
        page.fill("#filter", "000_bf2abfad32302c3e")
        link = page.locator("#reports tbody a.review-link").first
        href = link.get_attribute("href")
        assert not href.startswith(("http", "/"))
        link.click()
        page.wait_for_load_state()
        assert "审查报告" in page.title() and "呼兰区教育局" in page.inner_text("body")
        assert page.locator("mark").count() >= 1
        assert not errors and not external
        browser.close()
