"""p50/p95 latency of POST /v1/reviews for a seed .docx under 1, 4 and 16 concurrent clients.

Starts the real service (uvicorn, default SQLite storage in a temporary data dir) on a free
local port, renders a seed as a real .docx (tests/renderers.py), warms up, then for each
concurrency level runs `--requests-per-client` uploads per client and reports latency
percentiles and throughput. Usage: .venv/bin/python bench/service_latency.py [--seed N]
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    xs = sorted(values)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=3, help="index of the seed in tests/data/seeds")
    ap.add_argument("--levels", default="1,4,16")
    ap.add_argument("--requests-per-client", type=int, default=0,
                    help="uploads per client (default: enough for ≥ 32 requests per level)")
    args = ap.parse_args()
    from tests.renderers import SEEDS, seed_to_docx

    tmp = Path(tempfile.mkdtemp(prefix="nlp-review-bench-"))
    seed = SEEDS[args.seed]
    docx_path = tmp / (seed.stem + ".docx")
    seed_to_docx(seed, docx_path)
    data = docx_path.read_bytes()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "NLP_REVIEW_DATA_DIR": str(tmp / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "service.app:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        def warm(_):
            with httpx.Client(timeout=300) as c:
                r = c.post(url + "/v1/reviews", files={"file": (docx_path.name, data)})
                assert r.status_code == 201, r.text
                return len(r.json()["findings"])

        # Warm-up (models, dictionaries, the database file, every worker process): concurrent
        # rounds so that each worker process has started and reviewed before timing begins.
        n_proc = max(1, int(os.environ.get("NLP_REVIEW_PROCESSES", "0") or 0))
        for _ in range(2):
            with cf.ThreadPoolExecutor(n_proc) as ex:
                n_findings = list(ex.map(warm, range(n_proc)))[0]

        def client(n: int) -> list[float]:
            out = []
            with httpx.Client(timeout=600) as c:
                for _ in range(n):
                    t0 = time.perf_counter()
                    r = c.post(url + "/v1/reviews", files={"file": (docx_path.name, data)})
                    out.append(time.perf_counter() - t0)
                    assert r.status_code == 201, r.text
            return out

        rows = []
        for level in [int(x) for x in args.levels.split(",")]:
            per = args.requests_per_client or max(1, -(-32 // level))
            t0 = time.perf_counter()
            with cf.ThreadPoolExecutor(level) as ex:
                lat = [x for chunk in ex.map(client, [per] * level) for x in chunk]
            wall = time.perf_counter() - t0
            rows.append({"clients": level, "requests": len(lat), "p50_ms": round(pct(lat, .5) * 1000),
                         "p95_ms": round(pct(lat, .95) * 1000), "mean_ms": round(statistics.mean(lat) * 1000),
                         "throughput_rps": round(len(lat) / wall, 2)})
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"POST /v1/reviews, {seed.name} as .docx ({len(data) // 1024} KB, {n_findings} findings), "
          f"{os.cpu_count()} CPUs, NLP_REVIEW_PROCESSES={os.environ.get('NLP_REVIEW_PROCESSES', '0')} "
          f"(0: reviews in server threads; n: in n worker processes)")
    print("| clients | requests | p50 ms | p95 ms | mean ms | req/s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['clients']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | {r['mean_ms']} | {r['throughput_rps']} |")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
