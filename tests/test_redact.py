"""`redact`: engine URLs in messages never carry credentials, with or without a port."""

from __future__ import annotations

import pytest

from searcher.engines.cluster import redact


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://admin:s3cret@127.0.0.1:9200", "http://127.0.0.1:9200"),
        ("https://admin:s3cret@search.example.org", "https://search.example.org"),
        ("https://admin:s3cret@search.example.org/es/", "https://search.example.org/es/"),
        ("https://token@search.example.org:443", "https://search.example.org:443"),
        ("http://localhost:9200/?api_key=s3cret#frag", "http://localhost:9200/"),
        ("http://[::1]:9200", "http://[::1]:9200"),
        ("http://localhost:9200", "http://localhost:9200"),
    ],
    ids=["port", "no-port", "path", "user-only", "query", "ipv6", "plain"],
)
def test_redact_keeps_scheme_host_port_and_path_only(url: str, shown: str) -> None:
    assert redact(url) == shown
