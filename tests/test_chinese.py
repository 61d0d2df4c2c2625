"""Chinese everywhere a reviewer or analyst reads: every CLI subcommand's --help (argparse's
own words included) and its usage errors, every rule description (`nlp-review rules`,
`/v2/configinfo`, `rule.description` of `/v2/check`), the frame of the text report.
Latin letters are allowed only where they are something to type or a name: rule codes,
options, choice values and command names, file names and paths, environment variables,
identifiers (snake_case, dotted keys) and the proper names in PROPER_NAMES."""
from __future__ import annotations

import argparse
import contextlib
import io
import re

import pytest

from nlp_review.checks.registry import load_rules
from nlp_review.cli import build_parser, main
from nlp_review.pipeline import review_path
from nlp_review.report import render_text
from tests.conftest import SEEDS

# Names of formats, products and models (and units) that Chinese text writes in Latin letters too.
PROPER_NAMES = {"JSON", "JSONL", "CSV", "HTML", "PDF", "Word", "WPS", "Excel", "LibreOffice", "LanguageTool",
                "API", "Ray", "pyarrow", "SQLite", "PostgreSQL", "OCR", "ELECTRA", "UTF", "KB", "MB", "GB"}  # and units
RULE_CODE = re.compile(r"\b[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+\b")
ALLOWED = [
    RULE_CODE,
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*"),  # options
    re.compile(r"\{[^}]*\}"),  # argparse's list of choices
    re.compile(r"\b[a-z][a-z0-9]*://\S*"),  # storage URIs (s3://…)
    re.compile(r"[\w.-]*/[\w./-]*"),  # paths
    re.compile(r"[\w-]*\.[A-Za-z]{1,8}\b"),  # file names and suffixes (.docx, word_forms.tsv, .reviews)
    re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"),  # environment variables
    re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),  # identifiers (model names, keys)
    re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b"),  # dotted keys (s1.proactive)
]
WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, literals: set[str] = frozenset()) -> set[str]:
    for pattern in ALLOWED:
        text = pattern.sub(" ", text)
    return {w for w in WORD.findall(text) if w not in PROPER_NAMES and w not in literals}


def _parsers(parser, path=("nlp-review",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, path + (name,))


def _literals(parser) -> set[str]:
    """What a user types: command names and choice values."""
    out = {"nlp", "review"}
    for _path, p in _parsers(parser):
        for action in p._actions:
            for c in action.choices or ():
                out.update(WORD.findall(str(c)))
    return out


def test_every_help_is_chinese():
    parser = build_parser()
    literals = _literals(parser)
    bad = {" ".join(path): english_words(p.format_help(), literals) for path, p in _parsers(parser)}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, bad
    assert len(list(_parsers(parser))) >= 15
    help_text = parser.format_help()
    assert help_text.startswith("用法：") and "选项" in help_text and "显示本帮助并退出" in help_text


@pytest.mark.parametrize("argv", [["check"], ["check", "--format", "表格", "a.txt"], ["check", "a.txt", "--nope"],
                                  ["batch", "d"], ["check", "a.txt", "--min-confidence", "很高"]])
def test_usage_errors_are_chinese(argv):
    """(The bad values are Chinese: a value the user typed is echoed as typed.)"""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    text = err.getvalue()
    assert "错误：" in text and not english_words(text, _literals(build_parser())), text


def test_rule_descriptions_are_chinese():
    commands = _literals(build_parser())  # a description may name a command (`nlp-review train`)
    bad = {r.id: english_words(r.description, commands) for r in load_rules().values()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, bad
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["rules"]) == 0
    assert not english_words(out.getvalue(), commands), english_words(out.getvalue(), commands)


def test_text_report_frame_is_chinese():
    report = render_text(review_path(SEEDS[3]))
    frame = [ln for ln in report.splitlines() if not ln.startswith("      ")]  # quotes and messages apart
    assert not english_words("\n".join(frame)), english_words("\n".join(frame))
    assert "表格：表二" in report
