"""Documents benchmark (issue 16): the seeds as people would have them, read back by wenda.

The five seed articles are printed to PDF by Chromium (one column, and two columns; both
with a running header and a page-number footer), written as .docx by python-docx and saved
as news pages (``eval/formats.py``). Then:

(a) text: the extracted text against the source after folding white space (``fold``):
    characters of the source found in order (recall) and of the extraction that are the
    source's (precision), per format; the same for pypdf, pdfminer.six and pdfplumber's
    own text modes, and pages/s of each PDF reader (the library choice);
(b) retrieval: hit@5 of the seeds gold set on each format against the .txt seeds (gold
    ``doc`` fields renamed to the converted files; evidence that differs from the extracted
    text only in white space is re-anchored to it, and counted);
(c) attribution: for every top-5 hit and every citation of an extractive answer to each
    gold question, the page (PDF) and heading path (PDF, Word, web page) are checked: a PDF
    span is found whole in pypdf's text of the pages (``PrintedPages``: running header and
    footer off) and must start on the first page given and end on the last (a span that
    runs over a page break names both); a heading path is recomputed from the article's
    own structure;
(d) speed: PDF extraction pages/s beside the embedding time of the chunks it feeds.

    flock /tmp/wenda-cpu.lock python bench/documents_bench.py [--embedder NAME]

Writes bench/results/documents-<embedder>.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from documents_text import pdf_readers, text_fidelity

from embeddings import DEFAULT_EMBEDDER, get_embedder
from eval.formats import Article, PrintedPages, fold, news_page, print_html, print_pdf, write_docx
from eval.gold import SEEDS_GOLD, EvidenceRef, GoldItem, load_gold
from eval.report import machine_info, markdown_table
from eval.runner import run_eval
from eval.tables import fmt
from rag import KnowledgeBase, SourceDocument
from rag.index import DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP
from rag.ingest.chunking import chunk_document
from rag.ingest.pdf import read_pdf

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
HEADER = "科技资讯 内部参考"
FORMATS = {"pdf-1col": ".pdf", "pdf-2col": ".pdf", "docx": ".docx", "html": ".html"}


def build(folder: Path) -> dict[str, Path]:
    """The seeds in every format, one folder each; ``txt`` is the seeds folder itself."""
    out = {"txt": SEEDS}
    for name in FORMATS:
        (folder / name).mkdir(parents=True, exist_ok=True)
        out[name] = folder / name
    for source in sorted(SEEDS.glob("*.txt")):
        article = Article.of_text(source.read_text(encoding="utf-8"))
        print_pdf(print_html(article, 1, HEADER), out["pdf-1col"] / f"{source.stem}.pdf")
        print_pdf(print_html(article, 2, HEADER), out["pdf-2col"] / f"{source.stem}.pdf")
        write_docx(article, out["docx"] / f"{source.stem}.docx")
        (out["html"] / f"{source.stem}.html").write_text(news_page(article), encoding="utf-8")
    return out


def articles() -> dict[str, tuple[str, Article]]:
    return {p.stem: (p.read_text(encoding="utf-8"), Article.of_text(p.read_text(encoding="utf-8")))
            for p in sorted(SEEDS.glob("*.txt"))}


# -- (b) retrieval and (c) attribution --------------------------------------------------
def loose(text: str) -> re.Pattern:
    """``text`` with white space optional anywhere (a PDF line wrapped at a space loses it)."""
    return re.compile(r"\s*".join(map(re.escape, re.sub(r"\s+", "", text))))


def renamed(gold: list[GoldItem], suffix: str, kb: KnowledgeBase) -> tuple[list[GoldItem], int]:
    """Gold items whose evidence names the converted files instead of the .txt seeds, and
    is the extracted text's own wording of it where that differs only in white space;
    with how many pieces of evidence were so re-anchored."""
    moved = 0

    def anchored(ref: EvidenceRef) -> EvidenceRef:
        nonlocal moved
        doc = Path(ref.doc).stem + suffix
        try:
            text = kb.index.document(doc).text
        except KeyError:
            return replace(ref, doc=doc)
        if ref.text is None or ref.text in text:
            return replace(ref, doc=doc)
        match = loose(ref.text).search(text)
        moved += match is not None
        return replace(ref, doc=doc, text=match[0] if match else ref.text)

    items = [replace(item, evidence=tuple(map(anchored, item.evidence))) for item in gold]
    return items, moved


class Attribution:
    """Checks the page or heading path given for spans of one format's documents."""

    def __init__(self, name: str, folder: Path, sources: dict[str, tuple[str, Article]]) -> None:
        self.name, self.folder, self.sources = name, folder, sources
        self.pages: dict[str, PrintedPages] = {}
        self.checked, self.wrong, self.examples = 0, 0, []

    def __call__(self, document: SourceDocument, start: int, end: int, kind: str) -> None:
        where = document.locate(start, end)
        if self.name.startswith("pdf"):
            ok = (self._on_pages(document, start, end, where.page, where.page_end)
                  and self._section_ok(document, start, end, where.section))
        elif self.name == "txt":
            ok = where.page is None and where.section is None
        else:
            ok = self._section_ok(document, start, end, where.section)
        self.checked += 1
        if not ok:
            self.wrong += 1
            if len(self.examples) < 5:
                self.examples.append({"kind": kind, "doc": document.doc_id, "start": start,
                                      "end": end, "page": where.page,
                                      "page_end": where.page_end, "section": where.section})

    def _section_ok(self, document: SourceDocument, start: int, end: int,
                    section: str | None) -> bool:
        given = fold(section) if section else None
        return given == self._expected_section(document, start, end)

    def _on_pages(self, document: SourceDocument, start: int, end: int,
                  first: int | None, last: int | None) -> bool:
        if document.doc_id not in self.pages:
            self.pages[document.doc_id] = PrintedPages(self.folder / document.doc_id, HEADER)
        expected = self.pages[document.doc_id].pages_of(document.text, start, end)
        return expected is not None and expected == (first, last)

    def _expected_section(self, document: SourceDocument, start: int, end: int) -> str | None:
        """The heading path the article's own structure gives the span: where each of its
        headings is found in the extracted text (in order, white space aside: a heading
        wrapped at a space loses it), the path it starts holds until the next one; the span
        gets the path it overlaps most, folded (``fold``) as the text comparison is."""
        article = self.sources[Path(document.doc_id).stem][1]
        marks, cursor = [(0, ())], 0
        for line, path in article.headings_at():
            if not path or line != path[-1]:
                continue
            match = loose(line).search(document.text, cursor)
            if match:
                marks.append((match.start(), path))
                cursor = match.end()
        shared: dict[tuple[str, ...], int] = {}
        for (at, path), (after, _) in zip(marks, marks[1:] + [(len(document.text), ())]):
            overlap = min(end, after) - max(start, at)
            if overlap > 0:
                shared[path] = shared.get(path, 0) + overlap
        return fold(" > ".join(max(shared, key=shared.get))) or None if shared else None


def retrieval(corpora: dict[str, Path], sources: dict[str, tuple[str, Article]],
              embedder: str, index_root: Path) -> dict:
    gold, problems = load_gold(SEEDS_GOLD)
    out = {}
    for name, folder in corpora.items():
        suffix = FORMATS.get(name, ".txt")
        kb, report = KnowledgeBase.build(folder, index_root / name, model=embedder,
                                         progress=False)
        items, reanchored = renamed(gold, suffix, kb)
        run = run_eval(kb, items, k=5, progress=False)
        check = Attribution(name, folder, sources)
        citations = 0
        for item in items:
            for hit in kb.search(item.question, k=5):
                check(kb.index.document(hit.chunk.doc_id), hit.chunk.start, hit.chunk.end, "hit")
            for c in kb.ask(item.question, answerer="extractive", k=5)["citations"]:
                check(kb.index.document(c["doc_id"]), c["start"], c["end"], "citation")
                citations += 1
        overall = run.metrics["overall"]
        out[name] = {"chunks": report.chunks, "evidence_reanchored": reanchored,
                     **{key: overall.get(key) for key in (
                         "n_retrieval", "n_unresolved", "n_unindexed", "hit@1", "hit@5",
                         "hit@10", "mrr@10", "doc_hit@5")},
                     "attribution": {"checked": check.checked, "wrong": check.wrong,
                                     "citations": citations, "examples": check.examples}}
    out["gold_problems"] = problems
    return out


# -- (d) speed --------------------------------------------------------------------------
def speed(corpora: dict[str, Path], embedder: str, repeats: int = 3) -> dict:
    files = sorted(corpora["pdf-1col"].glob("*.pdf")) + sorted(corpora["pdf-2col"].glob("*.pdf"))
    data = [f.read_bytes() for f in files]
    began = time.perf_counter()
    for _ in range(repeats):
        extracted = [read_pdf(d) for d in data]
    extract_s = (time.perf_counter() - began) / repeats
    pages = sum(e.sections[-1].page for e in extracted)
    chunks = [c.norm for path, e in zip(files, extracted) for c in chunk_document(
        SourceDocument(path.name, path.name, e.text, sections=tuple(e.sections)),
        DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP)]
    model = get_embedder(embedder, cache=False)
    model.embed_documents(chunks[:2])  # load the model outside the timing
    began = time.perf_counter()
    model.embed_documents(chunks)
    embed_s = time.perf_counter() - began
    return {"files": len(files), "pages": pages, "extract_s": extract_s,
            "extract_pages_per_s": pages / extract_s, "chunks": len(chunks),
            "embed_s": embed_s, "embed_s_per_page": embed_s / pages,
            "extract_share_of_extract_plus_embed": extract_s / (extract_s + embed_s)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default=DEFAULT_EMBEDDER)
    args = parser.parse_args()
    out: dict[str, Any] = {"machine": machine_info(),
                           "embedder": args.embedder, "started_at": time.strftime("%FT%T%z")}
    sources = articles()
    with tempfile.TemporaryDirectory() as tmp:
        corpora = build(Path(tmp) / "corpora")
        out["text"] = text_fidelity(corpora, sources)
        out["pdf_readers"] = pdf_readers(corpora, sources)
        out["retrieval"] = retrieval(corpora, sources, args.embedder, Path(tmp) / "indexes")
        out["speed"] = speed(corpora, args.embedder)
    safe = re.sub(r"[^\w.-]+", "_", args.embedder)
    path = ROOT / "bench" / "results" / f"documents-{safe}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")

    print(markdown_table(["format", "recall", "precision", "worst doc recall",
                          "CJK spaces added"], [
        [name, f"{t['recall']:.4f}", f"{t['precision']:.4f}", f"{t['worst_doc_recall']:.4f}",
         str(t["cjk_spaces"])] for name, t in out["text"].items()]))
    print()
    print(markdown_table(["PDF reader", "layout", "recall", "precision", "CJK spaces", "pages/s"], [
        [name, layout, f"{t['recall']:.4f}", f"{t['precision']:.4f}", str(t["cjk_spaces"]),
         f"{t['pages_per_s']:.1f}"]
        for name, layouts in out["pdf_readers"].items() for layout, t in layouts.items()]))
    print()
    print(markdown_table(["format", "chunks", "hit@5", "mrr@10", "unresolved",
                          "re-anchored", "attribution wrong"], [
        [name, str(r["chunks"]), fmt(r["hit@5"]), fmt(r["mrr@10"]), str(r["n_unresolved"]),
         str(r["evidence_reanchored"]),
         f"{r['attribution']['wrong']} of {r['attribution']['checked']}"]
        for name, r in out["retrieval"].items() if name != "gold_problems"]))
    s = out["speed"]
    print(f"\nPDF extraction {s['extract_pages_per_s']:.1f} pages/s ({s['pages']} pages); "
          f"embedding its {s['chunks']} chunks {s['embed_s']:.1f} s "
          f"({s['embed_s_per_page']:.2f} s/page); extraction is "
          f"{100 * s['extract_share_of_extract_plus_embed']:.1f} % of the two")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
