"""Renamed rule ids keep working: `--disable`, Options.disabled_rules and the LanguageTool
API's disabledRules accept the old id of a rule (checks/catalogue REDIRECTS)."""
from __future__ import annotations

from nlp_review.pipeline import Options, review_text
from service.lt import check

MALFORMED = "示例局2024年政府信息公开工作年度报告\n一、总体情况\n本报告统计期限为20241月1日至2024年12月31日。\n"


def test_old_id_disables_the_renamed_rule():
    assert "FORMAT.DATE_MALFORMED" in {f.rule for f in review_text(MALFORMED).findings}
    for given in ("DATE.MALFORMED", "FORMAT.DATE_MALFORMED"):
        doc = review_text(MALFORMED, options=Options(disabled_rules=frozenset({given})))
        assert "FORMAT.DATE_MALFORMED" not in {f.rule for f in doc.findings}


def test_languagetool_disabled_rules_accept_old_ids():
    text = "截止目前，统计期限为20241月1日至2024年12月31日。"
    ids = {m["rule"]["id"] for m in check(text)["matches"]}
    assert {"FORMAT.DATE_MALFORMED", "TYPO.JIEZHI_JIEZHI"} <= ids
    ids = {m["rule"]["id"] for m in check(text, disabled_rules={"DATE.MALFORMED"})["matches"]}
    assert "FORMAT.DATE_MALFORMED" not in ids and "TYPO.JIEZHI_JIEZHI" in ids
