"""Golden outputs: the contract JSON of every seed and of the 182 report excerpts.

A refactor proves itself by leaving these byte for byte unchanged (`timing_ms` aside).
A deliberate behaviour change re-captures them in a commit of its own:

    .venv/bin/python -m tests.golden --update

`tests/test_golden.py` compares the current outputs with the stored ones.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden" / "contract.jsonl.gz"
INPUTS = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt")) + \
    sorted((ROOT / "corpus" / "elements" / "docs").glob("0*.txt"))


def _key(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def current_output(path: Path) -> dict:
    from nlp_review.pipeline import review_path
    from nlp_review.report import to_contract

    out = to_contract(review_path(path))
    out.pop("timing_ms", None)
    return out


def canonical(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def load_golden() -> dict[str, str]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as fh:
        rows = (json.loads(line) for line in fh)
        return {r["file"]: canonical(r["output"]) for r in rows}


def update() -> int:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same outputs give the same bytes, so git sees no change.
    with open(GOLDEN, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for path in INPUTS:
            row = {"file": _key(path), "output": current_output(path)}
            gz.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    print(f"{len(INPUTS)} outputs written to {GOLDEN.relative_to(ROOT)}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="re-capture the golden outputs")
    args = ap.parse_args(argv)
    if args.update:
        return update()
    golden = load_golden()
    bad = [_key(p) for p in INPUTS if golden.get(_key(p)) != canonical(current_output(p))]
    print(f"{len(INPUTS) - len(bad)} of {len(INPUTS)} outputs equal the golden ones")
    for k in bad:
        print("differs:", k)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
