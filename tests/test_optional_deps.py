"""torch and transformers are the optional `[train]` extra: reviewing never imports them.
`nlp-review check` is run with `python -X importtime`; `nlp-review serve` as a real server
(one worker process) with PYTHONPROFILEIMPORTTIME, reviewing a seed and a /v2/check
fragment, so every module a review loads, in the server and in its worker, is listed."""
from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from .conftest import ROOT, SEEDS

TRAIN_ONLY = ("torch", "transformers")
TRAIN_AND_TEST_ONLY = ("sklearn", "scipy", "joblib", "datasketch")


def _env(**extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def imported_modules(importtime_stderr: str) -> set[str]:
    """Top-level packages that -X importtime shows loaded. A probe that fails (thinc's
    `try: import torch`, with torch hidden) is listed as the bare package name alone; a package
    that really loads lists its submodules too (torch._C, transformers.utils …)."""
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "imported package":
                names.add(name)
    return {n.split(".")[0] for n in names if "." in n} | {n for n in names if "." not in n and
                                                           any(m.startswith(n + ".") for m in names)}


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch not installed: no control run")
def test_the_check_sees_torch_when_it_is_imported():
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", "import torch"], capture_output=True, text=True,
                         env=_env(), timeout=300)
    assert "torch" in imported_modules(res.stderr)


def test_check_imports_neither_torch_nor_transformers():
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "nlp_review.cli", "check", str(SEEDS[3])],
                         capture_output=True, text=True, env=_env(), timeout=600, cwd=ROOT)
    assert res.returncode in (0, 1), res.stderr[-2000:]
    mods = imported_modules(res.stderr)
    assert {"nlp_review", "spacy", "jieba", "thinc"} <= mods  # the run really reviewed the report
    assert not mods & set(TRAIN_ONLY), mods & set(TRAIN_ONLY)
    # the element classifier and the commonness index run on numpy arrays (seconds of start-up less)
    assert not mods & set(TRAIN_AND_TEST_ONLY), mods & set(TRAIN_AND_TEST_ONLY)


def test_a_fragment_loads_no_report_model():
    """The LanguageTool path (/v2/check → review_fragment) loads neither the element model nor
    the boilerplate model: a fresh process checks a fragment, then a whole report."""
    code = ("import json; from nlp_review.models import store; from nlp_review.pipeline import review_fragment, review_path\n"
            "review_fragment('本年度，本机关为收取信息公开处理费。')\n"
            "print(json.dumps(sorted(k[2] for k in store._CACHE)))\n"
            f"review_path({str(SEEDS[0])!r})\n"
            "print(json.dumps(sorted(k[2] for k in store._CACHE)))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=600,
                         cwd=ROOT)
    assert res.returncode == 0, res.stderr[-2000:]
    fragment, report = (set(json.loads(line)) for line in res.stdout.strip().splitlines()[-2:])
    assert not fragment & {"elements", "boilerplate"} and fragment
    assert {"elements", "boilerplate"} <= report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_imports_neither_torch_nor_transformers(tmp_path):
    port = _free_port()
    log = tmp_path / "serve.err"  # a file, not a pipe: thousands of importtime lines would fill a pipe
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "nlp_review.cli", "serve", "--port", str(port),
                                 "--processes", "1"], stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT,
                                env=_env(PYTHONPROFILEIMPORTTIME="1", NLP_REVIEW_DATA_DIR=str(tmp_path / "data")))
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        r = httpx.post(base + "/v1/reviews", files={"file": (SEEDS[3].name, SEEDS[3].read_bytes())}, timeout=300)
        assert r.status_code == 201 and r.json()["findings"], r.text[:300]
        r = httpx.post(base + "/v2/check", data={"text": "本机关为收取费用。", "language": "zh-CN"}, timeout=120)
        assert r.status_code == 200 and r.json()["matches"]
    finally:
        proc.terminate()
        proc.wait(timeout=120)
    mods = imported_modules(log.read_text(encoding="utf-8", errors="replace"))
    assert {"nlp_review", "uvicorn", "spacy", "jieba"} <= mods
    assert not mods & set(TRAIN_ONLY), mods & set(TRAIN_ONLY)
