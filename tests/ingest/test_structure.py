from __future__ import annotations

from ingest.documents import read_document
from ingest.structure import parse_blocks
from tests.conftest import FIXTURE_CORPUS


def test_title_headings_items_and_lead_ins() -> None:
    doc = read_document(FIXTURE_CORPUS / "harbour-pact.txt")
    blocks = parse_blocks(doc.text)
    kinds = [(b.kind, b.depth, doc.text[b.start : b.end][:20]) for b in blocks]
    assert kinds[0] == ("title", 0, "The Harbour Pact: A ")
    assert ("heading", 0, "Origins of the Pact") in kinds
    assert ("heading", 0, "Criticism") in kinds
    items = [(b.depth, doc.text[b.start : b.end]) for b in blocks if b.kind == "item"]
    assert [d for d, _ in items] == [1, 1, 2, 2, 1]
    assert items[2][1] == "1. Spring phase: small boats practise towing."
    lead_ins = [doc.text[b.start : b.end] for b in blocks if b.lead_in]
    assert lead_ins == ["Key provisions of the pact include:"]


def test_sections_follow_the_last_heading() -> None:
    doc = read_document(FIXTURE_CORPUS / "harbour-pact.txt")
    blocks = parse_blocks(doc.text)
    last = blocks[-1]
    assert last.section == ("The Harbour Pact: A Small Test Treaty", "Criticism")
    assert blocks[0].section == ("The Harbour Pact: A Small Test Treaty",)


def test_a_sentence_is_not_a_heading() -> None:
    blocks = parse_blocks("Title\n\nShort sentence.\n\nA heading\n\nBody text here.\n")
    assert [b.kind for b in blocks] == ["title", "paragraph", "heading", "paragraph"]
