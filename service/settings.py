"""The one place that reads the environment: `ALLIANCE_QA_*` variables into `Settings`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from alliance_qa.errors import InputError

if TYPE_CHECKING:
    from index.ranking import SearchConfig

ENV_PREFIX = "ALLIANCE_QA_"


class Settings(BaseSettings):
    """Service and CLI settings; each field reads `ALLIANCE_QA_<FIELD>` from the environment."""

    # an empty variable (`ALLIANCE_QA_MIN_CONFIDENCE=`, as a compose file or `export X=` leaves it)
    # means unset, the default: not "Input should be a valid number"
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", env_ignore_empty=True)

    # the checkout's folders, wherever the command runs (`default_path`); a path set is as typed
    index_dir: Path = Field(
        default_factory=lambda: default_path("var/index"), description="where the index lives"
    )
    corpus_dir: Path = Field(
        default_factory=lambda: default_path("corpus"), description="the folder `ingest` reads by default"
    )
    model_path: Path | None = Field(None, description="a local sentence-transformers folder")
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx-int8",
        description="how questions are embedded: ONNX Runtime int8 (documents still float32), "
        "ONNX float32, or torch",
    )
    threads: int | None = Field(
        None,
        ge=1,
        le=64,
        description="ONNX Runtime threads per encode (default: the cores this process may use, "
        "shared out among `serve --workers`)",
    )
    cache_dir: Path = Field(
        default_factory=lambda: default_path("var/cache"), description="ONNX exports and other derived files"
    )
    query_cache_size: int = Field(
        1024, ge=0, description="recent questions whose vectors the service keeps (0: encode every time)"
    )
    access_log: bool = Field(True, description="uvicorn's line per request on stderr")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        "info", description="the least severe log lines `serve` writes (uvicorn's and the app's)"
    )
    malloc_arenas: int = Field(
        2,
        ge=0,
        le=64,
        description="glibc malloc arenas per `serve` process, unless MALLOC_ARENA_MAX is set (0: glibc's "
        "default, eight per core, under which each write left its memory behind; service/memory.py)",
    )
    workers: int = Field(1, ge=1, le=64, description="server processes of `serve` (its --workers wins)")
    balance_dir: Path | None = Field(
        None,
        description="where the workers of `serve --workers N` share their connection counts "
        "(set by `serve`; none: connections stay where the kernel put them)",
    )
    metrics_dir: Path | None = Field(
        None,
        description="where the workers of `serve --workers N` keep their metrics, so /metrics "
        "reports the whole server (set by `serve`, with PROMETHEUS_MULTIPROC_DIR)",
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    # NoDecode: the variable is parsed below, so a plain origin is a list of one, not a traceback
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="origins a browser may call the API from: comma-separated, or a JSON list",
    )
    min_confidence: float = Field(
        0.5,
        gt=0.0,
        lt=1.0,
        description="the abstention rule answers a question at this confidence or above (0.5: as "
        "calibrated on the bundled dev questions; higher refuses more, see the abstention table of "
        "`alliance-qa eval`)",
    )
    max_question_chars: int = Field(1000, ge=1)
    max_k: int = Field(50, ge=1)
    max_upload_bytes: int = Field(2_000_000, ge=1)
    api_key: SecretStr | None = Field(None, description="bearer key that enables write endpoints")
    open_reads: bool = Field(True, description="serve reads without a key")

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_level(cls, value: Any) -> Any:
        """`INFO` as well as `info`, as Python and uvicorn spell levels both ways."""
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        """`http://a.example,http://b.example` or `["http://a.example"]`: both are lists of origins."""
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError(
                    'not a JSON list: write ["http://localhost:3000"], or origins separated by commas'
                ) from None
        return [origin.strip() for origin in value.split(",") if origin.strip()]

    @field_validator("cors_origins")
    @classmethod
    def _as_browsers_send(cls, origins: list[str]) -> list[str]:
        """Each origin as a browser's Origin header writes it, which CORS compares byte for byte:
        `http://localhost:3000/` never matched `http://localhost:3000`, and nothing said so."""
        return [_origin(entry) for entry in origins]

    def encode_threads(self) -> int:
        """ONNX Runtime threads per encode: the setting, else every core this process may use.

        One question on one thread takes 2.3 ms with int8 here, on two 1.6 ms (for 3.1 ms of CPU:
        the threads spin while they wait); `serve --workers N` sets the share per worker.
        """
        return self.threads or available_cores()


def project_root() -> Path | None:
    """The checkout this code runs from (the folder holding `pyproject.toml` and `corpus/`), if any.

    `make run` installs the project editable, so `.venv/bin/alliance-qa` runs the checkout's own
    files; installed from a wheel, the code sits in site-packages with no corpus beside it.
    """
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "corpus").is_dir() else None


def default_path(relative: str) -> Path:
    """A default folder (`var/index`, `corpus`, `var/cache`…) in the checkout, from any folder.

    Read from the current folder, `alliance-qa ask` run elsewhere found no index where `make run`
    built one, and exported the model to ONNX again (a minute, ~90 MB) into a `var/cache` there.
    Run from the checkout itself, the path stays relative, as messages have always shown it;
    with no checkout (a wheel), it is relative to the current folder, as before.
    """
    root = project_root()
    try:
        here = Path.cwd().resolve()
    except OSError:  # the current folder was deleted: the checkout's path still works
        here = None
    return Path(relative) if root is None or root == here else root / relative


def _origin(entry: str) -> str:
    """`HTTP://LocalHost:3000/` as `http://localhost:3000`; an address with a path is no origin."""
    if entry in ("*", "null"):  # every origin; pages with none (sandboxed, file://)
        return entry
    parts = urlsplit(entry.strip())
    if not parts.scheme or not parts.netloc or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            f"{entry!r} is no origin: write scheme://host[:port] with no path, such as http://localhost:3000"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def search_config(settings: Settings) -> SearchConfig:
    """The query-time settings the environment changes: the abstention threshold and the longest question."""
    from dataclasses import replace

    from index.abstention import DEFAULT_RULE
    from index.ranking import SearchConfig

    return SearchConfig(
        abstention=replace(DEFAULT_RULE, min_confidence=settings.min_confidence),
        max_question_chars=settings.max_question_chars,
    )


def load_settings(**overrides: Any) -> Settings:
    """`Settings` from the environment; a bad variable is an `InputError` naming it and the fix."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(_problem(error) for error in exc.errors())
        raise InputError(f"bad setting: {problems}; fix or unset the variable") from None
    except SettingsError as exc:  # a value pydantic-settings could not decode before validating it
        raise InputError(f"bad setting: {exc}; fix or unset the variable") from None


def _problem(error: Any) -> str:
    """One validation error as `ALLIANCE_QA_NAME='value': what is wrong` (a key is never shown)."""
    field = str(error["loc"][0]) if error.get("loc") else "?"
    value = "***" if field == "api_key" else repr(error.get("input"))
    return f"{ENV_PREFIX}{field.upper()}={value}: {error['msg']}"


def available_cores() -> int:
    """The CPUs this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
