"""`nlp-review serve` (the review service) and `nlp-review export-feedback` (reviewer
feedback as JSONL: next year's training data)."""
from __future__ import annotations

import json
import sys


def add_commands(sub) -> None:
    s = sub.add_parser("serve", help="启动审查服务（网页、API、LanguageTool 兼容接口）")
    s.add_argument("--host", default=None, help="监听地址（默认 127.0.0.1 或 NLP_REVIEW_HOST）")
    s.add_argument("--port", type=int, default=None, help="端口（默认 8000 或 NLP_REVIEW_PORT）")
    s.add_argument("--processes", type=int, default=None,
                   help="审查工作进程数（默认处理器核数或 NLP_REVIEW_PROCESSES；0 表示在服务进程的线程中审查）")
    s.set_defaults(func=_serve)

    e = sub.add_parser("export-feedback", help="导出审查人员对问题的反馈（JSONL，供训练使用）")
    e.add_argument("--out", default="-", help="输出文件（默认标准输出）")
    e.add_argument("--database-url", default=None, help="数据库（默认同服务：DATABASE_URL 或数据目录中的 SQLite）")
    e.set_defaults(func=_export)


def _serve(args) -> int:
    from .app import main

    main(args.host, args.port, args.processes)
    return 0


def export_feedback(store, out) -> int:
    n = 0
    for row in store.iter_feedback():
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def _export(args) -> int:
    from .config import Settings
    from .storage import Store

    settings = Settings()
    if args.database_url:
        settings.database_url = args.database_url
    store = Store(settings.db_url())
    if args.out == "-":
        n = export_feedback(store, sys.stdout)
    else:
        with open(args.out, "w", encoding="utf-8") as fh:
            n = export_feedback(store, fh)
    print(f"已导出 {n} 条反馈。", file=sys.stderr)
    return 0
