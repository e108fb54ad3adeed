"""Run a gold set against a KnowledgeBase: retrieve (and answer) every question, score it.

Retrieval is always measured (top 10, so hit@10 and MRR@10 exist whatever ``k`` is);
answers only when an answerer is asked for. One failing answer is recorded as an error on
its question and the run goes on: a long LLM run never dies at question 95 of 100.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from eval.gold import EvidenceResolver, GoldItem
from eval.metrics import KS
from eval.records import QuestionRecord
from eval.summary import summarize
from rag import KnowledgeBase

ANSWERERS = ("none", "extractive", "llm")


class EvalError(ValueError):
    """An evaluation that cannot run as asked; the message says what to do instead."""


@dataclass
class EvalRun:
    """A finished run: how it was configured, every question's record, the metrics."""

    config: dict[str, Any]
    records: list[QuestionRecord]
    metrics: dict[str, Any] = field(default_factory=dict)
    gold_problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config, "metrics": self.metrics,
                "gold_problems": self.gold_problems,
                "records": [r.to_dict() for r in self.records]}


def check_answerer(answerer: str) -> None:
    """Fail before any work when the answerer does not exist."""
    if answerer not in ANSWERERS:
        raise EvalError(f"unknown answerer {answerer!r}; use one of {', '.join(ANSWERERS)}")


def run_eval(kb: KnowledgeBase, gold: Sequence[GoldItem], *, k: int = 5, mode: str = "hybrid",
             answerer: str = "none", retriever: dict[str, Any] | None = None,
             answer_options: dict[str, Any] | None = None, progress: bool = True,
             config: dict[str, Any] | None = None) -> EvalRun:
    """Evaluate ``gold`` on ``kb``. ``retriever`` holds extra HybridRetriever settings
    (``fusion``, ``dense_weight``, a query-caching ``embedder``...), ``answer_options`` go to
    ``KnowledgeBase.ask`` (``model``, ``endpoint``...); ``config`` is recorded."""
    if k < 1:
        raise EvalError(f"-k must be at least 1, got {k}")
    check_answerer(answerer)
    search = kb.retriever(mode=mode, **(retriever or {}))
    resolve = EvidenceResolver(kb.index)
    started, records = time.perf_counter(), []
    for item in tqdm(gold, desc="eval", unit="q", disable=not progress):
        groups, unresolved = resolve(item)
        record = QuestionRecord.of(item, groups, unresolved)
        record.unindexed = resolve.unindexed(groups)
        began = time.perf_counter()
        hits = search.search(item.question, k=max(k, max(KS)))
        record.add_hits(hits, (time.perf_counter() - began) * 1000)
        if answerer != "none":
            _answer(kb, record, answerer, k, answer_options or {})
        record.diagnose(k)
        records.append(record)
    run_config = {
        "k": k, "mode": mode, "fusion": search.fusion, "dense_weight": search.dense_weight,
        "answerer": answerer, **(answer_options or {}), "questions": len(records),
        "index": str(kb.index.path),
        "embedder": kb.index.embedder_name,
        "index_manifest": {key: kb.index.manifest.get(key) for key in
                           ("documents", "chunks", "chunk_size", "overlap", "chunker_version",
                            "normalizer_version", "corpus_fingerprint")},
        "seconds": round(time.perf_counter() - started, 2),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    } | (config or {})
    return EvalRun(run_config, records, summarize(records))


def _answer(kb: KnowledgeBase, record: QuestionRecord, answerer: str, k: int,
            options: dict[str, Any]) -> None:
    try:
        reply = kb.ask(record.question, answerer=answerer, k=k, **options)
    except Exception as err:  # noqa: BLE001 - recorded on the question; the run goes on
        record.error = f"{type(err).__name__}: {err}"
        return
    record.add_reply(reply)
