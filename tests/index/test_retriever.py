from __future__ import annotations

import collections.abc
import json
import pickle
import pydoc
import typing
from pathlib import Path

import numpy as np
import pytest

from alliance_qa.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    InputError,
    NotFoundError,
)
from index.dense import build_dense, search_dense
from index.ranking import SearchConfig
from index.retriever import Hit, Index
from index.updates import apply_changes
from ingest.chunking import LAYOUT, ChunkerConfig, chunk_document
from ingest.documents import make_document
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


@pytest.fixture
def fixture_index(tmp_path: Path, fake_embedder: FakeEmbedder) -> Index:
    return Index.build(
        FIXTURE_CORPUS, tmp_path / "index", embedder=fake_embedder, chunker=ChunkerConfig(max_tokens=40)
    )


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_faiss_ranking_equals_brute_force(index_type: str) -> None:
    rng = np.random.default_rng(7)
    # clustered, so that neighbours are meaningful (uniform random vectors are all equidistant)
    centres = rng.normal(size=(20, 32))
    vectors = (centres[rng.integers(0, 20, 2000)] + 0.3 * rng.normal(size=(2000, 32))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = build_dense(vectors, index_type=index_type)
    agree = 0
    for query in vectors[rng.integers(0, 2000, 50)] + 0.05:
        query = (query / np.linalg.norm(query)).astype(np.float32)
        scores, ids = search_dense(index, query, 10)
        expected = np.argsort(-(vectors @ query), kind="stable")[:10]
        if index_type == "flat":
            np.testing.assert_allclose(scores, (vectors @ query)[expected], rtol=1e-5)
            assert list(ids) == list(expected)
        agree += len(set(ids.tolist()) & set(expected.tolist()))
    assert agree / (50 * 10) >= (1.0 if index_type == "flat" else 0.95)


def test_search_hits_cite_the_exact_text(fixture_index: Index) -> None:
    hits = fixture_index.search("annual exercise Grey Heron rescue", k=3)
    assert len(hits) == 3
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score
    for hit in hits:
        document = fixture_index.document(hit.citation.doc_id)
        assert document.text[hit.citation.start : hit.citation.end] == hit.chunk.text
        assert hit.citation.doc_sha256 == document.sha256
    assert "Grey Heron" in hits[0].chunk.text


def test_reopened_index_answers_the_same(
    fixture_index: Index, tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    reopened = Index.open(tmp_path / "index", embedder=fake_embedder)
    question = "When was the lighthouse automated?"
    assert [h.chunk for h in reopened.search(question, k=4)] == [
        h.chunk for h in fixture_index.search(question, k=4)
    ]
    assert reopened.manifest.chunk_count == len(fixture_index.chunks)


def test_citation_label_reads_like_a_reference(fixture_index: Index) -> None:
    chunk = next(c for c in fixture_index.chunks if "too vague" in c.text)
    citation = fixture_index.citation(chunk)
    lines = (
        f"line {chunk.line_start}"
        if chunk.line_start == chunk.line_end
        else f"lines {chunk.line_start}–{chunk.line_end}"
    )
    assert citation.label() == f"The Harbour Pact: A Small Test Treaty › Criticism · {lines}"


def test_manifest_records_what_built_the_index(fixture_index: Index) -> None:
    data = json.loads((fixture_index.folder / "manifest.json").read_text(encoding="utf-8"))
    assert data["model_name"] == "fake-hash-256"
    assert data["dimension"] == 256
    assert data["chunker"] == {
        "max_tokens": 40,
        "overlap_sentences": 1,
        "list_max_tokens": 254,
        "layout": LAYOUT,
    }
    assert data["counts"]["documents"] == 2
    assert data["counts"]["chunks"] == len(fixture_index.chunks)
    assert {d["doc_id"] for d in data["documents"]} == {"harbour-pact", "lighthouse-notes"}
    assert "faiss-cpu" in data["versions"]


def test_missing_index_says_which_command_builds_it(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    with pytest.raises(IndexMissingError, match="alliance-qa ingest"):
        Index.open(tmp_path / "nothing-here", embedder=fake_embedder)


def test_model_mismatch_names_both_models(fixture_index: Index, tmp_path: Path) -> None:
    class OtherModel(FakeEmbedder):
        name = "other-model"
        dimension = 256

    with pytest.raises(
        IndexMismatchError,
        match=r"fake-hash-256.*other-model.*`alliance-qa repair --index .*` rebuilds it from its own documents",
    ):
        Index.open(tmp_path / "index", embedder=OtherModel())


def test_model_mismatch_says_to_open_it_with_its_own_model_first(
    fixture_index: Index, tmp_path: Path
) -> None:
    # the advice read "…keeping every one or configure the model it was built with", and led with a
    # rebuild, which re-embeds everything with the other model: a library caller had only left out
    # the embedder it built with
    class OtherModel(FakeEmbedder):
        name = "other-model"

    with pytest.raises(IndexMismatchError) as caught:
        Index.open(tmp_path / "index", embedder=OtherModel())
    message = str(caught.value)
    assert "open it with its own model (`embedder=` in Python" in message
    assert message.index("its own model") < message.index("alliance-qa repair")
    assert "one or configure" not in message


def test_an_embedder_of_ones_own_lacking_a_member_is_named_before_any_work(tmp_path: Path) -> None:
    # `index.Embedder` declares window and count_tokens too: one without them met an AttributeError
    # half-way through a build
    class Bare:
        name, dimension = "mine", 256
        encode = encode_queries = FakeEmbedder.encode

    with pytest.raises(InputError, match=r"embedder Bare lacks window, count_tokens: an index\.Embedder has"):
        Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=Bare())  # type: ignore[arg-type]
    assert not (tmp_path / "index").exists()
    Index.build(FIXTURE_CORPUS, tmp_path / "real", embedder=FakeEmbedder())
    with pytest.raises(InputError, match="lacks window, count_tokens"):
        Index.open(tmp_path / "real", embedder=Bare())  # type: ignore[arg-type]


def test_format_mismatch_is_reported(fixture_index: Index, fake_embedder: FakeEmbedder) -> None:
    path = fixture_index.folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format_version"] = 999
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        IndexMismatchError,
        match=r"format 999.*`alliance-qa repair --index .*` rebuilds it from its own documents",
    ):
        Index.open(fixture_index.folder, embedder=fake_embedder)


def test_truncated_faiss_file_is_reported(fixture_index: Index, fake_embedder: FakeEmbedder) -> None:
    dense = fixture_index.folder / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:100])
    # the advice keeps the documents: a rebuild from the corpus folder dropped those added by API
    with pytest.raises(IndexCorruptError, match="alliance-qa repair --index") as caught:
        Index.open(fixture_index.folder, embedder=fake_embedder)
    assert "alliance-qa ingest" not in str(caught.value)


@pytest.mark.parametrize("edit", ["text", "sha256"])
def test_a_document_edited_in_place_is_reported(
    fixture_index: Index, fake_embedder: FakeEmbedder, edit: str
) -> None:
    path = fixture_index.folder / "documents.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if edit == "text":  # same length and characters: the chunk offsets still fit, the citations lie
        rows[1]["text"] = rows[1]["text"][::-1]
    else:  # a matching hash written with it would otherwise pass for the manifest's
        rows[1]["sha256"] = "0" * 64
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    with pytest.raises(IndexCorruptError) as caught:
        Index.open(fixture_index.folder, embedder=fake_embedder)
    assert f"{path}: document {rows[1]['doc_id']!r}" in str(caught.value)
    assert f"`alliance-qa repair --index {fixture_index.folder.parent.parent}`" in str(caught.value)


def test_bad_questions_and_options(fixture_index: Index) -> None:
    with pytest.raises(InputError, match="empty"):
        fixture_index.search("   ")
    with pytest.raises(InputError, match="1000"):
        fixture_index.search("x" * 1001)
    with pytest.raises(InputError, match="k must be"):
        fixture_index.search("harbour", k=0)
    with pytest.raises(InputError, match="nope"):
        fixture_index.search("harbour", doc_ids=["nope"])
    with pytest.raises(NotFoundError):
        fixture_index.document("nope")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"k": "3"}, "k must be a whole number (an int), got '3' (str)"),
        ({"k": 2.5}, "k must be a whole number (an int), got 2.5 (float)"),
        ({"k": None}, "k must be a whole number (an int), got None (NoneType)"),
        ({"k": True}, "k must be a whole number (an int), got True (bool)"),
        ({"question": None}, "the question must be a str, got NoneType"),
        ({"question": b"harbour"}, "the question must be a str, got bytes; decode it first"),
        ({"question": 42}, "the question must be a str, got int"),
        (
            {"doc_ids": "lighthouse-notes"},
            "doc_ids is one str ('lighthouse-notes'), not a list of ids: pass [",
        ),
        ({"doc_ids": [7]}, "doc_ids must hold document ids (str), got 7 (int)"),
        ({"doc_ids": 7}, "doc_ids must be a list of document ids (str), got int"),
        ({"doc_ids": []}, "doc_ids is empty: leave it out (or None) to search every document"),
    ],
)
def test_wrong_types_are_input_errors_that_say_what_to_pass(
    fixture_index: Index, options: dict[str, object], message: str
) -> None:
    asked = {"question": "harbour lighthouse", **options}
    for call in (fixture_index.ask, fixture_index.search):
        with pytest.raises(InputError) as caught:
            call(**asked)  # type: ignore[arg-type]
        assert str(caught.value).startswith(message)


def test_numpy_integers_and_tuples_of_ids_are_taken(fixture_index: Index) -> None:
    hits = fixture_index.search("harbour lighthouse", k=np.int64(2), doc_ids=("lighthouse-notes",))
    assert len(hits) == 2 and {h.citation.doc_id for h in hits} == {"lighthouse-notes"}


def test_a_library_user_sets_the_threshold_as_the_readme_shows(fixture_index: Index) -> None:
    from dataclasses import replace

    import index as package

    question = "annual exercise Grey Heron rescue"
    assert fixture_index.ask(question, mode="dense").answerable
    strict = package.SearchConfig(abstention=replace(package.DEFAULT_RULE, min_confidence=0.999))
    reopened = package.Index.open(fixture_index.folder, embedder=FakeEmbedder(), config=strict)
    # the refusal names the threshold that refused it (session 18: it said the passages matched
    # "only loosely" of an exact match at confidence 0.95)
    refusal = reopened.ask(question, mode="dense").refusal
    assert refusal is not None and refusal.endswith(
        "is under the 0.999 set for an answer (the calibrated rule answers it)"
    )


@pytest.mark.parametrize("threshold", ["0.9", 5, 1.0, -0.1, True])
def test_a_threshold_that_is_no_probability_is_an_input_error(threshold: object) -> None:
    from dataclasses import replace

    import index as package

    with pytest.raises(InputError, match="min_confidence must be a number from 0 up to"):
        replace(package.DEFAULT_RULE, min_confidence=threshold)


def test_documents_are_in_id_order_after_a_build_as_after_a_write(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("zebra.md", "日本の城.md", "beta.md"):
        (corpus / name).write_text(f"{name}\n\nA few words about {name}.\n", encoding="utf-8")
    built = Index.build(corpus, tmp_path / "index", embedder=FakeEmbedder())
    ids = [d.doc_id for d in built.documents()]
    assert ids == sorted(ids)
    assert [c.doc_id for c in built.chunks] == sorted(c.doc_id for c in built.chunks)
    rewritten, _ = apply_changes(tmp_path / "index", embedder=FakeEmbedder(), removals=["beta"])
    assert [c.chunk_id for c in rewritten.chunks] == [c.chunk_id for c in built.chunks if c.doc_id != "beta"]


def test_a_highlight_is_where_help_says_in_the_document_and_in_the_passage(fixture_index: Index) -> None:
    # help(Hit) showed `highlight: tuple[int, int] | None` alone: read against the chunk's text, as
    # a first passage starting at 0 suggests, a later passage's gave ''
    assert "highlight` is the answer sentence's span in the document" in pydoc.render_doc(Hit)
    hits = [h for q in ("harbour patrols", "lighthouse keepers") for h in fixture_index.ask(q, k=5).hits]
    assert any(h.highlight and h.citation.start > 0 for h in hits)
    for hit in hits:
        if hit.highlight is None:
            continue
        start, end = hit.highlight
        sentence = fixture_index.document(hit.citation.doc_id).text[start:end]
        assert sentence and hit.citation.start <= start < end <= hit.citation.end
        assert hit.chunk.text[start - hit.citation.start : end - hit.citation.start] == sentence


def test_the_longest_question_is_a_setting(fixture_index: Index) -> None:
    long = "Which harbour patrols does the pact set up? " * 27  # 1187 characters, trimmed
    with pytest.raises(InputError, match="1187 characters long; keep it to 1000"):
        fixture_index.ask(long)
    roomy = Index.open(
        fixture_index.folder, embedder=FakeEmbedder(), config=SearchConfig(max_question_chars=2000)
    )
    assert roomy.ask(long).hits
    with pytest.raises(InputError, match="max_question_chars must be a whole number of at least 1"):
        SearchConfig(max_question_chars=0)


def test_doc_ids_are_typed_as_they_are_taken(fixture_index: Index) -> None:
    # a set or a generator of ids is taken (check_ids), but the hint said Sequence[str]: an app's
    # `mypy --strict` refused `doc_ids={"harbour-pact"}`
    for method in (Index.ask, Index.search):
        hint = typing.get_type_hints(method)["doc_ids"]
        assert collections.abc.Iterable[str] in typing.get_args(hint)
    assert {h.citation.doc_id for h in fixture_index.search("harbour", doc_ids={"harbour-pact"})} == {
        "harbour-pact"
    }
    assert fixture_index.ask("harbour", doc_ids=(d for d in ["harbour-pact"])).hits


def test_an_index_sent_to_another_process_says_to_open_it_there(fixture_index: Index) -> None:
    with pytest.raises(
        TypeError, match=r"an Index is not sent to another process: open it there, Index\.open\("
    ):
        pickle.dumps(fixture_index.ask)  # what ProcessPoolExecutor.submit(index.ask, …) sends
    result = fixture_index.ask("harbour patrols")
    assert pickle.loads(pickle.dumps(result)) == result


def test_the_smaller_readers_refuse_what_they_cannot_read_by_name(fixture_index: Index) -> None:
    # were: TypeError "unhashable type: 'list'", a bare KeyError 'zz', AttributeError, and the
    # tokenizer's "TextInputSequence must be str"
    with pytest.raises(InputError, match=r"chunk_id must be one chunk id \(str\), got \['x'\] \(list\)"):
        fixture_index.chunk(["x"])  # type: ignore[arg-type]
    foreign = chunk_document(make_document("zz", b"Zz\n\nA chunk cut elsewhere.\n"), ChunkerConfig(), len)[0]
    with pytest.raises(NotFoundError, match=r"chunk '\w+' of document 'zz' is not in this index"):
        fixture_index.citation(foreign)
    with pytest.raises(InputError, match=r"chunk must be an ingest\.Chunk, got 'abc' \(str\)"):
        fixture_index.citation("abc")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="the question must be a str, got int"):
        fixture_index.encode_query(5)  # type: ignore[arg-type]
    own = fixture_index.chunks[-1]
    assert fixture_index.citation(fixture_index.chunk(own.chunk_id)).start == own.start
    assert fixture_index.encode_query("harbour").shape == (1, FakeEmbedder.dimension)


def test_paths_may_be_str_and_wrong_arguments_say_what_to_pass(fixture_index: Index) -> None:
    """Session 18: a str path met `/` deep inside; an embedder given by name, a dict for config and
    a list for a document id failed with AttributeError and TypeError."""
    opened = Index.open(str(fixture_index.folder), embedder=FakeEmbedder())
    assert opened.ask("harbour lighthouse").hits
    with pytest.raises(InputError, match="embedder must be an Embedder"):
        Index.open(fixture_index.folder, embedder="onnx")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"config must be an index\.SearchConfig"):
        Index.open(fixture_index.folder, embedder=FakeEmbedder(), config={})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="path must be a path"):
        Index.open(7, embedder=FakeEmbedder())  # type: ignore[arg-type]
    # assigned, as `Index.config` allows, it was taken and failed at the next question
    with pytest.raises(InputError, match=r"config must be an index\.SearchConfig"):
        opened.config = "fast"  # type: ignore[assignment]
    assert opened.ask("harbour lighthouse").hits
    with pytest.raises(InputError, match="doc_id must be one document id"):
        opened.document(["harbour-pact"])  # type: ignore[arg-type]


def test_a_version_pruned_while_it_is_read_opens_the_current_one(
    fixture_index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Session 18: beside a writer in a loop, 2 of 1,332 opens were told the intact index was
    damaged: the version `current` named when the open began was pruned while it was read."""
    import index.retriever as retriever

    home = fixture_index.folder.parent.parent
    real = retriever.resolve_version
    gone = fixture_index.folder.parent / "20000101T000000-000000000"  # pruned: no longer there
    calls: list[Path] = []

    def stale_first(path: Path) -> Path:
        calls.append(path)
        return gone if len(calls) == 1 else real(path)

    monkeypatch.setattr(retriever, "resolve_version", stale_first)
    opened = Index.open(home, embedder=FakeEmbedder())
    assert opened.folder == real(home) and len(calls) == 2
    # a version that is there but damaged is still reported, not retried
    monkeypatch.setattr(retriever, "resolve_version", lambda path: fixture_index.folder)
    (fixture_index.folder / "chunks.jsonl").write_text("", encoding="utf-8")
    with pytest.raises((IndexCorruptError, IndexMismatchError)):
        Index.open(home, embedder=FakeEmbedder())


def test_doc_ids_filter(fixture_index: Index) -> None:
    hits = fixture_index.search("harbour lighthouse", k=5, doc_ids=["lighthouse-notes"])
    assert hits and {h.citation.doc_id for h in hits} == {"lighthouse-notes"}


def test_k_larger_than_the_corpus_returns_every_chunk(fixture_index: Index) -> None:
    assert len(fixture_index.search("harbour", k=50)) == len(fixture_index.chunks)


@pytest.mark.model
def test_real_model_finds_dharma_guardian(real_index: Index, real_embedder: object) -> None:
    index = real_index
    home = real_index.folder.parent.parent  # versions/<v> → the index home
    reopened = Index.open(home, embedder=real_embedder)  # type: ignore[arg-type]
    hits = reopened.search("What is the name of the joint exercise between Japan and India?", k=5)
    assert "Dharma Guardian" in hits[0].chunk.text
    assert hits[0].citation.doc_id == "002_d91d6e0fb2e37740"
    assert reopened.document(hits[0].citation.doc_id).text[hits[0].citation.start : hits[0].citation.end] == (
        hits[0].chunk.text
    )
    assert all(c.n_tokens <= 254 for c in index.chunks)


def test_unknown_ids_are_named_once_beside_a_few_known_ones(tmp_path: Path) -> None:
    # a 404 named all 294 ids of an index, and doc_ids=x,x,…(5,000×) repeated 'x' 5,000 times
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(14):
        (corpus / f"note-{n:02}.txt").write_text(f"Note {n}\n\nThe harbour froze in {1880 + n}.\n", "utf-8")
    index = Index.build(corpus, tmp_path / "index", embedder=FakeEmbedder())
    first_ten = ", ".join(f"note-{n:02}" for n in range(10))
    with pytest.raises(NotFoundError) as missing:
        index.document("zzz")
    assert str(missing.value) == f"no document 'zzz'; known ids: {first_ten} and 4 more"
    with pytest.raises(InputError) as unknown:
        index.ask("When did the harbour freeze?", doc_ids=["x"] * 5000 + ["note-01", "y"])
    assert str(unknown.value) == f"unknown doc_ids: 'x', 'y'; known ids: {first_ten} and 4 more"
    assert index.ask("When did the harbour freeze?", doc_ids=["note-01"] * 3).hits  # repeats are fine


KAFFEE = (
    "Kaffeevollautomat – Kurzanleitung\n\n"
    "Ein Entkalkungsvorgang dauert etwa 25 Minuten und darf nicht unterbrochen werden. "
    "Vorher unbedingt den Wasserfilter entfernen. Die Garantie beträgt 24 Monate ab Kaufdatum.\n"
)


@pytest.fixture
def german_index(tmp_path: Path, fake_embedder: FakeEmbedder) -> Index:
    """The fixture corpus and a German coffee machine manual."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in FIXTURE_CORPUS.iterdir():
        (corpus / path.name).write_bytes(path.read_bytes())
    (corpus / "kaffee.md").write_text(KAFFEE, encoding="utf-8")
    return Index.build(corpus, tmp_path / "index", embedder=fake_embedder)


def test_the_index_records_each_documents_languages(german_index: Index) -> None:
    assert {d.doc_id: german_index.languages(d.doc_id) for d in german_index.documents()} == {
        "harbour-pact": ("en",),
        "kaffee": ("de",),
        "lighthouse-notes": ("en",),
    }
    assert {e.doc_id: e.languages for e in german_index.manifest.documents}["kaffee"] == ("de",)


def test_a_refusal_within_a_document_in_another_language_says_to_ask_in_it(german_index: Index) -> None:
    # session 21: "nothing in the chosen documents is about it", and nothing said why
    result = german_index.ask("How long does descaling take?", doc_ids=["kaffee"])

    assert not result.answerable and result.refusal is not None
    assert result.language_note is not None and result.refusal.endswith(f" — {result.language_note}")
    assert "the question is in English and the document chosen is in German (kaffee)" in result.language_note
    assert result.language_note.endswith("so ask in German to search it")


def test_a_question_in_the_documents_language_is_told_nothing(german_index: Index) -> None:
    result = german_index.ask("Wie lange dauert das Entkalken?", doc_ids=["kaffee"])

    assert result.language_note is None
    assert result.refusal is None or "the question is in" not in result.refusal


def test_an_answer_from_passages_in_another_language_says_so(german_index: Index) -> None:
    # matched across languages by a number and a word both write: the passage is German
    result = german_index.ask("What takes 25 Minuten?", doc_ids=["kaffee"])

    assert result.answerable and result.refusal is None
    assert result.language_note is not None
    assert result.language_note.startswith(
        "the question is in English and the passages found are in German (kaffee)"
    )


def test_an_index_from_before_languages_reads_them_from_the_text(german_index: Index) -> None:
    version = german_index.folder
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["documents"]:
        del entry["languages"]
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    opened = Index.open(version, embedder=german_index.embedder)

    assert {e.languages for e in opened.manifest.documents} == {None}
    assert opened.languages("kaffee") == ("de",)
    assert "document chosen is in German" in (
        opened.ask("How long does descaling take?", doc_ids=["kaffee"]).refusal or ""
    )
