"""The batch's work folder (`<out>.work/`): what pass one learnt about each file, the Docs
waiting for pass two, and the near-copies found for them — SQLite in WAL mode, committed
in small transactions, so that a killed batch resumes without reading a file again.

- `index.sqlite`: one row per input file (relative path, size and mtime when read, sha256,
  status, the report's identity for the near-copy index and for year-over-year pairing,
  its indexed and queried sentences) and the near-copies of the reports still to review,
  with the fingerprint of the report set they were computed for. It stays after the
  batch, so that adding files to a finished batch reads only the new ones.
- `docs.sqlite`: the pass-one Docs (≈ 20 KB each, compressed); removed when every report
  is reviewed.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Iterator, Optional

from .nearcopy import pack, unpack

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
  rel TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, sha TEXT, status TEXT,
  meta TEXT, agency_key TEXT, year INTEGER, sentences BLOB, ms REAL);
CREATE TABLE IF NOT EXISTS matches (rel TEXT PRIMARY KEY, blob BLOB);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    return con


class WorkStore:
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.db = _connect(folder / "index.sqlite")
        self.db.executescript(SCHEMA)
        self.docs_path = folder / "docs.sqlite"
        self.docs = _connect(self.docs_path)
        self.docs.execute("CREATE TABLE IF NOT EXISTS docs (rel TEXT PRIMARY KEY, blob BLOB)")
        self._in_tx = False

    # -- transactions: a few hundred rows each
    def begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN")
            self.docs.execute("BEGIN")
            self._in_tx = True

    def commit(self) -> None:
        if self._in_tx:
            self.docs.execute("COMMIT")  # a Doc before the row that says it is there
            self.db.execute("COMMIT")
            self._in_tx = False

    # -- files
    def known(self) -> dict[str, tuple]:
        """rel → (size, mtime, sha, status, has a Doc)."""
        have = {r[0] for r in self.docs.execute("SELECT rel FROM docs")}
        return {r[0]: (r[1], r[2], r[3], r[4], r[0] in have)
                for r in self.db.execute("SELECT rel, size, mtime, sha, status FROM files")}

    def put_file(self, rel: str, size: int, mtime: int, res: dict, status: str, keep_doc: bool) -> None:
        self.begin()
        if keep_doc and res.get("doc") is not None:
            self.docs.execute("INSERT OR REPLACE INTO docs VALUES (?, ?)", (rel, res["doc"]))
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (rel, size, mtime, res.get("sha"), status,
                         json.dumps(res.get("meta"), ensure_ascii=False) if res.get("meta") else None,
                         res.get("agency_key"), res.get("year"),
                         pack((res.get("index") or [], res.get("query") or [])) if status == "ok" else None,
                         res.get("ms")))

    def forget(self, rels: list[str]) -> None:
        self.begin()
        self.db.executemany("DELETE FROM files WHERE rel = ?", [(r,) for r in rels])
        self.docs.executemany("DELETE FROM docs WHERE rel = ?", [(r,) for r in rels])
        self.commit()

    def reports(self) -> list[tuple]:
        """(rel, sha, meta, agency_key, year, ms) of every readable, distinct report, by path."""
        return [(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5]) for r in
                self.db.execute("SELECT rel, sha, meta, agency_key, year, ms FROM files WHERE status = 'ok' ORDER BY rel")]

    def sentences(self, rels: list[str]) -> Iterator[tuple[str, tuple[list[str], list[str]]]]:
        for i in range(0, len(rels), 500):
            part = rels[i:i + 500]
            q = "SELECT rel, sentences FROM files WHERE rel IN (%s)" % ",".join("?" * len(part))
            rows = dict(self.db.execute(q, part))
            for rel in part:
                yield rel, unpack(rows[rel])

    def doc(self, rel: str) -> Optional[bytes]:
        row = self.docs.execute("SELECT blob FROM docs WHERE rel = ?", (rel,)).fetchone()
        return row[0] if row else None

    # -- near-copies
    def state(self, key: str) -> Optional[str]:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: Optional[str]) -> None:
        self.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    def clear_matches(self) -> None:
        self.db.execute("DELETE FROM matches")

    def put_matches(self, rel: str, matches: dict) -> None:
        self.begin()
        self.db.execute("INSERT OR REPLACE INTO matches VALUES (?, ?)", (rel, pack(matches)))

    def matches(self, rel: str) -> dict:
        row = self.db.execute("SELECT blob FROM matches WHERE rel = ?", (rel,)).fetchone()
        return unpack(row[0]) if row else {}

    def drop_docs(self) -> None:
        self.docs.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.docs_path) + suffix).unlink(missing_ok=True)
        self.docs = None

    def close(self) -> None:
        self.commit()
        self.db.close()
        if self.docs is not None:
            self.docs.close()


def fingerprint_set(items) -> str:
    h = hashlib.sha256()
    for x in items:
        h.update(repr(x).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()
