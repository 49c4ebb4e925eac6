"""Benchmark the dense index types (flat, hnsw, ivfpq) on synthetic corpora of 10k to 1M vectors.

For each corpus size and index type this measures build time, size on disk, resident memory of the
loaded index, single-query latency (one thread, p50/p99) and recall@10 against an exact flat search,
then sweeps each type's search parameter. Every configuration is built in one fresh subprocess and
served (loaded and queried) in another, so memory figures do not mix.

    .venv/bin/python benchmarks/scale.py --sizes 10000,100000,1000000 --types flat,hnsw,ivfpq \\
        --queries 1000 --out benchmarks/results/scale.json

The data: a seeded Gaussian mixture shaped like sentence embeddings (384-d, unit length). 256 topic
directions; 16 centres around each topic (4,096 in all); each point is a centre plus anisotropic noise
whose variance decays along the dimensions of a random rotation (so neighbourhoods have a low
intrinsic dimension, as real embeddings do). Queries are fresh points from the same mixture, never in
the index. See benchmarks/README.md (## Scale) for the figures and how to read them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from index.dense import build_dense, describe_dense, load_dense, save_dense, search_dense

DIMENSION = 384  # all-MiniLM-L6-v2
TOPICS = 256
CENTRES_PER_TOPIC = 16
# squared norms of a centre's offset from its topic and a point's from its centre (cos ≈ 0.71 each)
CENTRE_SPREAD = 1.0
POINT_SPREAD = 1.0
K = 10
WARMUP = 50
# per type: the search parameter swept, and its values (the stored default is measured first)
SWEEPS: dict[str, list[dict[str, Any]]] = {
    "flat": [],
    "hnsw": [{"ef_search": ef} for ef in (16, 32, 64, 128, 256)],
    "ivfpq": [{"nprobe": p} for p in (8, 16, 32, 128)] + [{"k_factor": f} for f in (4, 8, 32)],
}
THREAD_CHECK_MAX = 100_000  # flat with 1 vs 2 OpenMP threads, at sizes up to this


def make_vectors(
    n: int,
    *,
    seed: int,
    topics: npt.NDArray[np.float32] | None = None,
    spread: float = 1.0,
    dimension: int = DIMENSION,
) -> npt.NDArray[np.float32]:
    """`n` unit vectors from the seeded topic → centre → point mixture described above.

    `topics` replaces the random topic directions, e.g. with real chunk embeddings; each then gets
    enough centres to make ~4,096 in all. `spread` scales both offsets' squared norms.
    """
    rng = np.random.default_rng(seed)
    mixture = np.random.default_rng(0)  # the mixture itself is fixed; `seed` only draws points
    if topics is None:
        topics = _unit(mixture.standard_normal((TOPICS, dimension), dtype=np.float32))
    per_topic = -(-TOPICS * CENTRES_PER_TOPIC // len(topics))  # ceiling division
    offsets = mixture.standard_normal((len(topics) * per_topic, dimension), dtype=np.float32)
    centres = _unit(
        np.repeat(topics, per_topic, axis=0) + offsets * np.sqrt(spread * CENTRE_SPREAD / dimension)
    )
    rotation, _ = np.linalg.qr(mixture.standard_normal((dimension, dimension)))
    spectrum = np.arange(1, dimension + 1) ** -0.5  # std along the i-th noise direction ∝ i^-1/2
    spectrum *= np.sqrt(spread * POINT_SPREAD / (spectrum**2).sum())
    noise_basis = (spectrum[:, None] * rotation.T).astype(np.float32)
    out = np.empty((n, dimension), np.float32)
    for start in range(0, n, 65_536):
        stop = min(n, start + 65_536)
        which = rng.integers(0, len(centres), stop - start)
        noise = rng.standard_normal((stop - start, dimension), dtype=np.float32) @ noise_basis
        out[start:stop] = _unit(centres[which] + noise)
    return out


def _unit(rows: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    rows = rows.astype(np.float32, copy=False)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)  # type: ignore[no-any-return]


def rss_bytes(field: str = "VmRSS") -> int:
    """This process's resident memory (VmRSS) or its peak (VmHWM), from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status: this benchmark needs Linux")


# ---- the two workers, each run in its own fresh process ---------------------------------------


def work_build(data: Path, spec: str, folder: Path) -> dict[str, Any]:
    """Build one index over data/corpus.npy, save it to `folder`, and measure time, disk and memory.

    `spec` is an index type, or "ivfpq/REFINE" for ivfpq with refine=REFINE (flat, sq8 or none).
    """
    index_type, _, refine = spec.partition("/")
    vectors = np.load(data / "corpus.npy")
    before = rss_bytes()
    started, started_cpu = time.perf_counter(), time.process_time()
    index = build_dense(vectors, index_type=index_type, refine=refine or "flat")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
    after, peak = rss_bytes(), rss_bytes("VmHWM")
    folder.mkdir(parents=True, exist_ok=True)
    save_dense(index, folder)
    disk = sum(p.stat().st_size for p in folder.iterdir())
    return {
        "build_s": seconds,
        "build_cpu_s": cpu_seconds,
        "disk_bytes": disk,
        "build_rss_delta_bytes": after - before,
        "build_peak_delta_bytes": peak - before,
        "params": describe_dense(index),
    }


def work_serve(data: Path, spec: str, folder: Path, *, size: int) -> dict[str, Any]:
    """Load the saved index, measure its resident memory, then time single queries and score recall."""
    index_type = spec.partition("/")[0]
    queries = np.load(data / "queries.npy")
    truth = np.load(data / "truth.npy")
    faiss.omp_set_num_threads(1)
    before = rss_bytes()
    index = load_dense(folder, expected=size, dimension=queries.shape[1])
    loaded = rss_bytes()
    runs = [measure(index, queries, truth, {})]
    runs += [measure(index, queries, truth, params) for params in SWEEPS[index_type]]
    if index_type == "flat" and size <= THREAD_CHECK_MAX:
        runs += [measure(index, queries, truth, {"threads": 2})]
    return {"index_rss_bytes": loaded - before, "default": runs[0], "sweep": runs[1:]}


def measure(
    index: Any, queries: npt.NDArray[np.float32], truth: npt.NDArray[np.int64], params: dict[str, Any]
) -> dict[str, Any]:
    """p50/p99/mean latency (ms) and recall@10 of single-vector queries with `params`."""
    for query in queries[:WARMUP]:
        search_dense(index, query, K, **params)
    latencies = np.empty(len(queries))
    cpu = np.empty(len(queries))  # this thread's CPU time: what the query costs, less time descheduled
    found = 0
    for i, query in enumerate(queries):
        started, started_cpu = time.perf_counter(), time.thread_time()
        _, ids = search_dense(index, query, K, **params)
        latencies[i] = time.perf_counter() - started
        cpu[i] = time.thread_time() - started_cpu
        found += len(set(ids.tolist()) & set(truth[i].tolist()))
    return {
        "params": params,
        "p50_ms": float(np.percentile(latencies, 50) * 1000),
        "p99_ms": float(np.percentile(latencies, 99) * 1000),
        "mean_ms": float(latencies.mean() * 1000),
        "p50_cpu_ms": float(np.percentile(cpu, 50) * 1000),
        "recall_at_10": found / (K * len(queries)),
    }


# ---- the driver -------------------------------------------------------------------------------


def read_topics(path: Path) -> npt.NDArray[np.float32]:
    """The chunk embeddings of a built index (its folder, or its dense.faiss), as topic directions."""
    if path.is_dir():
        path = path / "dense.faiss"
    index = faiss.read_index(str(path))
    if index.d != DIMENSION:
        raise SystemExit(f"{path} holds {index.d}-d vectors; this benchmark makes {DIMENSION}-d ones")
    return _unit(index.reconstruct_n(0, index.ntotal))


def topic_spread(topics: npt.NDArray[np.float32]) -> float:
    """Half the median squared distance from a topic to its nearest other topic.

    Real chunk embeddings of one corpus sit close together (here: median nearest-neighbour cosine 0.93):
    offsets as large as the random topics' would blur them into one structureless cloud, so they
    are scaled to the real spacing instead.
    """
    similarity = topics @ topics.T
    np.fill_diagonal(similarity, -1.0)
    return float(np.median(2 - 2 * similarity.max(axis=1)) / 2)


def prepare(
    data: Path, *, size: int, queries: int, seed: int, topics: npt.NDArray[np.float32] | None
) -> float:
    """Write corpus.npy, queries.npy and the exact top-10 (truth.npy) to `data`; return seconds taken."""
    started = time.perf_counter()
    data.mkdir(parents=True, exist_ok=True)
    spread = 1.0 if topics is None else topic_spread(topics)
    corpus = make_vectors(size, seed=seed, topics=topics, spread=spread)
    held_out = make_vectors(queries, seed=seed + 1, topics=topics, spread=spread)  # never in the corpus
    exact = faiss.IndexFlatIP(DIMENSION)
    exact.add(corpus)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    _, truth = exact.search(held_out, K)
    np.save(data / "corpus.npy", corpus)
    np.save(data / "queries.npy", held_out)
    np.save(data / "truth.npy", truth)
    return time.perf_counter() - started


def run_worker(role: str, data: Path, index_type: str, folder: Path, size: int) -> dict[str, Any]:
    """Run one worker in a fresh interpreter and return the JSON it prints."""
    command = [sys.executable, __file__, "--worker", role, "--data", str(data)]
    command += ["--types", index_type, "--folder", str(folder), "--sizes", str(size)]
    env = dict(os.environ)
    if role == "build":
        # idle OpenMP threads sleep instead of spinning: on a busy machine spinning makes k-means
        # (many short parallel loops) 5-10x slower; queries run on one thread, so serving is unaffected
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{role} {index_type} at {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def format_table(results: list[dict[str, Any]]) -> str:
    """A fixed-width table of the default configuration of every (size, type)."""
    header = (
        f"{'vectors':>9} {'type':<10} {'build s':>8} {'disk MiB':>9} {'RSS MiB':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'cpu p50':>8} {'recall@10':>9}  params"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        d = r["default"]
        p = {k: v for k, v in r["params"].items() if k not in ("vectors", "dimension", "structure")}
        lines.append(
            f"{r['size']:>9,} {r['type']:<10} {r['build_s']:>8.1f} {r['disk_bytes'] / 2**20:>9.1f} "
            f"{r['index_rss_bytes'] / 2**20:>8.1f} {d['p50_ms']:>8.3f} {d['p99_ms']:>8.3f} {d['p50_cpu_ms']:>8.3f} "
            f"{d['recall_at_10']:>9.4f}  {p}"
        )
    return "\n".join(lines)


def format_sweeps(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        for s in r["sweep"]:
            lines.append(
                f"{r['size']:>9,} {r['type']:<10} {json.dumps(s['params']):<22} p50 {s['p50_ms']:8.3f} ms  "
                f"p99 {s['p99_ms']:8.3f} ms  cpu p50 {s['p50_cpu_ms']:8.3f} ms  recall@10 {s['recall_at_10']:.4f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--types", default="flat,hnsw,ivfpq", help="also ivfpq/sq8, ivfpq/none (refine)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/scale.json"))
    parser.add_argument(
        "--topics-from",
        type=Path,
        help="an index folder (e.g. var/index/current) whose chunk embeddings become the topics",
    )
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed)")
    parser.add_argument("--worker", choices=("build", "serve"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    types = args.types.split(",")

    if args.worker == "build":
        print(json.dumps(work_build(args.data, types[0], args.folder)))
        return 0
    if args.worker == "serve":
        print(json.dumps(work_serve(args.data, types[0], args.folder, size=sizes[0])))
        return 0

    topics = read_topics(args.topics_from) if args.topics_from else None
    work = args.work or Path(tempfile.mkdtemp(prefix="alliance-qa-scale-"))
    results: list[dict[str, Any]] = []
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "faiss": faiss.__version__,
            "numpy": np.__version__,
            "load_average_at_start": os.getloadavg(),
            "build_env": {"OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")},
        },
        "data": {
            "dimension": DIMENSION,
            "topics": TOPICS if topics is None else f"{len(topics)} chunk embeddings of {args.topics_from}",
            "centres": TOPICS * CENTRES_PER_TOPIC
            if topics is None
            else len(topics) * -(-TOPICS * CENTRES_PER_TOPIC // len(topics)),
            "centre_spread": CENTRE_SPREAD * (1.0 if topics is None else topic_spread(topics)),
            "point_spread": POINT_SPREAD * (1.0 if topics is None else topic_spread(topics)),
            "noise_spectrum": "std along the i-th direction of a random rotation ∝ i^-1/2",
            "seed": args.seed,
            "queries": args.queries,
            "k": K,
        },
        "results": results,
    }
    try:
        for size in sizes:
            data = work / f"data-{size}"
            seconds = prepare(data, size=size, queries=args.queries, seed=args.seed, topics=topics)
            print(f"# {size:,} vectors: data and exact top-{K} in {seconds:.1f} s", flush=True)
            for index_type in types:
                folder = work / f"index-{size}-{index_type.replace('/', '-')}"
                built = run_worker("build", data, index_type, folder, size)
                served = run_worker("serve", data, index_type, folder, size)
                shutil.rmtree(folder)
                row = {"size": size, "type": index_type, **built, **served}
                results.append(row)
                print(format_table([row]).splitlines()[-1], flush=True)
                report["machine"]["load_average_at_end"] = os.getloadavg()
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps(report, indent=1) + "\n")  # partial results survive a stop
            shutil.rmtree(data)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(format_table(results))
    print()
    print(format_sweeps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
