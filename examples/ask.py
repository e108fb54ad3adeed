"""Grounded answers: each [n] of an answer points at an exact span of a source document.

    python examples/ask.py [INDEX_DIR]    # default: the seeds index
"""

import sys

from rag import KnowledgeBase

kb = KnowledgeBase.open(sys.argv[1] if len(sys.argv) > 1 else None)

# "extractive" quotes the best sentences (instant); answerer="llm" lets a local model write
# the answer (model="qwen2.5-coder-0.5b" for the small one).
result = kb.ask("欧洲议会定于哪一天就欧盟人工智能法案进行投票?", answerer="extractive")
print(result["answer"])
for c in result["citations"]:
    original = kb.index.document(c["doc_id"]).text
    print(f"[{c['n']}] {c['source']} chars {c['start']}-{c['end']}:",
          original[c["start"]:c["end"]])

for event in kb.stream_ask("上海人工智能行业协会秘书长是谁？"):
    if "delta" in event:
        print(event["delta"], end="", flush=True)  # the answer as it is written
    else:
        print("\nchecked:", event["answer"], "refused:", event["refused"])
