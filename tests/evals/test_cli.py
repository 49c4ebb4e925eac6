"""`alliance-qa eval` and `eval-compare` end to end on the fixture corpus and the tiny BEIR set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from evals.report import markdown as markdown_of
from ingest.documents import read_corpus
from service import cli, settings
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder
from tests.evals.test_runner import write_questions

BEIR = Path(__file__).parents[1] / "fixtures" / "beir"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def fake_model(monkeypatch):
    monkeypatch.setattr(cli, "_embedder", lambda model: FakeEmbedder())
    monkeypatch.setenv("ALLIANCE_QA_CORPUS_DIR", str(FIXTURE_CORPUS))


@pytest.fixture
def built(tmp_path) -> Path:
    """An index of the fixture corpus, as `alliance-qa ingest` builds one before an eval of one's own."""
    result = CliRunner().invoke(cli.main, ["ingest", str(FIXTURE_CORPUS), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    return tmp_path / "index"


def _files_of(folder: Path) -> dict[str, object]:
    assert (folder / "chart.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "## Modes side by side" in (folder / "report.md").read_text()
    return json.loads((folder / "report.json").read_text())


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """tmp_path as the checkout the command runs from: its evals/questions/ and var/index are the defaults."""
    monkeypatch.setattr(settings, "project_root", lambda: tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_bundled_question_set_builds_the_missing_default_index(tmp_path, checkout, monkeypatch):
    monkeypatch.delenv("ALLIANCE_QA_INDEX_DIR", raising=False)
    (tmp_path / "evals" / "questions").mkdir(parents=True)
    questions = write_questions(tmp_path / "evals" / "questions" / "q.jsonl")
    args = ["eval", "--questions", "evals/questions/q.jsonl", "--modes", "dense", "--out", "out"]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    assert f"no index at var/index: building it from {FIXTURE_CORPUS}" in result.output
    assert (tmp_path / "var" / "index" / "current").is_symlink()
    assert _files_of(tmp_path / "out")["setup"]["questions"] == 3
    assert questions.is_file()


@pytest.mark.parametrize("bundled", [True, False])
def test_a_missing_index_is_an_error_unless_a_bundled_set_asks_without_index(
    tmp_path, checkout, monkeypatch, bundled
):
    monkeypatch.delenv("ALLIANCE_QA_INDEX_DIR", raising=False)
    questions = "evals/questions/q.jsonl" if bundled else "mine.jsonl"
    (tmp_path / "evals" / "questions").mkdir(parents=True)
    write_questions(tmp_path / questions)
    # a bundled set with a mistyped --index, or one's own set without --index: neither builds the essays
    args = ["eval", "--questions", questions, "--modes", "dense"] + (
        ["--index", "var/mine"] if bundled else []
    )
    result = CliRunner().invoke(cli.main, args)
    missing = "var/mine" if bundled else "var/index"
    assert result.exit_code == 1
    assert f"no index at {missing}: build one with `alliance-qa ingest FOLDER --index {missing}`" in (
        result.output
    )
    assert not (tmp_path / missing).exists()  # nothing built, nothing left behind
    assert not (tmp_path / "var" / "reports").exists()


def test_eval_writes_the_three_report_files(tmp_path, built):
    questions = write_questions(tmp_path / "q.jsonl")
    args = ["eval", "--questions", str(questions), "--index", str(built), "--modes", "dense"]
    result = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / "first")])
    assert result.exit_code == 0, result.output
    assert "MRR@10" in result.output and "dense" in result.output
    report = _files_of(tmp_path / "first")
    assert report["setup"]["questions"] == 3  # the test split by default
    assert (report["setup"]["question_file"], report["setup"]["split"]) == (str(questions), "test")
    assert f"- **question_file**: {questions}" in (tmp_path / "first" / "report.md").read_text()
    assert [q["id"] for q in report["queries"]] == ["q1", "q2", "q3"]
    assert set(report["modes"]["dense"]["metrics"]) >= {"hit_rate@1", "hit_rate@10", "mrr@10", "ndcg@10"}
    # the answer sentences are scored too: in the JSON, per query, in report.md and on the terminal
    answers = report["modes"]["dense"]["answers"]
    right = [q["modes"]["dense"]["answer_right"] for q in report["queries"] if q["answerable"]]
    assert answers["answerable"] == 2 and answers["right"] == sum(right) / 2
    assert "| answer sentence right |" in (tmp_path / "first" / "report.md").read_text()
    [header] = [line for line in result.output.splitlines() if line.startswith("mode ")]
    assert header.split()[-1] == "answer"
    # a refused question says why, in report.json and in report.md
    refused = [q for q in report["queries"] if q["modes"]["dense"]["refused"]]
    assert refused and all(q["modes"]["dense"]["refusal"] for q in refused)
    assert all("refusal" not in q["modes"]["dense"] for q in report["queries"] if q not in refused)
    markdown = (tmp_path / "first" / "report.md").read_text()
    assert "## Why questions were refused" in markdown
    # what was answered: the sentence and where it stands, the exact text of its document
    texts = {d.doc_id: d.text for d in read_corpus(FIXTURE_CORPUS)}
    answered = [q for q in report["queries"] if q not in refused]
    assert answered and all("answer" not in q["modes"]["dense"] for q in refused)
    for q in answered:
        answer = q["modes"]["dense"]["answer"]
        assert set(answer) == {"text", "doc_id", "start", "end"}
        assert texts[answer["doc_id"]][answer["start"] : answer["end"]] == answer["text"]
        shown = " ".join(answer["text"].split())
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        assert f" | {shown} |" in markdown.split("## Per query")[1]
    assert "| id | kind | question | dense | answer |" in markdown
    # abstention at higher thresholds, from each question's confidence
    curve = report["modes"]["dense"]["abstention_curve"]
    assert [row["threshold"] for row in curve] == [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]
    assert curve[0]["answered_rate"] == report["modes"]["dense"]["abstention"]["answered_rate"]
    assert curve[0]["refused_rate"] == report["modes"]["dense"]["abstention"]["recall"]
    assert "## Abstention at other thresholds" in markdown
    assert (
        f"| {refused[0]['id']} | {refused[0]['kind']} |" in markdown.split("## Why questions were refused")[1]
    )

    # a second run compares itself with the first, query by query
    again = CliRunner().invoke(
        cli.main, [*args, "--out", str(tmp_path / "second"), "--compare", str(tmp_path / "first")]
    )
    assert again.exit_code == 0, again.output
    [comparison] = _files_of(tmp_path / "second")["comparisons"]
    assert comparison["a"] == "baseline q-test:dense" and comparison["ties"] == 2
    assert comparison["p_value"] == 1.0
    # a query's id is marked as one where wins and losses are listed: "6 (1.00→0.63)" read as a
    # count of six (session 20)
    second = _files_of(tmp_path / "second")
    second["comparisons"][0]["losses"] = {"6": [1.0, 0.63]}
    assert "losses: `6` (1.00→0.63)" in markdown_of(second)


def test_eval_asks_the_questions_rewritten_under_their_own_ids(tmp_path, built):
    questions = write_questions(tmp_path / "q.jsonl")
    args = ["eval", "--questions", str(questions), "--index", str(tmp_path / "index"), "--modes", "hybrid"]
    plain = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / "plain")])
    assert plain.exit_code == 0, plain.output
    result = CliRunner().invoke(
        cli.main,
        [*args, "--rewrite", "upper", "--out", str(tmp_path / "upper"), "--compare", str(tmp_path / "plain")],
    )
    assert result.exit_code == 0, result.output
    report = _files_of(tmp_path / "upper")
    assert report["name"] == "q-test-upper" and report["setup"]["rewrite"] == "upper"
    assert report["queries"][0]["question"] == (
        "WHEN WAS THE HARBOUR PACT SIGNED BY THE COASTAL STATES ARVEL AND BRENN?"
    )
    # paired with the plain run question by question: the same three ids
    [comparison] = report["comparisons"]
    assert (
        comparison["a"] == "q-test:hybrid"
        and comparison["b"] == "q-test-upper:hybrid"
        and comparison["n"] == 2
    )
    assert "rewrite" not in _files_of(tmp_path / "plain")["setup"]

    beir = CliRunner().invoke(cli.main, ["eval", "--beir", str(BEIR), "--rewrite", "lower"])
    assert beir.exit_code == 1 and "--rewrite applies to a question set" in beir.output


def test_gold_given_by_quotes_alone_scores_as_its_spans_do(tmp_path, built):
    spans = write_questions(tmp_path / "spans.jsonl")
    records = [json.loads(line) for line in spans.read_text().splitlines()]
    for record in records:
        record["gold"] = [{"quote": g["quote"]} for g in record["gold"]]  # no doc_id, no offsets
    quotes = tmp_path / "quotes.jsonl"
    quotes.write_text("".join(json.dumps(r) + "\n" for r in records))
    reports = {}
    for name, path in (("spans", spans), ("quotes", quotes)):
        args = ["eval", "--questions", str(path), "--index", str(tmp_path / "index"), "--modes", "hybrid"]
        result = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        reports[name] = _files_of(tmp_path / name)
    assert reports["quotes"]["modes"]["hybrid"]["metrics"] == reports["spans"]["modes"]["hybrid"]["metrics"]
    scored = [
        {k: v for k, v in q["modes"]["hybrid"].items() if k != "latency_ms"}
        for q in reports["quotes"]["queries"]
    ]
    assert scored == [
        {k: v for k, v in q["modes"]["hybrid"].items() if k != "latency_ms"}
        for q in reports["spans"]["queries"]
    ]

    records[0]["gold"] = [{"quote": "words the corpus never wrote"}]
    quotes.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = CliRunner().invoke(
        cli.main, ["eval", "--questions", str(quotes), "--index", str(tmp_path / "index")]
    )
    assert result.exit_code == 1
    assert (
        f"{quotes}:1: question q1: the quote 'words the corpus never wrote' is not in any document"
        in result.output
    )


def test_eval_on_a_beir_folder_runs_all_three_modes(tmp_path):
    out = tmp_path / "beir"
    args = ["eval", "--beir", str(BEIR), "--cache-dir", str(tmp_path / "cache"), "--out", str(out)]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    report = _files_of(out)
    assert list(report["modes"]) == ["dense", "lexical", "hybrid"]
    assert report["modes"]["hybrid"]["notes"]["fusion"]["tuned_on"] == "train"
    assert report["setup"]["queries"] == 4
    assert [(c["a"], c["b"]) for c in report["comparisons"]] == [("dense", "lexical"), ("dense", "hybrid")]
    assert list((tmp_path / "cache").glob("*.npy"))  # document embeddings were cached
    assert all("answer" not in q["modes"]["hybrid"] for q in report["queries"])  # documents, no sentences
    assert "| id | kind | question | dense | lexical | hybrid |" in (out / "report.md").read_text()


@pytest.mark.parametrize("kind", ["questions", "beir"])
def test_a_baseline_of_other_questions_is_refused_before_anything_is_evaluated(
    tmp_path, built, monkeypatch, kind
):
    other = tmp_path / "other"
    other.mkdir()
    rows = [{"id": "elsewhere", "modes": {"dense": {"ndcg@10": 1.0}}}]
    (other / "report.json").write_text(json.dumps({"name": "other", "modes": {"dense": {}}, "queries": rows}))

    def no_model(model):
        raise AssertionError("the model was loaded, so the evaluation was started")

    monkeypatch.setattr(cli, "_embedder", no_model)
    asked = (
        ["--beir", str(BEIR)]
        if kind == "beir"
        else ["--questions", str(write_questions(tmp_path / "q.jsonl")), "--index", str(built)]
    )
    args = ["eval", *asked, "--modes", "dense", "--compare", str(other)]
    result = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(
        "error: the report 'other' to compare with scored none of these questions in dense"
    )
    assert not (tmp_path / "out").exists()
    # a baseline that ran none of the modes asked for is refused the same way
    result = CliRunner().invoke(cli.main, [*args[:-4], "--modes", "lexical", "--compare", str(other)])
    assert result.exit_code == 1
    assert "ran dense, none of lexical: nothing to compare" in result.output


def test_eval_compare_prints_wins_and_losses(tmp_path):
    def report(folder: Path, score: float) -> Path:
        folder.mkdir()
        rows = [{"id": q, "modes": {"dense": {"ndcg@10": s}}} for q, s in (("a", score), ("b", 0.5))]
        (folder / "report.json").write_text(
            json.dumps({"name": folder.name, "modes": {"dense": {}}, "queries": rows})
        )
        return folder

    result = CliRunner().invoke(
        cli.main, ["eval-compare", str(report(tmp_path / "old", 0.0)), str(report(tmp_path / "new", 1.0))]
    )
    assert result.exit_code == 0, result.output
    assert "new:dense vs old:dense on ndcg@10" in result.output
    assert "1 wins, 0 losses, 1 ties" in result.output
    assert "win  a: 0.000 → 1.000" in result.output


def test_bad_options_are_one_line_errors(tmp_path):
    result = CliRunner().invoke(cli.main, ["eval", "--beir", str(BEIR), "--modes", "dense,psychic"])
    assert result.exit_code == 1
    assert "unknown mode(s) psychic" in result.output
    result = CliRunner().invoke(cli.main, ["eval", "--beir", str(BEIR), "--split", "dev"])
    assert result.exit_code == 1
    assert "available splits: test, train" in result.output
    questions = write_questions(tmp_path / "q.jsonl")
    result = CliRunner().invoke(cli.main, ["eval", "--questions", str(questions), "--split", "train"])
    assert result.exit_code == 1  # as --help names them
    assert "unknown split 'train' for a question set: choose dev, test or all" in result.output
    # options of the other kind of run would be ignored: refused, saying why
    result = CliRunner().invoke(cli.main, ["eval", "--beir", str(BEIR), "--index", str(tmp_path / "mine")])
    assert result.exit_code == 1
    assert "--index applies to a question set; a BEIR run searches the folder's corpus.jsonl" in result.output
    args = ["eval", "--questions", str(questions), "--cache-dir", str(tmp_path / "cache")]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 1
    assert "--cache-dir applies to a BEIR run (--beir)" in result.output


def test_a_question_file_without_splits_or_kinds_is_evaluated_whole(tmp_path, built):
    records = [json.loads(line) for line in write_questions(tmp_path / "full.jsonl").read_text().splitlines()]
    for record in records:  # only id, question and gold, as one writes them for documents of one's own
        for key in ("kind", "split", "answerable"):
            del record[key]
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    args = ["eval", "--questions", str(path), "--index", str(tmp_path / "index"), "--modes", "dense"]
    result = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"{path} gives its questions no split: evaluating all {len(records)}" in result.output
    report = _files_of(tmp_path / "out")
    assert report["name"] == "mine-all" and report["setup"]["questions"] == len(records)
    assert report["setup"]["split"] == "all"  # evaluated whole, whatever --split said
    assert [(q["kind"], q["answerable"]) for q in report["queries"]] == [
        ("unlabelled" if r["gold"] else "unanswerable", bool(r["gold"])) for r in records
    ]


def test_a_set_of_unanswerable_questions_only_is_scored_on_refusals(tmp_path, built):
    # an abstention check of one's own: nothing to rank, so no ranking metric, no bars, no mode comparison
    path = tmp_path / "refuse.jsonl"
    rows = [{"id": "1", "question": "Who won the cup in 1998?", "gold": []}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ["eval", "--questions", str(path), "--index", str(built), "--modes", "dense,hybrid"]
    result = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    report = _files_of(tmp_path / "out")
    assert report["modes"]["hybrid"]["metrics"]["ndcg@10"] is None
    assert report["modes"]["hybrid"]["abstention"]["unanswerable"] == 1
    assert report["comparisons"] == []
    # comparing such a run by nDCG is refused before it starts, saying how to compare it instead
    again = CliRunner().invoke(
        cli.main, [*args, "--compare", str(tmp_path / "out"), "--out", str(tmp_path / "2")]
    )
    assert again.exit_code == 1
    assert "every question of this run is unanswerable" in again.output
    assert "eval-compare OLD NEW --metric refused" in again.output
    assert not (tmp_path / "2").exists()


def _no_model(model):
    raise AssertionError("the model was loaded, so the evaluation was started")


@pytest.mark.parametrize("kind", ["questions", "beir"])
def test_an_out_folder_that_cannot_be_written_is_refused_before_the_run(tmp_path, built, monkeypatch, kind):
    monkeypatch.setattr(cli, "_embedder", _no_model)
    (tmp_path / "a-file").write_text("not a folder")
    asked = (
        ["--beir", str(BEIR)]
        if kind == "beir"
        else ["--questions", str(write_questions(tmp_path / "q.jsonl")), "--index", str(built)]
    )
    out = tmp_path / "a-file" / "report"
    result = CliRunner().invoke(cli.main, ["eval", *asked, "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        f"error: {out}: cannot write the report there (Not a directory); pass another --out"
    )


def test_a_missing_out_folder_is_left_uncreated_when_the_run_fails(tmp_path, built):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"id": "1", "question": "?", "gold": [{"quote": "in no document at all"}]}) + "\n"
    )
    out = tmp_path / "reports" / "bad"
    result = CliRunner().invoke(
        cli.main, ["eval", "--questions", str(bad), "--index", str(built), "--out", str(out)]
    )
    assert result.exit_code == 1 and "is not in any document of the index" in result.output
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("given", ["folder", "report.json"])
def test_compare_with_the_folder_the_run_would_write_is_refused(tmp_path, built, monkeypatch, given):
    args = ["eval", "--questions", str(write_questions(tmp_path / "q.jsonl")), "--index", str(built)]
    first = CliRunner().invoke(cli.main, [*args, "--modes", "dense", "--out", str(tmp_path / "old")])
    assert first.exit_code == 0, first.output
    before = (tmp_path / "old" / "report.json").read_bytes()
    monkeypatch.setattr(cli, "_embedder", _no_model)
    baseline = tmp_path / "old" if given == "folder" else tmp_path / "old" / "report.json"
    result = CliRunner().invoke(cli.main, [*args, "--compare", str(baseline), "--out", str(tmp_path / "old")])
    assert result.exit_code == 1
    assert "is the report --compare reads, and this run would overwrite it; pass --out" in result.output
    assert (tmp_path / "old" / "report.json").read_bytes() == before


def test_a_beir_folder_without_a_train_split_says_hybrid_was_not_tuned(tmp_path):
    folder = tmp_path / "no-train"
    (folder / "qrels").mkdir(parents=True)
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        (folder / name).write_bytes((BEIR / name).read_bytes())
    args = [
        "eval",
        "--beir",
        str(folder),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--out",
        str(tmp_path / "out"),
    ]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    assert f"warning: hybrid was not tuned: {folder / 'qrels'} has no split besides 'test'" in result.output
    assert "- **tuned_on**: none" in (tmp_path / "out" / "report.md").read_text()
    # with a train split, as SciFact has, nothing is said
    tuned = CliRunner().invoke(cli.main, [*args[:2], str(BEIR), *args[3:-1], str(tmp_path / "tuned")])
    assert tuned.exit_code == 0, tuned.output
    assert "hybrid was not tuned" not in tuned.output


def test_questions_no_passage_can_be_relevant_to_are_named_on_the_terminal(tmp_path):
    built = tmp_path / "index"  # passages of a sentence or two: none covers half the document
    ingest = ["ingest", str(FIXTURE_CORPUS), "--index", str(built), "--max-tokens", "32", "--overlap", "0"]
    assert CliRunner().invoke(cli.main, ingest).exit_code == 0
    whole = (FIXTURE_CORPUS / "lighthouse-notes.md").read_text(encoding="utf-8").strip()
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({"id": "all-of-it", "question": "What do the notes say?", "gold": [{"quote": whole}]})
    )
    args = ["eval", "--questions", str(path), "--index", str(built), "--modes", "dense"]
    result = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert _files_of(tmp_path / "out")["setup"]["uncoverable"] == ["all-of-it"]
    assert "warning: no passage of the index can be relevant to 1 question (all-of-it): " in result.output


def test_a_k_below_a_metrics_cut_off_is_warned_about(tmp_path, built):
    args = ["eval", "--questions", str(write_questions(tmp_path / "q.jsonl")), "--index", str(built)]
    result = CliRunner().invoke(
        cli.main, [*args, "--modes", "dense", "-k", "3", "--out", str(tmp_path / "k3")]
    )
    assert result.exit_code == 0, result.output
    assert (
        "warning: -k 3 is below the cut-off of hit@5, hit@10, R@5, R@10, MRR@10, nDCG@10: they count only "
        "the top 3 passages; pass -k 10 to score them as named"
    ) in result.output
    default = CliRunner().invoke(cli.main, [*args, "--modes", "dense", "--out", str(tmp_path / "k10")])
    assert default.exit_code == 0 and "cut-off" not in default.output
