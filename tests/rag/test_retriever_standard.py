"""``HybridRetriever`` against LangChain's standard retriever tests (langchain-tests), over
the real seeds index; then in an LCEL chain and as an agent's tool."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_core.tools import create_retriever_tool
from langchain_tests.integration_tests import RetrieversIntegrationTests

from rag.index.retrieval import HybridRetriever
from rag.knowledge_base import KnowledgeBase

QUESTION = "上海人工智能行业协会秘书长是谁"
ANSWER_DOC = "004_a71b114e23f90809.txt"
ANSWER = "鐘俊浩"  # the secretary-general, as 004 writes him (Traditional)


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _seeds(self, seeds_kb: KnowledgeBase) -> None:
        self.kb = seeds_kb

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"index": self.kb.index, "embedder": self.kb.embedder}

    @property
    def retriever_query_example(self) -> str:
        return QUESTION


def numbered(docs: list[Document]) -> str:
    return "\n".join(f"[{n}] {doc.page_content}" for n, doc in enumerate(docs, start=1))


def test_in_an_lcel_chain(seeds_kb: KnowledgeBase) -> None:
    prompt = ChatPromptTemplate.from_messages([("human", "{context}\n\n{question}")])
    setup = {"context": seeds_kb.retriever(k=3) | numbered, "question": RunnablePassthrough()}
    shown = (setup | prompt).invoke(QUESTION).to_string()
    assert ANSWER in shown and QUESTION in shown
    model = GenericFakeChatModel(messages=iter(["钟俊浩 [1]"]))
    assert (setup | prompt | model | StrOutputParser()).invoke(QUESTION) == "钟俊浩 [1]"


def test_as_an_agents_tool(seeds_kb: KnowledgeBase) -> None:
    """A tool-calling loop with langchain-core alone: the model calls the retriever tool,
    reads the passages it returns, then answers."""
    tool = create_retriever_tool(seeds_kb.retriever(k=2), "search_news",
                                 "Search the Chinese news articles; input: a question.")
    model = GenericFakeChatModel(messages=iter([
        AIMessage("", tool_calls=[{"name": "search_news", "args": {"query": QUESTION},
                                   "id": "call-1"}]),
        AIMessage("秘书长是钟俊浩。"),
    ]))
    messages = [HumanMessage(QUESTION)]
    while True:
        reply = model.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        messages += [tool.invoke(call) for call in reply.tool_calls]
    [result] = [m for m in messages if isinstance(m, ToolMessage)]
    assert result.tool_call_id == "call-1" and ANSWER in result.content
    assert messages[-1].content == "秘书长是钟俊浩。"
    assert ANSWER_DOC in [d.metadata["doc_id"] for d in seeds_kb.retriever(k=2).invoke(QUESTION)]
