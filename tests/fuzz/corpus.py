"""The fuzz corpus: the five seed reports rendered in every format (tests/renderers.py:
real .docx, PDF, HTML, Markdown), then mutated by every family of `mutate.FAMILIES`.

Deterministic: input k of a (family, format, seed) gets its own `random.Random` seeded from
its name, so a failing input can be rebuilt alone (`build_one`). Nothing is committed: the
corpus is written to a temporary directory at run time (`write`).
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.mutate import FAMILIES
from tests.renderers import SEEDS, seed_to_docx, seed_to_html, seed_to_md, seed_to_pdf

SUFFIX = {"txt": ".txt", "docx": ".docx", "pdf": ".pdf", "html": ".html", "md": ".md"}
# Inputs per (family, format, seed) in the full run; the fast subset takes one per
# (family, format). The expensive families (huge paragraphs, dense PDFs, many blocks) stay few.
PER_SEED = {"identity": 1, "truncate": 10, "byte_flip": 16, "splice": 6, "format_confusion": 4, "zip_entry": 44,
            "content_types": 8, "xml_break": 10, "span_bomb": 6, "deep_nesting": 4, "huge_paragraph": 1,
            "many_blocks": 2, "encoding": 12, "charset_decl": 16, "unicode_noise": 5, "pdf_struct": 32}
# Cheap enough for `make test` (one input each), most expensive first excluded.
FAST_SKIP = {("huge_paragraph", "pdf"), ("huge_paragraph", "docx"), ("huge_paragraph", "html"),
             ("huge_paragraph", "md"), ("many_blocks", "docx"), ("many_blocks", "html")}


@dataclass
class Input:
    name: str  # family-format-seed-k
    family: str
    fmt: str
    filename: str
    data: bytes


_BASES: dict[tuple[int, str], bytes] = {}


def base(seed_index: int, fmt: str, tmp: Path) -> bytes:
    """The seed rendered as a real file of that format (cached per process)."""
    key = (seed_index, fmt)
    if key not in _BASES:
        seed = SEEDS[seed_index]
        if fmt == "txt":
            _BASES[key] = seed.read_bytes()
        else:
            out = tmp / f"{seed.stem}{SUFFIX[fmt]}"
            {"docx": seed_to_docx, "pdf": seed_to_pdf, "html": seed_to_html, "md": seed_to_md}[fmt](seed, out)
            _BASES[key] = out.read_bytes()
    return _BASES[key]


def build_one(family: str, fmt: str, seed_index: int, k: int, tmp: Path) -> Input:
    name = f"{family}-{fmt}-{seed_index}-{k}"
    rng = random.Random(int(hashlib.sha256(name.encode()).hexdigest()[:16], 16))
    formats, fn = FAMILIES[family]
    assert fmt in formats, name
    seed_text = SEEDS[seed_index].read_text(encoding="utf-8")
    data = fn(rng, base(seed_index, fmt, tmp), fmt, seed_text)
    return Input(name, family, fmt, f"{name}{SUFFIX[fmt]}", data)


def plan(full: bool = True, scale: float = 1.0) -> list[tuple[str, str, int, int]]:
    """(family, format, seed, k) of every input: the full run, or the fast subset."""
    out = []
    for family, (formats, _fn) in FAMILIES.items():
        for fmt in formats:
            if not full:
                if (family, fmt) not in FAST_SKIP:
                    out.append((family, fmt, (len(out) % len(SEEDS)), 0))
                continue
            n = max(1, round(PER_SEED[family] * scale)) if family != "identity" else 1
            for seed_index in range(len(SEEDS)):
                if family == "huge_paragraph" and seed_index > 1:
                    continue  # two per format: each costs about a minute
                out.extend((family, fmt, seed_index, k) for k in range(n))
    return out


def write(items: list[tuple[str, str, int, int]], out_dir: Path) -> list[tuple[Input, Path]]:
    """Build and write every planned input; returns (input, path) pairs (data dropped)."""
    import warnings

    warnings.filterwarnings("ignore", "Duplicate name", UserWarning)  # zip_entry writes duplicates on purpose
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / "_bases"
    tmp.mkdir(exist_ok=True)
    written = []
    for family, fmt, seed_index, k in items:
        item = build_one(family, fmt, seed_index, k, tmp)
        path = out_dir / item.filename
        path.write_bytes(item.data)
        item.data = b""
        written.append((item, path))
    return written
