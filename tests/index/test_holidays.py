"""`index/holidays.py`: a holiday a question names is read with its date, when the texts never name it."""

from __future__ import annotations

from pathlib import Path

from index.holidays import read_holidays, unnamed_holidays
from index.retriever import Index
from tests.conftest import FakeEmbedder


def test_a_holiday_the_texts_never_name_is_read_with_its_date() -> None:
    never = unnamed_holidays(lambda words: False)
    assert (
        read_holidays("is crossways open on boxing day?", never)
        == "is crossways open on boxing day 26 December?"
    )
    assert read_holidays("New Year's Day and christmas eve", never) == (
        "New Year's Day 1 January and christmas eve 24 December"
    )
    # a holiday the texts name is asked as they name it ("the Boxing Day 2015 floods")
    named = unnamed_holidays(lambda words: words == ("boxing", "day"))
    assert read_holidays("what happened on boxing day?", named) == "what happened on boxing day?"
    assert read_holidays("christmas eve", named) == "christmas eve 24 December"


NOTICE = """Crossways Pharmacy

Opening hours: Monday to Saturday, 9am to 6pm. Lunch closure: none - we stay open all day.

Christmas opening:
24 December (Wednesday): 8.30am - 4.00pm
26 December (Friday): CLOSED
"""


def test_a_question_naming_a_holiday_finds_its_date(tmp_path: Path) -> None:
    """Session 25: "is crossways open on boxing day?" was answered "Lunch closure: none - we stay
    open all day", the notice writing only "26 December (Friday): CLOSED"."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "notice.txt").write_text(NOTICE, encoding="utf-8")
    index = Index.build(tmp_path / "corpus", tmp_path / "index", embedder=FakeEmbedder())
    answer = index.ask("is crossways open on boxing day?").answer
    assert answer is not None and "26 December" in answer.text
