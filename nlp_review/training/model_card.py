"""MODEL_CARD.md of a model version: what changed and why it was (not) promoted, the gold
metrics against CURRENT's, the models' agreement with the year's decisions, per-rule
precision estimated from those decisions, then each model's own metrics."""
from __future__ import annotations

from typing import Optional


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v else "0"
    return "—" if v is None else str(v)


def _what_changed(info: dict, metrics: dict, year) -> list[str]:
    lines = ["## What changed", ""]
    lines.append(f"- retrained: {', '.join(info['trained'])}; carried over from {info['based_on'] or '—'}: "
                 f"{', '.join(info['carried_over']) or '—'}" + ("; quick (tiny) models" if info["quick"] else ""))
    if year is not None:
        s = year.summary()
        fb = s.get("feedback")
        if fb:
            lab = fb.get("labelled", {})
            lines.append(f"- reviewers' decisions: `{fb['file']}` (sha256 {str(fb['sha256'])[:12]}…): {fb.get('rows', 0)} rows, "
                         f"{fb.get('decisions', 0)} decisions (latest per finding; {fb.get('undecided', 0)} withdrawn, "
                         f"{fb.get('unreadable', 0)} unreadable) → labelled sets in `data/feedback/`: "
                         + ", ".join(f"{k} {v}" for k, v in lab.items()))
            if lab.get("table_cells"):
                lines.append(f"- corrected table cells: {lab['table_cells']} in `data/feedback/table_cells.jsonl` — stored as "
                             "the table reader's test data; no trainer consumes them yet (the table reader is rule-based)")
        rp = s.get("reports")
        if rp:
            lines.append(f"- the year's reports: `{rp['dir']}`: {rp['read']} read, {rp['unreadable']} unreadable, years "
                         f"{', '.join(map(str, rp['years'])) or '—'} (`data/reports.jsonl`); year-over-year pairs "
                         f"(same agency, consecutive years, with the corpus): {rp['yoy_pairs']}, carry-over checked in "
                         f"{rp['carry_over_checked']}, TABLE3.CARRY_OVER in {rp['carry_over_mismatched']}, "
                         f"TABLE2.IN_FORCE_STOCK in {rp['in_force_mismatched']} (`data/yoy_pairs.jsonl`)")
    for name in info["trained"]:
        for k, v in (metrics.get(name, {}).get("year") or {}).items():
            lines.append(f"- {name}: {k}: {_fmt(v) if not isinstance(v, (list, dict)) else v}")
    lines.append("")
    return lines


def _gold(info: dict, verdict: dict) -> list[str]:
    state = ("promoted: CURRENT moved to this version" if info["promoted"] else
             "not promoted: CURRENT unchanged")
    if info.get("forced"):
        state += " (forced despite worse gold metrics)"
    lines = ["## Gold metrics and promotion", "",
             f"Rule: CURRENT moves only when no gating gold metric (fixed held-back sets: each model's headline "
             f"metric and false-alarm constraints) is worse than CURRENT's on the same set. Result: **{state}**.", "",
             "| model | metric | set | current | new | change | |", "|---|---|---|---|---|---|---|"]
    for name, v in verdict.items():
        if v["verdict"] in ("not_comparable", "new_model"):
            lines.append(f"| {name} | — | — | — | — | — | {v['verdict'].replace('_', ' ')}: {v.get('reason', '')} |")
            continue
        for k, c in v["changes"].items():
            d = c["new"] - c["current"]
            bad = k in v.get("worse", [])
            note = "**worse**" if bad else ("" if c.get("gating", True) else "shown, not gating")
            lines.append(f"| {name} | {k} ({c['better']} is better) | {v.get('set')} | {_fmt(c['current'])} | "
                         f"{_fmt(c['new'])} | {d:+.4f} | {note} |")
    lines.append("")
    return lines


def _feedback(metrics: dict, trained: list[str]) -> list[str]:
    rows = []
    for name in trained:
        fb = metrics.get(name, {}).get("year_feedback")
        if not fb:
            continue
        new, cur = fb.get("new", {}), fb.get("current", {})
        for k in new:
            if isinstance(new[k], (int, float)):
                rows.append(f"| {name} | {k} | {_fmt(cur.get(k))} | {_fmt(new[k])} |")
    if not rows:
        return []
    return ["## Agreement with the year's decisions", "",
            "The models learned from these decisions, so this is not a held-out estimate: it shows that the "
            "decisions were learned (and what the model alone, without reviewers' remembered decisions, makes "
            "of them).", "", "| model | metric | current | new |", "|---|---|---|---|", *rows, ""]


def _precision(year) -> list[str]:
    if year is None or year.feedback is None or not year.feedback.decisions:
        return []
    lines = ["## Per-rule precision estimated from the year's decisions", "",
             "Share of the findings reviewers decided on that they accepted (95 % Wilson interval). These are the "
             "findings of the models in use during the year, on the drafts reviewers chose to decide on — an "
             "estimate, not a random sample.", "",
             "| rule | decided | accepted | dismissed | precision | 95 % interval |", "|---|---|---|---|---|---|"]
    for rule, p in year.feedback.precision_by_rule().items():
        lines.append(f"| `{rule}` | {p['decided']} | {p['accepted']} | {p['dismissed']} | {p['precision']:.3f} | "
                     f"{p['ci95'][0]:.3f}–{p['ci95'][1]:.3f} |")
    lines.append("")
    return lines


def _details(metrics: dict) -> list[str]:
    lines = ["## Models", ""]
    for name, m in sorted(metrics.items()):
        lines += [f"### {name}", "", f"- held-back split: {m.get('split', '?')}; primary metric: {m.get('primary')}"]
        for k, v in m.items():
            if k in ("primary", "split") or isinstance(v, (dict, list)):
                continue
            lines.append(f"- {k}: {v}")
        per_class = m.get("per_class")
        if isinstance(per_class, dict):
            lines += ["", "| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
            for c, s in per_class.items():
                lines.append(f"| {c} | {s.get('precision', 0):.3f} | {s.get('recall', 0):.3f} | "
                             f"{s.get('f1', 0):.3f} | {s.get('support', '')} |")
        lines.append("")
    return lines


def model_card(info: dict, metrics: dict, verdict: dict, year: Optional[object]) -> str:
    lines = [f"# Models {info['version']}", "",
             f"Built {info['built']} by `nlp-review train`, based on CURRENT {info['based_on'] or '—'}.", ""]
    lines += _what_changed(info, metrics, year)
    lines += _gold(info, verdict)
    lines += _feedback(metrics, info["trained"])
    lines += _precision(year)
    lines += _details(metrics)
    return "\n".join(lines)
