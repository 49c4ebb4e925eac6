"""`Manifest.read`: what an index holds, read from a version folder or from the index's home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliance_qa.errors import IndexCorruptError
from index.manifest import Manifest
from index.retriever import Index
from index.store import resolve_version
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


def test_a_home_is_read_through_its_current_link(tmp_path: Path) -> None:
    # `Manifest` is public: read at the home, as `alliance-qa info` shows it, an intact index was
    # "incomplete; rebuild it with `alliance-qa ingest`"
    home = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, home, embedder=FakeEmbedder())
    version = Manifest.read(resolve_version(home))
    assert Manifest.read(home) == version == Manifest.read(str(home)) == Manifest.read(home / "current")
    assert {d.doc_id for d in version.documents} == {"harbour-pact", "lighthouse-notes"}


def test_a_version_without_its_manifest_is_still_incomplete(tmp_path: Path) -> None:
    home = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, home, embedder=FakeEmbedder())
    version = resolve_version(home)
    (version / "manifest.json").unlink()
    with pytest.raises(IndexCorruptError, match=r"manifest\.json is missing: the index is incomplete"):
        Manifest.read(version)


def test_languages_are_read_back_as_written_and_checked(tmp_path: Path) -> None:
    home = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, home, embedder=FakeEmbedder())
    version = resolve_version(home)
    assert {d.languages for d in Manifest.read(version).documents} == {("en",)}

    path = version / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["documents"][0]["languages"] = "en"  # a str where the list of codes belongs
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=r"does not have the expected fields.*not a list of codes"):
        Manifest.read(version)
