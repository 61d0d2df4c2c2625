"""Per-review resource guard: a review runs in a child process that is stopped when it
goes over its memory or time budget, so that no input can take the machine down.

Three layers, all cgroup-free (they work in a container, under systemd or from a shell):

- the parent polls the child's resident memory (`/proc/PID/statm`) every 20 ms and kills
  it (SIGKILL) above `Limits.max_rss_mb`, or when `Limits.timeout_s` has passed;
- the child's address space is capped with RLIMIT_AS at `Limits.address_space_mb`, so an
  allocation too large or too fast for the poll fails at once with MemoryError (RLIMIT_AS
  counts virtual memory: a loaded review process maps about 1.1 GB of which 0.6 GB is
  resident — libraries, thread stacks, numpy/torch pools — so the cap must sit well above
  the resident budget; see README "Reliability and limits");
- the child dies with its parent (prctl PR_SET_PDEATHSIG), so a killed CLI or server never
  leaves a review running.

A review that goes over its budget ends with an `InputError` ("memory_limit" → 413,
"timeout" → 422 in the service; exit 2 in the CLI) and a Chinese message.

`run_guarded` (fork, for the CLI and the fuzz harness) and the service's worker pool
(`service/workers.py`, long-lived spawned workers) share these helpers; `TaskGuard` applies the
same budget file by file inside a batch worker, which is not killed per file.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import resource
import select
import signal
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import InputError, ModelError

MB = 1024 * 1024
POLL_S = 0.02
_PAGE = os.sysconf("SC_PAGE_SIZE")
_PR_SET_PDEATHSIG = 1


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


@dataclass
class Limits:
    """The budget of one review (loading and reviewing together)."""

    # Resident memory of the review process, MB (NLP_REVIEW_MAX_MEMORY_MB).
    max_rss_mb: float = field(default_factory=lambda: _env_float("NLP_REVIEW_MAX_MEMORY_MB", 1024))
    # Wall-clock seconds (NLP_REVIEW_TIMEOUT_S).
    timeout_s: float = field(default_factory=lambda: _env_float("NLP_REVIEW_TIMEOUT_S", 60))
    # RLIMIT_AS, MB (NLP_REVIEW_MAX_ADDRESS_SPACE_MB); 0 = none.
    address_space_mb: float = field(default_factory=lambda: _env_float("NLP_REVIEW_MAX_ADDRESS_SPACE_MB", 4096))

    def overridden(self, **budgets: float | None) -> "Limits":
        """These limits with the budgets given (flags, batch options) in place; None or 0 keeps one."""
        for name, value in budgets.items():
            if value:
                setattr(self, name, float(value))
        return self

    def memory_error(self) -> InputError:
        return InputError("memory_limit",
                          f"审查所需内存超过上限（{self.max_rss_mb:.0f} MB）：文件中可能有异常巨大的表格、段落或嵌套结构，"
                          "已停止审查。请检查文件内容，或拆分后重新提交。", f"rss > {self.max_rss_mb:.0f} MB")

    def timeout_error(self) -> InputError:
        return InputError("timeout",
                          f"审查超时（超过 {self.timeout_s:g} 秒）：文件可能过于复杂或已损坏，已停止审查。",
                          f"wall time > {self.timeout_s:g} s")


def crashed_error(detail: str) -> InputError:
    return InputError("review_crashed", "审查进程意外退出，文件未能完成审查。请稍后重试；如仍失败，请将文件反馈给管理员。",
                      detail)


def _statm(pid: int | str) -> tuple[int, int, int]:
    """(size, resident, shared) of a process in bytes, from /proc/PID/statm; zeros when it is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            size, resident, shared = (int(x) * _PAGE for x in fh.read().split()[:3])
        return size, resident, shared
    except (OSError, ValueError):
        return 0, 0, 0


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (0 when it is gone)."""
    return _statm(pid)[1]


def anon_rss_bytes(pid: int) -> int:
    """Anonymous resident memory of a process (resident less file-backed and shared pages):
    what a fork copies into the child's page tables. File pages the parent mapped (shared
    libraries, memory-mapped models) are not resident in a child until it touches them."""
    _size, resident, shared = _statm(pid)
    return max(0, resident - shared)


def vm_size(pid: int | str = "self") -> int:
    """Virtual memory mapped by a process (what RLIMIT_AS counts)."""
    return _statm(pid)[0]


def die_with_parent(parent_pid: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when the thread that started it exits; exit
    now if that parent is already gone (the race between fork and prctl)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watchdogs of the callers still apply
        pass
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def limit_address_space(limit_mb: float, inherited: int = 0) -> None:
    """RLIMIT_AS for this process: `limit_mb` on top of `inherited` (what a forked child
    already maps from its parent), never below what it maps now plus 256 MB."""
    if not limit_mb or limit_mb <= 0:
        return
    want = max(int(limit_mb * MB) + inherited, vm_size() + 256 * MB)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))


class Watch:
    """Polls a child process against `limits`; `overrun()` says why it must stop, if it must."""

    def __init__(self, pid: int, limits: Limits, started: float | None = None, baseline: int = 0):
        self.pid, self.limits = pid, limits
        self.deadline = (started or time.monotonic()) + limits.timeout_s
        # A forked child starts with its parent's resident pages (a CLI holds little, a test
        # process or an embedding application may hold gigabytes): the budget is what the
        # review adds on top of them.
        self.baseline = baseline
        self.peak_rss = 0

    def overrun(self) -> InputError | None:
        rss = max(0, rss_bytes(self.pid) - self.baseline)
        self.peak_rss = max(self.peak_rss, rss)
        if self.limits.max_rss_mb and rss > self.limits.max_rss_mb * MB:
            return self.limits.memory_error()
        if self.limits.timeout_s and time.monotonic() > self.deadline:
            return self.limits.timeout_error()
        return None


def outcome(fn: Callable, args: tuple) -> tuple:
    """fn(*args) as a picklable outcome for the watching process: ("ok", value),
    ("input_error", (code, message, detail)), ("model_error", message), ("memory", None) or
    ("exception", (name, message, traceback))."""
    try:
        return ("ok", fn(*args))
    except InputError as e:
        return ("input_error", (e.code, e.message, e.detail))
    except ModelError as e:
        return ("model_error", str(e))
    except MemoryError:
        return ("memory", None)
    except Exception as e:  # noqa: BLE001 - a bug: reported to the watcher, which decides
        return ("exception", (type(e).__name__, str(e), traceback.format_exc()))


def unwrap(kind: str, payload, limits: Limits):
    """The value of an `outcome`, or its error raised here."""
    if kind == "ok":
        return payload
    if kind == "input_error":
        raise InputError(*payload)
    if kind == "model_error":
        raise ModelError(payload)
    if kind == "memory":
        raise limits.memory_error()
    raise ReviewFailed(*payload)


def _child(fn: Callable, args: tuple, w: int, parent: int, limits: Limits) -> None:
    """In the forked child: run fn, send its outcome back, never return."""
    code = 0
    try:
        die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        limit_address_space(limits.address_space_mb, inherited=vm_size())
        res = outcome(fn, args)
        try:
            data = pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        view = memoryview(data)
        while view:
            n = os.write(w, view)
            view = view[n:]
    except BaseException:  # noqa: BLE001
        code = 70
    finally:
        os._exit(code)


class ReviewFailed(Exception):
    """The guarded function raised something that is not an InputError (a bug)."""

    def __init__(self, name: str, message: str, tb: str):
        super().__init__(f"{name}: {message}")
        self.name, self.tb = name, tb


def run_guarded(fn: Callable[..., Any], *args, limits: Limits | None = None, stats: dict | None = None) -> Any:
    """fn(*args) in a forked child under `limits`; its return value (pickled back).

    Raises the child's InputError, `limits.memory_error()` / `timeout_error()` when the
    child went over budget, `crashed_error` when it died otherwise, `ReviewFailed` for an
    unexpected exception in it. `stats` (optional) receives peak_rss_mb and wall_s."""
    limits = limits or Limits()
    started = time.monotonic()
    r, w = os.pipe()
    parent = os.getpid()
    # The child starts resident with its caller's anonymous pages only: that is what it inherits
    # (the caller's whole resident size would also subtract file pages the child does not hold).
    baseline = anon_rss_bytes(parent)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(r)
        _child(fn, args, w, parent, limits)
    os.close(w)
    watch = Watch(pid, limits, started, baseline=baseline)
    chunks: list[bytes] = []
    stop: InputError | None = None
    try:
        while True:
            ready, _, _ = select.select([r], [], [], POLL_S)
            if ready:
                chunk = os.read(r, 1 << 20)
                if not chunk:
                    break  # the child closed its end: done (or dead)
                chunks.append(chunk)
                continue
            stop = watch.overrun()
            if stop is not None:
                os.kill(pid, signal.SIGKILL)
                break
    except BaseException:  # KeyboardInterrupt in the CLI: take the child down with us
        _kill(pid)
        raise
    finally:
        os.close(r)
    _pid, status = os.waitpid(pid, 0)
    if stats is not None:
        stats.update(peak_rss_mb=round(watch.peak_rss / MB, 1), wall_s=round(time.monotonic() - started, 3))
    if stop is not None:
        raise stop
    try:
        kind, payload = pickle.loads(b"".join(chunks))
    except Exception:
        sig = -os.waitstatus_to_exitcode(status) if os.WIFSIGNALED(status) else None
        if sig == signal.SIGKILL and watch.peak_rss > 0.8 * limits.max_rss_mb * MB:
            raise limits.memory_error()  # the kernel's OOM killer, near the budget
        raise crashed_error(f"child status {status} (signal {sig})")
    return unwrap(kind, payload, limits)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


# --- in-process guard for long-lived pool workers (batch) ------------------------------------------


class _Overrun(BaseException):
    """Raised in a worker's main thread by `TaskGuard`'s watcher (BaseException: the task's own
    `except Exception` clauses must not swallow it)."""


class TaskGuard:
    """The per-review budget inside a long-lived worker process that runs one task at a time
    (a batch pool worker, a Ray actor): a watcher thread polls this process's resident memory
    and the task's wall time, and when a task goes over either it interrupts the main thread
    once (SIGUSR1, whose handler raises) so that the task ends with the Chinese `InputError` of
    `Limits` and the worker goes on with the next file. Pure-Python work is interrupted within
    a poll; a long C call when it returns; an allocation too large or too fast for the poll
    fails with MemoryError under the RLIMIT_AS of `cap_address_space`.

    The budget counts what a task adds to the worker's resident memory when it starts (the
    worker's models are its own business). Outside the main thread (where signals cannot be
    delivered) tasks run unguarded."""

    def __init__(self, limits: Limits | None = None):
        import threading

        self.limits = limits or Limits()
        self._lock = threading.Lock()  # watcher ↔ run(); never taken by the signal handler
        self._task: Watch | None = None  # the task running now, measured from its start
        self._reason: InputError | None = None
        self._armed = False  # the handler raises only while the task's code may be running
        self._main_ident = threading.main_thread().ident
        self.active = threading.get_ident() == self._main_ident
        self._closed = threading.Event()
        self._previous_handler = None
        if self.active:
            self._previous_handler = signal.signal(signal.SIGUSR1, self._interrupt)
            threading.Thread(target=self._watch, name="task-guard", daemon=True).start()

    def close(self) -> None:
        """Stop watching and give SIGUSR1 back (a worker process never needs to)."""
        self._closed.set()
        if self.active:
            self.active = False
            signal.signal(signal.SIGUSR1, self._previous_handler or signal.SIG_DFL)

    def cap_address_space(self) -> None:
        """RLIMIT_AS: `Limits.address_space_mb` on top of what this worker maps now."""
        limit_address_space(self.limits.address_space_mb, inherited=vm_size())

    def _interrupt(self, _sig, _frame) -> None:
        if self._armed and self._reason is not None:
            raise _Overrun()

    def _watch(self) -> None:
        while not self._closed.wait(POLL_S):
            with self._lock:
                if self._task is None or self._reason is not None:
                    continue
                self._reason = self._task.overrun()
                if self._reason is None:
                    continue
            signal.pthread_kill(self._main_ident, signal.SIGUSR1)  # once per task: the reason is set

    def run(self, fn: Callable[..., Any], *args) -> Any:
        """fn(*args) under the budget; raises the `InputError` of an overrun (also for a
        MemoryError under RLIMIT_AS)."""
        import threading

        if not self.active or threading.get_ident() != self._main_ident:
            return fn(*args)
        pid = os.getpid()
        with self._lock:
            self._task, self._reason = Watch(pid, self.limits, baseline=rss_bytes(pid)), None
        try:
            try:
                self._armed = True
                return fn(*args)
            finally:
                self._armed = False
                with self._lock:
                    self._task = None
        except _Overrun:  # wherever it surfaced inside this call (the handler fires once)
            self._armed = False
            with self._lock:
                self._task, reason = None, self._reason
        except MemoryError:
            reason = self._reason or self.limits.memory_error()
        import gc

        gc.collect()  # what the stopped task held, before the next task measures its baseline
        raise reason or crashed_error("interrupted")
