"""Boilerplate (issue 6): copies from last year, text shared across agencies, foreign
names, statutory wording left alone — on the real seeds, through the real pipeline."""
import json
import re
from pathlib import Path

import pytest

from tests.minimal_report import minimal_report
from nlp_review.pipeline import Options, review_text

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))

COPY_RULES = {"BOILERPLATE.COPIED_PARAGRAPH", "BOILERPLATE.COPIED_SENTENCE", "BOILERPLATE.PROBLEMS_UNCHANGED"}
NEW_PARAGRAPHS = ["本年度对门户网站进行第{k}次改版，新增无障碍浏览和长者模式，全年办理网民留言{n}件，平均3.{k}个工作日办结。",
                  "与区融媒体中心合作开设“教育夜话”栏目{k}期，由科室负责人解读中考招生、课后服务等政策，累计观看{n}人次。"]


def _seed(prefix: str) -> str:
    return next(p for p in SEEDS if p.name.startswith(prefix)).read_text(encoding="utf-8")


def _narrative_paragraphs(doc, numbers=(1, 5)):
    from nlp_review.boilerplate.text import is_heading, norm

    out = []
    for n in numbers:
        sec = doc.section(n)
        for p in doc.paragraphs:
            t = doc.text[p.start:p.end]
            if sec and p.start >= sec.body_start and p.end <= sec.end and len(norm(t)) >= 15 and not is_heading(t):
                out.append((n, p, t))
    return out


def _last_year_copy(text: str, doc, edit: list[str]) -> str:
    """The seed as “last year”: the title's year minus one, the given paragraphs rewritten."""
    prev = re.sub(r"2023(?=\s*年)", "2022", text, count=1)
    for k, para in enumerate(edit):
        prev = prev.replace(para, NEW_PARAGRAPHS[k % 2].format(k=k + 1, n=100 + 37 * k), 1)
    return prev


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_edited_copy_as_last_year_reports_copied_not_edited(prefix):
    text = _seed(prefix)
    plain = review_text(text, "current.txt")
    paras = _narrative_paragraphs(plain, numbers=(1,))
    edited = [t for _, _, t in paras[1:4:2]]  # the 2nd and 4th paragraphs of section one are rewritten
    assert len(edited) == 2
    prev = review_text(_last_year_copy(text, plain, edited), "last_year.txt")
    assert prev.year == plain.year - 1
    doc = review_text(text, "current.txt", Options(previous=prev))
    copies = [f for f in doc.findings if f.rule in COPY_RULES]
    for n, p, t in _narrative_paragraphs(doc):
        hit = [f for f in copies if f.start < p.end and p.start < f.end]
        if t in edited:
            assert not hit, f"edited paragraph reported as copied: {t[:40]}"
        else:
            assert hit, f"copied paragraph not reported: {t[:40]}"
    for f in copies:
        assert f.severity == "warning" and f.category == "boilerplate"
        assert f.evidence["similarity"] >= 0.85
        if f.rule != "BOILERPLATE.PROBLEMS_UNCHANGED":
            assert f.evidence["previous_text"] in prev.text
            assert re.sub(r"\s", "", f.evidence["previous_text"]) == re.sub(r"\s", "", f.quote)
    para = [f for f in copies if f.rule == "BOILERPLATE.COPIED_PARAGRAPH"]
    assert para and all(f.evidence["previous_report"]["year"] == plain.year - 1 for f in para)
    # section five was left as it was: its problems are last year's
    unchanged = [f for f in copies if f.rule == "BOILERPLATE.PROBLEMS_UNCHANGED"]
    assert len(unchanged) == 1 and "上年" in unchanged[0].message and unchanged[0].section == 5
    assert doc.scores["boilerplate_share"]["1"] > plain.scores["boilerplate_share"]["1"]


def test_problems_rewritten_are_not_unchanged():
    text = _seed("000")
    plain = review_text(text, "current.txt")
    s5 = [t for _, _, t in _narrative_paragraphs(plain, numbers=(5,))]
    prev = review_text(_last_year_copy(text, plain, s5), "last_year.txt")
    doc = review_text(text, "current.txt", Options(previous=prev))
    assert not [f for f in doc.findings if f.rule == "BOILERPLATE.PROBLEMS_UNCHANGED"]
    assert not [f for f in doc.findings if f.rule in COPY_RULES and f.section == 5]
    assert [f for f in doc.findings if f.rule in COPY_RULES and f.section == 1]


@pytest.mark.parametrize("a,b", [("000", "001"), ("001", "002"), ("002", "003"), ("003", "004"), ("004", "000")])
def test_two_different_seeds_share_no_false_copies(a, b):
    prev = review_text(_seed(b), "b.txt")
    doc = review_text(_seed(a), "a.txt", Options(previous=prev))
    assert not [f for f in doc.findings if f.rule in COPY_RULES]
    assert not [f for f in doc.findings if f.rule == "BOILERPLATE.SHARED_ACROSS_REPORTS"]


def _batch(tmp_path, files: dict[str, str]):
    from nlp_review.cli import main

    d = tmp_path / "in"
    for name, text in files.items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(d), "--out", str(out), "--quiet"]) == 0
    return {r["source"]["path"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def test_paragraph_pasted_between_batch_reports_is_found_with_its_source(tmp_path):
    src = _seed("000")
    doc0 = review_text(src, "a.txt")
    pasted = next(t for _, _, t in _narrative_paragraphs(doc0) if t.startswith("（三）"))
    target = _seed("001")
    anchor = next(line for line in target.splitlines() if line.startswith("（二）"))
    results = _batch(tmp_path, {"a/hulan.txt": src, "b/jiaozuo.txt": target.replace(anchor, pasted + "\n" + anchor, 1)})
    for me, other in (("b/jiaozuo.txt", "a/hulan.txt"), ("a/hulan.txt", "b/jiaozuo.txt")):
        shared = [f for f in results[me]["findings"] if f["rule"] == "BOILERPLATE.SHARED_ACROSS_REPORTS"]
        assert shared, me
        for f in shared:
            assert f["quote"] in pasted
            assert f["evidence"]["closest"]["file"] == other
            assert f["evidence"]["closest"]["sentence"] in pasted and f["severity"] == "warning"
        assert "焦作市教育局" in shared[0]["message"] or "呼兰区教育局" in shared[0]["message"]
    # nothing else of either report is reported as shared
    assert all(f["quote"] in pasted for r in results.values() for f in r["findings"]
               if f["rule"] == "BOILERPLATE.SHARED_ACROSS_REPORTS")


def test_batch_pairs_last_year_by_agency_and_year(tmp_path):
    text = _seed("004")
    last = re.sub(r"2023(?=\s*年)", "2022", text, count=1)
    results = _batch(tmp_path, {"2023.txt": text, "2022.txt": last, "other.txt": _seed("002")})
    copies = [f for f in results["2023.txt"]["findings"] if f["rule"] in COPY_RULES]
    assert copies and all(f["evidence"]["previous_report"]["year"] == 2022 for f in copies
                          if "previous_report" in f["evidence"])
    assert not [f for f in results["2022.txt"]["findings"] if f["rule"] in COPY_RULES]  # no 2021 in the batch
    assert not [f for f in results["other.txt"]["findings"] if f["rule"] in COPY_RULES]
    # the two years of one agency are not “other agencies”
    assert not [f for f in results["2023.txt"]["findings"] if f["rule"] == "BOILERPLATE.SHARED_ACROSS_REPORTS"]


def test_sentence_of_a_corpus_report_is_found_with_its_source():
    import lzma

    with lzma.open(ROOT / "corpus" / "boilerplate" / "reports.jsonl.xz", "rt", encoding="utf-8") as fh:
        report = next(r for r in map(json.loads, fh) if r["file"] == "0032.txt")
    sentence = "按照国、省、市政务公开工作要求设置专栏,较好的保证了专栏内容的丰富、全面、准确。"
    assert sentence in report["text"]
    doc = review_text(minimal_report(s1="全年通过区政府门户网站发布信息120条。\n" + sentence.replace(",", "，")))
    f = next(f for f in doc.findings if f.rule == "BOILERPLATE.SHARED_ACROSS_REPORTS")
    assert f.evidence["closest"]["file"] == "0032.txt" and f.evidence["closest"]["agency"] == report["agency"]
    assert f.evidence["closest"]["similarity"] >= 0.9


def test_statutory_wording_is_never_flagged():
    """The regulation's own sentences in section one: the model alone calls many of them
    generic, the rules flag none."""
    from nlp_review.boilerplate.model import get_model
    from nlp_review.boilerplate.text import split_sentences

    stat = (ROOT / "corpus" / "boilerplate" / "statutory.txt").read_text(encoding="utf-8")
    sents = [stat[a:b] for a, b in split_sentences(stat) if stat[a:b].startswith("第") and "条" in stat[a:b][:6]]
    sents = [re.sub(r"^第\S+条\s*", "", s) for s in sents[:25]]
    model = get_model()
    assert sum(model.judge(s, 1).p_specific < 0.5 for s in sents) >= 5
    doc = review_text(minimal_report(s1="\n".join(sents)))
    sec = doc.section(1)
    hits = [f for f in doc.findings if f.category == "boilerplate" and f.start >= sec.start and f.end <= sec.end
            and f.rule != "BOILERPLATE.SECTION_GENERIC" and any(f.quote in s or s in f.quote for s in sents)]
    assert hits == []


def test_foreign_place_name_in_a_seed():
    text = _seed("000")
    assert not [f for f in review_text(text).findings if f.rule == "BOILERPLATE.FOREIGN_NAME"]
    anchor = "（二）依申请公开。"
    doc = review_text(text.replace(anchor, "全年在宜宾市教育局网站转载招生政策8条。\n" + anchor, 1))
    hits = [f for f in doc.findings if f.rule == "BOILERPLATE.FOREIGN_NAME"]
    assert [f.quote for f in hits] == ["宜宾市"]
    assert hits[0].evidence["own_places"] == ["呼兰区"] and "呼兰区" in hits[0].message


def test_generic_sentences_explain_why():
    doc = review_text(_seed("000"))
    generic = [f for f in doc.findings if f.rule == "BOILERPLATE.GENERIC_SENTENCE"]
    assert generic and all(f.severity == "info" and f.section in (1, 5) for f in generic)
    assert all(f.evidence["p_specific"] < 0.5 and f.evidence["reasons"] for f in generic)
    sentences = [s for f in generic for s in f.evidence["sentences"]]
    assert all(s["p_specific"] < 0.5 and s["reasons"] and doc.text[s["start"]:s["end"]] == s["quote"] for s in sentences)
    stock = "加强新闻宣传和舆论引导"
    assert any(stock in s["quote"] for s in sentences)
    share = doc.scores["boilerplate_share"]
    assert set(share) == {"1", "5"} and all(0 <= v <= 1 for v in share.values())


def test_check_cli_with_previous_gives_valid_contract_json(tmp_path, capsys):
    import jsonschema

    from nlp_review.cli import main

    text = _seed("000")
    cur, prev = tmp_path / "2023.txt", tmp_path / "2022.txt"
    anchor = "（二）依申请公开。"
    cur.write_text(text.replace(anchor, "全年在宜宾市教育局网站转载招生政策8条。\n" + anchor, 1), encoding="utf-8")
    prev.write_text(re.sub(r"2023(?=\s*年)", "2022", text, count=1), encoding="utf-8")
    main(["check", str(cur), "--previous", str(prev)])
    out = json.loads(capsys.readouterr().out)
    schema = json.loads((ROOT / "tests" / "data" / "contract" / "review.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(out, schema)
    rules = {f["rule"] for f in out["findings"]}
    assert {"BOILERPLATE.COPIED_PARAGRAPH", "BOILERPLATE.PROBLEMS_UNCHANGED", "BOILERPLATE.FOREIGN_NAME",
            "BOILERPLATE.GENERIC_SENTENCE"} <= rules
    assert set(out["scores"]["boilerplate_share"]) == {"1", "5"}
    foreign = next(f for f in out["findings"] if f["rule"] == "BOILERPLATE.FOREIGN_NAME")
    assert foreign["quote"] == "宜宾市" and foreign["category"] == "boilerplate"


def test_a_corpus_report_is_not_its_own_source():
    import lzma

    with lzma.open(ROOT / "corpus" / "boilerplate" / "reports.jsonl.xz", "rt", encoding="utf-8") as fh:
        report = next(r for r in map(json.loads, fh) if r["file"] == "0032.txt")
    doc = review_text(report["text"], "0032.txt")
    assert doc.agency is None or doc.agency != report["agency"]  # so only the fingerprint can tell
    assert not [f for f in doc.findings if f.rule == "BOILERPLATE.SHARED_ACROSS_REPORTS"
                and f.evidence["closest"]["file"] == "0032.txt"]
