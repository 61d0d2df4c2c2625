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

import concurrent.futures as cf
import itertools
import multiprocessing as mp
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

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
    """A process pool on this machine; each worker loads the models once (`work.init`).

    `concurrent.futures.ProcessPoolExecutor`, not `multiprocessing.Pool`: when a worker dies in a
    task (a crash in a reader's C library, the kernel's OOM killer) the former breaks — every
    task in flight fails at once — where the latter waits forever for the dead worker's task.
    Each task leaves a marker file named after its worker's pid while it runs; after a break the
    task whose worker died first (its marker is the one left: the others' workers remove theirs
    when the pool terminates them) goes to `on_lost`, the pool is started again and the other
    tasks in flight run again."""

    def __init__(self, workers: int, options: dict):
        import tempfile

        self.workers, self.options = workers, options
        self.markers = Path(tempfile.mkdtemp(prefix="nlp-review-batch-"))
        self._seq = itertools.count()
        self.pool: Optional[cf.ProcessPoolExecutor] = None
        self._start()

    def _start(self) -> None:
        ctx = mp.get_context("spawn")  # not fork: the caller may hold threads and their locks (pytest, a service)
        ready = ctx.Value("i", 0)
        self.pool = cf.ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                           initargs=(self.options, str(self.markers), ready))
        # a spawned pool starts a worker per task submitted while none is idle: one short task
        # each starts them all, from this thread (PR_SET_PDEATHSIG follows the thread that forks)
        warm = [self.pool.submit(time.sleep, 0.2) for _ in range(self.workers)]
        deadline = time.monotonic() + 900
        while ready.value < self.workers:  # every worker has its models before the clock starts
            if time.monotonic() > deadline or any(f.done() and f.exception() for f in warm):
                self.close(abort=True)
                raise RuntimeError("批量审查的工作进程未能在 15 分钟内加载模型")
            time.sleep(0.05)

    def map(self, fn: Callable, tasks: Iterable, window: Optional[int] = None,
            on_lost: Optional[Callable] = None) -> Iterator:
        """fn over tasks, results in completion order, at most `window` tasks in flight
        (tasks carry Docs: the main process never holds more than a window of them). A task
        whose worker died yields `on_lost(task)`, or raises when there is no `on_lost`."""
        window = window or 4 * self.workers
        source = iter(tasks)
        again: list = []  # tasks cut short by another task's crash, to run again first
        inflight: dict[cf.Future, tuple[int, Any]] = {}
        restarts_without_culprit = 0
        while True:
            while len(inflight) < window:
                if again:
                    task = again.pop()
                else:
                    task = next(source, _END)
                    if task is _END:
                        break
                seq = next(self._seq)
                inflight[self.pool.submit(_marked, seq, fn, task)] = (seq, task)
            if not inflight:
                return
            done, _ = cf.wait(inflight, return_when=cf.FIRST_COMPLETED)
            broken = [f for f in done if isinstance(f.exception(), cf.process.BrokenProcessPool)]
            for f in done:
                if f not in broken:
                    inflight.pop(f)
                    yield _result(f.result()[1])
            if not broken:
                continue
            cf.wait(inflight)  # a broken pool fails every task in flight
            cut = list(inflight.values())
            inflight.clear()
            # the broken pool terminates its other workers (SIGTERM: they remove their markers);
            # once they are gone, the markers left name the tasks whose worker died in them
            self.pool.shutdown(wait=True)
            self.pool = None
            lost = self._left_markers()
            self._start()
            culprits = [task for seq, task in cut if seq in lost]
            again.extend(task for seq, task in reversed(cut) if seq not in lost)
            restarts_without_culprit = 0 if culprits else restarts_without_culprit + 1
            if restarts_without_culprit > 2:
                raise RuntimeError("批量审查的工作进程反复意外退出，无法继续。")
            for task in culprits:
                if on_lost is None:
                    raise RuntimeError("批量审查的一个工作进程意外退出，其任务无法完成。")
                yield on_lost(task)

    def _left_markers(self) -> set[int]:
        """The tasks whose markers are left behind (their worker died in them); cleared."""
        out = set()
        for marker in self.markers.iterdir():
            try:
                out.add(int(marker.read_text()))
            except (ValueError, OSError):
                pass
            marker.unlink(missing_ok=True)
        return out

    def steps(self, folder: Path) -> LocalSteps:
        return LocalSteps(folder, lambda fn, items: self.map(fn, items))

    def processes(self) -> list:
        """The worker processes now (for benches)."""
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def _shutdown(self, abort: bool) -> None:
        if self.pool is None:
            return
        procs = self.processes()
        if abort:
            for p in procs:  # a batch interrupted: stop now, not after the tasks in flight
                if p.is_alive():
                    p.kill()
        self.pool.shutdown(wait=True, cancel_futures=abort)
        self.pool = None

    def close(self, abort: bool = False) -> None:
        self._shutdown(abort)
        shutil.rmtree(self.markers, ignore_errors=True)


_END = object()
_MARKER: dict[str, Path] = {}


def _init_worker(options: dict, markers: str, ready) -> None:
    work.init(options, die_with_parent=True)
    _MARKER["path"] = Path(markers) / str(os.getpid())
    # terminated with the others after one worker died: not this worker's task that crashed
    signal.signal(signal.SIGTERM, _forget_marker_and_exit)
    with ready.get_lock():
        ready.value += 1


def _forget_marker_and_exit(_sig, _frame) -> None:
    if "path" in _MARKER:
        _MARKER["path"].unlink(missing_ok=True)
    os._exit(1)


def _marked(seq: int, fn: Callable, task):
    """In a pool worker: (seq, fn(task)) with this worker's marker naming the task it runs."""
    marker = _MARKER["path"]  # set by _init_worker
    marker.write_text(str(seq))
    try:
        return seq, fn(task)
    except Exception as e:  # noqa: BLE001 — handed to the caller, who raises it
        return seq, e
    finally:
        marker.unlink(missing_ok=True)


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
            for res in executor.map(work.read_file, ({"rel": f.rel, "loc": f.loc} for f in to_read),
                                    on_lost=work.lost_read):
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
            for res in executor.map(work.finish_review, tasks(), on_lost=work.lost_review):
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
