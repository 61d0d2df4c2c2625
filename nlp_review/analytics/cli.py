"""`nlp-review report results.jsonl --out dashboard.html [--xlsx dashboard.xlsx]
[--previous-results last_year.jsonl]`: the analysts' dashboard of a batch.

Next to the dashboard, each report's printable review (the same page as the service's
`report.html`, `annotate/html.py`) is written into `<dashboard>.reviews/` and linked
relatively, so the folder can be copied or zipped as a whole.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def add_command(sub) -> None:
    p = sub.add_parser("report", help="由 batch 的结果 JSONL 生成汇总看板（HTML，可选 Excel）")
    p.add_argument("results", help="nlp-review batch 写出的结果 JSONL")
    p.add_argument("--out", required=True, help="看板 HTML 文件")
    p.add_argument("--xlsx", help="同时写出 Excel 工作簿（.xlsx）")
    p.add_argument("--previous-results", help="上一年度的 batch 结果 JSONL，用于逐年比较")
    p.add_argument("--reviews-dir", help="各报告可打印审查页的目录（默认：看板文件名加 .reviews）")
    p.add_argument("--no-reviews", action="store_true", help="不写各报告的审查页（看板中不带链接）")
    p.add_argument("--title", default="政府信息公开工作年度报告审查汇总看板")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from ..errors import InputError
    from .dashboard import build_dashboard
    from .render import render_dashboard

    results = Path(args.results)
    if not results.is_file():
        raise InputError("not_found", f"结果文件不存在：{results}")
    previous = Path(args.previous_results) if args.previous_results else None
    if previous and not previous.is_file():
        raise InputError("not_found", f"上年结果文件不存在：{previous}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    on_result = None
    if not args.no_reviews:
        from ..annotate.html import render_report_html

        reviews = Path(args.reviews_dir) if args.reviews_dir else out.with_name(out.name + ".reviews")
        reviews.mkdir(parents=True, exist_ok=True)

        def on_result(row, obj) -> None:
            name = (row.sha256[:16] or f"line{row.line}") + ".html"
            target = reviews / name
            target.write_text(render_report_html(obj), encoding="utf-8")
            row.review_link = Path(os.path.relpath(target, out.parent)).as_posix()

    dash = build_dashboard(results, previous, on_result)
    if not dash.rows:
        raise InputError("empty", f"结果文件中没有可读的审查结果：{results}（{len(dash.bad)} 行无法读取）")
    out.write_text(render_dashboard(dash, args.title), encoding="utf-8")
    msg = f"已写出看板 {out}（{len(dash.rows)} 份报告"
    if dash.bad:
        msg += f"，跳过 {len(dash.bad)} 行无法读取的内容"
    msg += "）"
    if args.xlsx:
        from .xlsx import write_xlsx

        write_xlsx(dash, Path(args.xlsx))
        msg += f"，Excel：{args.xlsx}"
    print(msg, file=sys.stderr)
    return 0
