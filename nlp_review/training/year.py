"""What a year gives `nlp-review train`: reviewers' decisions (`--feedback`) and the year's
published reports (`--reports DIR`).

`load_year` reads both once; trainers that take a `year` argument get this `TrainingYear`
(training/registry.py). The year's labelled sets, the list of its reports and its
year-over-year pairs are written into the new model version (`data/`), so every model
version says what it learned from.

Year-over-year pairs: the year's reports and the corpus's report excerpts are paired by
agency and consecutive year (`analytics/pairs.py`, the batch's own pairing); each pair is
run through the table-identity rules with last year's report given (the real
TABLE3.CARRY_OVER and TABLE2.IN_FORCE_STOCK), and the outcome is recorded.
"""
from __future__ import annotations

import hashlib
import json
import lzma
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..batch.inputs import SUPPORTED_SUFFIXES
from ..tables.schema import TABLE3_COLUMNS
from .feedback import FeedbackSet, labelled_sets, load_feedback, write_sets

# The year's reports the statistics take at most (a fixed sample by sha256): the boilerplate
# lexicon counts every n-gram and its index holds 3–5 KB per sentence in memory, the report
# LM counts every character; a national year of ~150,000 reports is sampled. Every report is
# still read and paired.
YEAR_SAMPLE = 5000
YOY_RULES = ("TABLE3.CARRY_OVER", "TABLE2.IN_FORCE_STOCK")


@dataclass
class PublishedReport:
    """One report of the year (read from `path`; its whole text is not kept) or of the corpus
    (`text`)."""

    file: str  # relative to the reports folder, or "corpus:NNNN.txt"
    sha256: str
    title: Optional[str]
    agency: Optional[str]
    year: Optional[int]
    key: Optional[str]  # analytics Publisher.key
    fingerprint: str
    narrative: str  # sections one and five (what the boilerplate statistics are about), else the whole text
    path: Optional[Path] = None
    text: str = ""

    def meta(self) -> dict:
        return {"file": self.file, "sha256": self.sha256, "title": self.title, "agency": self.agency,
                "year": self.year, "key": self.key}

    def read(self, previous: bool = False):
        """The report as a Doc again: ingested (to run a pipeline on), or through the
        `previous_year` preset (last year's report of a pair)."""
        from ..ingest import load_bytes, load_path
        from ..pipeline import previous_bytes, previous_path

        name = Path(self.file).name
        if previous:
            return previous_path(self.path) if self.path else previous_bytes(self.text.encode("utf-8"), name)
        return load_path(self.path) if self.path else load_bytes(self.text.encode("utf-8"), name)


@dataclass
class TrainingYear:
    feedback: Optional[FeedbackSet] = None
    reports: list[PublishedReport] = field(default_factory=list)
    unreadable: list[dict] = field(default_factory=list)  # files of --reports that could not be read
    sets: dict[str, list[dict]] = field(default_factory=dict)  # labelled sets (training/feedback.py)
    pairs: list[dict] = field(default_factory=list)  # year-over-year pairs and their identity outcomes
    reports_dir: Optional[str] = None

    def decisions(self, *prefixes: str):
        return self.feedback.of(*prefixes) if self.feedback else []

    def summary(self) -> dict:
        out: dict = {}
        if self.feedback is not None:
            out["feedback"] = {"file": self.feedback.source, "sha256": self.feedback.sha256, **self.feedback.stats,
                               "labelled": {k: len(v) for k, v in self.sets.items()}}
        if self.reports_dir is not None:
            carry = [p for p in self.pairs if p.get("carry_over_checked")]
            out["reports"] = {"dir": self.reports_dir, "read": len(self.reports), "unreadable": len(self.unreadable),
                              "years": sorted({r.year for r in self.reports if r.year}),
                              "yoy_pairs": len(self.pairs),
                              "carry_over_checked": len(carry),
                              "carry_over_mismatched": sum(1 for p in carry if p["findings"].get("TABLE3.CARRY_OVER")),
                              "in_force_mismatched": sum(1 for p in self.pairs
                                                         if p.get("findings", {}).get("TABLE2.IN_FORCE_STOCK"))}
        return out

    def write(self, out: Path) -> None:
        """The year's data inside the model version: data/feedback/*.jsonl, data/reports.jsonl,
        data/yoy_pairs.jsonl, data/year.json."""
        data = out / "data"
        data.mkdir(parents=True, exist_ok=True)
        if self.feedback is not None:
            write_sets(self.sets, data / "feedback")
        if self.reports_dir is not None:
            _jsonl(data / "reports.jsonl", [r.meta() for r in self.reports] + self.unreadable)
            _jsonl(data / "yoy_pairs.jsonl", self.pairs)
        (data / "year.json").write_text(json.dumps(self.summary(), ensure_ascii=False, indent=1), encoding="utf-8")


def _jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def read_reports(folder: Path) -> tuple[list[PublishedReport], list[dict]]:
    """Every report file under `folder` (read, sections found; the publisher parsed)."""
    from ..analytics.pairs import year_report
    from ..boilerplate.text import fingerprint
    from ..errors import InputError
    from ..ingest import load_path
    from ..structure.sections import detect_sections

    out, bad = [], []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES):
        rel = str(path.relative_to(folder))
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        try:
            doc = load_path(path)
            detect_sections(doc)
        except InputError as e:
            bad.append({"file": rel, "sha256": sha, "error": e.message})
            continue
        pub = year_report(rel, doc.text, doc.title, path.name, doc.year)
        narrative = "\n".join(doc.section_text(n) for n in (1, 5) if doc.section(n)) or doc.text
        out.append(PublishedReport(rel, sha, doc.title, pub.agency or doc.agency, pub.year, pub.key,
                                   fingerprint(doc.text), narrative, path=path))
    return out, bad


def corpus_reports(corpus: Path) -> list[PublishedReport]:
    """The corpus's report excerpts (corpus/boilerplate/reports.jsonl.xz) as earlier years."""
    from ..analytics.pairs import year_report
    from ..boilerplate.text import fingerprint

    path = Path(corpus) / "boilerplate" / "reports.jsonl.xz"
    if not path.is_file():
        return []
    out = []
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            pub = year_report("corpus:" + r["file"], r["text"], None, r["file"], r.get("year"))
            out.append(PublishedReport("corpus:" + r["file"], hashlib.sha256(r["text"].encode("utf-8")).hexdigest(),
                                       None, pub.agency or r.get("agency"), pub.year or r.get("year"), pub.key,
                                       fingerprint(r["text"]), r["text"], text=r["text"]))
    return out


def yoy_pairs(reports: list[PublishedReport], earlier: list[PublishedReport]) -> list[dict]:
    """Pairs (this year's report, the same agency's report of the year before) among the
    year's reports and the corpus, each checked with the year-over-year table rules."""
    from ..analytics.pairs import YearReport, pair_consecutive_years
    from ..errors import InputError
    from ..pipeline import Options, Pipeline

    by_id = {r.file: r for r in reports + earlier}
    pairing = pair_consecutive_years(YearReport(r.file, r.key, r.year, r.fingerprint, r.agency) for r in by_id.values())
    check = Pipeline(["sections", "tables", "previous_report", ("checks", {"categories": ("table_identity",)})],
                     "yoy_pairs")
    own = {r.file for r in reports}
    out = []
    for this_id, prev_id in sorted(pairing.previous.items(), key=lambda kv: str(kv[0])):
        if this_id not in own and prev_id not in own:
            continue  # two corpus reports: not this year's business
        this, prev = by_id[this_id], by_id[prev_id]
        try:
            doc = check.run(this.read(), Options(previous=prev.read(previous=True)))
        except InputError as e:  # an excerpt that is not a report after all
            out.append({"key": this.key, "this": this.meta(), "previous": prev.meta(), "error": e.message})
            continue
        found = {r: [f.evidence.get("column") or f.evidence.get("row") for f in doc.findings if f.rule == r]
                 for r in YOY_RULES}
        prev_t3 = doc.previous_report.tables.get("table3") if doc.previous_report else None
        checked = "table3" in doc.tables and prev_t3 is not None and not doc.previous_report.not_comparable and any(
            k in prev_t3.cells and k.replace("carry_forward", "carried_over") in doc.tables["table3"].cells
            for k in (f"carry_forward.{c}" for c in TABLE3_COLUMNS))
        out.append({"key": this.key, "agency": this.agency, "this": this.meta(), "previous": prev.meta(),
                    "carry_over_checked": checked, "findings": {r: cols for r, cols in found.items() if cols},
                    "warnings": doc.warnings})
    return out


def load_year(feedback: Optional[Path], reports: Optional[Path], corpus: Path) -> TrainingYear:
    year = TrainingYear()
    if feedback is not None:
        year.feedback = load_feedback(Path(feedback))
        year.sets = labelled_sets(year.feedback)
        print(f"反馈：{year.feedback.stats.get('decisions', 0)} 条有效决定（共 {year.feedback.stats.get('rows', 0)} 行）。",
              file=sys.stderr)
    if reports is not None:
        year.reports_dir = str(reports)
        year.reports, year.unreadable = read_reports(Path(reports))
        year.pairs = yoy_pairs(year.reports, corpus_reports(corpus))
        print(f"本年度报告：读取 {len(year.reports)} 份，无法读取 {len(year.unreadable)} 份；"
              f"逐年配对 {len(year.pairs)} 对。", file=sys.stderr)
    return year
