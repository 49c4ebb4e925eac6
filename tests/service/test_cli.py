"""The `alliance-qa` commands as a user types them: ingest, ask, info, add, remove."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from service import cli
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli, "_embedder", lambda model: FakeEmbedder())
    monkeypatch.setenv("ALLIANCE_QA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ALLIANCE_QA_CORPUS_DIR", str(FIXTURE_CORPUS))

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli.main, list(args))
        return result.exit_code, result.output

    return invoke


def test_ask_keeps_the_passage_limit_the_api_keeps(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """`ask -k` was fixed at 1–50 whatever ALLIANCE_QA_MAX_K said, which the HTTP API follows."""
    assert run("ingest")[0] == 0
    code, out = run("ask", "Grey Heron", "-k", "60")
    assert code == 2 and "60 is more than 50 passages" in out and "ALLIANCE_QA_MAX_K" in out
    monkeypatch.setenv("ALLIANCE_QA_MAX_K", "100")
    code, out = run("ask", "Grey Heron", "-k", "60", "--json")
    assert code == 0, out
    monkeypatch.setenv("ALLIANCE_QA_MAX_K", "3")
    code, out = run("ask", "Grey Heron", "-k", "4")
    assert code == 2 and "more than 3 passages" in out
    assert run("ask", "Grey Heron", "-k", "0")[0] == 2


def test_ingest_then_ask_prints_cited_passages(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("ingest")
    assert code == 0 and "indexed 2 documents" in out
    code, out = run("ask", "annual exercise Grey Heron rescue", "-k", "2", "--mode", "dense")
    assert code == 0
    assert "[1] " in out and "·" in out and "Grey Heron" in out
    code, out = run("ask", "Which navies joined the Malabar exercise?")
    assert code == 0
    assert (
        "The corpus does not answer this question: the texts never mention “Malabar”. Closest passages:"
        in out
    )


def test_a_hard_wrapped_answer_prints_on_one_line_and_cites_the_source_exactly(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    corpus = tmp_path / "wrapped"
    corpus.mkdir()
    (corpus / "tea.txt").write_text(
        "Notes on Tea\n\nPreparation\n\nBoiling water makes the tea bitter. Steep the leaves for two\n"
        "to three minutes, then take them out.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ALLIANCE_QA_CORPUS_DIR", str(corpus))
    run("ingest")
    code, out = run("ask", "How long should the leaves steep?", "-k", "1", "--mode", "lexical")
    assert code == 0
    assert "Answer: Steep the leaves for two to three minutes, then take them out.\n" in out
    code, out = run("ask", "How long should the leaves steep?", "-k", "1", "--mode", "lexical", "--json")
    answer = json.loads(out.splitlines()[0])["answer"]
    assert answer["text"] == "Steep the leaves for two\nto three minutes, then take them out."  # the source


def test_the_abstention_threshold_is_a_setting(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from service.app import load_index
    from service.settings import load_settings

    run("ingest")
    question = "annual exercise Grey Heron rescue"
    code, out = run("ask", question, "--json", "--mode", "dense")
    first = json.loads(out.splitlines()[0])
    assert first["answerable"]
    monkeypatch.setenv("ALLIANCE_QA_MIN_CONFIDENCE", "0.999")
    code, out = run("ask", question, "--json", "--mode", "dense")
    refused = json.loads(out.splitlines()[0])
    # refused only by the raised threshold, which the refusal names (b043190), not loose passages
    assert code == 0 and not refused["answerable"]
    assert refused["refusal"] == (
        f"its confidence, {refused['confidence']:.2f}, is under the 0.999 set for an answer "
        "(the calibrated rule answers it)"
    )
    # the service opens its index with the same threshold
    index = load_index(load_settings(), embedder=FakeEmbedder())
    assert index.config.abstention.min_confidence == 0.999
    monkeypatch.setenv("ALLIANCE_QA_MIN_CONFIDENCE", "1.5")
    code, out = run("ask", question)
    assert code == 1 and "ALLIANCE_QA_MIN_CONFIDENCE" in out and "less than 1" in out


def test_ask_json_lines_carry_exact_citations(run) -> None:  # type: ignore[no-untyped-def]
    run("ingest")
    code, out = run("ask", "lighthouse automated", "--json", "-k", "3", "--mode", "dense")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    # session 18's tester: confidence and timings_ms were left out, though the HTTP answer has them
    assert set(lines[0]) == {
        "question",
        "answerable",
        "answer",
        "refusal",
        "confidence",
        "language_note",
        "timings_ms",
    }
    assert (lines[0]["refusal"] is None) is lines[0]["answerable"]
    assert 0 <= lines[0]["confidence"] <= 1 and lines[0]["timings_ms"]["total"] > 0
    texts = {p.stem: p.read_text(encoding="utf-8") for p in FIXTURE_CORPUS.iterdir()}
    for passage in lines[1:]:
        cite = passage["citation"]
        assert texts[cite["doc_id"]][cite["start"] : cite["end"]] == passage["text"]


def test_errors_are_one_line_and_exit_1(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def no_model(model: Path) -> None:
        raise AssertionError("the model is not loaded (nor exported) for an index that is not there")

    with monkeypatch.context() as patched:
        patched.setattr(cli, "_embedder", no_model)
        code, out = run("ask", "anything")
    assert code == 1 and out.startswith("error: no index at") and "alliance-qa ingest" in out
    assert "Traceback" not in out
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    code, out = run("ingest", str(bad))
    assert code == 1 and "latin.txt" in out and "UTF-8" in out


def test_add_and_remove_documents(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest")
    new = tmp_path / "river-accord.txt"
    new.write_text("The River Accord\n\nThe River Accord shares the Tamsin river.\n", encoding="utf-8")
    code, out = run("add", str(new))
    assert code == 0 and "added river-accord" in out
    code, out = run("add", str(new))
    assert code == 1 and "exists" in out and "--replace" in out
    code, out = run("add", "--replace", str(new))
    assert code == 0 and "0 texts embedded" in out
    code, out = run("info")
    assert code == 0 and "river-accord" in out
    code, out = run("remove", "river-accord")
    assert code == 0 and "2 documents left" in out
    code, out = run("remove", "river-accord")
    assert code == 1 and "no document" in out
    code, out = run("remove", "harbour-pact")
    assert code == 0 and "removed harbour-pact: 1 document left" in out  # one document, not "1 documents"


def test_ingest_names_the_documents_it_removes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest")
    for name in ("river-accord", "parking"):
        (tmp_path / f"{name}.txt").write_text(f"{name}\n\nSome text about {name}.\n", encoding="utf-8")
        assert run("add", str(tmp_path / f"{name}.txt"))[0] == 0
    code, out = run("ingest", "--if-stale")
    assert code == 0 and "removed" not in out  # kept
    code, out = run("ingest")
    assert code == 0 and "indexed 2 documents" in out
    assert (
        f"removed parking, river-accord (not in {FIXTURE_CORPUS}; --if-stale keeps documents added with `add`)"
        in out
    )
    code, out = run("ingest")
    assert code == 0 and "removed" not in out  # nothing more to remove


def test_add_to_a_path_with_no_index_fails_leaving_no_folder(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new = tmp_path / "river-accord.txt"
    new.write_text("The River Accord\n\nThe River Accord shares the Tamsin river.\n", encoding="utf-8")
    code, out = run("add", str(new), "--index", str(tmp_path / "newhome"))
    assert code == 1 and out.startswith(f"error: no index at {tmp_path / 'newhome'}")
    assert not (tmp_path / "newhome").exists()  # no folder holding a .lock left behind
    code, out = run("remove", "river-accord", "--index", str(tmp_path / "newhome"))
    assert code == 1 and not (tmp_path / "newhome").exists()


def test_add_and_ingest_say_what_to_do_with_the_wrong_kind_of_path(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # session 16: `ingest notes/faq.md` said "no such folder" of a file that exists, and two files
    # of one id were "added or replaced banana-bread, banana-bread", the second silently kept
    run("ingest")
    (tmp_path / "notes").mkdir()
    for name in ("banana-bread.md", "banana-bread.txt"):
        (tmp_path / "notes" / name).write_text("Banana bread\n\nBake for 60 minutes.\n", encoding="utf-8")
    faq = tmp_path / "notes" / "banana-bread.md"
    code, out = run("ingest", str(faq), "--index", str(tmp_path / "mine"))
    assert code == 1 and "is a file" in out and f"alliance-qa add {faq}" in out
    code, out = run("add", str(faq), str(tmp_path / "notes" / "banana-bread.txt"))
    assert code == 1 and "both give the id 'banana-bread'" in out
    code, out = run("info")
    assert "banana-bread" not in out  # nothing was added
    (tmp_path / "hostname").write_text("box\n", encoding="utf-8")
    code, out = run("add", str(tmp_path / "hostname"))
    assert code == 1 and "convert it to .txt or .md" in out and "corpus folder" not in out


def test_ingest_skips_files_of_other_types_naming_them(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "harbour-pact.txt~").write_text("an editor's backup\n", encoding="utf-8")
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    code, out = run("ingest", str(corpus))
    assert code == 0 and "indexed 2 documents" in out
    assert (
        f"warning: files of {corpus} of other types are not read: harbour-pact.txt~, notes.pdf; "
        "only .txt and .md files are read" in out
    )
    (corpus / "notes.pdf").rename(tmp_path / "notes.pdf")
    code, out = run("add", str(tmp_path / "notes.pdf"))  # named on its own: refused
    assert code == 1 and "unsupported file type '.pdf'" in out


def test_ingest_warns_of_subfolders_it_does_not_read(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "more").mkdir()
    (corpus / "more" / "extra.txt").write_text("Extra\n\nMore text.\n", encoding="utf-8")
    code, out = run("ingest", str(corpus))
    assert code == 0 and "indexed 2 documents" in out
    assert f"warning: subfolders of {corpus} are not read: more/ (1 file)" in out
    assert "README.md" not in out


def test_ingest_says_the_readme_is_not_read(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "README.md").write_text("Project notes\n\nThe ferry leaves at nine.\n", encoding="utf-8")
    code, out = run("ingest", str(corpus))
    assert code == 0 and "indexed 2 documents" in out
    assert f"warning: {corpus / 'README.md'} is not read: a folder's README.md is taken as notes" in out
    assert "rename it" in out


def test_ingest_resync_keeps_unchanged_vectors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    code, out = run("ingest", str(corpus))
    assert code == 0 and "reused" not in out  # a first build reuses nothing
    (corpus / "harbour-pact.txt").write_text(
        "The Harbour Pact\n\nIt was replaced in 2030.\n", encoding="utf-8"
    )
    code, out = run("ingest", str(corpus))
    assert code == 0 and "embedded, the rest reused" in out
    embedded = int(re.search(r"\((\d+) texts? embedded", out).group(1))  # type: ignore[union-attr]
    assert 0 < embedded <= 4  # the changed document's chunk and sentences, nothing else


def test_ingest_reports_progress_when_stderr_is_no_terminal(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long ingest in a log (CI, `docker logs`) says how far it is, not only on a terminal."""
    asked: list[bool] = []

    class Watched(FakeEmbedder):
        def encode(self, texts, *, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
            asked.append(progress)
            return super().encode(texts, batch_size=batch_size)

    monkeypatch.setattr(cli, "_embedder", lambda model: Watched())
    code, _ = run("ingest")  # CliRunner's stderr is no terminal
    assert code == 0 and asked and all(asked)


def test_ingest_names_its_folder_index_as_the_other_commands_do(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mine, old = tmp_path / "mine", tmp_path / "old"
    code, out = run("ingest", str(FIXTURE_CORPUS), "--index", str(mine))
    assert code == 0 and str(mine) in out
    code, out = run("ask", "Grey Heron", "--index", str(mine))
    assert code == 0 and "Grey Heron" in out
    code, _ = run("ingest", str(FIXTURE_CORPUS), "--out", str(old))  # its first name still works
    assert code == 0 and (old / "current").is_symlink()


def test_serve_notes_a_changed_corpus_but_not_for_an_index_of_another_folder(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served = _serve_without_serving(monkeypatch)
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    monkeypatch.setenv("ALLIANCE_QA_CORPUS_DIR", str(corpus))
    assert run("ingest")[0] == 0
    (corpus / "river-accord.txt").write_text("The River Accord\n\nIt shares the river.\n", encoding="utf-8")
    code, out = run("serve")
    assert code == 0 and served
    assert "differs from the index (added: river-accord)" in out and "ingest --if-stale" in out
    # an index built from another folder: corpus/'s files are no news about it
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.md").write_text("# Notes\n\nThe harbour froze in 1888.\n", encoding="utf-8")
    assert run("ingest", str(mine), "--index", str(tmp_path / "var-mine"))[0] == 0
    code, out = run("serve", "--index", str(tmp_path / "var-mine"))
    assert code == 0 and len(served) == 2
    assert "differs" not in out


def test_ingest_if_stale_names_repair_for_an_older_index_of_another_folder(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Operator report (session 20): `make run` on a team index built before `cjk` said only that
    it was left as it is, and how to merge corpus/ into it; the upgrade it needed went unsaid."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.md").write_text("# Notes\n\nThe harbour froze in 1888.\n", encoding="utf-8")
    home = tmp_path / "var-mine"
    assert run("ingest", str(mine), "--index", str(home))[0] == 0
    monkeypatch.setenv("ALLIANCE_QA_INDEX_DIR", str(home))
    assert "older alliance-qa" not in run("ingest", "--if-stale")[1]
    manifest = (home / "current").resolve() / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["lexical"]["cjk"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    code, out = run("ingest", "--if-stale")
    assert code == 0 and "left as it is" in out
    assert (
        f"; it was built by an older alliance-qa (lexical cjk None → True): `alliance-qa repair --index {home}` "
        "brings it up to date, keeping its documents"
    ) in out.replace("\n", "")


def test_a_first_ingest_if_stale_says_it_builds(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("ingest", "--if-stale")  # what `make run` does on a fresh clone
    assert code == 0 and "there is no index there yet" in out and "build one with" not in out
    code, out = run("ingest", "--if-stale")  # (the fake model's name makes it "updating" here)
    assert code == 0 and "there is no index there yet" not in out


def test_ingest_if_stale_leaves_an_index_of_another_folder_alone(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.md").write_text("# Notes\n\nThe harbour froze in 1888.\n", encoding="utf-8")
    assert run("ingest", str(mine), "--index", str(tmp_path / "var-mine"))[0] == 0
    # `ALLIANCE_QA_INDEX_DIR=var-mine make run`: its first step must not merge corpus/ into it
    monkeypatch.setenv("ALLIANCE_QA_INDEX_DIR", str(tmp_path / "var-mine"))
    code, out = run("ingest", "--if-stale")
    assert code == 0
    assert "holds no document of" in out and "left as it is" in out and "added" not in out
    assert [d["doc_id"] for d in json.loads(run("info")[1])["documents"]] == ["notes"]
    # naming the folder is asking for it: its files come in, the index's own are kept
    code, out = run("ingest", str(FIXTURE_CORPUS), "--if-stale")
    assert code == 0 and "updating" in out
    assert {d["doc_id"] for d in json.loads(run("info")[1])["documents"]} > {"notes"}


def test_ingest_keeps_the_index_type_unless_one_is_given(run) -> None:  # type: ignore[no-untyped-def]
    def built_type() -> str:
        return str(json.loads(run("info")[1])["index_type"])

    assert run("ingest", "--index-type", "hnsw")[0] == 0 and built_type() == "hnsw"
    code, out = run("ingest", "--if-stale")  # what every `make run` does: it turned hnsw into flat
    assert code == 0 and "index type" not in out and built_type() == "hnsw"
    assert run("ingest")[0] == 0 and built_type() == "hnsw"
    code, out = run("ingest", "--if-stale", "--index-type", "flat")
    assert code == 0 and "index type hnsw → flat" in out and built_type() == "flat"


def test_ingest_and_add_name_the_files_with_nothing_to_index(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "folder"
    shutil.copytree(FIXTURE_CORPUS, folder)
    (folder / "divider.md").write_text("---\n", encoding="utf-8")
    code, out = run("ingest", str(folder))
    assert code == 1
    assert out.startswith(f"error: {folder / 'divider.md'}: nothing to index (only punctuation")
    assert run("ingest")[0] == 0
    ships = tmp_path / "ships.txt"
    ships.write_text("🚢🚢🚢\n", encoding="utf-8")
    code, out = run("add", str(ships))
    assert code == 1 and out.startswith(f"error: {ships}: nothing to index")
    assert "ships" not in run("info")[1]


def test_ingest_names_every_bad_file_and_the_hidden_ones_it_skips(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "my"
    shutil.copytree(FIXTURE_CORPUS, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (folder / "rule.md").write_text("---\n", encoding="utf-8")  # named in the same run (session 18)
    code, out = run("ingest", str(folder))
    assert code == 1 and "empty.txt: the document is empty" in out and "latin1.txt: not UTF-8" in out
    assert f"{folder / 'rule.md'}: nothing to index" in out
    assert "no index" in run("info")[1]  # nothing written
    (folder / "rule.md").unlink()
    (folder / "empty.txt").unlink()
    (folder / "latin1.txt").unlink()
    (folder / ".draft.md").write_text("Draft\n\nNot yet.\n", encoding="utf-8")
    (folder / ".gitkeep").write_bytes(b"")
    code, out = run("ingest", str(folder))
    assert code == 0
    assert f"warning: hidden files of {folder} are not read: .draft.md; rename one" in out
    assert ".gitkeep" not in out


REPOSITORY = Path(__file__).parents[2]


def test_the_default_folders_are_the_checkouts_wherever_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `.venv/bin/alliance-qa ask` run outside the checkout looked for ./var/index (none: `make run`
    # built <checkout>/var/index) and exported the model to ONNX again into ./var/cache/onnx
    from index import embedder
    from service import settings

    checkout = tmp_path / "checkout"
    shutil.copytree(FIXTURE_CORPUS, checkout / "corpus")
    (checkout / "pyproject.toml").write_text('[project]\nname = "alliance-qa"\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setattr(settings, "project_root", lambda: checkout)
    for name in ("INDEX_DIR", "CORPUS_DIR", "CACHE_DIR", "MODEL_PATH"):
        monkeypatch.delenv(f"ALLIANCE_QA_{name}", raising=False)
    caches: list[Path] = []

    def fake_load(backend: str, model: Path | None, *, cache_dir: Path, threads: int) -> FakeEmbedder:
        caches.append(cache_dir)
        return FakeEmbedder()

    monkeypatch.setattr(embedder, "load_embedder", fake_load)

    def run_in(folder: Path, *args: str) -> tuple[int, str]:
        monkeypatch.chdir(folder)
        result = CliRunner().invoke(cli.main, list(args))
        return result.exit_code, result.output

    code, out = run_in(checkout, "ingest", "--if-stale")  # as `make run` does, from the checkout
    assert code == 0 and "building var/index from corpus" in out  # named as before, from there
    code, out = run_in(elsewhere, "ask", "annual exercise Grey Heron rescue", "--json")
    assert code == 0, out
    assert json.loads(out.splitlines()[1])["citation"]["doc_id"] in {"harbour-pact", "lighthouse-notes"}
    code, out = run_in(elsewhere, "info")
    assert code == 0 and json.loads(out)["folder"].startswith(str(checkout / "var" / "index"))
    # the model's ONNX export is the checkout's, made once, whichever folder asked
    assert caches == [Path("var/cache/onnx"), checkout / "var" / "cache" / "onnx"]
    assert not (elsewhere / "var").exists()
    # a path the user gives is read from the folder they are in, as a shell path is
    monkeypatch.setenv("ALLIANCE_QA_INDEX_DIR", "var/mine")
    code, out = run_in(elsewhere, "ask", "anything")
    assert code == 1 and "error: no index at var/mine" in out


def test_the_installed_command_finds_the_checkouts_index_from_another_folder(tmp_path: Path) -> None:
    # the real look-up of the checkout, as `.venv/bin/alliance-qa info` does it from a folder of
    # one's own: whether this checkout has built its index yet or not, that is where it looks
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_QA_")}
    environment["PYTHONPATH"] = str(REPOSITORY)
    done = subprocess.run(
        [sys.executable, "-c", "from service.cli import main; main()", "info"],  # the console script
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    index = str(REPOSITORY / "var" / "index")
    if done.returncode == 0:
        assert json.loads(done.stdout)["folder"].startswith(index)
    else:
        assert done.stderr.startswith(f"error: no index at {index}"), done.stderr
    assert list(tmp_path.iterdir()) == []  # no ./var made here


def test_python_dash_m_runs_the_command(tmp_path: Path) -> None:
    # `python -m service.cli --help` printed nothing and exited 0: the module never called main()
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "--help"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: ") and "ingest" in done.stdout and "serve" in done.stdout


def _set_format(index_dir: Path, version: int) -> None:
    """What a `git pull` that bumps `FORMAT_VERSION` does to an index built before it."""
    manifest = (index_dir / "current").resolve() / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["format_version"] = version
    manifest.write_text(json.dumps(data), encoding="utf-8")


def _serve_without_serving(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`serve` up to the point where uvicorn would start; the apps it would have run."""
    import uvicorn

    import service.listen

    served: list[str] = []
    monkeypatch.setenv("ALLIANCE_QA_MALLOC_ARENAS", "0")  # no mallopt in the test process
    for name in ("ALLIANCE_QA_THREADS", "ALLIANCE_QA_MODEL_PATH", "ALLIANCE_QA_WORKERS", "MALLOC_ARENA_MAX"):
        monkeypatch.setenv(name, "")  # what serve hands its workers is put back after the test
        monkeypatch.delenv(name)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(app))
    monkeypatch.setattr(service.listen, "check_free", lambda host, port: None)
    return served


def test_make_run_after_a_format_change_keeps_the_documents_added_by_api(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Operator report H2: `ingest --if-stale` and serve's build dropped 35 team documents."""
    index_dir = tmp_path / "index"
    run("ingest")
    (tmp_path / "river-accord.txt").write_text("River Accord\n\nIt shares the river.\n", encoding="utf-8")
    assert run("add", str(tmp_path / "river-accord.txt"))[0] == 0
    _set_format(index_dir, 1)
    code, out = run("ingest", "--if-stale")
    assert code == 0 and "index format 1" in out and "indexed 3 documents" in out
    assert "river-accord" in run("info")[1]
    _set_format(index_dir, 1)
    served = _serve_without_serving(monkeypatch)
    code, out = run("serve")
    assert code == 0 and served and "rebuilding" in out and "from its own documents" in out
    assert "river-accord" in run("info")[1]
    # a mirror is asked for, and says what it removed, though the index could not be opened
    _set_format(index_dir, 1)
    code, out = run("ingest")
    assert code == 0 and "removed river-accord (not in" in out and "indexed 2 documents" in out


def _team_index(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The configured index with a document added by `add` (versions: the essays, then the team's)."""
    assert run("ingest")[0] == 0
    (tmp_path / "river-accord.txt").write_text("River Accord\n\nIt shares the river.\n", encoding="utf-8")
    assert run("add", str(tmp_path / "river-accord.txt"))[0] == 0
    return tmp_path / "index"


def _versions(index_dir: Path) -> list[str]:
    return sorted(p.name for p in (index_dir / "versions").iterdir())


def test_a_copy_without_its_current_link_is_refused_then_repaired(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Operator report H3 (b): `make run` built the essays over a copy that lost its link."""
    index_dir = _team_index(run, tmp_path)
    versions = _versions(index_dir)
    (index_dir / "current").unlink()
    repair = f"`alliance-qa repair --index {index_dir}`"
    code, out = run("ingest", "--if-stale")
    assert code == 1 and "has no `current` link" in out and repair in out
    served = _serve_without_serving(monkeypatch)
    code, out = run("serve")
    assert code == 1 and not served and repair in out and "building" not in out.replace("built", "")
    assert (
        _versions(index_dir) == versions and not (index_dir / "current").exists()
    )  # nothing built or pruned
    code, out = run("repair")
    assert code == 0 and f"`current` was missing: it now names versions/{versions[-1]}" in out
    assert "3 documents" in out and "river-accord" in run("info")[1]
    assert _versions(index_dir) == versions
    code, out = run("repair")
    assert code == 0 and "nothing to repair" in out


def test_an_unreadable_live_version_is_refused_and_an_older_one_served_on_request(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Operator report H3 (a): serve built the essays over a live version it could not read, and
    pruned the version before it."""
    index_dir = _team_index(run, tmp_path)
    versions = _versions(index_dir)
    live = (index_dir / "current").resolve()
    for name in ("manifest.json", "documents.jsonl"):  # as root, chmod 000 would not stop this test
        (live / name).write_bytes(b"\xff\xfe not readable")
    served = _serve_without_serving(monkeypatch)
    for command in (("serve",), ("ingest", "--if-stale"), ("ingest",), ("repair",)):
        code, out = run(*command)
        assert code == 1 and not served, command
        assert f"documents of its version {live} cannot be read" in out and "nothing is built" in out
        assert f"`alliance-qa repair --index {index_dir} --version {versions[0]}`" in out
    assert _versions(index_dir) == versions  # the team's version before is not pruned
    code, out = run("repair", "--version", versions[0])
    assert code == 0 and f"`current` now names versions/{versions[0]} (2 documents)" in out
    assert _versions(index_dir) == versions  # the damaged version stays, for whoever can still read it
    code, out = run("repair", "--version", "nope")
    assert code == 1 and "no version 'nope'" in out and versions[0] in out


def test_the_advice_for_a_damaged_index_keeps_its_documents(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Operator report M4: the advice, "rebuild with `alliance-qa ingest`", dropped every document
    added over HTTP, and `ingest --if-stale` called an index it could not open up to date."""
    import index.freshness

    # the fake model's name is the configured one's: an index that opens is up to date
    monkeypatch.setattr(index.freshness, "model_name", lambda path: FakeEmbedder.name)
    index_dir = _team_index(run, tmp_path)
    assert "up to date" in run("ingest", "--if-stale")[1]
    live = (index_dir / "current").resolve()
    with (live / "dense.faiss").open("r+b") as dense:
        dense.truncate(100)
    code, out = run("ask", "river")
    assert code == 1 and "dense.faiss" in out and "alliance-qa ingest" not in out
    assert f"`alliance-qa repair --index {index_dir}` rebuilds it from its own documents" in out
    code, out = run("ingest", "--if-stale")
    assert code == 0 and "up to date" not in out and "dense.faiss" in out and "indexed 3 documents" in out
    assert run("ask", "river")[0] == 0 and "river-accord" in run("info")[1]
    # the repair itself, on the same damage to a version whose predecessor opens
    (tmp_path / "parking.txt").write_text("Parking\n\nPark behind the hall.\n", encoding="utf-8")
    assert run("add", str(tmp_path / "parking.txt"))[0] == 0
    with ((index_dir / "current").resolve() / "dense.faiss").open("r+b") as dense:
        dense.truncate(100)
    code, out = run("repair")
    assert code == 0 and "could not be opened" in out and "rebuilt from its 4 documents" in out
    # the vectors came from the version before, which opens: only parking's texts were embedded
    # (a rebuild from nothing embeds some 50)
    embedded = re.search(r"rebuilt from its 4 documents, (\d+) texts embedded", out)
    assert embedded is not None and 0 < int(embedded[1]) < 10
    assert run("ask", "river")[0] == 0
    # an index of another format, as `info` reads it
    _set_format(index_dir, 1)
    code, out = run("info")
    assert code == 1 and "index format 1" in out and "alliance-qa ingest" not in out
    assert f"`alliance-qa repair --index {index_dir}`" in out


def test_add_to_a_read_only_index_is_one_line_naming_the_folder(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Operator report M3: `add` printed a Python traceback."""
    import errno
    import os

    run("ingest")
    home = tmp_path / "index"
    (tmp_path / "river-accord.txt").write_text("River Accord\n\nIt shares the river.\n", encoding="utf-8")
    real_mkdir = os.mkdir

    def denied(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).startswith(str(home)):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", denied)
    code, out = run("add", str(tmp_path / "river-accord.txt"))
    assert code == 1 and out.count("\n") == 1 and "Traceback" not in out
    assert out.startswith(
        f"error: the index at {home} cannot be written (Permission denied: {home / 'versions'})"
    )


def test_serve_notes_an_index_built_before_a_lexical_setting_and_repair_rebuilds_it(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Operator report (session 20): after the upgrade, a team index built before `cjk` was served
    without it, Japanese text matched by no word, and nothing said so; `repair` found nothing."""
    served = _serve_without_serving(monkeypatch)
    index_dir = _team_index(run, tmp_path)
    manifest = (index_dir / "current").resolve() / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["lexical"]["cjk"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    code, out = run("serve")
    assert code == 0 and served
    assert [line for line in out.splitlines() if "lexical setting" in line] == [
        f"note: {index_dir} was built before the lexical setting cjk (Japanese, Chinese and Korean text is "
        f"not matched by its words): `alliance-qa repair --index {index_dir}` rebuilds it from its own "
        "documents, keeping every one (so does its next write)"
    ]
    code, out = run("repair")
    assert (
        code == 0
        and "built by an older alliance-qa (lexical cjk None → True): rebuilt from its 3 documents" in out
    )
    assert json.loads(run("info")[1])["lexical"]["cjk"] is True and "river-accord" in run("info")[1]
    code, out = run("serve")
    assert code == 0 and "lexical setting" not in out


def test_serve_notes_an_index_cut_by_an_older_chunker(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Operator report L4: serve said nothing of an index from an older layout; only make run's
    `ingest --if-stale` noticed."""
    from ingest.chunking import LAYOUT

    served = _serve_without_serving(monkeypatch)
    run("ingest")
    manifest = (tmp_path / "index" / "current").resolve() / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["chunker"]["layout"] = LAYOUT - 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    code, out = run("serve")
    assert code == 0 and served
    notes = [line for line in out.splitlines() if "older chunker" in line]
    assert notes == [
        f"note: {tmp_path / 'index'} was cut into passages by an older chunker (layout {LAYOUT - 1} → "
        f"{LAYOUT}): `alliance-qa ingest --if-stale` updates it, keeping its documents and re-embedding "
        "only text that changed"
    ]
    data["chunker"]["layout"] = LAYOUT
    manifest.write_text(json.dumps(data), encoding="utf-8")
    code, out = run("serve")
    assert code == 0 and "older chunker" not in out


def test_ask_notes_an_answer_found_in_another_language(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "manuals"
    folder.mkdir()
    (folder / "kaffee.md").write_text(
        "Kaffeevollautomat – Kurzanleitung\n\nEin Entkalkungsvorgang dauert etwa 25 Minuten und darf "
        "nicht unterbrochen werden. Die Garantie beträgt 24 Monate ab Kaufdatum.\n",
        encoding="utf-8",
    )
    assert run("ingest", str(folder))[0] == 0

    code, out = run("ask", "What takes 25 Minuten?", "-k", "1")

    assert code == 0 and out.startswith("Answer: Ein Entkalkungsvorgang dauert etwa 25 Minuten")
    assert "Note: The question is in English and the passages found are in German (kaffee); " in out
    assert "so asking in German may find a better answer.\n" in out
