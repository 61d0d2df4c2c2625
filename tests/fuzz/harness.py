"""Fuzz harness: every corpus input through `nlp-review check` (and, with --service, through
a live `nlp-review serve`), with a report of exit codes, time, peak resident memory and the
validity of every successful output.

    .venv/bin/python -m tests.fuzz --out fuzz-report            # full run (≥ 2,000 inputs)
    .venv/bin/python -m tests.fuzz --fast --out /tmp/fz          # one input per family × format
    .venv/bin/python -m tests.fuzz --service --out fuzz-report   # also against the service

`check` runs as the real CLI entry point (`nlp_review.cli.main(["check", path])`) in a
process forked from a harness that has loaded the models once (`--mode fork`, default), or
as the installed console script (`--mode cli`, ~5 s more per input for loading). Either
way the CLI's own guard forks the review child, so what is measured — exit code, wall
time, peak RSS of the process tree (wait4's ru_maxrss covers the reaped review child) — is
what a user of `check` gets.

An input passes when: the exit code is 0, 1 or 2; the run took ≤ 60 s and stayed ≤ 1 GB
resident; on 0/1 stdout is contract JSON that validates against the schema with
`text[start:end] == quote` for every finding; on 2 stdout is empty and stderr is one
Chinese message; stderr never holds a traceback or an English-only line (pdfminer). In the
service: no 5xx, every 201 valid like the CLI output, every 4xx a Chinese JSON error, and
the server healthy (and still reviewing) afterwards.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "data" / "contract" / "review.schema.json").read_text(encoding="utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_WALL_S = 62.0  # the guard stops a review at 60 s; + process start and exit
MAX_RSS_MB = 1024.0
HARD_KILL_S = 180.0  # the harness's own backstop: a run this long is a hang of the guard itself


def validate_contract(out: dict) -> list[str]:
    import jsonschema

    problems = []
    try:
        jsonschema.validate(out, SCHEMA)
    except jsonschema.ValidationError as e:
        problems.append(f"schema: {e.message[:200]}")
    text = out.get("text") or ""
    for f in out.get("findings") or []:
        if text[f.get("start", 0):f.get("end", 0)] != f.get("quote"):
            problems.append(f"quote mismatch in {f.get('rule')} at {f.get('start')}")
    return problems


def judge_cli(rc: int, stdout: bytes, stderr: bytes, wall_s: float, rss_mb: float) -> list[str]:
    problems = []
    err = stderr.decode("utf-8", "replace")
    if rc not in (0, 1, 2):
        problems.append(f"exit code {rc}")
    if wall_s > MAX_WALL_S:
        problems.append(f"wall {wall_s:.1f} s > {MAX_WALL_S:g} s")
    if rss_mb > MAX_RSS_MB:
        problems.append(f"peak RSS {rss_mb:.0f} MB > {MAX_RSS_MB:g} MB")
    if "Traceback" in err:
        problems.append("traceback on stderr")
    english = [ln for ln in err.splitlines() if ln.strip() and not CJK.search(ln)]
    if english:
        problems.append(f"non-Chinese stderr: {english[0][:120]}")
    if rc in (0, 1):
        try:
            problems += validate_contract(json.loads(stdout))
        except (ValueError, UnicodeDecodeError) as e:
            problems.append(f"stdout is not JSON: {e}")
    elif rc == 2:
        if stdout.strip():
            problems.append("exit 2 with output on stdout")
        if not err.startswith("nlp-review: 无法审查："):
            problems.append(f"exit 2 without the Chinese message: {err[:120]!r}")
    return problems


# --- the CLI runs -----------------------------------------------------------------------------


def warm() -> None:
    """Load every model in the harness, so that forked runs start warm."""
    from nlp_review.pipeline import review_path
    from tests.renderers import SEEDS

    review_path(SEEDS[3])


def _spawn(path: Path, out_dir: Path, mode: str) -> int:
    so = os.open(out_dir / (path.name + ".out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    se = os.open(out_dir / (path.name + ".err"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    if mode == "cli":
        exe = str(ROOT / ".venv" / "bin" / "nlp-review")
        pid = os.posix_spawn(exe, [exe, "check", str(path)], os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, so, 1), (os.POSIX_SPAWN_DUP2, se, 2)])
        os.close(so)
        os.close(se)
        return pid
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        rc = 70
        try:
            os.dup2(so, 1)
            os.dup2(se, 2)
            from nlp_review.cli import main

            rc = main(["check", str(path)])
            sys.stdout.flush()
            sys.stderr.flush()
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 70
        except BaseException:  # noqa: BLE001 - a crash of the CLI itself: reported by its code
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(rc)
    os.close(so)
    os.close(se)
    return pid


def run_cli(items: list, out_dir: Path, jobs: int = 2, mode: str = "fork", log=None) -> list[dict]:
    """Run `check` on every (input, path); at most `jobs` at once. One record per input."""
    if mode == "fork":
        warm()
    queue = list(items)
    running: dict[int, tuple] = {}
    results = []
    while queue or running:
        while queue and len(running) < jobs:
            item, path = queue.pop(0)
            running[_spawn(path, out_dir, mode)] = (item, path, time.monotonic())
        pid, status, ru = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for p, (_item, _path, t0) in running.items():
                if now - t0 > HARD_KILL_S:
                    os.kill(p, signal.SIGKILL)
            time.sleep(0.02)
            continue
        if pid not in running:
            continue
        item, path, t0 = running.pop(pid)
        wall = time.monotonic() - t0
        rc = os.waitstatus_to_exitcode(status)
        stdout = (out_dir / (path.name + ".out")).read_bytes()
        stderr = (out_dir / (path.name + ".err")).read_bytes()
        rss_mb = ru.ru_maxrss / 1024
        rec = {"name": item.name, "family": item.family, "format": item.fmt, "bytes": path.stat().st_size,
               "rc": rc, "wall_s": round(wall, 2), "rss_mb": round(rss_mb, 1),
               "message": stderr.decode("utf-8", "replace").strip()[:160],
               "problems": judge_cli(rc, stdout, stderr, wall, rss_mb)}
        results.append(rec)
        (out_dir / (path.name + ".out")).unlink()
        (out_dir / (path.name + ".err")).unlink()
        if log:
            log(rec)
    return results


# --- the service run --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_pids(pgid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != b"Z":
                    out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


class Service:
    """`nlp-review serve` in its own session (process group), with a temporary data dir."""

    def __init__(self, processes: int = 2, env: dict | None = None, data_dir: Path | None = None, port: int = 0):
        self.port = port or free_port()
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="nlp-review-svc-"))
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(self.data_dir / "server.log", "ab")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "nlp-review"), "serve", "--port", str(self.port), "--processes",
             str(processes)], cwd=ROOT, start_new_session=True, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, "NLP_REVIEW_DATA_DIR": str(self.data_dir), **(env or {})})
        self.pgid = self.proc.pid

    def wait_ready(self, timeout: float = 900, review: bytes | None = None) -> float:
        """Healthy, and (with `review`) one review through every path done: seconds taken."""
        import httpx

        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        if review is not None:
            r = httpx.post(self.url + "/v1/reviews", files={"file": ("warm.txt", review)}, timeout=timeout)
            r.raise_for_status()
        return time.monotonic() - t0

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> tuple[float, list[int]]:
        """Signal the server; (seconds until it exited, pids of its group still alive after 5 s)."""
        t0 = time.monotonic()
        try:
            os.kill(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        took = time.monotonic() - t0
        deadline = time.monotonic() + 5
        left = group_pids(self.pgid)
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = group_pids(self.pgid)
        for p in left:  # never leave anything behind on a shared machine
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        return took, left

    def worker_rss_mb(self) -> float:
        total = 0.0
        for p in group_pids(self.pgid):
            if p == self.proc.pid:
                continue
            try:
                with open(f"/proc/{p}/statm") as fh:
                    total = max(total, int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20)
            except OSError:
                pass
        return total


def judge_http(status: int, body: bytes) -> list[str]:
    problems = []
    if status >= 500:
        problems.append(f"HTTP {status}")
    try:
        data = json.loads(body)
    except ValueError:
        return problems + [f"HTTP {status} body is not JSON"]
    if status == 201:
        data.pop("id", None)
        data.pop("links", None)
        problems += validate_contract(data)
    elif status >= 400 and not CJK.search(str(data.get("message", ""))):
        problems.append(f"HTTP {status} without a Chinese message")
    return problems


def run_service(items: list, processes: int = 2, clients: int = 4, log=None) -> dict:
    import concurrent.futures as cf

    import httpx

    from tests.renderers import SEEDS

    svc = Service(processes)
    seed = SEEDS[3].read_bytes()
    results, peak = [], [0.0]
    try:
        ready_s = svc.wait_ready(review=seed)
        stop = threading.Event()

        def sample():
            while not stop.wait(0.5):
                peak[0] = max(peak[0], svc.worker_rss_mb())
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        def post(pair):
            item, path = pair
            t0 = time.monotonic()
            try:
                with httpx.Client(timeout=600) as c:
                    r = c.post(svc.url + "/v1/reviews", files={"file": (path.name, path.read_bytes())})
                status, body = r.status_code, r.content
            except httpx.HTTPError as e:
                status, body = -1, repr(e).encode()
            try:
                error = json.loads(body).get("error") if status >= 400 else None
            except (ValueError, AttributeError):
                error = None
            rec = {"name": item.name, "family": item.family, "format": item.fmt, "status": status, "error": error,
                   "wall_s": round(time.monotonic() - t0, 2),
                   "problems": judge_http(status, body) if status > 0 else [f"connection: {body[:120]!r}"]}
            if log:
                log(rec)
            return rec
        with cf.ThreadPoolExecutor(clients) as ex:
            results = list(ex.map(post, items))
        stop.set()
        health = httpx.get(svc.url + "/healthz", timeout=30).status_code
        after = httpx.post(svc.url + "/v1/reviews", files={"file": ("after.txt", seed)}, timeout=600).status_code
    finally:
        stop_s, left = svc.stop()
    return {"results": results, "ready_s": round(ready_s, 1), "healthz_after": health, "review_after": after,
            "peak_worker_rss_mb": round(peak[0], 1), "stop_s": round(stop_s, 2), "left_after_stop": left}


# --- report -----------------------------------------------------------------------------------


def summarize(cli: list[dict], service: dict | None) -> tuple[str, dict]:
    fams = collections.defaultdict(list)
    for r in cli:
        fams[r["family"]].append(r)
    lines = ["| family | inputs | formats | exit 0 | exit 1 | exit 2 | other | max s | max RSS MB | failed |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for fam, rs in sorted(fams.items()):
        c = collections.Counter(r["rc"] for r in rs)
        lines.append(f"| {fam} | {len(rs)} | {', '.join(sorted({r['format'] for r in rs}))} | {c[0]} | {c[1]} | "
                     f"{c[2]} | {sum(v for k, v in c.items() if k not in (0, 1, 2))} | "
                     f"{max(r['wall_s'] for r in rs):.1f} | {max(r['rss_mb'] for r in rs):.0f} | "
                     f"{sum(1 for r in rs if r['problems'])} |")
    total = collections.Counter(r["rc"] for r in cli)
    stats = {"inputs": len(cli), "exit_codes": dict(sorted(total.items())),
             "max_wall_s": max((r["wall_s"] for r in cli), default=0),
             "max_rss_mb": max((r["rss_mb"] for r in cli), default=0),
             "failed": [r for r in cli if r["problems"]]}
    lines.append(f"| **all** | {len(cli)} | | {total[0]} | {total[1]} | {total[2]} | "
                 f"{sum(v for k, v in total.items() if k not in (0, 1, 2))} | {stats['max_wall_s']:.1f} | "
                 f"{stats['max_rss_mb']:.0f} | {len(stats['failed'])} |")
    msgs = collections.Counter(r["message"].split("：", 2)[-1][:40] for r in cli if r["rc"] == 2)
    lines += ["", "Most frequent refusals (exit 2):", ""] + [f"- {n} × {m}" for m, n in msgs.most_common(12)]
    if service is not None:
        st = collections.Counter(r["status"] for r in service["results"])
        codes = collections.Counter(f"{r['status']} {r.get('error')}" for r in service["results"] if r["status"] >= 400)
        bad = [r for r in service["results"] if r["problems"]]
        stats["service"] = {"statuses": dict(sorted(st.items())), "failed": bad,
                            **{k: v for k, v in service.items() if k != "results"}}
        lines += ["", f"Service: {len(service['results'])} uploads, statuses {dict(sorted(st.items()))}, "
                      f"5xx {sum(v for k, v in st.items() if k >= 500)}, failed {len(bad)}; /healthz after: "
                      f"{service['healthz_after']}, a seed review after: {service['review_after']}; peak worker RSS "
                      f"{service['peak_worker_rss_mb']} MB; stopped in {service['stop_s']} s, processes left: "
                      f"{len(service['left_after_stop'])}.", "",
                  "Service refusals: " + ", ".join(f"{n} × {c}" for c, n in codes.most_common())]
    return "\n".join(lines), stats


def _logger(fh, prefix: str):
    """Write each record as a JSON line (flushed: a killed run keeps what it did); say failures."""
    def log(rec: dict) -> None:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        fh.flush()
        if rec["problems"]:
            print(f"{prefix} {rec['name']}: {rec['problems']}", file=sys.stderr)
    return log


def main(argv: list[str] | None = None) -> int:
    from tests.fuzz.corpus import plan, write

    ap = argparse.ArgumentParser(prog="python -m tests.fuzz")
    ap.add_argument("--out", default="fuzz-report")
    ap.add_argument("--fast", action="store_true", help="one input per family × format")
    ap.add_argument("--scale", type=float, default=1.0, help="inputs per (family, format, seed) × this")
    ap.add_argument("--only", help="comma-separated families")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--mode", choices=("fork", "cli"), default="fork")
    ap.add_argument("--service", action="store_true", help="also post every input to a live `nlp-review serve`")
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--corpus", help="write the corpus here and keep it (default: a temporary directory)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    items = plan(full=not args.fast, scale=args.scale)
    if args.only:
        keep = set(args.only.split(","))
        items = [x for x in items if x[0] in keep]
    corpus_dir = Path(args.corpus) if args.corpus else Path(tempfile.mkdtemp(prefix="nlp-review-fuzz-"))
    t0 = time.monotonic()
    written = write(items, corpus_dir)
    print(f"corpus: {len(written)} inputs in {corpus_dir} ({time.monotonic() - t0:.0f} s)", file=sys.stderr)
    logf = open(out / "results.jsonl", "w", encoding="utf-8")
    cli = [] if args.no_cli else run_cli(written, out, args.jobs, args.mode, _logger(logf, "FAIL"))
    logf.close()
    service = None
    if args.service:
        with open(out / "service.jsonl", "w", encoding="utf-8") as slog:
            service = run_service(written, log=_logger(slog, "FAIL service"))
    table, stats = summarize(cli, service)
    stats["seconds"] = round(time.monotonic() - t0)
    (out / "summary.md").write_text(table + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table)
    bad = stats["failed"] or (service is not None and (
        stats["service"]["failed"] or stats["service"]["healthz_after"] != 200
        or stats["service"]["review_after"] != 201 or stats["service"]["left_after_stop"]))
    return 1 if bad else 0
