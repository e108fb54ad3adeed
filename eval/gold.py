"""Gold question/answer sets: read them from JSON Lines and place their evidence in an index.

A gold line is ``{"id", "question", "answer", "aliases", "doc", "evidence", "type", "lang",
"split"}``; ``split`` ("tune", "test" or null) is the fixed side of ``eval.splits``.
``doc`` names a file (the index's ``doc_id`` for files ingested from a folder, or a
document's ``source``) or lists several; ``evidence`` is a verbatim substring of its doc, one
per doc for several. ``answer: ""`` with ``doc``/``evidence`` null marks a question the
corpus cannot answer. A malformed line is reported (line number and reason) and skipped, so
one typo never costs a whole evaluation run.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.metrics import EvidenceGroup, Span
from rag.index import CorpusIndex
from rag.ingest import detect_script, json_object, normalize

SEEDS_GOLD = Path(__file__).resolve().parent / "gold" / "seeds.jsonl"


@dataclass(frozen=True)
class EvidenceRef:
    """Where a gold answer is supported: a doc and, optionally, the text (and its offset)."""

    doc: str
    text: str | None = None  # None: the whole document counts as evidence
    start: int | None = None  # known offset of ``text`` (SQuAD's answer_start), else searched


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answer: str
    aliases: tuple[str, ...] = ()
    evidence: tuple[EvidenceRef, ...] = ()
    type: str = "factoid"
    lang: str = "zh-Hans"
    split: str | None = None  # "tune" | "test" | None: in neither split (eval.splits)

    @property
    def answerable(self) -> bool:
        return bool(self.answer)

    @property
    def answers(self) -> list[str]:
        """The gold answer and its aliases: any of them is a right answer."""
        return [a for a in (self.answer, *self.aliases) if a]

    @property
    def docs(self) -> list[str]:
        return list(dict.fromkeys(ref.doc for ref in self.evidence))


class GoldFormatError(ValueError):
    """A gold line that cannot be used; the message says what is wrong with it."""


def load_gold(path: str | Path) -> tuple[list[GoldItem], list[str]]:
    """Items of a gold JSON Lines file and one ``"line N: reason"`` per skipped line."""
    items: list[GoldItem] = []
    problems: list[str] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = parse_gold(line)
                if item.id in seen:
                    raise GoldFormatError(f"duplicate id {item.id!r}")
            except GoldFormatError as why:
                problems.append(f"line {number}: {why}")
                continue
            seen.add(item.id)
            items.append(item)
    return items, problems


def sample(items: list[GoldItem], limit: int | None, seed: int = 0) -> list[GoldItem]:
    """``limit`` items drawn reproducibly by ``seed``, kept in their original order."""
    if limit is None or limit >= len(items):
        return items
    return [items[i] for i in sorted(random.Random(seed).sample(range(len(items)), limit))]


def parse_gold(line: str) -> GoldItem:
    """One gold line → GoldItem; unknown fields are ignored."""
    try:
        row = json_object(line)
    except ValueError as why:
        raise GoldFormatError(str(why)) from None
    question, answer = _text(row, "question"), row.get("answer")
    if not isinstance(answer, str):
        raise GoldFormatError('"answer" must be a string ("" for unanswerable)')
    aliases = row.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise GoldFormatError('"aliases" must be a list of strings')
    evidence = _evidence(row.get("doc"), row.get("evidence"))
    if not answer and (evidence or aliases):
        raise GoldFormatError('an unanswerable question (answer "") takes no doc, evidence '
                              "or aliases")
    split = row.get("split")
    if split not in (None, "tune", "test"):
        raise GoldFormatError('"split" must be "tune", "test" or null')
    return GoldItem(
        id=_text(row, "id", allow_int=True),
        question=question,
        answer=answer.strip(),
        aliases=tuple(a.strip() for a in aliases if a.strip()),
        evidence=evidence,
        type=str(row.get("type") or ("factoid" if answer else "unanswerable")),
        lang=str(row.get("lang") or detect_script(question)),
        split=split,
    )


def _text(row: dict[str, Any], key: str, allow_int: bool = False) -> str:
    value = row.get(key)
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise GoldFormatError(f'no "{key}" string')
    return value.strip()


def _as_list(value: Any, key: str) -> list[str]:
    values = [] if value is None else [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise GoldFormatError(f'"{key}" must be a non-empty string, a list of them, or null')
    return values


def _evidence(doc: Any, evidence: Any) -> tuple[EvidenceRef, ...]:
    """Pair docs with evidence strings: one doc holds every string, or one string per doc."""
    docs, texts = _as_list(doc, "doc"), _as_list(evidence, "evidence")
    if texts and not docs:
        raise GoldFormatError('"evidence" given without "doc"')
    if not texts:
        return tuple(EvidenceRef(d) for d in docs)
    if len(docs) == 1:
        return tuple(EvidenceRef(docs[0], t) for t in texts)
    if len(docs) != len(texts):
        raise GoldFormatError(f"{len(docs)} docs but {len(texts)} evidence strings; give one "
                              "evidence string per doc")
    return tuple(EvidenceRef(d, t) for d, t in zip(docs, texts))


# -- placing evidence in an index ------------------------------------------------------------
@dataclass
class EvidenceResolver:
    """Finds gold evidence in the documents of an index, as character spans.

    A gold ``doc`` matches a ``doc_id`` exactly, else every document whose ``source`` (file
    name) it equals. Evidence is searched verbatim, then in normalized text (same length, so
    the offsets hold) so that gold written in the other script still lands.
    """

    index: CorpusIndex
    _by_source: dict[str, list[str]] = field(init=False, repr=False)
    _chunks: dict[str, list[Span]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_source, self._chunks = defaultdict(list), defaultdict(list)
        for doc in self.index.documents:
            self._by_source[doc.source].append(doc.doc_id)
        for chunk in self.index.chunks:
            self._chunks[chunk.doc_id].append(Span(chunk.doc_id, chunk.start, chunk.end))

    def __call__(self, item: GoldItem) -> tuple[list[EvidenceGroup], str | None]:
        """The evidence groups of ``item``, or ``([], reason)`` when some cannot be found."""
        groups = []
        for ref in item.evidence:
            group = self.find(ref)
            if not group:
                where = f"{ref.doc!r}" if ref.text is None else f"{ref.text!r} in {ref.doc!r}"
                return [], f"gold evidence not found in the index: {where}"
            groups.append(group)
        return groups, None

    def unindexed(self, groups: list[EvidenceGroup]) -> int:
        """How many evidence groups no chunk overlaps (cleaning dropped that text), so no
        retriever could ever find them."""
        return sum(not any(c.overlaps(s) for s in group for c in self._chunks[s.doc_id])
                   for group in groups)

    def find(self, ref: EvidenceRef) -> EvidenceGroup:
        """Every occurrence of ``ref`` in the documents it names (empty: none)."""
        doc_ids = self._doc_ids(ref.doc)
        if ref.text is None:
            return tuple(Span(d, 0, len(self.index.document(d).text)) for d in doc_ids)
        texts = {d: self.index.document(d).text for d in doc_ids}
        if ref.start is not None:
            end = ref.start + len(ref.text)
            at = tuple(Span(d, ref.start, end) for d, t in texts.items()
                       if t[ref.start : end] == ref.text)
            if at:
                return at
        found = tuple(s for d, t in texts.items() for s in _occurrences(d, t, ref.text))
        return found or tuple(s for d, t in texts.items()
                              for s in _occurrences(d, normalize(t), normalize(ref.text)))

    def _doc_ids(self, doc: str) -> list[str]:
        try:
            self.index.document(doc)
        except KeyError:
            return self._by_source.get(doc, [])
        return [doc]


def _occurrences(doc_id: str, text: str, needle: str) -> list[Span]:
    spans, at = [], text.find(needle)
    while needle and at >= 0:
        spans.append(Span(doc_id, at, at + len(needle)))
        at = text.find(needle, at + 1)
    return spans
