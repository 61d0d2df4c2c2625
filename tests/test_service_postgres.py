"""The PostgreSQL storage path against a real server.

`.ci/run` installs PostgreSQL and starts a throwaway server, passing its URL in
NLP_REVIEW_TEST_DATABASE_URL. Without that variable the test starts its own server from
the local binaries (initdb/pg_ctl, as the `postgres` user when run as root) in a temporary
directory on a unix socket, and is skipped only when no PostgreSQL binaries exist."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.conftest import SEEDS
from tests.service_support import free_port


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(cands[-1]).parent if cands else None


@pytest.fixture(scope="module")
def pg_url():
    url = os.environ.get("NLP_REVIEW_TEST_DATABASE_URL")
    if url:
        yield url
        return
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb/pg_ctl); .ci/run installs them")
    tmp = Path(tempfile.mkdtemp(prefix="nlp-review-pg-"))
    user = None
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user")
        user = "postgres"
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
    datadir, sock, port = tmp / "data", tmp, free_port()

    def run(*cmd):
        full = [str(bindir / cmd[0]), *cmd[1:]]
        if user:
            full = ["runuser", "-u", user, "--", *full]
        return subprocess.run(full, check=True, capture_output=True, text=True, timeout=120)

    run("initdb", "-D", str(datadir), "-A", "trust", "-U", "review", "--no-sync", "-E", "UTF8")
    run("pg_ctl", "-D", str(datadir), "-w", "-t", "60", "-l", str(tmp / "log"), "-o",
        f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off", "start")
    try:
        run("createdb", "-h", str(sock), "-p", str(port), "-U", "review", "reviews")
        yield f"postgresql+psycopg://review@/reviews?host={sock}&port={port}"
    finally:
        run("pg_ctl", "-D", str(datadir), "-m", "immediate", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


def test_postgres_reviews_feedback_export_retention(pg_url, tmp_path):
    from nlp_review.cli import main

    settings = Settings(data_dir=tmp_path, database_url=pg_url)
    c = TestClient(create_app(settings))
    assert c.get("/healthz").json()["database"] == "postgresql"
    r = c.post("/v1/reviews", files={"file": ("r.txt", SEEDS[3].read_bytes()),
                                     "previous": ("last.txt", SEEDS[3].read_bytes())})
    assert r.status_code == 201, r.text
    res = r.json()
    assert c.app.state.store.get_previous(res["id"]) == (SEEDS[3].read_bytes(), "last.txt")
    got = c.get(f"/v1/reviews/{res['id']}").json()
    assert got["text"] == res["text"] and got["findings"] == res["findings"]
    assert c.get(res["links"]["annotated_docx"]).status_code == 200
    fid = res["findings"][0]["id"] if res["findings"] else None
    if fid:
        assert c.post(f"/v1/reviews/{res['id']}/findings/{fid}", json={"decision": "dismissed", "note": "误报"}).status_code == 200
        out = tmp_path / "fb.jsonl"
        assert main(["export-feedback", "--database-url", pg_url, "--out", str(out)]) == 0
        assert '"dismissed"' in out.read_text(encoding="utf-8") and "误报" in out.read_text(encoding="utf-8")
    # Retention: drafts older than 0 s are gone.
    assert c.app.state.store.purge_older_than(0) >= 1
    assert c.get(f"/v1/reviews/{res['id']}").status_code == 404
    assert c.app.state.store.get_previous(res["id"]) is None
