"""The `nlp-review` command: check, rules, pipeline (batch: nlp_review/batch/cli.py).

Exit codes of `check`: 0 no `error` finding, 1 at least one, 2 unusable input.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import InputError, ModelError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

# Subcommands other modules add: name → "module:function(subparsers)".
EXTRA_COMMANDS: list[str] = [
    "nlp_review.batch.cli:add_command",
    "nlp_review.training.cli:add_command",
    "nlp_review.typo.cli:add_command",
    "service.cli:add_commands",
    "nlp_review.annotate.cli:add_command",
    "nlp_review.claims.cli:add_command",
    "nlp_review.analytics.cli:add_command",
]


def _options(args) -> "object":
    from .pipeline import Options

    return Options(min_confidence=getattr(args, "min_confidence", 0.0) or 0.0,
                   min_severity=getattr(args, "min_severity", None),
                   disabled_rules=frozenset(getattr(args, "disable", None) or ()))


def _check_job(args) -> tuple[str, int]:
    """The review of `check` (in the guarded child): (what to print, exit code)."""
    from .pipeline import previous_path, review_path
    from .report import render_text, to_contract

    options = _options(args)
    if getattr(args, "previous", None):
        options.previous = previous_path(args.previous)
    doc = review_path(args.file, options)
    if args.format == "json":
        out = json.dumps(to_contract(doc), ensure_ascii=False, indent=2 if args.pretty else None) + "\n"
    else:
        out = render_text(doc)
    return out, EXIT_FINDINGS if any(f.severity == "error" for f in doc.findings) else EXIT_OK


def guard_limits(args):
    """The per-review budget: flags over NLP_REVIEW_* environment over the defaults."""
    from .guard import Limits

    return Limits().overridden(timeout_s=getattr(args, "timeout", None),
                               max_rss_mb=getattr(args, "max_memory_mb", None))


def cmd_check(args) -> int:
    from .guard import run_guarded

    if os.environ.get("NLP_REVIEW_GUARD", "1") == "0":  # debugging: in this process, unguarded
        out, code = _check_job(args)
    else:
        out, code = run_guarded(_check_job, args, limits=guard_limits(args))
    sys.stdout.write(out)
    return code


def cmd_rules(args) -> int:
    from .checks import docs

    if args.rule:
        rule, old = docs.find(args.rule)
        if rule is None:
            print(f"nlp-review: 没有规则 {args.rule}。`nlp-review rules` 列出全部规则。", file=sys.stderr)
            return EXIT_INPUT
        if old:
            print(f"{old} 已更名为 {rule.id}。\n")
        sys.stdout.write(docs.rule_doc(rule))
        return EXIT_OK
    if args.format == "json":
        print(json.dumps(docs.as_json(), ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        if args.write:
            changed = docs.write_readme(Path(args.write))
            print(f"{args.write}：规则表{'已更新' if changed else '已是最新'}。", file=sys.stderr)
        else:
            sys.stdout.write(docs.markdown())
    else:
        for r in sorted(docs.load_rules().values(), key=lambda r: r.id):
            print(f"{r.id:<34} {docs.CATEGORY_NAMES[r.category]:　<4} {docs.SEVERITY_NAMES[r.severity]}  {r.description}")
    return EXIT_OK


def cmd_pipeline(args) -> int:
    from .pipeline import PRESETS, Pipeline

    names = [args.preset] if args.preset else list(PRESETS)
    print("\n\n".join(Pipeline.preset(n).describe() for n in names))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .cli_zh import ChineseArgumentParser
    from .ingest import SUFFIXES

    p = ChineseArgumentParser(prog="nlp-review", description="政府信息公开工作年度报告审查工具")
    p.add_argument("--version", action="version", version=f"nlp-review {__version__}", help="显示版本号并退出")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help=f"审查一份年报（{'/'.join(SUFFIXES)}）")
    c.add_argument("file")
    c.add_argument("--format", choices=("json", "text"), default="json")
    c.add_argument("--pretty", action="store_true", help="缩进输出 JSON")
    c.add_argument("--previous", help="上一年度的同一机关年报，用于逐年比对")
    c.add_argument("--min-confidence", type=float, default=0.0, help="只报告置信度不低于此值的问题")
    c.add_argument("--min-severity", choices=("error", "warning"), default=None,
                   help="只报告错误（error）或错误和警告（warning），不报告提示")
    c.add_argument("--disable", action="append", metavar="RULE", help="停用某条规则（可重复）")
    c.add_argument("--timeout", type=float, default=None, metavar="秒",
                   help="单份审查的时间上限（默认 60 秒或 NLP_REVIEW_TIMEOUT_S）")
    c.add_argument("--max-memory-mb", type=float, default=None, metavar="MB",
                   help="单份审查的常驻内存上限（默认 1024 MB 或 NLP_REVIEW_MAX_MEMORY_MB）")
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("rules", help="列出规则目录；给出规则编号时显示该规则的说明和示例")
    r.add_argument("rule", nargs="?", help="规则编号，如 TYPO.JIEZHI_JIEZHI（旧编号也可）")
    r.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    r.add_argument("--write", metavar="README", help="与 --format markdown 同用：更新该文件中标记之间的规则表")
    r.set_defaults(func=cmd_rules)

    pl = sub.add_parser("pipeline", help="显示审查流水线：各组件需要与产出的数据层")
    pl.add_argument("--describe", action="store_true", help="打印组件图（默认行为）")
    pl.add_argument("--preset", choices=("review", "fragment", "previous_year"), help="只显示一个预设")
    pl.set_defaults(func=cmd_pipeline)

    from importlib import import_module

    for spec in EXTRA_COMMANDS:
        mod, fn = spec.split(":")
        getattr(import_module(mod), fn)(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as e:
        print(f"nlp-review: 无法审查：{e.message}", file=sys.stderr)
        return EXIT_INPUT
    except ModelError as e:
        print(f"nlp-review: 模型错误：{e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("nlp-review: 已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os._exit(0)
    except Exception as e:  # a bug, not bad input: say so plainly, traceback only on request
        if os.environ.get("NLP_REVIEW_DEBUG"):
            if getattr(e, "tb", None):  # raised in the guarded child
                print(e.tb, file=sys.stderr)
            raise
        print(f"nlp-review: 内部错误（{type(e).__name__}: {e}）。设置 NLP_REVIEW_DEBUG=1 可查看详细信息，"
              "请将输入文件反馈给开发者。", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
