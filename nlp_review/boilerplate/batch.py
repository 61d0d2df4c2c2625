"""`nlp-review batch` support: the batch's own reports join the commonness index, and
each report is compared with the same agency's previous year when that report is in
the batch too.

`prepare_batch(files, root, options, read_previous)` runs once before the batch (a light
pass: read, find the sections, split sentences; no spaCy, no checks) and returns
`before_each(path, options)`, which the batch loop calls before reviewing each file:
it points `options.extra` at the batch index and this file's key in it, and sets
`options.previous` to last year's report of the same agency (or None), read with
`read_previous(path)` (the caller's `pipeline.previous_path`).
"""
from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Optional

from ..doc import Doc
from .text import fingerprint, norm, split_sentences

KEY_PREFIX = "batch:"


def _light_doc(path: Path) -> Doc:
    from ..ingest import load_path
    from ..structure.sections import detect_sections

    doc = load_path(path)
    detect_sections(doc)
    return doc


def _narrative_sentences(doc: Doc) -> list[str]:
    out = []
    for n in (1, 5):
        t = doc.section_text(n)
        out.extend(t[a:b] for a, b in split_sentences(t))
    return out


def prepare_batch(files: list[Path], root: Path, options,
                  read_previous: Callable[[Path], Doc]) -> Callable[[Path, object], None]:
    from ..errors import ModelError
    from .index import indexable
    from .model import get_model

    try:
        model = get_model()
    except ModelError as e:
        print(f"nlp-review: 套话与雷同检查不可用：{e}", file=sys.stderr)
        return lambda path, opts: None
    index = model.index.copy()
    keys: dict[Path, str] = {}
    by_agency_year: dict[tuple[str, int], Path] = {}
    meta: dict[Path, tuple[Optional[str], Optional[int]]] = {}
    for path in files:
        try:
            doc = _light_doc(path)
        except Exception:  # noqa: BLE001 — unreadable files are reported by the review itself
            continue
        rel = str(path.relative_to(root))
        key = KEY_PREFIX + rel
        keys[path] = key
        index.add_doc({"key": key, "agency": doc.agency, "year": doc.year, "file": rel,
                       "fingerprint": fingerprint(doc.text)},
                      [s for s in _narrative_sentences(doc) if indexable(s, model.lexicon.statutory_share)])
        meta[path] = (doc.agency, doc.year)
        if doc.agency and doc.year:
            by_agency_year.setdefault((norm(doc.agency), doc.year), path)
    cache: OrderedDict[Path, Doc] = OrderedDict()
    given_previous = getattr(options, "previous", None)

    def before_each(path: Path, opts) -> None:
        opts.extra["boilerplate_index"] = index
        opts.extra["boilerplate_self"] = keys.get(path)
        agency, year = meta.get(path, (None, None))
        prev_path = by_agency_year.get((norm(agency), year - 1)) if agency and year else None
        if prev_path is None:
            opts.previous = given_previous
            return
        if prev_path not in cache:
            try:
                cache[prev_path] = read_previous(prev_path)
            except Exception:  # noqa: BLE001
                opts.previous = given_previous
                return
            while len(cache) > 8:
                cache.popitem(last=False)
        opts.previous = cache[prev_path]

    return before_each
