"""The HTTP API: search, answer (whole or streamed), add documents, health, and the
OpenAI-compatible chat of ``api.openai_compat``; OpenAPI schema at ``/openapi.json``.

Blocking work (embedding, generation, ingest) runs in the threadpool, so ``/v1/health``
answers while an answer is being written; the LLM itself serialises its generations.
"""

import hmac
import json
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.openai_compat import OpenAIError, add_openai_routes, openai_error
from api.schemas import (
    Answer,
    DocumentsIn,
    Error,
    Health,
    IngestResult,
    SearchRequest,
    SearchResponse,
    ask_request,
    errors,
)
from embeddings import ModelStoreError
from rag.answering import AnswerError
from rag.serving import AddResult, Service

MAX_JSON_BYTES = 1 << 20
MAX_UPLOAD_BYTES = 20 << 20

_INVALID = {422: {"description": "Validation Error", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}}
_DOCUMENTS_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/DocumentsIn"}},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["files"], "additionalProperties": False,
        "properties": {"files": {"type": "array", "minItems": 1,
                                 "items": {"type": "string", "format": "binary"}}}}},
}}}


def create_app(service: Service, api_key: str | None = None,
               max_json_bytes: int = MAX_JSON_BYTES,
               max_upload_bytes: int = MAX_UPLOAD_BYTES) -> FastAPI:
    """The API over ``service``; with ``api_key``, every route but health needs
    ``Authorization: Bearer <api_key>``."""
    app = FastAPI(title="wenda", version="0.1.0",
                  description="Search and grounded answers with citations over Chinese "
                  "documents; OpenAI-compatible chat at /v1/chat/completions.")
    guard = [Depends(_bearer(api_key))] if api_key else []
    router = APIRouter(prefix="/v1", dependencies=guard,
                       responses=errors(400, 413, *([401] if api_key else [])))
    AskRequest = ask_request(service.answerers)  # noqa: N806 - a model class

    @app.get("/v1/health", response_model=Health)
    async def health() -> dict:
        index = service.kb.index
        index.refresh()
        status = index.status()
        return {"status": "ok", "documents": status["documents"], "chunks": status["chunks"],
                "vectors": status["vectors"], "search": status["search"],
                "embedder": index.embedder_name, "answerer": service.answerer,
                "answerers": list(service.answerers)}

    @router.post("/search", response_model=SearchResponse)
    def search(body: SearchRequest) -> dict:
        return {"hits": [hit.to_dict() for hit in service.search(body.query, body.k)]}

    @router.post("/ask", response_model=Answer, responses=errors(503))
    def ask(body: AskRequest) -> dict:  # type: ignore[valid-type]
        return service.chain(body.answerer, body.k).invoke(body.question)

    @router.post("/ask/stream", response_class=EventSourceResponse, responses=errors(503),
                 description="Events `delta` ({delta}) while the answer is written, then "
                 "`answer` (as /v1/ask returns it; its text is the checked one), or `error`.")
    def ask_stream(body: AskRequest) -> Iterator[ServerSentEvent]:  # type: ignore[valid-type]
        try:
            for event in service.chain(body.answerer, body.k).stream(body.question):
                if "delta" in event:
                    yield ServerSentEvent(event="delta", data=event)
                else:
                    yield ServerSentEvent(event="answer", data=Answer.model_validate(event))
        except (AnswerError, ModelStoreError) as err:
            yield ServerSentEvent(event="error", data={"detail": str(err)})

    @router.post("/documents", response_model=IngestResult, openapi_extra=_DOCUMENTS_BODY,
                 responses=errors(415) | _INVALID,
                 description="JSON `{documents: [{id, text, title?, date?}]}` (an id posted "
                 "again replaces its document), or multipart `files` "
                 "(.txt .md .html .jsonl .pdf .docx).")
    async def add_documents(request: Request) -> dict:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            form = await request.form()
            others = sorted(set(form.keys()) - {"files"})
            if others:
                raise HTTPException(400, f"unknown multipart field {others[0]!r}: send the "
                                    "documents as files in the field 'files', nothing else")
            files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
            if not files or len(files) < len(form.getlist("files")):
                raise HTTPException(400, "send the documents as files (with a file name) in "
                                    "the multipart field 'files'")
            uploads = [(f.filename or "", await f.read()) for f in files]
            return _added(service, await run_in_threadpool(service.add_files, uploads))
        if kind == "application/json":
            try:
                body = DocumentsIn.model_validate(json.loads(await request.body()))
            except ValidationError as err:
                raise RequestValidationError(err.errors(include_url=False)) from None
            except ValueError as err:  # not UTF-8, not JSON
                raise HTTPException(400, f"the body is not JSON ({err})") from None
            documents = [d.model_dump() for d in body.documents]
            return _added(service, await run_in_threadpool(service.add_documents, documents))
        raise HTTPException(415, "send JSON {\"documents\": [...]} or multipart/form-data "
                            "with the field 'files'")

    add_openai_routes(router, service)
    app.include_router(router)

    app.add_exception_handler(OpenAIError, openai_error)

    @app.exception_handler(AnswerError)
    @app.exception_handler(ModelStoreError)
    async def unavailable(request: Request, err: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=503)

    _add_schemas(app)
    app.add_middleware(BodyLimit, limit=max_json_bytes, upload_limit=max_upload_bytes)
    return app


class BodyLimit:
    """Answer 413, with the limit, to a body over ``limit`` bytes (``upload_limit`` for
    /v1/documents): at once when its length is declared, else as soon as it grows past."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"] == "/v1/documents" else self.limit
        detail = f"the request body is over the {limit:,}-byte limit here; send less"
        if limit < self.upload_limit:
            detail += f" (only /v1/documents takes up to {self.upload_limit:,} bytes)"
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await JSONResponse({"detail": detail}, 413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, detail)  # answered by FastAPI's handler
            return message

        await self.app(scope, counted, send)


def _bearer(api_key: str) -> Callable[..., None]:
    scheme = HTTPBearer(auto_error=False, description="the server's WENDA_API_KEY")
    expected = api_key.encode()

    def check(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                     Depends(scheme)]) -> None:
        given = credentials.credentials.encode() if credentials else b""
        if not hmac.compare_digest(given, expected):
            raise HTTPException(401, "missing or wrong API key: send the header "
                                "'Authorization: Bearer <WENDA_API_KEY>'",
                                headers={"WWW-Authenticate": "Bearer"})

    return check


def _add_schemas(app: FastAPI) -> None:
    """Put into the OpenAPI components what routes name by reference: the JSON body of
    /v1/documents (read by hand, since the route also takes multipart) and ``Error``."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schemas = generate()["components"]["schemas"]
            for model in (DocumentsIn, Error):
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}), **{model.__name__: schema})
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _added(service: Service, result: AddResult) -> dict:
    """An upload's result as ``IngestResult`` says it."""
    report, index = result.report, service.kb.index
    return {"added": report.added, "updated": report.updated, "unchanged": result.unchanged,
            "skipped": [{"name": name, "reason": why} for name, why in result.skipped],
            "documents": len(index.documents), "chunks": len(index.chunks),
            "embedded": report.embedded, "seconds": round(report.seconds, 3)}
