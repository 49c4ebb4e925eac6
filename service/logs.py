"""What `serve` logs, and how: one logging config for uvicorn and the app, and a line per write.

uvicorn's own config gave lines without a time or a level, and the app's loggers (`service`,
`index`, ...) no handler at all, so their INFO lines ("serving index … ready in … s") never
appeared and their errors came out bare. `log_config` is handed to uvicorn, which applies it in
the `serve` process and again in each worker.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("service.writes")

LEVELS = ("critical", "error", "warning", "info", "debug")
# the packages whose loggers are ours; libraries' loggers keep their warnings and errors only
APP_LOGGERS = ("alliance_qa", "service", "index", "ingest", "evals")
TIME = "%(asctime)s.%(msecs)03d"
DATE = "%Y-%m-%d %H:%M:%S"


def log_config(level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn's and the app's loggers, at `level` (a name in LEVELS).

    Every line starts with the time, the level and the process id (which worker).
    """
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,  # module loggers made at import keep working
        "formatters": {
            "server": {"format": f"{TIME} %(levelname)s [%(process)d] %(message)s", "datefmt": DATE},
            "app": {"format": f"{TIME} %(levelname)s [%(process)d] %(name)s: %(message)s", "datefmt": DATE},
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": f'{TIME} %(levelname)s [%(process)d] %(client_addr)s - "%(request_line)s" %(status_code)s',
                "datefmt": DATE,
                "use_colors": False,
            },
        },
        "handlers": {
            # at the level too: a library that sets its own logger to DEBUG (bm25s) stays quiet
            name: {
                "class": "logging.StreamHandler",
                "formatter": name,
                "stream": "ext://sys.stderr",
                "level": upper,
            }
            for name in ("server", "app", "access")
        },
        "loggers": {
            "uvicorn": {"handlers": ["server"], "level": upper, "propagate": False},
            "uvicorn.error": {"level": upper},
            "uvicorn.access": {"handlers": ["access"], "level": upper, "propagate": False},
            **{name: {"level": upper} for name in APP_LOGGERS},
        },
        # the app's loggers reach this through propagation, and so do libraries' warnings
        "root": {"handlers": ["app"], "level": "WARNING"},
    }


def drop_progress_lock() -> None:
    """Keep tqdm from making a process-shared lock in this server process; drop one it made.

    bm25s builds a (hidden) tqdm bar on every write, and tqdm's first bar makes a
    multiprocessing lock: a named semaphore, registered with multiprocessing's resource tracker.
    uvicorn ends a worker by re-raising the SIGTERM it handled, so the semaphore was never
    unregistered and each stop printed "There appear to be N leaked semaphore objects".
    A server process draws no bars, and its threads share tqdm's thread lock.
    """
    from tqdm.std import TqdmDefaultWriteLock, tqdm

    TqdmDefaultWriteLock.mp_lock = None  # tqdm's own value where multiprocessing has no locks
    if hasattr(tqdm, "_lock"):  # made already: made anew without it (freeing it unregisters it)
        del tqdm._lock


WRITES = {"POST": "added", "PUT": "replaced or added", "DELETE": "removed"}  # PUT answers 200 either way
DOCUMENTS = "/v1/documents"


class WriteLog:
    """ASGI middleware: a log line naming the document of each write that succeeded.

    The access log says `POST /v1/documents 201`, which names no document; the team shares one
    key, so this line is the record of what changed. Never the key, never the text.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method", "")
        path: str = scope.get("path", "")
        if scope["type"] != "http" or method not in WRITES or not path.startswith(DOCUMENTS):
            await self.app(scope, receive, send)
            return

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                headers = dict(message.get("headers", []))
                # POST names its document in the Location header; PUT and DELETE in the path
                where = headers.get(b"location", b"").decode("latin-1") if method == "POST" else path
                doc_id = unquote(where.removeprefix(DOCUMENTS).strip("/"))
                logger.info(
                    "%s document %r (%s %s %d)", WRITES[method], doc_id, method, path, message["status"]
                )
            await send(message)

        await self.app(scope, receive, logging_send)
