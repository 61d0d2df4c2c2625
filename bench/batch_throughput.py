"""`nlp-review batch` throughput (issue 15): the same files with 1 and 2 local workers, and
on a local Ray cluster with one and with two nodes (`ray.cluster_utils.Cluster`: a head
and a second node, one CPU each, as `ray start --head` + `ray start --address` make them).

    nice -n 10 .venv/bin/python bench/batch_throughput.py [--files 120] [--no-ray]

Input: the 182 report excerpts and the five seeds (the first --files of them). Each run
writes a fresh output; the clock starts once every worker has loaded its models
(`load` is reported apart) and covers the three stages (read, near-copies, review).
Prints one JSON object per run and the speed-ups; asserts only that the outputs agree.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from nlp_review.batch.inputs import list_inputs  # noqa: E402
from nlp_review.batch.runner import LocalExecutor, run_batch  # noqa: E402

FILES = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt")) + sorted((ROOT / "corpus" / "elements" / "docs").glob("0*.txt"))


def records(out: Path) -> dict:
    res = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        r.pop("timing_ms", None)
        res[r["source"]["path"]] = r
    return res


class MeasuredExecutor(LocalExecutor):
    """The local pool, with the CPU time its workers and the driver spend once the models are
    loaded: on a machine other jobs share, wall-clock speed-ups say little, CPU seconds do."""

    def __init__(self, workers: int, options: dict):
        super().__init__(workers, options)
        self.procs = [psutil.Process(p.pid) for p in self.processes()]
        self.cpu0 = self._cpu()

    def _cpu(self) -> tuple[float, float]:
        me = psutil.Process().cpu_times()
        return sum(sum(p.cpu_times()[:2]) for p in self.procs), me.user + me.system

    def close(self, abort: bool = False) -> None:
        w1, d1 = self._cpu()
        self.cpu = (round(w1 - self.cpu0[0], 1), round(d1 - self.cpu0[1], 1))
        super().close(abort)


def one_run(label: str, src: Path, tmp: Path, factory) -> tuple[dict, dict]:
    out = tmp / label / "results.jsonl"
    load0 = os.getloadavg()[0]
    made = []

    def make():
        made.append(factory())
        return made[-1]

    s = run_batch(list_inputs(str(src)), out, None, {}, make)
    work = sum(v for k, v in s.seconds.items() if k != "load")
    n = s.reviewed + s.errors
    row = {"run": label, "files": n, "load_s": s.seconds.get("load"), "stage_s": s.seconds,
           "seconds": round(work, 1), "reports_per_s": round(n / work, 3), "reports_per_hour": round(3600 * n / work),
           "load_average_before_after": [round(load0, 1), round(os.getloadavg()[0], 1)]}
    cpu = getattr(made[0], "cpu", None)
    if cpu:  # workers' and driver's CPU seconds after loading; the wall time an idle machine with
        # w cores would need is about max(driver, workers / w) (the driver overlaps the workers)
        row.update(worker_cpu_s=cpu[0], driver_cpu_s=cpu[1], cpu_s_per_report=round((cpu[0] + cpu[1]) / n, 3))
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row, records(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=120)
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    src = tmp / "in"
    src.mkdir()
    for p in FILES[:args.files]:
        shutil.copy(p, src / p.name)
    print(f"{args.files} files; {os.cpu_count()} CPUs; load average {os.getloadavg()}", file=sys.stderr)
    rows, outs = {}, {}
    for w in (1, 2):
        rows[w], outs[w] = one_run(f"local-{w}", src, tmp, lambda w=w: MeasuredExecutor(w, {}))
    assert outs[1] == outs[2]
    one, two = rows[1], rows[2]
    print(json.dumps({"speedup_local_2_vs_1": round(two["reports_per_s"] / one["reports_per_s"], 2),
                      # what an idle 2-core machine would give, from the CPU seconds measured
                      "speedup_2_vs_1_from_cpu": round(max(one["driver_cpu_s"], one["worker_cpu_s"]) /
                                                       max(two["driver_cpu_s"], two["worker_cpu_s"] / 2), 2)}))
    if not args.no_ray:
        from ray.cluster_utils import Cluster

        from nlp_review.batch.ray_run import RayExecutor

        ray_tmp = Path("/tmp") / f"rb{os.getpid()}"
        (ray_tmp / "ray").mkdir(parents=True)
        os.environ["RAY_TMPDIR"] = str(ray_tmp)
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
        try:
            r1, o1 = one_run("ray-1-node", src, tmp, lambda: RayExecutor(cluster.address, {}))
            import ray

            ray.shutdown()
            cluster.add_node(num_cpus=1)
            cluster.wait_for_nodes()
            r2, o2 = one_run("ray-2-nodes", src, tmp, lambda: RayExecutor(cluster.address, {}))
            ray.shutdown()
            assert o1 == o2 == outs[1]
            print(json.dumps({"speedup_ray_2_vs_1_node": round(r2["reports_per_s"] / r1["reports_per_s"], 2)}))
        finally:
            cluster.shutdown()
            shutil.rmtree(ray_tmp, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
