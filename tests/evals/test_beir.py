"""BEIR folders: loading (header, CRLF, score 0), document-level dense and BM25 runs, caching, fusion."""

from __future__ import annotations

import json
import shutil
from math import isclose
from pathlib import Path

import numpy as np
import pytest

from alliance_qa.errors import InputError
from evals.beir import BM25Corpus, dense_run, document_texts, encode_corpus, load_beir, read_qrels
from evals.fusion import candidates, fuse_runs, rrf, tune_fusion, untuned_fusion, weighted_sum

BEIR = Path(__file__).parents[1] / "fixtures" / "beir"


def test_the_loader_reads_crlf_qrels_with_a_header_and_keeps_judged_queries_only():
    assert b"\r\n" in (BEIR / "qrels" / "test.tsv").read_bytes()  # the fixture keeps BEIR's line endings
    beir = load_beir(BEIR, split="test")
    assert beir.qrels == {"1": {"d1": 1}, "2": {"d2": 1}, "3": {"d3": 1, "d8": 1}, "4": {"d5": 1}}
    # query 5 is judged with score 0 only: MTEB leaves it out; 6 and 7 belong to train
    assert list(beir.queries) == ["1", "2", "3", "4"]
    assert len(beir.corpus) == 8
    assert load_beir(BEIR, split="train").qrels == {"6": {"d7": 1}, "7": {"d6": 1}}


def test_files_saved_with_a_byte_order_mark_are_read(tmp_path):
    """A BEIR folder re-saved on Windows ("UTF-8 with BOM") reads as the original."""
    copy = tmp_path / "beir"
    shutil.copytree(BEIR, copy)
    for path in [copy / "corpus.jsonl", copy / "queries.jsonl", copy / "qrels" / "test.tsv"]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    marked, plain = load_beir(copy, split="test"), load_beir(BEIR, split="test")
    assert (marked.qrels, marked.queries, marked.corpus) == (plain.qrels, plain.queries, plain.corpus)


def test_documents_are_title_and_text_joined_by_a_space():
    ids, texts = document_texts(load_beir(BEIR))
    assert texts[ids.index("d1")] == (
        "Vitamin D and bone density Vitamin D supplements increase bone mineral density in elderly women."
    )
    assert texts[ids.index("d4")].startswith("Antibiotics")  # no title: no leading space


def test_unknown_splits_and_bad_rows_are_refused_with_what_to_do(tmp_path):
    with pytest.raises(InputError, match="available splits: test, train"):
        load_beir(BEIR, split="dev")
    bad = tmp_path / "bad.tsv"
    bad.write_text("query-id\tcorpus-id\tscore\n1\td1\n")
    with pytest.raises(InputError, match=f"{bad}:2: expected"):
        read_qrels(bad)


def test_a_folder_that_is_no_beir_folder_is_told_what_it_lacks(tmp_path):
    # say, the folder of documents one meant to --index, passed to --beir
    (tmp_path / "notes.md").write_text("# Notes\n")
    with pytest.raises(InputError) as caught:
        load_beir(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'qrels' / 'test.tsv'}: no qrels for split 'test'; {tmp_path} has no corpus.jsonl, no "
        "queries.jsonl, no qrels/: a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv"
    )
    shutil.copytree(BEIR, tmp_path / "copy")
    shutil.rmtree(tmp_path / "copy" / "qrels")
    with pytest.raises(InputError, match=r"copy has no qrels/: a BEIR folder holds"):
        load_beir(tmp_path / "copy")


def test_a_judged_document_missing_from_the_corpus_is_refused_with_its_line(tmp_path):
    """Session 18's tester: `q1<TAB>zzz<TAB>1` (no zzz in corpus.jsonl) was taken silently, as a
    relevant document no run could retrieve: R@10 fell from 1.000 to 0.929, with exit code 0."""
    copy = tmp_path / "beir"
    shutil.copytree(BEIR, copy)
    qrels = copy / "qrels" / "test.tsv"
    qrels.write_bytes(qrels.read_bytes() + b"1\tzzz\t1\r\n2\tyyy\t1\r\n4\tqqq\t0\r\n")
    with pytest.raises(InputError) as caught:
        load_beir(copy, split="test")
    message = str(caught.value)
    assert message.startswith(f"{qrels}:8: documents zzz (line 8), yyy (line 9) are not in corpus.jsonl")
    assert "qqq" not in message  # judged 0: not relevant, so never counted
    assert "correct the id, or add the document to corpus.jsonl" in message
    qrels.write_bytes(qrels.read_bytes().replace(b"2\tyyy\t1\r\n", b""))
    with pytest.raises(
        InputError, match=f"{qrels}:8: document zzz is not in corpus.jsonl, so no run could retrieve it;"
    ):
        load_beir(copy, split="test")


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("corpus.jsonl", {"_id": "d1", "title": "dup", "text": "another"}),
        ("queries.jsonl", {"_id": "1", "text": "another"}),
    ],
)
def test_an_id_used_twice_is_refused_naming_both_lines(tmp_path, name, line):
    """Session 18's tester appended `{"_id": "d1", "title": "dup", "text": "another"}` to
    corpus.jsonl (or a second "q1" to queries.jsonl): the later line replaced the earlier one
    without a word, and hit@1 fell from 1.000 to 0.857."""
    copy = tmp_path / "beir"
    shutil.copytree(BEIR, copy)
    path = copy / name
    before = len(path.read_text().splitlines())
    path.write_text(path.read_text() + json.dumps(line) + "\n")
    repeated = line["_id"]
    with pytest.raises(
        InputError,
        match=rf"{path}:{before + 1}: _id '{repeated}' is used twice \(first on line 1\); ids must be unique",
    ):
        load_beir(copy, split="test")


@pytest.mark.parametrize(
    ("corpus", "says"),
    [
        ("", "holds no documents"),
        ("\n\n", "holds no documents"),
        ('{"_id": "d1", "title": "", "text": ""}\n{"_id": "d2", "text": " "}\n', "every document's title"),
    ],
)
def test_a_corpus_with_nothing_to_retrieve_is_refused_naming_the_file(tmp_path, corpus, says):
    """Session 18's tester: an empty corpus.jsonl ended in a traceback from bm25s,
    `ValueError: max() arg is an empty sequence`, after numpy RuntimeWarnings."""
    copy = tmp_path / "beir"
    shutil.copytree(BEIR, copy)
    (copy / "corpus.jsonl").write_text(corpus)
    with pytest.raises(InputError, match=f"^{copy / 'corpus.jsonl'}: {says}"):
        load_beir(copy, split="test")


def test_a_pair_judged_twice_with_other_scores_is_refused_naming_both_lines(tmp_path):
    # the later score replaced the earlier without a word, changing nDCG
    qrels = tmp_path / "test.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\n1\td1\t1\n2\td2\t1\n1\td1\t2\n")
    with pytest.raises(InputError) as caught:
        read_qrels(qrels)
    assert str(caught.value) == (
        f"{qrels}:4: query 1 judges document d1 again, 2 here and 1 on line 2; keep one judgement per pair"
    )
    qrels.write_text("1\td1\t1\n1\td1\t1\n")  # the same judgement twice changes nothing
    assert read_qrels(qrels) == {"1": {"d1": 1}}


def test_a_judged_query_without_text_is_refused_before_any_run(tmp_path):
    # bm25s raised IndexError on it, after the dense run had been computed
    copy = tmp_path / "beir"
    shutil.copytree(BEIR, copy)
    path = copy / "queries.jsonl"
    path.write_text(path.read_text().replace('"text": "Caffeine delays sleep."', '"text": " "'))
    with pytest.raises(InputError) as caught:
        load_beir(copy, split="test")
    assert str(caught.value) == (
        f"{path}: judged query 2 has no text; give each its text, or drop its judgements from "
        f"{copy / 'qrels' / 'test.tsv'}"
    )


def test_bm25_over_documents_of_stopwords_only_says_so():
    with pytest.raises(InputError, match="no document of the corpus has a word BM25 can index"):
        BM25Corpus(["d1", "d2"], ["the a", "of and"])


class CountingEmbedder:
    """Wraps an embedder and counts the texts it is asked to encode."""

    def __init__(self, inner):
        self.inner, self.encoded = inner, 0
        self.name, self.dimension, self.window = inner.name, inner.dimension, inner.window

    def encode(self, texts, *, batch_size=32, progress=False):
        self.encoded += len(texts)
        return self.inner.encode(texts)

    def encode_queries(self, texts):
        self.encoded += len(texts)
        return self.inner.encode_queries(texts)

    def count_tokens(self, text):
        return self.inner.count_tokens(text)


def test_corpus_embeddings_are_cached_by_model_and_content(tmp_path, fake_embedder):
    embedder = CountingEmbedder(fake_embedder)
    first = encode_corpus(["a b", "c d"], embedder, cache_dir=tmp_path)
    again = encode_corpus(["a b", "c d"], embedder, cache_dir=tmp_path)
    assert embedder.encoded == 2  # the second call read the cache
    np.testing.assert_array_equal(first, again)
    encode_corpus(["a b", "c e"], embedder, cache_dir=tmp_path)
    assert embedder.encoded == 4  # other texts: other cache file
    assert len(list(tmp_path.glob("*.npy"))) == 2


def test_dense_run_ranks_exactly_by_cosine(fake_embedder):
    beir = load_beir(BEIR)
    ids, texts = document_texts(beir)
    vectors = encode_corpus(texts, fake_embedder, cache_dir=None)
    run = dense_run(beir.queries, ids, vectors, fake_embedder, k=3)
    for query_id, text in beir.queries.items():
        cosine = vectors @ fake_embedder.encode([text])[0]  # brute-force reference
        expected = [ids[i] for i in np.argsort(-cosine, kind="stable")[:3]]
        assert list(run.run[query_id]) == expected
        assert run.latency_ms[query_id] >= 0


def test_bm25_finds_the_document_sharing_stemmed_words():
    beir = load_beir(BEIR, split="train")
    ids, texts = document_texts(beir)
    run = BM25Corpus(ids, texts).run({"q": "runner fractured tibia", "none": "zzz qqq"}, k=5)
    assert next(iter(run.run["q"])) == "d6"  # "runners", "fractures" share stems with the query
    assert run.run["none"] == {}  # no shared word: nothing retrieved


def test_rrf_and_weighted_sums_follow_their_formulas():
    dense = {"q": {"a": 0.9, "b": 0.8, "c": 0.5}}
    lexical = {"q": {"b": 9.0, "c": 5.0}}
    fused = rrf([dense, lexical], k=60)["q"]
    assert isclose(fused["a"], 1 / (60 + 1))
    assert isclose(fused["b"], 1 / (60 + 2) + 1 / (60 + 1))
    assert list(fused) == ["b", "c", "a"]
    summed = weighted_sum([dense, lexical], weights=[0.7, 0.3])["q"]
    # min-max per run: dense a=1, b=(0.8-0.5)/0.4, c=0; lexical b=1, c=0
    assert isclose(summed["a"], 0.7 * 1)
    assert isclose(summed["b"], 0.7 * (0.8 - 0.5) / (0.9 - 0.5) + 0.3 * 1)
    assert isclose(summed["c"], 0.0)


def test_fusion_is_tuned_on_training_qrels_and_applied_unchanged():
    qrels = {"q": {"c": 1}}
    dense = {"q": {"a": 0.9, "b": 0.8, "c": 0.7}}
    lexical = {"q": {"c": 9.0, "a": 1.0}}
    choice = tune_fusion(qrels, [dense, lexical], split="train")
    assert (choice.tuned_on, choice.train_score) == ("train", 1.0)  # some fusion puts c first
    fused = fuse_runs([dense, lexical], choice)["q"]
    assert next(iter(fused)) == "c"
    assert untuned_fusion().params == {"k": 60}
    assert {c.method for c in candidates()} == {"rrf", "wsum"}
