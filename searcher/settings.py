"""Settings from the environment (``SEARCHER_*``); CLI flags override them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from searcher.arabic import ArabicAnalyzer
from searcher.arabic import plurals as plural_table
from searcher.filters import FilterError, check_declarable
from searcher.limits import (
    MAX_BODY_BYTES,
    MAX_REPLICAS,
    MAX_SEARCH_TIMEOUT_SECONDS,
    MAX_SHARDS,
    REINDEX_LEASE_SECONDS,
)
from searcher.names import check_name, check_url

EngineName = Literal["embedded", "elasticsearch", "opensearch"]
TIME_VALUE = r"^[0-9]+(ms|s|m|h)$"  # a duration as the engines write it
REFRESH_INTERVAL = r"^(-1|[0-9]+(ms|s|m|h))$"  # ... or -1: never on its own


@functools.lru_cache(maxsize=8)
def _analyzer(disabled: frozenset[str], plurals: Path | None) -> ArabicAnalyzer:
    """One analyzer per configuration: building the plural map stems a few thousand words."""
    return ArabicAnalyzer(disabled, plurals=plural_table.load(plurals) if plurals else ())


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "searcher"


class Settings(BaseSettings):
    """Where documents go and how to reach the engine.  Secrets are `SecretStr`: never printed."""

    model_config = SettingsConfigDict(env_prefix="SEARCHER_", extra="ignore")

    engine: EngineName = "embedded"
    index: str = "searcher"
    data_dir: Path = Field(default_factory=_default_data_dir)

    # Elasticsearch / OpenSearch connection: one URL, or several nodes of one cluster, comma
    # separated (the client spreads requests over them and skips a node that is down).
    url: str = "http://127.0.0.1:9200"
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    ca_file: Path | None = None
    # Bulk indexing and admin calls: patient, a reindex would rather wait out a slow node.
    request_timeout: float = 30.0
    max_retries: int = 3

    # How a new Elasticsearch/OpenSearch index is laid out (read when an index is created).
    # One shard holds tens of millions of these documents; more shards spread a big index over
    # more nodes.  Replicas are extra copies on OTHER nodes (a single node holds none).
    shards: int = Field(1, ge=1, le=MAX_SHARDS)
    replicas: int = Field(0, ge=0, le=MAX_REPLICAS)
    # How soon new documents become searchable: "1s", "30s", "-1" (only on explicit refresh);
    # None leaves the engine's default (1s).
    refresh_interval: str | None = Field(None, pattern=REFRESH_INTERVAL)
    # How long a bulk request waits for a shard that is not available (its node down or
    # restarting) before the run stops, nothing rejected, for a rerun to resume.
    shard_timeout: str = Field("1m", pattern=TIME_VALUE)
    # How long `reindex` waits for the restored replicas to be allocated before the alias swap.
    allocation_timeout: float = Field(600.0, gt=0)
    # Searches (the API, `searcher search`): a reader is waiting, so fail fast (a 503) rather
    # than queue behind a stalled node: a short timeout and at most one retry.
    search_timeout: float = Field(default=5.0, gt=0, le=MAX_SEARCH_TIMEOUT_SECONDS)
    search_max_retries: int = Field(default=1, ge=0, le=1)
    reindex_lease_seconds: float = Field(default=REINDEX_LEASE_SECONDS, gt=0)

    # HTTP API: browser origins allowed to call it (comma separated), and the key that unlocks
    # the write endpoints (no key: no write endpoints at all).
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    write_key: SecretStr | None = None
    max_body_bytes: int = Field(default=MAX_BODY_BYTES, gt=0)

    # Keyword fields of the documents that searches may filter and count by, beside tags and
    # published_at (comma separated: "category,author").  Read when an index is created and
    # stored with it; later processes (and `serve`) use what the index declares.
    filterable: Annotated[tuple[str, ...], NoDecode] = ()

    # Arabic rules switched off, by name (comma separated in the environment).
    arabic_disable: Annotated[frozenset[str], NoDecode] = frozenset()
    # Broken plurals (مدارس → مدرسة): a table built on this machine by
    # `python -m searcher.arabic.plurals` (optional; see searcher/arabic/plurals.py).
    plurals: Path | None = None

    def analyzer(self) -> ArabicAnalyzer:
        """The Arabic analysis these settings ask for (rules switched off, plural table)."""
        return _analyzer(self.arabic_disable, self.plurals)

    def as_environment(self) -> dict[str, str]:
        """These settings as SEARCHER_* variables, for processes that read only the environment
        (`searcher serve --workers N`).  Secrets are left out: they came from the environment,
        which child processes inherit, and are never copied anywhere else."""
        out = {}
        for name, value in self:
            if value is None or isinstance(value, SecretStr):
                continue
            if isinstance(value, tuple | frozenset):
                value = ",".join(sorted(value) if isinstance(value, frozenset) else value)
            out[f"SEARCHER_{name.upper()}"] = str(value)
        return out

    @field_validator("index")
    @classmethod
    def _usable_name(cls, value: str) -> str:
        return check_name(value)

    @field_validator("url")
    @classmethod
    def _usable_url(cls, value: str) -> str:
        # One node, or several comma separated (a cluster): each must be a usable URL.
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts:
            return check_url(value)  # names the empty value in its message
        for part in parts:
            check_url(part)
        return value

    @field_validator("arabic_disable", "cors_origins", "filterable", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("filterable")
    @classmethod
    def _declarable(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        try:
            return check_declarable(value)
        except FilterError as error:
            raise ValueError(str(error)) from None

    @property
    def urls(self) -> list[str]:
        """The node URLs of `url` (comma separated)."""
        return [part.strip() for part in self.url.split(",") if part.strip()]
