"""Request and response bodies of the HTTP API; their limits are the API's limits (a body
outside them is answered 422 before any work is done)."""

from __future__ import annotations

from typing import Annotated, Literal, get_type_hints

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from rag import SourceSpan
from rag.index import MAX_QUERY_CHARS

MAX_K = 50

# Some character that no regex engine (Python's, the validator's, JSON Schema's) nor
# str.strip() counts as white space: a blank question is refused by the schema itself.
NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
Question = Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=NOT_BLANK,
                                description=f"at most {MAX_QUERY_CHARS} characters")]


def _json_number(value: object) -> object:
    """Take what JSON Schema calls an integer (5, 5.0), not true or "5" as pydantic would."""
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON integer")
    return value


K = Annotated[int, Field(ge=1, le=MAX_K, description="number of passages"),
              BeforeValidator(_json_number)]


# Where a passage is, with the fields of the one span type the core declares.
Span: type[BaseModel] = create_model(
    "Span", __doc__=SourceSpan.__doc__,
    **{name: (kind, ...) for name, kind in get_type_hints(SourceSpan).items()})


class SearchRequest(BaseModel):
    query: Question
    k: K = 5


class Hit(Span):  # type: ignore[misc, valid-type]
    """A passage, as ``wenda search --json`` prints it: ``text`` cleaned of scraping
    debris, ``start``/``end`` its span in the original text of document ``doc_id``."""

    rank: int
    score: float
    date: str | None
    chunk_id: str
    page: int | None = Field(description="PDF page the passage starts on (1-based)")
    page_end: int | None = Field(description="PDF page it ends on")
    section: str | None = Field(description='heading path, "第二章 > 2.1"')
    text: str
    dense_score: float | None
    bm25_score: float | None


class SearchResponse(BaseModel):
    hits: list[Hit]


class AskBody(BaseModel):
    question: Question
    k: K = 5


def ask_request(answerers: tuple[str, ...]) -> type[AskBody]:
    """The /v1/ask body; ``answerer`` offers only what this server runs."""
    return create_model(  # type: ignore[call-overload]
        "AskRequest", __base__=AskBody,
        answerer=(Literal[answerers] | None,  # type: ignore[valid-type]
                  Field(None, description="default: the server's answerer")))


class Citation(Span):  # type: ignore[misc, valid-type]
    """``quote`` is ``original[start:end]`` of document ``doc_id``."""

    n: int
    page: int | None = Field(None, description="PDF page the quote starts on (1-based)")
    page_end: int | None = Field(None, description="PDF page it ends on")
    section: str | None = Field(None, description='heading path, "第二章 > 2.1"')
    quote: str
    text: str = Field(description="the quote cleaned of scraping debris, as people read it")


class Timings(BaseModel):
    retrieve_ms: float
    first_token_ms: float
    total_ms: float


class Answer(BaseModel):
    """An answer whose [n] markers point at ``citations``; ``refused`` when the passages
    do not hold the answer (``answer`` then says so)."""

    answer: str
    citations: list[Citation]
    refused: bool
    unsupported: list[str] = Field(description="answer sentences no passage supports")
    answerer: str
    timings: Timings
    confidence: float | None = Field(
        None, description="the answer decision's probability that the answer is right")
    features: dict[str, float] = Field(default_factory=dict,
                                       description="what the answer decision read")


# -- documents ---------------------------------------------------------------------------
class DocumentIn(BaseModel):
    id: Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
    text: Annotated[str, Field(min_length=1, pattern=NOT_BLANK)]
    title: Annotated[str, Field(max_length=500)] = ""
    date: Annotated[str | None, Field(max_length=40)] = None


class DocumentsIn(BaseModel):
    documents: Annotated[list[DocumentIn], Field(min_length=1, max_length=1000)]


class Skipped(BaseModel):
    name: str
    reason: str


class IngestResult(BaseModel):
    """What one request changed: document ids added, updated (same id, new text) and
    unchanged, and what was skipped and why; then the index's totals."""

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    skipped: list[Skipped]
    documents: int
    chunks: int
    embedded: int
    seconds: float


class Error(BaseModel):
    detail: str = Field(description="what was wrong and what to do")


_ERRORS = {400: "the body cannot be read, or holds no files", 401: "missing or wrong API key",
           413: "request body too large", 415: "send JSON or multipart/form-data",
           503: "the answerer is not available"}


def errors(*codes: int) -> dict[int | str, dict]:
    """OpenAPI entries of the error answers a route gives, each an ``Error`` in JSON (also
    from the event-stream route, so the media type is spelled out)."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {code: {"description": _ERRORS[code], "content": error} for code in codes}


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    chunks: int
    vectors: int = Field(description="chunks that have a dense vector; fewer than chunks "
                         "while an ingest's dense phase runs")
    search: Literal["hybrid", "bm25+partial-dense", "bm25"]
    embedder: str
    answerer: str
    answerers: list[str]


# -- OpenAI-compatible ---------------------------------------------------------------------
class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[TextPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat request; the last user message is the question, read with the
    conversation before it; other fields but ``model``, ``stream`` and ``k`` are accepted
    and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str
    messages: Annotated[list[ChatMessage], Field(min_length=1)]
    stream: Annotated[bool, Field(strict=True)] = False
    k: K = 5


class ChatReply(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatReply
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    """OpenAI's chat completion, plus wenda's ``citations`` (the [n] of ``content``),
    ``refused`` and ``unsupported``."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    citations: list[Citation]
    refused: bool
    unsupported: list[str]


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    code: str


class OpenAIErrorBody(BaseModel):
    error: OpenAIErrorDetail


class Model(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "wenda"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]
