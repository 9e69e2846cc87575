"""The HTTP API behind a site's search box (`searcher serve`), plus the embeddable widget.

    GET  /search?q=&page=&size=   the `searcher search --json` shape, cacheable (ETag)  search.py
                                  unless partial (some shards did not answer)
    GET  /suggest?q=              completions of the word being typed                   suggest.py
    GET  /health                  engine reachable, index present, document count       health.py
    POST /documents               one document or a list; only when SEARCHER_WRITE_KEY  documents.py
    DELETE /documents/{id}        is set, and then only with that key (X-API-Key)
    GET  /                        a demo page using /static/widget.js and widget.css    demo.py

Limits (query length, page size, page depth, body bytes) are part of the OpenAPI schema and
enforced by validation, so odd input gets a 4xx in the ``{"error": ...}`` shape, never a 500.
Engine trouble becomes a 503 or 404 with a short message that names no host, URL or credential.
`app.create_app` wires it together; `server.serve` runs it under uvicorn with its timeouts.
"""

from searcher.api.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
