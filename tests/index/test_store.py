from __future__ import annotations

import time
from pathlib import Path

import pytest

from alliance_qa.errors import IndexCorruptError, IndexMissingError, InputError
from index.store import (
    CURRENT,
    VERSIONS,
    clean_leftovers,
    not_index_entries,
    publish_version,
    resolve_version,
    write_lock,
)


def fill_with(text: str):  # type: ignore[no-untyped-def]
    def fill(folder: Path) -> None:
        (folder / "manifest.json").write_text(text, encoding="utf-8")

    return fill


def test_publish_swaps_current_to_the_new_version(tmp_path: Path) -> None:
    with write_lock(tmp_path):
        first = publish_version(tmp_path, fill_with("one"))
    assert resolve_version(tmp_path) == first
    with write_lock(tmp_path):
        second = publish_version(tmp_path, fill_with("two"))
    assert resolve_version(tmp_path) == second
    assert (resolve_version(tmp_path) / "manifest.json").read_text(encoding="utf-8") == "two"


def test_a_failed_write_leaves_the_live_version(tmp_path: Path) -> None:
    with write_lock(tmp_path):
        live = publish_version(tmp_path, fill_with("live"))

    def crash(folder: Path) -> None:
        (folder / "manifest.json").write_text("half", encoding="utf-8")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError), write_lock(tmp_path):
        publish_version(tmp_path, crash)
    assert resolve_version(tmp_path) == live
    leftovers = list((tmp_path / VERSIONS).glob(".tmp-*"))
    assert leftovers, "the interrupted staging folder is still there until the next writer"
    with write_lock(tmp_path):
        removed = clean_leftovers(tmp_path)
    assert set(leftovers) <= set(removed)
    assert resolve_version(tmp_path) == live


def test_old_versions_are_pruned_but_the_live_one_stays(tmp_path: Path) -> None:
    for i in range(5):
        with write_lock(tmp_path):
            publish_version(tmp_path, fill_with(str(i)))
    kept = sorted(p.name for p in (tmp_path / VERSIONS).iterdir())
    assert len(kept) == 2
    assert (tmp_path / CURRENT).resolve().name == kept[-1]


def test_a_folder_without_an_index_is_missing(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="alliance-qa ingest"):
        resolve_version(tmp_path)


def test_write_lock_is_reentrant_and_excludes_other_threads(tmp_path: Path) -> None:
    import threading
    import time

    order: list[str] = []

    def other() -> None:
        with write_lock(tmp_path):
            order.append("other")

    with write_lock(tmp_path):
        with write_lock(tmp_path):  # re-entry in the same thread must not deadlock
            order.append("inner")
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.2)
        order.append("outer-done")
    thread.join(timeout=5)
    assert order == ["inner", "outer-done", "other"]


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() if p.is_file() else "/" for p in folder.rglob("*")}


def test_a_folder_of_other_files_never_becomes_an_index_home(tmp_path: Path) -> None:
    """`--index ~/project` by mistake: its own `versions/` would be pruned to the newest two."""
    home = tmp_path / "project"
    for name in ("v1", "v2", "v3"):
        (home / VERSIONS / name).mkdir(parents=True)
        (home / VERSIONS / name / "notes.txt").write_text(f"draft {name}", encoding="utf-8")
    (home / "thesis.docx").write_text("precious", encoding="utf-8")
    before = _tree(home)
    with (
        pytest.raises(
            InputError, match=r"already holds other files \(thesis.docx, versions/v1, .* choose a new"
        ),
        write_lock(home),
    ):
        publish_version(home, fill_with("index"))
    assert _tree(home) == before  # not even a lock file was left


def test_a_file_is_no_index_home(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="is a file, not a folder"), write_lock(tmp_path / "notes.txt"):
        pass


def test_an_interrupted_first_build_can_be_retried(tmp_path: Path) -> None:
    """What a first build leaves when killed (its lock, a staging folder, a version not yet linked)
    is an index's own: the next build goes ahead and cleans the staging folder."""
    (tmp_path / ".lock").touch()
    (tmp_path / VERSIONS / ".tmp-20260101T000000-1").mkdir(parents=True)
    (tmp_path / VERSIONS / "20260101T000000-2").mkdir()
    (tmp_path / VERSIONS / "20260101T000000-2" / "manifest.json").write_text("{}", encoding="utf-8")
    (tmp_path / ".current-20260101T000000-2").symlink_to(f"{VERSIONS}/20260101T000000-2")
    (tmp_path / ".gitkeep").touch()  # a hidden file keeps an empty folder in git: the folder is still empty
    assert not_index_entries(tmp_path) == []
    with write_lock(tmp_path):
        final = publish_version(tmp_path, fill_with("retried"))
    assert resolve_version(tmp_path) == final
    assert not (tmp_path / VERSIONS / ".tmp-20260101T000000-1").exists()


def test_pruning_removes_only_versions_it_named(tmp_path: Path) -> None:
    with write_lock(tmp_path):
        publish_version(tmp_path, fill_with("one"))
    keep = tmp_path / VERSIONS / "my-backup"
    keep.mkdir()
    (keep / "manifest.json").write_text("mine", encoding="utf-8")
    for text in ("two", "three", "four"):
        with write_lock(tmp_path):
            publish_version(tmp_path, fill_with(text))
    dated = [p for p in (tmp_path / VERSIONS).iterdir() if p.name != "my-backup"]
    assert len(dated) == 2  # the live version and the one before
    assert (keep / "manifest.json").read_text(encoding="utf-8") == "mine"


def test_version_names_sort_in_the_order_they_were_made_across_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pruning keeps the newest versions by name: a name read from two clock readings could put a
    version made a nanosecond into the next second before one made at the end of the last."""
    readings = iter([1_765_000_000_999_999_999, 1_765_000_001_000_000_001])
    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: next(readings, None) or real())
    with write_lock(tmp_path):
        first = publish_version(tmp_path, fill_with("one"))
    with write_lock(tmp_path):
        second = publish_version(tmp_path, fill_with("two"))
    assert sorted([second.name, first.name]) == [first.name, second.name]
    assert first.name.endswith("-999999999") and second.name.endswith("-000000001")


def test_a_home_of_versions_without_its_current_link_is_damaged_not_missing(tmp_path: Path) -> None:
    """Operator report H3: a copy that lost its link (rsync -r, zip) was "missing", and the first
    build of the essays over it pruned the team's versions."""
    for text in ("one", "two"):
        with write_lock(tmp_path):
            publish_version(tmp_path, fill_with(text))
    (tmp_path / CURRENT).unlink()
    with pytest.raises(IndexCorruptError, match=r"holds 2 index version\(s\).* has no `current` link") as e:
        resolve_version(tmp_path)
    assert f"`alliance-qa repair --index {tmp_path}`" in str(e.value)
    (tmp_path / CURRENT).symlink_to(f"{VERSIONS}/gone")  # a link to a version since deleted
    with pytest.raises(IndexCorruptError, match=r"link points to versions/gone, which is gone"):
        resolve_version(tmp_path)


def test_the_readme_backup_holds_the_lock_every_writer_takes(tmp_path: Path) -> None:
    """Operator report L1: a plain `cp -a` during a write can fail or copy half a version; the
    README's backup holds the writers' lock, and a writer waits for it."""
    import re
    import shutil
    import subprocess
    import time

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    backup = re.search(r"^flock var/index/(\S+) cp -a var/index \S+", readme, flags=re.MULTILINE)
    assert backup is not None and "`current` must stay a symlink" in readme
    if shutil.which("flock") is None:
        pytest.skip("util-linux flock is not installed")
    with write_lock(tmp_path):
        publish_version(tmp_path, fill_with("one"))
    holder = subprocess.Popen(["flock", str(tmp_path / backup[1]), "sleep", "1"])
    try:
        time.sleep(0.3)  # the copy has begun
        started = time.monotonic()
        with write_lock(tmp_path):
            waited = time.monotonic() - started
    finally:
        holder.wait(timeout=10)
    assert waited > 0.4  # the writer waited for the copy to end


def test_an_unreadable_live_version_does_not_make_the_home_unwritable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`repair --version` re-serves an older version when the live one cannot be read (a restore
    under the wrong owner); measuring the live one for the free-space check refused it as unwritable."""
    from index.store import check_writable

    with write_lock(tmp_path):
        publish_version(tmp_path, fill_with("one"))
    live = (tmp_path / CURRENT).resolve()
    real_iterdir = Path.iterdir

    def unreadable(self: Path):  # type: ignore[no-untyped-def]
        if self == live:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", unreadable)
    with write_lock(tmp_path):
        check_writable(tmp_path)
