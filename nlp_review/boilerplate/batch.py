"""`nlp-review batch` support: the batch's own reports join the commonness index, and
each report is compared with the same agency's previous year when that report is in
the batch too (`analytics/pairs.py` decides the pairs: `Publisher.key` and year).

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
from typing import Callable

from ..doc import Doc
from .text import fingerprint, split_sentences

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
    from ..analytics.pairs import pair_consecutive_years, year_report
    from ..errors import ModelError
    from .index import indexable
    from .model import get_model

    try:
        model = get_model()
    except ModelError as e:  # no commonness index; last year's reports are still paired
        print(f"nlp-review: 套话与雷同检查不可用：{e}", file=sys.stderr)
        model = None
    index = model.index.copy() if model is not None else None
    keys: dict[Path, str] = {}
    years = []
    for path in files:
        try:
            doc = _light_doc(path)
        except Exception:  # noqa: BLE001 — unreadable files are reported by the review itself
            continue
        rel = str(path.relative_to(root))
        years.append(year_report(path, doc.text, doc.title, path.name, doc.year))
        if index is None:
            continue
        key = KEY_PREFIX + rel
        keys[path] = key
        index.add_doc({"key": key, "agency": doc.agency, "year": doc.year, "file": rel,
                       "fingerprint": fingerprint(doc.text)},
                      [s for s in _narrative_sentences(doc) if indexable(s, model.lexicon.statutory_share)])
    pairing = pair_consecutive_years(years)  # the same agency's consecutive years (analytics/pairs.py)
    cache: OrderedDict[Path, Doc] = OrderedDict()
    given_previous = getattr(options, "previous", None)

    def before_each(path: Path, opts) -> None:
        if index is not None:
            opts.extra["boilerplate_index"] = index
            opts.extra["boilerplate_self"] = keys.get(path)
        prev_path = pairing.previous_of(path)
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
