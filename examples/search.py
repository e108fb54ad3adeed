"""Open an index and search it: ranked passages with exact spans, or LangChain Documents.

    python examples/search.py [INDEX_DIR]    # default: the seeds index (built on first use)
"""

import sys

from rag import KnowledgeBase

kb = KnowledgeBase.open(sys.argv[1] if len(sys.argv) > 1 else None)

for hit in kb.search("高盛報告如何引發AI股票拋售？", k=3):
    c = hit.chunk
    print(f"[{hit.rank}] {hit.score:.3f} {c.source} chars {c.start}-{c.end}: {c.text[:40]}")

retriever = kb.retriever(k=2)  # a LangChain BaseRetriever: invoke, batch, callbacks
for doc in retriever.invoke("上海人工智能行业协会秘书长是谁"):
    print(doc.metadata["chunk_id"], doc.metadata["score"], doc.page_content[:40])
