from __future__ import annotations

from pathlib import Path

import pytest

from index.number_forms import number_forms, read_numbers
from index.retriever import Index
from tests.conftest import FakeEmbedder

TAX = """# Dividend tax

## Dividend Allowance

| Tax year | Dividend Allowance |
|---|---|
| 2023 to 2024 | £1,000 |
| 2024 to 2025 | £500 |

If your dividends are over £10,000, you must register for Self Assessment.
"""


def test_forms_are_keyed_by_value_the_most_used_first() -> None:
    forms = number_forms(
        ["2023 to 2024, 2023/24 and again 2023/24", "£10,000 or 10000", "1999/00", "2024-2026"]
    )
    assert forms["2023-2024"] == ("2023/24", "2023 to 2024")
    assert forms["10000"] == ("10,000", "10000")
    assert forms["1999-2000"] == ("1999/00",)
    assert "2024-2026" not in forms  # not consecutive: a span, not a tax year


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("dividend allowance 2023/24", "dividend allowance 2023 to 2024"),
        ("dividend allowance 2023-24", "dividend allowance 2023 to 2024"),
        ("allowance 24/25?", "allowance 2024 to 2025?"),
        ("allowance 2024–2025", "allowance 2024 to 2025"),
        ("dividends over 10000?", "dividends over 10,000?"),
        ("dividends over 10,000?", "dividends over 10,000?"),  # written as the texts write it
        ("allowance 2025/26", "allowance 2025/26"),  # a range the texts never write stays
        ("changed on 2025-06-01", "changed on 2025-06-01"),  # a date is no range
        ("version 1.10000", "version 1.10000"),
    ],
)
def test_a_question_writes_numbers_as_the_texts_do(question: str, read: str) -> None:
    assert read_numbers(question, number_forms([TAX])) == read


@pytest.mark.parametrize(
    "question", ["dividend allowance 2023/24", "DIVIDEND ALLOWANCE 24/25", "dividends over 10000?"]
)
def test_a_number_written_another_way_is_not_refused_as_never_mentioned(
    tmp_path: Path, question: str
) -> None:
    """Session 19: "dividend alowance 2023/24" and "CGT annual exempt amount 2024-25" were refused,
    "the texts never mention “2023/24”", over the table answering them."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "tax.md").write_text(TAX, encoding="utf-8")
    index = Index.build(tmp_path / "docs", tmp_path / "index", embedder=FakeEmbedder())
    result = index.ask(question, k=3)
    assert result.refusal is None or "never mention" not in result.refusal
    # a range the texts never write is still refused by name
    assert "never mention “2025/26”" in (index.ask("dividend allowance 2025/26", k=3).refusal or "")


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("Japan's defeat - was that '45?", "Japan's defeat - was that 1945?"),
        ("the ’60 treaty", "the 1960 treaty"),
        ("before '99", "before '99"),  # a year the texts never write stays
        ("the '50 treaty", "the '50 treaty"),  # … and so does one they write in two centuries
        ("music of the '90s", "music of the '90s"),  # a decade
        ("she said '60'", "she said '60'"),  # a quotation
        ("code 45", "code 45"),
    ],
)
def test_a_year_written_short_is_read_as_the_year_the_texts_write(question: str, read: str) -> None:
    """Session 22: "Japan's defeat - was that '45? What year does the treaties essay give?" was
    refused, "the texts never mention “45”", over "Following Japan's defeat in 1945, …"."""
    texts = ["Following Japan’s defeat in 1945, the treaty of 1960 and a plan for 1950 and 2050."]
    assert read_numbers(question, number_forms(texts)) == read


WAR = """# Origins

The alliance stems from the aftermath of World War II. Its post-WWII order still holds.
"""


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("What came after the Second World War?", "What came after the World War II?"),
        ("what came after the second world war", "what came after the World War II"),
        ("the order after WW2", "the order after World War II"),
        ("after World War Two", "after World War II"),
        ("the post-WWII order", "the post-WWII order"),  # as the texts write it
        ("after the First World War", "after the First World War"),  # a war they never name stays
        ("the World War Institute", "the World War Institute"),
    ],
)
def test_a_world_war_is_read_as_the_texts_name_it(question: str, read: str) -> None:
    assert read_numbers(question, number_forms([WAR])) == read


def test_a_world_war_named_otherwise_is_not_refused_as_never_mentioned(tmp_path: Path) -> None:
    """Session 23: "How do the two essays place the origins of Japan's security arrangements
    relative to the Second World War?" was refused, "the texts never mention “Second World War”",
    of essays writing "World War II"; so was blind6's "…was Japan defeated in the Second World War?"."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "war.md").write_text(WAR, encoding="utf-8")
    index = Index.build(tmp_path / "docs", tmp_path / "index", embedder=FakeEmbedder())
    result = index.ask("Where does the alliance stand relative to the Second World War?", k=2)
    assert result.refusal is None or "never mention" not in result.refusal
    refused = index.ask("Where does the alliance stand relative to the First World War?", k=2).refusal
    assert refused is not None and "“First World War”" in refused
