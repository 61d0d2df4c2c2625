"""Helpers for the service tests: a real uvicorn server on 127.0.0.1 in a thread, seeds as
.docx, and reading back which text each Word comment is anchored on."""
from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_server(app):
    """Serve `app` with uvicorn on a free local port; yield its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def anchored_texts(docx_bytes: bytes, original: bool = True) -> dict[str, str]:
    """comment id → the text between its w:commentRangeStart and w:commentRangeEnd, read
    from document.xml in document order (run text as Word shows it; "\\n" between paragraphs).
    `original`: tracked changes rejected (deleted text read, inserted text skipped), the
    document as uploaded; else accepted."""
    z = zipfile.ZipFile(io.BytesIO(docx_bytes))
    root = etree.fromstring(z.read("word/document.xml"))
    open_ids: set[str] = set()
    out: dict[str, list[str]] = {}

    def add(s: str) -> None:
        for c in open_ids:
            out[c].append(s)

    skip = set()
    for el in root.iter():
        if any(a in skip for a in el.iterancestors()):
            continue
        tag = el.tag
        if tag in (MC_FALLBACK, W + ("ins" if original else "del"), W + "instrText"):
            skip.add(el)
        elif tag == W + "commentRangeStart":
            cid = el.get(W + "id")
            open_ids.add(cid)
            out[cid] = []
        elif tag == W + "commentRangeEnd":
            open_ids.discard(el.get(W + "id"))
        elif tag == W + "p":
            for c in open_ids:
                if out[c]:
                    out[c].append("\n")
        elif tag == W + "t" or original and tag == W + "delText":
            add(el.text or "")
        elif tag in (W + "tab", W + "ptab") and el.getparent().tag == W + "r":
            add("\t")
        elif tag in (W + "br", W + "cr") and el.get(W + "type") in (None, "textWrapping"):
            add("\n")
        elif tag == W + "noBreakHyphen":
            add("-")
    return {k: "".join(v) for k, v in out.items()}


def comments_by_finding(document) -> dict[str, object]:
    """python-docx comments keyed by the finding id: the last word of the comment's initials
    ("TYPO.CONFUSION f-0003", the default) or of its last line (codes written trailing)."""
    out = {}
    for c in document.comments:
        initials = (c.initials or "").split()
        last = c.text.strip().splitlines()[-1].split()
        fid = initials[-1] if initials and initials[-1].startswith("f-") else last[-1]
        out[fid] = c
    return out


def seed_docx(seed: Path, tmp: Path) -> bytes:
    from tests.renderers import seed_to_docx

    out = tmp / (seed.stem + ".docx")
    if not out.exists():
        seed_to_docx(seed, out)
    return out.read_bytes()
