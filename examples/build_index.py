"""Build an index of your own documents, then add more: only new and changed text is embedded.

    python examples/build_index.py [INDEX_DIR]    # default: a new temporary folder
"""

import sys
import tempfile
from pathlib import Path

from rag import KnowledgeBase

index = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "index"
docs = Path(tempfile.mkdtemp())  # your folder of .txt .md .html .jsonl .pdf .docx files
(docs / "meeting.md").write_text("# 评审会议\n\n下次评审定于五月十二日，由王工主持。\n",
                                 encoding="utf-8")

kb, report = KnowledgeBase.build(docs, index)
print(report.summary())

(docs / "plan.txt").write_text("测试工作由李工负责，六月底前完成。\n", encoding="utf-8")
report = kb.add([docs])  # files deleted from docs would be dropped from the index
print(report.summary())
print(kb.search("测试工作由谁负责？", k=1)[0].chunk.text)
