"""OpenAI-compatible chat, so any OpenAI client or tool can ask wenda: the last user message
is the question; the reply is the grounded answer with its [n] markers, and the citations
travel beside it (``citations``, ``refused``, ``unsupported`` on the completion, and on the
final chunk of a stream, with ``answer``: the checked text a client may show instead of the
streamed one).

Models: ``wenda`` (the server's answerer) and ``wenda-<answerer>`` for each one it runs.
"""

import json
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api.schemas import ChatCompletion, ChatRequest, ModelList, OpenAIErrorBody
from rag.answering import AnswerChain, AnswerError
from rag.index import MAX_QUERY_CHARS
from rag.serving import Service, standalone_question, standalone_turns

_RESPONSES: dict[int | str, dict] = {
    200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
          "description": "with `stream: true`: chat.completion.chunk events, then `[DONE]`"},
    400: {"description": "no question, or too long a one (or a body that is not JSON: an "
                         "Error)", "content": {"application/json": {"schema": {"anyOf": [
              {"$ref": "#/components/schemas/OpenAIErrorBody"},
              {"$ref": "#/components/schemas/Error"}]}}}},
    404: {"model": OpenAIErrorBody, "description": "no such model"},
    503: {"model": OpenAIErrorBody, "description": "the answerer is not available"},
}


class OpenAIError(Exception):
    """An error told the way OpenAI's clients read it: ``{"error": {"message": ...}}``."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


async def openai_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, OpenAIError)
    return JSONResponse({"error": {"message": str(err), "type": "invalid_request_error",
                                   "code": err.code}}, err.status)


def add_openai_routes(router: APIRouter, service: Service) -> None:
    models = {"wenda": None} | {f"wenda-{name}": name for name in service.answerers}

    @router.get("/models", response_model=ModelList)
    def list_models() -> dict:
        return {"data": [{"id": name} for name in models]}

    @router.post("/chat/completions", response_model=ChatCompletion, responses=_RESPONSES)
    def chat_completions(body: ChatRequest) -> dict | StreamingResponse:
        if body.model not in models:
            raise OpenAIError(404, f"no model {body.model!r}; use one of {', '.join(models)} "
                              "(GET /v1/models)", "model_not_found")
        question = _question(body)
        chain = service.chain(models[body.model], body.k)
        head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()),
                "model": body.model}
        if body.stream:
            return StreamingResponse(_chunks(chain, question, head),
                                     media_type="text/event-stream")
        try:
            result = chain.invoke(question)
        except AnswerError as err:
            raise OpenAIError(503, str(err), "answerer_unavailable") from None
        return head | _extras(result) | {
            "choices": [{"message": {"content": result["answer"]}}]}


def _question(body: ChatRequest) -> str:
    """The last user message, made standalone with the conversation before it (a follow-up
    such as "她后来又说了什么？" gets the earlier question's topic)."""
    users = [m.text.strip() for m in body.messages if m.role == "user"]
    if not users or not users[-1]:
        raise OpenAIError(400, "no question: the last user message must hold text",
                          "no_question")
    if len(users[-1]) > MAX_QUERY_CHARS:
        raise OpenAIError(400, f"the question is {len(users[-1])} characters long; at most "
                          f"{MAX_QUERY_CHARS}", "question_too_long")
    answers = [m.text.strip() for m in body.messages if m.role == "assistant"]
    history = standalone_turns(users[:-1], answers + [""] * (len(users) - 1 - len(answers)))
    return standalone_question(users[-1], history)[:MAX_QUERY_CHARS]


def _extras(result: dict) -> dict:
    return {"citations": result["citations"], "refused": result["refused"],
            "unsupported": result["unsupported"]}


def _chunks(chain: AnswerChain, question: str, head: dict) -> Iterator[str]:
    """OpenAI's stream: the answer as it is written, then a chunk with the citations."""

    def chunk(delta: dict, finish: str | None = None, **extra: object) -> str:
        body = head | {"object": "chat.completion.chunk", **extra,
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    streamed = False
    try:
        for event in chain.stream(question):
            if "delta" in event:
                streamed = True
                yield chunk({"content": event["delta"]})
                continue
            if not streamed or event["refused"]:  # the refusal is never streamed: say it
                yield chunk({"content": ("\n\n" if streamed else "") + event["answer"]})
            yield chunk({}, "stop", answer=event["answer"], **_extras(event))
    except AnswerError as err:
        yield f"data: {json.dumps({'error': {'message': str(err)}}, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"
