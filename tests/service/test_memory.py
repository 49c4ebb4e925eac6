"""`limit_malloc_arenas` caps glibc's malloc arenas for the threads started after it."""

from __future__ import annotations

import ctypes
import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

glibc = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's; other C libraries differ"
)

# Eight threads alive at once each allocate, then glibc describes its arenas (one <heap> each)
ARENAS = textwrap.dedent(
    """
    import ctypes, os, sys, tempfile, threading
    from service.memory import limit_malloc_arenas
    if sys.argv[1] != "0":
        assert limit_malloc_arenas(int(sys.argv[1]))
    barrier = threading.Barrier(9)
    def work():
        blocks = [bytearray(4096) for _ in range(64)]
        barrier.wait()
        barrier.wait()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    barrier.wait()
    libc = ctypes.CDLL(None)
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    path = os.path.join(tempfile.mkdtemp(), "malloc.xml")
    out = libc.fopen(path.encode(), b"w")
    libc.malloc_info(0, out)
    libc.fclose(out)
    barrier.wait()
    print(open(path).read().count("<heap nr="))
    """
)


def _arenas(limit: int) -> int:
    root = Path(__file__).resolve().parents[2]
    env = {name: value for name, value in os.environ.items() if name != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", ARENAS, str(limit)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@glibc
def test_threads_share_the_capped_arenas() -> None:
    assert _arenas(0) > 2  # glibc's default: a new arena per thread, up to eight per core
    assert _arenas(2) <= 2


def test_no_glibc_means_no_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoMallopt:
        def __init__(self, name: object) -> None:
            pass

    monkeypatch.setattr(ctypes, "CDLL", NoMallopt)
    from service.memory import limit_malloc_arenas

    assert limit_malloc_arenas(2) is False
