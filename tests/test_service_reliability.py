"""The service under hostile uploads (issue #11): oversized chunked bodies, absurd file
names, no temp files for large uploads, and reviews in guarded worker processes that are
stopped and replaced when they go over their memory or time budget."""
from __future__ import annotations

import io
import re
import tempfile
import time
import zipfile

import httpx
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.conftest import SEEDS
from tests.limits_support import huge_paragraph_text
from tests.service_support import live_server

CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese_error(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert body["error"] and CJK.search(body["message"]), body
    return body


def test_oversized_chunked_upload_is_413(tmp_path):
    """No Content-Length (chunked transfer): refused while streaming with 413, not FastAPI's 400."""
    app = create_app(Settings(data_dir=tmp_path, max_upload_bytes=1024 * 1024))

    def body():
        yield b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        for _ in range(300):
            yield b"x" * 16384
        yield b"\r\n--XX--\r\n"
    with live_server(app) as url:
        r = httpx.post(url + "/v1/reviews", content=body(), timeout=60,
                       headers={"content-type": "multipart/form-data; boundary=XX"})
        assert "content-length" not in {k.lower() for k in r.request.headers}
        assert _chinese_error(r, 413)["error"] == "too_large"
        assert httpx.get(url + "/healthz", timeout=10).status_code == 200


def test_file_name_of_3000_characters_gets_a_clear_chinese_400(tmp_path):
    client = TestClient(create_app(Settings(data_dir=tmp_path)))
    r = client.post("/v1/reviews", files={"file": ("年" * 3000 + ".txt", SEEDS[0].read_bytes(), "text/plain")})
    body = _chinese_error(r, 400)
    assert body["error"] == "filename_too_long" and "文件名过长" in body["message"]
    r = client.post("/v1/reviews", content=b"--XX\r\nnot a form", headers={"content-type": "multipart/form-data"})
    assert _chinese_error(r, 400)["error"] == "invalid_form"


def test_large_upload_is_not_spooled_to_a_temp_file(tmp_path, monkeypatch):
    """A 1.6 MB .docx (a real report plus an embedded 1.5 MB image): Starlette spools parts
    over 1 MB to an anonymous file in the system temp directory; the service keeps uploads in
    memory within its body limit (config: nothing but the database is written to disk)."""
    from tests.renderers import seed_to_docx

    seed_to_docx(SEEDS[3], tmp_path / "seed.docx")
    zin = zipfile.ZipFile(tmp_path / "seed.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info, zin.read(info))
        z.writestr(zipfile.ZipInfo("word/media/photo.bin"), bytes(range(256)) * 6000, zipfile.ZIP_STORED)
    data = buf.getvalue()
    assert len(data) > 1_500_000
    made = []
    real = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda *a, **k: made.append(k) or real(*a, **k))
    client = TestClient(create_app(Settings(data_dir=tmp_path / "svc")))
    r = client.post("/v1/reviews", files={"file": ("big.docx", data)})
    assert r.status_code == 201, r.text[:300]
    assert made == []


# --- reviews in guarded worker processes ------------------------------------------------------------


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    """A service with one review worker process (lifespan started: the worker warms up)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("pooled"), processes=1)
    app = create_app(settings)
    with TestClient(app) as client:
        pool = app.state.pool[0]
        deadline = time.monotonic() + 900
        while not pool.pids() or not pool.slots[0].baseline_rss:
            assert time.monotonic() < deadline, "worker did not start"
            time.sleep(0.2)
        yield client, pool


def _wait_for_worker(pool, not_pid: int | None = None) -> int:
    deadline = time.monotonic() + 900
    while True:
        pids = pool.pids()
        if pids and pids[0] != not_pid and pool.slots[0].baseline_rss:
            return pids[0]
        assert time.monotonic() < deadline, "no replacement worker"
        time.sleep(0.2)


def _post_under(client, pool, name: str, data: bytes, **limits):
    """POST one review with the pool's limits temporarily set → (response, seconds)."""
    saved = {k: getattr(pool.limits, k) for k in limits}
    for k, v in limits.items():
        setattr(pool.limits, k, v)
    try:
        t0 = time.monotonic()
        r = client.post("/v1/reviews", files={"file": (name, data)})
        return r, time.monotonic() - t0
    finally:
        for k, v in saved.items():
            setattr(pool.limits, k, v)


def test_review_over_its_memory_budget_is_413_and_the_worker_is_replaced(pooled):
    client, pool = pooled
    pid = _wait_for_worker(pool)
    baseline = pool.slots[0].baseline_rss / 2**20
    huge = huge_paragraph_text(SEEDS[3].read_text(encoding="utf-8"), stops=True).encode("utf-8")
    # the 550,000-character review needs ~150 MB more
    r, _took = _post_under(client, pool, "huge.txt", huge, max_rss_mb=baseline + 40)
    body = _chinese_error(r, 413)
    assert body["error"] == "memory_limit" and "内存" in body["message"]
    new_pid = _wait_for_worker(pool, not_pid=pid)
    assert new_pid != pid
    assert client.get("/healthz").status_code == 200
    r = client.post("/v1/reviews", files={"file": ("ok.txt", SEEDS[3].read_bytes())})
    assert r.status_code == 201 and r.json()["findings"]
    assert pool.pids() == [new_pid]


def test_grid_span_bomb_docx_is_reviewed_within_a_tight_memory_budget(pooled, tmp_path):
    """The issue's 40 KB .docx with gridBefore/gridAfter/gridSpan = 99999999 held a worker at
    7.7 GB for 150 s: now it is reviewed (201) under a budget of the worker's baseline + 200 MB."""
    from tests.limits_support import grid_bomb_docx
    from tests.renderers import seed_to_docx

    client, pool = pooled
    _wait_for_worker(pool)
    seed_to_docx(SEEDS[0], tmp_path / "seed.docx")
    bomb = grid_bomb_docx((tmp_path / "seed.docx").read_bytes())
    assert len(bomb) < 60_000
    r, took = _post_under(client, pool, "bomb.docx", bomb, max_rss_mb=pool.slots[0].baseline_rss / 2**20 + 200)
    assert r.status_code == 201, (r.status_code, r.text[:300])
    assert r.json()["findings"] and took < 60


def test_review_over_its_time_budget_is_422_and_the_server_keeps_serving(pooled):
    client, pool = pooled
    pid = _wait_for_worker(pool)
    huge = huge_paragraph_text(SEEDS[3].read_text(encoding="utf-8"), stops=True).encode("utf-8")
    r, took = _post_under(client, pool, "huge.txt", huge, timeout_s=2)
    body = _chinese_error(r, 422)
    assert body["error"] == "timeout" and "超时" in body["message"]
    assert took < 30
    _wait_for_worker(pool, not_pid=pid)
    r = client.post("/v1/reviews", files={"file": ("ok.txt", SEEDS[3].read_bytes())})
    assert r.status_code == 201


def test_worker_that_cannot_start_answers_503_instead_of_hanging(tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "executable", "/bin/false")  # every worker exits at once
    app = create_app(Settings(data_dir=tmp_path, processes=1))
    with TestClient(app) as client:
        r = client.post("/v1/reviews", files={"file": ("a.txt", SEEDS[3].read_bytes())})
        body = _chinese_error_5xx(r, 503)
        assert body["error"] == "worker_unavailable"


def _chinese_error_5xx(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert CJK.search(body["message"]), body
    return body


def test_a_review_cut_short_by_stop_ends_with_service_stopping_not_a_crash(monkeypatch):
    """stop() kills a busy worker: its request must read "service stopping" (503), not
    "review crashed" (422), whichever of the stop flag or the worker's EOF the slot sees first
    (a fresh-clone run got 422: the slot thread, late for the GIL, woke to the EOF). A long poll
    makes the EOF come first every time."""
    from service import workers
    from service.workers import ServiceStopping, WorkerPool

    monkeypatch.setattr(workers, "POLL_S", 5.0)
    pool = WorkerPool(1)
    try:
        _wait_for_worker(pool)
        future = pool.submit(time.sleep, 60)
        time.sleep(0.5)  # the worker is busy with it
        assert future.running()
        pool.stop()
        with pytest.raises(ServiceStopping):
            future.result(15)
    finally:
        pool.stop(wait=True)
