"""Damaged documents (issue 16): 1,000 PDF and .docx files that are truncated, bit-flipped,
or random bytes behind a real header, each loaded by ``load_paths`` in a worker process
that is given 10 s per file.

A file must come back either loaded or skipped with a one-line reason; a worker that dies
(a crash) or runs out of time (a hang) is counted, killed and replaced. The damaged files
are made from the seeds printed by Chromium and written by python-docx
(``eval/formats.py``), with a fixed random seed.

    flock /tmp/wenda-cpu.lock python bench/document_fuzz_bench.py [--files 1000]

Writes bench/results/document_fuzz.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import select
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from eval.formats import Article, print_html, print_pdf, write_docx
from eval.report import machine_info, markdown_table

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 10.0
HEADERS = {".pdf": b"%PDF-1.7\n", ".docx": b"PK\x03\x04"}
WORKER = """
import json, sys
from rag.ingest import load_paths
for line in sys.stdin:
    try:
        result = load_paths([line.strip()])
        print(json.dumps({"documents": len(result.documents),
                          "chars": sum(len(d.text) for d in result.documents),
                          "reasons": [reason for _, reason in result.skipped]}), flush=True)
    except Exception as err:  # an exception load_paths let through: what this bench counts
        print(json.dumps({"exception": f"{type(err).__name__}: {err}"}), flush=True)
"""


def originals(folder: Path) -> list[Path]:
    out = []
    for source in sorted((ROOT / "seeds").glob("*.txt")):
        article = Article.of_text(source.read_text(encoding="utf-8"))
        out.append(print_pdf(print_html(article, 2, "科技资讯"), folder / f"{source.stem}.pdf"))
        out.append(write_docx(article, folder / f"{source.stem}.docx"))
    return out


def mutate(data: bytes, suffix: str, kind: str, rng: random.Random) -> bytes:
    if kind == "truncated":
        return data[: rng.randrange(1, len(data))]
    if kind == "bit-flipped":
        out = bytearray(data)
        for _ in range(rng.choice((1, 4, 16, 64))):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out)
    return HEADERS[suffix] + rng.randbytes(rng.randrange(16, 64 * 1024))


class Worker:
    """A process running ``load_paths`` on one path per line, restarted after a crash or
    a hang."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def load(self, path: Path) -> tuple[dict, float]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL, text=True)
            self.process.stdin.write(f"{ROOT / 'seeds' / '000_a3d2e3e7c9ddcafe.txt'}\n")
            self.process.stdin.flush()
            self.process.stdout.readline()  # imports done: time files, not the start
        began = time.perf_counter()
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], LIMIT_S)
        seconds = time.perf_counter() - began
        if not ready:
            self.stop()
            return {"hang": True}, seconds
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            return {"crash": True}, seconds
        return json.loads(line), seconds

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def outcome(result: dict) -> str:
    if result.get("hang"):
        return "hang"
    if result.get("crash"):
        return "crash"
    if "exception" in result:
        return "exception"
    if result["documents"]:
        return "loaded"
    one_line = len(result["reasons"]) == 1 and "\n" not in result["reasons"][0]
    return "skipped with a reason" if one_line else "no reason"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kinds = ("truncated", "bit-flipped", "random bytes with header")
    rows: list[dict] = []
    worker = Worker()
    with tempfile.TemporaryDirectory() as tmp:
        bases = originals(Path(tmp))
        for i in range(args.files):
            base, kind = bases[i % len(bases)], kinds[(i // len(bases)) % len(kinds)]
            path = Path(tmp) / f"fuzz-{i:04d}{base.suffix}"
            path.write_bytes(mutate(base.read_bytes(), base.suffix, kind, rng))
            result, seconds = worker.load(path)
            rows.append({"file": path.name, "kind": f"{base.suffix} {kind}",
                         "outcome": outcome(result), "seconds": round(seconds, 4),
                         **{k: v for k, v in result.items() if k != "hang"}})
            path.unlink()
    worker.stop()

    seconds = sorted(r["seconds"] for r in rows)
    table = Counter((r["kind"], r["outcome"]) for r in rows)
    reasons = Counter(reason.split(";")[0] for r in rows for reason in r.get("reasons", []))
    out = {"machine": machine_info(), "files": len(rows), "limit_s": LIMIT_S,
           "outcomes": dict(Counter(r["outcome"] for r in rows)),
           "by_kind": {f"{kind} / {result}": n for (kind, result), n in sorted(table.items())},
           "reasons": dict(reasons.most_common()),
           "seconds": {"p50": seconds[len(seconds) // 2],
                       "p99": seconds[int(len(seconds) * 0.99)], "max": seconds[-1]},
           "failures": [r for r in rows if r["outcome"] not in ("loaded",
                                                                 "skipped with a reason")]}
    path = ROOT / "bench" / "results" / "document_fuzz.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    kinds_seen = sorted({r["kind"] for r in rows})
    outcomes = ["loaded", "skipped with a reason", "no reason", "exception", "crash", "hang"]
    print(markdown_table(["file", *outcomes], [
        [kind, *(str(table[(kind, o)]) for o in outcomes)] for kind in kinds_seen]))
    print(f"\nseconds per file: p50 {out['seconds']['p50']:.3f}, p99 {out['seconds']['p99']:.3f},"
          f" max {out['seconds']['max']:.3f} (limit {LIMIT_S:.0f})")
    for reason, n in reasons.most_common(8):
        print(f"{n:5d}  {reason}")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
