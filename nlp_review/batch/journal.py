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
from pathlib import Path, PurePath
from typing import Callable, Optional

from ..errors import InputError

CSV_FIELDS = ["file", "sha256", "status", "error", "title", "agency", "level", "region", "region_code", "year",
              "sections_found", "score",
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


def _record(raw: bytes) -> Optional[dict]:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return obj if isinstance(obj, dict) else None


def scan_records(path: Path, on_record: Callable[[dict], None]) -> int:
    """`on_record(obj)` for each valid record of a JSONL file, in order, after its tail is
    repaired; returns how many bad lines were dropped. A file with bad lines in the middle
    is rewritten without them (good lines copied as bytes). Nothing is held: a national
    year's output is several GB."""
    if not path.exists():
        return 0
    cut = repair_tail(path)
    bad = 0
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            obj = _record(raw)
            if obj is None:
                bad += 1
            else:
                on_record(obj)
    if bad:
        tmp = path.with_name(path.name + ".repair")
        with path.open("rb") as src, tmp.open("wb") as dst:
            for raw in src:
                if raw.strip() and _record(raw) is not None:
                    dst.write(raw)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, path)
    return bad + (1 if cut else 0)


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
    """The CSV row of one JSONL record (a review or an error). Who published the report and
    for which year come from the publisher parser (`analytics/agency.py`: page chrome,
    cover letters and breadcrumbs are not the title or the agency), not from the structure
    layer's first lines."""
    if "findings" not in obj:  # an errors-file record
        return {"file": obj.get("file", ""), "sha256": obj.get("sha256", ""), "status": "error",
                "error": obj.get("message", "")}
    from ..analytics.agency import LEVEL_NAMES, clean_lines, find_title, parse_publisher

    rep = obj.get("report") or {}
    scores = obj.get("scores") or {}
    sev, cats = scores.get("by_severity") or {}, scores.get("by_category") or {}
    path = record_path(obj) or ""
    pub = parse_publisher(obj.get("text") or "", rep.get("title"), path)
    # a file named after the report (the usual download name) when the text has no title
    title = pub.title or (find_title(clean_lines(""), PurePath(path).stem)[0] if path else None)
    return {"file": path, "sha256": record_sha(obj) or "", "status": "ok",
            "title": title or "", "agency": pub.agency or "",
            "level": LEVEL_NAMES[pub.level] if pub.agency or pub.level else "",
            "region": " / ".join(x for x in (pub.province, pub.prefecture, pub.county, pub.township) if x),
            "region_code": pub.region_code or "", "year": pub.year or rep.get("year") or "",
            "sections_found": sum(1 for s in rep.get("sections") or [] if s.get("found")),
            "score": scores.get("overall"), "errors": sev.get("error", 0), "warnings": sev.get("warning", 0),
            "infos": sev.get("info", 0), **{f"n_{c}": cats.get(c, 0) for c in CATEGORIES}}


def csv_line(row: dict) -> bytes:
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n").writerow(row)
    return buf.getvalue().encode("utf-8")


def _csv_rows(path: Path) -> dict[tuple[str, str], bytes]:
    """(sha256, status) → the complete rows of an existing CSV written with today's columns
    (a torn last row, without its line end, is not one)."""
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        return {}
    text = text[:text.rfind("\r\n") + 2]
    rows = csv.reader(io.StringIO(text, newline=""))
    if next(rows, None) != CSV_FIELDS:
        return {}
    out = {}
    for r in rows:
        if len(r) == len(CSV_FIELDS) and len(r[1]) == 64 and r[2] in ("ok", "error"):
            out[(r[1], r[2])] = csv_line(dict(zip(CSV_FIELDS, r)))
    return out


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
        # The CSV again from the two journals, streamed; rows already in it are kept (the
        # publisher parser costs ms per report: minutes for a national year at every start).
        kept = _csv_rows(self.csv_path)
        done: set[str] = set()
        tmp = self.csv_path.with_name(self.csv_path.name + ".tmp")
        with tmp.open("wb") as fh:
            fh.write("\ufeff".encode("utf-8") + csv_line(dict(zip(CSV_FIELDS, CSV_FIELDS))))

            def write_row(obj: dict, status: str) -> None:
                sha = record_sha(obj)
                if sha:
                    if sha in done:  # each file once; its review (read first) wins over an older error
                        return
                    done.add(sha)
                fh.write(kept.get((sha, status)) or csv_line(summary_row(obj)))

            bad_r = scan_records(self.out, lambda obj: write_row(obj, "ok"))
            bad_e = scan_records(self.errors_path, lambda obj: write_row(obj, "error"))
            fh.flush()
            os.fsync(fh.fileno())
        self.repaired = bad_r + bad_e
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
