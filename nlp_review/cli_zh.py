"""argparse in Chinese: the help, usage and error texts a reviewer or analyst reads.

argparse writes its own words in English (usage:, options:, "show this help message and
exit", "the following arguments are required", metavars made from option names). The
root parser is a `ChineseArgumentParser`; `add_subparsers` makes every subcommand's parser
of the same class, so each module's `add_command` gets Chinese for free. Metavars come
from `METAVARS` (by destination or by the English metavar a module gave); anything not
listed reads 值 (value) or 参数 (argument), never an upper-cased English name.
"""
from __future__ import annotations

import argparse
import re
import sys

# Argument destination (or an English metavar) → what the usage line calls its value.
METAVARS = {
    "file": "文件", "path": "文件", "dir": "目录", "DIR": "目录", "results": "结果.jsonl", "rule": "规则编号",
    "RULE": "规则编号", "version": "版本", "corpus": "目录", "source": "目录", "csv": "文件.csv",
    "database_url": "数据库地址", "host": "地址", "port": "端口", "processes": "进程数", "html": "文件.html",
    "min_confidence": "置信度", "out": "输出", "previous": "上年报告", "previous_results": "上年结果.jsonl",
    "reviews_dir": "目录", "title": "标题", "tolerance": "幅度", "write": "文件", "README": "文件",
    "xlsx": "文件.xlsx", "MODEL": "模型",
}

# argparse's own messages (Python 3.11 wording) → Chinese.
MESSAGES = [
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"one of the arguments (.*) is required", r"必须提供以下参数之一：\1"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 有歧义，可能是：\2"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", r"参数 \1：无效的取值 \2（可选：\3）"),
    (r"argument (\S+): invalid (\w+) value: (.*)", r"参数 \1：无效的取值 \3"),
    (r"argument (\S+): expected one argument", r"参数 \1：需要一个值"),
    (r"argument (\S+): expected at least one argument", r"参数 \1：至少需要一个值"),
    (r"argument (\S+): expected at most one argument", r"参数 \1：至多一个值"),
    (r"argument (\S+): expected (\d+) arguments?", r"参数 \1：需要 \2 个值"),
    (r"argument (\S+): not allowed with argument (\S+)", r"参数 \1：不能与参数 \2 同时使用"),
    (r"argument (\S+): ignored explicit argument (.*)", r"参数 \1：多余的值 \2"),
    (r"argument (\S+): can't open (.*)", r"参数 \1：无法打开 \2"),
    (r"argument (\S+): (.*)", r"参数 \1：\2"),
]


def chinese_message(message: str) -> str:
    for pattern, repl in MESSAGES:
        if re.fullmatch(pattern, message, flags=re.S):
            return re.sub(pattern, repl, message, flags=re.S)
    return message


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _get_default_metavar_for_optional(self, action):
        return METAVARS.get(action.dest, "值")

    def _get_default_metavar_for_positional(self, action):
        return METAVARS.get(action.dest, "参数")


class ChineseArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args, add_help: bool = True, **kwargs):
        fc = kwargs.get("formatter_class", ChineseHelpFormatter)
        if not issubclass(fc, ChineseHelpFormatter):  # e.g. RawDescriptionHelpFormatter: both
            fc = type("Chinese" + fc.__name__, (ChineseHelpFormatter, fc), {})
        kwargs["formatter_class"] = fc
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def add_argument(self, *args, **kwargs):
        metavar = kwargs.get("metavar")
        if isinstance(metavar, str) and metavar in METAVARS:
            kwargs["metavar"] = METAVARS[metavar]
        elif metavar is None and args and not args[0].startswith("-") and "choices" not in kwargs:
            kwargs["metavar"] = METAVARS.get(args[0], "参数")  # also names it in error messages
        return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("title", "子命令")
        return super().add_subparsers(**kwargs)

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{chinese_message(message)}\n")
