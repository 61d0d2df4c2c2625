"""Crash-safe batch output: append-only JSON Lines, each record one `write` of a complete
line, fsync'd at checkpoints; the CSV summary derived from them.

Why JSONL as the journal (not SQLite with JSONL/CSV exported at the end): the JSONL is
what analysts read (`nlp-review report`, pandas) and it stays readable while the batch
runs; a national year is several GB of contract JSON (each record carries the report's
text), which a second copy in SQLite would double. An append with O_APPEND by one writer
can only leave a *tail* that is incomplete (kill -9 during a large write, power loss
before fsync), never a hole in the middle, so the repair is: read the file as bytes,
truncate after the last newline, drop any line that is not valid JSON (a tail zero-filled
by a power loss; lines glued by older versions), never exit on it.

The CSV is a function of the JSONL and the errors file: on every start it is rebuilt from
them (atomically, tmp + rename), and during the run each row is appended right after its
record, so after a crash it is at most a few rows behind until the next start.
"""
from __future__ import annotations

import csv
import fcntl
import io
import json
import os
from pathlib import Path
from typing import Optional

from ..errors import InputError

CSV_FIELDS = ["file", "sha256", "status", "error", "title", "agency", "year", "sections_found", "score",
              "errors", "warnings", "infos", "n_structure", "n_missing_element", "n_table_identity",
              "n_contradiction", "n_typo", "n_format", "n_boilerplate"]
CATEGORIES = ("structure", "missing_element", "table_identity", "contradiction", "typo", "format", "boilerplate")


def repair_tail(path: Path) -> int:
    """Truncate `path` after its last newline; returns how many bytes were cut."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0
    if size == 0:
        return 0
    with path.open("rb+") as fh:
        pos = size
        block = 1 << 16
        while pos > 0:
            start = max(0, pos - block)
            fh.seek(start)
            chunk = fh.read(pos - start)
            i = chunk.rfind(b"\n")
            if i >= 0:
                keep = start + i + 1
                break
            pos = start
        else:
            keep = 0
        if keep < size:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
        return size - keep


def read_records(path: Path) -> tuple[list[dict], int]:
    """The valid records of a JSONL file after its tail is repaired, and how many bad lines
    were dropped. A file with bad lines in the middle is rewritten without them."""
    if not path.exists():
        return [], 0
    cut = repair_tail(path)
    records, bad = [], 0
    with path.open("rb") as fh:
        for raw in fh:
            line = raw.strip()
            if not line:
                continue
            try:
                obj = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                bad += 1
                continue
            if isinstance(obj, dict):
                records.append(obj)
            else:
                bad += 1
    if bad:
        tmp = path.with_name(path.name + ".repair")
        with tmp.open("wb") as fh:
            for obj in records:
                fh.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    return records, bad + (1 if cut else 0)


def record_sha(obj: dict) -> Optional[str]:
    return (obj.get("source") or {}).get("sha256") or obj.get("sha256")


def record_path(obj: dict) -> Optional[str]:
    return (obj.get("source") or {}).get("path") or obj.get("file")


class LineLog:
    """One append-only file of complete lines, opened with O_APPEND."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.dirty = False

    def append(self, line: bytes) -> None:
        if not line.endswith(b"\n"):
            line += b"\n"
        view = memoryview(line)
        while view:  # a short write (signal, full disk) continues where it stopped
            n = os.write(self.fd, view)
            view = view[n:]
        self.dirty = True

    def sync(self) -> None:
        if self.dirty:
            os.fsync(self.fd)
            self.dirty = False

    def close(self) -> None:
        self.sync()
        os.close(self.fd)


def summary_row(obj: dict) -> dict:
    """The CSV row of one JSONL record (a review or an error)."""
    if "findings" not in obj:  # an errors-file record
        return {"file": obj.get("file", ""), "sha256": obj.get("sha256", ""), "status": "error",
                "error": obj.get("message", "")}
    rep = obj.get("report") or {}
    scores = obj.get("scores") or {}
    sev, cats = scores.get("by_severity") or {}, scores.get("by_category") or {}
    return {"file": record_path(obj) or "", "sha256": record_sha(obj) or "", "status": "ok",
            "title": rep.get("title") or "", "agency": rep.get("agency") or "", "year": rep.get("year") or "",
            "sections_found": sum(1 for s in rep.get("sections") or [] if s.get("found")),
            "score": scores.get("overall"), "errors": sev.get("error", 0), "warnings": sev.get("warning", 0),
            "infos": sev.get("info", 0), **{f"n_{c}": cats.get(c, 0) for c in CATEGORIES}}


def csv_line(row: dict) -> bytes:
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n").writerow(row)
    return buf.getvalue().encode("utf-8")


class BatchOutput:
    """The three files of a batch: results (JSONL), errors (JSONL), summary (CSV).

    `open()` takes an exclusive lock (a second batch on the same output is refused),
    repairs the two journals, rebuilds the CSV from them and returns the sha256 of every
    file already done. `add_result` / `add_error` append one complete line each (and its
    CSV row); `checkpoint()` fsyncs all three.
    """

    def __init__(self, out: Path, csv_path: Optional[Path] = None):
        self.out = out
        self.errors_path = out.with_name(out.stem + ".errors.jsonl")
        self.csv_path = csv_path or out.with_suffix(".csv")
        self.repaired = 0
        self._lock_fd: Optional[int] = None

    def open(self) -> set[str]:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.out.with_name(self.out.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise InputError("busy", f"另一个批量审查任务正在写入 {self.out}，请等它结束后再运行。") from None
        results, bad_r = read_records(self.out)
        errors, bad_e = read_records(self.errors_path)
        self.repaired = bad_r + bad_e
        done = {s for s in map(record_sha, results + errors) if s}
        # Errors that a later run reviewed after all (none today: same bytes, same answer) stay
        # in the errors file; the CSV shows each file once, its review winning.
        reviewed = {record_sha(r) for r in results}
        rows = [summary_row(r) for r in results] + [summary_row(e) for e in errors if record_sha(e) not in reviewed]
        tmp = self.csv_path.with_name(self.csv_path.name + ".tmp")
        with tmp.open("wb") as fh:
            fh.write("\ufeff".encode("utf-8") + csv_line(dict(zip(CSV_FIELDS, CSV_FIELDS))))
            seen = set()
            for row in rows:
                if row["sha256"] in seen:
                    continue
                seen.add(row["sha256"])
                fh.write(csv_line(row))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.csv_path)
        self.results = LineLog(self.out)
        self.errors = LineLog(self.errors_path)
        self.csv = LineLog(self.csv_path)
        return done

    def add_result(self, line: bytes, row: dict) -> None:
        self.results.append(line)
        self.csv.append(csv_line(row))

    def add_error(self, record: dict) -> None:
        self.errors.append(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        self.csv.append(csv_line(summary_row(record)))

    def checkpoint(self) -> None:
        for log in (self.results, self.errors, self.csv):
            log.sync()

    def close(self) -> None:
        for log in (self.results, self.errors, self.csv):
            log.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
