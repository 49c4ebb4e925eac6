"""What an app that installs alliance-qa gets: the packages, typed for its own type checker."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent
LIBRARY = ("alliance_qa", "ingest", "index")  # the packages an app imports (README "From Python")


def test_the_wheel_marks_the_library_packages_typed(tmp_path: Path) -> None:
    # without `py.typed` mypy reads none of an installed package's hints: `Index.search` is Any and
    # `from index import Index` an import-not-found error under --strict (PEP 561)
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("alliance_qa", "ingest", "index", "service", "evals"):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__", "docs", "reports")
        )
    build = "import sys, setuptools.build_meta as b; b.build_wheel(sys.argv[1])"
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-c", build, str(out)], cwd=source, check=True, capture_output=True)
    (wheel,) = out.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"{package}/py.typed" for package in LIBRARY} <= names
