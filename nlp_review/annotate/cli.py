"""`nlp-review annotate FILE`: the reviewed document with Word comments on every finding
(the reviewer's own .docx, or a generated one for other formats) and, optionally, the
printable HTML report — the same files the service returns."""
from __future__ import annotations

from pathlib import Path


def add_command(sub) -> None:
    p = sub.add_parser("annotate", help="输出带批注的 Word 文件（及可打印的 HTML 报告）")
    p.add_argument("file")
    p.add_argument("--out", help="带批注的 .docx（默认：原文件名加“（审查批注）.docx”）")
    p.add_argument("--html", help="同时写出可打印的 HTML 报告")
    p.add_argument("--previous", help="上一年度的同一机关年报，用于逐年比对")
    p.add_argument("--min-severity", choices=("error", "warning"), default=None,
                   help="只批注错误（error）或错误和警告（warning），不批注提示")
    p.add_argument("--codes", choices=("initials", "trailing"), default="initials",
                   help="规则代码与问题编号写在批注缩写中（initials，默认）或批注末行（trailing）")
    p.add_argument("--no-track-changes", action="store_true", help="不把错别字的修改建议写成 Word 修订")
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    import sys

    from ..ingest import load_path
    from ..pipeline import Options, previous_path, review_bytes
    from ..report import to_contract
    from .docx import CommentStyle, annotated_docx_for
    from .html import render_report_html

    src = Path(args.file)
    options = Options(min_severity=args.min_severity)
    if args.previous:
        options.previous = previous_path(args.previous)
    data = src.read_bytes() if src.is_file() else None
    if data is None:
        load_path(src)  # raises the right Chinese InputError
    result = to_contract(review_bytes(data, src.name, options))
    out = Path(args.out) if args.out else src.with_name(f"{src.stem}（审查批注）.docx")
    out.write_bytes(annotated_docx_for(data, result, style=CommentStyle(codes=args.codes,
                                                                       track_changes=not args.no_track_changes)))
    if args.html:
        Path(args.html).write_text(render_report_html(result), encoding="utf-8")
    print(f"已写出 {out}（{len(result['findings'])} 条批注）" + (f"，{args.html}" if args.html else ""), file=sys.stderr)
    return 1 if any(f["severity"] == "error" for f in result["findings"]) else 0
