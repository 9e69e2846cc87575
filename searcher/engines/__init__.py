"""Engines behind one protocol (`base.Engine`), obtained from `open_engine`."""

from __future__ import annotations

from searcher.engines.base import BulkItem, Engine
from searcher.settings import Settings


def open_engine(settings: Settings) -> Engine:
    """The engine the settings name.  Server clients are imported only when asked for."""
    analyzer = settings.analyzer()
    if settings.engine == "embedded":
        from searcher.engines.embedded import EmbeddedEngine

        return EmbeddedEngine(settings.data_dir, analyzer, settings.filterable)
    if settings.engine == "elasticsearch":
        from searcher.engines.elasticsearch import ElasticsearchEngine

        return ElasticsearchEngine(settings, analyzer)
    if settings.engine == "opensearch":
        from searcher.engines.opensearch import OpenSearchEngine

        return OpenSearchEngine(settings, analyzer)
    raise ValueError(f"unknown engine {settings.engine!r}")


__all__ = ["BulkItem", "Engine", "open_engine"]
