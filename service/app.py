"""The FastAPI app: review API, annotated Word file, printable report, reviewer web page,
LanguageTool-compatible endpoint. `service.app:app` is built from the environment
(`Settings`); tests build their own with `create_app(Settings(...))`."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import urllib.parse
from pathlib import Path
from typing import Literal, Optional

from fastapi import Depends, FastAPI, File, Path as PathParam, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from nlp_review import __version__
from nlp_review.annotate.tables import table_grids
from nlp_review.errors import InputError, ModelError

from . import errors, lt
from .config import Settings
from .errors import ServiceError
from .storage import Store
from .workers import WorkerPool

log = logging.getLogger("nlp_review.service")
STATIC = Path(__file__).resolve().parent / "static"
REVIEW_ID = r"^[0-9a-f]{32}$"
FINDING_ID = r"^[A-Za-z0-9_.-]{1,32}$"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class BodyLimit:
    """ASGI middleware: refuse request bodies over the limit, by header and while streaming.

    A body that passes the limit while streaming (chunked uploads have no Content-Length)
    is answered 413 at once; the app then sees the client as disconnected and whatever it
    answers (FastAPI turns any error while reading a form into a 400) is dropped."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > self.limit:
            return await self._refuse(send)
        seen = 0
        started = refused = False

        async def limited_receive():
            nonlocal seen, refused, started
            if refused:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    refused = True
                    if not started:
                        started = True
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return msg

        async def tracking_send(msg):
            nonlocal started
            if refused:
                return  # the 413 is the answer
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        await self.app(scope, limited_receive, tracking_send)

    async def _refuse(self, send):
        mb = self.limit / 1048576
        resp = errors.error_response(413, "too_large", f"上传内容过大，上限为 {mb:.0f} MB（可由 NLP_REVIEW_MAX_UPLOAD_MB 调整）。")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(k.encode(), v.encode()) for k, v in resp.headers.items()]})
        await send({"type": "http.response.body", "body": resp.body})


class FeedbackIn(BaseModel):
    decision: Optional[Literal["accepted", "dismissed"]] = Field(
        None, description="accepted（采纳）、dismissed（不采纳），或 null 表示仅备注/撤销")
    note: Optional[str] = Field(None, max_length=2000, description="审查人员备注")
    sentence: Optional[int] = Field(
        None, ge=0, description="只对套话问题所列的第几句（从 0 起）作出决定；省略则针对整条问题")
    cells: Optional[dict[str, float]] = Field(
        None, max_length=200, description="更正的表格单元格（表格读取有误时），如 {\"table3.new.total\": 5}；与反馈一同保存，供训练使用")


class CellsIn(BaseModel):
    cells: dict[str, float] = Field(..., min_length=1, max_length=200,
                                    description="更正的单元格，如 {\"table3.new.total\": 5}；与审查记录一同保存，供表格读取训练使用")
    note: Optional[str] = Field(None, max_length=2000, description="审查人员备注")


Severity = Literal["error", "warning"]
SEVERITY_QUERY = Query(None, description="只包括错误（error）或错误和警告（warning）；省略则包括提示")
CELLS_ID = "cells"  # the feedback row that keeps a review's cell corrections


def _safe_name(name: str | None) -> str | None:
    """Only the base name, as metadata; it never becomes a path."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(c for c in base if c.isprintable())[:200]
    return base or None


def _content_disposition(filename: str) -> str:
    ascii_name = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(filename)}"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    store = Store(settings.db_url())
    gate = threading.BoundedSemaphore(max(1, settings.workers))
    # Uploads stay in memory up to the body limit (they are read whole for the review
    # anyway): Starlette would spool parts over 1 MB to an anonymous file in the system
    # temp directory, and the service writes nothing to disk but its database.
    from starlette.formparsers import MultiPartParser

    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, body_limit(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        async def purge_loop():
            while True:
                with contextlib.suppress(Exception):
                    n = await run_in_threadpool(store.purge_older_than, settings.retention_s)
                    if n:
                        log.info("retention: deleted %d stored drafts", n)
                await asyncio.sleep(settings.purge_interval_s)

        task = asyncio.create_task(purge_loop())
        if settings.processes > 0:
            get_pool()  # workers load their models while the server starts accepting
        try:
            yield
        finally:
            task.cancel()
            for p in app.state.pool:
                p.stop()

    app = FastAPI(title="政府信息公开工作年度报告审查服务", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="上传年报草稿（.docx/PDF/HTML/Markdown/文本），返回审查结果、带批注的 Word 文件和可打印报告；"
                              "另提供与 LanguageTool 兼容的 /v2/check 接口。")
    app.state.settings = settings
    app.state.store = store
    errors.install(app)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"], max_age=86400)
    app.add_middleware(BodyLimit, limit=body_limit(settings))

    def require_token(request: Request) -> None:
        if not settings.tokens:
            return
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else request.headers.get("x-api-token", "")
        if token not in settings.tokens:
            raise ServiceError(401, "unauthorized", "需要有效的 API 令牌（请求头 Authorization: Bearer <令牌>）。",
                               headers={"WWW-Authenticate": "Bearer"})

    reader_options = {"max_bytes": settings.max_upload_bytes, "max_pdf_pages": settings.pdf_max_pages,
                      "pdf_timeout_s": settings.pdf_timeout_s}

    pool: list[WorkerPool] = []  # the review worker processes (settings.processes > 0)
    pool_lock = threading.Lock()

    def get_pool() -> WorkerPool:
        with pool_lock:
            if not pool:
                pool.append(WorkerPool(settings.processes, settings.limits()))
            return pool[0]

    async def run_job(fn, *args):
        """fn(*args) in a guarded worker process, or in a server thread when processes = 0."""
        if settings.processes <= 0:
            def in_thread():
                with gate:
                    return fn(*args)
            return await run_in_threadpool(in_thread)
        return await asyncio.wrap_future(get_pool().submit(fn, *args))

    async def _review(data: bytes, filename: str | None, previous: bytes | None, previous_name: str | None,
                      corrections: dict | None = None) -> dict:
        kind, payload = await run_job(review_job, data, filename, previous, previous_name, reader_options, corrections)
        if kind == "input_error":
            raise InputError(**payload)
        if kind == "model_error":
            raise ModelError(payload)
        return payload

    app.state.pool = pool

    def _links(rid: str) -> dict:
        return {"self": f"/v1/reviews/{rid}", "annotated_docx": f"/v1/reviews/{rid}/annotated.docx",
                "report_html": f"/v1/reviews/{rid}/report.html", "export": f"/v1/reviews/{rid}/export.json",
                "cells": f"/v1/reviews/{rid}/cells"}

    def _reviewed(rid: str, severity: Optional[str]):
        """The stored review with the reviewer's decisions applied (dismissed left out, notes
        carried, only `severity` and above), and its row."""
        import json

        from nlp_review.feedback import reviewed_result

        row = _load(rid)
        return reviewed_result(json.loads(row.result), store.feedback_for(rid), severity), row

    def _load(rid: str):
        row = store.get_review(rid)
        if row is None:
            raise ServiceError(404, "not_found", "未找到该审查记录（编号有误，或已超过保存期限被删除）。")
        return row

    async def _read_upload(f: UploadFile | None, what: str) -> bytes | None:
        if f is None:
            return None
        data = await f.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            mb = settings.max_upload_bytes / 1048576
            raise ServiceError(413, "too_large", f"{what}过大，上限为 {mb:.0f} MB。")
        return data

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        path = request.url.path
        if path == "/" or path.endswith("/report.html"):
            script = "'self'" if path == "/" else "'none'"
            response.headers["Content-Security-Policy"] = (
                f"default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _mount_docs(app)

    @app.get("/healthz", summary="健康检查")
    def healthz():
        return {"status": "ok", "version": __version__, "database": store.engine.dialect.name,
                "auth": bool(settings.tokens), "max_upload_mb": round(settings.max_upload_bytes / 1048576)}

    @app.post("/v1/reviews", summary="上传年报并审查", status_code=201, dependencies=[Depends(require_token)])
    async def create_review(file: UploadFile = File(..., description="年报文件：.docx、PDF、HTML、Markdown 或文本"),
                            previous: Optional[UploadFile] = File(None, description="上一年度的年报（可选，用于逐年比对）")):
        data = await _read_upload(file, "上传文件")
        prev = await _read_upload(previous, "上一年度文件")
        if prev is not None and not prev:
            prev = None  # an empty optional field is no previous report
        name = _safe_name(file.filename)
        prev_name = _safe_name(previous.filename) if previous else None
        result = await _review(data, name, prev, prev_name)
        result["source"]["filename"] = name
        rid = await run_in_threadpool(store.add_review, result, data, name, prev, prev_name)
        return JSONResponse({"id": rid, **result, "links": _links(rid), "table_grids": table_grids(result)},
                            status_code=201)

    @app.get("/v1/reviews", summary="最近的审查记录（新的在前）")
    def list_reviews(limit: int = Query(50, ge=1, le=500, description="最多返回多少条")):
        return {"reviews": store.list_reviews(limit)}

    @app.get("/v1/reviews/{rid}", summary="取回审查结果（契约 JSON、审查人员反馈）")
    def get_review(rid: str = PathParam(..., pattern=REVIEW_ID, description="审查编号")):
        row = _load(rid)
        import json

        result = json.loads(row.result)
        return {"id": rid, **result, "links": _links(rid), "feedback": store.feedback_for(rid),
                "table_grids": table_grids(result)}

    @app.get("/v1/reviews/{rid}/annotated.docx", summary="带批注的 Word 文件", response_class=Response,
             responses={200: {"content": {DOCX_MIME: {}}}})
    async def annotated(rid: str = PathParam(..., pattern=REVIEW_ID), severity: Optional[Severity] = SEVERITY_QUERY,
                        track_changes: bool = Query(True, description="错别字的修改建议同时写成 Word 修订（可一键接受）"),
                        codes: Literal["initials", "trailing"] = Query(
                            "initials", description="规则代码与问题编号写在批注的缩写（initials，默认）或批注末行（trailing）")):
        result, row = await run_in_threadpool(_reviewed, rid, severity)
        data = await run_job(annotate_job, row.upload, result, reader_options, {"codes": codes, "track_changes": track_changes})
        stem = (row.filename or "年报").rsplit(".", 1)[0]
        return Response(data, media_type=DOCX_MIME,
                        headers={"Content-Disposition": _content_disposition(f"{stem}（审查批注）.docx")})

    @app.get("/v1/reviews/{rid}/report.html", summary="可打印的审查报告（问题高亮）", response_class=HTMLResponse)
    def report_html(rid: str = PathParam(..., pattern=REVIEW_ID), severity: Optional[Severity] = SEVERITY_QUERY):
        from nlp_review.annotate import render_report_html

        return HTMLResponse(render_report_html(_reviewed(rid, severity)[0]))

    @app.get("/v1/reviews/{rid}/export.json", summary="导出审查结果（不含不采纳的问题，附审查人员决定和备注）")
    def export_review(rid: str = PathParam(..., pattern=REVIEW_ID), severity: Optional[Severity] = SEVERITY_QUERY):
        result, row = _reviewed(rid, severity)
        stem = (row.filename or "年报").rsplit(".", 1)[0]
        return JSONResponse({"id": rid, **result},
                            headers={"Content-Disposition": _content_disposition(f"{stem}（审查结果）.json")})

    @app.post("/v1/reviews/{rid}/cells", summary="更正读错的表格单元格并重新审查", dependencies=[Depends(require_token)])
    async def correct_cells(body: CellsIn, rid: str = PathParam(..., pattern=REVIEW_ID)):
        import json

        from nlp_review.feedback import FeedbackError, cells_record, renumber_like

        row = _load(rid)
        old = json.loads(row.result)
        earlier = (store.feedback_for(rid).get(CELLS_ID) or {}).get("cells") or {}
        try:
            record = cells_record(old, {**earlier, **body.cells})
        except FeedbackError as e:
            raise ServiceError(400, "bad_correction", str(e))
        corrections = {f"{c['table']}.{c['key']}": c["value"] for c in record["corrected_cells"]}
        prev, prev_name = await run_in_threadpool(store.get_previous, rid) or (None, None)
        result = await _review(row.upload, row.filename, prev, prev_name, corrections)
        result["source"]["filename"] = row.filename
        renumber_like(result, old)
        await run_in_threadpool(store.update_result, rid, result)
        await run_in_threadpool(store.set_feedback, rid, record, None, body.note, row.sha256)
        return {"id": rid, **result, "links": _links(rid), "feedback": store.feedback_for(rid),
                "table_grids": table_grids(result)}

    @app.post("/v1/reviews/{rid}/findings/{fid}", summary="审查人员对某条问题的反馈（采纳/不采纳/备注）",
              dependencies=[Depends(require_token)])
    def feedback(body: FeedbackIn, rid: str = PathParam(..., pattern=REVIEW_ID),
                 fid: str = PathParam(..., pattern=FINDING_ID)):
        import json

        row = _load(rid)
        result = json.loads(row.result)
        f = next((x for x in result.get("findings") or [] if x.get("id") == fid), None)
        if f is None:
            raise ServiceError(404, "not_found", f"该审查记录中没有编号为 {fid} 的问题。")
        from nlp_review.feedback import FeedbackError, feedback_record, sentence_finding

        try:
            if body.sentence is not None:
                f = sentence_finding(f, body.sentence)
            record = feedback_record(result, f, body.cells)
        except FeedbackError as e:
            raise ServiceError(400, "bad_correction", str(e))
        return store.set_feedback(rid, record, body.decision, body.note, row.sha256)

    app.include_router(lt.router(settings))
    _document_errors(app)
    return app


def review_job(data: bytes, filename: str | None, previous: bytes | None, previous_name: str | None,
               reader_options: dict, cell_corrections: dict | None = None) -> tuple[str, object]:
    """One review, in a thread or a worker process: ("ok", contract) or an error to re-raise.
    `cell_corrections`: a reviewer's corrected table cells, checked instead of the cells read."""
    from nlp_review.pipeline import Options, previous_bytes, review_bytes
    from nlp_review.report import to_contract

    try:
        options = Options(cell_corrections=dict(cell_corrections or {}))
        if previous:
            try:
                options.previous = previous_bytes(previous, previous_name, **reader_options)
            except InputError as e:
                return "input_error", {"code": e.code, "message": "上一年度文件无法审查：" + e.message,
                                       "detail": e.detail}
        return "ok", to_contract(review_bytes(data, filename, options, **reader_options))
    except InputError as e:
        return "input_error", {"code": e.code, "message": e.message, "detail": e.detail}
    except ModelError as e:
        return "model_error", str(e)


def annotate_job(upload: bytes | None, result: dict, reader_options: dict, style: dict | None = None) -> bytes:
    """The annotated .docx of a stored review (re-reads the upload: a job like a review);
    `style`: CommentStyle's fields (where the codes go, tracked changes)."""
    from nlp_review.annotate import annotated_docx_for
    from nlp_review.annotate.docx import CommentStyle

    return annotated_docx_for(upload, result, reader_options=reader_options, style=CommentStyle(**(style or {})))


def body_limit(settings: Settings) -> int:
    """Largest request body: two files (the report and last year's) plus the form overhead."""
    return settings.max_upload_bytes * 2 + 65536


def _mount_docs(app: FastAPI) -> None:
    """OpenAPI docs at /docs with Swagger UI served from the installed package (no CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html

    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # docs page unavailable, /openapi.json still is
        return
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url="/openapi.json", title=app.title + " · 接口文档",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")


ERROR_SCHEMA = {"title": "Error", "type": "object", "required": ["error", "message"],
                "properties": {"error": {"type": "string", "description": "稳定的错误代码"},
                               "message": {"type": "string", "description": "中文说明"},
                               "detail": {"description": "技术细节（可选）"}}}


def _document_errors(app: FastAPI) -> None:
    """The OpenAPI document says what errors really look like: {"error", "message"}."""
    from fastapi.openapi.utils import get_openapi

    def openapi():
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            comps = schema.setdefault("components", {}).setdefault("schemas", {})
            comps["HTTPValidationError"] = ERROR_SCHEMA
            comps.pop("ValidationError", None)
            comps["Error"] = ERROR_SCHEMA
            for path in schema.get("paths", {}).values():
                for op in path.values():
                    for code in ("400", "404", "413", "415"):
                        op.setdefault("responses", {}).setdefault(code, {
                            "description": "错误（JSON，中文说明）",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


def __getattr__(name: str):
    # `service.app:app` is built on first access, so importing this module has no side effects.
    if name == "app":
        global app
        app = create_app()
        return app
    raise AttributeError(name)


SHUTDOWN_GRACE_S = 5  # longest a stopping server waits for open connections


def main(host: str | None = None, port: int | None = None, processes: int | None = None) -> None:
    """`nlp-review serve`: uvicorn with the review worker processes owned by the server.

    On SIGTERM/SIGINT the workers are stopped first (a busy one is killed, its request gets
    503), then uvicorn closes the connections (at most SHUTDOWN_GRACE_S) and exits."""
    import uvicorn

    settings = Settings()
    if processes is not None:
        settings.processes = processes
    elif "NLP_REVIEW_PROCESSES" not in os.environ:
        settings.processes = os.cpu_count() or 1
    app = create_app(settings)

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            for p in app.state.pool:
                p.stop()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, host=host or os.environ.get("NLP_REVIEW_HOST", "127.0.0.1"),
                            port=int(port or os.environ.get("NLP_REVIEW_PORT", "8000")),
                            timeout_graceful_shutdown=SHUTDOWN_GRACE_S)
    Server(config).run()
    for p in app.state.pool:  # whatever stopped the server, no worker outlives it
        p.stop(wait=True)
