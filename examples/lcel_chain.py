"""wenda's retriever in a LangChain (LCEL) chain, with any chat model: here a local GGUF.

    python examples/lcel_chain.py [INDEX_DIR]    # default: the seeds index
"""

import sys

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from rag import KnowledgeBase
from rag.answering import llama_chat

kb = KnowledgeBase.open(sys.argv[1] if len(sys.argv) > 1 else None)


def numbered(docs: list[Document]) -> str:
    return "\n".join(f"[{n}] {doc.page_content}" for n, doc in enumerate(docs, start=1))


prompt = ChatPromptTemplate.from_messages([
    ("system", "只根据资料回答，一句话，并标注资料编号，如 [1]。"),
    ("human", "资料：\n{context}\n\n问题：{question}"),
])
llm = llama_chat("qwen2.5-coder-0.5b", max_tokens=60)  # or ChatOpenAI(...): any chat model
chain = ({"context": kb.retriever(k=2) | numbered, "question": RunnablePassthrough()}
         | prompt | llm | StrOutputParser())
print(chain.invoke("上海人工智能行业协会秘书长是谁？"))
