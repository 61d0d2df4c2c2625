"""The pipeline object: built from declared components, validated when built, run whole,
partly (until/only/disable) or over a stream; the presets the product uses."""
from __future__ import annotations

import dataclasses

import pytest

from nlp_review.component import COMPONENTS, INGESTED
from nlp_review.doc import Doc
from nlp_review.ingest import load_path
from nlp_review.pipeline import (PRESETS, Options, Pipeline, previous_bytes, previous_path, review_fragment,
                                 review_path)

from .conftest import SEEDS


def test_presets_validate_and_name_their_components():
    assert Pipeline.preset("review").names == ["sections", "report_guard", "tables", "previous_report", "sentences",
                                               "claims", "elements", "boilerplate", "checks", "ocr_evidence", "scores"]
    assert Pipeline.preset("fragment").names == ["sentences", "checks"]
    assert Pipeline.preset("previous_year").names == ["sections", "report_guard", "tables", "sentences"]
    assert set(PRESETS) == {"review", "fragment", "previous_year"}


@pytest.mark.parametrize("steps,message", [
    (["tables", "sections"], "requires ['sections']"),  # tables read the sections
    (["sections", "claims"], "requires ['sentences', 'tokens']"),
    (["sections", "sentences", "tables"], "uses ['tables'], assigned only after it"),
    (["sections", "sections"], "appears twice"),
    (["sections", "no_such_component"], "unknown component"),
])
def test_a_pipeline_that_cannot_work_is_refused_when_built(steps, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Pipeline(steps)


def test_layers_are_doc_fields_assigned_by_exactly_one_component():
    Pipeline.preset("review")  # imports the component modules
    fields = {f.name for f in dataclasses.fields(Doc)}
    owners: dict[str, str] = {}
    for c in COMPONENTS.values():
        for layer in c.requires + c.uses + c.assigns:
            assert layer in fields, f"{c.name}: {layer} is not a Doc field"
        for layer in c.assigns:
            assert layer not in owners and layer not in INGESTED, f"{layer} assigned by {owners.get(layer)} and {c.name}"
            owners[layer] = c.name
    # every layer field of Doc is filled by ingestion or by a component
    bookkeeping = {"layers", "user_data", "timing_ms"}
    assert fields - bookkeeping == set(owners) | set(INGESTED)


def test_run_until_only_and_disable():
    review = Pipeline.preset("review")
    doc = review.run(load_path(SEEDS[0]), until="sentences")
    assert doc.sentences and doc.tables and not doc.claims and not doc.findings
    assert {"sections", "tables", "sentences", "tokens"} <= doc.layers and "claims" not in doc.layers
    review.run(doc, only=["claims"])  # the layers it needs are already there
    assert doc.claims and not doc.findings
    with pytest.raises(ValueError, match="requires"):
        review.run(load_path(SEEDS[0]), only=["claims"])  # no sentences yet
    with pytest.raises(ValueError, match="has no component"):
        review.run(doc, until="no_such_component")

    full = review_path(SEEDS[0])
    without = review.run(load_path(SEEDS[0]), disable=["elements"])
    assert not without.elements and "elements" not in without.layers
    # the element rules need the elements layer: they do not run, everything else is the same
    assert any(f.rule.startswith("ELEMENT.") for f in full.findings)
    assert [(f.rule, f.start, f.end) for f in without.findings] == \
        [(f.rule, f.start, f.end) for f in full.findings if not f.rule.startswith("ELEMENT.")]


def test_pipe_streams_one_doc_at_a_time():
    loaded = []

    def docs():
        for p in SEEDS[:3]:
            loaded.append(p.name)
            yield load_path(p)

    stream = Pipeline.preset("previous_year").pipe(docs())
    first = next(stream)
    assert loaded == [SEEDS[0].name] and first.sentences
    assert len([first, *stream]) == 3 and len(loaded) == 3


def test_previous_year_reads_what_year_over_year_compares_and_nothing_more():
    doc = previous_path(SEEDS[0])
    assert doc.sections and doc.tables and doc.paragraphs and doc.sentences
    assert not doc.claims and not doc.elements and doc.boilerplate is None and not doc.findings and not doc.scores
    # the comparison gives the same findings as with a fully reviewed last year
    from tests.minimal_report import minimal_report
    from nlp_review.pipeline import review_text

    last = minimal_report(title="示例区教育局2023年政府信息公开工作年度报告")
    light = review_text(minimal_report(), options=Options(previous=previous_bytes(last.encode("utf-8"), "last.txt")))
    full = review_text(minimal_report(), options=Options(previous=review_text(last, "last.txt")))
    assert [f.to_json() for f in light.findings] == [f.to_json() for f in full.findings]
    assert any(f.rule == "BOILERPLATE.PROBLEMS_UNCHANGED" for f in light.findings)
    assert any(f.rule == "TABLE2.IN_FORCE_STOCK" for f in light.findings)  # 5 + 1 − 0 ≠ 5: tables compared


def test_fragment_runs_only_sentence_level_rules():
    doc = review_fragment("本年度，本机关为收取信息公开处理费。\n截止目前，未有依申请公开情况。")
    assert {f.rule for f in doc.findings} == {"TYPO.WEI_NEGATION", "TYPO.WORD_FORM", "TYPO.JIEZHI_JIEZHI"}
    assert not doc.sections and "sections" not in doc.layers and doc.scores == {}


def test_describe_prints_the_component_graph():
    text = Pipeline.preset("review").describe()
    for c in Pipeline.preset("review").steps:
        comp = c[0]
        assert f"  {comp.name}" in text and comp.module in text
    assert "requires: text, grids, sections" in text and "assigns:  tables, table_issues, sci_cells" in text


def test_readme_shows_the_current_component_graph():
    """README "Architecture" holds `nlp-review pipeline --describe --preset review` verbatim."""
    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```text\n" + Pipeline.preset("review").describe() + "\n```" in readme
