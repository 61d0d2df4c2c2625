"""A simulated year of the retraining team's work (issue 16, part 3), through the real
service, export, trainer, model store and loaders, with tiny (`--quick`) models:

reviewers dismiss a class of false alarm (BOILERPLATE.GENERIC_SENTENCE on sentences that
name a concrete platform or procedure: 微信公众号, 门户网站, “三审三校”, 档案室 …) and accept
the other generic-sentence findings → `nlp-review train --feedback … --reports …` builds a
model that no longer raises the dismissed sentences (nor, having learned the class, most of
the same class in a report nobody reviewed), keeps raising the accepted ones, is not worse
on the gold set and is promoted, with the promotion recorded; a careless year (every finding
dismissed) gives a worse model, which is refused; `rollback` restores the previous model.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from nlp_review.cli import main
from tests.conftest import ROOT, SEEDS

CLASS = re.compile(r"微信|公众号|公众平台|档案室|三审三校|抖音|网站")
GENERIC = "BOILERPLATE.GENERIC_SENTENCE"
REVIEWED = ("000", "001", "002")  # the drafts reviewers decide on; 003 is never reviewed
# The quick model is measured on 28 held-back sentences: one sentence judged the other way moves
# its macro F1 by about 0.025. Since section five's sentences are judged generic for their stock
# wording only (issue 14), reviewers see fewer of them, and the year's model lands within one
# sentence of the starting model's score instead of above it.
ONE_SENTENCE = "0.03"
SHIPPED = (ROOT / "models" / "CURRENT").read_text(encoding="utf-8").strip()


def _seed(prefix: str) -> Path:
    return next(p for p in SEEDS if p.name.startswith(prefix))


@pytest.fixture
def year(tmp_path, monkeypatch):
    """A models root holding the shipped element and boilerplate models (their version's name)."""
    root = tmp_path / "models"
    for name in ("elements", "boilerplate"):
        shutil.copytree(ROOT / "models" / SHIPPED / name, root / SHIPPED / name)
    shutil.copy(ROOT / "models" / SHIPPED / "metrics.json", root / SHIPPED / "metrics.json")
    (root / "CURRENT").write_text(SHIPPED + "\n", encoding="utf-8")
    monkeypatch.setenv("NLP_REVIEW_MODELS", str(root))
    return root


def _current(root: Path) -> str:
    return (root / "CURRENT").read_text(encoding="utf-8").strip()


def _history(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "HISTORY.jsonl").read_text(encoding="utf-8").splitlines()]


def _generic_quotes(prefix: str) -> set[str]:
    from nlp_review.pipeline import review_path

    # one finding per section, listing its generic sentences
    return {s["quote"] for f in review_path(_seed(prefix)).findings if f.rule == GENERIC for s in f.evidence["sentences"]}


def _reviewers_year(tmp_path, decide) -> tuple[Path, dict[str, str]]:
    """Drafts reviewed through the service, a decision on every generic sentence
    (`decide(quote)`): one decision on a section's finding when all its sentences get the
    same, else one per sentence; exported with `nlp-review export-feedback`."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.config import Settings

    settings = Settings(data_dir=tmp_path / f"svc{len(list(tmp_path.glob('svc*')))}")
    client = TestClient(create_app(settings))
    decided = {}
    for prefix in REVIEWED:
        r = client.post("/v1/reviews", files={"file": (_seed(prefix).name, _seed(prefix).read_bytes(), "text/plain")})
        assert r.status_code == 201, r.text
        for f in r.json()["findings"]:
            if f["rule"] != GENERIC:
                continue
            url = f"/v1/reviews/{r.json()['id']}/findings/{f['id']}"
            mine = {s["quote"]: decide(s["quote"]) for s in f["evidence"]["sentences"]}
            decided.update(mine)
            if len(set(mine.values())) == 1:
                assert client.post(url, json={"decision": next(iter(mine.values()))}).status_code == 200
                continue
            for i, s in enumerate(f["evidence"]["sentences"]):
                rr = client.post(url, json={"decision": mine[s["quote"]], "sentence": i})
                assert rr.status_code == 200, rr.text
    out = tmp_path / f"feedback{len(list(tmp_path.glob('feedback*')))}.jsonl"
    assert main(["export-feedback", "--database-url", settings.db_url(), "--out", str(out)]) == 0
    return out, decided


def _year_reports(tmp_path) -> Path:
    """The year's published reports: the five seeds, and 临平区's 2022 report with one
    application carried forward that its 2023 report (seed 004) does not carry over."""
    from tests.test_yoy_tables import last_year_text

    d = tmp_path / "reports"
    d.mkdir()
    for p in SEEDS:
        shutil.copy(p, d / p.name)
    (d / "临平区2022.txt").write_text(last_year_text(tmp_path), encoding="utf-8")
    return d


def test_a_year_of_feedback_retrains_promotes_refuses_and_rolls_back(year, tmp_path, capsys):
    root = year
    # The year's starting model: a quick one, measured on another gold set than the shipped
    # model, so nothing shows it is not worse: training does not promote it, a person does.
    main(["train", "--only", "boilerplate", "--quick", "--out", str(root / "y0")])
    assert _current(root) == SHIPPED and _history(root)[-1]["action"] == "refuse"
    assert main(["models", "promote", "y0"]) == 1 and _current(root) == SHIPPED
    assert main(["models", "promote", "y0", "--force"]) == 0 and _current(root) == "y0"
    before = {p: _generic_quotes(p) for p in REVIEWED + ("003",)}
    assert any(CLASS.search(q) for q in before["003"])  # the false alarm also sits in the unreviewed draft

    # Reviewers dismiss the class, accept the rest.
    feedback, decided = _reviewers_year(tmp_path, lambda q: "dismissed" if CLASS.search(q) else "accepted")
    dismissed = {q for q, d in decided.items() if d == "dismissed"}
    accepted = {q for q, d in decided.items() if d == "accepted"}
    assert len(dismissed) >= 5 and len(accepted) >= 10
    capsys.readouterr()
    assert main(["train", "--only", "boilerplate", "--quick", "--feedback", str(feedback),
                 "--reports", str(_year_reports(tmp_path)), "--out", str(root / "y1"), "--tolerance", ONE_SENTENCE]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["promoted"] and summary["verdict"] == {"boilerplate": "not_worse"}, summary
    assert _current(root) == "y1"
    move = _history(root)[-1]
    assert (move["action"], move["from"], move["to"]) == ("train", "y0", "y1")

    # Gold metrics not worse (within one test sentence); the year's decisions learned; per-rule precision in the card.
    metrics = json.loads((root / "y1" / "metrics.json").read_text(encoding="utf-8"))["boilerplate"]
    old = json.loads((root / "y0" / "metrics.json").read_text(encoding="utf-8"))["boilerplate"]
    assert metrics["split"] == old["split"] and metrics["primary"] >= old["primary"] - float(ONE_SENTENCE)
    assert metrics["statutory_flag_rate"] <= old["statutory_flag_rate"]
    fb = metrics["year_feedback"]
    assert fb["new"]["generic_sentence_dismissed_still_raised"] == 0
    assert fb["current"]["generic_sentence_dismissed_still_raised"] == len(dismissed)
    card = (root / "y1" / "MODEL_CARD.md").read_text(encoding="utf-8")
    precision = len(accepted) / len(decided)
    assert f"| `{GENERIC}` | {len(decided)} | {len(accepted)} | {len(dismissed)} | {precision:.3f} |" in card
    assert "promoted: CURRENT moved to this version" in card and "year-over-year pairs" in card
    # The year's labelled data, with provenance, and its year-over-year pair.
    rows = [json.loads(x) for x in (root / "y1" / "data" / "feedback" / "boilerplate.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert {r["text"] for r in rows if r["label"] == "specific"} == dismissed
    assert all(r["provenance"]["review_id"] and r["provenance"]["source_sha256"] for r in rows)
    pairs = [json.loads(x) for x in (root / "y1" / "data" / "yoy_pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    linping = [p for p in pairs if p["this"]["file"].startswith("004")]
    assert len(linping) == 1 and linping[0]["previous"]["file"] == "临平区2022.txt"
    assert sorted(linping[0]["findings"]["TABLE3.CARRY_OVER"]) == ["natural_person", "total"]

    # The retrained model, loaded by the real loader in this process.
    after = {p: _generic_quotes(p) for p in REVIEWED + ("003",)}
    for p in REVIEWED:
        assert not (after[p] & dismissed), p
        assert before[p] & accepted <= after[p], p
    # …and it learned the class: fewer of those false alarms in the draft nobody reviewed.
    assert sum(bool(CLASS.search(q)) for q in after["003"]) < sum(bool(CLASS.search(q)) for q in before["003"])

    # A careless year: every finding dismissed. The model gets worse on the gold set: refused.
    careless, _ = _reviewers_year(tmp_path, lambda q: "dismissed")
    assert main(["train", "--only", "boilerplate", "--quick", "--feedback", str(careless),
                 "--out", str(root / "y2"), "--tolerance", ONE_SENTENCE]) == 0
    assert _current(root) == "y1"
    refusal = _history(root)[-1]
    assert refusal["action"] == "refuse" and refusal["version"] == "y2" and "primary" in refusal["worse"]["boilerplate"]
    assert "not promoted" in (root / "y2" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert main(["models", "promote", "y2"]) == 1 and _current(root) == "y1"

    # Rollback: the previous model is back, and with it the dismissed false alarms.
    assert main(["models", "rollback"]) == 0 and _current(root) == "y0"
    assert _history(root)[-1]["action"] == "rollback"
    assert _generic_quotes("001") == before["001"]
    capsys.readouterr()
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"^\* y0 ", listing, re.M) and re.search(r"^  y1 ", listing, re.M)
    assert main(["models", "show", "y1"]) == 0 and "Per-rule precision" in capsys.readouterr().out
    # rolling back again returns to the shipped version (the stack of moves), then there is nothing left
    assert main(["models", "rollback"]) == 0 and _current(root) == SHIPPED
    assert main(["models", "rollback"]) == 2


def test_train_help_lists_every_trainer(capsys):
    from nlp_review.training.registry import TRAINERS

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    for name in TRAINERS:
        assert re.search(rf"^\s+{name}\s+\S", out, re.M), name
    with pytest.raises(SystemExit):
        main(["train", "--only", "nonexistent"])
    err = capsys.readouterr().err
    assert "invalid choice" in err or "无效" in err


def test_corrected_cells_are_kept_with_the_table_text(tmp_path):
    """A reviewer corrects a misread cell with a decision; the export row carries the cell,
    the value read, the correct value and table three's text: the table reader's test data."""
    from fastapi.testclient import TestClient

    from nlp_review.training.feedback import labelled_sets, load_feedback
    from service.app import create_app
    from service.config import Settings

    settings = Settings(data_dir=tmp_path / "svc")
    client = TestClient(create_app(settings))
    r = client.post("/v1/reviews", files={"file": ("004.txt", _seed("004").read_bytes(), "text/plain")}).json()
    f = r["findings"][0]
    url = f"/v1/reviews/{r['id']}/findings/{f['id']}"
    ok = client.post(url, json={"decision": "dismissed", "cells": {"table3.granted.total": 10}})
    assert ok.status_code == 200 and ok.json()["cells"] == {"table3.granted.total": 10}
    for bad in ({"table3.granted.nobody": 1}, {"table9.x": 1}, {"table3.granted.total": -1}):
        e = client.post(url, json={"decision": "dismissed", "cells": bad})
        assert e.status_code == 400 and re.search(r"[\u4e00-\u9fff]", e.json()["message"]), e.text
    out = tmp_path / "fb.jsonl"
    assert main(["export-feedback", "--database-url", settings.db_url(), "--out", str(out)]) == 0
    [cell] = labelled_sets(load_feedback(out))["table_cells"]
    assert (cell["table"], cell["key"], cell["read"], cell["value"]) == ("table3", "granted.total", 11, 10)
    assert cell["section_text"].startswith("三、") and "予以公开" in cell["section_text"]
    assert cell["provenance"]["review_id"] == r["id"]


def _feedback_lines(result: dict, decisions: dict[str, str], review_id: str = "r1") -> list[str]:
    """Export rows (as `nlp-review export-feedback` writes them) for findings of `result`."""
    from nlp_review.feedback import feedback_record

    rows = []
    for f in result["findings"]:
        if f["rule"] in decisions:
            rows.append({"finding_id": f["id"], "decision": decisions[f["rule"]], "note": None,
                         "created_at": "2025-03-01T00:00:00Z", "review_id": review_id, "source_sha256": "x",
                         "finding": feedback_record(result, f)})
    return [json.dumps(r, ensure_ascii=False) for r in rows]


def test_decisions_are_read_latest_first_and_split_by_family():
    from nlp_review.pipeline import review_path
    from nlp_review.report import to_contract
    from nlp_review.training.feedback import labelled_sets, read_feedback

    result = to_contract(review_path(_seed("001")))
    rules = {f["rule"] for f in result["findings"]}
    assert {"ELEMENT.MISSING.S6_FEES", GENERIC} <= rules
    lines = _feedback_lines(result, {r: "accepted" for r in rules})
    # the reviewer changes their mind on one finding and withdraws another; a line is cut short
    first, second = json.loads(lines[0]), json.loads(lines[1])
    lines += [json.dumps({**first, "decision": "dismissed"}, ensure_ascii=False),
              json.dumps({**second, "decision": None}, ensure_ascii=False), lines[2][:40]]
    fs = read_feedback(lines)
    assert fs.stats["unreadable"] == 1 and fs.stats["undecided"] == 1 and fs.stats["superseded"] == 2
    # a grouped finding (a section's generic sentences) is decided for each sentence it lists ("f-0001.2")
    by_finding: dict[str, list] = {}
    for d in fs.decisions:
        by_finding.setdefault(d.provenance["finding_id"].split(".")[0], []).append(d)
    assert by_finding[first["finding_id"]] and {d.decision for d in by_finding[first["finding_id"]]} == {"dismissed"}
    assert second["finding_id"] not in by_finding
    sets = labelled_sets(fs)
    [fees] = [r for r in sets["elements"] if r["element"] == "s6.fees"]
    assert fees["label"] == "absent" and fees["section_text"].startswith("六、") and fees["provenance"]["review_id"] == "r1"
    assert all(r["label"] in ("generic", "specific") for r in sets["boilerplate"] if r["rule"] == GENERIC)
    p = fs.precision_by_rule()[GENERIC]
    assert p["decided"] == p["accepted"] + p["dismissed"] and 0 <= p["ci95"][0] <= p["precision"] <= p["ci95"][1] <= 1


def test_element_and_typo_decisions_become_training_data(monkeypatch):
    """A dismissed ELEMENT.MISSING finding labels the unit CURRENT's model finds likeliest to
    be the element; a dismissed TYPO.CHAR_CONFUSION quote becomes a protected term."""
    from nlp_review.pipeline import review_path
    from nlp_review.report import to_contract
    from nlp_review.training.elements import _current_model, feedback_units
    from nlp_review.training.feedback import read_feedback
    from nlp_review.training.typo_lm import dismissed_terms
    from nlp_review.training.year import TrainingYear

    monkeypatch.setenv("NLP_REVIEW_MODELS", str(ROOT / "models"))
    result = to_contract(review_path(_seed("004")))  # 临平区 names last year's problem; the model misses it
    assert "ELEMENT.MISSING.S5_LAST_YEAR" in {f["rule"] for f in result["findings"]}
    year = TrainingYear(feedback=read_feedback(_feedback_lines(result, {"ELEMENT.MISSING.S5_LAST_YEAR": "dismissed"})))
    rows, stats = feedback_units(year, _current_model())
    assert stats == {"decisions": 1, "located": 1, "not_located": 0, "relabelled": 0}
    [row] = rows
    assert row["label"] == "s5.last_year" and "上年度" in row["text"] and row["split"] == "train"
    assert row["source"] == "feedback:r1"

    typo = {"findings": [{"id": "f-0001", "rule": "TYPO.CHAR_CONFUSION", "category": "typo", "severity": "warning",
                          "section": 1, "start": 9, "end": 11, "quote": "旨在", "message": "…", "suggestions": ["指在"]}],
            "text": "本局开展专项行动，旨在提升服务水平。", "report": {"sections": []}}
    year = TrainingYear(feedback=read_feedback(_feedback_lines(typo, {"TYPO.CHAR_CONFUSION": "dismissed"})))
    assert dismissed_terms(year) == ("旨在",)


def test_typo_decisions_reach_the_reranker_and_the_year_reports_the_report_lm(year, tmp_path):
    """The year's export feeds typo_rerank's labelled rows (its own feedback reader) and the
    protected terms of typo_lm; the year's reports are counted by the report LM, the typo
    benchmark's own texts (the seeds) are not."""
    import lzma

    from nlp_review.pipeline import review_path
    from nlp_review.report import to_contract

    for name in ("typo_lm", "typo_rerank"):  # the shipped typo models, for the review
        shutil.copytree(ROOT / "models" / SHIPPED / name, year / SHIPPED / name)
    result = to_contract(review_path(_seed("003")))
    typo = [f for f in result["findings"] if f["rule"] == "TYPO.CHAR_CONFUSION"]
    assert typo, "seed 003 has a model typo finding (顺利的完成)"
    feedback = tmp_path / "fb.jsonl"
    feedback.write_text("\n".join(_feedback_lines(result, {"TYPO.CHAR_CONFUSION": "dismissed"})) + "\n",
                        encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(_seed("004"), reports / "seed.txt")  # a benchmark text: not counted
    (reports / "other.txt").write_text(minimal_year_report(), encoding="utf-8")
    assert main(["train", "--only", "typo_lm", "--only", "typo_rerank", "--quick", "--feedback", str(feedback),
                 "--reports", str(reports), "--out", str(year / "t1")]) == 0
    metrics = json.loads((year / "t1" / "metrics.json").read_text(encoding="utf-8"))
    # the year's decisions reach the reranker's reader (a tiny typo_lm's generator may not
    # propose the same edit again: then the row is counted as not proposed)
    fb = metrics["typo_rerank"]["feedback"]
    assert fb["rows"] == len(typo) and fb["used"] + fb["not_proposed"] == len(typo) and fb["bad"] == 0
    assert metrics["typo_rerank"]["year_feedback"]["current"]["typo_dismissed_still_raised"] == len(typo)
    assert metrics["typo_lm"]["year"] == {"protected_terms_from_feedback": len({f["quote"] for f in typo}),
                                          "year_reports_in_report_lm": 1}
    words = lzma.open(year / "t1" / "typo_lm" / "words.txt.xz", "rt", encoding="utf-8").read()
    proper = set(words.partition("#PROPER\n")[2].split())
    assert {f["quote"] for f in typo} <= proper


def minimal_year_report() -> str:
    from tests.minimal_report import minimal_report

    return minimal_report(title="示例区卫生健康局2024年政府信息公开工作年度报告")
