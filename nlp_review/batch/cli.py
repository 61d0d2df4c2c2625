"""`nlp-review batch`: review a folder (a file list, a storage URI) into JSONL + CSV,
on every core of this machine or on a Ray cluster; resumable after any crash."""
from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK = 0


def add_command(sub) -> None:
    b = sub.add_parser("batch", help="批量审查一个目录（或文件清单、存储路径），可断点续跑，可多核或在 Ray 集群上运行")
    b.add_argument("dir", help="目录；或存储路径 s3://… gs://… hdfs://… file://…（需安装 pyarrow）；与 --list 同用时为文件清单")
    b.add_argument("--out", required=True, help="结果 JSONL（每行一个契约对象）")
    b.add_argument("--csv", help="汇总 CSV（默认与 --out 同名 .csv）")
    b.add_argument("--list", action="store_true", help="目录参数是一个文件清单：每行一个路径或存储路径")
    b.add_argument("--workers", type=int, default=None, help="并行进程数（默认：全部处理器核）")
    b.add_argument("--ray", nargs="?", const="auto", default=None, metavar="地址",
                   help="在 Ray 集群上运行（地址如 127.0.0.1:6379；不写则连接或启动本机集群）")
    b.add_argument("--work-dir", help="中间数据目录（默认：输出文件名加 .work）")
    b.add_argument("--min-confidence", type=float, default=0.0)
    b.add_argument("--disable", action="append", metavar="规则编号")
    b.add_argument("--timeout", type=float, default=None, metavar="秒",
                   help="每份报告的审查时间上限（默认 60 秒或 NLP_REVIEW_TIMEOUT_S）；超时的报告记为错误，批量继续")
    b.add_argument("--max-memory-mb", type=float, default=None, metavar="MB",
                   help="每份报告审查所增加的内存上限（默认 1024 MB 或 NLP_REVIEW_MAX_MEMORY_MB）；超出的报告记为错误，批量继续")
    b.add_argument("--quiet", action="store_true")
    b.add_argument("--progress", action="store_true", help="即使不在终端中也显示进度条")
    b.set_defaults(func=cmd_batch)


def cmd_batch(args) -> int:
    from ..errors import InputError
    from .inputs import list_inputs
    from .runner import LocalExecutor, default_workers, run_batch

    files = list_inputs(args.dir, is_list=args.list)
    out = Path(args.out)
    options = {"min_confidence": args.min_confidence or 0.0, "disabled_rules": sorted(args.disable or ()),
               "limits": {"timeout_s": args.timeout, "max_rss_mb": args.max_memory_mb}}
    workers = args.workers or default_workers()
    if workers < 1:
        raise InputError("bad_option", "--workers 至少为 1。")
    if args.ray:
        from .ray_run import RayExecutor

        def factory():
            return RayExecutor(None if args.ray == "auto" else args.ray, options, args.workers)
    else:
        def factory():
            return LocalExecutor(workers, options)
    show = not args.quiet and (sys.stderr.isatty() or args.progress)
    s = run_batch(files, out, Path(args.csv) if args.csv else None, options, factory,
                  Path(args.work_dir) if args.work_dir else None, show_progress=show)
    csv_path = Path(args.csv) if args.csv else out.with_suffix(".csv")
    repaired = f"（已修复上次中断留下的 {s.repaired} 行残缺记录）" if s.repaired else ""
    print(f"完成：新审查 {s.reviewed} 份，无法读取 {s.errors} 份，已审查过而跳过 {s.skipped} 份{repaired}。"
          f"结果：{out}；汇总：{csv_path}", file=sys.stderr)
    t = s.seconds
    if t:
        print(f"用时：加载模型 {t.get('load', 0):.1f} 秒，读取 {t.get('read', 0):.1f} 秒，"
              f"跨报告雷同比对 {t.get('near_copies', 0):.1f} 秒，审查 {t.get('review', 0):.1f} 秒。", file=sys.stderr)
    return EXIT_OK
