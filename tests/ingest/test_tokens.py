from __future__ import annotations

import pytest

from ingest import tokens
from ingest.tokens import WordPieceCounter, cl100k_encoding, count_cl100k


def test_cl100k_ids_match_the_reference_encoding() -> None:
    # reference ids from OpenAI's tiktoken for cl100k_base
    encoding = cl100k_encoding()
    assert encoding.encode("hello world") == [15339, 1917]
    assert encoding.encode("tiktoken is great!") == [83, 1609, 5963, 374, 2294, 0]
    assert encoding.encode("<|endoftext|>", allowed_special="all") == [100257]
    assert encoding.decode(encoding.encode("Japan’s “treaty”")) == "Japan’s “treaty”"


def test_count_cl100k_counts_special_text_as_plain() -> None:
    assert count_cl100k("hello world") == 2
    assert count_cl100k("<|endoftext|>") > 1


def test_wordpiece_counter_ignores_the_shipped_128_truncation() -> None:
    from index.embedder import default_model_path

    counter = WordPieceCounter(default_model_path())
    assert counter("hello world") == 2
    long_text = "alliance " * 300
    assert counter(long_text) == 300


def test_wordpiece_counter_counts_a_text_once_and_forgets_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write counts every sentence again to know whether its heading fits beside it: the counts
    are kept, so an unchanged text is not run through the tokenizer again."""
    from index.embedder import default_model_path

    monkeypatch.setattr(tokens, "COUNTS_KEPT", 3)
    counter = WordPieceCounter(default_model_path())
    calls: list[str] = []
    encode = counter._tokenizer.encode

    class Recording:
        def encode(self, text: str, **kwargs: bool) -> object:
            calls.append(text)
            return encode(text, **kwargs)

    counter._tokenizer = Recording()  # type: ignore[assignment]
    assert [counter(t) for t in ("hello world", "hello world", "alliance " * 300)] == [2, 2, 300]
    assert calls == ["hello world", "alliance " * 300]
    for text in ("a", "b", "c", "hello world"):  # past the limit: all forgotten, counted again right
        counter(text)
    assert counter("hello world") == 2 and calls.count("hello world") == 2
