"""HTTP API and the embeddable question widget: `create_app(settings) -> FastAPI`.

`qa-app serve` runs this app with uvicorn. Every endpoint calls the same library functions as
the CLI (`engine.ask`, `Store.reports/facts/checks`, `ingest.save_upload/remove`), so an
answer over HTTP is byte for byte the JSON of `qa-app ask --json`, and an upload is named,
kept and worded as the chat's uploader does it.

Endpoints (all but /health, the widget assets and the docs need the API token when
`settings.api_token` is set):
  POST   /ask              question -> Answer.to_json(); server-sent events on request
  GET    /reports          the indexed reports (`qa-app reports --json`)
  POST   /reports          upload one report file (multipart field `file`; optional fields `agency`,
                            `year` set the body/year when the report does not print them) and index it
  DELETE /reports/{id}     take a report out of the index
  GET    /facts            table cells (`qa-app facts --json`), filtered
  GET    /check            勾稽 checks (`qa-app check --json`)
  GET    /health           liveness, no token
  GET    /widget.js /widget /demo   the embeddable chat box, its iframe page, a demo page
  GET    /docs /redoc /openapi.json  API documentation (assets served locally, no CDN)

Security: optional bearer token / X-API-Key, a CORS allow-list, body size limits (uploads:
max_file_mb; anything else: 256 KB) and upload types,
upload names sanitised into <index>/uploads/ (ingest.safe_name), no path parameter that maps
to a file, ids beyond the largest possible report id are 404/422. Every error is JSON
{"error", "message" (Chinese), "status"}; never a traceback, SQL or a class name (those go to
the log). A write that waits too long for another writer (a running `qa-app index`) is 503
with Retry-After; an index that cannot be written at all (disk full) is 507 / 503.
"""
from __future__ import annotations

import hmac
import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, File, Form, Path as PathParam, Query, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .ingest import IngestError, safe_name
from .loaders import SUPPORTED
from .settings import Settings
from .store import MAX_ID, StoreError

log = logging.getLogger("qa_app.api")

STATIC = Path(__file__).parent / "static"
VERSION = "0.1.0"
# Keys of one fact record, the same as `qa-app facts --json` (cli.FACT_KEYS).
FACT_KEYS = ("report", "agency", "region", "year", "table", "row", "column", "value", "derived", "lines")
MULTIPART_SLACK = 1024 * 1024  # bytes allowed on top of max_file_mb for the multipart envelope
OTHER_BODY_LIMIT = 256 * 1024  # bytes: any request body but an upload (a question with its history)
STATIC_FILES = {  # route -> (file in qa_app/static, media type); fixed names, nothing from the URL
    "/widget.js": ("widget.js", "application/javascript; charset=utf-8"),
    "/widget": ("widget.html", "text/html; charset=utf-8"),
    "/demo": ("demo.html", "text/html; charset=utf-8"),
}

STATUS_TEXT = {
    400: ("bad_request", "请求不正确"),
    401: ("unauthorized", "缺少或错误的 API 令牌"),
    403: ("forbidden", "没有权限"),
    404: ("not_found", "没有这个地址"),
    405: ("method_not_allowed", "这个地址不支持该请求方法"),
    413: ("too_large", "请求内容太大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("invalid_request", "请求参数不正确"),
    503: ("unavailable", "服务暂时不可用，请稍后重试"),
    507: ("insufficient_storage", "磁盘空间不足，索引写不进去"),
    500: ("internal_error", "服务器内部错误，已记录日志；请稍后重试或联系管理员"),
}


# -- errors ------------------------------------------------------------------------------

class ApiError(Exception):
    """An error the client should see: HTTP status, a stable code, a Chinese message."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def store_error_response(message: str, fatal: bool, retry_after: int | None) -> JSONResponse:
    """503 + Retry-After for a busy index, 507 for a full disk, 503 for another index failure."""
    if retry_after is not None:
        return error_json(503, "index_busy", message, {"Retry-After": str(retry_after)})
    if fatal and ("空间" in message or "配额" in message):
        return error_json(507, "insufficient_storage", message)
    return error_json(503, "index_unavailable", message)


class BodyTooLarge(StarletteHTTPException):
    """Raised while a request body is read, as soon as it passes the limit."""

    def __init__(self, message: str):
        super().__init__(413, message)


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def error_json(status: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "status": status, **extra},
                        status_code=status, headers=headers)


VALIDATION_WORDS = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "string_type": "应为字符串",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "too_long": "条目太多",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为 JSON 对象",
    "extra_forbidden": "不认识这个字段",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "union_tag_invalid": "格式不正确",
}
LOC_WORDS = {"body": "请求体", "query": "查询参数", "path": "路径参数", "header": "请求头"}


def validation_message(errors: list[dict]) -> str:
    parts = []
    for e in errors[:5]:
        loc = [str(x) for x in e.get("loc", ())]
        where = LOC_WORDS.get(loc[0], loc[0]) if loc else ""
        field = ".".join(x for x in loc[1:] if not x.isdigit() or len(loc) > 2) if len(loc) > 1 else ""
        what = VALIDATION_WORDS.get(e.get("type", ""), "格式不正确")
        if loc == ["body"] and e.get("type") in ("model_attributes_type", "model_type", "dict_type"):
            what += "（请求头加 Content-Type: application/json）"
        if e.get("type") == "literal_error" and e.get("ctx", {}).get("expected"):
            what += f"（可选：{e['ctx']['expected']}）"
        parts.append(f"{where}{('「' + field + '」') if field else ''}{what}")
    return "请求参数不正确：" + "；".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_json(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError):  # the index's failure, told plainly
        log.warning("store error on %s %s: %s", request.method, request.url.path, exc.message)
        return store_error_response(exc.message, exc.fatal, exc.retry_after)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errs = exc.errors()
        details = [{"loc": list(e.get("loc", ())), "type": e.get("type", "")} for e in errs]
        return error_json(422, "invalid_request", validation_message(errs), details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code, text = STATUS_TEXT.get(exc.status_code, ("error", "请求失败"))
        message = text
        if isinstance(exc.detail, str) and re.search(r"[\u4e00-\u9fff]", exc.detail):
            message = exc.detail  # our own Chinese details
        elif exc.status_code == 404:
            message = f"没有这个地址：{request.url.path}。可用的接口见 /docs"
        elif exc.status_code == 413:
            message = "上传内容太大（设置 QA_APP_MAX_FILE_MB）"
        return error_json(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # last resort (outside CORS)
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_json(500, *STATUS_TEXT[500])


class CatchAll:
    """ASGI middleware inside CORS: an unexpected exception becomes a JSON 500 (with CORS
    headers, so a widget on another origin can read it) and the traceback goes to the log."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def _send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:
            if started:
                raise
            if isinstance(exc, BodyTooLarge):
                resp = error_json(413, "too_large", exc.detail)
            else:
                log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
                resp = error_json(500, *STATUS_TEXT[500])
            await resp(scope, receive, send)


class BodyLimit:
    """ASGI middleware: POST /reports may carry max_file_mb (plus the multipart envelope), any
    other request body at most OTHER_BODY_LIMIT. A body over the limit by its Content-Length is
    refused before it is read; a body without one (chunked) stops being read once past it."""

    def __init__(self, app, max_mb: float):
        self.app = app
        self.max_mb = max_mb
        self.upload_limit = int(max_mb * 1024 * 1024) + MULTIPART_SLACK

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        upload = scope.get("method") == "POST" and scope.get("path") == "/reports"
        limit = self.upload_limit if upload else OTHER_BODY_LIMIT
        what = f"{self.max_mb:g} MB（设置 QA_APP_MAX_FILE_MB）" if upload else f"{size_text(OTHER_BODY_LIMIT)}"
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            resp = error_json(413, "too_large", f"{'上传' if upload else '请求'}内容 {size_text(int(length))}，超过上限 {what}",
                              {"Connection": "close"})
            return await resp(scope, receive, send)
        seen = 0

        async def _receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(f"{'上传' if upload else '请求'}内容超过上限 {what}")
            return message

        await self.app(scope, _receive, send)


# -- request and response models (for validation and the OpenAPI page) -------------------

class AskFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    agency: str | None = Field(None, max_length=200, description="只在这个机关的报告里回答（全称或报告里用的别名）")
    region: str | None = Field(None, max_length=200, description="只在这个地区的报告里回答")
    year: int | None = Field(None, ge=1990, le=2100, description="只在这个年度的报告里回答")


class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"] = "user"
    content: str = Field(max_length=4000)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"question": "红谷滩部分公开了多少件申请？"},
                     {"question": "那2022年呢？", "history": ["红旗区信访局2023年收到多少件申请？"]}]})
    question: str = Field(min_length=1, max_length=500, description="问题（中文）")
    history: list[str | Turn] | None = Field(
        None, max_length=50, description="之前的提问，最早的在前：字符串，或 {role, content}；用于「那2022年呢？」这类追问")
    filters: AskFilters | None = Field(None, description="只在符合条件的报告里回答")


class CitationOut(BaseModel):
    n: int
    report: str = Field(description="报告文件名")
    agency: str | None
    year: int | None
    section: str = Field(description="表格或章节标题")
    row: str = ""
    column: str = ""
    quote: str = Field("", description="被引用的原文行")
    lines: list[int] = Field(description="原文行号 [起, 止]（从 1 起）")
    value: Any = None
    report_id: int | None = None
    table: str = ""
    row_key: str = ""
    column_key: str = ""
    checks_failed: int = 0


class AnswerOut(BaseModel):
    question: str
    answer: str = Field(description="回答，[n] 对应 citations 里编号为 n 的出处")
    value: Any = Field(None, description="问的是一个数时，这个数")
    kind: str = Field(description="table | aggregate | text | none | clarify")
    citations: list[CitationOut]
    options: list[str] | None = Field(None, description="kind=clarify 时可选的机关")
    notice: str | None = None
    table: list[dict] | None = None


class ErrorOut(BaseModel):
    error: str
    message: str = Field(description="给用户看的中文说明")
    status: int


ERRORS = {s: {"model": ErrorOut} for s in (401, 422)}


# -- upload names --------------------------------------------------------------------------

def safe_upload_name(raw: str | None) -> str:
    """ingest.safe_name, with its refusal as a 400.

    >>> safe_upload_name("../../etc/红旗区 2023年报.TXT")
    '红旗区_2023年报.txt'
    """
    try:
        return safe_name(raw)
    except IngestError as e:
        raise ApiError(400, e.code, e.message) from e


# -- the app -----------------------------------------------------------------------------

class Backend:
    """What the endpoints share: settings, the store, the prose index (opened on first need).
    Index writes (upload, delete) take ingest's lock on uploads/, shared with other processes."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._narrative = None
        self._store = None

    @property
    def store(self):
        if self._store is None:
            from .engine import get_store
            self._store = get_store(self.settings)
        return self._store

    def narrative(self):
        if not self.settings.narrative:
            return None
        if self._narrative is None:
            from .indexer import open_narrative
            try:
                self._narrative = open_narrative(self.settings)
            except ImportError as e:
                raise ApiError(500, "narrative_unavailable", f"正文检索索引不可用（{e}）；"
                                                              "可设置 QA_APP_NARRATIVE=0 只索引表格数字") from e
        return self._narrative

    @property
    def uploads(self) -> Path:
        return Path(self.settings.index) / "uploads"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app over the index of `settings` (default: Settings.load())."""
    settings = settings or Settings.load()
    backend = Backend(settings)
    app = FastAPI(
        title="qa-app 政府信息公开年报问答接口",
        version=VERSION,
        description=("向政府信息公开工作年度报告提问，得到带出处（报告文件、表格/章节、原文行号）的回答。"
                     "设置了 API 令牌（QA_APP_API_TOKEN）时，除 /health 外的接口都要带 "
                     "`Authorization: Bearer <令牌>` 或 `X-API-Key: <令牌>`。出错时返回 JSON："
                     "`{\"error\": 代码, \"message\": 中文说明, \"status\": 状态码}`。"),
        docs_url=None, redoc_url=None,
    )
    app.state.settings = settings
    app.state.backend = backend
    install_error_handlers(app)
    # Middleware: the last added is the outermost. CORS wraps everything, so errors carry it.
    app.add_middleware(CatchAll)
    app.add_middleware(BodyLimit, max_mb=settings.max_file_mb)
    origins = [o.strip().rstrip("/") for o in (settings.cors_origins or "").split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=["*"] if "*" in origins else origins,
                           allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept"],
                           max_age=600)

    bearer = HTTPBearer(auto_error=False, description="API 令牌（设置 QA_APP_API_TOKEN 时需要）")
    api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API 令牌的另一种写法")

    def require_token(cred: HTTPAuthorizationCredentials | None = Depends(bearer),
                      key: str | None = Depends(api_key)) -> None:
        token = settings.api_token
        if not token:
            return
        given = cred.credentials if cred is not None else key
        if not given or not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
            raise ApiError(401, "unauthorized",
                           "缺少或错误的 API 令牌：请在请求头加 Authorization: Bearer <令牌> 或 X-API-Key: <令牌>",
                           {"WWW-Authenticate": "Bearer"})

    auth = [Depends(require_token)]

    # -- health, docs, widget ---------------------------------------------------------------
    @app.get("/health", tags=["服务"], summary="存活检查（不需要令牌）")
    def health() -> dict:
        return {"status": "ok", "version": VERSION}

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/demo")

    for route, (fname, media) in STATIC_FILES.items():
        app.add_api_route(route, static_endpoint(STATIC / fname, media, "no-cache"), methods=["GET"],
                          include_in_schema=False)

    install_docs(app)

    # -- ask ----------------------------------------------------------------------------------
    def ask_args(req: AskRequest) -> dict:
        history = [h if isinstance(h, str) else h.model_dump() for h in (req.history or [])]
        filters = {k: v for k, v in (req.filters.model_dump() if req.filters else {}).items() if v not in (None, "")}
        return {"history": history or None, "settings": settings, "filters": filters or None, "store": backend.store}

    def run_ask(req: AskRequest):
        from . import engine
        return engine.ask(req.question, **ask_args(req))

    def run_stream(req: AskRequest, on_answer):
        """engine.ask_stream (text pieces as the answer is written, e.g. by a language model)
        when the engine has it; else one piece, the whole answer."""
        from . import engine
        stream = getattr(engine, "ask_stream", None)
        if stream is None:
            ans = engine.ask(req.question, **ask_args(req))
            on_answer(ans)
            return iter([ans.answer])
        return stream(req.question, on_answer=on_answer, **ask_args(req))

    @app.post("/ask", tags=["问答"], summary="提问，得到带出处的回答",
              dependencies=auth, response_model=None,
              responses={200: {"model": AnswerOut, "description": "与 `qa-app ask --json` 相同的 JSON；"
                                                                   "要求流式时为 text/event-stream",
                               "content": {"text/event-stream": {}}}, **ERRORS})
    async def ask_endpoint(req: AskRequest, request: Request,
                           stream: bool = Query(False, description="以服务器推送事件（SSE）返回："
                                                                   "若干 delta 事件（回答文字片段），最后一个 answer 事件（完整 JSON）")):
        wants_stream = stream or "text/event-stream" in request.headers.get("accept", "")
        if not wants_stream:
            ans = await run_in_threadpool(run_ask, req)
            return JSONResponse(ans.to_json())
        return StreamingResponse(sse_answer(req, run_stream), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    # -- reports ------------------------------------------------------------------------------
    @app.get("/reports", tags=["报告"], summary="已索引的报告（同 qa-app reports --json）",
             dependencies=auth, responses=ERRORS)
    def list_reports() -> list[dict]:
        return [r.as_dict() for r in backend.store.reports()]

    @app.post("/reports", tags=["报告"], summary="上传一份报告并索引（同 qa-app index）",
              dependencies=auth, status_code=201,
              responses={200: {"description": "文件已在库中（未变或同内容另名）"},
                         400: {"model": ErrorOut, "description": "不支持的文件类型"},
                         413: {"model": ErrorOut, "description": "文件超过 max_file_mb"},
                         422: {"model": ErrorOut, "description": "文件读不了或不是年报"}, 401: {"model": ErrorOut},
                         503: {"model": ErrorOut, "description": "索引正被另一个程序写入（带 Retry-After），或暂时不可用"},
                         507: {"model": ErrorOut, "description": "磁盘空间不足"}})
    def upload_report(response: Response,
                      file: UploadFile = File(..., description=f"报告文件（{' '.join(SUPPORTED)}）"),
                      agency: str | None = Form(None, description="发布机关全称（报告里读不出或读错时由人指定）"),
                      year: str | None = Form(None, description="报告年度，如 2024（读不出或读错时由人指定）")):
        from .indexer import MetaError, check_meta_input
        from .ingest import describe, save_upload
        name = safe_upload_name(file.filename)
        try:
            agency, year = check_meta_input(agency, year)
        except MetaError as e:
            raise ApiError(422, "bad_meta", str(e))
        limit = int(settings.max_file_mb * 1024 * 1024)
        size = file.size if file.size is not None else _size_of(file.file)
        if size > limit:
            raise ApiError(413, "too_large", f"文件 {name} 大小 {size_text(size)}，"
                                             f"超过上限 {settings.max_file_mb:g} MB（设置 QA_APP_MAX_FILE_MB）")
        if size == 0:
            raise ApiError(422, "index_failed", f"无法索引 {name}：文件是空的")
        result = save_upload(name, file.file, settings, backend.store, backend.narrative(),
                             meta={"agency": agency, "year": year})
        if result.status == "failed":
            if result.retry_after is not None or result.fatal:
                return store_error_response(f"无法索引 {name}：{result.message}", result.fatal, result.retry_after)
            raise ApiError(422, "index_failed", f"无法索引 {name}：{result.message}")
        info = backend.store.report(result.report_id) if result.report_id else None
        if result.status in ("unchanged", "same-content"):
            response.status_code = 200
        return {"status": result.status, "report_id": result.report_id, "file_name": name,
                "message": result.message, "warnings": result.warnings,
                "line": describe(result, backend.store)[1],
                "report": info.as_dict() if info else None}

    @app.delete("/reports/{report_id}", tags=["报告"], summary="从索引中移除一份报告",
                dependencies=auth, responses={404: {"model": ErrorOut}, 503: {"model": ErrorOut}, **ERRORS})
    def delete_report(report_id: int = PathParam(..., ge=1, le=MAX_ID, description="报告编号（GET /reports 的 id）")):
        from .ingest import remove
        if backend.store.report(report_id) is None:
            raise ApiError(404, "not_found", f"库中没有编号为 {report_id} 的报告")
        done = remove(report_id, settings, backend.store, backend.narrative())
        if done is None:  # removed meanwhile by another process
            raise ApiError(404, "not_found", f"库中没有编号为 {report_id} 的报告")
        return {"removed": done.report_id, "file_name": done.file_name, "agency": done.agency, "year": done.year,
                "deleted_uploads": done.deleted_uploads}

    # -- pages of PDF reports -------------------------------------------------------------------
    @app.get("/reports/{report_id}/pages/{page}.png", tags=["报告"], summary="PDF 报告的一页（PNG），可标出引用的位置",
             dependencies=auth, response_class=Response,
             responses={200: {"content": {"image/png": {}}, "description": "这一页的图片，标出的框为红色"},
                        404: {"model": ErrorOut, "description": "没有这份报告、不是 PDF、原文件不在或没有这一页"},
                        **ERRORS})
    def page_image(report_id: int = PathParam(..., ge=1, description="报告编号"),
                   page: int = PathParam(..., ge=1, description="页码（从 1 开始）"),
                   highlight: list[str] = Query([], description="要标出的框 x0,top,x1,bottom（PDF 点，原点在页面左上角），"
                                                               "可重复；即引用中的 bbox"),
                   dpi: int = Query(110, ge=1, le=100000, description="分辨率，最高 300（更高按 300 绘制）")):
        from .pdfpages import page_png, parse_highlight
        boxes = []
        for h in highlight[:50]:
            try:
                boxes.append(parse_highlight(h))
            except ValueError:
                raise ApiError(422, "invalid_request", f"highlight「{h[:60]}」应为四个数 x0,top,x1,bottom（x0≤x1，top≤bottom）")
        info = backend.store.report(report_id)
        if info is None:
            raise ApiError(404, "not_found", f"库中没有编号为 {report_id} 的报告")
        if info.source_format != "pdf":
            raise ApiError(404, "not_found", f"报告 {info.file_name} 不是 PDF，没有页面图片")
        from .pdfpages import source_pdf
        src = source_pdf(backend.store, report_id, info.sha256)
        if src is None:
            raise ApiError(404, "not_found", f"报告 {info.file_name} 的原文件已不在索引时的位置（或已改动），无法显示页面")
        try:
            png = page_png(src, Path(settings.index) / "pages", info.sha256, page, dpi, boxes)
        except IndexError:
            raise ApiError(404, "not_found", f"报告 {info.file_name} 没有第 {page} 页")
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    # -- tables of a report, as printed (citations of HTML / DOCX / markdown / text reports) --------
    @app.get("/reports/{report_id}/tables/{table}.html", tags=["报告"], summary="报告中的一张表（HTML），可标出引用的格子",
             dependencies=auth, response_class=HTMLResponse,
             responses={200: {"content": {"text/html": {}}, "description": "这张表，按报告所载的行和列，标出的格子为黄色"},
                        404: {"model": ErrorOut, "description": "没有这份报告或报告中没有这张表"},
                        **ERRORS})
    def table_page(report_id: int = PathParam(..., ge=1, le=MAX_ID, description="报告编号"),
                   table: Literal["proactive", "applications", "review_litigation"] = PathParam(
                       ..., description="表：proactive（二）、applications（三）、review_litigation（四）"),
                   highlight: list[str] = Query([], description="要标出的格子 行键:列键，如 partially_granted:total，"
                                                               "可重复；即引用中的 row_key、column_key")):
        from .tablehtml import parse_highlight, table_html
        hits = set()
        for h in highlight[:200]:
            try:
                hits.add(parse_highlight(h))
            except ValueError:
                raise ApiError(422, "invalid_request", f"highlight「{h[:60]}」应为 行键:列键，如 partially_granted:total")
        info = backend.store.report(report_id)
        if info is None:
            raise ApiError(404, "not_found", f"库中没有编号为 {report_id} 的报告")
        recs = backend.store.facts([report_id], table=table)
        if not recs:
            raise ApiError(404, "not_found", f"报告 {info.file_name} 中没有读到这张表")
        title = f"{info.agency or '未识别机关'} {info.year or '？'}年 · {TABLES[table].section}"
        body = table_html(recs, table, hits, title=title, fmt=info.format)
        return HTMLResponse(body, headers={"Cache-Control": "private, max-age=600",
                                           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                                           "X-Content-Type-Options": "nosniff"})

    # -- facts and checks ----------------------------------------------------------------------
    from .template import PROACTIVE_ROWS_2019, TABLES
    row_keys = sorted({r.key for t in TABLES.values() for r in t.rows} | {r.key for r in PROACTIVE_ROWS_2019})
    col_keys = sorted({c.key for t in TABLES.values() for c in t.columns})

    @app.get("/facts", tags=["数据"], summary="表格单元格，每格一条（同 qa-app facts --json）",
             dependencies=auth, responses=ERRORS)
    def get_facts(response: Response,
                  agency: str | None = Query(None, max_length=200, description="机关（全称、简称或别名的一部分）"),
                  region: str | None = Query(None, max_length=200, description="地区"),
                  year: int | None = Query(None, ge=1990, le=2100, description="年度"),
                  table: Literal["proactive", "applications", "review_litigation"] | None = Query(None, description="表"),
                  row: str | None = Query(None, max_length=64, description="行键，如 partially_granted"),
                  column: str | None = Query(None, max_length=64, description="列键，如 total"),
                  report_id: int | None = Query(None, ge=1, le=MAX_ID, description="报告编号"),
                  derived: bool = Query(True, description="是否包含推算值（分组合计、法人或其他组织列）"),
                  limit: int | None = Query(None, ge=1, le=100000, description="最多返回多少条"),
                  offset: int = Query(0, ge=0, description="跳过前多少条")) -> list[dict]:
        if row and row not in row_keys:
            raise ApiError(422, "invalid_request", f"没有行键 {row}；可用：{'、'.join(row_keys)}")
        if column and column not in col_keys:
            raise ApiError(422, "invalid_request", f"没有列键 {column}；可用：{'、'.join(col_keys)}")
        st = backend.store
        reps = select_reports(st.reports(), agency, region, year, report_id)
        recs = st.facts([r.id for r in reps], table=table, row=row, column=column,
                        derived=None if derived else False) if reps else []
        response.headers["X-Total-Count"] = str(len(recs))
        recs = recs[offset:offset + limit if limit else None]
        return [{k: f[k] for k in FACT_KEYS} for f in recs]

    @app.get("/check", tags=["数据"], summary="勾稽核对结果（同 qa-app check --json）",
             dependencies=auth, responses=ERRORS)
    def get_check(show_all: bool = Query(False, alias="all", description="也列出通过的核对"),
                  report_id: int | None = Query(None, ge=1, le=MAX_ID, description="只看这份报告")) -> list[dict]:
        from .checks import explain
        res = backend.store.checks([report_id] if report_id else None, failed_only=not show_all)
        for c in res:  # as `qa-app check --json`
            c["explanation"] = explain(c["check"], c["table"], c["subject"], c["cells"])
        return res

    return app


# Addresses outside the server that a bundled docs asset would load, and what it loads instead
# (ReDoc's footer always shows Redocly's logo from their CDN: an empty SVG in its place).
OFFLINE_PATCHES = {"redoc.standalone.js": {b"https://cdn.redoc.ly/redoc/logo-mini.svg":
                                           b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"}}


def static_endpoint(path: Path, media: str, cache: str, patches: dict[bytes, bytes] | None = None):
    """An endpoint serving one fixed file (it takes no parameters: nothing from the request
    can change which file is read), with fixed byte replacements `patches`."""
    def endpoint() -> Response:
        body = path.read_bytes()
        for old, new in (patches or {}).items():
            body = body.replace(old, new)
        return Response(body, media_type=media,
                        headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"})
    return endpoint


def select_reports(reps, agency=None, region=None, year=None, report_id=None):
    """The CLI's report filter: agency matches a part of the name or of an alias."""
    if report_id:
        reps = [r for r in reps if r.id == report_id]
    if agency:
        reps = [r for r in reps if agency in (r.agency or "") or any(agency in a for a in r.aliases)]
    if year:
        reps = [r for r in reps if r.year == year]
    if region:
        reps = [r for r in reps if region in (r.region or "")]
    return reps


def _size_of(f) -> int:
    pos = f.tell()
    f.seek(0, 2)
    size = f.tell()
    f.seek(pos)
    return size


# -- server-sent events ------------------------------------------------------------------------

def answer_pieces(text: str, size: int = 24) -> list[str]:
    """Cut an answer into pieces for streaming: at punctuation, at most `size` characters,
    never inside a [n] citation marker."""
    tokens = re.findall(r"\[\d+\]|[^\[]|\[", text)
    pieces, buf = [], ""
    for t in tokens:
        buf += t
        if len(buf) >= size or t in "，。；：！？、\n" or t.startswith("[") and len(t) > 1:
            pieces.append(buf)
            buf = ""
    if buf:
        pieces.append(buf)
    return pieces


def sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")


async def sse_answer(req: AskRequest, run_stream):
    """Events: `start`, then `delta` {"text"} pieces as the engine gives them (long pieces cut
    at punctuation), then `answer` with the JSON of `qa-app ask --json`, whose `answer` is the
    text that stands (it differs from the pieces only when a model's draft failed verification);
    `error` instead of `answer` if answering failed."""
    yield sse("start", {"question": req.question})
    got = {}
    try:
        pieces = await run_in_threadpool(run_stream, req, lambda a: got.setdefault("answer", a))
        async for piece in iterate_in_threadpool(pieces):
            for p in answer_pieces(piece):
                yield sse("delta", {"text": p})
        if "answer" not in got:
            raise RuntimeError("the engine's stream ended without an answer")
    except Exception:
        log.exception("ask failed (stream)")
        yield sse("error", {"error": "internal_error", "message": STATUS_TEXT[500][1], "status": 500})
        return
    yield sse("answer", got["answer"].to_json())


# -- docs without a CDN ----------------------------------------------------------------------

def install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc with their assets served from the fastapi-offline package,
    so the pages work on an intranet with no internet; FastAPI's CDN pages if it is missing."""
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    try:
        import fastapi_offline
        assets = Path(fastapi_offline.__file__).parent / "static"
    except ImportError:
        assets = None
    files = {"swagger-ui-bundle.js": "application/javascript", "swagger-ui.css": "text/css",
             "redoc.standalone.js": "application/javascript", "favicon.png": "image/png"}
    if assets is not None:
        for fname, media in files.items():
            app.add_api_route(f"/docs-assets/{fname}", static_endpoint(assets / fname, media, "max-age=86400",
                                                                       OFFLINE_PATCHES.get(fname)),
                              methods=["GET"], include_in_schema=False)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        kw = {}
        if assets is not None:
            kw = {"swagger_js_url": "/docs-assets/swagger-ui-bundle.js", "swagger_css_url": "/docs-assets/swagger-ui.css",
                  "swagger_favicon_url": "/docs-assets/favicon.png"}
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=app.title + " - 接口文档", **kw)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        kw = {}
        if assets is not None:
            kw = {"redoc_js_url": "/docs-assets/redoc.standalone.js", "redoc_favicon_url": "/docs-assets/favicon.png"}
        return get_redoc_html(openapi_url=app.openapi_url, title=app.title + " - 接口文档", with_google_fonts=False, **kw)


# -- qa-app serve ------------------------------------------------------------------------------

def port_free(host: str, port: int) -> bool:
    import socket
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return True  # let uvicorn report the bad address
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError:
            return False
    return True


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the app with uvicorn (what `qa-app serve` does)."""
    import click
    import uvicorn
    from .settings import SettingsError
    try:
        settings.check()  # fail fast, in Chinese: a token HTTP cannot carry, an unknown mode, a server not there
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    if not settings.database_url and not (Path(settings.index) / "facts.sqlite").exists():
        click.echo(f"提示：索引目录 {settings.index} 里还没有索引；可先运行 {settings.index_command('报告文件夹')}，或用 POST /reports 上传报告。", err=True)
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.api_token:
        click.echo("警告：服务对本机以外开放，但没有设置 API 令牌（QA_APP_API_TOKEN）："
                   "能访问这个端口的人都能提问、上传和删除报告。", err=True)
    if not port_free(host, port):
        raise click.ClickException(f"{host}:{port} 已被占用（或无权监听）；换一个端口：qa-app serve --port {port + 1}")
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    click.echo(f"问答服务：{base}    接口文档：{base}/docs    演示页：{base}/demo    索引：{settings.index}")
    uvicorn.run(app, host=host, port=port, log_level="info")
