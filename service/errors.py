"""Every error the service returns is JSON with a Chinese `message` and a stable `error`
code; bad input is always a 4xx, never a 500."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from nlp_review.errors import InputError, ModelError

from .workers import ServiceStopping, WorkerUnavailable

log = logging.getLogger("nlp_review.service")

INPUT_STATUS = {"too_large": 413, "memory_limit": 413, "unsupported": 415, "ole": 415, "encrypted": 415}
HTTP_MESSAGES = {400: "请求无效。", 401: "需要有效的 API 令牌。", 403: "无权执行此操作。", 404: "未找到请求的资源。",
                 405: "不支持该请求方法。", 406: "无法提供所请求的内容类型。", 410: "该内容已过保存期限并被删除。",
                 413: "上传的文件过大。", 415: "不支持的文件类型。", 422: "请求参数无效。", 429: "请求过多，请稍后再试。"}


class ServiceError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, detail=None, headers=None) -> JSONResponse:
    body = {"error": code, "message": message}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


def _form_problem(e: Exception) -> tuple[str, str] | None:
    """(code, Chinese message) when the 400 comes from an unreadable multipart form."""
    chain, cause = [], e.__cause__ or e.__context__
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any("Maximum header size" in str(c) for c in chain):
        return ("filename_too_long", "文件名过长：上传表单中每个文件的头部信息（含文件名）不能超过 4 KB（约 1,300 个汉字）。"
                                     "请缩短文件名后重新上传。")
    if any(type(c).__name__ in ("MultiPartException", "MultipartParseError", "FormParserError") for c in chain):
        return ("invalid_form", "上传内容不是有效的 multipart/form-data 表单，无法读取文件。请通过网页或接口文档中的方式上传。")
    return None


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "请求"


def install(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def _input_error(_req: Request, e: InputError):
        return error_response(INPUT_STATUS.get(e.code, 422), e.code, e.message)

    @app.exception_handler(ServiceError)
    async def _service_error(_req: Request, e: ServiceError):
        return error_response(e.status, e.code, e.message, headers=e.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, e: RequestValidationError):
        problems = []
        for err in e.errors()[:10]:
            field = _field_name(err.get("loc", ()))
            kind = err.get("type", "")
            if kind == "missing":
                problems.append(f"缺少参数“{field}”")
            else:
                problems.append(f"参数“{field}”无效")
        return error_response(422, "invalid_request", "请求参数无效：" + "；".join(problems) + "。",
                              detail=[{"loc": list(map(str, x.get("loc", ()))), "type": x.get("type")}
                                      for x in e.errors()[:10]])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, e: StarletteHTTPException):
        form = _form_problem(e) if e.status_code == 400 else None
        if form is not None:
            return error_response(400, *form)
        msg = e.detail if isinstance(e.detail, str) and any("\u4e00" <= c <= "\u9fff" for c in e.detail) \
            else HTTP_MESSAGES.get(e.status_code, "请求无法完成。")
        return error_response(e.status_code, f"http_{e.status_code}", msg, headers=getattr(e, "headers", None))

    @app.exception_handler(WorkerUnavailable)
    async def _no_worker(_req: Request, e: WorkerUnavailable):
        log.error("no review worker could be started")
        return error_response(503, "worker_unavailable", "审查进程无法启动，暂时无法审查。请稍后重试或联系管理员。",
                              headers={"Retry-After": "30"})

    @app.exception_handler(ServiceStopping)
    async def _stopping(_req: Request, e: ServiceStopping):
        return error_response(503, "service_stopping", "审查服务正在停止，本次审查未完成。请稍后重新提交。",
                              headers={"Retry-After": "10"})

    @app.exception_handler(ModelError)
    async def _model(_req: Request, e: ModelError):
        log.error("model error: %s", e)
        return error_response(503, "model_unavailable", f"审查模型不可用：{e}")

    @app.exception_handler(Exception)
    async def _internal(_req: Request, e: Exception):
        log.exception("internal error")
        return error_response(500, "internal", "服务器内部错误，问题已记录。请稍后重试或联系管理员。")
