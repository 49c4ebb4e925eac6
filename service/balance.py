"""Keep-alive connections spread evenly over the processes of `serve --workers N`.

The kernel gives each new connection to one worker (`service/listen.py`: by a hash of its
addresses), and a keep-alive client then sends every request down it. Sixteen connections from one
client landed 10/6, 6/10, 4/12, 11/5… on two workers (measured with `ss` under wrk), and since
each worker answers one question at a time, the one with more connections sets the tail: p99 50 ms
at 6/10 against 38 ms at 8/8.

So each worker counts the connections that sent it a request in the last half second and publishes the
count in its slot of a small file the workers share. A worker holding two or more connections more
than the least busy worker closes one after answering on it (`Connection: close`); the client
opens a new one, which the kernel hands to any worker, this one included. A worker sheds at most one
connection per `min_interval`, so the others' counts catch up between sheds, and never when the
difference is one. A connection is never cut mid-request: the response goes out whole first.

    <folder>/loads          per worker slot: pid, connections, when published (monotonic ns)
    <folder>/slot-<i>.lock  flock-ed by the worker owning slot i while it lives
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

SLOT = struct.Struct("<qqq")  # pid, connections, published at (time.monotonic_ns)
LOADS_FILE = "loads"
WINDOW = 0.5  # seconds: a connection silent for longer no longer counts as load
PUBLISH_EVERY = 0.01  # seconds between refreshes of this worker's own count
MIN_INTERVAL = 0.01  # seconds between two connections shed by one worker
MARGIN = 2  # shed when this worker holds at least this many connections more than the least busy


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


class WorkerLoads:
    """This worker's slot in the shared file, and a view of the other workers' slots.

    Raises `OSError` when the folder cannot be used or every slot is taken.
    """

    def __init__(self, folder: Path, workers: int) -> None:
        self.workers = workers
        self._lock_fd, self.slot = self._claim(folder, workers)
        fd = os.open(folder / LOADS_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < workers * SLOT.size:
                os.ftruncate(fd, workers * SLOT.size)
            self._map = mmap.mmap(fd, workers * SLOT.size)
        finally:
            os.close(fd)
        self.pid = os.getpid()
        self.publish(0)

    @staticmethod
    def _claim(folder: Path, workers: int) -> tuple[int, int]:
        """Lock the first free slot; the lock dies with this process, freeing the slot for its successor."""
        for slot in range(workers):
            fd = os.open(folder / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd, slot
        raise OSError(f"{folder}: all {workers} worker slots are taken")

    def publish(self, connections: int) -> None:
        SLOT.pack_into(self._map, self.slot * SLOT.size, self.pid, connections, time.monotonic_ns())

    def least_other(self) -> int | None:
        """The fewest active connections any other live worker holds; None when there is no other.

        A slot not refreshed within `WINDOW` belongs to a worker no request has reached lately:
        it holds no active connection.
        """
        now = time.monotonic_ns()
        least: int | None = None
        for slot in range(self.workers):
            if slot == self.slot:
                continue
            pid, connections, published = SLOT.unpack_from(self._map, slot * SLOT.size)
            if pid <= 0:
                continue
            if now - published > WINDOW * 1e9:
                if not _alive(pid):
                    continue
                connections = 0
            least = connections if least is None else min(least, connections)
        return least

    def close(self) -> None:
        self.publish(0)
        self._map.close()
        os.close(self._lock_fd)


class ConnectionBalancer:
    """ASGI middleware: counts this worker's active connections and sheds one when it holds too many."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        loads: WorkerLoads,
        min_interval: float = MIN_INTERVAL,
        margin: int = MARGIN,
        on_shed: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.loads = loads
        self.min_interval = min_interval
        self.margin = margin
        self.on_shed = on_shed  # called once per connection shed (the metrics count them)
        self._seen: dict[tuple[str, int], float] = {}  # client address → last request (monotonic s)
        self._published = 0.0
        self._last_shed = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if client is None:
            await self.app(scope, receive, send)
            return
        key = (str(client[0]), int(client[1]))
        self._seen[key] = time.monotonic()
        self._refresh()

        async def send_or_shed(message: Message) -> None:
            if message["type"] == "http.response.start" and self._should_shed(key):
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_or_shed)

    def _refresh(self, *, force: bool = False) -> None:
        """Forget connections silent for `WINDOW` and publish the count (at most every 10 ms)."""
        now = time.monotonic()
        if not force and now - self._published < PUBLISH_EVERY:
            return
        self._seen = {k: t for k, t in self._seen.items() if now - t <= WINDOW}
        self.loads.publish(len(self._seen))
        self._published = now

    def _should_shed(self, key: tuple[str, int]) -> bool:
        now = time.monotonic()
        if now - self._last_shed < self.min_interval or key not in self._seen:
            return False
        least = self.loads.least_other()
        if least is None or len(self._seen) < least + self.margin:
            return False
        del self._seen[key]
        self._last_shed = now
        if self.on_shed is not None:
            self.on_shed()
        self._refresh(force=True)
        return True
