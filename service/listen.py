"""One listening socket per worker, so new connections spread evenly over `serve --workers N`.

uvicorn binds one socket and every worker accepts from it. The kernel then hands each new
connection to the worker that most recently started waiting for one (epoll wakes the last waiter
first), which under load is the worker that has just answered: 16 connections opened at once
landed 13/3 (measured), and a connection the balancer sheds (`service/balance.py`) came straight
back to the worker that shed it, so evening them out took 0.2 s (one run, logged shed by shed).
Three 10-second benchmark runs in a row, each starting from such a burst, gave p99 48.9 / 47.2 /
38.8 ms at the same p50; with a socket per worker, four runs gave 40.9-42.9 ms.

Here each worker listens on a socket of its own, all bound to the same address with
`SO_REUSEPORT`, and the kernel picks one by hashing the connection's addresses: an even spread on
average, and a shed connection has an even chance of moving. The parent process only holds the
address (`PortClaim`: bound, never listening, so it is never handed a connection); each worker
gets its listening socket when it unpickles the claim uvicorn passes it.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

# uvicorn's default listen backlog
BACKLOG = 2048


class PortInUseError(OSError):
    """Another process listens on the address (or claims it)."""


def _bind(sock: socket.socket, address: Any, *, reuse_port: bool) -> socket.socket:
    """`sock` bound to `address`, in a `SO_REUSEPORT` group or with `SO_REUSEADDR`; closed on failure."""
    try:
        option = socket.SO_REUSEPORT if reuse_port else socket.SO_REUSEADDR
        sock.setsockopt(socket.SOL_SOCKET, option, 1)
        sock.bind(address)
    except BaseException:
        sock.close()
        raise
    return sock


def worker_listener(family: int, address: Any, backlog: int) -> socket.socket:
    """This worker's own listening socket on `address`, in the claim's `SO_REUSEPORT` group."""
    sock = _bind(socket.socket(family, socket.SOCK_STREAM), address, reuse_port=True)
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def check_free(host: str, port: int) -> tuple[int, tuple[str, int]]:
    """The address family and address to bind for `host:port`; `PortInUseError` if something
    listens on it (or claims it). Bound with SO_REUSEADDR, as uvicorn binds, so connections of an
    earlier server still in TIME_WAIT do not count."""
    # as uvicorn picks the family: IPv6 for a host with a colon, else IPv4 ("localhost" too)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    address = (host, port)
    try:
        _bind(socket.socket(family, socket.SOCK_STREAM), address, reuse_port=False).close()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(errno.EADDRINUSE, f"{host}:{port} is in use") from None
        raise
    return family, address


class PortClaim(socket.socket):
    """The parent's hold on `host:port`; pickled to a worker, it becomes that worker's listener.

    Raises `PortInUseError` when something listens on the address already, `OSError` when the
    address cannot be bound for another reason.
    """

    def __init__(self, host: str, port: int, *, backlog: int = BACKLOG) -> None:
        # The claim has SO_REUSEPORT and not SO_REUSEADDR: a plain bind (with SO_REUSEADDR, as
        # uvicorn and `check_free` do) conflicts with it, so a second `serve` on this port fails
        # in `check_free` instead of silently joining this group.
        family, address = check_free(host, port)
        super().__init__(family, socket.SOCK_STREAM)
        _bind(self, address, reuse_port=True)
        self._address = self.getsockname()  # the port bound, when asked for port 0
        self._backlog = backlog

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # multiprocessing pickles the claim into each worker it spawns (and respawns)
        return worker_listener, (self.family, self._address, self._backlog)


def serve_workers(config: Any) -> None:
    """Run `config.workers` uvicorn workers (a `uvicorn.Config`), each on its own listening socket.

    Falls back to uvicorn's one shared socket when the address cannot be claimed with
    `SO_REUSEPORT` (say, connections of an earlier server on the port still in TIME_WAIT).
    """
    import logging

    from uvicorn.supervisors import Multiprocess

    logger = logging.getLogger("uvicorn.error")
    try:
        claim = PortClaim(config.host, config.port, backlog=config.backlog)
    except PortInUseError:
        raise
    except OSError as exc:
        logger.warning("one socket shared by the workers (%s): connections may spread unevenly", exc)
        sock = config.bind_socket()
        Multiprocess(config, sockets=[sock]).run()
        return
    with claim:
        host = f"[{config.host}]" if ":" in config.host else config.host
        logger.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", host, config.port)
        Multiprocess(config, sockets=[claim]).run()
