"""What every framework child script shares: the input it reads, offline settings, timing, the output.

A child is run by `benchmarks/frameworks.py` inside its framework's own virtualenv as

    python benchmarks/frameworks/NAME_run.py INPUT.json OUTPUT.json

INPUT.json (written by the driver) holds the model folder, the documents (`doc_id`, exact `text`), the
questions (`id`, `question`), `k`, `rounds`, `threads` and the configurations to run. OUTPUT.json gets,
per configuration: every passage the index holds as `[doc_id, start, end]` (code-point offsets into
the document text, or nulls when the passage could not be found in it), the top-k per question as
`[passage index, score]`, the latency of every timed query, the build time and notes. Scoring is the
driver's, with the project's own rule, so no child decides what counts as a hit.

Importing this module turns every hub and telemetry call off before any framework is imported.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
os.environ.update(OFFLINE)


@dataclass(frozen=True)
class Job:
    """What the driver asks of a child: the corpus, the questions and the run's settings."""

    model_path: str
    documents: list[dict[str, str]]  # {"doc_id", "text"}
    questions: list[dict[str, str]]  # {"id", "question"}
    k: int
    rounds: int
    threads: int
    configs: list[str]

    @classmethod
    def read(cls, path: Path) -> Job:
        """Read the driver's INPUT.json."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{name: raw[name] for name in cls.__dataclass_fields__})

    def text(self, doc_id: str) -> str:
        """The exact text of document `doc_id`."""
        return next(d["text"] for d in self.documents if d["doc_id"] == doc_id)


@dataclass
class Passages:
    """Every passage of one index, located in the source: `spans[i]` is `(doc_id, start, end)` or None."""

    spans: list[tuple[str, int, int] | None] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)  # characters of the text the framework returns
    how: dict[str, int] = field(default_factory=dict)  # how each was located: "offsets", "find", ...
    _by_span: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def add(self, span: tuple[str, int, int] | None, length: int, how: str) -> int:
        """Record one passage (the same located span twice is one passage); its index."""
        self.how[how] = self.how.get(how, 0) + 1
        if span is not None and span in self._by_span:
            return self._by_span[span]
        self.spans.append(span)
        self.lengths.append(length)
        if span is not None:
            self._by_span[span] = len(self.spans) - 1
        return len(self.spans) - 1

    def to_json(self) -> dict[str, Any]:
        """The passage table for OUTPUT.json."""
        return {
            "spans": [list(s) if s is not None else [None, None, None] for s in self.spans],
            "lengths": self.lengths,
            "located_by": self.how,
            "unlocated": sum(s is None for s in self.spans),
        }


def _whitespace_pattern(passage: str) -> re.Pattern[str] | None:
    words = passage.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def locate(text: str, passage: str, cursor: int = 0) -> tuple[int, int, str] | None:
    """Where `passage` stands in `text`: `(start, end, how)`, searching from `cursor` first, else None.

    An exact `str.find` first (from `cursor`, then from the start), else the same words with any
    whitespace between them (for frameworks that collapse or strip whitespace).
    """
    for origin in (cursor, 0):
        at = text.find(passage, origin)
        if at >= 0 and passage:
            return at, at + len(passage), "find"
    pattern = _whitespace_pattern(passage)
    if pattern is None:
        return None
    for origin in (cursor, 0):
        match = pattern.search(text, origin)
        if match:
            return match.start(), match.end(), "find-whitespace"
    return None


def checked_span(text: str, passage: str, start: int | None, end: int | None) -> tuple[int, int, str] | None:
    """The framework's own offsets when `text[start:end]` is the passage; else `locate` from `start`."""
    if start is not None and end is None:
        end = start + len(passage)
    if start is not None and end is not None and text[start:end] == passage:
        return start, end, "offsets"
    return locate(text, passage, start or 0)


def set_threads(threads: int) -> dict[str, Any]:
    """Give torch (and FAISS, when installed) `threads` threads; what was set."""
    import torch

    torch.set_num_threads(threads)
    settings: dict[str, Any] = {"torch": torch.get_num_threads()}
    try:
        import faiss
    except ImportError:
        return settings
    faiss.omp_set_num_threads(threads)
    settings["faiss"] = faiss.omp_get_max_threads()
    return settings


def versions(packages: Iterable[str]) -> dict[str, str | None]:
    """Installed version of each package (None when it is not installed)."""
    found: dict[str, str | None] = {}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """`call()` and its wall-clock seconds."""
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def run_questions(
    job: Job, search: Callable[[str], Sequence[tuple[int, float]]]
) -> tuple[dict[str, list[list[float]]], list[float], dict[str, float]]:
    """Ask every question `job.rounds` times, one at a time, after one warm-up query.

    `search(question)` returns the top-k as `(passage index, score)`, best first; only that call is
    timed. Returns the first round's rankings, every query's milliseconds, and the first round's
    milliseconds per question id.
    """
    search(job.questions[0]["question"])  # warm-up: lazy imports, allocations, first-call caches
    rankings: dict[str, list[list[float]]] = {}
    latencies: list[float] = []
    first: dict[str, float] = {}
    for round_number in range(job.rounds):
        for question in job.questions:
            started = time.perf_counter()
            hits = search(question["question"])
            elapsed = (time.perf_counter() - started) * 1000
            latencies.append(elapsed)
            if round_number == 0:
                first[question["id"]] = elapsed
                rankings[question["id"]] = [[index, float(score)] for index, score in hits[: job.k]]
    return rankings, latencies, first


def main(
    name: str,
    packages: Sequence[str],
    configs: dict[str, Callable[[Job], dict[str, Any]]],
) -> int:
    """Run each configuration the driver asked for; write OUTPUT.json (errors included) and return 0."""
    job = Job.read(Path(sys.argv[1]))
    output: dict[str, Any] = {"system": name, "versions": versions(packages), "configs": {}, "errors": {}}
    try:
        output["threads"] = set_threads(job.threads)
    except Exception:  # torch missing or broken: every configuration would fail the same way
        output["errors"]["setup"] = traceback.format_exc()
        configs = {}
    for config in job.configs:
        if config not in configs:
            output["errors"].setdefault(config, f"{name} has no configuration {config!r}")
            continue
        print(f"{name}: {config} …", file=sys.stderr, flush=True)
        try:
            output["configs"][config] = configs[config](job)
        except Exception:  # recorded for the report; the other configurations still run
            output["errors"][config] = traceback.format_exc()
            print(output["errors"][config], file=sys.stderr)
    Path(sys.argv[2]).write_text(json.dumps(output) + "\n", encoding="utf-8")
    return 0


def measure(
    job: Job,
    passages: Passages,
    search: Callable[[str], Sequence[tuple[int, float]]],
    **details: Any,
) -> dict[str, Any]:
    """Run the questions through `search` and assemble one configuration's OUTPUT.json entry."""
    rankings, latencies, first = run_questions(job, search)
    return {
        **details,
        "passages": passages.to_json(),
        "rankings": rankings,
        "latency_ms": [round(ms, 4) for ms in latencies],
        "latency_first_round_ms": {q: round(ms, 4) for q, ms in first.items()},
    }
