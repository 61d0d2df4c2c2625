"""The rule registry (Ruff style): only enabled rules run, a rule runs only when what it
needs is there, a rule reports only its own id; `nlp-review rules` prints the catalogue and
one rule's docs; the README's rule tables are generated from the registry; the word-pair
rules are data files whose every entry carries an example."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp_review.checks import docs
from nlp_review.checks.registry import REDIRECTS, Rule, clean, flag, load_rules
from nlp_review.checks.typo import word_forms
from nlp_review.cli import main
from nlp_review.pipeline import Options, review_text
from tests.minimal_report import minimal_report

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules()


def _spy(monkeypatch, rule_id: str) -> list:
    calls = []
    rule = RULES[rule_id]
    original = rule.fn

    def spy(doc, r):
        calls.append(doc)
        return original(doc, r)

    monkeypatch.setattr(rule, "fn", spy)
    return calls


def test_disabled_rules_do_not_run(monkeypatch):
    text = minimal_report(s1="全年收到政府信息公开申请2件，截止目前均已办结。")
    calls = _spy(monkeypatch, "TYPO.JIEZHI_JIEZHI")
    assert "TYPO.JIEZHI_JIEZHI" in {f.rule for f in review_text(text).findings} and len(calls) == 1
    doc = review_text(text, options=Options(disabled_rules=frozenset({"TYPO.JIEZHI_JIEZHI"})))
    assert len(calls) == 1 and "TYPO.JIEZHI_JIEZHI" not in {f.rule for f in doc.findings}


def test_rules_run_only_when_their_needs_are_met(monkeypatch):
    copied = _spy(monkeypatch, "BOILERPLATE.COPIED_SENTENCE")  # needs last year's report
    table = _spy(monkeypatch, "TABLE3.BALANCE")  # needs the tables layer
    review_text(minimal_report())
    assert len(copied) == 0 and len(table) == 1
    review_text(minimal_report(), options=Options(previous=review_text(minimal_report())))
    assert len(copied) == 1 and len(table) == 3
    from nlp_review.pipeline import review_fragment

    review_fragment("截止目前，未收到申请。")  # no tables in a fragment: the table rules do not run
    assert len(table) == 3


def test_a_rule_reports_only_its_own_id():
    other = RULES["TYPO.JIEZHI_JIEZHI"]
    liar = Rule("TYPO.LIAR", "typo", "warning", "{quote}", "说明", lambda doc, r: [other.finding(doc, 0, 1, suggestion="x")],
                (flag("x"), clean("y")))
    with pytest.raises(ValueError, match="reported a finding of TYPO.JIEZHI_JIEZHI"):
        liar(review_text(minimal_report()))


def test_rule_registration_is_validated():
    fn = lambda doc, r: []  # noqa: E731
    with pytest.raises(ValueError, match="bad category"):
        Rule("TYPO.X", "nonsense", "warning", "m", "说明", fn, (flag("x"), clean("y")))
    with pytest.raises(ValueError, match="flagged and one clean"):
        Rule("TYPO.X", "typo", "warning", "m", "说明", fn, (flag("x"),))


def test_cli_rules_list_one_rule_and_old_ids(capsys):
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert len(listing.strip().splitlines()) == len(RULES) and "TABLE3.BALANCE" in listing
    assert main(["rules", "TYPO.JIEZHI_JIEZHI"]) == 0
    one = capsys.readouterr().out
    assert "说明：" in one and "截止目前，未有依申请公开情况。" in one and "✓ 不报告" in one and "✗ 应报告" in one
    assert main(["rules", "DATE.MALFORMED"]) == 0
    assert "DATE.MALFORMED 已更名为 FORMAT.DATE_MALFORMED" in capsys.readouterr().out
    assert main(["rules", "NO.SUCH_RULE"]) == 2
    assert "没有规则" in capsys.readouterr().err


def test_readme_rule_tables_are_generated_from_the_registry():
    """Fails when a rule was added, renamed or redescribed without regenerating the README:
    `nlp-review rules --format markdown --write README.md`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = docs.readme_section(readme)
    assert section is not None, "README.md lacks the generated rule catalogue"
    assert section == docs.markdown(), "README rule tables are stale: run nlp-review rules --format markdown --write README.md"
    for rule_id in RULES:
        assert f"`{rule_id}`" in section
    for old in REDIRECTS:
        assert f"`{old}`" in section


def test_markdown_write_replaces_only_the_catalogue(tmp_path):
    p = tmp_path / "README.md"
    p.write_text(f"# x\n\nbefore\n{docs.MARKERS[0]}\nold table\n{docs.MARKERS[1]}\nafter\n", encoding="utf-8")
    assert main(["rules", "--format", "markdown", "--write", str(p)]) == 0
    text = p.read_text(encoding="utf-8")
    assert text.startswith("# x\n\nbefore\n") and text.endswith("after\n") and "old table" not in text
    assert docs.readme_section(text) == docs.markdown()


@pytest.mark.parametrize("name,rule_id", [("word_forms.tsv", "TYPO.WORD_FORM"),
                                          ("preferred_forms.tsv", "TYPO.PREFERRED_FORM")])
def test_word_pair_files_carry_an_example_per_entry(name, rule_id):
    pairs = word_forms.load_pairs(name)
    lines = [ln for ln in (Path(word_forms.__file__).parent / name).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert len(pairs) == len(lines) >= 1
    rule = RULES[rule_id]
    flagged = {e.text for e in rule.examples if e.flagged}
    for p in pairs:
        assert p.example in flagged  # tests/test_rule_examples.py runs it through the pipeline
        assert p.wrong.search(p.example)
        fixed = p.wrong.sub(p.right, p.example)
        assert not p.wrong.search(fixed), f"{p.right} still matches {p.wrong.pattern}"
        if p.clean_example:
            assert not p.wrong.search(p.clean_example)


def test_a_malformed_word_pair_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "bad.tsv").write_text("布署\t部署\n", encoding="utf-8")
    monkeypatch.setattr(word_forms, "HERE", tmp_path)
    with pytest.raises(ValueError, match="4 or 5 tab-separated columns"):
        word_forms.load_pairs("bad.tsv")
