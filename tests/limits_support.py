"""Helpers for the resource-limit tests: hostile inputs built from a seed, and code run in a
subprocess under a hard address-space cap, so that a regression fails the test with a
MemoryError instead of taking the shared machine's memory."""
from __future__ import annotations

import io
import json
import re
import resource
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# Peak RSS from VmHWM: ru_maxrss would keep the high-water mark of the forked test process
# from before exec (the pytest process may hold every model by then).
PRELUDE = """
import json, sys
sys.path.insert(0, %r)
def emit(obj):
    hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0]
    obj["rss_mb"] = int(hwm.split()[1]) / 1024
    print(json.dumps(obj, ensure_ascii=False))
""" % str(ROOT)


def run_bounded(code: str, mem_mb: int = 3000, timeout_s: float = 300) -> dict:
    """Run `code` in `python -c` with RLIMIT_AS = mem_mb; the code reports with emit({...})
    (which adds its peak RSS as "rss_mb"). Returns {"rc", "out" (the emitted object or
    None), "stderr", "wall_s"}."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb * 2**20, mem_mb * 2**20))

    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=cap)
    try:
        out, err = p.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return {"rc": "timeout", "out": None, "stderr": err.decode("utf-8", "replace"), "wall_s": timeout_s}
    last = out.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    try:
        parsed = json.loads(last[0])
    except ValueError:
        parsed = None
    return {"rc": p.returncode, "out": parsed, "stderr": err.decode("utf-8", "replace"),
            "wall_s": time.monotonic() - t0}


def rezip(data: bytes, edit: dict) -> bytes:
    """The zip with some entries replaced: {name: fn(bytes) -> bytes}."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            blob = zin.read(info)
            zout.writestr(info.filename, edit[info.filename](blob) if info.filename in edit else blob)
    return buf.getvalue()


def grid_bomb_docx(seed_docx: bytes, value: str = "99999999") -> bytes:
    """Every table row with gridBefore/gridAfter = value and every cell with gridSpan = value."""
    def edit(xml: bytes) -> bytes:
        s = xml.decode("utf-8")
        s = re.sub(r"<w:tr( [^>]*)?>", lambda m: m.group(0) + f'<w:trPr><w:gridBefore w:val="{value}"/>'
                   f'<w:gridAfter w:val="{value}"/></w:trPr>', s)
        s = re.sub(r'<w:gridSpan w:val="\d+"/>', f'<w:gridSpan w:val="{value}"/>', s)
        s = re.sub(r"<w:tc>", f'<w:tc><w:tcPr><w:gridSpan w:val="{value}"/></w:tcPr>', s)
        return s.encode("utf-8")
    return rezip(seed_docx, {"word/document.xml": edit})


def zip_field(data: bytes, entry: str, offset: int, value: bytes, central: bool = True) -> bytes:
    """Overwrite bytes at `offset` of the central-directory (or local) header of `entry`."""
    sig, name_len_at, name_at = (b"PK\x01\x02", 28, 46) if central else (b"PK\x03\x04", 26, 30)
    out = bytearray(data)
    pos = 0
    while (i := data.find(sig, pos)) >= 0:
        n = int.from_bytes(data[i + name_len_at:i + name_len_at + 2], "little")
        if data[i + name_at:i + name_at + n] == entry.encode():
            out[i + offset:i + offset + len(value)] = value
        pos = i + 4
    return bytes(out)


def huge_paragraph_text(seed_text: str, n: int = 550_000, stops: bool = False) -> str:
    """The seed with one paragraph of n characters of its own prose in section one
    (without sentence stops unless `stops`: one "sentence" of n characters)."""
    prose = "".join(ln.strip() for ln in seed_text.splitlines() if len(ln.strip()) > 30 and "\t" not in ln)
    if not stops:
        prose = prose.replace("。", "，").replace("；", "，")
    para = (prose * (n // len(prose) + 1))[:n]
    lines = seed_text.split("\n")
    i = next(k for k, ln in enumerate(lines) if "总体情况" in ln)
    return "\n".join(lines[:i + 1] + [para] + lines[i + 1:])


def die_on_task(task: dict) -> dict:
    """A batch task function for the lost-worker test: the worker kills itself (SIGKILL, as the
    kernel's OOM killer would) on the task named "die", answers the others."""
    import os
    import signal

    if task["rel"] == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return {"rel": task["rel"], "sha": None, "status": "ok"}
