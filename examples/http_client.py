"""The HTTP API from Python (``pip install openai`` for the chat part). Start the server first:

    wenda serve &                                   # http://127.0.0.1:8000, docs at /docs
    python examples/http_client.py [BASE_URL]
"""

import os
import sys

import httpx
from openai import OpenAI

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
key = os.environ.get("WENDA_API_KEY", "none")  # the server's key, if it has one
headers = {"Authorization": f"Bearer {key}"}

hits = httpx.post(f"{base}/v1/search", json={"query": "Sora 能生成多长的视频？", "k": 3},
                  headers=headers, timeout=60).json()["hits"]
for hit in hits:
    print(f"[{hit['rank']}] {hit['source']} chars {hit['start']}-{hit['end']}: {hit['text'][:40]}")

client = OpenAI(base_url=f"{base}/v1", api_key=key)
reply = client.chat.completions.create(model="wenda", messages=[
    {"role": "user", "content": "欧洲议会定于哪一天就欧盟人工智能法案进行投票?"}])
print(reply.choices[0].message.content)
for c in reply.model_extra["citations"]:  # wenda's extra field: what each [n] points at
    print(f"[{c['n']}] {c['source']} chars {c['start']}-{c['end']}: {c['quote']}")
