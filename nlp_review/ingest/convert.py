"""Old and other word-processor files (.doc, .wps, .odt) → .docx with LibreOffice headless.

Agencies still send Word 97–2003 files (.doc), WPS files (.wps, the same binary Word
format) and OpenDocument text (.odt). None has a well-kept pure-Python reader that keeps
tables, so `soffice --headless --convert-to docx` (Debian `libreoffice-writer-nogui`,
installed by `make`) turns them into a .docx that the Word reader then reads like any
other. Each conversion runs in its own throw-away LibreOffice profile (conversions can run
side by side), with a wall-clock limit and an address-space limit, and with LibreOffice's
import filter named explicitly, so a file that is not what its signature says fails
instead of being imported as plain text.
"""
from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# LibreOffice import filter of each kind, and what a reviewer calls the file.
FILTERS = {"doc": ("MS Word 97", "旧版 Word（.doc）或 WPS（.wps）"), "odt": ("writer8", "OpenDocument 文本（.odt）")}
TIMEOUT_S = 60.0
MEMORY_BYTES = 4 << 30  # address space of the LibreOffice process (it maps far more than it uses)


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def ole_kind(data: bytes) -> str:
    """An OLE compound file → "doc" (a binary Word/WPS document: it has a WordDocument
    stream), else refused: an encrypted Office file (EncryptedPackage: a password-protected
    .docx/.doc) or an OLE file of another kind (Excel, PowerPoint, …). The check reads the
    stream names in the directory sectors, which is enough to tell these apart."""
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise InputError("encrypted", "文件已加密（设有打开密码），无法读取。请在 Word/WPS 中取消密码后另存为 .docx 再提交。")
    if _utf16("WordDocument") not in data:
        raise InputError("ole", "这是 Office 复合文档，但不是 Word/WPS 文字文档（可能是表格、演示文稿或已损坏），无法读取。"
                                "请另存为 .docx 后重新提交。")
    return "doc"


def is_odt(data: bytes) -> bool:
    """An OpenDocument text file: a zip whose first entry is `mimetype`, stored, holding
    application/vnd.oasis.opendocument.text (the ODF packaging rule)."""
    return data[30:38] == b"mimetype" and data[38:38 + 39] == b"application/vnd.oasis.opendocument.text"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _limit_memory(parent: int) -> None:  # runs in the child before exec
    from ..guard import die_with_parent

    os.setsid()
    die_with_parent(parent)  # a review stopped by its guard takes the conversion with it
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def to_docx(data: bytes, kind: str, *, timeout_s: float = TIMEOUT_S) -> bytes:
    """Convert `data` (kind "doc" or "odt") to .docx bytes, or raise InputError in Chinese."""
    infilter, what = FILTERS[kind]
    exe = soffice()
    if exe is None:
        raise InputError("unsupported", f"这是{what}文件，需要 LibreOffice 才能转换，本机未安装。"
                                        "请在 Word/WPS 中另存为 .docx 后重新提交，或由管理员安装 LibreOffice（make 会安装）。")
    with tempfile.TemporaryDirectory(prefix="nlp-review-convert-") as tmp:
        work = Path(tmp)
        src = work / f"input.{kind}"
        src.write_bytes(data)
        out = work / "out"
        cmd = [exe, "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={(work / 'profile').as_uri()}", f"--infilter={infilter}",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(src)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=functools.partial(_limit_memory, os.getpid()),
                                env={**os.environ, "HOME": tmp})
        try:
            _, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice and anything it started
            proc.communicate()
            raise InputError("timeout", f"{what}文件转换超时（超过 {timeout_s:.0f} 秒），请另存为 .docx 后重新提交。")
        result = out / "input.docx"
        if proc.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            raise InputError("ole" if kind == "doc" else "corrupt",
                             f"{what}文件无法转换（文件可能已损坏或设有密码），请在 Word/WPS 中另存为 .docx 后重新提交。",
                             (err or b"").decode("utf-8", "replace")[-500:])
        return result.read_bytes()
