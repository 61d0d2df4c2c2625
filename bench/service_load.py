"""Sustained load on `nlp-review serve`: N concurrent clients for T seconds, then every
acknowledged review read back (0 lost reviews), with errors, p50/p95 latency and reviews/s.

    .venv/bin/python bench/service_load.py                     # 16 clients, 60 s, serve --processes = CPUs
    .venv/bin/python bench/service_load.py --clients 16 --seconds 60 --processes 2 --url http://host:8000

Starts its own `nlp-review serve` (temporary data dir, own process group) unless --url is
given. Uploads rotate over the five seed reports as .txt and as real .docx
(tests/renderers.py). A review is "lost" when its POST returned 201 with an id and a later
GET of that id does not return the same findings and text. Prints a Markdown row and the
JSON of the run.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def uploads() -> list[tuple[str, bytes]]:
    from tests.renderers import SEEDS, seed_to_docx

    tmp = Path(tempfile.mkdtemp(prefix="nlp-review-load-"))
    out = []
    for seed in SEEDS:
        out.append((seed.name, seed.read_bytes()))
        seed_to_docx(seed, tmp / (seed.stem + ".docx"))
        out.append((seed.stem + ".docx", (tmp / (seed.stem + ".docx")).read_bytes()))
    return out


def load(url: str, files: list[tuple[str, bytes]], clients: int, seconds: float,
         stop: threading.Event | None = None) -> dict:
    """`clients` threads posting in a loop for `seconds` (or until `stop`); every outcome recorded."""
    stop_at = time.monotonic() + seconds
    stop = stop or threading.Event()
    lock = threading.Lock()
    done: list[dict] = []

    def client(k: int) -> None:
        i = k
        with httpx.Client(timeout=600) as c:
            while time.monotonic() < stop_at and not stop.is_set():
                name, data = files[i % len(files)]
                i += clients
                t0 = time.monotonic()
                rec = {"file": name, "t0": t0}
                try:
                    r = c.post(url + "/v1/reviews", files={"file": (name, data)})
                    rec["status"] = r.status_code
                    if r.status_code == 201:
                        body = r.json()
                        rec["id"] = body["id"]
                        rec["findings"] = [f["id"] + f["rule"] for f in body["findings"]]
                        rec["text_len"] = len(body["text"])
                    else:
                        rec["error"] = r.text[:200]
                except httpx.HTTPError as e:
                    rec["status"], rec["error"] = -1, repr(e)
                rec["latency"] = time.monotonic() - t0
                with lock:
                    done.append(rec)

    t0 = time.monotonic()
    with cf.ThreadPoolExecutor(clients) as ex:
        list(ex.map(client, range(clients)))
    return {"records": done, "wall_s": time.monotonic() - t0}


def read_back(url: str, records: list[dict]) -> list[dict]:
    """Acknowledged reviews whose stored copy is missing or differs."""
    lost = []
    with httpx.Client(timeout=60) as c:
        for rec in records:
            if rec.get("status") != 201:
                continue
            r = c.get(f"{url}/v1/reviews/{rec['id']}")
            ok = r.status_code == 200 and [f["id"] + f["rule"] for f in r.json()["findings"]] == rec["findings"] \
                and len(r.json()["text"]) == rec["text_len"]
            if not ok:
                lost.append({"id": rec["id"], "status": r.status_code})
    return lost


def summarize(run: dict, lost: list[dict]) -> dict:
    recs = run["records"]
    ok = [r for r in recs if r.get("status") == 201]
    lat = [r["latency"] for r in ok]
    return {"requests": len(recs), "reviews": len(ok), "errors": len(recs) - len(ok), "lost": len(lost),
            "p50_s": round(pct(lat, 0.5), 2), "p95_s": round(pct(lat, 0.95), 2),
            "max_s": round(max(lat, default=0), 2), "reviews_per_s": round(len(ok) / run["wall_s"], 2),
            "wall_s": round(run["wall_s"], 1), "error_samples": [r.get("error") for r in recs if r.get("status") != 201][:3]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--url", help="an already running service (default: start one)")
    args = ap.parse_args()
    files = uploads()
    svc = None
    url = args.url
    if url is None:
        from tests.fuzz.harness import Service

        svc = Service(args.processes)
        url = svc.url
    try:
        ready = svc.wait_ready(review=files[0][1]) if svc else 0.0
        # every worker warm before the clock starts
        with cf.ThreadPoolExecutor(args.processes) as ex:
            list(ex.map(lambda f: httpx.post(url + "/v1/reviews", files={"file": f}, timeout=900), files[:args.processes]))
        load1 = os.getloadavg()
        run = load(url, files, args.clients, args.seconds)
        load2 = os.getloadavg()
        lost = read_back(url, run["records"])
        healthy = httpx.get(url + "/healthz", timeout=30).status_code == 200
    finally:
        stop = svc.stop() if svc else (0.0, [])
    out = summarize(run, lost)
    out.update(clients=args.clients, seconds=args.seconds, processes=args.processes, cpus=os.cpu_count(),
               ready_s=round(ready, 1), healthy_after=healthy, loadavg_before=load1, loadavg_after=load2,
               stop_s=round(stop[0], 2), processes_left=len(stop[1]))
    print("| clients | seconds | worker processes | requests | errors | lost | p50 s | p95 s | reviews/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.clients} | {args.seconds:g} | {args.processes} | {out['requests']} | {out['errors']} | "
          f"{out['lost']} | {out['p50_s']} | {out['p95_s']} | {out['reviews_per_s']} |")
    print(json.dumps(out, ensure_ascii=False))
    return 0 if out["errors"] == 0 and out["lost"] == 0 and healthy else 1


if __name__ == "__main__":
    sys.exit(main())
