"""Changing documents: only changed text is embedded, nothing is lost, a kill -9 leaves the old index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from alliance_qa.errors import (
    ConflictError,
    ForbiddenError,
    IndexCorruptError,
    IndexMissingError,
    InputError,
    NoTextError,
    NotFoundError,
)
from index.abstention import DEFAULT_RULE
from index.ranking import SearchConfig
from index.retriever import Index
from index.store import COPIED, VERSIONS, clean_leftovers, resolve_version, write_lock
from index.updates import apply_changes, repair, sync_folder
from ingest import sentences
from ingest.chunking import LAYOUT, ChunkerConfig
from ingest.documents import make_document
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder, FakeTokenEmbedder

RIVER = make_document("river-accord", b"The River Accord\n\nThe River Accord shares the Tamsin river.\n")


class RecordingEmbedder(FakeEmbedder):
    """Keeps every text that reaches the model."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts, *, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
        self.seen += texts
        return super().encode(texts)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    return tmp_path / "index"


def test_adding_a_document_embeds_only_its_text(home: Path) -> None:
    model = RecordingEmbedder()
    index, embedded = apply_changes(home, embedder=model, upserts=[RIVER])
    assert embedded == len(model.seen) > 0
    new_chunks = [c for c in index.chunks if c.doc_id == "river-accord"]
    # one vector per new chunk plus one per new sentence, and nothing for the old documents
    assert embedded <= len(new_chunks) + sum(len(c.text.split(". ")) + 1 for c in new_chunks)
    assert index.search("Tamsin river", k=1, mode="dense")[0].citation.doc_id == "river-accord"


def test_apply_changes_shows_progress_when_asked_as_sync_folder_does(home: Path) -> None:
    # a 100 kB document took 33 s to embed with no sign of life, and no option gave one
    class Watched(FakeEmbedder):
        def __init__(self) -> None:
            self.progress: list[bool] = []

        def encode(self, texts, *, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
            self.progress.append(progress)
            return super().encode(texts)

    quiet, shown = Watched(), Watched()
    apply_changes(home, embedder=quiet, upserts=[RIVER])
    apply_changes(
        home,
        embedder=shown,
        upserts=[make_document("ferry", b"Ferry\n\nThe ferry runs daily.\n")],
        progress=True,
    )
    assert quiet.progress and not any(quiet.progress)
    assert shown.progress and all(shown.progress)


def test_a_home_given_as_a_str_is_written(home: Path) -> None:
    """Session 18: `apply_changes(str(home), …)` met `/` deep inside (TypeError)."""
    index, _ = apply_changes(str(home), embedder=FakeEmbedder(), upserts=[RIVER])
    assert "river-accord" in {d.doc_id for d in index.documents()}
    with pytest.raises(InputError, match="home must be a path"):
        apply_changes(None, embedder=FakeEmbedder(), upserts=[RIVER])  # type: ignore[arg-type]


def test_the_package_writes_as_the_readme_shows(home: Path) -> None:
    """`from index import apply_changes` with `ingest.make_document`: the Python path to writes."""
    import index as package
    from ingest import make_document as make

    notes = make("port-visits", b"Port visits\n\nThe Kongo called at Yokosuka in May 2025.\n")
    added, embedded = package.apply_changes(home, embedder=FakeEmbedder(), upserts=[notes])
    assert embedded > 0 and "port-visits" in {d.doc_id for d in added.documents()}
    assert (
        Index.open(home, embedder=FakeEmbedder()).search("Kongo Yokosuka", k=1)[0].citation.doc_id
        == "port-visits"
    )
    removed, _ = package.apply_changes(home, embedder=FakeEmbedder(), removals=["port-visits"])
    assert "port-visits" not in {d.doc_id for d in removed.documents()}


def test_the_readme_write_example_leaves_a_document_of_that_id_alone(home: Path) -> None:
    """The README's lines replaced, then deleted, a "port-visits" the reader had added over HTTP."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("from index import apply_changes")
    example = readme[start : readme.index("```", start)].replace('Path("var/index")', "home")
    mine = make_document("port-visits", b"My port visits\n\nThe Ise called at Sasebo.\n")
    apply_changes(home, embedder=FakeEmbedder(), upserts=[mine])
    with pytest.raises(ConflictError, match="'port-visits' exists"):
        exec(
            example,
            {"home": home, "embedder": FakeEmbedder(), "index": Index.open(home, embedder=FakeEmbedder())},
        )
    assert Index.open(home, embedder=FakeEmbedder()).document("port-visits").text == mine.text


def test_the_readme_write_example_keeps_the_config_the_index_was_opened_with(home: Path) -> None:
    """Reassigning `index` from apply_changes, as the README does, gave an index with the default
    config: an app's abstention threshold of 0.99 became 0.5, and it answered what it had refused."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("from index import apply_changes")
    example = readme[start : readme.index("```", start)].replace('Path("var/index")', "home")
    strict = SearchConfig(abstention=replace(DEFAULT_RULE, min_confidence=0.99))
    scope = {
        "home": home,
        "embedder": FakeEmbedder(),
        "index": Index.open(home, embedder=FakeEmbedder(), config=strict),
    }
    exec(example, scope)
    assert scope["index"].config is strict


def test_apply_changes_and_sync_folder_answer_with_the_config_given(home: Path, tmp_path: Path) -> None:
    strict = SearchConfig(abstention=replace(DEFAULT_RULE, min_confidence=0.99))
    added, _ = apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER], config=strict)
    assert added.config is strict
    same, embedded = apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER], config=strict)
    assert embedded == 0 and same.config is strict  # the same text again publishes nothing
    synced, _ = sync_folder(
        home, FIXTURE_CORPUS, embedder=FakeEmbedder(), chunker=ChunkerConfig(), config=strict
    )
    assert synced.config is strict
    assert apply_changes(home, embedder=FakeEmbedder(), removals=["harbour-pact"])[0].config == SearchConfig()


def test_a_change_splits_sentences_only_in_the_changed_text(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every document is re-chunked on a write; pysbd's work on the unchanged ones is remembered
    segmenter = sentences._segmenter()
    split: list[str] = []

    class Recording:
        def segment(self, text: str) -> list[object]:
            split.append(text)
            return segmenter.segment(text)  # type: ignore[no-any-return]

    monkeypatch.setattr(sentences, "_segmenter", Recording)
    ferry = make_document(
        "ferry-note", b"The Ferry Note\n\nThe ferry runs twice a day. It carries no cargo.\n"
    )
    index, _ = apply_changes(home, embedder=FakeEmbedder(), upserts=[ferry])
    assert split  # the new text was split
    assert all(text in ferry.text for text in split)
    assert {c.doc_id for c in index.chunks} >= {"ferry-note", "harbour-pact"}


def test_a_change_cuts_only_the_changed_document_again(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write cut every document again (an operator measured a one-line PUT at 2.7 s on 40
    documents, 1.1 s of it re-counting word pieces): a document kept as it was keeps its chunks,
    while the chunker's settings and layout are the index's."""
    from ingest import chunking

    cut: list[str] = []
    chunk_document = chunking.chunk_document

    def recording(document: object, *args: object, **kwargs: object) -> object:
        cut.append(document.doc_id)  # type: ignore[attr-defined]
        return chunk_document(document, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(chunking, "chunk_document", recording)
    before = Index.open(home, embedder=FakeEmbedder())
    ferry = make_document("ferry-note", b"The Ferry Note\n\nThe ferry runs twice a day.\n")
    index, _ = apply_changes(home, embedder=FakeEmbedder(), upserts=[ferry])
    assert cut == ["ferry-note"]
    kept = [c for c in index.chunks if c.doc_id != "ferry-note"]
    assert kept == list(before.chunks)
    # an index of an older layout has every document cut again, read the current way
    manifest = resolve_version(home) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["chunker"]["layout"] = LAYOUT - 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    cut.clear()
    apply_changes(
        home, embedder=FakeEmbedder(), upserts=[make_document("ferry-note", b"The Ferry Note\n\nDaily.\n")]
    )
    assert sorted(cut) == sorted({c.doc_id for c in index.chunks})


def test_a_write_on_the_live_version_it_was_given_opens_no_index(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service's write passes the index it serves: opened again, it built a second ranker (0.46 s
    of a one-line PUT's 1.1 s at 43 documents). A stale one (another worker wrote since) is not
    used, or that worker's documents would be lost."""
    embedder = FakeEmbedder()
    served = Index.open(home, embedder=embedder)
    opened: list[Path] = []
    real_open = Index.open.__func__  # type: ignore[attr-defined]

    def recording(cls: type[Index], path: Path, **kwargs: object) -> Index:
        opened.append(Path(path))
        return real_open(cls, path, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Index, "open", classmethod(recording))
    ferry = make_document("ferry-note", b"The Ferry Note\n\nThe ferry runs twice a day.\n")
    after, _ = apply_changes(home, embedder=embedder, upserts=[ferry], base=served)
    assert opened == []
    # another writer publishes: `served` is stale now, and a write given it reads the live version
    apply_changes(home, embedder=embedder, upserts=[RIVER])
    final, _ = apply_changes(home, embedder=embedder, removals=["harbour-pact"], base=after)
    assert opened  # the live version was opened, not `after`
    held = {d.doc_id for d in final.documents()}
    assert {"ferry-note", "river-accord"} <= held and "harbour-pact" not in held


def test_readers_keep_the_version_they_opened(home: Path) -> None:
    reader = Index.open(home, embedder=FakeEmbedder())
    before = [h.chunk.chunk_id for h in reader.search("harbour patrols", k=3, mode="dense")]
    apply_changes(home, embedder=FakeEmbedder(), removals=["harbour-pact"])
    assert [h.chunk.chunk_id for h in reader.search("harbour patrols", k=3, mode="dense")] == before
    assert "harbour-pact" not in {d.doc_id for d in Index.open(home, embedder=FakeEmbedder()).documents()}


def test_a_held_index_refreshed_answers_from_the_version_published_since(home: Path) -> None:
    config = SearchConfig(pool=20)
    held = Index.open(home, embedder=FakeEmbedder(), config=config)
    assert held.refreshed() is held  # nothing published: the same object, nothing read
    apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    apply_changes(home, embedder=FakeEmbedder(), removals=["harbour-pact"])  # prunes the held version
    assert "river-accord" not in {d.doc_id for d in held.documents()}  # a snapshot, as documented
    live = held.refreshed()
    ids = {d.doc_id for d in live.documents()}
    assert "river-accord" in ids and "harbour-pact" not in ids
    assert live.search("Tamsin river", k=1)[0].citation.doc_id == "river-accord"
    assert live.embedder is held.embedder and live.config is config
    assert live.refreshed() is live


def test_an_index_opened_by_its_current_link_or_built_is_refreshed_too(home: Path) -> None:
    through_link = Index.open(home / "current", embedder=FakeEmbedder())
    built, _ = apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    assert built.refreshed() is built
    assert "river-accord" in {d.doc_id for d in through_link.refreshed().documents()}
    apply_changes(home, embedder=FakeEmbedder(), removals=["river-accord"])
    assert "river-accord" not in {d.doc_id for d in built.refreshed().documents()}


def test_an_index_opened_by_a_relative_path_is_refreshed_from_another_working_folder(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(home.parent)
    held = Index.open(Path(home.name), embedder=FakeEmbedder())
    built, _ = apply_changes(Path(home.name), embedder=FakeEmbedder(), upserts=[RIVER])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a daemon's chdir("/"), a test runner's tmp folder
    apply_changes(home, embedder=FakeEmbedder(), removals=["harbour-pact"])
    for index in (held, built):
        assert "harbour-pact" not in {d.doc_id for d in index.refreshed().documents()}


def test_an_index_opened_from_a_version_folder_keeps_that_version(home: Path) -> None:
    pinned = Index.open(resolve_version(home), embedder=FakeEmbedder())
    apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    assert pinned.refreshed() is pinned


def test_conflicts_and_unknown_ids(home: Path) -> None:
    with pytest.raises(ConflictError, match="replace"):
        apply_changes(
            home,
            embedder=FakeEmbedder(),
            upserts=[make_document("harbour-pact", b"X\n\nY.")],
            create_only=True,
        )
    with pytest.raises(NotFoundError):
        apply_changes(home, embedder=FakeEmbedder(), removals=["nope"])
    with pytest.raises(InputError, match="no documents"):
        apply_changes(home, embedder=FakeEmbedder(), removals=["harbour-pact", "lighthouse-notes"])
    assert len(Index.open(home, embedder=FakeEmbedder()).documents()) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"removals": "harbour-pact"}, "removals is one str ('harbour-pact'), not a list of ids"),
        ({"removals": [None]}, "removals must hold document ids (str), got None"),
        ({"upserts": ["not a doc"]}, "upserts must be Documents (ingest.make_document or read_document)"),
        # one Document, not a list of them (session 18: "'Document' object is not iterable")
        ({"upserts": RIVER}, "upserts is one Document ('river-accord'), not a list of them: pass [document]"),
    ],
)
def test_wrong_types_of_change_are_input_errors(home: Path, changes: dict[str, object], message: str) -> None:
    before = resolve_version(home)
    with pytest.raises(InputError) as caught:
        apply_changes(home, embedder=FakeEmbedder(), **changes)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert resolve_version(home) == before  # nothing was published


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"upserts": [make_document("harbour-pact", b"New\n\nnew.\n")], "removals": ["harbour-pact"]},
            "document 'harbour-pact' is both upserted and removed",
        ),
        (
            {"upserts": [make_document("dd", b"A\n\na.\n"), make_document("dd", b"B\n\nb.\n")]},
            "document 'dd' is upserted twice",
        ),
        ({"removals": ["harbour-pact", "harbour-pact"]}, "document 'harbour-pact' is removed twice"),
    ],
)
def test_contradictory_changes_are_refused_naming_the_id(
    home: Path, changes: dict[str, object], message: str
) -> None:
    before = resolve_version(home)
    with pytest.raises(InputError) as caught:
        apply_changes(home, embedder=FakeEmbedder(), **changes)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert resolve_version(home) == before  # neither change was made


def test_a_change_to_a_path_with_no_index_fails_leaving_nothing_there(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="alliance-qa ingest"):
        apply_changes(tmp_path / "new" / "home", embedder=FakeEmbedder(), upserts=[RIVER])
    assert list(tmp_path.iterdir()) == []  # no folder, no .lock


def test_concurrent_writes_lose_nothing(home: Path) -> None:
    documents = [make_document(f"doc-{i}", f"Doc {i}\n\nText number {i}.\n".encode()) for i in range(6)]
    errors: list[BaseException] = []

    def write(document) -> None:  # type: ignore[no-untyped-def]
        try:
            apply_changes(home, embedder=FakeEmbedder(), upserts=[document])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(d,)) for d in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = {d.doc_id for d in Index.open(home, embedder=FakeEmbedder()).documents()}
    assert ids >= {d.doc_id for d in documents}


def test_sync_folder_mirrors_or_keeps_extras(home: Path, tmp_path: Path) -> None:
    apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    kept, _ = sync_folder(
        home, FIXTURE_CORPUS, embedder=FakeEmbedder(), chunker=ChunkerConfig(), keep_extra=True
    )
    assert "river-accord" in {d.doc_id for d in kept.documents()}
    mirrored, embedded = sync_folder(home, FIXTURE_CORPUS, embedder=FakeEmbedder(), chunker=ChunkerConfig())
    assert {d.doc_id for d in mirrored.documents()} == {"harbour-pact", "lighthouse-notes"}
    assert embedded == 0  # the folder's text was all embedded before


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from index.updates import apply_changes
    from ingest.documents import make_document
    from tests.conftest import FakeEmbedder

    home = Path(sys.argv[1])
    big = "Big Document\\n\\n" + " ".join(f"Sentence {i} talks about harbours." for i in range(3000))
    print("ready", flush=True)
    while True:
        apply_changes(home, embedder=FakeEmbedder(), upserts=[make_document("big", big.encode())])
    """
)


@pytest.mark.slow
def test_kill_9_mid_write_leaves_the_previous_index(home: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    for delay in (0.3, 0.9, 1.7, 2.6):
        before = resolve_version(home)
        process = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(home)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None and process.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        # whatever moment it died at, the live version opens and answers
        index = Index.open(home, embedder=FakeEmbedder())
        assert index.search("harbour patrols", k=1, mode="dense")
        assert resolve_version(home) in {before, *(home / VERSIONS).iterdir()}
        with write_lock(home):
            clean_leftovers(home)
        assert not list((home / VERSIONS).glob(".tmp-*"))
        assert not list(home.glob(".current-*"))


def test_a_chunk_embedded_without_its_headings_is_not_embedded_again(tmp_path: Path) -> None:
    # a list kept whole (252 tokens) has no room for its heading path in the model's window, so
    # it is embedded alone; an update must find that vector under the text actually embedded
    duties = "\n".join(
        f"  • Duty {i}: the keeper checks lamp {i}, logs the weather and writes to the harbour office."
        for i in range(12)
    )
    notes = make_document(
        "lighthouse-notes",
        "Lighthouse Notes\n\nThe keeper writes daily.\n\nDaily duties of the keeper\n\n"
        f"The duties of the keeper include:\n\n{duties}\n".encode(),
    )
    home = tmp_path / "index"
    built = Index.build_from_documents([notes], home, embedder=FakeEmbedder())
    alone = [c for c, text in zip(built.chunks, built.embedded_texts(), strict=True) if text == c.text]
    assert any(len(c.section) > 1 for c in alone)  # the case under test: headings left out
    model = RecordingEmbedder()
    _, embedded = apply_changes(home, embedder=model, upserts=[RIVER])
    assert embedded == len(model.seen) > 0
    assert all("Tamsin" in text or "River" in text for text in model.seen)  # nothing of the old document


def test_a_table_row_is_not_embedded_again(tmp_path: Path) -> None:
    # a row is embedded in context under its table's header row; an update must find that vector
    # under the same text (session 16: every row was embedded again by every write)
    prices = make_document(
        "prices",
        b"Prices\n\nPricing and plans\n\n| Plan | Price | Storage |\n|---|---|---|\n"
        b"| Basic | $10 | 50 GB |\n| Pro | $25 | 500 GB |\n",
    )
    home = tmp_path / "index"
    Index.build_from_documents([prices], home, embedder=FakeEmbedder())
    model = RecordingEmbedder()
    _, embedded = apply_changes(home, embedder=model, upserts=[RIVER])
    assert embedded == len(model.seen) > 0
    assert all("Tamsin" in text or "River" in text for text in model.seen)  # nothing of the table


def test_a_write_through_the_current_link_publishes_at_the_home(home: Path) -> None:
    """`var/index/current` stands for `var/index`: the new version is served from the home, and
    the version the link pointed at is left as it was."""
    before = resolve_version(home)
    files = sorted(p.name for p in before.iterdir())
    index, _ = apply_changes(home / "current", embedder=FakeEmbedder(), upserts=[RIVER])
    assert resolve_version(home) == index.folder != before
    assert index.folder.parent == home / VERSIONS
    assert "river-accord" in {d.doc_id for d in Index.open(home, embedder=FakeEmbedder()).documents()}
    assert sorted(p.name for p in before.iterdir()) == files  # no versions/ or link inside it


def test_a_write_to_a_version_folder_is_refused_and_names_the_home(home: Path) -> None:
    version = resolve_version(home)
    files = sorted(p.name for p in version.iterdir())
    with pytest.raises(ForbiddenError, match=f"write to the index's home, {home}"):
        apply_changes(version, embedder=FakeEmbedder(), upserts=[RIVER])
    assert sorted(p.name for p in version.iterdir()) == files
    assert resolve_version(home) == version


def test_a_home_whose_current_is_a_copied_folder_is_refused_with_the_fix(home: Path, tmp_path: Path) -> None:
    """A copy that followed links (`cp -rL`, many archivers) turns `current` into a folder that
    no atomic swap can replace: the write is refused before anything is built, reads go on, and
    the command in the message repairs it."""
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-rL", str(home), str(copy)], check=True)
    assert not (copy / "current").is_symlink()
    with pytest.raises(IndexCorruptError, match="is a folder, not the link") as refused:
        apply_changes(copy, embedder=FakeEmbedder(), upserts=[RIVER])
    assert sorted(p.name for p in (copy / VERSIONS).iterdir()) == sorted(
        p.name for p in (home / VERSIONS).iterdir()
    )
    assert Index.open(copy, embedder=FakeEmbedder()).documents()  # still readable
    fix = str(refused.value).split("`")[-2]
    subprocess.run(fix, shell=True, check=True)
    index, _ = apply_changes(copy, embedder=FakeEmbedder(), upserts=[RIVER])
    assert resolve_version(copy) == index.folder
    assert "river-accord" in {d.doc_id for d in Index.open(copy, embedder=FakeEmbedder()).documents()}
    for _ in range(2):  # the repaired version is pruned like any other once two newer ones exist
        apply_changes(copy, embedder=FakeEmbedder(), removals=["river-accord"])
        apply_changes(copy, embedder=FakeEmbedder(), upserts=[RIVER])
    assert COPIED not in {p.name for p in (copy / VERSIONS).iterdir()}


def test_a_write_to_an_index_of_an_older_layout_brings_it_up_to_date(home: Path) -> None:
    """After an upgrade that reads documents another way, a write (which cuts every document
    again) keeps the index's chunk sizes and records the current layout, instead of refusing."""
    version = resolve_version(home)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    manifest["chunker"] = {**manifest["chunker"], "layout": LAYOUT - 1}
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    index, _ = apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    assert index.manifest.chunker == {**manifest["chunker"], "layout": LAYOUT}
    assert "river-accord" in {d.doc_id for d in Index.open(home, embedder=FakeEmbedder()).documents()}


class OneRunEmbedder(FakeTokenEmbedder):
    """`FakeTokenEmbedder` that gives both kinds of vectors from one call, counting the calls."""

    def __init__(self) -> None:
        super().__init__()
        self.one_runs: list[int] = []

    def encode_with_tokens(self, texts, *, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
        self.one_runs.append(len(texts))
        return self.encode(texts), [self._pieces(text) for text in texts]


def test_chunks_are_embedded_once_for_both_vectors_and_the_index_is_the_same(tmp_path: Path) -> None:
    one_run = OneRunEmbedder()
    built = Index.build(FIXTURE_CORPUS, tmp_path / "one", embedder=one_run)
    two_calls = FakeTokenEmbedder()
    reference = Index.build(FIXTURE_CORPUS, tmp_path / "two", embedder=two_calls)
    assert one_run.one_runs == [len(built.chunks)] and one_run.token_texts == 0  # no second pass
    assert two_calls.token_texts == len(reference.chunks)
    assert built.tokens is not None and reference.tokens is not None
    np.testing.assert_array_equal(built.tokens.vectors, reference.tokens.vectors)
    np.testing.assert_array_equal(built.chunk_vectors(), reference.chunk_vectors())
    # a change reuses both kinds by content hash: only the new document's chunks go to the model
    one_run.one_runs.clear()
    index, _ = apply_changes(tmp_path / "one", embedder=one_run, upserts=[RIVER])
    new_chunks = [c for c in index.chunks if c.doc_id == "river-accord"]
    assert one_run.one_runs == [len(new_chunks)]


def test_writing_the_same_text_again_publishes_no_version(home: Path) -> None:
    # session 16: a PUT of unchanged text built and published a whole new version (0.6 s)
    apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    before = resolve_version(home)
    model = RecordingEmbedder()
    index, embedded = apply_changes(home, embedder=model, upserts=[RIVER])
    assert (embedded, model.seen, resolve_version(home)) == (0, [], before)
    assert "river-accord" in {d.doc_id for d in index.documents()}
    edited = make_document("river-accord", b"The River Accord\n\nThe accord shares the Tamsin river.\n")
    _, embedded = apply_changes(home, embedder=model, upserts=[edited])
    assert embedded > 0 and resolve_version(home) != before


def test_a_document_without_passages_is_refused_but_one_held_from_before_stays(
    home: Path, tmp_path: Path
) -> None:
    embedder = FakeEmbedder()
    dot = make_document("dot", b".")
    live = resolve_version(home)
    with pytest.raises(NoTextError, match="document 'dot': nothing to index"):
        apply_changes(home, embedder=embedder, upserts=[dot])
    assert resolve_version(home) == live  # nothing published
    # an index that took it before such documents were refused still takes other writes
    home = tmp_path / "older"
    Index.build_from_documents(
        [dot, make_document("notes", b"Notes\n\nThe harbour froze in 1888.\n")],
        home,
        embedder=embedder,
        held={("dot", dot.sha256)},
    )
    updated, _ = apply_changes(home, embedder=embedder, upserts=[make_document("more", b"More\n\nIce.\n")])
    assert [d.doc_id for d in updated.documents()] == ["dot", "more", "notes"]


def _set_format(home: Path, version: int) -> None:
    """What a `git pull` that bumps `FORMAT_VERSION` does to an index built before it."""
    manifest = resolve_version(home) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["format_version"] = version
    manifest.write_text(json.dumps(data), encoding="utf-8")


def test_an_index_this_code_cannot_open_is_rebuilt_from_its_own_documents(home: Path) -> None:
    """Operator report H2: after a format change `make run` rebuilt from corpus/ alone, and every
    document added over HTTP was gone."""
    apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    _set_format(home, 1)
    kept, _ = sync_folder(
        home, FIXTURE_CORPUS, embedder=FakeEmbedder(), chunker=ChunkerConfig(), keep_extra=True
    )
    assert {d.doc_id for d in kept.documents()} == {"harbour-pact", "lighthouse-notes", "river-accord"}
    assert kept.document("river-accord").text == RIVER.text
    # mirroring a folder is asked for: the extra document goes, as from an index that opens
    _set_format(home, 1)
    mirrored, _ = sync_folder(home, FIXTURE_CORPUS, embedder=FakeEmbedder(), chunker=ChunkerConfig())
    assert {d.doc_id for d in mirrored.documents()} == {"harbour-pact", "lighthouse-notes"}


def test_repair_rebuilds_an_index_built_before_a_lexical_setting_and_keeps_its_documents(home: Path) -> None:
    """Operator report (session 20): after the upgrade to `cjk`, an index built before it opened and
    matched a Japanese question to no word of its Japanese document until some write rebuilt it;
    `repair` said "nothing to repair"."""
    gomi = make_document("gomi", "ごみの出し方\n\n燃やすごみは毎週月曜日に出してください。\n".encode())
    apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER, gomi])
    manifest = resolve_version(home) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["lexical"]["cjk"]  # as ff8220a wrote it: the question is read without `cjk`
    manifest.write_text(json.dumps(data), encoding="utf-8")
    before = Index.open(home, embedder=FakeEmbedder())
    assert not before.search("燃やすごみ", mode="lexical")
    index, done = repair(home, embedder=FakeEmbedder())
    assert done.startswith(
        "it was built by an older alliance-qa (lexical cjk None → True): rebuilt from its 4 documents"
    )
    assert index.manifest.lexical["cjk"] is True and resolve_version(home) == index.folder
    assert {d.doc_id for d in index.documents()} == {d.doc_id for d in before.documents()}
    assert [h.citation.doc_id for h in index.search("燃やすごみ", k=1, mode="lexical")] == ["gomi"]
    assert repair(home, embedder=FakeEmbedder())[1] == "it opens as it is: nothing to repair"


def test_a_write_that_brings_an_older_index_up_to_date_says_so_in_the_log(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Operator report (session 20): the first PUT after an upgrade rebuilt the index the new way
    (every document cut again after a layout change), and the service's log said only "replaced
    or added document"."""
    manifest = resolve_version(home) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["lexical"]["cjk"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with caplog.at_level("INFO", logger="index.updates"):
        apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    assert [r.getMessage() for r in caplog.records if r.name == "index.updates"] == [
        f"{home} was built by an older alliance-qa (lexical cjk None → True): this write brings it up to date"
    ]
    caplog.clear()
    with caplog.at_level("INFO", logger="index.updates"):  # up to date now: nothing to say
        apply_changes(home, embedder=FakeEmbedder(), removals=["river-accord"])
    assert not [r for r in caplog.records if r.name == "index.updates"]


def test_an_index_whose_documents_cannot_be_read_is_never_built_over(home: Path) -> None:
    apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])
    live = resolve_version(home)
    _set_format(home, 1)
    (live / "documents.jsonl").write_text("{not json\n", encoding="utf-8")
    versions = sorted(p.name for p in (home / VERSIONS).iterdir())
    for keep_extra in (True, False):
        with pytest.raises(IndexCorruptError) as refused:
            sync_folder(
                home, FIXTURE_CORPUS, embedder=FakeEmbedder(), chunker=ChunkerConfig(), keep_extra=keep_extra
            )
        message = str(refused.value)
        assert f"documents of its version {live} cannot be read" in message
        assert "nothing is built over them" in message
        # the version before (the two essays) is offered, with the loss it means
        older = versions[0]
        assert f"`alliance-qa repair --index {home} --version {older}`" in message and "are lost" in message
    assert sorted(p.name for p in (home / VERSIONS).iterdir()) == versions  # nothing built, nothing pruned
    assert resolve_version(home) == live


def _refuse_writes_under(monkeypatch: pytest.MonkeyPatch, home: Path, code: int) -> None:
    """As a read-only mount (EROFS), permissions (EACCES) or a full disk (ENOSPC) answer for `home`:
    the tests run as root, whom `chmod 555` does not stop."""
    real_mkdir, real_symlink = os.mkdir, os.symlink

    def refused(real):  # type: ignore[no-untyped-def]
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            target = str(args[1] if real is real_symlink else args[0])
            if target.startswith(str(home)):
                raise OSError(code, os.strerror(code), target)
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(os, "mkdir", refused(real_mkdir))
    monkeypatch.setattr(os, "symlink", refused(real_symlink))


@pytest.mark.parametrize("code", [13, 30, 28])  # EACCES, EROFS, ENOSPC
def test_a_write_the_home_cannot_store_is_refused_before_embedding(
    home: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """Operator report M3: a read-only index answered 500 "unexpected error", after the embedding."""
    from alliance_qa.errors import IndexWriteError

    live = resolve_version(home)
    model = RecordingEmbedder()
    _refuse_writes_under(monkeypatch, home, code)
    for write in (
        lambda: apply_changes(home, embedder=model, upserts=[RIVER]),
        lambda: sync_folder(home, FIXTURE_CORPUS, embedder=model, chunker=ChunkerConfig(max_tokens=64)),
    ):
        with pytest.raises(IndexWriteError) as refused:
            write()
        message = str(refused.value)
        assert f"the index at {home} cannot be written ({os.strerror(code)}" in message
        assert "reads keep working" in message
        assert ("free space" in message) is (code == 28)
        assert model.seen == []  # refused before any text reached the model
    assert resolve_version(home) == live


def test_a_disk_without_room_for_a_version_is_refused_before_embedding(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from alliance_qa.errors import IndexWriteError

    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 10, 10))  # type: ignore[attr-defined]
    model = RecordingEmbedder()
    with pytest.raises(IndexWriteError, match=r"10 bytes free, a new version needs about .*free space"):
        apply_changes(home, embedder=model, upserts=[RIVER])
    assert model.seen == []


def test_the_package_docstring_example_is_python_that_keeps_the_config(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """help(index) printed the example's b"…\\n…" with real line breaks: copied, a SyntaxError; and
    its write, like the README's, gave back an index with the default config."""
    import index as package

    example = package.__doc__.split("\n\n", 1)[1]  # type: ignore[union-attr]
    code = compile(
        example.replace('Path("var/index")', "home").replace('Path("corpus")', "corpus"), "help", "exec"
    )
    strict = SearchConfig(abstention=replace(DEFAULT_RULE, min_confidence=0.99))
    build = Index.build
    # the example builds with the default (torch) model: the fake one, and a config of the app's
    monkeypatch.setattr(
        Index, "build", lambda corpus, out: build(corpus, out, embedder=FakeEmbedder(), config=strict)
    )
    scope: dict[str, Any] = {"home": home, "corpus": FIXTURE_CORPUS}
    exec(code, scope)
    assert "port-visits" in {d.doc_id for d in scope["index"].documents()}
    assert scope["index"].config is strict


def test_a_write_keeps_the_languages_read_in_documents_it_keeps(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.retriever

    read: list[str] = []

    def languages_of(text: str) -> tuple[str, ...]:
        read.append(text)
        return ("en",)

    monkeypatch.setattr(index.retriever, "text_languages", languages_of)
    updated, _ = apply_changes(home, embedder=FakeEmbedder(), upserts=[RIVER])

    assert read == [RIVER.text]  # the others' languages came from the manifest
    assert updated.languages("river-accord") == updated.languages("harbour-pact") == ("en",)
