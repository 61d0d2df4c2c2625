"""Issue 2: seeds → sections, tables, no false identities; offsets; contract schema; CLI."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from nlp_review.pipeline import review_path, review_text
from nlp_review.report import to_contract

from .conftest import DATA, ROOT, SEEDS, SHARED
from .seed_expectations import SEED_IDS, expected

SCHEMA = json.loads((DATA / "contract" / "review.schema.json").read_text(encoding="utf-8"))
CLI = [sys.executable, "-m", "nlp_review.cli"]


@pytest.mark.parametrize("seed", SEED_IDS)
def test_seed_structure_and_tables(seed, reviewed_seeds):
    doc = reviewed_seeds[seed]
    exp = expected(seed)
    assert [s.number for s in doc.sections if s.found] == [1, 2, 3, 4, 5, 6]
    assert not any(s.inferred for s in doc.sections)
    assert doc.year == 2023
    assert doc.title == exp["title"]
    assert doc.agency == exp["agency"]
    for name in ("table2", "table3", "table4"):
        assert doc.tables[name].values() == exp["tables"][name], name
    assert [f for f in doc.findings if f.category == "table_identity"] == []
    assert [f for f in doc.findings if f.category == "structure"] == []


@pytest.mark.parametrize("seed", SEED_IDS)
def test_seed_output_validates_against_contract(seed, reviewed_seeds):
    out = to_contract(reviewed_seeds[seed])
    jsonschema.validate(out, SCHEMA)
    for f in out["findings"]:
        assert out["text"][f["start"]:f["end"]] == f["quote"]
    assert out["report"]["year"] == 2023


def test_repo_schema_matches_shared_contract():
    shared = SHARED / "contract" / "review.schema.json"
    if not shared.exists():
        pytest.skip("../shared/contract not present")
    assert json.loads(shared.read_text(encoding="utf-8")) == SCHEMA


def test_table_cells_point_at_their_text(reviewed_seeds):
    for doc in reviewed_seeds.values():
        for t in doc.tables.values():
            for key, cell in t.cells.items():
                raw = doc.text[cell.start:cell.end]
                assert raw == cell.raw
                assert float(raw.replace(",", "")) == cell.value, key


def test_nbsp_and_source_map_for_txt(reviewed_seeds, seed_paths):
    """Seed 004 has NBSP before numbers: text holds a space, the map still finds the NBSP."""
    doc = reviewed_seeds["004"]
    original = seed_paths[4].read_text(encoding="utf-8").split("\n")
    assert "\u00a0" not in doc.text
    cell = doc.tables["table3"].cells["new.natural_person"]
    loc = doc.source_map.locate(cell.start)
    assert original[loc["line"] - 1][loc["offset"]] == "1"
    assert original[loc["line"] - 1][loc["offset"] - 1] == "\u00a0"
    # every mapped character of text comes from that place in the file
    for off in range(0, len(doc.text), 97):
        loc = doc.source_map.locate(off)
        if loc is None:
            assert doc.text[off] in "\n\t"
            continue
        src = original[loc["line"] - 1][loc["offset"]]
        assert src == doc.text[off] or (src in "\u00a0\u3000" and doc.text[off] == " ")


def test_pdf_line_wraps_joined_in_seed_003(reviewed_seeds):
    doc = reviewed_seeds["003"]
    assert "推进政府信息公开制度化、标准化、信息化建设" in doc.text
    assert "结合教育领域实际情况" in doc.text  # joined across a blank line
    # table rows keep their own lines: the wrapped label is not glued to numbers
    assert doc.tables["table3"].values()["partial.total"] == 0


def test_nested_headings_in_section_five_are_not_sections(reviewed_seeds):
    doc = reviewed_seeds["003"]
    s5 = doc.section(5)
    body = doc.text[s5.start:s5.end]
    assert "一、存在的问题" in body and "二、改进情况" in body
    assert doc.section(6).heading == "六、其他需要报告的事项"


def test_sentences_come_from_spacy_with_jieba(reviewed_seeds):
    doc = reviewed_seeds["004"]
    assert doc.sentences
    for s in doc.sentences:
        assert doc.text[s.start:s.end].strip() == doc.text[s.start:s.end]
        assert not doc.in_table(s.start)
    joined = [doc.text[s.start:s.end] for s in doc.sentences]
    assert any(t.startswith("全年受理依申请公开12件") for t in joined)
    para_start, sdoc = doc.tokens[0]
    words = [t.text for t in sdoc]
    assert len(words) < len(sdoc.text)  # words, not characters: jieba segmented


def _flip(path: Path, table: str, key: str, new: str):
    doc = review_path(path)
    cell = doc.tables[table].cells[key]
    text = doc.text[:cell.start] + new + doc.text[cell.end:]
    return review_text(text, path.name)


def _identity_keys(doc):
    out = set()
    for f in doc.findings:
        if f.category != "table_identity":
            continue
        e = f.evidence
        out.add((f.rule, e.get("column") or e.get("row") or e.get("block") or e.get("key")))
    return out


@pytest.mark.parametrize("seed,table,key,new,expected_ids", [
    ("004", "table3", "new.natural_person", "13",
     {("TABLE3.BALANCE", "natural_person"), ("TABLE3.ROW_SUM", "new")}),
    ("004", "table3", "total.total", "11",
     {("TABLE3.BALANCE", "total"), ("TABLE3.OUTCOME_SUM", "total"), ("TABLE3.ROW_SUM", "total")}),
    ("000", "table3", "granted.commercial", "1",
     {("TABLE3.OUTCOME_SUM", "commercial"), ("TABLE3.ROW_SUM", "granted")}),
    ("001", "table3", "carry_forward.research", "2",
     {("TABLE3.BALANCE", "research"), ("TABLE3.ROW_SUM", "carry_forward")}),
    ("003", "table3", "denied.third_party.total", "1",
     {("TABLE3.OUTCOME_SUM", "total"), ("TABLE3.ROW_SUM", "denied.third_party")}),
    ("002", "table3", "carried_over.legal_service", "4",
     {("TABLE3.BALANCE", "legal_service"), ("TABLE3.ROW_SUM", "carried_over")}),
    ("000", "table4", "review.upheld", "1", {("TABLE4.BLOCK_SUM", "review")}),
    ("003", "table4", "litigation_after_review.total", "3", {("TABLE4.BLOCK_SUM", "litigation_after_review")}),
    ("001", "table4", "litigation_direct.pending", "2", {("TABLE4.BLOCK_SUM", "litigation_direct")}),
    ("004", "table2", "licensing.decisions", "-5", {("TABLE.NEGATIVE", "licensing.decisions")}),
    ("002", "table4", "review.total", "0.5",
     {("TABLE4.BLOCK_SUM", "review"), ("TABLE.FRACTIONAL", "review.total")}),
])
def test_flipping_one_cell_breaks_exactly_its_identities(seed, table, key, new, expected_ids):
    path = next(p for p in SEEDS if p.name.startswith(seed))
    doc = _flip(path, table, key, new)
    assert _identity_keys(doc) == expected_ids
    for f in doc.findings:
        if f.category == "table_identity" and "left" in f.evidence:
            assert f.evidence["left"]["value"] != f.evidence["right"]["value"]


def test_identity_evidence_has_both_sides():
    path = next(p for p in SEEDS if p.name.startswith("004"))
    doc = _flip(path, "table3", "new.natural_person", "13")
    f = next(f for f in doc.findings if f.rule == "TABLE3.BALANCE")
    assert f.evidence["left"] == {"value": 13, "cells": {"new.natural_person": 13, "carried_over.natural_person": 0}}
    assert f.evidence["right"]["value"] == 12
    assert "13" in f.message and "12" in f.message


def test_sci_notation_is_read_and_flagged(reviewed_seeds):
    doc = reviewed_seeds["003"]
    f = [f for f in doc.findings if f.rule == "FORMAT.SCI_NOTATION"]
    assert len(f) == 1 and f[0].quote == "1.0074845E7" and f[0].section == 2
    assert doc.tables["table2"].get("fees.amount_wan") == 10074845.0


HEADING_VARIANTS = {
    "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况": 4,
    "五、存在的主要问题及改进措施": 5,
    "一 、总体情况": 1,
    "三、收到及处理政府信息公开申请情况": 3,
    "六.其他需要报告的事项": 6,
}


@pytest.mark.parametrize("variant,number", HEADING_VARIANTS.items())
def test_heading_variants(variant, number):
    from tests.minimal_report import minimal_report

    doc = review_text(minimal_report(headings={number: variant}))
    assert [s.number for s in doc.sections if s.found] == [1, 2, 3, 4, 5, 6]
    assert doc.section(number).heading.replace(" ", "") == variant.replace(" ", "")
    assert not [f for f in doc.findings if f.category == "structure"]


def test_lost_heading_is_inferred_from_table_content():
    from tests.minimal_report import minimal_report

    doc = review_text(minimal_report(headings={2: "", 4: ""}))
    assert doc.section(2).found and doc.section(2).heading is None
    assert doc.tables["table2"].get("licensing.decisions") == 30
    assert doc.tables["table4"].get("review.total") == 0
    assert sorted(f.evidence["section"] for f in doc.findings if f.rule == "STRUCTURE.HEADING_MISSING") == [2, 4]


def test_missing_and_duplicated_sections_are_structure_findings():
    from tests.minimal_report import minimal_report

    doc = review_text(minimal_report(omit=(4, 5)))
    missing = sorted(f.evidence["section"] for f in doc.findings if f.rule == "STRUCTURE.SECTION_MISSING")
    assert missing == [4, 5]
    assert all(f.severity == "error" for f in doc.findings if f.rule == "STRUCTURE.SECTION_MISSING")


def test_obsolete_table_layout_is_format_finding():
    from tests.minimal_report import minimal_report

    text = minimal_report().replace("第二十条第（八）项", "第二十条第（九）项\n信息内容\t采购项目数量\t采购总金额\n政府集中采购\t0\t0\n第二十条第（八）项")
    doc = review_text(text)
    f = [f for f in doc.findings if f.rule == "FORMAT.OBSOLETE_TABLE"]
    assert len(f) == 1 and f[0].category == "format" and f[0].quote == "政府集中采购"


def test_unreadable_row_is_absent_not_guessed():
    from tests.minimal_report import minimal_report

    # A blank cell between two tabs: the row's other cells keep their columns, the blank
    # one is absent, and the row is reported (once for the table).
    text = minimal_report(table3={"new.commercial": ""})
    doc = review_text(text)
    t3 = doc.tables["table3"].values()
    assert "new.commercial" not in t3
    assert t3["new.natural_person"] == 2 and t3["new.total"] == 2 and t3["new.research"] == 0
    assert t3["granted.natural_person"] == 1
    f = [f for f in doc.findings if f.rule == "FORMAT.TABLE_ROW_UNREADABLE"]
    assert len(f) == 1 and f[0].evidence["row"] == "new" and f[0].evidence["rows"][0]["absent"] == ["commercial"]
    assert not [f for f in doc.findings if f.rule in ("TABLE3.BALANCE", "TABLE3.ROW_SUM")]
    # The same row with its cell simply missing (one number short, nothing marks where):
    # no reading decides which column is missing, so the row is left out, never guessed.
    line = next(ln for ln in text.split("\n") if ln.startswith("一、本年新收"))
    doc = review_text(text.replace(line, line.replace("\t\t", "\t")))
    t3 = doc.tables["table3"].values()
    assert not any(k.startswith("new.") for k in t3)
    assert t3["granted.natural_person"] == 1
    f = [f for f in doc.findings if f.rule == "FORMAT.TABLE_ROW_UNREADABLE"]
    assert len(f) == 1 and f[0].evidence["row"] == "new" and len(f[0].evidence["rows"][0]["absent"]) == 7


def test_fullwidth_digits_and_gbk(tmp_path):
    from tests.minimal_report import minimal_report

    text = minimal_report(table2={"licensing.decisions": "３０"})
    p = tmp_path / "gbk.txt"
    p.write_bytes(text.encode("gbk"))
    doc = review_path(p)
    assert doc.source["encoding"] == "gb18030"
    assert doc.tables["table2"].get("licensing.decisions") == 30
    assert "３０" not in doc.text and "\t30\n" in doc.text


def _run(*args, **kw):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=120, cwd=ROOT, **kw)


def test_cli_exit_codes_and_text_format(tmp_path):
    clean = _run("check", str(SEEDS[1]), "--format", "json")
    assert clean.returncode in (0, 1)
    out = json.loads(clean.stdout)
    assert out["report"]["agency"] == "焦作市教育局"
    assert _run("check", str(SEEDS[3]), "--format", "json").returncode == 1  # 1.0074845E7 is an error
    text = _run("check", str(SEEDS[3]), "--format", "text")
    assert "【二、主动公开政府信息情况】" in text.stdout and "第68行第9列" in text.stdout
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    bad = _run("check", str(empty))
    assert bad.returncode == 2 and "文件为空" in bad.stderr and "Traceback" not in bad.stderr
    missing = _run("check", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "不存在" in missing.stderr


def test_cli_rules_lists_catalogue():
    res = _run("rules")
    assert res.returncode == 0
    assert "TABLE3.BALANCE" in res.stdout and "STRUCTURE.SECTION_MISSING" in res.stdout


def test_batch_is_resumable(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in SEEDS[:3]:
        (src / p.name).write_bytes(p.read_bytes())
    (src / "broken.txt").write_bytes(b"")
    out = tmp_path / "results.jsonl"
    first = _run("batch", str(src), "--out", str(out))
    assert first.returncode == 0, first.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    for line in lines:
        jsonschema.validate(json.loads(line), SCHEMA)
    csv_text = (tmp_path / "results.csv").read_text(encoding="utf-8-sig")
    assert csv_text.count("\n") == 5 and "error" in csv_text
    (src / SEEDS[3].name).write_bytes(SEEDS[3].read_bytes())
    second = _run("batch", str(src), "--out", str(out))
    assert second.returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4  # only the new file was added
    assert "跳过 4 份" in second.stderr


def test_huge_inputs_are_refused_quickly(tmp_path):
    long_text = tmp_path / "long.txt"
    long_text.write_text("一、总体情况\n" + "本年度工作有序开展。" * 70000, encoding="utf-8")
    res = _run("check", str(long_text))
    assert res.returncode == 2 and "文本过长" in res.stderr and "Traceback" not in res.stderr
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    res = _run("check", str(big))
    assert res.returncode == 2 and "文件过大" in res.stderr
