from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from alliance_qa.errors import IndexCorruptError, IndexMismatchError, InputError
from index.diversity import Spans, pick_distinct
from index.fusion import Run
from index.lexical import LEXICAL_DIR
from index.manifest import FORMAT_VERSION
from index.ranking import SearchConfig
from index.retriever import MODES, Index
from ingest.chunking import ChunkerConfig
from ingest.documents import make_document
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return Index.build(FIXTURE_CORPUS, tmp_path_factory.mktemp("hybrid") / "index", embedder=FakeEmbedder())


def test_hybrid_is_the_default_and_reports_both_retrievers(index: Index) -> None:
    hits = index.search("annual exercise Grey Heron rescue", k=3)
    assert "Grey Heron" in hits[0].chunk.text
    top = hits[0]
    # found by both: each retriever's own score and rank are kept
    assert top.scores["dense"] is not None and top.scores["lexical"] is not None
    assert top.ranks["dense"] is not None and top.ranks["lexical"] is not None
    for hit in hits:
        assert set(hit.scores) == set(hit.ranks) == {"dense", "lexical"}
        assert (hit.scores["dense"] is None) == (hit.ranks["dense"] is None)
        assert (hit.scores["lexical"] is None) == (hit.ranks["lexical"] is None)


def test_a_single_mode_fills_only_its_own_score(index: Index) -> None:
    for hit in index.search("lighthouse lamp", k=3, mode="dense"):
        assert hit.scores["lexical"] is None and hit.ranks["lexical"] is None
        assert hit.score == hit.scores["dense"]
    lexical = index.search("lighthouse lamp", k=3, mode="lexical")
    for hit in lexical:
        assert hit.scores["dense"] is None and hit.scores["lexical"] == hit.score
    # per-mode ranks follow that mode's scores
    assert [h.ranks["lexical"] for h in lexical] == sorted(h.ranks["lexical"] or 0 for h in lexical)


def test_the_lexical_mode_finds_a_rare_keyword_first(index: Index) -> None:
    assert "Grey Heron" in index.search("heron", k=1, mode="lexical")[0].chunk.text


@pytest.mark.parametrize("mode", MODES)
def test_doc_ids_filter_every_mode(index: Index, mode: str) -> None:
    question = "the keepers and the harbour pact"
    for doc_id in ("harbour-pact", "lighthouse-notes"):
        hits = index.search(question, k=3, mode=mode, doc_ids=[doc_id])
        assert hits
        assert {h.chunk.doc_id for h in hits} == {doc_id}
    both = index.search(question, k=6, mode=mode, doc_ids=["harbour-pact", "lighthouse-notes"])
    assert {h.chunk.doc_id for h in both} == {"harbour-pact", "lighthouse-notes"}
    with pytest.raises(InputError, match="unknown doc_ids"):
        index.search(question, mode=mode, doc_ids=["nope"])


def test_bm25_is_fused_by_its_ceiling_and_only_bm25_has_one() -> None:
    assert SearchConfig().scaling["lexical"] == "ceiling"
    with pytest.raises(InputError, match="only the lexical run"):
        SearchConfig(scaling={"dense": "ceiling", "lexical": "max", "overlap": "none"})


def test_an_unknown_mode_is_an_input_error(index: Index) -> None:
    with pytest.raises(InputError, match="unknown mode"):
        index.ask("lighthouse", mode="sparse")


def test_every_stage_is_timed(index: Index) -> None:
    timings = index.ask("lighthouse lamp").timings_ms
    assert set(timings) == {"encode", "dense", "lexical", "fuse", "answer", "total"}
    assert all(t >= 0 for t in timings.values())
    assert timings["total"] >= sum(t for name, t in timings.items() if name != "total") * 0.99


def test_the_manifest_covers_the_lexical_index_and_sentences(index: Index) -> None:
    data = json.loads((index.folder / "manifest.json").read_text(encoding="utf-8"))
    assert data["format_version"] == FORMAT_VERSION == 2
    assert data["lexical"]["num_docs"] == len(index.chunks)
    assert data["lexical"]["k1"] > 0 and data["lexical"]["stemmer"] == "english"
    assert data["sentences"] == len(index.sentences) == data["counts"]["sentences"]


def _copy(index: Index, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(index.folder, target)
    return target


def test_open_refuses_a_version_without_its_lexical_files(tmp_path: Path, index: Index) -> None:
    folder = _copy(index, tmp_path)
    shutil.rmtree(folder / LEXICAL_DIR)
    with pytest.raises(IndexCorruptError, match=r"lexical.*alliance-qa repair --index"):
        Index.open(folder, embedder=FakeEmbedder())


def test_open_refuses_a_lexical_index_of_another_size(tmp_path: Path, index: Index) -> None:
    folder = _copy(index, tmp_path)
    params = folder / LEXICAL_DIR / "params.index.json"
    data = json.loads(params.read_text())
    params.write_text(json.dumps({**data, "num_docs": data["num_docs"] + 1}))
    with pytest.raises(IndexCorruptError, match="alliance-qa repair --index"):
        Index.open(folder, embedder=FakeEmbedder())


def test_open_refuses_missing_sentence_vectors(tmp_path: Path, index: Index) -> None:
    folder = _copy(index, tmp_path)
    (folder / "sentences.npy").unlink()
    with pytest.raises(IndexCorruptError, match="alliance-qa repair --index"):
        Index.open(folder, embedder=FakeEmbedder())


def test_open_refuses_the_previous_format(tmp_path: Path, index: Index) -> None:
    folder = _copy(index, tmp_path)
    manifest = folder / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"format_version": 2', '"format_version": 1'))
    with pytest.raises(IndexMismatchError, match="rebuild"):
        Index.open(folder, embedder=FakeEmbedder())


def test_a_reopened_index_answers_the_same(tmp_path: Path, index: Index) -> None:
    reopened = Index.open(index.folder, embedder=FakeEmbedder())
    for mode in MODES:
        before = index.ask("Which exercise tests rescue at sea?", mode=mode)
        after = reopened.ask("Which exercise tests rescue at sea?", mode=mode)
        assert [h.chunk.chunk_id for h in after.hits] == [h.chunk.chunk_id for h in before.hits]
        assert [h.highlight for h in after.hits] == [h.highlight for h in before.hits]


# ---- near-duplicates and overlapping windows --------------------------------------------------

REPEATED = "The fleet patrols the strait every spring to keep the sea lanes open for trade."
DISTINCT = [
    "Lighthouse keepers logged the weather at dawn and at dusk.",
    "The harbour commission meets in March to review fishing quotas.",
    "Customs officers inspect cargo ships arriving from the north.",
    "Old maps show a broken pier where the ferry once docked.",
]


@pytest.fixture(scope="module")
def repetitive(tmp_path_factory: pytest.TempPathFactory) -> Index:
    paragraphs = [REPEATED, DISTINCT[0], REPEATED, DISTINCT[1], REPEATED, DISTINCT[2], REPEATED, DISTINCT[3]]
    text = "Patrol Notes\n\n" + "\n\n".join(paragraphs) + "\n"
    document = make_document("patrol-notes", text.encode())
    return Index.build_from_documents(
        [document],
        tmp_path_factory.mktemp("repetitive") / "index",
        embedder=FakeEmbedder(),
        # one sentence a chunk, each window repeating the previous sentence
        chunker=ChunkerConfig(max_tokens=20, overlap_sentences=1),
    )


@pytest.mark.parametrize("mode", MODES)
def test_top_k_are_k_different_passages(repetitive: Index, mode: str) -> None:
    # every paragraph shares a word with the question, so every mode can fill k
    question = "fleet patrols the strait sea lanes trade, weather, commission, cargo ships, pier"
    hits = repetitive.search(question, k=4, mode=mode)
    assert len(hits) == 4
    texts = [h.chunk.text for h in hits]
    assert sum(REPEATED in t for t in texts) == 1  # the four copies collapse into one
    spans = sorted((h.chunk.start, h.chunk.end) for h in hits)
    for (_, end), (start, _) in itertools.pairwise(spans):
        shared = max(0, end - start)
        assert shared <= 0.5 * min(e - s for s, e in spans)


def test_pick_distinct_equals_a_brute_force_reference() -> None:
    rng = np.random.default_rng(11)
    base = rng.normal(size=(10, 16))
    vectors = np.concatenate([base, base + 0.001 * rng.normal(size=(10, 16))]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    starts = rng.integers(0, 200, 20)
    spans = Spans(doc=rng.integers(0, 2, 20), start=starts, end=starts + rng.integers(5, 40, 20))
    order = rng.permutation(20)
    run = Run.of(order, np.linspace(1, 0, 20))
    picked = pick_distinct(run, k=8, vectors=vectors, spans=spans, threshold=0.96, max_shared=0.5)
    kept: list[int] = []
    for row in order.tolist():
        clash = False
        for other in kept:
            shared = min(spans.end[row], spans.end[other]) - max(spans.start[row], spans.start[other])
            shorter = min(spans.end[row] - spans.start[row], spans.end[other] - spans.start[other])
            same_doc = spans.doc[row] == spans.doc[other]
            if (same_doc and shared > 0.5 * shorter) or float(vectors[row] @ vectors[other]) >= 0.96:
                clash = True
        if not clash and len(kept) < 8:
            kept.append(row)
    assert picked.rows.tolist() == kept
    # every near-copy (rows i and i + 10) is dropped when its twin was kept first
    assert not any(row + 10 in kept for row in kept if row < 10)


def test_k_larger_than_the_distinct_passages_returns_what_there_is(repetitive: Index) -> None:
    hits = repetitive.search("fleet patrols", k=50)
    assert 1 <= len(hits) <= len(repetitive.chunks)
    assert len({h.chunk.chunk_id for h in hits}) == len(hits)


def test_best_k_is_the_stable_sorts_head_as_a_set() -> None:
    from index.ranking import best_k

    rng = np.random.default_rng(5)
    for n in (0, 1, 7, 300):
        # rounded to a few levels: many ties, which the stable sort gives to the lower position
        values = np.round(rng.random(n) * 6) / 6
        for k in (0, 1, 3, n // 2, n, n + 4):
            expected = np.sort(np.argsort(-values, kind="stable")[: max(k, 0)])
            np.testing.assert_array_equal(best_k(values, k), expected)


RELEASE_NOTES = """# Tern Release Notes

## Tern 4.2.0 — 14 March 2025

### Fixes

* Fixed a crash when a Markdown file started with a byte order mark.

## Tern 4.1.2 — 19 November 2024

* Fixed Tern bugs: RSS feeds and a trailing comma in new projects were fixed.

## Tern 4.0.0 — 1 July 2024

* Fixed bugs in the Tern template engine.
"""


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("What bugs were fixed in Tern 4.2.0?", "Tern 4.2.0 — 14 March 2025"),
        ("Which bugs did Tern 4.2 fix?", "Tern 4.2.0 — 14 March 2025"),  # 4.2 names the series
        ("What bugs were fixed in Tern in 2024?", None),  # two sections' headings write 2024
    ],
)
def test_a_version_the_question_names_puts_the_sections_headed_by_it_first(
    tmp_path: Path, question: str, section: str | None
) -> None:
    """Session 17's "What bugs were fixed in Tern 4.2.0?" was answered from 4.1.2's section: the
    sub-section "Fixes" writes no version, and the words of another version's fixes won."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "tern.md").write_text(RELEASE_NOTES, encoding="utf-8")
    index = Index.build(tmp_path / "notes", tmp_path / "index", embedder=FakeEmbedder())
    hits = index.search(question, k=3)
    fused = [hit.score for hit in hits]
    assert fused == sorted(fused, reverse=True)
    if section is None:  # 2024 heads 4.1.2 and 4.0.0: both come before 4.2.0
        assert [h.chunk.section[1] for h in hits[:2]].count("Tern 4.2.0 — 14 March 2025") == 0
    else:
        assert hits[0].chunk.section[1] == section
        assert "byte order mark" in index.ask(question, k=3).answer.text
    # the fused order alone puts another version's section first
    plain = Index.open(tmp_path / "index", embedder=FakeEmbedder(), config=SearchConfig(headed_numbers=False))
    if section is not None:
        assert plain.search(question, k=3)[0].chunk.section[1] != section


SYLLABUS = """# ASTR 101

## Week 3 - 26 January

### Plan

Covered: light and telescopes.
Reading: chapter 3.

## Week 4 - 2 February

### Plan

What is covered in week 4 builds on what is covered in week 3: the planets.
"""


def test_a_labelled_number_puts_the_section_it_labels_first(tmp_path: Path) -> None:
    """Session 18: "What is covered in week 3?" was answered from slides' "Warehouse move slipped
    3 weeks"; and then, under "Week 3", by its "Reading: chapter 3" (the digit bonus)."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "astr.md").write_text(SYLLABUS, encoding="utf-8")
    index = Index.build(tmp_path / "notes", tmp_path / "index", embedder=FakeEmbedder())
    result = index.ask("What is covered in week 3?", k=3)
    assert result.hits[0].chunk.section[1] == "Week 3 - 26 January"
    assert result.answer.text == "Covered: light and telescopes."
    plain = Index.open(tmp_path / "index", embedder=FakeEmbedder(), config=SearchConfig(headed_numbers=False))
    assert plain.search("What is covered in week 3?", k=3)[0].chunk.section[1] == "Week 4 - 2 February"


def test_a_number_lifts_only_the_sections_already_near_the_top(tmp_path: Path) -> None:
    """Session 19: "Who won the 2022 World Cup?" was answered from a grant form whose section
    "March 2022" (dense .18, no word shared) was put first over every passage ranked above it. A
    heading writing the number reorders the head of the fused ranking only: what ranked below the
    head stays there, in its order."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "astr.md").write_text(SYLLABUS, encoding="utf-8")
    index = Index.build(tmp_path / "notes", tmp_path / "index", embedder=FakeEmbedder())
    ranker = index._ranker
    week3 = next(i for i, c in enumerate(index.chunks) if c.section[1:2] == ("Week 3 - 26 January",))
    others = [i for i in range(len(index.chunks)) if i != week3]
    fused = Run(np.array([*others, week3]), np.linspace(1.0, 0.5, len(index.chunks)))
    within = ranker.headed_first(fused, "What is covered in week 3?", head=len(index.chunks))
    assert within.rows[0] == week3
    assert list(within.scores) == sorted(within.scores, reverse=True)
    below = ranker.headed_first(fused, "What is covered in week 3?", head=len(others))
    np.testing.assert_array_equal(below.rows, fused.rows)
    np.testing.assert_array_equal(below.scores, fused.scores)


def test_a_heading_writing_one_of_two_numbers_named_is_not_lifted(tmp_path: Path) -> None:
    """Session 19: "dividend allowance 2023 to 2024" put a section headed "For disposals between 6
    April 2024 and 29 October 2024" over the row "| 2023 to 2024 | £1,000 |": the heading writes
    one of the two years the question names, not the range it asks about."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "astr.md").write_text(
        SYLLABUS + "\n## Reading list\n\nThe textbook.\n", encoding="utf-8"
    )
    index = Index.build(tmp_path / "notes", tmp_path / "index", embedder=FakeEmbedder())
    reading = next(i for i, c in enumerate(index.chunks) if c.section[1:2] == ("Reading list",))
    rows = [reading, *(i for i in range(len(index.chunks)) if i != reading)]
    fused = Run(np.array(rows), np.linspace(1.0, 0.5, len(rows)))
    lifted = index._ranker.headed_first(fused, "What is covered in week 3?", head=len(rows))
    assert lifted.rows[0] != reading
    both = index._ranker.headed_first(fused, "What is covered in week 3 and week 4?", head=len(rows))
    np.testing.assert_array_equal(both.rows, fused.rows)


PILOTS = (
    "# Port of Tamsin\n\n## Harbour Pilot Scheme\n\n"
    + "It began in 2019 and trains four new pilots a year for the estuary. " * 12
    + "\n\nThe harbour pilot scheme is run by the harbour office with the pilots' association.\n\n"
    + "## Moorings\n\nVisitors moor at the east pontoon for £2 a metre a night.\n"
)


def test_a_search_naming_a_section_puts_the_passage_opening_it_first(tmp_path: Path) -> None:
    """Session 22: "GSOMIA" (read as the agreement it stands for) and "bilateral cooperation
    framework" ranked a later passage repeating the section's name over the one opening it, which
    says what it is ("…, signed in 2016, facilitates crucial information sharing…")."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "port.md").write_text(PILOTS, encoding="utf-8")
    index = Index.build(tmp_path / "notes", tmp_path / "index", embedder=FakeEmbedder())
    ranker = index._ranker
    under = [i for i, c in enumerate(index.chunks) if c.section[1:] == ("Harbour Pilot Scheme",)]
    assert len(under) >= 2  # the section is cut into passages: the first opens it
    opening, later = under[0], under[-1]
    others = [i for i in range(len(index.chunks)) if i not in (opening, later)]
    fused = Run(np.array([later, *others, opening]), np.linspace(1.0, 0.5, len(index.chunks)))
    for search in (
        "harbour pilot scheme",
        "What is the Harbour Pilot Scheme?",
        "tell me about the pilot scheme",
    ):
        named = ranker.named_first(fused, search, head=len(index.chunks))
        assert named.rows[0] == opening, search
        assert sorted(named.rows.tolist()) == sorted(fused.rows.tolist())
        assert list(named.scores) == sorted(named.scores, reverse=True)
    # a question asking more than what it is, a word the heading lacks, a heading named in less than
    # half its words, or an opening passage below the head leave the ranking as it is
    for question, head in (
        ("How many pilots does the harbour pilot scheme train?", len(index.chunks)),
        ("harbour pilot scheme fees", len(index.chunks)),
        ("pilot", len(index.chunks)),
        ("harbour pilot scheme", len(index.chunks) - 1),
    ):
        same = ranker.named_first(fused, question, head=head)
        np.testing.assert_array_equal(same.rows, fused.rows)
        np.testing.assert_array_equal(same.scores, fused.scores)
    plain = Index.open(tmp_path / "index", embedder=FakeEmbedder(), config=SearchConfig(named_sections=False))
    assert plain.config.named_sections is False
