"""LanguageTool style: every rule's own examples run through the real pipeline."""
import pytest

from nlp_review.checks.catalogue import load_all_rules
from nlp_review.checks.examples import report_with
from nlp_review.pipeline import Options, review_text

RULES = load_all_rules()
CASES = [(rule_id, i) for rule_id, rule in sorted(RULES.items()) for i in range(len(rule.examples))]


def _doc_for(example):
    text = example.text if example.whole else report_with(example.text, example.section)
    options = Options()
    if example.previous is not None:
        options.previous = review_text(example.previous, "previous.txt")
    return review_text(text, "example.txt", options)


@pytest.mark.parametrize("rule_id,index", CASES, ids=[f"{r}[{i}]" for r, i in CASES])
def test_rule_example(rule_id, index):
    rule = RULES[rule_id]
    ex = rule.examples[index]
    doc = _doc_for(ex)
    hits = [f for f in doc.findings if f.rule == rule_id]
    if ex.flagged:
        assert hits, f"{rule_id} should flag example {index}: {ex.text[:80]!r}"
        if ex.quote is not None:
            assert any(f.quote == ex.quote for f in hits), [f.quote for f in hits]
        if ex.suggestion is not None:
            assert any(ex.suggestion in f.suggestions for f in hits), [f.suggestions for f in hits]
        for f in hits:
            assert f.category == rule.category
    else:
        assert not hits, f"{rule_id} must not flag example {index}: {[h.quote for h in hits]}"


def test_catalogue_is_complete():
    for rule in RULES.values():
        assert rule.message and rule.description
        assert any(e.flagged for e in rule.examples) and any(not e.flagged for e in rule.examples)


def test_minimal_report_is_clean():
    """The report examples are embedded in must itself raise nothing of weight."""
    from nlp_review.checks.examples import minimal_report

    doc = review_text(minimal_report())
    assert [f for f in doc.findings if f.severity in ("error", "warning")] == []
