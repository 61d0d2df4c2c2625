"""`nlp-review batch --ray [ADDRESS]`: the same stages as the local batch (runner.py) on a
Ray cluster. One actor per CPU of the cluster (or `--workers`) loads the models once
(`work.init`) and runs pass one, pass two and the near-copy map-reduce steps; the steps'
outputs stay in Ray's object store (spilled to disk by Ray when it fills) and only
object references pass through the driver. The driver keeps what the local batch keeps:
the crash-safe output and the work folder.

Files are read by the actors: local paths must be visible on every node (shared storage),
or give a storage URI that pyarrow reads (s3://, gs://, hdfs://).
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator, Optional

from . import work


def _connect(address: Optional[str]) -> None:
    import ray

    if ray.is_initialized():
        return
    kwargs = dict(ignore_reinit_error=True, log_to_driver=False, include_dashboard=False,
                  runtime_env={"env_vars": {"OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}})
    if address is None:
        try:
            ray.init(address="auto", **kwargs)
        except ConnectionError:  # no cluster running here: start one on this machine
            ray.init(**kwargs)
    else:
        ray.init(address=address, **kwargs)


class RayExecutor:
    def __init__(self, address: Optional[str], options: dict, workers: Optional[int] = None):
        import ray

        _connect(address)

        @ray.remote(num_cpus=1)
        class Worker:
            def __init__(self, opts):
                work.init(opts)

            def call(self, fn, task):
                return fn(task)

            def step(self, fn, n_out, *args):
                res = fn(*args)
                return res[0] if n_out == 1 else res

            def ping(self):
                return True

        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.actors = [Worker.remote(options) for _ in range(n)]
        ray.get([a.ping.remote() for a in self.actors])  # models loaded everywhere before timing starts
        self.workers = n

    def map(self, fn: Callable, tasks: Iterable, window: Optional[int] = None,
            on_lost: Optional[Callable] = None) -> Iterator:
        """fn(task) on the actors, two tasks queued per actor, results in completion order
        (`on_lost` is LocalExecutor's: a dead Ray actor is Ray's RayActorError, raised here)."""
        free = [a for a in self.actors for _ in range(2)]
        pending: dict = {}
        for task in tasks:
            while not free:
                yield from self._collect(pending, free)
            actor = free.pop()
            pending[actor.call.remote(fn, task)] = actor
        while pending:
            yield from self._collect(pending, free)

    @staticmethod
    def _collect(pending: dict, free: list) -> Iterator:
        import ray

        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            free.append(pending.pop(ref))
            yield ray.get(ref)

    def steps(self, folder=None) -> "RaySteps":
        return RaySteps(self.actors)

    def close(self, abort: bool = False) -> None:
        import ray

        for a in self.actors:
            ray.kill(a)
        self.actors = []


class RaySteps:
    """nearcopy.near_copies' step runner on Ray: each task an actor call whose arguments
    are the previous steps' object references (Ray resolves them where the call runs)."""

    def __init__(self, actors: list):
        self.actors = actors

    def run(self, name: str, fn: Callable, tasks: Iterable[tuple], n_out: int) -> list[list]:
        import ray

        out = []
        for t, args in enumerate(tasks):
            actor = self.actors[t % len(self.actors)]
            refs = actor.step.options(num_returns=n_out).remote(fn, n_out, *args)
            out.append([refs] if n_out == 1 else list(refs))
        flat = [r for refs in out for r in refs]
        ray.wait(flat, num_returns=len(flat), fetch_local=False)  # a barrier between steps
        return out

    def fetch(self, handle):
        import ray

        return ray.get(handle)
