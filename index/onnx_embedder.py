"""ONNX Runtime embedders: the sentence-transformers model exported once, then run without torch.

The exported graph takes the tokenizer's arrays and returns the finished vectors (mean pooling over
the attention mask and L2 normalisation are part of the graph), so answering a query needs only
`tokenizers`, `onnxruntime` and numpy: no torch import (start in ~1.5 s, not ~13 s) and faster queries.

With `quantize=True` ("onnx-int8") questions run through an int8 copy of the graph (2.0 ms instead
of 5.1 ms for a question on one core) while documents are still embedded in float32, so an index is
the same whichever backend built it. What the int8 copy keeps in float32 and why: `_quantize`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from alliance_qa.errors import InputError, ModelError
from alliance_qa.progress import progress as progress_bar
from index.embedder import Vectors, default_model_path, model_name, quiet_loading_in_logs
from index.late import Stored, content_rows
from ingest.tokens import WordPieceCounter

EXPORT_VERSION = 5  # bump when the graph or its quantisation changes: the cache key includes it
OPSET = 17
OUTPUT = "embeddings"
TOKENS = "tokens"  # the transformer's last hidden state, per word piece (index/late.py)
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
SUPPORTED_MODULES = {"Transformer", "Pooling", "Normalize"}  # the rest (Dense, ...) needs torch


def export_onnx(model_path: Path, cache_dir: Path, *, quantize: bool = False) -> Path:
    """The model in `model_path` as an ONNX file in `cache_dir`, exported (and quantised) only once."""
    _check_supported(model_path)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(
            f"{cache_dir}: cannot create the ONNX cache folder ({exc}); pick a writable one"
        ) from None
    fp32 = cache_dir / f"{_cache_stem(model_path)}.onnx"
    if not fp32.is_file():
        _publish(fp32, lambda tmp: _export_fp32(model_path, tmp))
    if not quantize:
        return fp32
    reduce_range = not _has_vnni()
    int8 = fp32.with_name(f"{fp32.stem}-int8{'-7bit' if reduce_range else ''}.onnx")
    if not int8.is_file():
        _publish(int8, lambda tmp: _quantize(fp32, tmp, reduce_range=reduce_range))
    return int8


class OnnxEmbedder:
    """A sentence-transformers model (Transformer + mean Pooling + Normalize) run by ONNX Runtime.

    `quantize`: questions (`encode_queries`) run through the int8 graph; documents (`encode`) through
    the float32 one, loaded on first use (a service that only answers questions never pays for it).
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        cache_dir: Path,
        quantize: bool = False,
        threads: int = 1,
    ) -> None:
        if isinstance(threads, bool) or not isinstance(threads, int | np.integer):
            raise InputError(
                f"threads must be a whole number (an int), got {threads!r} ({type(threads).__name__})"
            )
        threads = int(threads)
        if threads < 1:
            raise InputError(f"threads of {threads} is not allowed: pass 1 or more")
        path = model_path or default_model_path()
        self.onnx_path = export_onnx(path, cache_dir, quantize=quantize)  # what questions run through
        self.document_path = export_onnx(path, cache_dir) if quantize else self.onnx_path
        self._threads = threads
        self._queries = _Session(self.onnx_path, threads)
        self._documents_session = None if quantize else self._queries
        self._document_lock = threading.Lock()
        self._inputs = [node.name for node in self._queries.session.get_inputs()]
        self.path = path
        self.name = model_name(path)
        self.window = _window(path)
        self.dimension = _dimension(self._queries.session.get_outputs()[0].shape, path)
        self._tokenizer = _batch_tokenizer(path, self.window)
        self._counter = WordPieceCounter(path)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> Vectors:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        session = self._documents()
        for rows in _batches(texts, batch_size, progress=progress):
            vectors[rows] = self._run(session, [texts[i] for i in rows])
        return vectors

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._run(self._queries, list(texts))

    def encode_with_tokens(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> tuple[Vectors, list[Stored]]:
        """`encode(texts)` and `encode_tokens(texts)` from one run of the model over each batch:
        an index's chunks are embedded for both, and the second pass was a quarter of a build."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pieces: list[Stored] = [np.zeros((0, self.dimension), dtype=np.float16)] * len(texts)
        session = self._documents()
        for rows in _batches(texts, batch_size, progress=progress):  # the batches `encode` makes
            encodings, feeds = self._feeds([texts[i] for i in rows])
            pooled, tokens = session.run_both(feeds)
            vectors[rows] = np.asarray(pooled, dtype=np.float32)
            for i, encoding, hidden in zip(rows, encodings, tokens, strict=True):
                # float16, as the table stores them: a 6 MB folder's pieces held in float32 until
                # the table was built took 3.6 GB of an ingest's 6.4 GB peak (session 12)
                pieces[i] = content_rows(encoding.tokens, hidden).astype(np.float16)
        return vectors, pieces

    def encode_tokens(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Stored]:
        return self.encode_with_tokens(texts, batch_size=batch_size)[1]

    def encode_query_tokens(self, text: str) -> tuple[Vectors, Vectors]:
        (encoding,), feeds = self._feeds([text])
        pooled, tokens = self._queries.run_both(feeds)
        return np.asarray(pooled, dtype=np.float32), content_rows(encoding.tokens, tokens[0])

    def count_tokens(self, text: str) -> int:
        return self._counter(text)

    def _documents(self) -> _Session:
        """The float32 session, loaded on first use when questions run through the int8 one."""
        with self._document_lock:
            if self._documents_session is None:
                self._documents_session = _Session(self.document_path, self._threads)
            return self._documents_session

    def _run(self, session: _Session, texts: list[str]) -> Vectors:
        _, feeds = self._feeds(texts)
        return np.asarray(session.run(feeds), dtype=np.float32)

    def _feeds(self, texts: list[str]) -> tuple[list[Any], dict[str, Any]]:
        """The tokenizer's encodings of `texts` and the arrays the graph reads."""
        # one text: `encode` keeps the GIL (`encode_batch` releases it and then waits to take it
        # back from the server's event loop, ~8 % of a question's time under load, measured)
        encodings = (
            [self._tokenizer.encode(texts[0])] if len(texts) == 1 else self._tokenizer.encode_batch(texts)
        )
        arrays = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        return encodings, {name: arrays[name] for name in self._inputs}


def _batches(texts: Sequence[str], batch_size: int, *, progress: bool = False) -> Iterator[list[int]]:
    """The positions of `texts` in batches of `batch_size`, longest first (as sentence-transformers
    does: each batch then pads to a similar length); with `progress`, a progress bar."""
    if batch_size < 1:
        raise InputError(f"batch_size of {batch_size} is not allowed: pass 1 or more")
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    label = f"Embedding {len(texts):,} texts"
    starts = progress_bar(range(0, len(order), batch_size), label, enabled=progress, unit="batch")
    for start in starts:
        yield order[start : start + batch_size]


class _Session:
    """An ONNX Runtime session that runs one batch at a time.

    Concurrent runs (a server's request threads) would only share the same cores, each slower,
    with more context switches and cache misses.
    """

    def __init__(self, onnx_path: Path, threads: int) -> None:
        self.session = _session(onnx_path, threads)
        self._lock = threading.Lock()

    def run(self, feeds: dict[str, Any]) -> Any:
        with self._lock:
            (output,) = self.session.run([OUTPUT], feeds)
        return output

    def run_both(self, feeds: dict[str, Any]) -> tuple[Any, Any]:
        """The pooled vectors and the per-piece hidden states, from one run."""
        with self._lock:
            pooled, tokens = self.session.run([OUTPUT, TOKENS], feeds)
        return pooled, tokens


def _session(onnx_path: Path, threads: int) -> Any:
    """An ONNX Runtime CPU session for `onnx_path` on `threads` intra-op threads."""
    import onnxruntime as ort  # only here: the library is not needed unless this backend is chosen

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return ort.InferenceSession(str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors on damaged files
        raise ModelError(
            f"{onnx_path}: ONNX Runtime cannot load the exported model ({exc}); "
            "delete the file so it is exported again"
        ) from None


# sentence-transformers < 6 wrote one flag per pooling mode; 6 writes {"pooling_mode": "mean"}
LEGACY_POOLING_FLAGS = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}


def pooling_modes(config: dict[str, Any]) -> list[str]:
    """The pooling modes a Pooling module's config.json turns on, in either format: sentence-transformers
    6's `"pooling_mode": "mean"` (or a list), or the flags of earlier versions."""
    mode = config.get("pooling_mode")
    if mode is not None:
        return sorted([str(mode)] if isinstance(mode, str) else [str(m) for m in mode])
    return sorted(
        LEGACY_POOLING_FLAGS.get(key, key)
        for key, on in config.items()
        if key.startswith("pooling_mode_") and on
    )


def _check_supported(model_path: Path) -> None:
    """Refuse folders whose pipeline the exported graph would not reproduce."""
    modules = _read_json(model_path / "modules.json", "not a sentence-transformers model folder")
    kinds = {str(module["type"]).rsplit(".", 1)[-1]: module for module in modules}
    extra = sorted(set(kinds) - SUPPORTED_MODULES)
    if extra or "Transformer" not in kinds:
        raise ModelError(
            f"{model_path}: the ONNX backend supports Transformer + Pooling + Normalize models only "
            f"(this one has {', '.join(extra) or 'no Transformer'}); use the torch backend"
        )
    if "Pooling" in kinds:
        pooling = _read_json(model_path / kinds["Pooling"]["path"] / "config.json", "no pooling config")
        modes = pooling_modes(pooling)
        if modes != ["mean"]:
            raise ModelError(
                f"{model_path}: the ONNX backend does mean pooling only (this model uses {modes}); "
                "use the torch backend"
            )
    if not any((model_path / name).is_file() for name in WEIGHT_FILES):
        raise ModelError(f"{model_path}: no model weights ({' or '.join(WEIGHT_FILES)}); reinstall the model")


def _cache_stem(model_path: Path) -> str:
    """File name for the export: model name + a digest of what the graph is built from."""
    digest = hashlib.sha256(f"export-v{EXPORT_VERSION} opset-{OPSET}".encode())
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json"):
        file = model_path / name
        digest.update(name.encode() + (file.read_bytes() if file.is_file() else b"-"))
    for name in WEIGHT_FILES:
        file = model_path / name
        if file.is_file():
            # size + mtime, not a content hash: hashing 90 MB would cost every start ~0.2 s
            stat = file.stat()
            digest.update(f"{name} {stat.st_size} {stat.st_mtime_ns}".encode())
    slug = model_name(model_path).replace("/", "--")
    return f"{slug}-{digest.hexdigest()[:16]}"


def _publish(final: Path, write: Callable[[Path], None]) -> None:
    """Write `final` through a private temporary file, so readers never see half a model."""
    tmp = final.with_name(f".{final.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp.onnx")
    try:
        write(tmp)
        os.replace(tmp, final)
    except ModelError:
        raise
    except Exception as exc:  # torch, onnx and onnxruntime raise many unrelated types
        raise ModelError(
            f"{final}: exporting the model to ONNX failed ({exc}); use the torch backend"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _export_fp32(model_path: Path, out: Path) -> None:
    """Trace the transformer with mean pooling and normalisation into one float32 ONNX graph.

    Its second output is the last hidden state itself, for late interaction (`index/late.py`).
    """
    # the hubs are unreachable: never let a library try them
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import inspect

    import torch
    from transformers import AutoModel

    quiet_loading_in_logs()
    # eager attention: plain matmuls trace to portable ONNX ops that quantise well
    transformer = AutoModel.from_pretrained(
        str(model_path), local_files_only=True, attn_implementation="eager"
    )
    accepted = inspect.signature(transformer.forward).parameters
    inputs = [name for name in MODEL_INPUTS if name in accepted]

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *arrays: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            named = dict(zip(inputs, arrays, strict=True))
            hidden = self.transformer(**named).last_hidden_state
            mask = named["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            # the same clamp as sentence-transformers' Pooling, so an all-pad row cannot divide by 0
            mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1), hidden

    # two rows, the second padded: the trace must keep the attention-mask path, not a no-padding shortcut
    ids = torch.tensor([[101, 7592, 2088, 2003, 2307, 102], [101, 7592, 102, 0, 0, 0]], dtype=torch.long)
    example = {
        "input_ids": ids,
        "attention_mask": (ids != 0).to(torch.long),
        "token_type_ids": torch.zeros_like(ids),
    }
    dynamic = {name: {0: "batch", 1: "sequence"} for name in inputs} | {
        OUTPUT: {0: "batch"},
        TOKENS: {0: "batch", 1: "sequence"},
    }
    model = Pooled().eval()
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer warns about shape checks it freezes and about index ops; both are checked
        # by the tests (padded batches, truncated texts) against the torch model
        warnings.simplefilter("ignore")
        # the TorchScript exporter: the dynamo one needs onnxscript, which we do not ship
        torch.onnx.export(
            model,
            tuple(example[name] for name in inputs),
            str(out),
            input_names=inputs,
            output_names=[OUTPUT, TOKENS],
            dynamic_axes=dynamic,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


# kept in float32: the first layer's feed-forward output projection. It reads GELU activations,
# whose outliers int8 rounds worst, and of all layers it moved the vectors most (one at a time)
FLOAT_MATMULS = re.compile(r"layer\.0/output/dense/MatMul$")


def _quantize(fp32: Path, out: Path, *, reduce_range: bool) -> None:
    """Dynamic int8 quantisation of the weights: 2.5x faster on CPU, slightly different vectors.

    Measured on the 114 evaluation questions against float32 (one core, this machine): every
    MatMul int8 per tensor 1.73 ms a question, min cosine 0.936; per channel 1.74 ms, min 0.984,
    mean 0.9938. Keeping one layer's feed-forward output in float32: layer 0 1.96 ms, min 0.9893,
    mean 0.9951 (layer 1 0.9884 / 0.9943, layers 2-5 ≤ 0.9855 / 0.9941); float32 5.1 ms. Hybrid
    retrieval with questions in int8 and documents in float32 (hit@1 / hit@5 / MRR@10, refused /
    answered): layer 0 kept, dev .891 / .935 / .916, 85 % / 100 %, the same as float32; test .810 /
    .881 / .838, 77 % / 95 % (float32 .809 / .881 / .841, 77 % / 95 %). Every MatMul in int8: dev
    .870 / .935 / .905. SciFact dense nDCG@10 stays within ±0.005 of float32 (benchmarks/README.md).
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep = [n.name for n in onnx.load(str(fp32)).graph.node if FLOAT_MATMULS.search(n.name)]
    # per channel: one scale per output column; 7-bit weights (reduce_range) only on CPUs without
    # VNNI, whose u8*s8 products can overflow at 8 bits (the file name says which was made)
    with _no_root_handler_installed():
        quantize_dynamic(
            fp32,
            out,
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=reduce_range,
            nodes_to_exclude=keep,
        )


@contextmanager
def _no_root_handler_installed() -> Iterator[None]:
    """Keep a library's `logging.warning(...)` from configuring the root logger behind our back.

    onnxruntime's quantiser logs its advice ("consider to run pre-processing") through
    `logging.warning`, which installs a stderr handler on a root logger that has none; from then
    on every library's records reach stderr, and the first `make run` printed
    "DEBUG:bm25s:Building index from tokens". A do-nothing handler on the root logger meanwhile
    (only when it has none) drops that advice and leaves logging as the application set it.
    """
    root = logging.getLogger()
    placeholder = logging.NullHandler() if not root.handlers else None
    if placeholder is not None:
        root.addHandler(placeholder)
    try:
        yield
    finally:
        if placeholder is not None:
            root.removeHandler(placeholder)


def _has_vnni() -> bool:
    """Does this CPU have the VNNI int8 dot-product instructions (so 8-bit weights are safe)?"""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"\b(?:avx512_vnni|avx_vnni|asimddp)\b", flags) is not None


def _window(model_path: Path) -> int:
    """Word pieces the model reads, as sentence-transformers sets it (max_seq_length)."""
    config = model_path / "sentence_bert_config.json"
    if config.is_file():
        length = _read_json(config, "bad sentence_bert_config.json").get("max_seq_length")
        if length:
            return int(length)
    return int(_read_json(model_path / "config.json", "no config.json").get("max_position_embeddings", 512))


def _dimension(shape: Sequence[Any], model_path: Path) -> int:
    """Width of the output vectors: from the graph, else from the model config."""
    if len(shape) == 2 and isinstance(shape[1], int):
        return shape[1]
    return int(_read_json(model_path / "config.json", "no config.json")["hidden_size"])


def _batch_tokenizer(model_path: Path, window: int) -> Tokenizer:
    """The model's fast tokenizer, truncating at the model's window and padding to the batch's longest."""
    path = model_path / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception for missing/bad files
        raise ModelError(f"{path}: cannot load the model's tokenizer ({exc})") from None
    # the shipped file truncates at 128 and pads to a fixed 128: both are wrong for a 256 window
    tokenizer.enable_truncation(max_length=window)
    padding = tokenizer.padding or {}
    pad_token = str(padding.get("pad_token", "[PAD]"))
    pad_id = padding.get("pad_id", tokenizer.token_to_id(pad_token) or 0)
    tokenizer.enable_padding(pad_id=int(pad_id), pad_token=pad_token)
    return tokenizer


def _read_json(path: Path, problem: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"{path}: {problem} ({exc}); point the model setting at a sentence-transformers folder"
        ) from None
