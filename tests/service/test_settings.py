"""Settings read from the environment: the encode thread count follows the cores unless set."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from alliance_qa.errors import InputError
from service import cli
from service.settings import Settings, available_cores, load_settings


def test_threads_default_to_the_cores_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIANCE_QA_THREADS", raising=False)
    assert Settings().threads is None
    assert Settings().encode_threads() == available_cores() == len(os.sched_getaffinity(0))


def test_a_configured_thread_count_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_QA_THREADS", "3")
    assert Settings().encode_threads() == 3


def test_the_default_backend_quantises_questions_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIANCE_QA_BACKEND", raising=False)
    assert Settings().backend == "onnx-int8"


@pytest.mark.parametrize("bad", ["0", "-1", "many"])
def test_a_bad_thread_count_is_refused(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("ALLIANCE_QA_THREADS", bad)
    with pytest.raises(ValueError, match="threads"):
        Settings()


def test_an_empty_variable_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_QA_MIN_CONFIDENCE", "")  # as `export ALLIANCE_QA_MIN_CONFIDENCE=` leaves it
    monkeypatch.setenv("ALLIANCE_QA_PORT", "")
    settings = load_settings()
    assert (settings.min_confidence, settings.port) == (0.5, 8000)


def test_bad_variables_are_named_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_QA_BACKEND", "gpu")
    monkeypatch.setenv("ALLIANCE_QA_PORT", "eighty")
    with pytest.raises(InputError) as caught:
        load_settings()
    message = str(caught.value)
    assert "ALLIANCE_QA_BACKEND='gpu'" in message and "'onnx-int8'" in message
    assert "ALLIANCE_QA_PORT='eighty'" in message
    assert message.endswith("fix or unset the variable")


def test_the_cli_says_which_variable_is_bad_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_QA_THREADS", "0")
    result = CliRunner().invoke(cli.main, ["info"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: bad setting: ALLIANCE_QA_THREADS='0': Input should be greater than or equal to 1; "
        "fix or unset the variable"
    ]


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("http://localhost:3000", ["http://localhost:3000"]),  # the likeliest way to write one
        ("http://a.example, http://b.example", ["http://a.example", "http://b.example"]),
        ('["http://a.example"]', ["http://a.example"]),
        # as a browser's Origin header writes it, which CORS compares exactly: with the slash an
        # address bar shows, or in capitals, the origin was never allowed, and nothing said so
        ("http://localhost:3000/", ["http://localhost:3000"]),
        ("HTTPS://App.Example", ["https://app.example"]),
    ],
)
def test_cors_origins_are_a_comma_separated_or_json_list(
    monkeypatch: pytest.MonkeyPatch, value: str, origins: list[str]
) -> None:
    monkeypatch.setenv("ALLIANCE_QA_CORS_ORIGINS", value)
    assert load_settings().cors_origins == origins


def test_a_broken_json_list_of_origins_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_QA_CORS_ORIGINS", '["http://localhost:3000"')
    result = CliRunner().invoke(cli.main, ["info"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: bad setting: ALLIANCE_QA_CORS_ORIGINS='[\"http://localhost:3000\"': ")
    assert "origins separated by commas" in line


@pytest.mark.parametrize(
    "entry", ["http://a.example/app", "localhost:3000", "a.example", "http://a.example/?x=1"]
)
def test_an_address_that_is_no_origin_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    monkeypatch.setenv("ALLIANCE_QA_CORS_ORIGINS", f"http://b.example,{entry}")
    with pytest.raises(InputError, match="ALLIANCE_QA_CORS_ORIGINS") as refused:
        load_settings()
    assert f"{entry!r} is no origin: write scheme://host[:port] with no path" in str(refused.value)
