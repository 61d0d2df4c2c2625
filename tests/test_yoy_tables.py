"""Year-over-year table identities (issue 16, part 1): two seeds rendered as consecutive
years of one agency, with a carry-over mismatch planted, through `check --previous`, the
API's `previous` upload and `batch`, which pairs the two years by itself."""
from __future__ import annotations

import json
import re

import pytest

from nlp_review.analytics.pairs import YearReport, pair_consecutive_years
from nlp_review.pipeline import read_path
from tests.conftest import SEEDS

AGENCY = "杭州市临平区教育局"  # seed 004's agency
COLUMNS = ("natural_person", "total")  # where the planted carry-over differs


def _seed(prefix: str) -> str:
    return next(p for p in SEEDS if p.name.startswith(prefix)).read_text(encoding="utf-8")


def _set_cells(text: str, path, changes: dict[tuple[str, str], object]) -> str:
    """The text as read (wrapped lines joined) with table cells replaced by a value (int)
    or by their value plus a delta (("+", n))."""
    path.write_text(text, encoding="utf-8")
    doc = read_path(path, until="tables")
    text = doc.text
    edits = []
    for (table, key), v in changes.items():
        c = doc.tables[table].cells[key]
        new = c.value + v[1] if isinstance(v, tuple) else v
        edits.append((c.start, c.end, str(int(new))))
    for a, b, s in sorted(edits, reverse=True):
        text = text[:a] + s + text[b:]
    return text


def last_year_text(tmp_path, carry_forward: int = 1, in_force: int = 12) -> str:
    """Seed 003 (北关区) as 杭州市临平区教育局's 2022 report. Its table three carries
    `carry_forward` applications of natural persons into 2023 (one more 新收, so the table
    still balances); its 行政规范性文件 in force are `in_force` (12 agree with seed 004:
    12 + 1 issued − 1 repealed = 12)."""
    text = _seed("003").replace("北关区教育局", AGENCY)
    text = re.sub(r"2023(?=\s*年)", "2022", text)
    text = re.sub(r"2024(?=\s*年)", "2023", text)
    return _set_cells(text, tmp_path / "draft.txt", {
        ("table3", "new.natural_person"): ("+", carry_forward), ("table3", "new.total"): ("+", carry_forward),
        ("table3", "carry_forward.natural_person"): carry_forward, ("table3", "carry_forward.total"): carry_forward,
        ("table2", "normative_documents.in_force"): in_force})


@pytest.fixture
def two_years(tmp_path):
    """(this year's path, last year's path): seed 004 as 2023 (上年结转 0), the planted 2022."""
    this, last = tmp_path / "临平区2023.txt", tmp_path / "临平区2022.txt"
    this.write_text(_seed("004"), encoding="utf-8")
    last.write_text(last_year_text(tmp_path), encoding="utf-8")
    return this, last


def _yoy(result: dict, rule: str = "TABLE3.CARRY_OVER") -> list[dict]:
    return [f for f in result["findings"] if f["rule"] == rule]


def assert_planted_carry_over(result: dict, last_file: str) -> None:
    """Exactly the planted mismatch: 上年结转 0 this year against 1 carried forward last
    year, in the natural-person and total columns, each at this year's cell, with both years'
    cells and values in the evidence and a Chinese message."""
    found = _yoy(result)
    assert sorted(f["evidence"]["column"] for f in found) == sorted(COLUMNS)
    text = result["text"]
    for f in found:
        col = f["evidence"]["column"]
        assert f["severity"] == "warning" and f["category"] == "table_identity" and f["section"] == 3
        this = f["evidence"]["this_year"]
        last = f["evidence"]["previous_year"]
        assert this["year"] == 2023 and last["year"] == 2022 and last["file"] == last_file
        cell = this["cells"][f"carried_over.{col}"]
        assert cell["value"] == 0 and text[cell["start"]:cell["end"]] == f["quote"] == cell["raw"] == "0"
        assert (f["start"], f["end"]) == (cell["start"], cell["end"])
        prev_cell = last["cells"][f"carry_forward.{col}"]
        assert prev_cell["value"] == 1 and prev_cell["raw"] == "1"
        assert "上年结转" in f["message"] and "结转下年度" in f["message"] and "为1" in f["message"]
        assert f["quote"] == text[f["start"]:f["end"]]
    # the rest of the tables agree across the years: no stock finding
    assert not _yoy(result, "TABLE2.IN_FORCE_STOCK")


def test_check_previous_reports_the_planted_carry_over(two_years, capsys):
    from nlp_review.cli import main

    this, last = two_years
    main(["check", str(this), "--previous", str(last)])
    assert_planted_carry_over(json.loads(capsys.readouterr().out), last.name)
    main(["check", str(this)])  # without last year's report the rules do not run
    alone = json.loads(capsys.readouterr().out)
    assert not _yoy(alone) and not _yoy(alone, "TABLE2.IN_FORCE_STOCK")


def test_consistent_years_and_the_stock_identity(tmp_path, capsys):
    """Last year carried nothing forward: no carry-over finding. Last year's 现行有效 is 9,
    not 12: TABLE2.IN_FORCE_STOCK at this year's 12 (9 + 1 − 1 = 9), with both years' cells."""
    from nlp_review.cli import main

    this, last = tmp_path / "2023.txt", tmp_path / "2022.txt"
    this.write_text(_seed("004"), encoding="utf-8")
    last.write_text(last_year_text(tmp_path, carry_forward=0, in_force=9), encoding="utf-8")
    main(["check", str(this), "--previous", str(last)])
    result = json.loads(capsys.readouterr().out)
    assert not _yoy(result)
    [f] = _yoy(result, "TABLE2.IN_FORCE_STOCK")
    ev = f["evidence"]
    assert f["quote"] == "12" and ev["expected"] == 9 and ev["row"] == "normative_documents"
    assert ev["previous_year"]["cells"]["normative_documents.in_force"]["value"] == 9
    assert {k: c["value"] for k, c in ev["this_year"]["cells"].items()} == {
        "normative_documents.issued": 1, "normative_documents.repealed": 1, "normative_documents.in_force": 12}
    assert "现行有效" in f["message"] and "应为9件" in f["message"]


def test_reports_years_apart_are_not_compared(tmp_path, capsys):
    from nlp_review.cli import main

    this, older = tmp_path / "2023.txt", tmp_path / "2021.txt"
    this.write_text(_seed("004"), encoding="utf-8")
    older.write_text(last_year_text(tmp_path).replace("2022年", "2021年"), encoding="utf-8")
    main(["check", str(this), "--previous", str(older)])
    assert not _yoy(json.loads(capsys.readouterr().out))


def test_api_previous_upload_reports_the_planted_carry_over(two_years, tmp_path):
    """Both years uploaded as real .docx files (tests/renderers.py) to POST /v1/reviews."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.config import Settings
    from tests.renderers import seed_to_docx

    this, last = two_years
    seed_to_docx(this, tmp_path / "this.docx")
    seed_to_docx(last, tmp_path / "临平区2022.docx")
    client = TestClient(create_app(Settings(data_dir=tmp_path / "svc")))
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    r = client.post("/v1/reviews", files={"file": ("临平区2023.docx", (tmp_path / "this.docx").read_bytes(), docx),
                                          "previous": ("临平区2022.docx",
                                                       (tmp_path / "临平区2022.docx").read_bytes(), docx)})
    assert r.status_code == 201, r.text
    assert_planted_carry_over(r.json(), "临平区2022.docx")
    stored = client.get(f"/v1/reviews/{r.json()['id']}").json()
    assert _yoy(stored) == _yoy(r.json())


def test_batch_pairs_consecutive_years_by_itself(two_years, tmp_path):
    from nlp_review.cli import main

    this, last = two_years
    d = tmp_path / "batch"
    (d / "2023").mkdir(parents=True)
    (d / "2022").mkdir()
    (d / "2023" / "临平区.txt").write_text(this.read_text(encoding="utf-8"), encoding="utf-8")
    (d / "2022" / "临平区.txt").write_text(last.read_text(encoding="utf-8"), encoding="utf-8")
    (d / "2023" / "乌拉特中旗.txt").write_text(_seed("002"), encoding="utf-8")
    out = tmp_path / "results.jsonl"
    assert main(["batch", str(d), "--out", str(out), "--quiet"]) == 0
    results = {r["source"]["path"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert_planted_carry_over(results["2023/临平区.txt"], "临平区.txt")
    assert not _yoy(results["2022/临平区.txt"])  # no 2021 report in the batch
    assert not _yoy(results["2023/乌拉特中旗.txt"])  # another agency: not paired


def test_pairing_of_consecutive_years():
    r = [YearReport("a22", "k", 2022, "x"), YearReport("a23", "k", 2023, "y"), YearReport("a23copy", "k", 2023, "y"),
         YearReport("b21", "m", 2021, "p"), YearReport("b23", "m", 2023, "q"),
         YearReport("c22", "n", 2022, "s"), YearReport("c22b", "n", 2022, "t"), YearReport("c23", "n", 2023, "u"),
         YearReport("d23", None, 2023, "v"), YearReport("e23", "e", None, "w")]
    p = pair_consecutive_years(r)
    assert p.previous == {"a23": "a22", "a23copy": "a22"}  # copies of one text both pair
    assert p.previous_of("b23") is None  # 2021 is not the year before 2023
    assert p.previous_of("c23") is None and ("n", 2022) in p.ambiguous  # two different 2022 texts
    assert p.previous_of("d23") is None and p.previous_of("e23") is None  # agency or year unknown
