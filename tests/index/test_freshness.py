from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from alliance_qa.errors import InputError
from index.embedder import DEFAULT_MODEL_NAME
from index.freshness import shares_documents, stale_reasons
from index.retriever import Index
from ingest.chunking import LAYOUT, ChunkerConfig
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


class NamedLikeDefault(FakeEmbedder):
    name = DEFAULT_MODEL_NAME


def test_stale_reasons_name_what_changed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    home = tmp_path / "index"
    assert "no index" in stale_reasons(home, corpus, chunker=ChunkerConfig())[0]
    Index.build(corpus, home, embedder=NamedLikeDefault())
    assert stale_reasons(home, corpus, chunker=ChunkerConfig()) == []
    (corpus / "harbour-pact.txt").write_text("Changed\n\nNew text.\n", encoding="utf-8")
    (corpus / "new-doc.md").write_text("New\n\nMore text.\n", encoding="utf-8")
    (corpus / "lighthouse-notes.md").unlink()
    reasons = stale_reasons(home, corpus, chunker=ChunkerConfig(max_tokens=64), index_type="hnsw")
    assert "chunker max_tokens 128 → 64" in reasons  # only what differs
    assert "index type flat → hnsw" in reasons
    assert "changed: harbour-pact" in reasons
    assert "added: new-doc" in reasons
    assert "removed: lighthouse-notes" in reasons


def test_files_whose_names_are_no_ids_are_matched_by_the_ids_they_give(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "Meeting notes (March).txt").write_text("Meeting\n\nWe met in March.\n", encoding="utf-8")
    (corpus / "日米同盟.md").write_text("Alliance\n\nA pact.\n", encoding="utf-8")
    home = tmp_path / "index"
    Index.build(corpus, home, embedder=NamedLikeDefault())
    assert stale_reasons(home, corpus, chunker=ChunkerConfig()) == []
    assert shares_documents(home, corpus)
    (corpus / "Meeting notes (March).txt").write_text("Meeting\n\nWe met in April.\n", encoding="utf-8")
    assert stale_reasons(home, corpus, chunker=ChunkerConfig()) == ["changed: Meeting-notes-March"]


def test_an_index_without_framed_sentence_vectors_is_stale(tmp_path: Path) -> None:
    home = tmp_path / "index"
    built = Index.build(FIXTURE_CORPUS, home, embedder=NamedLikeDefault())
    assert stale_reasons(home, FIXTURE_CORPUS, chunker=ChunkerConfig()) == []
    (built.folder / "sentence_context.npy").unlink()  # as an index from before they existed

    assert stale_reasons(home, FIXTURE_CORPUS, chunker=ChunkerConfig()) == [
        "no heading-framed sentence vectors (an index from an older version)"
    ]
    # it still opens and answers, ranking by the plain sentence vectors
    assert Index.open(home, embedder=NamedLikeDefault()).ask("harbour pact").hits


def test_an_index_from_before_hard_wrapped_lines_were_joined_is_stale(tmp_path: Path) -> None:
    home = tmp_path / "index"
    built = Index.build(FIXTURE_CORPUS, home, embedder=NamedLikeDefault())
    manifest = json.loads((built.folder / "manifest.json").read_text(encoding="utf-8"))
    for older in (None, 2):  # as written before session 10; before session 11
        if older is None:
            del manifest["chunker"]["layout"]
        else:
            manifest["chunker"]["layout"] = older
        (built.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

        [reason] = stale_reasons(home, FIXTURE_CORPUS, chunker=ChunkerConfig())
        assert reason == f"documents are read a newer way (layout {older} → {LAYOUT})"
        # it still opens and answers as it was built
        assert Index.open(home, embedder=NamedLikeDefault()).ask("harbour pact").hits
    with pytest.raises(InputError, match="layout=1: this alliance-qa reads documents one way"):
        ChunkerConfig(layout=1)


def test_an_index_from_before_numbers_were_words_is_stale_and_a_write_brings_it_up_to_date(
    tmp_path: Path,
) -> None:
    from index.lexical import LexicalConfig
    from index.updates import apply_changes
    from ingest.documents import make_document

    home = tmp_path / "index"
    built = Index.build(
        FIXTURE_CORPUS, home, embedder=NamedLikeDefault(), lexical=LexicalConfig(numbers=False)
    )
    manifest = json.loads((built.folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["lexical"]["numbers"]  # as written before session 17
    (built.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    assert stale_reasons(home, FIXTURE_CORPUS, chunker=ChunkerConfig()) == ["lexical numbers None → True"]
    opened = Index.open(home, embedder=NamedLikeDefault())
    assert opened.lexical.config.numbers is False  # queried as it was built
    note = make_document("note", b"Note\n\nLab 4 is on Friday.\n")
    updated, _ = apply_changes(home, embedder=NamedLikeDefault(), upserts=[note])
    assert updated.lexical.config.numbers is True
    assert updated.manifest.lexical["numbers"] is True
