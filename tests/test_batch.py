"""`nlp-review batch`: the real command (subprocesses, real kill -9, a real Ray cluster).

- `--workers 1`, `--workers 2` and the in-memory reference (every report reviewed on its
  own with the corpus index plus the batch's reports in a `CommonIndex`, last year's
  report read again) give the same results, cross-report near-copies and year-over-year
  copies included;
- killed twice with kill -9 at random points and resumed: each file exactly once in the
  JSONL and the CSV, every line valid JSON, no worker left behind;
- a last line torn inside a multi-byte character (or at an ASCII byte) is repaired;
- `--ray ADDRESS` on a two-node local cluster gives the local results.
"""
from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from nlp_review.batch import journal

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))
EXCERPTS = sorted((ROOT / "corpus" / "elements" / "docs").glob("0*.txt"))
NLP_REVIEW = [sys.executable, "-m", "nlp_review.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _pasted_paragraph() -> str:
    return next(line for line in SEEDS[0].read_text(encoding="utf-8").splitlines()
                if line.startswith("（三）") and len(line) > 40)


# Published web pages as they come (issue 14 item 8): a cover letter to 省政府办公厅 before the
# title, “【字体:】打印” and a flip-book “Page3-” glued to the title, and a text without a
# title in a file named after the report.
REAL_STYLE = {"0005.txt": "0005.txt", "0016.txt": "0016.txt", "0018.txt": "0018.txt",
              "0020.txt": "普宁市公安局2020年政府信息公开工作年度报告.txt"}


def make_dozen(folder: Path) -> Path:
    """Twelve files: five seeds (002 as .docx, 003 as .pdf), four corpus excerpts (REAL_STYLE),
    last year's report of seed 004, seed 001 with a paragraph of seed 000 pasted in (a
    near-copy across agencies), an empty file."""
    from tests.renderers import seed_to_docx, seed_to_pdf

    folder.mkdir(parents=True, exist_ok=True)
    for p in SEEDS:
        if p == SEEDS[2]:
            seed_to_docx(p, folder / (p.stem + ".docx"))
        elif p == SEEDS[3]:
            seed_to_pdf(p, folder / (p.stem + ".pdf"))
        else:
            (folder / p.name).write_bytes(p.read_bytes())
    for name, as_name in REAL_STYLE.items():
        (folder / as_name).write_bytes((EXCERPTS[0].parent / name).read_bytes())
    s4 = SEEDS[4].read_text(encoding="utf-8")
    (folder / "lastyear" / "004_2022.txt").parent.mkdir()
    (folder / "lastyear" / "004_2022.txt").write_text(re.sub(r"2023(?=\s*年)", "2022", s4, count=1), encoding="utf-8")
    target = SEEDS[1].read_text(encoding="utf-8")
    anchor = next(line for line in target.splitlines() if line.startswith("（二）"))
    (folder / "pasted.txt").write_text(target.replace(anchor, _pasted_paragraph() + "\n" + anchor, 1), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def run_batch(src: Path, out: Path, *extra: str, timeout: int = 900) -> subprocess.CompletedProcess:
    res = subprocess.run([*NLP_REVIEW, "batch", str(src), "--out", str(out), "--quiet", *extra],
                         capture_output=True, text=True, timeout=timeout, env=ENV)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Traceback" not in res.stderr
    return res


def results(out: Path) -> dict[str, dict]:
    """path → record (timing_ms dropped), asserting that every line is valid JSON and each
    file appears once."""
    raw = out.read_bytes()
    assert raw.endswith(b"\n")
    records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    paths = Counter(r["source"]["path"] for r in records)
    assert all(n == 1 for n in paths.values()), paths.most_common(3)
    for r in records:
        r.pop("timing_ms", None)
    return {r["source"]["path"]: r for r in records}


def csv_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture(scope="module")
def dozen(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dozen")
    src = make_dozen(tmp / "in")
    outs = {}
    for w in (1, 2):
        out = tmp / f"w{w}" / "results.jsonl"
        run_batch(src, out, "--workers", str(w))
        outs[w] = out
    return {"src": src, "outs": outs, "tmp": tmp}


def in_memory_reference(src: Path) -> dict[str, dict]:
    """The batch as it was before the map-reduce: one CommonIndex in memory (corpus + the
    batch's reports), each report reviewed from its file, last year's read again."""
    from nlp_review.analytics.pairs import pair_consecutive_years, year_report
    from nlp_review.batch.work import near_copy_sentences
    from nlp_review.boilerplate.model import get_model
    from nlp_review.boilerplate.text import fingerprint
    from nlp_review.errors import InputError
    from nlp_review.pipeline import Options, previous_path, read_path, review_bytes
    from nlp_review.report import to_contract

    index = get_model().index.copy()
    reports, shas, years = {}, set(), []
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = str(path.relative_to(src))
        try:
            doc = read_path(path, preset="previous_year")
        except InputError:
            continue
        if doc.source["sha256"] in shas:
            continue
        shas.add(doc.source["sha256"])
        meta = {"key": "batch:" + rel, "agency": doc.agency, "year": doc.year, "file": rel,
                "fingerprint": fingerprint(doc.text)}
        index.add_doc(meta, near_copy_sentences(doc)[0])
        reports[rel] = path
        years.append(year_report(path, doc.text, doc.title, path.name, doc.year))
    pairing = pair_consecutive_years(years)
    out = {}
    for rel, path in reports.items():
        options = Options()
        options.extra["boilerplate_index"] = index
        options.extra["boilerplate_self"] = "batch:" + rel
        prev = pairing.previous_of(path)
        options.previous = previous_path(prev) if prev else None
        result = to_contract(review_bytes(path.read_bytes(), path.name, options))
        result["source"]["path"] = rel
        result.pop("timing_ms", None)
        out[rel] = result
    return out


def _rules(r: dict, *rules: str) -> list[dict]:
    return [f for f in r["findings"] if f["rule"] in rules]


def test_workers_1_and_2_and_the_in_memory_index_agree(dozen):
    one, two = results(dozen["outs"][1]), results(dozen["outs"][2])
    assert one == two
    assert len(one) == 11  # twelve files, one empty
    ref = in_memory_reference(dozen["src"])
    assert one.keys() == ref.keys()
    for rel in ref:
        assert one[rel] == ref[rel], rel
    # the batch found what it is for: a paragraph shared across agencies, both ways …
    shared = {rel: _rules(r, "BOILERPLATE.SHARED_ACROSS_REPORTS") for rel, r in one.items()}
    assert shared["pasted.txt"] and all(f["quote"] in _pasted_paragraph() for f in shared["pasted.txt"])
    assert {f["evidence"]["closest"]["file"] for f in shared["pasted.txt"]} == {SEEDS[0].name}
    assert {f["evidence"]["closest"]["file"] for f in shared[SEEDS[0].name]} == {"pasted.txt"}
    # … and last year's report of the same agency
    copies = _rules(one[SEEDS[4].name], "BOILERPLATE.COPIED_PARAGRAPH", "BOILERPLATE.COPIED_SENTENCE")
    assert copies and all(f["evidence"]["previous_report"]["year"] == 2022 for f in copies)
    # CSV: one row per file, errors included
    for w in (1, 2):
        rows = csv_rows(dozen["outs"][w].with_suffix(".csv"))
        assert sorted(r["file"] for r in rows) == sorted([*one, "empty.txt"])
        assert {r["status"] for r in rows if r["file"] == "empty.txt"} == {"error"}
        assert not (dozen["outs"][w].parent / "results.jsonl.work" / "docs.sqlite").exists()


def test_csv_names_who_published_each_report(dozen):
    """Issue 14 item 8: the CSV's title, agency, level, region and year come from the publisher
    parser, not from the first lines the structure layer saw (a cover letter, page chrome)."""
    rows = {r["file"]: r for r in csv_rows(dozen["outs"][2].with_suffix(".csv"))}
    got = {f: tuple(rows[f][k] for k in ("title", "agency", "level", "region", "region_code", "year"))
           for f in REAL_STYLE.values()}
    assert got == {
        "0005.txt": ("福建省卫生健康委员会2023年政府信息公开工作年度报告", "福建省卫生健康委员会", "省级", "福建省",
                     "350000000000", "2023"),
        "0016.txt": ("2022年度螅镇政府信息公开工作年度报告", "螅镇人民政府", "乡镇", "螅镇", "", "2022"),
        "0018.txt": ("威海市文登区综合行政执法局2021年政府信息公开工作年度报告", "威海市文登区综合行政执法局", "县级",
                     "山东省 / 威海市 / 文登区", "371003000000", "2021"),
        "普宁市公安局2020年政府信息公开工作年度报告.txt": (
            "普宁市公安局2020年政府信息公开工作年度报告", "普宁市公安局", "县级", "广东省 / 揭阳市 / 普宁市",
            "445281000000", "2020"),
    }
    reviews = results(dozen["outs"][2])
    assert reviews["0018.txt"]["report"]["agency"].startswith("Page3")  # what the CSV showed before
    for f, r in rows.items():
        if r["status"] == "ok":  # every report has a title, an agency, a level and a year, none of them chrome
            assert r["title"] and r["agency"] and r["level"] and r["year"], (f, r)
            assert not re.search(r"Page|字体|打印|[:：>|]|根据", r["title"] + r["agency"]), (f, r)
    assert rows[SEEDS[4].name]["agency"] == rows["lastyear/004_2022.txt"]["agency"]


def test_second_run_skips_everything(dozen, tmp_path):
    out = dozen["outs"][2]
    before = out.read_bytes()
    res = run_batch(dozen["src"], out, "--workers", "2")
    assert out.read_bytes() == before
    assert "新审查 0 份" in res.stderr and "跳过 12 份" in res.stderr


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _kill_hard(proc: subprocess.Popen) -> None:
    """kill -9 of the batch process only, as the OOM killer or a power cut would; its pool
    workers must follow it."""
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [w for w in workers if _alive(w)], "pool workers outlived the batch process"


def _popen(src: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([*NLP_REVIEW, "batch", str(src), "--out", str(out), "--quiet", "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.slow
def test_killed_twice_at_random_points_then_resumed(tmp_path):
    seed = int(os.environ.get("NLP_REVIEW_KILL_SEED", time.time_ns() % 10**6))
    rng = random.Random(seed)
    print(f"kill seed {seed} (NLP_REVIEW_KILL_SEED to repeat)")
    src = tmp_path / "in"
    src.mkdir()
    files = SEEDS + EXCERPTS[:14]
    for p in files:
        (src / p.name).write_bytes(p.read_bytes())
    (src / "empty.txt").write_bytes(b"")
    out = tmp_path / "results.jsonl"
    # kill 1: while results are being written
    proc = _popen(src, out)
    deadline = time.monotonic() + 600
    # after a random number of results (a sleep of random length finished the whole run on
    # a quiet machine, ≈ 13 reports/s): the kill lands mid-run whatever the machine's speed
    target = rng.randint(1, len(files) - 3)
    while _lines(out) < target and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.03))
    _kill_hard(proc)
    first = _lines(out)
    assert proc.returncode == -signal.SIGKILL and first < len(files), "the first run ended before its kill"
    # kill 2: anywhere in the second run — loading, reading, near-copies (k = 0), or after
    # its k-th new result
    proc = _popen(src, out)
    k = rng.randint(0, len(files) - first - 2)
    if k == 0:  # before its first new result, however fast the machine
        end = time.monotonic() + rng.uniform(0.5, 15.0)
        while time.monotonic() < end and _lines(out) == first and proc.poll() is None:
            time.sleep(0.01)
    else:
        while _lines(out) < first + k and proc.poll() is None:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.2))
    _kill_hard(proc)
    assert proc.returncode == -signal.SIGKILL, "the second run ended before its kill"
    assert _lines(out) >= first
    res = run_batch(src, out, "--workers", "2")
    got = results(out)  # every line valid JSON, each file once
    assert sorted(got) == sorted(p.name for p in files)
    errors = [json.loads(line) for line in (tmp_path / "results.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["file"] for e in errors] == ["empty.txt"]
    rows = csv_rows(tmp_path / "results.csv")  # the CSV complete and in step with the JSONL
    assert Counter(r["file"] for r in rows) == Counter([*got, "empty.txt"])
    assert all(r["sha256"] == got[r["file"]]["source"]["sha256"] and r["sections_found"]
               for r in rows if r["status"] == "ok")
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("cut", ["multibyte", "ascii"])
def test_torn_last_line_is_repaired(tmp_path, cut):
    src = tmp_path / "in"
    src.mkdir()
    for p in SEEDS[:3]:
        (src / p.name).write_bytes(p.read_bytes())
    out = tmp_path / "results.jsonl"
    run_batch(src, out, "--workers", "1")
    whole = results(out)
    raw = out.read_bytes()
    last_start = raw.rstrip(b"\n").rfind(b"\n") + 1
    last = raw[last_start:]
    if cut == "multibyte":  # inside a Chinese character: a UTF-8 continuation byte
        k = next(i for i in range(len(last) // 2, len(last)) if 0x80 <= last[i] < 0xC0)
    else:
        k = last.index(b'"findings"')
    out.write_bytes(raw[:last_start + k])
    torn = json.loads(last)["source"]["path"]
    # the CSV torn too, mid-row
    c = (tmp_path / "results.csv").read_bytes()
    (tmp_path / "results.csv").write_bytes(c[:len(c) - 10])
    with pytest.raises(UnicodeDecodeError if cut == "multibyte" else json.JSONDecodeError):
        json.loads(out.read_bytes().decode("utf-8").splitlines()[-1])
    res = run_batch(src, out, "--workers", "1")
    assert "新审查 1 份" in res.stderr and "跳过 2 份" in res.stderr and "修复" in res.stderr
    again = results(out)
    assert again.keys() == whole.keys() and again[torn] == whole[torn]
    assert Counter(r["file"] for r in csv_rows(tmp_path / "results.csv")) == Counter(list(whole))


def test_near_copy_mapreduce_equals_the_in_memory_index(tmp_path):
    """The map-reduce against CommonIndex on 300 synthetic reports plus the corpus index, in
    many chunks and partitions: every query sentence's matches, identical. The synthetic
    sentences join clauses of different corpus sentences, and whole corpus sentences recur
    with other numbers and place names (as bench/boilerplate_index.py makes them)."""
    import lzma

    from nlp_review.batch import nearcopy as nc
    from nlp_review.boilerplate.index import indexable, signature
    from nlp_review.boilerplate.model import get_model
    from nlp_review.boilerplate.text import norm, shingles, split_sentences

    with lzma.open(ROOT / "corpus" / "boilerplate" / "reports.jsonl.xz", "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    pool = [t[a:b] for t in texts for a, b in split_sentences(t) if indexable(t[a:b])]
    clauses = sorted({c for s in pool for c in re.split(r"[，；。]", s) if len(c) >= 6})
    rng = random.Random(7)
    reports = []
    for d in range(1, 301):
        sents = [re.sub(r"\d+", lambda m: str(rng.randint(1, 99)), rng.choice(pool)) for _ in range(10)]
        sents += ["，".join(rng.sample(clauses, rng.randint(2, 3))) + "。" for _ in range(10)]
        seen, index = set(), []
        for s in sents:
            if norm(s) not in seen:
                seen.add(norm(s))
                index.append(s)
        reports.append(nc.ReportSentences(d, index, sents + [rng.choice(pool)]))
    sigs = nc.signatures([shingles(s) for s in pool[:50]])
    assert (sigs == np.array([signature(shingles(s)) for s in pool[:50]])).all()
    model = get_model()
    corpus = (model.index.sent_doc, model.index.sent_text, model.index.sigs)
    steps = nc.LocalSteps(tmp_path, lambda fn, items: map(fn, items))
    chunks = [reports[i:i + 60] for i in range(0, 300, 60)]
    got = {(q, t): sorted(ms) for part in nc.near_copies(steps, chunks, 300, 60, corpus) for q, t, ms in part}
    index = model.index.copy()
    for r in reports:
        index.add_doc({"key": r.doc}, r.index)
    want = {}
    for r in reports:
        for q in dict.fromkeys(r.query):
            ms = index.query(q, exclude=lambda m, d=r.doc: m.get("key") == d)
            if ms:
                want[(r.doc, q)] = sorted((m.doc["key"] if isinstance(m.doc["key"], int)
                                           else -(model.index.docs.index(m.doc) + 1), m.sentence, m.similarity)
                                          for m in ms)
    assert len(want) > 100 and any(d < 0 for ms in want.values() for d, _, _ in ms)  # corpus sources too
    assert got == want


def test_journal_drops_bad_lines_in_the_middle(tmp_path):
    """What older versions left: a torn line with the redone record glued to it."""
    p = tmp_path / "r.jsonl"
    good = [{"source": {"sha256": f"s{i}", "path": f"f{i}"}, "findings": []} for i in range(3)]
    lines = [json.dumps(g, ensure_ascii=False).encode() for g in good]
    p.write_bytes(lines[0] + b"\n" + lines[1][:20] + lines[2] + b"\n" + "{\"半".encode()[:-1])
    records = []
    bad = journal.scan_records(p, records.append)
    assert [r["source"]["path"] for r in records] == ["f0"] and bad == 2
    assert p.read_bytes() == lines[0] + b"\n"


def test_a_second_batch_on_the_same_output_is_refused(tmp_path):
    from nlp_review.errors import InputError

    first = journal.BatchOutput(tmp_path / "r.jsonl")
    first.open()
    try:
        with pytest.raises(InputError) as e:
            journal.BatchOutput(tmp_path / "r.jsonl").open()
        assert "正在写入" in e.value.message
    finally:
        first.close()
    journal.BatchOutput(tmp_path / "r.jsonl").open()


def test_inputs_from_a_list_and_a_storage_uri(tmp_path):
    from nlp_review.batch.inputs import list_inputs
    from nlp_review.batch.work import read_bytes

    src = make_dozen(tmp_path / "in")
    folder = list_inputs(str(src))
    assert len(folder) == 12 and {"lastyear/004_2022.txt", SEEDS[3].stem + ".pdf"} <= {f.rel for f in folder}
    pytest.importorskip("pyarrow")
    uri = list_inputs(src.resolve().as_uri())
    assert [f.rel for f in uri] == [f.rel for f in folder]
    assert all(read_bytes(u.loc) == Path(f.loc).read_bytes() for u, f in zip(uri, folder))
    lst = tmp_path / "files.txt"
    raw = "file://" + str(src.resolve() / REAL_STYLE["0020.txt"])  # a Chinese file name, not percent-encoded
    lst.write_text("\n".join(["# 清单", *(f"in/{f.rel}" for f in folder[:3]), uri[3].loc, raw]) + "\n",
                   encoding="utf-8")
    listed = list_inputs(str(lst), is_list=True)
    assert len(listed) == 5 and all(read_bytes(f.loc) for f in listed)


@pytest.mark.slow
def test_ray_two_node_cluster_gives_the_local_results(dozen, tmp_path):
    pytest.importorskip("ray")
    from ray.cluster_utils import Cluster

    ray_tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"rt{os.getpid()}"  # Unix socket paths must stay short
    (ray_tmp / "ray").mkdir(parents=True, exist_ok=True)
    old = os.environ.get("RAY_TMPDIR")
    os.environ["RAY_TMPDIR"] = str(ray_tmp)
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        out = tmp_path / "ray.jsonl"
        res = run_batch(dozen["src"], out, "--ray", cluster.address)
        assert "新审查 11 份" in res.stderr
        assert results(out) == results(dozen["outs"][2])
        assert Counter(r["file"] for r in csv_rows(out.with_suffix(".csv"))) == \
            Counter(r["file"] for r in csv_rows(dozen["outs"][2].with_suffix(".csv")))
    finally:
        cluster.shutdown()
        if old is None:
            os.environ.pop("RAY_TMPDIR", None)
        else:
            os.environ["RAY_TMPDIR"] = old
        import shutil

        shutil.rmtree(ray_tmp, ignore_errors=True)
    # its processes are gone
    assert not [p for p in Path("/proc").glob("[0-9]*") if _cmdline(p).find(str(ray_tmp)) >= 0]


def _cmdline(p: Path) -> str:
    try:
        return (p / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


@pytest.mark.parametrize("budget, code, message", [(["--timeout", "5"], "timeout", "审查超时（超过 5 秒）"),
                                                   (["--max-memory-mb", "60"], "memory_limit", "内存超过上限（60 MB）")])
def test_a_file_over_its_review_budget_is_an_error_row_and_the_worker_goes_on(tmp_path, budget, code, message):
    """Batch reviews run under the same per-review budget as `check` and the service (issue #11):
    a 550,000-character report (minutes of review, ~150 MB more) ends as an error record with
    the Chinese message, and the same worker (--workers 1) then reviews the next file."""
    from tests.limits_support import huge_paragraph_text

    src = tmp_path / "in"
    src.mkdir()
    (src / "a_huge.txt").write_text(huge_paragraph_text(SEEDS[3].read_text(encoding="utf-8"), stops=True),
                                    encoding="utf-8")
    (src / "b_seed.txt").write_bytes(SEEDS[0].read_bytes())
    out = tmp_path / "out.jsonl"
    res = run_batch(src, out, "--workers", "1", *budget)
    assert "新审查 1 份，无法读取 1 份" in res.stderr
    rows = {r["file"]: r for r in csv_rows(out.with_suffix(".csv"))}
    assert rows["a_huge.txt"]["status"] == "error" and message in rows["a_huge.txt"]["error"]
    assert rows["b_seed.txt"]["status"] == "ok" and int(rows["b_seed.txt"]["score"]) > 0
    assert list(results(out)) == ["b_seed.txt"]
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["file"], e["error"]) for e in errors] == [("a_huge.txt", code)]


def test_a_worker_that_dies_in_a_task_gives_an_error_row_not_a_hang():
    """A pool worker that dies in a task (SIGKILL, as from the kernel's OOM killer; a crash in a
    reader's C library): multiprocessing.Pool never answered for its task and the batch waited
    forever. Now that task is a Chinese "review_crashed" error row, the tasks cut short with it run
    again on a fresh pool, and the executor goes on."""
    import signal as sig

    from nlp_review.batch import work
    from nlp_review.batch.runner import LocalExecutor
    from tests.limits_support import die_on_task

    def hung(_s, _f):
        raise TimeoutError("the batch waits forever for the dead worker's task")

    previous = sig.signal(sig.SIGALRM, hung)
    sig.alarm(600)
    executor = LocalExecutor(2, {})
    try:
        tasks = [{"rel": name} for name in ("a", "b", "die", "c", "d", "e")]
        got = {r["rel"]: r for r in executor.map(die_on_task, tasks, on_lost=work.lost_read)}
        assert sorted(got) == ["a", "b", "c", "d", "die", "e"]
        assert all(got[x]["status"] == "ok" for x in "abcde")
        assert got["die"]["status"] == "error" and got["die"]["error"]["error"] == "review_crashed"
        assert "审查进程意外退出" in got["die"]["error"]["message"]
        with pytest.raises(RuntimeError, match="工作进程意外退出"):  # a step without on_lost: a clear error
            list(executor.map(die_on_task, [{"rel": "die"}]))
        assert list(executor.map(die_on_task, [{"rel": "f"}])) == [{"rel": "f", "sha": None, "status": "ok"}]
        assert len(executor.processes()) == 2
    finally:
        executor.close(abort=True)
        sig.alarm(0)
        sig.signal(sig.SIGALRM, previous)
    assert not executor.markers.exists()
