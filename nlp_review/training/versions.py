"""Model versions: which one is CURRENT, how it got there, and the promotion rule.

`models/<VERSION>/metrics.json` holds each model's metrics; the **gold** ones are measured on
fixed held-back sets that no training sees (boilerplate: the hand-labelled held-back
documents and the regulation's own sentences; elements: the held-back split; typo: the
ODW dev split). A version replaces CURRENT only when none of its models' gold metrics is
worse than CURRENT's on the same set (`compare`). Every move of CURRENT — a training run
that promoted, `nlp-review models promote`, `rollback` — and every refusal is a line in
`models/HISTORY.jsonl`; `rollback` goes back along the moves (a stack), not to whatever was
built last.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Optional

from ..models.store import models_root

HISTORY = "HISTORY.jsonl"
TOLERANCE = 0.0  # a gold metric counts as worse when it moves the wrong way by more than this
# Gold metrics of each model, read from its metrics.json ("gold" there, when a trainer states
# them, takes precedence): key → "higher" or "lower" is better. The gating ones decide
# promotion: each model's headline metric on its held-back set and its false-alarm
# constraints. Per-class F1s are shown next to them but do not gate: on sets of 5–185 items
# one item moves a class's F1 by 0.005–0.2, so a strict per-class rule would refuse nearly
# every retraining for noise (`--tolerance` loosens the gating ones).
GOLD_KEYS: dict[str, dict[str, str]] = {
    "boilerplate": {"primary": "higher", "statutory_flag_rate": "lower"},
    "elements": {"primary": "higher"},
    "typo_lm": {"primary": "higher", "correction_f1": "higher", "fpr": "lower"},
    "typo_rerank": {"primary": "higher", "correction_f1": "higher", "fpr_odw_dev": "lower",
                    "fpr_heldout_reports": "lower"},
    "typo_neural": {"primary": "higher", "correction_f1": "higher", "fpr": "lower"},
}
INFO_KEYS: dict[str, dict[str, str]] = {
    "boilerplate": {"f1_specific": "higher", "f1_generic": "higher"},
    "elements": {"per_class.*.f1": "higher"},
}


def now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def gold_metrics(name: str, m: dict, keys: Optional[dict[str, str]] = None) -> dict[str, dict]:
    """{metric: {"value", "better", "set"}} of one model's metrics.json entry (the gating
    metrics, or those of `keys`)."""
    if keys is None and isinstance(m.get("gold"), dict):
        return m["gold"]
    out = {}
    for key, better in (keys if keys is not None else GOLD_KEYS.get(name, {"primary": "higher"})).items():
        if key.startswith("per_class.*."):
            field = key.rsplit(".", 1)[-1]
            for cls, s in (m.get("per_class") or {}).items():
                if isinstance(s, dict) and field in s and s.get("support", 1):
                    out[f"per_class.{cls}.{field}"] = {"value": s[field], "better": better, "set": m.get("split")}
        elif isinstance(m.get(key), (int, float)):
            out[key] = {"value": m[key], "better": better, "set": m.get("split")}
    return out


def compare(name: str, old: Optional[dict], new: dict, tolerance: float = TOLERANCE) -> dict:
    """The gold verdict of one model: "not_worse", "worse" (and which metrics), "new_model"
    (CURRENT has none) or "not_comparable" (measured on another set: not promoted, since
    nothing shows it is not worse)."""
    new_gold = gold_metrics(name, new)
    if not old:
        return {"verdict": "new_model", "reason": "当前版本没有此模型", "changes": {}, "worse": []}
    old_gold = gold_metrics(name, old)
    common = [k for k in new_gold if k in old_gold and old_gold[k].get("set") == new_gold[k].get("set")]
    if not common:  # e.g. a quick model against a full one: nothing says it is not worse
        return {"verdict": "not_comparable", "changes": {}, "worse": ["（测试集不同，无法比较）"],
                "reason": f"测试集不同（当前：{old.get('split')}，新：{new.get('split')}）"}
    changes, worse = {}, []
    info_old, info_new = gold_metrics(name, old, INFO_KEYS.get(name, {})), gold_metrics(name, new, INFO_KEYS.get(name, {}))
    for k in common + [k for k in info_new if k in info_old and k not in new_gold]:
        o, n = (old_gold[k], new_gold[k]) if k in new_gold else (info_old[k], info_new[k])
        a, b = float(o["value"]), float(n["value"])
        sign = 1 if n.get("better", "higher") == "higher" else -1
        changes[k] = {"current": a, "new": b, "better": n.get("better", "higher"), "gating": k in new_gold}
        if k in new_gold and sign * (b - a) < -tolerance - 1e-9:
            worse.append(k)
    return {"verdict": "worse" if worse else "not_worse", "worse": worse, "changes": changes,
            "set": new_gold[common[0]].get("set")}


def load_metrics(version_dir: Path) -> dict:
    p = version_dir / "metrics.json"
    try:
        return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
    except json.JSONDecodeError:
        return {}


def read_current(root: Path) -> Optional[str]:
    p = root / "CURRENT"
    if not p.is_file():
        return None
    v = p.read_text(encoding="utf-8").strip()
    return v if v and (root / v).is_dir() else None


def history(root: Path) -> list[dict]:
    p = root / HISTORY
    if not p.is_file():
        return []
    out = []
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def record(root: Path, entry: dict) -> dict:
    entry = {"time": now(), **entry}
    with open(root / HISTORY, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def _write_current(root: Path, version: str) -> None:
    tmp = root / "CURRENT.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, root / "CURRENT")  # atomic: a running service never reads half a name


def move_current(root: Path, version: str, action: str, **details) -> dict:
    """CURRENT → `version`, recorded."""
    previous = read_current(root)
    _write_current(root, version)
    return record(root, {"action": action, "from": previous, "to": version, **details})


def stack(root: Path) -> list[str]:
    """The versions CURRENT went through that a rollback can return to, oldest first."""
    out: list[str] = []
    for e in history(root):
        if e.get("action") in ("train", "promote") and e.get("to"):
            if not out and e.get("from"):
                out.append(e["from"])
            out.append(e["to"])
        elif e.get("action") == "rollback" and out:
            out.pop()
    return out


def rollback(root: Path | None = None) -> dict:
    """CURRENT back to the version before its last move."""
    root = root or models_root()
    s = stack(root)
    cur = read_current(root)
    if len(s) < 2 or s[-1] != cur:
        raise ValueError("没有可回退的版本（models/HISTORY.jsonl 中没有 CURRENT 的切换记录）。")
    target = s[-2]
    if not (root / target).is_dir():
        raise ValueError(f"要回退到的版本 {target} 已不存在。")
    return move_current(root, target, "rollback")


def promote(version: str, root: Path | None = None, force: bool = False, tolerance: float = TOLERANCE) -> dict:
    """CURRENT → `version` when no gold metric of its models is worse than CURRENT's (or forced)."""
    root = root or models_root()
    if not (root / version).is_dir() or "/" in version or version.startswith("."):
        raise ValueError(f"没有模型版本 {version}。")
    cur = read_current(root)
    if cur == version:
        raise ValueError(f"{version} 已是当前版本。")
    old, new = (load_metrics(root / cur) if cur else {}), load_metrics(root / version)
    verdict = {name: compare(name, old.get(name), m, tolerance) for name, m in new.items()}
    worse = {n: v["worse"] for n, v in verdict.items() if v["worse"]}
    if worse and not force:
        record(root, {"action": "refuse", "version": version, "current": cur, "worse": worse})
        return {"promoted": False, "verdict": verdict, "worse": worse}
    move_current(root, version, "promote", forced=bool(worse and force), worse=worse)
    return {"promoted": True, "verdict": verdict, "worse": worse}


def list_versions(root: Path | None = None) -> list[dict]:
    root = root or models_root()
    cur = read_current(root)
    out = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []:
        metrics = load_metrics(d)
        if not metrics and not any(c.is_dir() for c in d.iterdir()):
            continue
        info = {}
        p = d / "version.json"
        if p.is_file():
            info = json.loads(p.read_text(encoding="utf-8"))
        out.append({"version": d.name, "current": d.name == cur, "built": info.get("built"),
                    "based_on": info.get("based_on"), "models": sorted(c.name for c in d.iterdir()
                                                                       if c.is_dir() and c.name != "data"),
                    "primary": {n: m.get("primary") for n, m in sorted(metrics.items())},
                    "promoted": info.get("promoted")})
    return out
