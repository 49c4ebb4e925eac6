"""How a server process allocates: few malloc arenas, so the memory of replaced index versions is reused.

glibc gives each new thread a malloc arena of its own, up to eight per core. Every write builds a
new index version (tens of MB of arrays) on whichever thread-pool thread takes the request, and
each arena keeps the freed blocks it has held. In a 60 s soak with a write every 2 s
(`benchmarks/soak.py`), one worker's resident memory grew from 339 to 1,049 MiB and was still
climbing, with only the served index alive; capped at two arenas it stayed at 522–594 MiB after
the first writes. glibc settles which arenas exist as threads first allocate, so the cap is set
before the server starts any thread: `serve` calls `limit_malloc_arenas` first thing and hands
`MALLOC_ARENA_MAX` to its worker processes, which read it as they start.
"""

from __future__ import annotations

import ctypes

M_ARENA_MAX = -8  # glibc's mallopt parameter for the highest number of arenas


def limit_malloc_arenas(count: int) -> bool:
    """Let glibc create at most `count` malloc arenas from now on; False when malloc is not glibc's.

    Threads started before the call keep the arenas they have: call it before the server's threads.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):  # musl, macOS, Windows: no such knob
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, count))
