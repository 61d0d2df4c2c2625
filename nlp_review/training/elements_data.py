"""The labelled units in corpus/elements/: built from the report texts in
corpus/elements/docs/ by the real segmenter, weak-labelled (`weak`), then corrected by
the hand labels in corpus/elements/hand_labels.jsonl and extended by the hand-written
units in corpus/elements/authored.jsonl (training split only).

    python -m nlp_review.training.elements_data [--corpus corpus]    # rebuilds units.jsonl

Authored units are hand-written statements for the classes the real excerpts barely
contain (s5.last_year: none; s6.fees: seven); they are grouped in pseudo-documents and
split by pseudo-document like the reports.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from ..doc import Doc
from ..elements import LABELS
from ..elements.segment import SECTIONS, compact, segment, unit_record
from ..elements.weak import weak_label

TEST_FRACTION = 4  # every 4th report (by a stable hash, per stratum) is held back
SPLIT_NAME = "elements-v1: seeds + 1/4 of report excerpts and of authored pseudo-documents, by document"


def prepare(path: Path) -> Doc:
    """A document through the pipeline up to sentences (no checks, no model)."""
    from ..pipeline import read_path

    return read_path(path, until="sentences")


def unit_key(source: str, rec: dict) -> str:
    return f"{source}:{rec['section']}:{rec['start']}:{rec['end']}"


def _stable(s: str) -> int:
    return int(hashlib.sha1(s.encode("utf-8")).hexdigest()[:8], 16)


def assign_splits(sources: dict[str, set[int]]) -> dict[str, str]:
    """Seeds are held back whole; reports per stratum (has §6 / has §5 / §1 only)."""
    split = {}
    strata: dict[str, list[str]] = {}
    for src, secs in sources.items():
        if src.startswith("seed_"):
            split[src] = "test"
            continue
        st = "s6" if 6 in secs else "s5" if 5 in secs else "s1"
        strata.setdefault(st, []).append(src)
    for st, srcs in strata.items():
        for i, src in enumerate(sorted(srcs, key=_stable)):
            split[src] = "test" if i % TEST_FRACTION == 1 else "train"
    return split


def load_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build(corpus: Path) -> list[dict]:
    docs_dir = corpus / "elements" / "docs"
    hand = {h["key"]: h for h in load_jsonl(corpus / "elements" / "hand_labels.jsonl")}
    rows: list[dict] = []
    present: dict[str, set[int]] = {}
    for path in sorted(docs_dir.glob("*.txt")):
        src = path.stem
        doc = prepare(path)
        units = segment(doc)
        present[src] = {n for n in SECTIONS if units[n]}
        for n in SECTIONS:
            for u in units[n]:
                rec = unit_record(doc, u, units[n])
                if not rec["text"]:
                    continue
                label, how = weak_label(n, u.heading, rec["text"], u.own_heading)
                key = unit_key(src, rec)
                h = hand.get(key)
                if h is not None:
                    label, how = h["label"], "hand"
                if label is None:
                    continue  # neither a telling heading nor a hand label: not used
                if label == "drop":
                    continue
                assert label in LABELS, (key, label)
                rows.append({"key": key, "source": src, **rec, "label": label, "how": how})
    split = assign_splits(present)
    for r in rows:
        r["split"] = split[r["source"]]
    authored = load_jsonl(corpus / "elements" / "authored.jsonl")
    # a later batch is training-only so as not to fill the held-back split with easy text
    adocs = sorted({a["doc"] for a in authored if not a.get("train_only")})
    for a in authored:
        held = not a.get("train_only") and adocs.index(a["doc"]) % TEST_FRACTION == 1
        rows.append({"key": f"authored:{a['id']}", "source": f"authored:{a['doc']}", "section": a["section"],
                     "kind": a.get("kind", "paragraph"), "heading": a.get("heading", ""),
                     "own_heading": bool(a.get("heading")), "text": compact(a["text"]),
                     "tokens": " ".join(_tokens(a["text"])), "context": "", "start": None, "end": None,
                     "label": a["label"], "how": "authored", "split": "test" if held else "train"})
    return rows


def _tokens(text: str) -> list[str]:
    from ..structure.sentences import get_nlp

    return [t.text for t in get_nlp()(text) if not t.is_space]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parents[2] / "corpus"))
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    rows = build(corpus)
    out = corpus / "elements" / "units.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter

    c = Counter((r["split"], r["label"]) for r in rows)
    for k in sorted(c):
        print(k, c[k])
    print(len(rows), "units →", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
