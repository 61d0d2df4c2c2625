"""Build corpus/claims/claims.jsonl from the hand labels in labels.txt.

labels.txt: one claim a line, `file | context with the claim in [brackets] | key | value | kind`.
The context is found in texts/<file> ignoring whitespace (PDF line wraps), so each claim gets
its character span in the file. Texts were copied from ../shared/corpus/reports (excerpts,
kept byte-for-byte) and tests/data/seeds (seed_NNN.txt); `--copy` refreshes them.

Run: .venv/bin/python corpus/claims/build.py [--copy]
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEXTS = HERE / "texts"


def compact(text: str) -> tuple[str, list[int]]:
    chars, offs = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            chars.append(ch)
            offs.append(i)
    return "".join(chars), offs


def locate(text: str, context: str) -> tuple[int, int]:
    ctx = "".join(ch for ch in context.replace("\\n", "\n") if not ch.isspace())
    a_mark, b_mark = ctx.index("["), ctx.index("]")
    plain = ctx.replace("[", "").replace("]", "")
    comp, offs = compact(text)
    pos = comp.find(plain)
    if pos < 0:
        raise ValueError(f"context not found: {context!r}")
    a = pos + a_mark
    b = pos + b_mark - 1
    return offs[a], offs[b - 1] + 1


def sentence_of(text: str, a: int, b: int) -> str:
    ends = "。！？\n"
    s = max(text.rfind(ch, 0, a) for ch in ends) + 1
    e = min((i for i in (text.find(ch, b) for ch in ends) if i >= 0), default=len(text))
    return text[s:e + 1].strip()


def copy_texts() -> None:
    TEXTS.mkdir(exist_ok=True)
    for line in (HERE / "candidates.txt").read_text(encoding="utf-8").split():
        shutil.copy(ROOT.parent / "shared/corpus/reports" / line, TEXTS / line)
    for p in sorted((ROOT / "tests/data/seeds").glob("*.txt")):
        shutil.copy(p, TEXTS / f"seed_{p.name[:3]}.txt")


def main() -> None:
    if "--copy" in sys.argv:
        copy_texts()
    out = []
    for line in (HERE / "labels.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        file, context, key, value, kind = [x.strip() for x in line.split("|")]
        text = (TEXTS / file).read_text(encoding="utf-8")
        a, b = locate(text, context)
        out.append({"file": file, "context": context, "sentence": sentence_of(text, a, b), "start": a, "end": b,
                    "text": text[a:b], "key": key, "value": float(value), "kind": kind})
    with open(HERE / "claims.jsonl", "w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(out)} claims in {len({r['file'] for r in out})} files")


if __name__ == "__main__":
    main()
