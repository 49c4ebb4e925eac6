"""`serve --workers N`: one listening socket per worker, in one SO_REUSEPORT group."""

from __future__ import annotations

import http.client
import pickle
import socket
from collections import Counter
from typing import Any, ClassVar

import pytest

from service.listen import PortClaim, PortInUseError, SharedListener, check_free
from tests.service.conftest import ThreadServer


def _listener(claim: socket.socket) -> socket.socket:
    """What a worker process gets when multiprocessing unpickles the claim uvicorn passes it."""
    sock: socket.socket = pickle.loads(pickle.dumps(claim))
    return sock


def _accepting(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))


def test_the_claim_holds_the_port_without_listening_and_each_worker_listens_on_its_own() -> None:
    with PortClaim("127.0.0.1", 0) as claim:
        port = claim.getsockname()[1]
        assert not _accepting(claim)  # so the kernel never hands the parent a connection
        first, second = _listener(claim), _listener(claim)
        try:
            assert first.fileno() != second.fileno()
            assert first.getsockname() == second.getsockname() == ("127.0.0.1", port)
            assert _accepting(first) and _accepting(second)
            first.settimeout(0)
            second.settimeout(0)
            accepted: Counter[str] = Counter()
            for _ in range(64):
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    pass
            for name, sock in (("first", first), ("second", second)):
                while True:
                    try:
                        connection, _ = sock.accept()
                    except BlockingIOError:
                        break
                    connection.close()
                    accepted[name] += 1
            # the kernel hashes each connection to one socket of the group: both get some
            # (all 64 on one would happen once in 2**63 runs)
            assert accepted["first"] + accepted["second"] == 64
            assert accepted["first"] > 0 and accepted["second"] > 0
        finally:
            first.close()
            second.close()


def test_a_port_someone_listens_on_or_claims_is_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:  # uvicorn's kind of socket
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"127.0.0.1:{port} is in use"):
            PortClaim("127.0.0.1", port)
    # a second `serve --workers` on the same port must not join the first one's group
    with PortClaim("127.0.0.1", 0) as claim, pytest.raises(PortInUseError):
        PortClaim("127.0.0.1", claim.getsockname()[1])


def _named(name: str) -> Any:
    """A tiny ASGI app that answers every request with `name`: which server accepted the connection."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": name.encode()})

    return app


def test_two_uvicorn_servers_on_their_own_listeners_share_new_connections() -> None:
    with PortClaim("127.0.0.1", 0) as claim:
        port = claim.getsockname()[1]
        servers = [ThreadServer(_named(name), sockets=[_listener(claim)]) for name in ("a", "b")]
        try:
            answered: Counter[str] = Counter()
            for _ in range(40):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/")
                answered[connection.getresponse().read().decode()] += 1
                connection.close()
        finally:
            for server in servers:
                server.stop()
    assert sum(answered.values()) == 40
    assert answered["a"] > 0 and answered["b"] > 0


class _Recorded:
    """Stands in for uvicorn's Multiprocess supervisor: records the sockets it was handed."""

    sockets: ClassVar[list[Any]] = []

    def __init__(self, config: Any, *, sockets: list[Any]) -> None:
        _Recorded.sockets = sockets

    def run(self) -> None:
        pass


class _Config:
    host, port, backlog, workers = "127.0.0.1", 0, 16, 2

    def bind_socket(self) -> socket.socket:
        """uvicorn's one shared socket."""
        return socket.create_server(("127.0.0.1", 0))


def test_workers_get_the_claim_and_fall_back_to_a_shared_socket_when_it_cannot_be_had(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service import listen

    monkeypatch.setattr("uvicorn.supervisors.Multiprocess", _Recorded)
    listen.serve_workers(_Config())
    (handed,) = _Recorded.sockets
    assert isinstance(handed, PortClaim)

    def unclaimable(*args: Any, **kwargs: Any) -> PortClaim:
        raise OSError(98, "in TIME_WAIT from an earlier server")

    monkeypatch.setattr(listen, "PortClaim", unclaimable)
    listen.serve_workers(_Config())
    (shared,) = _Recorded.sockets
    with shared:  # as uvicorn bound it, and handed to each worker with its parent to follow
        assert isinstance(shared, SharedListener)
        assert _accepting(shared)
        with _listener(shared) as inherited:
            assert inherited.getsockname() == shared.getsockname()


def _closed_by_the_server(listener: socket.socket) -> socket.socket:
    """A connection to `listener` that the server side closed first, as uvicorn closes keep-alive
    connections when it stops: the server's end is left in FIN_WAIT2, then TIME_WAIT. The client
    end is returned (still open: closing it moves the server's end to TIME_WAIT)."""
    client = socket.create_connection(listener.getsockname()[:2], timeout=5)
    accepted, _ = listener.accept()
    accepted.close()
    client.recv(1)  # the server's FIN has arrived
    return client


def test_a_port_left_with_closing_connections_of_workers_is_free_at_once() -> None:
    """`serve --workers 2` restarted after a keep-alive client: "is in use" for a minute."""
    with PortClaim("127.0.0.1", 0) as claim:
        port = claim.getsockname()[1]
        with _listener(claim) as listener:
            client = _closed_by_the_server(listener)
    client.close()  # the workers' end: TIME_WAIT, nothing listens

    check_free("127.0.0.1", port)
    # and uvicorn's one worker binds it too (a plain socket with SO_REUSEADDR)
    socket.create_server(("127.0.0.1", port)).close()
    # and so does the next `serve --workers 2`
    PortClaim("127.0.0.1", port).close()


def test_connections_left_by_a_listener_without_reuseaddr_do_not_make_the_port_in_use() -> None:
    """As an earlier alliance-qa's workers listened: their closing connections refuse a plain bind."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = _closed_by_the_server(listener)
    try:
        check_free("127.0.0.1", port)  # nothing listens: not "in use"
    finally:
        client.close()


def test_a_port_someone_listens_on_is_in_use_though_closing_connections_remain_too() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = _closed_by_the_server(listener)
        with pytest.raises(PortInUseError):
            check_free("127.0.0.1", listener.getsockname()[1])
        client.close()
