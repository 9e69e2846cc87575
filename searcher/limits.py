"""Every bound on input and work, in one place.

`searcher serve` is reachable by anyone, and a dump can hold anything: each number here caps what
one request, one record or one document can cost.  The API's OpenAPI schema, the CLI's option
checks, the engines' request bodies and the README's limits table all read these names; none of
them spells a number out again.
"""

from __future__ import annotations

# -- queries (API and CLI) --------------------------------------------------------------------
MAX_QUERY_CHARS = 200  # what the API accepts; longer is a 422
PARSE_MAX_QUERY_CHARS = 1000  # what the parser reads of any string (library callers); rest is cut
MAX_PAGE_SIZE = 50
MAX_PAGE = 20  # with MAX_PAGE_SIZE: at most 1,000 results deep; deep paging is a scraper's game
CLI_MAX_PAGE_SIZE = 100
CLI_MAX_PAGE = 10_000  # the CLI is the operator's own tool, but an absurd offset still aborts

# -- snippets ---------------------------------------------------------------------------------
# Only the first this-many characters of a field are analysed for a snippet, as Elasticsearch's
# `index.highlight.max_analyzed_offset` does: one huge document must not stall every search that
# matches it.  Every engine uses the same bound, so they mark the same spans.
HIGHLIGHT_MAX_ANALYZED_CHARS = 100_000
SNIPPET_CHARS = 220

# -- records (dumps and the API) ----------------------------------------------------------------
# Deeper nesting than this in a record's extra fields is refused: the JSON encoders give up near
# 254 levels, and no real document needs more than a few.
MAX_RECORD_DEPTH = 32
# Words longer than this are not cached by the analyzer (no Arabic word comes close; a 1 MB
# "token" must not stay in memory), and the cache is cleared once it holds this many characters.
ANALYZER_CACHE_MAX_WORD_CHARS = 64
ANALYZER_CACHE_MAX_CHARS = 2_000_000

# -- writes -----------------------------------------------------------------------------------
MAX_DOCUMENTS_PER_POST = 500
# Elasticsearch and OpenSearch refuse a longer `_id`; the embedded engine refuses it too (tantivy
# would index it, but could never find it again to replace it).
MAX_ID_BYTES = 512

# -- caching ----------------------------------------------------------------------------------
CACHE_SECONDS = 60
