"""`nlp-review correct`: sentences on stdin, one per line → the corrected sentence per
line on stdout (an unchanged line means no error found) — the usual interface of Chinese
spelling-check benchmarks. Domain rules plus the typo model(s) of models/CURRENT."""
from __future__ import annotations

import sys


def add_command(sub) -> None:
    p = sub.add_parser("correct", help="逐行纠正错别字：标准输入每行一句，标准输出每行输出纠正后的句子")
    p.add_argument("--no-rules", action="store_true", help="只用模型，不用领域规则")
    p.add_argument("--mode", choices=("stat", "neural", "stat+neural"), default=None,
                   help="使用的模型（默认值见 nlp_review/typo/engine.py）")
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    from .engine import correct_sentence

    for line in sys.stdin:
        s = line.rstrip("\r\n")
        sys.stdout.write((correct_sentence(s, mode=args.mode, rules=not args.no_rules) if s.strip() else s) + "\n")
        sys.stdout.flush()
    return 0
