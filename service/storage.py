"""Reviews, uploaded drafts and reviewer feedback in SQL (SQLAlchemy 2).

SQLite in WAL mode by default (one file under the data directory), PostgreSQL when
`DATABASE_URL` says so. Uploaded files are stored as blobs, never as paths. Feedback rows
copy what they are about (rule, quote, context) so they outlive the draft: they are next
year's training data, exported by `nlp-review export-feedback`.
"""
from __future__ import annotations

import datetime as _dt
import json
import uuid
from typing import Any, Iterator, Optional

from sqlalchemy import (JSON, DateTime, Integer, LargeBinary, String, Text, create_engine, delete, event,
                        select)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


def utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[_dt.datetime] = mapped_column(DateTime, index=True)
    filename: Mapped[Optional[str]] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    upload: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    result: Mapped[str] = mapped_column(Text)  # the contract JSON


class PreviousUpload(Base):
    """Last year's report uploaded with a review (a table of its own: databases made before it
    gain it without a migration); a re-run after corrected cells compares with it again."""
    __tablename__ = "previous_uploads"

    review_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[_dt.datetime] = mapped_column(DateTime, index=True)
    filename: Mapped[Optional[str]] = mapped_column(String(255))
    upload: Mapped[bytes] = mapped_column(LargeBinary)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[str] = mapped_column(String(32), index=True)
    finding_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[_dt.datetime] = mapped_column(DateTime)
    decision: Mapped[Optional[str]] = mapped_column(String(16))  # accepted | dismissed | None
    note: Mapped[Optional[str]] = mapped_column(Text)
    finding: Mapped[dict] = mapped_column(JSON)  # the finding as it was, plus its context
    source_sha256: Mapped[Optional[str]] = mapped_column(String(64))


def new_id() -> str:
    return uuid.uuid4().hex


class Store:
    def __init__(self, url: str):
        self.url = url
        kwargs: dict[str, Any] = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            @event.listens_for(self.engine, "connect")
            def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        Base.metadata.create_all(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._session()

    def journal_mode(self) -> str | None:
        if not self.url.startswith("sqlite"):
            return None
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA journal_mode").scalar()

    # -- reviews -------------------------------------------------------------------------
    def add_review(self, result: dict, upload: bytes, filename: str | None, previous: bytes | None = None,
                   previous_name: str | None = None) -> str:
        rid = new_id()
        src = result.get("source") or {}
        now = utcnow()
        with self.session() as s, s.begin():
            s.add(Review(id=rid, created_at=now, filename=(filename or "")[:255] or None,
                         format=str(src.get("format") or "txt")[:16], sha256=str(src.get("sha256") or ""),
                         upload=upload, result=json.dumps(result, ensure_ascii=False)))
            if previous:
                s.add(PreviousUpload(review_id=rid, created_at=now, filename=(previous_name or "")[:255] or None,
                                     upload=previous))
        return rid

    def get_previous(self, rid: str) -> tuple[bytes, str | None] | None:
        """Last year's report uploaded with review `rid`: (bytes, file name), or None."""
        with self.session() as s:
            row = s.get(PreviousUpload, rid)
            return None if row is None else (row.upload, row.filename)

    def get_review(self, rid: str) -> Optional[Review]:
        with self.session() as s:
            return s.get(Review, rid)

    def update_result(self, rid: str, result: dict) -> None:
        """A re-run review (the reviewer corrected table cells) replaces the stored result."""
        with self.session() as s, s.begin():
            row = s.get(Review, rid)
            if row is not None:
                row.result = json.dumps(result, ensure_ascii=False)

    def list_reviews(self, limit: int = 50) -> list[dict]:
        """The latest reviews, newest first: id, time, file name, title, agency, year, counts."""
        out = []
        with self.session() as s:
            rows = s.execute(select(Review.id, Review.created_at, Review.filename, Review.result)
                             .order_by(Review.created_at.desc()).limit(limit)).all()
        for rid, created, filename, result in rows:
            r = json.loads(result)
            report = r.get("report") or {}
            by = {}
            for f in r.get("findings") or []:
                by[f["severity"]] = by.get(f["severity"], 0) + 1
            out.append({"id": rid, "created_at": created.isoformat(timespec="seconds") + "Z", "filename": filename,
                        "title": report.get("title"), "agency": report.get("agency"), "year": report.get("year"),
                        "by_severity": by})
        return out

    def get_result(self, rid: str) -> Optional[dict]:
        r = self.get_review(rid)
        return None if r is None else json.loads(r.result)

    def purge_older_than(self, seconds: float) -> int:
        """Delete drafts (upload and review) stored more than `seconds` ago; feedback stays."""
        cutoff = utcnow() - _dt.timedelta(seconds=seconds)
        with self.session() as s, s.begin():
            s.execute(delete(PreviousUpload).where(PreviousUpload.created_at < cutoff))
            res = s.execute(delete(Review).where(Review.created_at < cutoff))
            return res.rowcount or 0

    # -- feedback ------------------------------------------------------------------------
    def set_feedback(self, rid: str, finding: dict, decision: str | None, note: str | None,
                     sha256: str | None) -> dict:
        with self.session() as s, s.begin():
            row = Feedback(review_id=rid, finding_id=finding["id"], created_at=utcnow(), decision=decision,
                           note=note, finding=finding, source_sha256=sha256)
            s.add(row)
        return feedback_json(row)

    def feedback_for(self, rid: str) -> dict[str, dict]:
        """The latest feedback per finding of one review."""
        with self.session() as s:
            rows = s.scalars(select(Feedback).where(Feedback.review_id == rid).order_by(Feedback.id)).all()
        return {r.finding_id: feedback_json(r) for r in rows}

    def iter_feedback(self) -> Iterator[dict]:
        with self.session() as s:
            for r in s.scalars(select(Feedback).order_by(Feedback.id)):
                yield {**feedback_json(r), "review_id": r.review_id, "source_sha256": r.source_sha256,
                       "finding": r.finding}


def feedback_json(row: Feedback) -> dict:
    out = {"finding_id": row.finding_id, "decision": row.decision, "note": row.note,
           "created_at": row.created_at.isoformat(timespec="seconds") + "Z"}
    cells = (row.finding or {}).get("corrected_cells")
    if cells:
        out["cells"] = {f"{c['table']}.{c['key']}": c["value"] for c in cells}
    return out
