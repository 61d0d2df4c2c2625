"""kill -9 of `nlp-review serve` under load, then a restart: no acknowledged review lost.

    .venv/bin/python bench/service_kill.py                  # 16 clients, 2 cycles of 30 s load then kill -9

Each cycle: start (or restart) the server on the same data directory, load it with N
clients, kill -9 the server process while reviews are in flight, check that no process of
its group is left (the workers die with it), and record every review acknowledged with a
201 so far. After the last cycle the server is started once more and every acknowledged
review is read back (same findings, same text length); the SQLite file passes
`PRAGMA integrity_check`. Prints a Markdown table and the JSON of the run.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.service_load import load, read_back, uploads  # noqa: E402
from tests.fuzz.harness import Service, free_port  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30, help="load before each kill")
    ap.add_argument("--cycles", type=int, default=2)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    files = uploads()
    data_dir = Path(tempfile.mkdtemp(prefix="nlp-review-kill-"))
    port = free_port()
    acked: list[dict] = []
    cycles = []
    for cycle in range(args.cycles):
        svc = Service(args.processes, data_dir=data_dir, port=port)
        try:
            ready = svc.wait_ready(review=files[0][1])
        except BaseException:
            svc.stop(signal.SIGKILL)
            raise
        result: dict = {}
        stop = threading.Event()
        t = threading.Thread(target=lambda: result.update(load(svc.url, files, args.clients, args.seconds + 60, stop)),
                             daemon=True)
        t.start()
        time.sleep(args.seconds)
        killed_at = time.monotonic()
        stop.set()  # no new request after this; those in flight are cut by the kill
        _took, left = svc.stop(signal.SIGKILL)
        t.join(120)
        recs = result.get("records", [])
        ok = [r for r in recs if r.get("status") == 201]
        acked.extend(ok)
        cut = [r for r in recs if r.get("status") != 201 and r["t0"] <= killed_at]
        cycles.append({"cycle": cycle + 1, "ready_s": round(ready, 1), "acknowledged": len(ok),
                       "cut_by_kill": len(cut), "other_errors": len(recs) - len(ok) - len(cut),
                       "processes_left_after_kill_9": len(left)})
    svc = Service(args.processes, data_dir=data_dir, port=port)
    try:
        restart = svc.wait_ready()
        lost = read_back(svc.url, acked)
        healthy = httpx.get(svc.url + "/healthz", timeout=30).status_code == 200
    finally:
        _took, left = svc.stop()
    db = data_dir / "reviews.db"
    integrity = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] if db.exists() else "no db"
    out = {"clients": args.clients, "load_s_before_kill": args.seconds, "cycles": cycles,
           "acknowledged_total": len(acked), "lost": len(lost), "lost_samples": lost[:5],
           "restart_ready_s": round(restart, 1), "healthy_after_restart": healthy, "sqlite_integrity": integrity,
           "processes_left_after_stop": len(left), "loadavg": os.getloadavg()}
    print("| cycle | acknowledged (201) | requests cut by kill -9 | other errors | processes left after kill -9 |")
    print("|---|---|---|---|---|")
    for c in cycles:
        print(f"| {c['cycle']} | {c['acknowledged']} | {c['cut_by_kill']} | {c['other_errors']} | "
              f"{c['processes_left_after_kill_9']} |")
    print(f"\nAfter restart: {len(acked)} acknowledged reviews read back, {len(lost)} lost; "
          f"SQLite integrity_check: {integrity}.")
    print(json.dumps(out, ensure_ascii=False))
    bad = lost or not healthy or integrity != "ok" or any(c["processes_left_after_kill_9"] or c["other_errors"]
                                                          for c in cycles)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
