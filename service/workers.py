"""The service's review worker processes: owned, watched and replaced by the server.

Each worker is `python -m service.workers FD PARENT_PID ADDRESS_SPACE_MB`, a child of the
server in the server's process group, talking over a socketpair (pickled messages). It
loads every model once (a warm-up review), then caps its own address space (RLIMIT_AS
at `Limits.address_space_mb`) and serves one job at a time.

The server side (`WorkerPool`) has one thread per worker slot. While a job runs, the slot
polls the worker's resident memory and the clock (`nlp_review.guard.Watch`): a worker over
`Limits.max_rss_mb` or past `Limits.timeout_s` is killed, the job ends with the Chinese
`InputError` ("memory_limit" → HTTP 413, "timeout" → 422), and a fresh worker takes the
slot; a worker that dies on its own ends its job with "review_crashed" (422). Other jobs
and the server are not affected. After a job, a worker whose resident memory has grown
above `RECYCLE_FRACTION` of the budget is replaced before it takes the next one.

Workers never outlive the server: they die with it (PR_SET_PDEATHSIG, and EOF on the
socket between jobs), ignore SIGINT (Ctrl-C reaches the whole foreground process group;
the server decides), and `WorkerPool.stop()` — called on SIGTERM/SIGINT before uvicorn's
own shutdown — kills busy workers at once, so the server stops within seconds even
mid-review (the interrupted requests get 503).
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from nlp_review.guard import (Limits, Watch, crashed_error, die_with_parent, limit_address_space, outcome, rss_bytes,
                              unwrap)

log = logging.getLogger("nlp_review.service")
ROOT = Path(__file__).resolve().parents[1]
POLL_S = 0.02
RECYCLE_FRACTION = 0.85
START_TIMEOUT_S = 600  # loading the models on a busy machine


class ServiceStopping(Exception):
    """The server is shutting down: the job was not (or not fully) run."""


class WorkerUnavailable(Exception):
    """A worker process could not be started (the job was not run)."""


class _Job:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args
        self.future: cf.Future = cf.Future()


class _Slot:
    """One worker process and the thread that feeds and watches it."""

    def __init__(self, pool: "WorkerPool", index: int):
        self.pool, self.index = pool, index
        self.proc: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self.baseline_rss = 0
        self.thread = threading.Thread(target=self._run, name=f"review-worker-{index}", daemon=True)

    # --- worker lifecycle -------------------------------------------------------------
    def start_worker(self) -> bool:
        parent_sock, child_sock = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p)}
        cmd = [sys.executable, "-m", "service.workers", str(child_sock.fileno()), str(os.getpid()),
               str(self.pool.limits.address_space_mb)]
        try:
            # started from this slot's thread, which lives as long as the worker should
            # (PR_SET_PDEATHSIG follows the thread that forked)
            self.proc = subprocess.Popen(cmd, pass_fds=[child_sock.fileno()], stdin=subprocess.DEVNULL,
                                         cwd=str(ROOT), env=env)
        finally:
            child_sock.close()
        self.conn = Connection(parent_sock.detach())
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and not self.pool.stopping.is_set():
            if self.conn.poll(0.1):
                try:
                    msg = self.conn.recv()
                except (EOFError, OSError):
                    break
                if msg and msg[0] == "ready":
                    self.baseline_rss = rss_bytes(self.proc.pid)
                    log.info("review worker %d ready (pid %d, %.0f MB)", self.index, self.proc.pid,
                             self.baseline_rss / 2**20)
                    return True
            if self.proc.poll() is not None:
                break
        log.error("review worker %d did not start", self.index)
        self.kill_worker()
        return False

    def kill_worker(self, grace_s: float = 0.0) -> None:
        proc, conn = self.proc, self.conn
        self.proc = self.conn = None
        if conn is not None:
            try:
                conn.close()  # an idle worker exits on EOF
            except OSError:
                pass
        if proc is None:
            return
        try:
            proc.wait(grace_s) if grace_s else None
        except subprocess.TimeoutExpired:
            pass
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores SIGKILL
            log.error("review worker pid %d did not exit", proc.pid)

    # --- the slot's thread --------------------------------------------------------------
    def _run(self) -> None:
        pool = self.pool
        backoff = 1.0
        while not pool.stopping.is_set():
            if self.proc is None:
                if not self.start_worker():
                    try:  # a waiting request gets an answer instead of waiting for the next try
                        job = pool.jobs.get_nowait()
                        if job is not None and job.future.set_running_or_notify_cancel():
                            job.future.set_exception(WorkerUnavailable())
                    except queue.Empty:
                        pass
                    pool.stopping.wait(backoff)
                    backoff = min(backoff * 2, 60)
                    continue
                backoff = 1.0
            try:
                job = pool.jobs.get(timeout=0.2)
            except queue.Empty:
                if self.proc is not None and self.proc.poll() is not None and not pool.stopping.is_set():
                    log.warning("idle review worker %d exited (status %s)", self.index, self.proc.returncode)
                    self.kill_worker()
                continue
            if job is None or not job.future.set_running_or_notify_cancel():
                continue
            try:
                job.future.set_result(self._execute(job))
            except BaseException as e:  # noqa: BLE001 - every outcome goes to the waiting request
                job.future.set_exception(e)
            if self.proc is not None and rss_bytes(self.proc.pid) > RECYCLE_FRACTION * pool.limits.max_rss_mb * 2**20:
                log.info("review worker %d recycled (resident memory grew)", self.index)
                self.kill_worker(grace_s=2)
        self.kill_worker()

    def _execute(self, job: _Job):
        pool = self.pool
        try:
            self.conn.send((job.fn, job.args))
        except (OSError, ValueError) as e:
            self.kill_worker()
            raise crashed_error(f"send failed: {e}")
        watch = Watch(self.proc.pid, pool.limits)
        while True:
            if pool.stopping.is_set():
                self.kill_worker()
                raise ServiceStopping()
            try:
                if self.conn.poll(POLL_S):
                    kind, payload = self.conn.recv()
                    break
            except (EOFError, OSError):
                status = self.proc.wait(5) if self.proc else None
                self.kill_worker()
                if pool.stopping.is_set():  # stop() killed it: the request is cut short, not crashed
                    raise ServiceStopping()
                if status == -signal.SIGKILL and watch.peak_rss > 0.8 * pool.limits.max_rss_mb * 2**20:
                    raise pool.limits.memory_error()
                raise crashed_error(f"worker exited with status {status}")
            stop = watch.overrun()
            if stop is not None:
                log.warning("review worker %d stopped: %s", self.index, stop.detail)
                self.kill_worker()
                raise stop
        if kind == "memory":
            self.kill_worker()
        elif kind == "exception":
            log.error("review failed in worker %d: %s", self.index, payload[2])
        return unwrap(kind, payload, pool.limits)


class WorkerPool:
    """`size` review worker processes; `submit(fn, *args)` runs fn(*args) in one of them."""

    def __init__(self, size: int, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.jobs: queue.Queue = queue.Queue()
        self.stopping = threading.Event()
        self.slots = [_Slot(self, i) for i in range(max(1, size))]
        for slot in self.slots:
            slot.thread.start()

    def submit(self, fn, *args) -> cf.Future:
        job = _Job(fn, args)
        if self.stopping.is_set():
            job.future.set_exception(ServiceStopping())
        else:
            self.jobs.put(job)
        return job.future

    def pids(self) -> list[int]:
        return [s.proc.pid for s in self.slots if s.proc is not None and s.proc.poll() is None]

    def stop(self, wait: bool = False) -> None:
        """Stop now: busy workers are killed, idle ones get EOF; queued jobs fail with
        ServiceStopping. Safe to call from a signal handler (no blocking unless `wait`)."""
        self.stopping.set()
        for slot in self.slots:
            proc = slot.proc
            if proc is not None and proc.poll() is None:
                try:
                    proc.send_signal(signal.SIGKILL)
                except OSError:
                    pass
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None and job.future.set_running_or_notify_cancel():
                job.future.set_exception(ServiceStopping())
        if wait:
            for slot in self.slots:
                slot.thread.join(10)


# --- the worker process ---------------------------------------------------------------------


def _warm() -> None:
    """Load every model once: a review of a small report."""
    from nlp_review.pipeline import review_text

    sample = ROOT / "samples" / "sample_report.txt"
    try:
        review_text(sample.read_text(encoding="utf-8") if sample.is_file() else "一、总体情况\n预热。")
    except Exception:  # noqa: BLE001 - warming is best effort: a missing model is each review's 503
        log.exception("warm-up review failed")


def worker_main(fd: int, parent: int, address_space_mb: float) -> None:
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(fd)
    _warm()
    limit_address_space(address_space_mb)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        res = outcome(fn, args)
        try:
            conn.send(res)
        except MemoryError:
            conn.send(("memory", None))
        except (pickle.PicklingError, TypeError) as e:
            conn.send(("exception", (type(e).__name__, str(e), "")))
        if res[0] == "memory":
            os._exit(0)  # its heap may be fragmented or half-built: a fresh worker replaces it


if __name__ == "__main__":
    worker_main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
