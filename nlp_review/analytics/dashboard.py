"""The analysts' view of a batch: read the JSONL that `nlp-review batch` writes (one contract
object per line), summarise every report in one row (publisher, score, findings by
category/severity/rule, key table values) and aggregate: rankings, per-rule counts,
distributions, roll-ups by region hierarchy and level, year-over-year changes per agency
and per region.

Only a small summary per report is kept in memory (the text and findings are read line by
line and dropped), so a national batch of 150,000 reports fits: about 1 KB per report.
"""
from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .agency import LEVEL_NAMES, LEVELS, parse_publisher

CATEGORIES = ("contradiction", "table_identity", "missing_element", "structure", "typo", "format", "boilerplate")
SEVERITIES = ("error", "warning", "info")
COPY_RULES = frozenset({"BOILERPLATE.SHARED_ACROSS_REPORTS", "BOILERPLATE.COPIED_PARAGRAPH",
                        "BOILERPLATE.COPIED_SENTENCE", "BOILERPLATE.PROBLEMS_UNCHANGED"})
# Key table values: (column, label, table, cell keys summed)
TABLE_VALUES = [
    ("new", "新收申请", "table3", ("new.total",)),
    ("carried_over", "上年结转", "table3", ("carried_over.total",)),
    ("closed", "办结（总计）", "table3", ("total.total",)),
    ("carry_forward", "结转下年", "table3", ("carry_forward.total",)),
    ("review", "行政复议", "table4", ("review.total",)),
    ("litigation", "行政诉讼", "table4", ("litigation_direct.total", "litigation_after_review.total")),
    ("fee", "收费（万元）", "table2", ("fees.amount_wan",)),
]


@dataclass
class ReportRow:
    line: int
    path: str
    sha256: str
    title: str | None
    agency: str | None
    agency_source: str | None
    level: str | None
    department: str | None
    region_code: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    township: str | None
    key: str | None
    year: int | None
    score: float | None
    by_category: dict[str, int]
    by_severity: dict[str, int]
    rules: dict[str, int]
    values: dict[str, float | None]
    copies: int
    boilerplate_share: float | None
    sections_found: int
    previous: bool = False          # read from --previous-results
    review_link: str | None = None  # relative link to the printable review

    @property
    def contradictions(self) -> int:
        return self.by_category.get("contradiction", 0) + self.by_category.get("table_identity", 0)

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())

    @property
    def agency_key(self) -> str | None:
        """Reports of one agency in different years share this key."""
        return self.key

    @property
    def region_label(self) -> str:
        return " / ".join(x for x in (self.province, self.prefecture, self.county, self.township) if x) or "（未识别）"


@dataclass
class BadLine:
    line: int
    reason: str


def summarise(result: dict, line: int, previous: bool = False) -> ReportRow:
    """One contract object → its summary row (the publisher parsed from text + title + path)."""
    report = result.get("report") or {}
    source = result.get("source") or {}
    scores = result.get("scores") or {}
    path = source.get("path") or source.get("filename") or f"第{line}行"
    pub = parse_publisher(result.get("text") or "", report.get("title"), path)
    tables = report.get("tables") or {}
    values: dict[str, float | None] = {}
    for col, _label, table, keys in TABLE_VALUES:
        cells = tables.get(table) or {}
        got = [cells[k] for k in keys if isinstance(cells.get(k), (int, float))]
        values[col] = sum(got) if got else None
    rules: Counter = Counter()
    by_category: Counter = Counter()
    by_severity: Counter = Counter()
    for f in result.get("findings") or []:
        if not isinstance(f, dict):
            continue
        rules[str(f.get("rule"))] += 1
        by_category[str(f.get("category"))] += 1
        by_severity[str(f.get("severity"))] += 1
    share = scores.get("boilerplate_share") or {}
    shares = [v for v in share.values() if isinstance(v, (int, float))] if isinstance(share, dict) else []
    overall = scores.get("overall")
    return ReportRow(
        line=line, path=str(path), sha256=str(source.get("sha256") or ""), title=pub.title or report.get("title"),
        agency=pub.agency, agency_source=pub.agency_source, level=pub.level, department=pub.department,
        region_code=pub.region_code, province=pub.province, prefecture=pub.prefecture, county=pub.county,
        township=pub.township, key=pub.key, year=pub.year if pub.year else report.get("year"),
        score=overall if isinstance(overall, (int, float)) else None,
        by_category=dict(by_category), by_severity=dict(by_severity), rules=dict(rules), values=values,
        copies=sum(n for r, n in rules.items() if r in COPY_RULES),
        boilerplate_share=round(sum(shares) / len(shares), 3) if shares else None,
        sections_found=sum(1 for s in report.get("sections") or [] if isinstance(s, dict) and s.get("found")),
        previous=previous)


def read_results(path: Path, previous: bool = False, on_result=None) -> tuple[list[ReportRow], list[BadLine]]:
    """Every readable contract object of a JSONL file; lines that are not one (cut short by
    an interrupted run, not JSON, not a review) are listed, not fatal. `on_result(row, obj)`
    sees each object once while it is in memory (to write its printable review)."""
    rows: list[ReportRow] = []
    bad: list[BadLine] = []
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                bad.append(BadLine(n, f"不是完整的 JSON（第{e.colno}列起无法解析，可能是中断的写入）"))
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("report"), dict) or "findings" not in obj:
                bad.append(BadLine(n, "不是审查结果对象（缺少 report / findings）"))
                continue
            try:
                row = summarise(obj, n, previous)
                if on_result:
                    on_result(row, obj)
                rows.append(row)
            except Exception as e:  # noqa: BLE001 — one odd object must not stop the dashboard
                bad.append(BadLine(n, f"无法汇总：{type(e).__name__}: {e}"))
    return rows, bad


# ---------------------------------------------------------------- aggregates
@dataclass
class Group:
    key: tuple
    label: str
    depth: int = 0
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.rows)

    def mean(self, attr: str) -> float | None:
        vals = [getattr(r, attr) for r in self.rows if getattr(r, attr) is not None]
        return round(statistics.fmean(vals), 1) if vals else None

    def share(self, pred) -> float:
        return round(sum(1 for r in self.rows if pred(r)) / self.n, 3) if self.n else 0.0

    def total(self, fn) -> int:
        return sum(fn(r) for r in self.rows)

    def stats(self) -> dict:
        return {"n": self.n, "score": self.mean("score"), "findings": self.mean("findings"),
                "errors": self.total(lambda r: r.by_severity.get("error", 0)),
                "with_contradiction": self.share(lambda r: r.contradictions > 0),
                "with_copies": self.share(lambda r: r.copies > 0),
                "contradictions": self.total(lambda r: r.contradictions), "copies": self.total(lambda r: r.copies)}


def region_rollup(rows: Iterable[ReportRow]) -> list[Group]:
    """Province → prefecture → county groups, each after its parent, largest first."""
    provinces: dict[str, Group] = {}
    prefectures: dict[tuple, Group] = {}
    counties: dict[tuple, Group] = {}
    for r in rows:
        p = r.province or "（未识别）"
        provinces.setdefault(p, Group((p,), p, 0)).rows.append(r)
        if r.prefecture:
            prefectures.setdefault((p, r.prefecture), Group((p, r.prefecture), r.prefecture, 1)).rows.append(r)
        if r.county:
            counties.setdefault((p, r.prefecture or "", r.county),
                                Group((p, r.prefecture or "", r.county), r.county, 2)).rows.append(r)
    out: list[Group] = []
    for pg in sorted(provinces.values(), key=lambda g: (g.label == "（未识别）", -g.n, g.label)):
        out.append(pg)
        for fg in sorted((g for k, g in prefectures.items() if k[0] == pg.label), key=lambda g: (-g.n, g.label)):
            out.append(fg)
            out.extend(sorted((g for k, g in counties.items() if k[:2] == fg.key), key=lambda g: (-g.n, g.label)))
        out.extend(sorted((g for k, g in counties.items() if k[0] == pg.label and not k[1]), key=lambda g: (-g.n, g.label)))
    return out


def level_rollup(rows: Iterable[ReportRow]) -> list[Group]:
    groups: dict[str | None, Group] = {}
    for r in rows:
        groups.setdefault(r.level, Group((r.level,), LEVEL_NAMES.get(r.level, "未识别"))).rows.append(r)
    order = {lv: i for i, lv in enumerate(LEVELS)}
    return sorted(groups.values(), key=lambda g: order.get(g.key[0], 99))


def department_rollup(rows: Iterable[ReportRow]) -> list[Group]:
    groups: dict[str, Group] = {}
    for r in rows:
        k = r.department or "（未识别）"
        groups.setdefault(k, Group((k,), k)).rows.append(r)
    return sorted(groups.values(), key=lambda g: (-g.n, g.label))


def rule_counts(rows: Iterable[ReportRow]) -> list[dict]:
    from ..checks.docs import find  # the registry; results of older runs may carry renamed ids

    findings: Counter = Counter()
    reports: Counter = Counter()
    n = 0
    for r in rows:
        n += 1
        for rule, k in r.rules.items():
            findings[rule] += k
            reports[rule] += 1
    out = []
    for rule, k in findings.most_common():
        spec, _ = find(rule)
        out.append({"rule": rule, "description": getattr(spec, "description", "") or "",
                    "category": getattr(spec, "category", "") or "", "severity": getattr(spec, "severity", "") or "",
                    "findings": k, "reports": reports[rule], "share": round(reports[rule] / n, 3) if n else 0.0})
    return out


def rankings(rows: list[ReportRow], top: int = 20) -> dict[str, list[ReportRow]]:
    return {
        "contradiction": sorted((r for r in rows if r.contradictions), key=lambda r: (-r.contradictions, r.score or 0))[:top],
        "copies": sorted((r for r in rows if r.copies or (r.boilerplate_share or 0) > 0),
                         key=lambda r: (-r.copies, -(r.boilerplate_share or 0)))[:top],
        "lowest": sorted((r for r in rows if r.score is not None), key=lambda r: (r.score, -r.findings))[:top],
    }


def histogram(values: Iterable[float], lo: int = 0, hi: int = 100, width: int = 10) -> list[tuple[str, int]]:
    bins = list(range(lo, hi, width))
    counts = Counter()
    for v in values:
        b = min(int((v - lo) // width), len(bins) - 1)
        counts[max(b, 0)] += 1
    return [(f"{lo + i * width}–{lo + (i + 1) * width - (1 if i < len(bins) - 1 else 0)}", counts[i]) for i in range(len(bins))]


# ---------------------------------------------------------------- year over year
@dataclass
class YoyPair:
    before: ReportRow
    after: ReportRow

    def delta(self, attr: str):
        a, b = getattr(self.before, attr), getattr(self.after, attr)
        return None if a is None or b is None else round(b - a, 1)

    def value_delta(self, col: str):
        a, b = self.before.values.get(col), self.after.values.get(col)
        return None if a is None or b is None else round(b - a, 2)


def agency_pairs(rows: Iterable[ReportRow]) -> list[YoyPair]:
    """Each agency's reports in year order; every report is compared with the same
    agency's closest earlier year (one report per agency and year: the last one read)."""
    by_agency: dict[str, dict[int, ReportRow]] = defaultdict(dict)
    for r in rows:
        if r.agency_key and r.year:
            keep = by_agency[r.agency_key].get(r.year)
            if keep is None or keep.previous or not r.previous:
                by_agency[r.agency_key][r.year] = r
    pairs = []
    for years in by_agency.values():
        ys = sorted(years)
        pairs.extend(YoyPair(years[a], years[b]) for a, b in zip(ys, ys[1:]))
    return sorted(pairs, key=lambda p: (p.delta("score") is None, p.delta("score") or 0))


def region_years(rows: Iterable[ReportRow], max_years: int = 4) -> tuple[list[int], list[dict]]:
    """Mean score and reports per province and prefecture for each year present (the latest
    `max_years`), with the change between the two latest years."""
    rows = [r for r in rows if r.year]
    years = sorted({r.year for r in rows})[-max_years:]
    cells: dict[tuple, dict[int, list[ReportRow]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r.year not in years:
            continue
        cells[(r.province or "（未识别）", "")][r.year].append(r)
        if r.prefecture:
            cells[(r.province or "（未识别）", r.prefecture)][r.year].append(r)
    out = []
    for key in sorted(cells, key=lambda k: (k[0] == "（未识别）", k[0], k[1])):
        by_year = cells[key]
        row = {"province": key[0], "prefecture": key[1], "years": {}}
        for y in years:
            rs = by_year.get(y, [])
            scores = [r.score for r in rs if r.score is not None]
            row["years"][y] = {"n": len(rs), "score": round(statistics.fmean(scores), 1) if scores else None,
                               "with_contradiction": round(sum(1 for r in rs if r.contradictions) / len(rs), 3) if rs else None}
        a, b = (row["years"][years[-2]]["score"], row["years"][years[-1]]["score"]) if len(years) >= 2 else (None, None)
        row["delta"] = round(b - a, 1) if a is not None and b is not None else None
        out.append(row)
    return years, out


# ---------------------------------------------------------------- the whole
@dataclass
class Dashboard:
    rows: list[ReportRow]
    previous_rows: list[ReportRow]
    bad: list[BadLine]
    sources: list[str]

    def __post_init__(self):
        self.rules = rule_counts(self.rows)
        self.regions = region_rollup(self.rows)
        self.levels = level_rollup(self.rows)
        self.departments = department_rollup(self.rows)
        self.rankings = rankings(self.rows)
        self.pairs = agency_pairs(self.rows + self.previous_rows)
        self.yoy_years, self.yoy_regions = region_years(self.rows + self.previous_rows)
        self.category_totals = Counter()
        self.severity_totals = Counter()
        for r in self.rows:
            self.category_totals.update(r.by_category)
            self.severity_totals.update(r.by_severity)

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows if r.year})

    @property
    def two_years(self) -> bool:
        return len({r.year for r in self.rows + self.previous_rows if r.year}) >= 2

    def overview(self) -> dict:
        scores = [r.score for r in self.rows if r.score is not None]
        return {"reports": len(self.rows), "agencies": len({r.agency_key for r in self.rows if r.agency_key}),
                "no_agency": sum(1 for r in self.rows if not r.agency),
                "score_mean": round(statistics.fmean(scores), 1) if scores else None,
                "score_median": statistics.median(scores) if scores else None,
                "with_error": sum(1 for r in self.rows if r.by_severity.get("error")),
                "with_contradiction": sum(1 for r in self.rows if r.contradictions),
                "with_copies": sum(1 for r in self.rows if r.copies),
                "findings": sum(r.findings for r in self.rows), "bad_lines": len(self.bad)}


def build_dashboard(results: Path, previous: Path | None = None, on_result=None) -> Dashboard:
    rows, bad = read_results(results, on_result=on_result)
    prev_rows: list[ReportRow] = []
    sources = [str(results)]
    if previous:
        prev_rows, prev_bad = read_results(previous, previous=True)
        bad += [BadLine(b.line, f"（上年结果）{b.reason}") for b in prev_bad]
        sources.append(str(previous))
    return Dashboard(rows, prev_rows, bad, sources)
