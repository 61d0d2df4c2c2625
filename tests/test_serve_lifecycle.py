"""`nlp-review serve` owns its worker processes (issue #11): started in its own session (a
process group), loaded with a review in flight, stopped with SIGTERM (and with SIGINT), or its
parent killed with SIGKILL — and afterwards no process of that group is left."""
from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from tests.conftest import SEEDS
from tests.fuzz.harness import Service, group_pids
from tests.limits_support import huge_paragraph_text


def _load(svc: Service) -> dict:
    """A long review in flight (a 550,000-character report), started in a thread."""
    out: dict = {}
    huge = huge_paragraph_text(SEEDS[3].read_text(encoding="utf-8"), stops=True).encode("utf-8")

    def post():
        try:
            r = httpx.post(svc.url + "/v1/reviews", files={"file": ("huge.txt", huge)}, timeout=300)
            out["status"], out["body"] = r.status_code, r.json()
        except httpx.HTTPError as e:
            out["error"] = repr(e)
    t = threading.Thread(target=post, daemon=True)
    t.start()
    out["thread"] = t
    return out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_while_a_worker_is_busy_leaves_no_process(sig):
    svc = Service(processes=2)
    try:
        svc.wait_ready(review=SEEDS[3].read_bytes())
        workers = [p for p in group_pids(svc.pgid) if p != svc.proc.pid]
        assert len(workers) == 2  # the server and its two workers share the group
        inflight = _load(svc)
        time.sleep(2)
    except BaseException:
        svc.stop(signal.SIGKILL)
        raise
    took, left = svc.stop(sig)
    assert took < 10, f"server took {took:.1f} s to stop"
    assert left == []
    inflight["thread"].join(30)
    if "status" in inflight:  # answered before the connection closed: the review was cut short
        assert inflight["status"] == 503 and inflight["body"]["error"] == "service_stopping"


def test_kill_9_of_the_server_takes_its_workers_down():
    svc = Service(processes=2)
    try:
        svc.wait_ready(review=SEEDS[3].read_bytes())
        assert len(group_pids(svc.pgid)) == 3
        _load(svc)
        time.sleep(2)
    except BaseException:
        svc.stop(signal.SIGKILL)
        raise
    _took, left = svc.stop(signal.SIGKILL)
    assert left == []  # PR_SET_PDEATHSIG: the kernel kills the workers with their parent
