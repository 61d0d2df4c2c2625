"""`nlp-review train`: rebuild models from data — the repo's corpus, and the year's reviewer
decisions (`--feedback`) and published reports (`--reports`) — write metrics, the year's
labelled data and a model card, and move `models/CURRENT` only when no gold metric of the
new models is worse than CURRENT's on the same set (training/versions.py).

`nlp-review models list|show|promote|rollback`: the versions, their cards, moving CURRENT by
hand (same rule, `--force` to override) and back.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import inspect
import json
import shutil
import sys
from importlib import import_module
from pathlib import Path
from typing import Optional

from ..models.store import clear_cache, models_root
from . import versions
from .registry import DESCRIPTIONS, TRAINERS

REPO_ROOT = Path(__file__).resolve().parents[2]


def _trainer(name: str):
    mod, fn = TRAINERS[name].split(":")
    module = import_module(mod)
    return module, getattr(module, fn)


def run_train(corpus: Path, source: Path | None, out: Path | None, only: list[str] | None,
              quick: bool = False, root: Path | None = None, force: bool = False,
              feedback: Optional[Path] = None, reports: Optional[Path] = None,
              tolerance: float = versions.TOLERANCE) -> dict:
    root = root or models_root()
    root.mkdir(parents=True, exist_ok=True)
    names = only or list(TRAINERS)
    unknown = [n for n in names if n not in TRAINERS]
    if unknown:
        raise SystemExit(f"未知模型：{', '.join(unknown)}；可选：{', '.join(TRAINERS)}")
    version = out.name if out else _dt.datetime.now().strftime("v%Y%m%d-%H%M%S")
    out = out or root / version
    cur_name = versions.read_current(root)
    current = root / cur_name if cur_name else None
    if current is not None and current.resolve() == out.resolve():
        raise SystemExit(f"不能覆盖当前使用的模型版本 {cur_name}；请用 --out 指定新的版本目录。")
    out.mkdir(parents=True, exist_ok=True)
    year = None
    if feedback is not None or reports is not None:
        from .year import load_year

        year = load_year(feedback, reports, corpus)
    # Models not retrained this time are carried over from the current version.
    if current is not None:
        for d in current.iterdir():
            if d.is_dir() and d.name not in names and d.name != "data" and not (out / d.name).exists():
                shutil.copytree(d, out / d.name)
    cur_metrics = versions.load_metrics(current) if current else {}
    metrics = versions.load_metrics(out)
    for k, v in cur_metrics.items():
        if k not in names and (out / k).is_dir():
            metrics.setdefault(k, v)
    verdict = {}
    for name in names:
        module, fn = _trainer(name)
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        print(f"训练 {name} …", file=sys.stderr)
        kwargs = {"year": year} if "year" in inspect.signature(fn).parameters else {}
        m = fn(corpus, source, target, quick, **kwargs)
        evaluate = getattr(module, "evaluate_feedback", None)
        if year is not None and year.feedback is not None and evaluate is not None:
            m["year_feedback"] = {"new": evaluate(target, year)}
            if current is not None and (current / name).is_dir():
                m["year_feedback"]["current"] = evaluate(current / name, year)
        metrics[name] = m
        verdict[name] = versions.compare(name, cur_metrics.get(name), m, tolerance)
    if year is not None:
        year.write(out)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    worse = {n: v["worse"] for n, v in verdict.items() if v["worse"]}
    in_root = out.resolve().parent == root.resolve()
    promoted = in_root and (force or not worse)
    info = {"version": out.name, "built": versions.now(), "based_on": cur_name, "trained": names,
            "carried_over": sorted(d.name for d in out.iterdir() if d.is_dir() and d.name not in names
                                   and d.name != "data"),
            "quick": bool(quick), "promoted": promoted, "forced": bool(force and worse), "worse": worse,
            "year": year.summary() if year is not None else None}
    (out / "version.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    from .model_card import model_card

    (out / "MODEL_CARD.md").write_text(model_card(info, metrics, verdict, year), encoding="utf-8")
    if promoted:
        versions.move_current(root, out.name, "train", trained=names, forced=info["forced"], worse=worse)
        clear_cache()
    elif in_root:
        versions.record(root, {"action": "refuse", "version": out.name, "current": cur_name, "worse": worse})
    return {"version": out.name, "metrics": metrics, "verdict": verdict, "promoted": promoted, "worse": worse}


def _trainer_list() -> str:
    return "模型（--only 的可选值）：\n" + "\n".join(f"  {n:<12} {DESCRIPTIONS.get(n, '')}" for n in TRAINERS)


def add_command(sub) -> None:
    p = sub.add_parser("train", help="从数据重新训练模型，写出指标与模型卡", epilog=_trainer_list(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=str(REPO_ROOT / "corpus"), help="标注数据目录（默认 corpus/）")
    p.add_argument("--source", default=None,
                   help="原始语料目录（如 ../shared/corpus）；缺省时若存在 ../shared/corpus 则使用")
    p.add_argument("--feedback", default=None, metavar="FEEDBACK.jsonl",
                   help="审查人员的反馈（nlp-review export-feedback 的输出）：采纳/不采纳的决定作为标注数据")
    p.add_argument("--reports", default=None, metavar="DIR",
                   help="本年度发布的年报目录：更新套话短语、近似句索引，并按机关配对相邻年度")
    p.add_argument("--out", default=None, help="输出目录 models/VERSION（默认按时间命名）")
    p.add_argument("--only", action="append", choices=list(TRAINERS), metavar="MODEL",
                   help="只训练某个模型（可重复）：" + "、".join(TRAINERS))
    p.add_argument("--quick", action="store_true", help="只构建很小的模型（用于测试）")
    p.add_argument("--force", action="store_true", help="即使金标准指标变差也切换为当前版本")
    p.add_argument("--tolerance", type=float, default=versions.TOLERANCE,
                   help="金标准指标允许的下降幅度（默认 0：任何下降都不切换）")
    p.set_defaults(func=_cmd)

    m = sub.add_parser("models", help="模型版本：列出、查看、切换（promote）与回退（rollback）")
    msub = m.add_subparsers(dest="models_command", required=True)
    ls = msub.add_parser("list", help="列出模型版本（* 为当前版本）")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_cmd_list)
    sh = msub.add_parser("show", help="显示某个版本的模型卡（默认当前版本）")
    sh.add_argument("version", nargs="?")
    sh.set_defaults(func=_cmd_show)
    pr = msub.add_parser("promote", help="把当前版本（models/CURRENT）切换到某个版本（金标准指标不得变差）")
    pr.add_argument("version")
    pr.add_argument("--force", action="store_true", help="即使金标准指标变差也切换")
    pr.add_argument("--tolerance", type=float, default=versions.TOLERANCE)
    pr.set_defaults(func=_cmd_promote)
    rb = msub.add_parser("rollback", help="当前版本回到上一次切换之前的版本")
    rb.set_defaults(func=_cmd_rollback)
    hi = msub.add_parser("history", help="当前版本的切换与拒绝记录")
    hi.set_defaults(func=_cmd_history)


def _cmd(args) -> int:
    source = Path(args.source) if args.source else None
    if source is None:
        guess = REPO_ROOT.parent / "shared" / "corpus"
        source = guess if guess.is_dir() else None
    for what, p in (("反馈文件", args.feedback), ("报告目录", args.reports)):
        if p and not Path(p).exists():
            print(f"nlp-review: {what}不存在：{p}", file=sys.stderr)
            return 2
    res = run_train(Path(args.corpus), source, Path(args.out) if args.out else None, args.only,
                    quick=args.quick, force=args.force, feedback=Path(args.feedback) if args.feedback else None,
                    reports=Path(args.reports) if args.reports else None, tolerance=args.tolerance)
    print(json.dumps({"version": res["version"], "promoted": res["promoted"], "worse": res["worse"],
                      "verdict": {n: v["verdict"] for n, v in res["verdict"].items()}}, ensure_ascii=False))
    if not res["promoted"]:
        why = "；".join(f"{n}：{'、'.join(w)}" for n, w in res["worse"].items()) or "输出目录不在模型根目录下"
        print(f"新模型未切换为 models/CURRENT（{why}）。查看 {res['version']}/MODEL_CARD.md；"
              "可用 nlp-review models promote --force 强制切换。", file=sys.stderr)
    return 0


def _cmd_list(args) -> int:
    rows = versions.list_versions()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        primary = "，".join(f"{n} {v}" for n, v in r["primary"].items() if v is not None)
        print(f"{'*' if r['current'] else ' '} {r['version']:<22} {r['built'] or '':<20} "
              f"{'、'.join(r['models'])}  {primary}")
    return 0


def _cmd_show(args) -> int:
    root = models_root()
    version = args.version or versions.read_current(root)
    card = root / (version or "") / "MODEL_CARD.md"
    if not version or not card.is_file():
        print(f"nlp-review: 没有模型版本 {version or '（无 CURRENT）'} 的模型卡。", file=sys.stderr)
        return 2
    sys.stdout.write(card.read_text(encoding="utf-8"))
    return 0


def _cmd_promote(args) -> int:
    try:
        res = versions.promote(args.version, force=args.force, tolerance=args.tolerance)
    except ValueError as e:
        print(f"nlp-review: {e}", file=sys.stderr)
        return 2
    if not res["promoted"]:
        print("未切换：以下金标准指标变差 — " + "；".join(f"{n}：{'、'.join(w)}" for n, w in res["worse"].items())
              + "（可用 --force 强制切换）。", file=sys.stderr)
        return 1
    clear_cache()
    print(f"CURRENT → {args.version}", file=sys.stderr)
    return 0


def _cmd_rollback(args) -> int:
    try:
        e = versions.rollback()
    except ValueError as e:
        print(f"nlp-review: {e}", file=sys.stderr)
        return 2
    clear_cache()
    print(f"CURRENT：{e['from']} → {e['to']}", file=sys.stderr)
    return 0


def _cmd_history(args) -> int:
    for e in versions.history(models_root()):
        print(json.dumps(e, ensure_ascii=False))
    return 0
