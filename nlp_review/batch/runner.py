"""The batch, stage by stage, on an executor (`LocalExecutor`: a process pool on this
machine; `ray_run.RayExecutor`: actors and tasks on a Ray cluster):

1. read: every new file once (`work.read_file`), its Doc kept in the work folder;
2. near-copies: the map-reduce of `nearcopy.py` over the corpus and every report of the
   batch, for the reports still to review; the same agency's consecutive years paired
   (`analytics/pairs.py`: agency key and year, as `read_file` found them);
3. review: the rest of each review from its Doc (`work.finish_review`), streamed to the
   output in completion order (`journal.BatchOutput`), fsync'd every `CHECKPOINT_S`.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from ..analytics.pairs import YearReport, pair_consecutive_years
from . import work
from .inputs import InputFile
from .journal import BatchOutput
from .nearcopy import STAGES, LocalSteps, ReportSentences, near_copies
from .store import WorkStore, fingerprint_set

CHECKPOINT_S = 2.0
CHUNK_REPORTS = 2000  # reports per near-copy chunk: ≈ 60k sentences, ≈ 100 MB per step


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


class LocalExecutor:
    """A process pool; each worker loads the models once (`work.init`)."""

    def __init__(self, workers: int, options: dict):
        self.workers = workers
        ctx = mp.get_context("spawn")  # not fork: the caller may hold threads and their locks (pytest, a service)
        ready = ctx.Value("i", 0)
        self.pool = ctx.Pool(workers, initializer=_init_worker, initargs=(options, ready))
        deadline = time.monotonic() + 900
        while ready.value < workers:  # every worker has its models before the clock starts
            if time.monotonic() > deadline:
                self.close(abort=True)
                raise RuntimeError("批量审查的工作进程未能在 15 分钟内加载模型")
            time.sleep(0.05)

    def map(self, fn: Callable, tasks: Iterable, window: Optional[int] = None) -> Iterator:
        """fn over tasks, results in completion order, at most `window` tasks in flight
        (tasks carry Docs: the main process never holds more than a window of them)."""
        window = window or 4 * self.workers
        done: queue.Queue = queue.Queue()
        inflight = 0
        for task in tasks:
            while inflight >= window:
                yield _result(done.get())
                inflight -= 1
            self.pool.apply_async(fn, (task,), callback=done.put, error_callback=done.put)
            inflight += 1
        while inflight:
            yield _result(done.get())
            inflight -= 1

    def steps(self, folder: Path) -> LocalSteps:
        return LocalSteps(folder, lambda fn, items: self.map(fn, items))

    def close(self, abort: bool = False) -> None:
        if abort:
            self.pool.terminate()
        else:
            self.pool.close()
        self.pool.join()


def _init_worker(options: dict, ready) -> None:
    work.init(options, die_with_parent=True)
    with ready.get_lock():
        ready.value += 1


def _result(x):
    if isinstance(x, BaseException):
        raise x
    return x


@dataclass
class Summary:
    reviewed: int = 0
    errors: int = 0
    skipped: int = 0
    repaired: int = 0
    seconds: dict = field(default_factory=dict)


def run_batch(files: list[InputFile], out: Path, csv_path: Optional[Path], options: dict, executor_factory,
              work_dir: Optional[Path] = None, show_progress: bool = False,
              chunk_reports: int = CHUNK_REPORTS) -> Summary:
    from tqdm import tqdm

    def bar(total, desc):
        return tqdm(total=total, desc=desc, unit="份", disable=not show_progress, file=sys.stderr)

    summary = Summary()
    output = BatchOutput(out, csv_path)
    done = output.open()
    summary.repaired = output.repaired
    done_at_start = set(done)
    store = WorkStore(work_dir or out.with_name(out.name + ".work"))
    executor = None
    try:
        known = store.known()
        by_rel = {f.rel: f for f in files}
        store.forget([rel for rel in known if rel not in by_rel])  # no longer part of the batch
        to_read = []
        for f in files:
            k = known.get(f.rel)
            if k and (k[0], k[1]) == (f.size, f.mtime) and (k[3] != "ok" or k[4] or k[2] in done):
                continue
            to_read.append(f)
        t0 = time.perf_counter()
        executor = executor_factory()
        summary.seconds["load"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        # 1. read
        with bar(len(to_read), "读取") as pb:
            last = time.monotonic()
            for res in executor.map(work.read_file, ({"rel": f.rel, "loc": f.loc} for f in to_read)):
                f = by_rel[res["rel"]]
                if res["status"] == "error":
                    if res["sha"] is None or res["sha"] not in done:
                        output.add_error({"file": f.rel, "sha256": res["sha"], **res["error"]})
                        summary.errors += 1
                        if res["sha"]:
                            done.add(res["sha"])
                    store.put_file(f.rel, f.size, f.mtime, res, "error", False)
                else:
                    store.put_file(f.rel, f.size, f.mtime, res, "ok", res["sha"] not in done)
                pb.update(1)
                if time.monotonic() - last > CHECKPOINT_S:
                    store.commit()
                    output.checkpoint()
                    last = time.monotonic()
        store.commit()
        output.checkpoint()
        summary.seconds["read"] = round(time.perf_counter() - t0, 2)
        # identical files: the first by path is the report, the others are skipped
        reports, dups, seen = [], [], set()
        for r in store.reports():
            (dups if r[1] in seen else reports).append(r)
            seen.add(r[1])
        pending = [r for r in reports if r[1] not in done]
        rows = store.known()
        summary.skipped = sum(1 for f in files if f.rel in rows and rows[f.rel][2] in done_at_start) + \
            sum(1 for r in dups if r[1] not in done_at_start)
        # 2. near-copies and last year's reports
        t0 = time.perf_counter()
        matches_ready = _near_copies(store, executor, reports, pending, chunk_reports, bar, work_dir or
                                     out.with_name(out.name + ".work")) if pending else False
        summary.seconds["near_copies"] = round(time.perf_counter() - t0, 2)
        pairing = pair_consecutive_years(YearReport(rel, key, year, meta.get("fingerprint", ""), meta.get("agency"))
                                         for rel, _sha, meta, key, year, _ms in reports)
        # 3. review
        t0 = time.perf_counter()

        def tasks():
            for rel, sha, _meta, _key, _year, ms in pending:
                prev = pairing.previous_of(rel)
                task = {"rel": rel, "sha": sha, "doc": store.doc(rel), "ms": ms or 0.0,
                        "matches": store.matches(rel) if matches_ready else None}
                if prev is not None:
                    task["prev"] = store.doc(prev)
                    if task["prev"] is None:
                        task["prev_loc"] = by_rel[prev].loc
                yield task

        with bar(len(pending), "审查") as pb:
            last = time.monotonic()
            for res in executor.map(work.finish_review, tasks()):
                if res["status"] == "ok":
                    output.add_result(res["line"], res["row"])
                    summary.reviewed += 1
                else:
                    output.add_error({"file": res["rel"], "sha256": res["sha"], **res["error"]})
                    summary.errors += 1
                pb.update(1)
                if time.monotonic() - last > CHECKPOINT_S:
                    output.checkpoint()
                    last = time.monotonic()
        output.checkpoint()
        summary.seconds["review"] = round(time.perf_counter() - t0, 2)
        store.drop_docs()  # every report is reviewed: the Docs are no longer needed
        executor.close()
        executor = None
    finally:
        if executor is not None:  # interrupted: stop the workers now
            executor.close(abort=True)
        output.close()
        store.close()
    return summary


def _near_copies(store: WorkStore, executor, reports: list, pending: list, chunk_reports: int, bar,
                 folder: Path) -> bool:
    """Matches for every pending report's sentences, in the store; False without a model."""
    from ..boilerplate.model import get_model
    from ..errors import ModelError

    try:
        model = get_model()
    except ModelError:
        return False
    pending_rels = {r[0] for r in pending}
    key = fingerprint_set([(r[0], r[1]) for r in reports] + ["pending"] + sorted(pending_rels))
    if store.state("near_copies") == key:
        return True
    store.set_state("near_copies", None)
    store.clear_matches()
    rels = [r[0] for r in reports]
    metas = {i + 1: r[2] for i, r in enumerate(reports)}
    corpus_docs = model.index.docs
    corpus = (model.index.sent_doc, model.index.sent_text, model.index.sigs)

    def meta(d: int) -> dict:
        return corpus_docs[-d - 1] if d < 0 else metas[d]

    def chunks():
        for c in range(0, len(rels), chunk_reports):
            part = []
            for j, (rel, (index, query)) in enumerate(store.sentences(rels[c:c + chunk_reports])):
                part.append(ReportSentences(c + j + 1, index, query if rel in pending_rels else []))
            yield part

    steps_dir = folder / "near_copies"
    shutil.rmtree(steps_dir, ignore_errors=True)
    with bar(STAGES, "雷同比对") as pb:
        for found in near_copies(executor.steps(steps_dir), chunks(), len(rels), chunk_reports, corpus, pb):
            per_report: dict[int, dict] = {}
            for qdoc, qtext, ms in found:
                per_report.setdefault(qdoc, {})[qtext] = [(meta(d), t, sim) for d, t, sim in ms]
            for qdoc, m in per_report.items():
                store.put_matches(rels[qdoc - 1], m)
            store.commit()
    shutil.rmtree(steps_dir, ignore_errors=True)
    store.set_state("near_copies", key)
    return True
