from __future__ import annotations

from pathlib import Path

import pytest

from alliance_qa.errors import IndexMissingError
from index.store import CURRENT, VERSIONS, clean_leftovers, publish_version, resolve_version, write_lock


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
