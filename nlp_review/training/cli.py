"""`nlp-review train`: rebuild models from data, write metrics and a model card, and move
`models/CURRENT` only when the new model is not worse on the same held-back split."""
from __future__ import annotations

import datetime as _dt
import json
import shutil
import sys
from importlib import import_module
from pathlib import Path

from ..models.store import models_root
from .registry import TRAINERS

REPO_ROOT = Path(__file__).resolve().parents[2]


def _load_metrics(version_dir: Path) -> dict:
    p = version_dir / "metrics.json"
    if p.is_file():
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return {}
    return {}


def _model_card(version: str, metrics: dict) -> str:
    lines = [f"# Models {version}", "", f"Built {_dt.datetime.now().isoformat(timespec='seconds')} by `nlp-review train`.", ""]
    for name, m in sorted(metrics.items()):
        lines.append(f"## {name}")
        lines.append("")
        lines.append(f"- held-back split: {m.get('split', '?')}; primary metric: {m.get('primary')}")
        for k, v in m.items():
            if k in ("primary", "split") or isinstance(v, (dict, list)):
                continue
            lines.append(f"- {k}: {v}")
        per_class = m.get("per_class")
        if isinstance(per_class, dict):
            lines.append("")
            lines.append("| class | precision | recall | F1 | support |")
            lines.append("|---|---|---|---|---|")
            for c, s in per_class.items():
                lines.append(f"| {c} | {s.get('precision', 0):.3f} | {s.get('recall', 0):.3f} | "
                             f"{s.get('f1', 0):.3f} | {s.get('support', '')} |")
        lines.append("")
    return "\n".join(lines)


def run_train(corpus: Path, source: Path | None, out: Path | None, only: list[str] | None,
              quick: bool = False, root: Path | None = None, force: bool = False) -> dict:
    root = root or models_root()
    root.mkdir(parents=True, exist_ok=True)
    names = only or list(TRAINERS)
    unknown = [n for n in names if n not in TRAINERS]
    if unknown:
        raise SystemExit(f"未知模型：{', '.join(unknown)}；可选：{', '.join(TRAINERS)}")
    version = out.name if out else _dt.datetime.now().strftime("v%Y%m%d-%H%M%S")
    out = out or root / version
    current = None
    pointer = root / "CURRENT"
    if pointer.is_file():
        cur_name = pointer.read_text(encoding="utf-8").strip()
        if cur_name and (root / cur_name).is_dir():
            current = root / cur_name
    out.mkdir(parents=True, exist_ok=True)
    # Models not retrained this time are carried over from the current version.
    if current is not None and current.resolve() != out.resolve():
        for d in current.iterdir():
            if d.is_dir() and d.name not in names and not (out / d.name).exists():
                shutil.copytree(d, out / d.name)
    cur_metrics = _load_metrics(current) if current else {}
    metrics = {k: v for k, v in _load_metrics(out).items()}
    for k, v in cur_metrics.items():
        if k not in names and (out / k).is_dir():
            metrics.setdefault(k, v)
    verdict = {}
    for name in names:
        mod, fn = TRAINERS[name].split(":")
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        print(f"训练 {name} …", file=sys.stderr)
        m = getattr(import_module(mod), fn)(corpus, source, target, quick)
        metrics[name] = m
        old = cur_metrics.get(name, {})
        same_split = old.get("split") == m.get("split")
        worse = same_split and old.get("primary") is not None and m.get("primary", 0) < old["primary"] - 1e-9
        verdict[name] = "worse" if worse else "ok"
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(_model_card(version, metrics), encoding="utf-8")
    promoted = force or all(v == "ok" for v in verdict.values())
    if promoted:
        pointer.write_text(out.name + "\n", encoding="utf-8")
    return {"version": out.name, "metrics": metrics, "verdict": verdict, "promoted": promoted}


def add_command(sub) -> None:
    p = sub.add_parser("train", help="从数据重新训练模型，写出指标与模型卡")
    p.add_argument("--corpus", default=str(REPO_ROOT / "corpus"), help="标注数据目录（默认 corpus/）")
    p.add_argument("--source", default=None,
                   help="原始语料目录（如 ../shared/corpus）；缺省时若存在 ../shared/corpus 则使用")
    p.add_argument("--out", default=None, help="输出目录 models/VERSION（默认按时间命名）")
    p.add_argument("--only", action="append", help="只训练某个模型（可重复）")
    p.add_argument("--quick", action="store_true", help="只构建很小的模型（用于测试）")
    p.add_argument("--force", action="store_true", help="即使指标变差也切换 CURRENT")
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    source = Path(args.source) if args.source else None
    if source is None:
        guess = REPO_ROOT.parent / "shared" / "corpus"
        source = guess if guess.is_dir() else None
    res = run_train(Path(args.corpus), source, Path(args.out) if args.out else None, args.only,
                    quick=args.quick, force=args.force)
    print(json.dumps({k: res[k] for k in ("version", "verdict", "promoted")}, ensure_ascii=False))
    if not res["promoted"]:
        print("新模型在同一测试集上不如当前模型，未切换 models/CURRENT（可用 --force 强制）。", file=sys.stderr)
    return 0
