"""Service settings, read from the environment once per app (see README "Service")."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"环境变量 {name} 应为数字，实际为 {raw!r}")


@dataclass
class Settings:
    # Where the default SQLite database lives; nothing else is ever written to disk.
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("NLP_REVIEW_DATA_DIR")
                                                         or REPO_ROOT / "var" / "service"))
    # SQLAlchemy URL; PostgreSQL e.g. postgresql+psycopg://user@/db?host=/run/postgresql
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL") or None)
    max_upload_bytes: int = field(default_factory=lambda: int(_float("NLP_REVIEW_MAX_UPLOAD_MB", 20) * 1048576))
    # Comma-separated tokens; when set every write endpoint needs one.
    tokens: frozenset[str] = field(default_factory=lambda: frozenset(
        t.strip() for t in os.environ.get("NLP_REVIEW_TOKENS", "").split(",") if t.strip()))
    # Stored drafts (the upload and its review) are deleted after this many seconds.
    retention_s: float = field(default_factory=lambda: _float("NLP_REVIEW_RETENTION_DAYS", 30) * 86400)
    purge_interval_s: float = field(default_factory=lambda: _float("NLP_REVIEW_PURGE_INTERVAL_S", 600))
    pdf_max_pages: int = field(default_factory=lambda: int(_float("NLP_REVIEW_PDF_MAX_PAGES", 200)))
    pdf_timeout_s: float = field(default_factory=lambda: _float("NLP_REVIEW_PDF_TIMEOUT_S", 60))
    # Reviews running at once (CPU bound); further requests wait their turn.
    workers: int = field(default_factory=lambda: int(_float("NLP_REVIEW_WORKERS", os.cpu_count() or 2)))
    # >0: reviews run in that many worker processes (all CPUs, no GIL contention);
    # 0: in threads of the server process. `nlp-review serve` defaults to the CPU count.
    processes: int = field(default_factory=lambda: int(_float("NLP_REVIEW_PROCESSES", 0)))
    # Longest text /v2/check accepts (characters), like LanguageTool's maxTextLength.
    lt_max_chars: int = field(default_factory=lambda: int(_float("NLP_REVIEW_LT_MAX_CHARS", 20000)))

    def limits(self):
        """The budget of one review in a worker process (NLP_REVIEW_MAX_MEMORY_MB,
        NLP_REVIEW_TIMEOUT_S, NLP_REVIEW_MAX_ADDRESS_SPACE_MB; see nlp_review.guard)."""
        from nlp_review.guard import Limits

        return Limits()

    def db_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url[len("postgres://"):]
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            return url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'reviews.db'}"
