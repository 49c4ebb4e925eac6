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
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

# uvicorn's default listen backlog
BACKLOG = 2048
PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies


class PortInUseError(OSError):
    """Another process listens on the address (or claims it)."""


class HostError(OSError):
    """The host is not a name that resolves, or not an address of this machine."""


def _bind(
    sock: socket.socket, address: Any, *, reuse_port: bool, reuse_address: bool = True
) -> socket.socket:
    """`sock` bound to `address`, with `SO_REUSEADDR` and/or in a `SO_REUSEPORT` group; closed on failure."""
    try:
        if reuse_address:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except BaseException:
        sock.close()
        raise
    return sock


def follow_parent(parent: int) -> None:
    """End this worker (SIGTERM: its requests in flight are answered first) when `parent` dies.

    uvicorn's supervisor stops its workers when it is stopped, but a parent killed outright
    (`kill -9`, the OOM killer, `KillMode=process`) left them serving the port with no one to
    restart them, and the next `serve` found the port in use.
    """
    if parent == os.getpid():  # unpickled where it was pickled (tests): no parent to follow
        return
    if sys.platform == "linux":
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it died before the call
                os.kill(os.getpid(), signal.SIGTERM)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def worker_listener(family: int, address: Any, backlog: int, parent: int) -> socket.socket:
    """This worker's own listening socket on `address`, in the claim's `SO_REUSEPORT` group.

    With `SO_REUSEADDR` too, as uvicorn's own socket has it: each connection it accepts inherits
    the listener's options, and keeps them in TIME_WAIT after the server closes it. Without
    `SO_REUSEADDR` those leftovers refused every plain bind of the port (`check_free`'s, one
    uvicorn worker's) for a minute after a restart. A listening socket conflicts with a plain
    bind whatever its options, so a second server is still refused.
    """
    follow_parent(parent)
    sock = _bind(socket.socket(family, socket.SOCK_STREAM), address, reuse_port=True)
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def check_free(host: str, port: int) -> tuple[int, tuple[str, int]]:
    """The address family and address to bind for `host:port`; `PortInUseError` if something
    listens on it (or claims it), `HostError` if `host` cannot be bound on this machine.

    Bound with SO_REUSEADDR, as uvicorn binds, so connections of an earlier server still in
    TIME_WAIT do not count, as long as they have the option too (ours do: `worker_listener`).
    Connections left by a listener without it (an older alliance-qa, another program) refuse the
    bind all the same; then the port counts as in use only if something accepts connections on it.
    """
    # as uvicorn picks the family: IPv6 for a host with a colon, else IPv4 ("localhost" too)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    address = (host, port)
    try:
        _bind(socket.socket(family, socket.SOCK_STREAM), address, reuse_port=False).close()
    except socket.gaierror as exc:
        raise HostError(exc.errno, f"is not a host name this machine resolves ({exc.strerror})") from None
    except OSError as exc:
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            raise HostError(exc.errno, f"is not an address of this machine ({exc.strerror})") from None
        if exc.errno == errno.EADDRINUSE and (_accepting(family, address) or not _closing(port)):
            raise PortInUseError(errno.EADDRINUSE, f"{host}:{port} is in use") from None
        if exc.errno != errno.EADDRINUSE:
            raise
    return family, address


def _accepting(family: int, address: tuple[str, int]) -> bool:
    """Does something accept connections at `address` (on this machine, for a wildcard host)?"""
    host, port = address
    if host in ("", "0.0.0.0", "::"):
        host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


# /proc/net/tcp states of a connection its server has closed: FIN_WAIT1, FIN_WAIT2, TIME_WAIT,
# CLOSING, LAST_ACK (a socket bound but not listening, as `PortClaim`, is not listed at all)
_CLOSING_STATES = {"04", "05", "06", "0B", "09"}


def _closing(port: int) -> bool:
    """Are the sockets bound to `port` all connections still closing (Linux; False elsewhere)?"""
    states = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                states.append(fields[3])
    return bool(states) and all(state in _CLOSING_STATES for state in states)


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
        _bind(self, address, reuse_port=True, reuse_address=False)
        self._address = self.getsockname()  # the port bound, when asked for port 0
        self._backlog = backlog

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # multiprocessing pickles the claim into each worker it spawns (and respawns)
        return worker_listener, (self.family, self._address, self._backlog, os.getpid())


class SharedListener(socket.socket):
    """uvicorn's one listening socket, shared by every worker (the fallback): handed over as the
    claim is, so each worker follows its parent."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        from multiprocessing.reduction import DupFd

        # as multiprocessing hands a socket to a process it spawns, plus the parent to follow
        return _shared_listener, (DupFd(self.fileno()), self.family, self.type, self.proto, os.getpid())


def _shared_listener(duplicate: Any, family: int, kind: int, proto: int, parent: int) -> socket.socket:
    follow_parent(parent)
    return socket.socket(family, kind, proto, fileno=duplicate.detach())


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
    except (PortInUseError, HostError):
        raise
    except OSError as exc:
        logger.warning("one socket shared by the workers (%s): connections may spread unevenly", exc)
        sock = config.bind_socket()
        shared = SharedListener(sock.family, sock.type, sock.proto, fileno=sock.detach())
        Multiprocess(config, sockets=[shared]).run()
        return
    with claim:
        host = f"[{config.host}]" if ":" in config.host else config.host
        logger.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", host, config.port)
        Multiprocess(config, sockets=[claim]).run()
