"""``wenda ingest``: add, update and drop documents of an index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.common import add_embedder_option, add_index_option, command, print_json
from embeddings import RayCluster
from rag import KnowledgeBase
from rag.index import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_OVERLAP,
    DENSE_BATCH,
    CorpusIndex,
    default_index_dir,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = command(subparsers, "ingest", cmd_ingest, "add/update documents in an index "
                "(unchanged text is not re-embedded; files deleted under PATH are dropped)")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders of .txt .md .html/.htm (main article: menus and "
                   "comments dropped) .jsonl .jsonl.gz (streamed) .pdf (text layer; page of "
                   "each passage) .docx (heading path of each passage); .doc/.ppt/scanned or "
                   "encrypted PDFs are skipped with a reason")
    p.add_argument("--status", action="store_true",
                   help="say how far the index is (documents, chunks, vectors) and exit")
    add_index_option(p)
    add_embedder_option(p)
    p.add_argument("--rebuild", action="store_true", help="start the index from scratch")
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE,
                   help="chunk size in characters, for a new index (default %(default)s)")
    p.add_argument("--overlap", type=int, default=DEFAULT_OVERLAP,
                   help="overlap in characters, for a new index (default %(default)s)")
    p.add_argument("--no-vectors", dest="dense", action="store_false",
                   help="stop after documents and BM25 (search works in BM25 mode at once); "
                   "the same command without it adds the vectors, resumably")
    p.add_argument("--embed-batch", type=int, default=DENSE_BATCH, metavar="N",
                   help="chunks embedded per committed batch: what a kill can cost "
                   "(default %(default)s)")
    p.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS",
                   help="embed on a Ray cluster: ADDRESS of its head (host:6379 on a node of "
                   "the cluster, ray://host:10001 from outside); alone, start a Ray on this "
                   "machine. Write the PATHs before it. Needs `pip install 'wenda[ray]'`")
    p.add_argument("--ray-workers", type=int, default=None, metavar="N",
                   help="Ray workers, each holding the model once (default: as many as the "
                   "cluster's CPUs allow)")
    p.add_argument("--ray-threads", type=int, default=1, metavar="N",
                   help="CPU threads of each Ray worker (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print the ingest report as JSON")


def cmd_ingest(args: argparse.Namespace) -> int:
    if args.status:
        return _status(args)
    if not args.paths:
        if args.ray and Path(args.ray).exists():
            raise ValueError(f"--ray took {args.ray} as the cluster's address; write the "
                             "paths before --ray")
        raise ValueError("give the files or folders to ingest (or --status)")
    for path in args.paths:
        if not Path(path).exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
    _, report = KnowledgeBase.build(
        args.paths, args.index, model=args.model, chunk_size=args.chunk_size,
        overlap=args.overlap, rebuild=args.rebuild, progress=not args.quiet, dense=args.dense,
        batch_size=args.embed_batch, cluster=_cluster(args), store=args.store,
    )
    if args.json:
        print_json(vars(report))
    else:
        print(report.summary())
    if report.pending:
        print(f"wenda: {report.pending} chunks still have no vector; run the same command "
              "again to resume", file=sys.stderr)
    if not report.chunks:
        print("wenda: warning: the index holds no text; add .txt/.md/.html/.jsonl files",
              file=sys.stderr)
    return 0


def _cluster(args: argparse.Namespace) -> RayCluster | None:
    if args.ray is None:
        if args.ray_workers is not None or args.ray_threads != 1:
            raise ValueError("--ray-workers and --ray-threads need --ray [ADDRESS]")
        return None
    return RayCluster(args.ray, workers=args.ray_workers, threads=args.ray_threads)


def _status(args: argparse.Namespace) -> int:
    index = CorpusIndex.open(args.index or default_index_dir(), args.store)
    status = index.status()
    if args.json:
        print_json(status)
    else:
        print(f"{index.path}: {status['documents']} documents, {status['chunks']} chunks; "
              f"vectors for {status['vectors']} ({status['dense_progress']:.1%}); "
              f"search: {status['search']}")
    return 0
