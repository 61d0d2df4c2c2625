"""What a batch reviews: the supported files under a folder, the paths or URIs listed in
a file (one per line), or everything under a storage URI that pyarrow opens (s3://,
gs://, hdfs://, file://). Each file has a stable name relative to the input (`rel`,
the `source.path` of its result) and a location a worker can read (`loc`)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..ingest import SUFFIXES

SUPPORTED_SUFFIXES = frozenset(SUFFIXES)


@dataclass(frozen=True)
class InputFile:
    rel: str
    loc: str
    size: int
    mtime: int  # ns; 0 where the storage does not say


def _supported(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in SUPPORTED_SUFFIXES


def from_folder(root: Path) -> list[InputFile]:
    out = []
    for p in root.rglob("*"):
        if p.is_file() and _supported(p.name):
            st = p.stat()
            out.append(InputFile(str(p.relative_to(root)), str(p.resolve()), st.st_size, st.st_mtime_ns))
    return sorted(out, key=lambda f: f.rel)


def storage_uri(uri: str) -> str:
    """A URI pyarrow parses: its path percent-encoded (file names here are Chinese; pyarrow
    refuses raw non-ASCII), what is encoded already left alone."""
    from urllib.parse import quote

    scheme, rest = uri.split("://", 1)
    return f"{scheme}://{quote(rest, safe='/:@%?=&+~!$,;')}"


def from_uri(uri: str) -> list[InputFile]:
    try:
        from pyarrow import fs
    except ImportError:  # pragma: no cover — the [ray] extra brings pyarrow
        raise InputError("not_found", "读取存储路径需要 pyarrow（pip install 'nlp-review[ray]'）。") from None
    try:
        filesystem, base = fs.FileSystem.from_uri(storage_uri(uri))
        infos = filesystem.get_file_info(fs.FileSelector(base, recursive=True))
    except (OSError, ValueError) as e:
        raise InputError("not_found", f"无法读取存储路径 {uri}：{e}") from None
    scheme = uri.split("://", 1)[0]
    out = []
    for info in infos:
        if info.type == fs.FileType.File and _supported(info.path):
            rel = str(PurePosixPath(info.path).relative_to(base.rstrip("/") or "/"))
            mtime = info.mtime_ns or 0
            out.append(InputFile(rel, storage_uri(f"{scheme}://{info.path}"), info.size or 0, mtime))
    return sorted(out, key=lambda f: f.rel)


def from_list(list_file: Path) -> list[InputFile]:
    out = []
    try:
        lines = list_file.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InputError("not_found", f"无法读取文件清单 {list_file}：{e.strerror}") from None
    for line in lines:
        loc = line.strip()
        if not loc or loc.startswith("#"):
            continue
        if "://" in loc:
            from pyarrow import fs

            filesystem, path = fs.FileSystem.from_uri(storage_uri(loc))
            info = filesystem.get_file_info(path)
            out.append(InputFile(loc, loc, info.size or 0, info.mtime_ns or 0))
            continue
        p = Path(loc)
        if not p.is_absolute():
            p = list_file.parent / p
        try:
            st = p.stat()
        except OSError:
            st = None
        out.append(InputFile(loc, str(p), st.st_size if st else 0, st.st_mtime_ns if st else 0))
    return sorted({f.rel: f for f in out}.values(), key=lambda f: f.rel)


def list_inputs(source: str, is_list: bool = False) -> list[InputFile]:
    if is_list:
        return from_list(Path(source))
    if "://" in source:
        return from_uri(source)
    root = Path(source)
    if not root.is_dir():
        raise InputError("not_found", f"目录不存在：{root}")
    return from_folder(root)
