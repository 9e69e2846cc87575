"""Elasticsearch through the official `elasticsearch` client."""

from __future__ import annotations

from typing import Any

import elastic_transport
import elasticsearch

from searcher.engines.cluster import ClusterEngine
from searcher.settings import Settings


class ElasticsearchEngine(ClusterEngine):
    name = "elasticsearch"
    not_found_error = elasticsearch.NotFoundError
    connection_errors = (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout)
    conflict_error = elasticsearch.ConflictError
    api_error = elasticsearch.ApiError
    highlight_max_offset_key = "max_analyzed_offset"

    def make_client(self, settings: Settings, timeout: float, retries: int) -> Any:
        options: dict[str, Any] = {
            "request_timeout": timeout,
            "max_retries": retries,
            "retry_on_timeout": True,
            "connections_per_node": 16,  # the API and concurrent searches share one client
        }
        if settings.api_key:
            options["api_key"] = settings.api_key.get_secret_value()
        elif settings.username and settings.password:
            options["basic_auth"] = (settings.username, settings.password.get_secret_value())
        if settings.ca_file:
            options["ca_certs"] = str(settings.ca_file)
        return elasticsearch.Elasticsearch(settings.urls, **options)

    def bulk_request(self, body: bytes, timeout: float) -> Any:
        # `timeout` (the client's patience) and the server's `timeout` query parameter (how long
        # a document waits for an unavailable shard) are two different things.
        return self.client.options(request_timeout=timeout).bulk(
            body=body, require_alias=True, timeout=self.settings.shard_timeout
        )
