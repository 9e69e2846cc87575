"""OpenSearch through the official `opensearch-py` client."""

from __future__ import annotations

from typing import Any

import opensearchpy

from searcher.engines.cluster import ClusterEngine
from searcher.settings import Settings


class OpenSearchEngine(ClusterEngine):
    name = "opensearch"
    not_found_error = opensearchpy.NotFoundError
    connection_errors = (opensearchpy.ConnectionError, opensearchpy.ConnectionTimeout)
    conflict_error = opensearchpy.ConflictError
    api_error = opensearchpy.TransportError
    highlight_max_offset_key = "max_analyzer_offset"  # OpenSearch's name for it (2.2+)

    def make_client(self, settings: Settings, timeout: float, retries: int) -> Any:
        options: dict[str, Any] = {
            "timeout": timeout,
            "max_retries": retries,
            "retry_on_timeout": True,
            "pool_maxsize": 16,  # the API and concurrent searches share one client
        }
        if settings.api_key:
            # OpenSearch has no API keys of its own; proxies (and AWS gateways) take this header.
            options["headers"] = {"Authorization": f"ApiKey {settings.api_key.get_secret_value()}"}
        elif settings.username and settings.password:
            options["http_auth"] = (settings.username, settings.password.get_secret_value())
        if settings.ca_file:
            options["ca_certs"] = str(settings.ca_file)
            options["verify_certs"] = True
        return opensearchpy.OpenSearch(hosts=settings.urls, **options)

    def bulk_request(self, body: bytes, timeout: float) -> Any:
        # opensearch-py takes a bare `timeout` as the client's own request timeout unless
        # `request_timeout` is given too; then `timeout` reaches the server as a query parameter
        # (how long a document waits for an unavailable shard).
        return self.client.bulk(
            body=body,
            require_alias=True,
            request_timeout=timeout,
            timeout=self.settings.shard_timeout,
        )
