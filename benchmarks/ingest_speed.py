"""Measure index builds: seconds and chunks/s for the bundled corpus per backend, and for SciFact.

Each build runs in a fresh subprocess: load the embedder (timed apart), then `Index.build_from_documents`
into a temporary folder (deleted afterwards), exactly what `alliance-qa ingest` does for a new index.
The embedder is wrapped to time its `encode` calls, so a build splits into embedding (chunks and
their sentences) and the rest (chunking, BM25, FAISS, writing files).

    .venv/bin/python benchmarks/ingest_speed.py --out benchmarks/results/ingest.json

SciFact (BEIR): its 5,183 abstracts become documents (text = title + blank line + abstract), built
once with the ONNX backend; `--scifact ''` skips it, `--no-bundled` runs only it. Builds already in
`--out` that a run does not repeat are kept, so the two can be rerun apart.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

SCIFACT = Path("/work/shared/datasets/scifact/corpus.jsonl")
# (corpus, backend, ONNX threads); torch uses its own default (every core)
BUNDLED_RUNS = (("bundled", "onnx", 1), ("bundled", "onnx", 2), ("bundled", "torch", 0))
SCIFACT_RUN = ("scifact", "onnx", 1)  # the `alliance-qa ingest` default: one ONNX thread


class TimedEmbedder:
    """An embedder that adds up the time and texts of its `encode` calls."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name, self.dimension, self.window = inner.name, inner.dimension, inner.window
        self.path = getattr(inner, "path", "")
        self.seconds = 0.0
        self.texts = 0
        self.tokens = 0

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> npt.NDArray[np.float32]:
        started = time.perf_counter()
        vectors: npt.NDArray[np.float32] = self.inner.encode(texts, batch_size=batch_size, progress=progress)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return vectors

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        vectors: npt.NDArray[np.float32] = self.inner.encode_queries(texts)
        return vectors

    def encode_tokens(self, texts: Sequence[str], *, batch_size: int = 32) -> list[npt.NDArray[np.float32]]:
        # the chunks' word-piece vectors for late interaction: a second pass over the chunk texts
        started = time.perf_counter()
        pieces: list[npt.NDArray[np.float32]] = self.inner.encode_tokens(texts, batch_size=batch_size)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return pieces

    def count_tokens(self, text: str) -> int:
        count: int = self.inner.count_tokens(text)
        return count


def scifact_documents(path: Path) -> list[Any]:
    """SciFact's abstracts as documents: id `scifact-<_id>`, text = title, blank line, abstract."""
    from ingest.documents import make_document

    documents = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            text = f"{record['title']}\n\n{record['text']}"
            documents.append(make_document(f"scifact-{record['_id']}", text.encode("utf-8")))
    return documents


def run_worker(corpus: str, backend: str, threads: int, args: argparse.Namespace) -> dict[str, Any]:
    """One build in this (fresh) process."""
    from index.embedder import load_embedder
    from index.retriever import Index
    from ingest.documents import read_corpus

    started = time.perf_counter()
    documents = read_corpus(args.corpus) if corpus == "bundled" else scifact_documents(args.scifact)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    embedder = TimedEmbedder(load_embedder(backend, None, cache_dir=args.cache_dir, threads=max(threads, 1)))
    load_seconds = time.perf_counter() - started
    if backend == "torch":
        import torch

        threads = torch.get_num_threads()
    out = Path(tempfile.mkdtemp(prefix="ingest-speed-"))
    try:
        started, started_cpu = time.perf_counter(), time.process_time()
        index = Index.build_from_documents(documents, out / "index", embedder=embedder)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - started_cpu
        chunks, sentences = len(index.chunks), len(index.sentences)
        tokens = sum(c.n_tokens for c in index.chunks)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "corpus": corpus,
        "backend": backend,
        "threads": threads,
        "documents": len(documents),
        "characters": sum(len(d.text) for d in documents),
        "chunks": chunks,
        "chunk_tokens": tokens,
        "sentences": sentences,
        "texts_embedded": embedder.texts,
        "read_s": round(read_seconds, 2),
        "model_load_s": round(load_seconds, 2),
        "build_s": round(seconds, 2),
        "build_cpu_s": round(cpu, 2),
        "embedding_s": round(embedder.seconds, 2),
        "rest_s": round(seconds - embedder.seconds, 2),
        "chunks_per_s": round(chunks / seconds, 1),
        "texts_embedded_per_s": round(embedder.texts / embedder.seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--scifact", type=Path, default=SCIFACT, help="BEIR corpus.jsonl ('' to skip)")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/cache/onnx"), help="ONNX exports")
    parser.add_argument("--no-bundled", dest="bundled", action="store_false", help="only SciFact")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/ingest.json"))
    parser.add_argument("--worker", nargs=3, metavar=("CORPUS", "BACKEND", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        corpus, backend, threads = args.worker
        json.dump(run_worker(corpus, backend, int(threads), args), sys.stdout)
        return 0

    runs: list[tuple[str, str, int]] = list(BUNDLED_RUNS) if args.bundled else []
    if str(args.scifact) not in ("", "."):
        if not args.scifact.is_file():
            print(f"{args.scifact}: no such file; pass --scifact PATH or --scifact ''", file=sys.stderr)
            return 1
        runs.append(SCIFACT_RUN)
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "what": "Index.build_from_documents into an empty folder (flat FAISS, default chunker), one process each",
        "builds": [],
    }
    print(
        f"{'corpus':<8} {'backend':<6} {'thr':>3} {'chunks':>6} {'texts':>6} {'build s':>8} {'embed s':>8} "
        f"{'chunks/s':>8} {'load avg':>8}"
    )
    for corpus, backend, threads in runs:
        worker = [sys.executable, __file__, "--worker", corpus, backend, str(threads)]
        worker += [
            "--corpus",
            str(args.corpus),
            "--scifact",
            str(args.scifact),
            "--cache-dir",
            str(args.cache_dir),
        ]
        done = subprocess.run(worker, capture_output=True, text=True, timeout=7200, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        build = json.loads(done.stdout) | {"load_average_after": os.getloadavg()}
        report["builds"].append(build)
        print(
            f"{corpus:<8} {backend:<6} {build['threads']:>3} {build['chunks']:>6} {build['texts_embedded']:>6} "
            f"{build['build_s']:>8.2f} {build['embedding_s']:>8.2f} {build['chunks_per_s']:>8.1f} "
            f"{build['load_average_after'][0]:>8.2f}",
            flush=True,
        )
    report["machine"]["load_average_at_end"] = os.getloadavg()
    if args.out.is_file():  # keep the builds of an earlier run that this one did not repeat
        redone = {(b["corpus"], b["backend"], b["threads"]) for b in report["builds"]}
        earlier = json.loads(args.out.read_text()).get("builds", [])
        kept = [b for b in earlier if (b["corpus"], b["backend"], b["threads"]) not in redone]
        report["builds"] = kept + report["builds"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
