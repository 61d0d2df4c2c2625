"""What a batch worker does, locally (a process of the pool) or on Ray (an actor): load the
models once (`init`), read each file once (`read_file`: bytes → sha256 → ingestion → the
`previous_year` components: sections, report_guard, tables, sentences), and later finish
its review from that same Doc (`finish_review`: claims, elements, boilerplate, checks,
scores) once the batch's near-copies are known.

Between the two the Doc waits in the work folder, pickled; the spaCy paragraph docs it
holds (`doc.tokens`) are stored as `spacy.tokens.Doc.to_bytes()` without the vocabulary
and rebuilt on the worker's own vocabulary (`dumps_doc` / `loads_doc`).
"""
from __future__ import annotations

import hashlib
import io
import json
import pickle
import time
import zlib
from pathlib import PurePath
from typing import Any, Optional

from ..errors import InputError

FIRST = "previous_year"  # what the first pass runs: exactly what last year's report needs
_STATE: dict[str, Any] = {}


# ----------------------------------------------------------------------------- setup
def init(options: dict, die_with_parent: bool = False) -> None:
    """Per worker: the options and every model loaded (one short review does it); then each
    file's review runs under the per-review budget (`guard.TaskGuard`: options["limits"], else
    the NLP_REVIEW_* environment), with the address space capped in a local pool worker."""
    from ..guard import Limits, TaskGuard
    from ..pipeline import Options, review_text

    if die_with_parent:
        _die_with_parent()
    _STATE["options"] = options
    limits = Limits().overridden(**(options.get("limits") or {}))
    warm = "\n".join(f"{n}、{h}\n本机关全年主动公开政府信息120条，收到申请3件。" for n, h in
                     zip("一二三四五六", ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                                          "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项")))
    try:
        review_text("某某县人民政府2024年政府信息公开工作年度报告\n" + warm, "warm.txt", Options())
    except Exception:  # noqa: BLE001 — a missing model is reported by each review, not here
        pass
    guard = TaskGuard(limits)
    if die_with_parent and guard.active:  # a process of our own pool (a Ray actor maps Ray's object store)
        guard.cap_address_space()
    _STATE["guard"] = guard


def _guarded(fn, *args):
    """fn(*args) under this worker's per-review budget (unguarded where `init` did not run)."""
    guard = _STATE.get("guard")
    return guard.run(fn, *args) if guard is not None else fn(*args)


def _die_with_parent() -> None:
    """A pool worker ends when the batch process does, even after kill -9 of it (Linux)."""
    import ctypes
    import os
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl
        os._exit(1)


def _rest() -> list[str]:
    """The review's components after those of pass one."""
    from ..pipeline import Pipeline

    if "rest" not in _STATE:
        _STATE["rest"] = [c.name for c, _ in Pipeline.preset("review").steps
                          if c.name not in Pipeline.preset(FIRST).names]
    return _STATE["rest"]


def make_options():
    from ..pipeline import Options

    o = _STATE.get("options") or {}
    return Options(min_confidence=o.get("min_confidence", 0.0) or 0.0,
                   disabled_rules=frozenset(o.get("disabled_rules") or ()))


# ----------------------------------------------------------------------------- Doc storage
class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        from spacy.tokens import Doc as SpacyDoc

        if isinstance(obj, SpacyDoc):
            return ("spacy", obj.to_bytes(exclude=["user_data", "tensor"]))
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        kind, data = pid
        if kind != "spacy":
            raise pickle.UnpicklingError(kind)
        from spacy.tokens import Doc as SpacyDoc

        from ..structure.sentences import get_nlp

        return SpacyDoc(get_nlp().vocab).from_bytes(data)


def dumps_doc(doc) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=5).dump(doc)
    return zlib.compress(buf.getvalue(), 3)


def loads_doc(blob: bytes):
    return _Unpickler(io.BytesIO(zlib.decompress(blob))).load()


# ----------------------------------------------------------------------------- pass one
def read_bytes(loc: str) -> bytes:
    """A local path, or a URI pyarrow can open (s3://, gs://, hdfs://, file://)."""
    if "://" in loc:
        from pyarrow import fs

        from .inputs import storage_uri

        filesystem, path = fs.FileSystem.from_uri(storage_uri(loc))
        with filesystem.open_input_stream(path) as fh:
            return fh.read()
    with open(loc, "rb") as fh:
        return fh.read()


def near_copy_sentences(doc) -> tuple[list[str], list[str]]:
    """(indexed, queried) sentences of sections one and five: what the batch index adds
    (boilerplate/batch.py before: the plain sentence split, statutory wording left out,
    one per comparison form) and what the boilerplate component will ask it."""
    from ..boilerplate.component import SECTIONS, section_sentences
    from ..boilerplate.index import indexable
    from ..boilerplate.model import get_model
    from ..boilerplate.text import is_heading, norm, split_sentences

    model = get_model()
    share = model.lexicon.statutory_share
    index, seen = [], set()
    for n in SECTIONS:
        t = doc.section_text(n)
        for a, b in split_sentences(t):
            s = t[a:b]
            if not indexable(s, share):
                continue
            k = norm(s)
            if k not in seen:
                seen.add(k)
                index.append(s)
    query = []
    for n in SECTIONS:
        for sp in section_sentences(doc, n):
            s = doc.text[sp.start:sp.end]
            if len(norm(s)) < model.config["min_judged_chars"] or is_heading(s) or not indexable(s):
                continue
            if share(s) < model.config["statutory_exempt"]:
                query.append(s)
    return index, list(dict.fromkeys(query))


def read_file(task: dict) -> dict:
    """Pass one over one file. Never raises: an unreadable file comes back as an error."""
    rel = task["rel"]
    out: dict[str, Any] = {"rel": rel, "sha": None}
    t0 = time.perf_counter()
    try:
        data = read_bytes(task["loc"])
        out["sha"] = hashlib.sha256(data).hexdigest()
    except InputError as e:
        return {**out, "status": "error", "error": e.to_json()}
    except OSError as e:
        return {**out, "status": "error", "error": _unreadable(e)}
    try:
        return _guarded(_first_pass, task, data, dict(out), t0)
    except InputError as e:  # over the per-review budget
        return {**out, "status": "error", "error": e.to_json()}


def _first_pass(task: dict, data: bytes, out: dict, t0: float) -> dict:
    from ..analytics.pairs import year_report
    from ..errors import ModelError
    from ..ingest import load_bytes
    from ..pipeline import Pipeline

    rel = task["rel"]
    try:
        doc = load_bytes(data, PurePath(task["loc"]).name)
        Pipeline.preset(FIRST).run(doc, None)
    except InputError as e:
        return {**out, "status": "error", "error": e.to_json()}
    except OSError as e:
        return {**out, "status": "error", "error": _unreadable(e)}
    except MemoryError:
        raise  # over the address-space cap: the guard's "memory_limit"
    except Exception as e:  # noqa: BLE001 — one bad file must not stop a national batch
        return {**out, "status": "error", "error": _internal(e)}
    # who and which year, for pairing the same agency's consecutive years (analytics/pairs.py)
    who = year_report(rel, doc.text, doc.title, PurePath(task["loc"]).name, doc.year)
    out.update(status="ok", meta={"key": "batch:" + rel, "agency": doc.agency, "year": doc.year, "file": rel,
                                  "fingerprint": who.fingerprint},
               agency_key=who.key, year=who.year, index=[], query=[])
    try:
        out["index"], out["query"] = near_copy_sentences(doc)
    except ModelError:
        pass  # no boilerplate model: the review says so itself
    out["doc"] = dumps_doc(doc)
    out["ms"] = (time.perf_counter() - t0) * 1000
    return out


def _unreadable(e: OSError) -> dict:
    return {"error": "unreadable", "message": f"无法读取文件：{e.strerror or e}"}


def _crashed() -> dict:
    from ..guard import crashed_error

    return crashed_error("batch worker died").to_json()


def lost_read(task: dict) -> dict:
    """read_file's answer for a file whose worker died on it (a crash in a reader's C library,
    the kernel's OOM killer): an error row, never a batch that waits forever."""
    return {"rel": task["rel"], "sha": None, "status": "error", "error": _crashed()}


def lost_review(task: dict) -> dict:
    """finish_review's answer for a report whose worker died on it."""
    return {"rel": task["rel"], "sha": task["sha"], "status": "error", "error": _crashed()}


def _internal(e: Exception) -> dict:
    return {"error": "internal", "message": f"内部错误（{type(e).__name__}: {e}），请将该文件反馈给开发者。"}


# ----------------------------------------------------------------------------- pass two
class PrecomputedMatches:
    """Stands in for the commonness index in `options.extra["boilerplate_index"]`: the
    near-copies the map-reduce found for this report's sentences, answered as
    `CommonIndex.query` would (the caller's exclusions, most similar first)."""

    def __init__(self, matches: dict[str, list[tuple[dict, str, float]]]):
        self.matches = matches

    def query(self, sentence: str, exclude=None, min_similarity: float | None = None):
        from ..boilerplate.index import Match

        out = [Match(meta, text, sim) for meta, text, sim in self.matches.get(sentence, ())
               if (exclude is None or not exclude(meta)) and (min_similarity is None or sim >= min_similarity)]
        out.sort(key=lambda m: (-m.similarity, str(m.doc.get("key"))))
        return out


def finish_review(task: dict) -> dict:
    """Pass two: the rest of the review on the Doc of pass one; the JSONL line and CSV row."""
    try:
        return _guarded(_second_pass, task)
    except InputError as e:  # over the per-review budget
        return {"rel": task["rel"], "sha": task["sha"], "status": "error", "error": e.to_json()}


def _second_pass(task: dict) -> dict:
    from ..pipeline import Pipeline
    from ..report import to_contract
    from .journal import summary_row

    rel, sha = task["rel"], task["sha"]
    t0 = time.perf_counter()
    try:
        doc = loads_doc(task["doc"])
        options = make_options()
        if task.get("prev") is not None:
            options.previous = loads_doc(task["prev"])
        elif task.get("prev_loc"):  # last year's Doc is no longer in the work folder
            options.previous = _read_previous(task["prev_loc"])
        if task.get("matches") is not None:
            options.extra["boilerplate_index"] = PrecomputedMatches(task["matches"])
            options.extra["boilerplate_self"] = "batch:" + rel
        Pipeline.preset("review").run(doc, options, only=_rest())
        doc.timing_ms = round(task.get("ms", 0.0) + (time.perf_counter() - t0) * 1000, 1)
        result = to_contract(doc)
        result["source"]["path"] = rel
    except InputError as e:
        return {"rel": rel, "sha": sha, "status": "error", "error": e.to_json()}
    except MemoryError:
        raise  # over the address-space cap: the guard's "memory_limit"
    except Exception as e:  # noqa: BLE001
        return {"rel": rel, "sha": sha, "status": "error", "error": _internal(e)}
    line = json.dumps(result, ensure_ascii=False).encode("utf-8") + b"\n"
    return {"rel": rel, "sha": sha, "status": "ok", "line": line, "row": summary_row(result)}


def _read_previous(loc: str):
    from ..ingest import load_bytes
    from ..pipeline import Pipeline

    try:
        doc = load_bytes(read_bytes(loc), PurePath(loc).name)
        return Pipeline.preset(FIRST).run(doc, None)
    except Exception:  # noqa: BLE001 — last year unreadable: no year-over-year comparison
        return None
