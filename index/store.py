"""An index home: immutable version folders and a `current` link swapped atomically.

    home/
      current -> versions/20261121T061200-1a2b3c   (a symlink, replaced with one rename)
      versions/20261121T061200-1a2b3c/              (manifest.json, dense.faiss, chunks.jsonl, ...)
      .lock                                          (held by whoever writes)

A version is written under a hidden temporary name, flushed to disk, renamed into place, and only
then pointed at. A crash at any moment leaves the previous version served; leftovers are removed
by the next writer.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alliance_qa.errors import (
    AllianceQAError,
    ForbiddenError,
    IndexCorruptError,
    IndexMissingError,
    IndexWriteError,
    InputError,
)
from index.manifest import MANIFEST_FILE

CURRENT = "current"
VERSIONS = "versions"
KEEP_VERSIONS = 2  # the live one and the one before, for readers still opening it
COPIED = "0-copied"  # the version a `current` folder becomes when it is made a link again
VERSION_NAME = re.compile(rf"\d{{8}}T\d{{6}}-\d{{9}}|{COPIED}")  # publish_version's names, and COPIED


def resolve_version(path: Path) -> Path:
    """The version folder that `path` (a home or a version folder) stands for.

    A home holding finished versions but no `current` to follow (a copy that lost its link, a link
    to a version since deleted) is damaged, not missing: a first build there would replace the
    team's versions with an index of the corpus folder alone.
    """
    if (path / MANIFEST_FILE).is_file():
        return path
    link = path / CURRENT
    if link.exists():
        return link.resolve()
    if finished := finished_versions(path):
        what = (
            f"its `{CURRENT}` link points to {os.readlink(link)}, which is gone"
            if link.is_symlink()
            else (f"it has no `{CURRENT}` link (a copy made without links? `cp -a` keeps them)")
        )
        raise IndexCorruptError(
            f"{path} holds {len(finished)} index version(s) in {VERSIONS}/, but {what}; nothing is built "
            f"over them: `alliance-qa repair --index {path}` links the newest one that opens"
        )
    raise IndexMissingError(f"no index at {path}: build one with `alliance-qa ingest`")


def finished_versions(home: Path) -> list[Path]:
    """The version folders `publish_version` finished at `home`, oldest first (names sort by time)."""
    versions = home / VERSIONS
    try:
        entries = list(versions.iterdir()) if versions.is_dir() else []
    except OSError:
        return []
    return sorted(p for p in entries if p.is_dir() and VERSION_NAME.fullmatch(p.name))


def owning_home(path: Path) -> Path:
    """The home a path stands for when it is repaired or written: a version folder's owner."""
    path = index_home(path)
    if path.parent.name == VERSIONS and (path.parent.parent / CURRENT).is_symlink():
        return path.parent.parent
    return path


def repair_advice(path: Path) -> str:
    """How to bring back the index at `path` keeping every document it holds (never a rebuild
    from the corpus folder, which drops the documents added over HTTP or with `add`)."""
    return (
        f"`alliance-qa repair --index {owning_home(path)}` rebuilds it from its own documents "
        "(documents.jsonl), keeping every one"
    )


# the advice of the messages below `Index.open`: a rebuild from the corpus folder, which loses documents
_REBUILD = re.compile(r"rebuild (?:it |the index )?with `alliance-qa ingest`")


def with_recovery(error: AllianceQAError, path: Path) -> AllianceQAError:
    """`error` with its advice to rebuild replaced by the repair that keeps the documents."""
    message = str(error)
    if "alliance-qa repair" in message or not _REBUILD.search(message):
        return error
    return type(error)(_REBUILD.sub(repair_advice(path), message, count=1))


def index_home(path: Path) -> Path:
    """The index home `path` stands for: a home's `current` link stands for the home (people
    point settings at `var/index/current`); any other path for itself."""
    if path.name == CURRENT and path.is_symlink() and (path.parent / VERSIONS).is_dir():
        return path.parent
    return path


def writable_home(path: Path) -> Path:
    """The home a new version of the index at `path` is published in, or why none can be.

    A version folder is refused: publishing inside it would change a version in place, and the
    new one would be served only through that folder's own link, never by the home. So is a home
    whose `current` is a folder rather than the link (a copy that followed links): the swap
    cannot replace it.
    """
    home = index_home(path)
    if (home / MANIFEST_FILE).is_file():
        owner = home.parent.parent
        hint = (
            f"write to the index's home, {owner}"
            if home.parent.name == VERSIONS and (owner / CURRENT).is_symlink()
            else "build an index of your own with `alliance-qa ingest --index DIR` and write to that"
        )
        raise ForbiddenError(f"{home} is one version of an index, and a version never changes: {hint}")
    if home.exists() and not home.is_dir():
        raise InputError(f"{home} is a file, not a folder: choose a new or empty folder for the index")
    current = home / CURRENT
    if not current.is_symlink() and not current.exists():
        foreign = not_index_entries(home)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise InputError(
                f"{home} already holds other files ({shown}): an index needs a folder of its own (each "
                "write replaces `current` and prunes `versions/`); choose a new or empty folder for it"
            )
    if current.exists() and not current.is_symlink():
        copied = home / VERSIONS / COPIED  # sorts before every dated version: pruned once replaced
        raise IndexCorruptError(
            f"{current} is a folder, not the link to the live version that a write replaces (was the "
            f"index copied without its links? `cp -a` keeps them); make it a link: "
            f"`mkdir -p {home / VERSIONS} && mv {current} {copied} && ln -s {VERSIONS}/{COPIED} {current}`"
        )
    return home


def not_index_entries(home: Path) -> list[str]:
    """What the folder `home`, which holds no index yet, holds beside hidden files (`.gitkeep`) and
    what a first build that was interrupted leaves (its lock, staging folders, unlinked versions): a
    folder of other files must not become an index home, whose writers prune `versions/` and replace
    `current`."""
    if not home.is_dir():
        return []
    found = [
        f"{entry.name}/" if entry.is_dir() else entry.name
        for entry in home.iterdir()
        if entry.name != VERSIONS and not entry.name.startswith(".")  # .lock, .current-*, .gitkeep
    ]
    versions = home / VERSIONS
    if versions.is_dir():
        found += [
            f"{VERSIONS}/{entry.name}"
            for entry in versions.iterdir()
            if not entry.name.startswith(".tmp-") and not (entry / MANIFEST_FILE).is_file()
        ]
    elif versions.exists():
        found.append(VERSIONS)
    return sorted(found)


_THREAD_LOCKS: dict[Path, threading.RLock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()
_HELD = threading.local()


@contextmanager
def write_lock(path: Path) -> Iterator[Path]:
    """Serialise writers to the index at `path` across threads and processes; yields its home
    (`writable_home`, which refuses a path no version can be published at). Re-entrant within a
    thread.

    Re-entry lets an update read the current version and publish the next under one lock,
    so two concurrent updates can never both start from the same version.
    """
    home = writable_home(path)
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise not_writable(home, exc) from None
    key = home.resolve()
    with _THREAD_LOCKS_GUARD:
        thread_lock = _THREAD_LOCKS.setdefault(key, threading.RLock())
    with thread_lock:
        held: dict[Path, int] = _HELD.__dict__.setdefault("depth", {})
        if held.get(key):
            held[key] += 1
            try:
                yield home
            finally:
                held[key] -= 1
            return
        try:
            handle = (home / ".lock").open("a+")
        except OSError as exc:
            raise not_writable(home, exc) from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # other processes
            held[key] = 1
            try:
                yield home
            finally:
                held[key] = 0
                fcntl.flock(handle, fcntl.LOCK_UN)


# why a write cannot be stored: no permission, a read-only mount, a full disk or quota
_STORAGE_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


def not_writable(home: Path, exc: OSError) -> IndexWriteError:
    """The error for a write the index home cannot take, naming the folder and the fix."""
    where = Path(exc.filename).parent if exc.filename else home
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free space on its disk (or raise the quota) and write again"
    else:
        fix = f"fix its permissions or mount (the service's user must be able to write to {home} and {home / VERSIONS})"
    return IndexWriteError(
        f"the index at {home} cannot be written ({exc.strerror or exc}: {where}); {fix}; reads keep working"
    )


def _version_size(folder: Path) -> int:
    """The bytes of a version's files; 0 for one that cannot be read (`alliance-qa repair
    --version` is how an index whose live version is unreadable is served again)."""
    try:
        return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    except OSError:
        return 0


def check_writable(home: Path) -> None:
    """Refuse, before any embedding, a write the home cannot store: a folder this process may not
    write to (permissions, a read-only mount) or a disk without room for another version as large
    as the live one. Call with the write lock held."""
    versions = home / VERSIONS
    probe = f".tmp-probe-{os.getpid()}-{time.time_ns()}"  # a staging name: leftovers are cleaned
    try:
        versions.mkdir(exist_ok=True)
        os.mkdir(versions / probe)
        os.rmdir(versions / probe)
        os.symlink(probe, home / f".current-{probe}")  # the swap makes a link in the home itself
        os.unlink(home / f".current-{probe}")
        free = shutil.disk_usage(versions).free
    except OSError as exc:
        raise not_writable(home, exc) from None
    live = home / CURRENT
    needed = _version_size(live.resolve()) if live.is_dir() else 0
    if free < needed:
        raise not_writable(
            home,
            OSError(
                errno.ENOSPC,
                f"{free:,} bytes free, a new version needs about {needed:,}",
                str(versions / "x"),
            ),
        )


def _fsync_tree(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def clean_leftovers(home: Path) -> list[Path]:
    """Remove what interrupted writes left behind (call with the write lock held)."""
    removed: list[Path] = []
    versions = home / VERSIONS
    live = (home / CURRENT).resolve() if (home / CURRENT).exists() else None
    for path in [*versions.glob(".tmp-*"), *home.glob(".current-*")]:
        if path.is_symlink() or path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    # only what publish_version names a version: never a folder someone else put there
    finished = sorted(p for p in versions.glob("[!.]*") if p.is_dir() and VERSION_NAME.fullmatch(p.name))
    for old in finished[:-KEEP_VERSIONS]:
        if old.resolve() != live:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
    return removed


def publish_version(home: Path, fill: Callable[[Path], None]) -> Path:
    """Write a new version with `fill(folder)` and make it current; return its folder.

    The caller holds `write_lock(home)`.
    """
    versions = home / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    clean_leftovers(home)
    # one clock reading for both parts: the seconds and the nanoseconds read apart could straddle a
    # second ("…T152719-001336240" after "…T152719-999720970"), and pruning goes by name order
    now = time.time_ns()
    name = time.strftime("%Y%m%dT%H%M%S", time.localtime(now // 10**9)) + f"-{now % 10**9:09d}"
    staging = versions / f".tmp-{name}"
    try:
        staging.mkdir()
        fill(staging)
        _fsync_tree(staging)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)  # half a version, on a disk that may be full
        if exc.errno in _STORAGE_ERRORS:
            raise not_writable(home, exc) from None
        raise
    final = versions / name
    os.rename(staging, final)
    _point_current(home, final)
    clean_leftovers(home)
    return final


def _point_current(home: Path, folder: Path) -> None:
    """Make `current` at `home` name the version `folder`, in one atomic rename."""
    link = home / f".current-{folder.name}"
    os.symlink(f"{VERSIONS}/{folder.name}", link)
    os.replace(link, home / CURRENT)  # the atomic swap readers see
    dir_fd = os.open(home, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def relink_version(home: Path, folder: Path) -> None:
    """Serve the finished version `folder` of `home` again: `current` is pointed at it, and nothing
    is pruned (the version it replaces may hold documents this one lacks). Call with the write lock."""
    if folder.parent != home / VERSIONS or not VERSION_NAME.fullmatch(folder.name):
        raise InputError(f"{folder} is not a version of the index at {home}")
    try:
        _point_current(home, folder)
    except OSError as exc:
        raise not_writable(home, exc) from None
