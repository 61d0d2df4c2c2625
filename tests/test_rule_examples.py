"""LanguageTool style: every example of every rule runs through the real pipeline; the
registry's ids, folders and categories agree."""
import pytest

from nlp_review.checks.registry import CATEGORIES, PREFIX_CATEGORY, REDIRECTS, load_rules
from nlp_review.pipeline import Options, review_text
from tests.minimal_report import example_texts, minimal_report

RULES = load_rules()
CASES = [(rule_id, i) for rule_id, rule in sorted(RULES.items()) for i in range(len(rule.examples))]


def _doc_for(example):
    text, previous = example_texts(example)
    options = Options()
    if previous is not None:
        options.previous = review_text(previous, "previous.txt")
    return review_text(text, "example.txt", options)


@pytest.mark.parametrize("rule_id,index", CASES, ids=[f"{r}[{i}]" for r, i in CASES])
def test_rule_example(rule_id, index):
    rule = RULES[rule_id]
    ex = rule.examples[index]
    doc = _doc_for(ex)
    hits = [f for f in doc.findings if f.rule == rule_id]
    if ex.flagged:
        assert hits, f"{rule_id} should flag example {index}: {ex.describe()[:80]!r}"
        if ex.quote is not None:
            assert any(f.quote == ex.quote for f in hits), [f.quote for f in hits]
        if ex.suggestion is not None:
            assert any(ex.suggestion in f.suggestions for f in hits), [f.suggestions for f in hits]
        for f in hits:
            assert (f.category, f.severity) == (rule.category, rule.severity)
    else:
        assert not hits, f"{rule_id} must not flag example {index}: {[h.quote for h in hits]}"


def test_ids_folders_and_categories_agree():
    """A rule lives in nlp_review/checks/<category>/ and its id's prefix names that category."""
    assert set(PREFIX_CATEGORY.values()) == set(CATEGORIES)
    for rule in RULES.values():
        assert rule.family == rule.category, f"{rule.id} ({rule.category}) lives in {rule.module}"
        assert PREFIX_CATEGORY.get(rule.id.split(".")[0]) == rule.category, rule.id


def test_one_function_per_rule_and_every_rule_documented():
    functions = [r.fn for r in RULES.values()]
    assert len(set(map(id, functions))) == len(functions)
    for rule in RULES.values():
        assert rule.message and rule.description
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.description), f"{rule.id}: description not Chinese"
        assert any(e.flagged for e in rule.examples) and any(not e.flagged for e in rule.examples)


def test_redirects_point_at_live_rules():
    for old, new in REDIRECTS.items():
        assert old not in RULES and new in RULES


def test_minimal_report_is_clean():
    """The report examples are embedded in must itself raise nothing of weight."""
    doc = review_text(minimal_report())
    assert [f for f in doc.findings if f.severity in ("error", "warning")] == []
