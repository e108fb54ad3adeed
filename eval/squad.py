"""SQuAD-format reading-comprehension sets (CMRC 2018, DRCD) as a retrieval + QA benchmark.

Every paragraph of every file becomes one document of a JSON Lines corpus
(``{"id": "<file stem>-<paragraph index>", "title", "text"}``), and every question a gold
item whose evidence is its answer span (``answer_start``) in its own paragraph: retrieval
hits when a chunk overlapping that span comes back. A question's tune/test split is its
article's (``eval.splits.side`` of ``<file stem>:<title>``), so all paragraphs of one article
fall on one side. The corpus and its index are cached
under names derived from the files' contents, so a second run only loads them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from eval.corpus import cached_kb, index_cache
from eval.gold import EvidenceRef, GoldItem, sample
from eval.splits import side
from rag import KnowledgeBase
from rag.ingest import detect_script, to_simplified


def _paragraphs(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(paragraph index over the whole file, article title, paragraph) in file order."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{path}: not a SQuAD-format JSON file ({err})") from None
    index = 0
    for article in data:
        for paragraph in article.get("paragraphs", []):
            yield index, article.get("title", ""), paragraph
            index += 1


def _doc_id(path: Path, paragraph: int) -> str:
    """The index's doc_id of a paragraph: ``<stem>.jsonl#<stem>-<n>``."""
    return f"{path.stem}.jsonl#{path.stem}-{paragraph}"


def write_corpus(paths: Sequence[Path], folder: Path) -> Path:
    """Write ``<stem>.jsonl`` (one record per paragraph) for each file into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in map(Path, paths):
        target = folder / f"{path.stem}.jsonl"
        if target.exists():
            continue
        tmp = target.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for n, title, paragraph in _paragraphs(path):
                # ASCII escapes: the loader splits lines as str.splitlines does (U+2028 too)
                out.write(json.dumps({"id": f"{path.stem}-{n}", "title": title,
                                      "text": paragraph["context"]}) + "\n")
        os.replace(tmp, target)
    return folder


def load_squad(path: str | Path, limit: int | None = None, seed: int = 0,
               to_simplified_questions: bool = False) -> list[GoldItem]:
    """Gold items of one SQuAD file; ``limit`` draws that many questions reproducibly
    (same ``seed``, same sample, converted or not)."""
    path = Path(path)
    items = [_item(path, n, title, qa, to_simplified_questions)
             for n, title, paragraph in _paragraphs(path) for qa in paragraph.get("qas", [])
             if _answers(qa) and qa.get("question", "").strip()]
    return sample(items, limit, seed)


def _answers(qa: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in qa.get("answers") or [] if str(a.get("text", "")).strip()]


def _item(path: Path, paragraph: int, title: str, qa: dict[str, Any], simplify: bool
          ) -> GoldItem:
    question = to_simplified(qa["question"].strip()) if simplify else qa["question"].strip()
    spans = _answers(qa)
    answers = list(dict.fromkeys(a["text"].strip() for a in spans))
    first = spans[0]
    return GoldItem(
        id=f"{path.stem}:{qa['id']}",
        question=question,
        answer=answers[0],
        aliases=tuple(answers[1:]),
        evidence=(EvidenceRef(_doc_id(path, paragraph), first["text"],
                              first.get("answer_start")),),
        type=path.stem,
        lang=detect_script(question),
        split=side(f"{path.stem}:{title}"),
    )


def fingerprint(paths: Sequence[str | Path]) -> str:
    """Hash of the files' contents, whatever their order or location."""
    digests = sorted(hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths)
    return hashlib.sha256("".join(digests).encode()).hexdigest()


def squad_kb(paths: Sequence[str | Path], model: str | None = None,
             cache_dir: Path | None = None, progress: bool = True,
             dense: bool = True, store: str | None = None) -> KnowledgeBase:
    """The index of all paragraphs of ``paths``, built with ``model`` on first use."""
    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(f"no such SQuAD file: {path}")
    if len({Path(p).stem for p in paths}) < len(paths):
        raise ValueError("two SQuAD files share a name; rename one (names become doc ids)")
    cache_dir = cache_dir or index_cache()
    name = f"squad-{fingerprint(paths)[:12]}"
    corpus = write_corpus([Path(p) for p in paths], cache_dir / f"{name}-corpus")
    return cached_kb([corpus], name, model, cache_dir, progress, dense, store)
