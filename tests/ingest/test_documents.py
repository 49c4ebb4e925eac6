from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from alliance_qa.errors import CorpusError, InputError
from ingest.documents import (
    file_doc_id,
    make_document,
    read_corpus,
    read_document,
    unread_files,
    unread_folders,
)
from tests.conftest import FIXTURE_CORPUS, REAL_CORPUS


def test_reads_txt_and_md_with_ids_from_file_names() -> None:
    docs = read_corpus(FIXTURE_CORPUS)
    assert [d.doc_id for d in docs] == ["harbour-pact", "lighthouse-notes"]
    assert docs[0].title == "The Harbour Pact: A Small Test Treaty"
    assert docs[1].title == "Lighthouse Keepers’ Notes"


def test_paths_given_as_str_are_read_as_paths_and_other_types_refused() -> None:
    # `Index.open`, `Index.build` and `apply_changes` took a str; these met `.is_file()` on it
    assert read_corpus(str(FIXTURE_CORPUS)) == read_corpus(FIXTURE_CORPUS)
    assert read_document(str(FIXTURE_CORPUS / "harbour-pact.txt")).doc_id == "harbour-pact"
    with pytest.raises(
        InputError, match=r"corpus_dir must be a path \(str or pathlib.Path\), got 42 \(int\)"
    ):
        read_corpus(42)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="path must be a path"):
        read_document(None)  # type: ignore[arg-type]


def test_documents_come_sorted_by_id_not_by_file_name(tmp_path: Path) -> None:
    for name in ("zebra.md", "日本の城.md", "Alpha notes.txt", "beta.md"):
        (tmp_path / name).write_text(f"{name}\n\nA few words about {name}.\n", encoding="utf-8")
    ids = [d.doc_id for d in read_corpus(tmp_path)]
    assert ids == sorted(ids)
    assert ids[0] == "Alpha-notes" and ids[-1] == "zebra" and ids[2].startswith("doc-")


def test_text_is_the_file_exactly() -> None:
    for doc in read_corpus(REAL_CORPUS):
        raw = (REAL_CORPUS / f"{doc.doc_id}.txt").read_bytes()
        assert doc.text.encode("utf-8") == raw
        assert doc.size == len(raw)


def test_bundled_corpus_matches_the_published_hashes() -> None:
    hashes = {d.doc_id: d.sha256 for d in read_corpus(REAL_CORPUS)}
    assert hashes == {
        "000_d43ee2033eb33d7f": "13aefa11c5fa9f3e00e9baddf51a0a226170e8c294225eb88d26aaa5fbb7a83f",
        "002_d91d6e0fb2e37740": "3262af0ce63cb31639ecc57d03a640422a229dabfa45d3a99445025a5c8ade30",
    }


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "not UTF-8"),
        ("empty.txt", b"  \n\n", "empty"),
    ],
)
def test_bad_files_are_refused_naming_the_file(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tmp_path / "good.txt").write_text("Title\n\nSome text.\n", encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    with pytest.raises(CorpusError, match=message) as info:
        read_corpus(tmp_path)
    assert name in str(info.value)


def test_files_of_other_types_are_skipped_and_named(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_text("FAQ\n\nQ: Why?\nA: Because.\n", encoding="utf-8")
    for name in ("faq.md~", "notes.pdf", "table.csv", "notes.markdown"):
        (tmp_path / name).write_bytes(b"%PDF-1.4 or an editor's backup")
    assert [d.doc_id for d in read_corpus(tmp_path)] == ["faq"]
    assert [p.name for p in unread_files(tmp_path)] == ["faq.md~", "notes.markdown", "notes.pdf", "table.csv"]
    (tmp_path / "faq.md").unlink()  # with no document left, the error names what was skipped
    with pytest.raises(CorpusError) as caught:
        read_corpus(tmp_path)
    assert "holds no documents" in str(caught.value)
    assert "files of other types are not read: faq.md~, notes.markdown, notes.pdf, table.csv" in str(
        caught.value
    )
    with pytest.raises(CorpusError, match=r"unsupported file type '\.pdf'"):
        read_document(tmp_path / "notes.pdf")  # a file named on its own is still refused


def test_missing_and_empty_folders_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such folder"):
        read_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match=r"add \.txt or \.md files"):
        read_corpus(tmp_path)


def test_subfolders_are_not_read_and_an_empty_top_says_where_the_files_are(tmp_path: Path) -> None:
    (tmp_path / "chapters" / "deep").mkdir(parents=True)
    (tmp_path / "chapters" / "one.md").write_text("One\n\nText.\n", encoding="utf-8")
    (tmp_path / "chapters" / "deep" / "two.txt").write_text("Two\n\nText.\n", encoding="utf-8")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "map.png").write_bytes(b"\x89PNG")
    assert unread_folders(tmp_path) == {tmp_path / "chapters": 2}  # images/ holds no document
    with pytest.raises(CorpusError) as caught:
        read_corpus(tmp_path)
    assert "subfolders are not read: chapters/ (2 files); pass one of them, or move its files up" in str(
        caught.value
    )


def test_readme_is_not_a_document(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# About this folder\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("A\n\nText.\n", encoding="utf-8")
    assert [d.doc_id for d in read_corpus(tmp_path)] == ["a"]
    (tmp_path / "a.txt").unlink()
    with pytest.raises(CorpusError, match=r"holds no documents.*README.md is taken as notes.*rename it"):
        read_corpus(tmp_path)  # a folder of a README alone says why it is empty


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        ("harbour-pact.txt", "harbour-pact"),  # a valid id is kept as it is
        ("-odd_name.v2..md", "-odd_name.v2."),
        ("My Notes (draft) é.txt", "My-Notes-draft-e"),
        ("Japan–US alliance: 2024 review.md", "Japan-US-alliance-2024-review"),
        ("naïve café.txt", "naive-cafe"),
        ("  spaced  .txt", "spaced"),
        (f"{'long name ' * 20}.txt", ("long-name-" * 13)[:128].strip("-")),
    ],
)
def test_file_names_give_valid_ids(name: str, doc_id: str) -> None:
    assert file_doc_id(name) == doc_id
    assert make_document(file_doc_id(name), b"Title\n\nText.").doc_id == doc_id


def test_a_name_with_no_letter_an_id_can_hold_gets_a_stable_hashed_id() -> None:
    first = file_doc_id("日米同盟.md")
    assert first.startswith("doc-") and len(first) == len("doc-") + 12
    assert file_doc_id("日米同盟.txt") == first  # the suffix is not part of it
    assert file_doc_id("日米安保.md") != first
    assert file_doc_id("(((.txt").startswith("doc-")


def test_a_folder_of_everyday_file_names_is_read(tmp_path: Path) -> None:
    (tmp_path / "Meeting notes (March).txt").write_text("Meeting\n\nWe met.\n", encoding="utf-8")
    (tmp_path / "日米同盟.md").write_text("Alliance\n\nA pact.\n", encoding="utf-8")
    docs = read_corpus(tmp_path)
    assert sorted(d.title for d in docs) == ["Alliance", "Meeting"]
    assert "Meeting-notes-March" in {d.doc_id for d in docs}


def test_two_names_giving_one_id_are_refused_naming_both(tmp_path: Path) -> None:
    (tmp_path / "my notes.txt").write_text("A\n\nOne.\n", encoding="utf-8")
    (tmp_path / "my-notes.md").write_text("B\n\nTwo.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="both give document id 'my-notes'; rename one") as info:
        read_corpus(tmp_path)
    assert "my notes.txt" in str(info.value) and "my-notes.md" in str(info.value)


@pytest.mark.parametrize("doc_id", ["../etc/passwd", "a/b", "", ".", "x" * 129, "naïve"])
def test_unsafe_document_ids_are_refused(doc_id: str) -> None:
    with pytest.raises(InputError, match="not allowed"):
        make_document(doc_id, b"Title\n\nText.")


@pytest.mark.parametrize(
    ("doc_id", "nearest"),
    [
        ("café", "'cafe' would do"),
        ("my notes", "'my-notes' would do"),
        ("a/b", "'a-b' would do"),
        ("日本", ""),
    ],
)
def test_a_refused_id_names_the_letters_allowed_and_the_nearest_id(doc_id: str, nearest: str) -> None:
    # "use 1-128 letters" refused "café" and "日本", which are letters, without saying which ones
    with pytest.raises(InputError, match=r"letters \(A-Z, a-z, no accents\)") as info:
        make_document(doc_id, b"Title\n\nText.")
    assert nearest in str(info.value)
    assert nearest or "would do" not in str(info.value)


@pytest.mark.parametrize(
    ("doc_id", "data", "message"),
    [
        ("s", "a str", "s: the document's data must be bytes, got str; encode text first"),
        ("s", None, "s: the document's data must be bytes, got NoneType"),
        (None, b"Title\n\nText.\n", "a document id must be a str, got None (NoneType)"),
        (7, b"Title\n\nText.\n", "a document id must be a str, got 7 (int)"),
    ],
)
def test_make_document_refuses_wrong_types_saying_what_to_pass(
    doc_id: object, data: object, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        make_document(doc_id, data)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_a_file_saved_with_a_byte_order_mark_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes(b"\xef\xbb\xbfPort visits\r\n\r\nThe destroyer called at Yokosuka.\r\n")
    doc = read_document(path)
    assert doc.text == "\ufeffPort visits\r\n\r\nThe destroyer called at Yokosuka.\r\n"  # the file, exactly
    assert doc.title == "Port visits"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(CorpusError, match="empty"):
        make_document("marked", b"\xef\xbb\xbf \r\n")  # the mark alone is no text


def test_read_document_keeps_crlf_offsets(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Title\r\n\r\nFirst line.\r\n")
    doc = read_document(path)
    assert doc.text == "Title\r\n\r\nFirst line.\r\n"


def test_a_file_with_nothing_to_index_is_named_with_an_empty_one(tmp_path: Path) -> None:
    """Session 18's tester: a folder holding empty.md (0 bytes) and rule.md (only `---`) named
    only empty.md; once it was removed, the next run named rule.md (nothing to index)."""
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "good.md").write_text("Good\n\nFine text.\n", encoding="utf-8")
    (tmp_path / "rule.md").write_text("---\n", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        read_corpus(tmp_path)
    assert str(caught.value).splitlines() == [
        f"2 files of {tmp_path} are refused, so nothing was indexed:",
        f"  {tmp_path / 'empty.md'}: the document is empty; give it some text, or leave it out",
        f"  {tmp_path / 'rule.md'}: nothing to index (only punctuation, symbols, emoji or markup, no word a "
        "question could find); give it some text, or leave it out",
    ]
    (tmp_path / "empty.md").unlink()  # alone, it is left to the index, which may hold it already
    assert [d.doc_id for d in read_corpus(tmp_path)] == ["good", "rule"]


def test_every_bad_file_of_a_folder_is_named_at_once(tmp_path: Path) -> None:
    # a folder with empty.txt and a Latin-1 latin1.txt named only empty.txt; the next run latin1.txt
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "good.txt").write_text("Good\n\nFine text.\n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(CorpusError) as caught:
        read_corpus(tmp_path)
    assert str(caught.value).splitlines() == [
        f"2 files of {tmp_path} are refused, so nothing was indexed:",
        f"  {tmp_path / 'empty.txt'}: the document is empty; give it some text, or leave it out",
        f"  {tmp_path / 'latin1.txt'}: not UTF-8 text (byte 3 is invalid); re-save the file as UTF-8 and ingest again",
    ]
